"""Helpers for the office LAN tests: a real edge (uvicorn on loopback, in a thread or as a
``kiosk edge serve`` process) over a real demo database, and a watcher that records what a
board would receive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import config as config_mod
from kiosk.queue.models import QueueEvent
from kiosk.runtime import Runtime
from sync.lan.client import RemoteQueue
from kiosk.cli.compose import office_features
from kiosk.office import LocalOffice
from sync.lan.server import LanServer, open_edge, running

TOKEN = "office-lan-token-for-tests-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def set_token(data_dir: Path, token: str = TOKEN) -> None:
    cfg = config_mod.load(data_dir)
    cfg.lan.token = token
    config_mod.save(cfg, data_dir)


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.005)


def office_with(rt: Runtime, queue) -> LocalOffice:
    """The edge's office over ``rt`` with ``queue`` as its queue (a LocalQueue that fails on
    purpose)."""
    office = LocalOffice(rt, office_features())
    office.queue = queue
    return office


@contextmanager
def edge_in_thread(rt: Runtime, **options) -> Iterator[LanServer]:
    """The LAN API over ``rt`` on a free loopback port, in this process."""
    office, reader = open_edge(rt, office_features())
    try:
        with running(office, token=TOKEN, office_code=rt.config.office.code, reader=reader,
                     **options) as server:
            yield server
    finally:
        reader.rt.close()


def start_edge_process(data_dir: Path, port: int = 0, *, advertise: bool = False
                       ) -> tuple[subprocess.Popen, dict]:
    """``kiosk edge serve`` as its own process (an edge that can lose power: SIGKILL)."""
    args = [sys.executable, "-c", "from kiosk.cli import entry; entry()",
            "--data-dir", str(data_dir), "edge", "serve", "--host", "127.0.0.1",
            "--port", str(port)]
    if not advertise:
        args.append("--no-advertise")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    if not line:
        proc.wait(5)
        raise AssertionError(f"kiosk edge serve did not start: {proc.stderr.read()}")
    return proc, json.loads(line)


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


@dataclass
class Watcher:
    """RemoteQueue.watch on its own thread, as a board runs it; records what arrives."""

    client: RemoteQueue
    after_id: int = 0
    events: list[QueueEvent] = field(default_factory=list)
    arrived_at: list[float] = field(default_factory=list)
    connection: list[bool] = field(default_factory=list)
    error: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_event(self, event: QueueEvent) -> None:
        self.arrived_at.append(time.perf_counter())
        self.events.append(event)

    def _run(self) -> None:
        try:
            self.client.watch(self._on_event, self.connection.append, self.stop, self.after_id)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error.append(exc)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive(), "watch() did not return after stop was set"
