"""The background sync worker: a plain thread (never Qt) that syncs whenever the link is up.

It owns its own database connection (SQLite connections are not shared between threads here:
the GUI thread's write transactions must never mix with the worker's). Between rounds it
waits ``interval_s``; after a failure it backs off with full jitter, honouring Retry-After.
``poke()`` asks for a round now (a record was just written). The admin screen reads
``snapshot()``, a dict refreshed after every round, so it never touches the worker's
connection. With ``health`` (a callable giving the device's health report, e.g.
``provisioning.health.report``) it also reports to the city after rounds the server answered
(sync.client.health_report: at most every few minutes, at once on a change).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kiosk import config as config_mod
from kiosk.clock import Clock, SystemClock
from kiosk.db import open_db
from sync.client.backoff import Backoff
from sync.client.errors import ServerRefused, SyncBusy, SyncError
from sync.client.health_report import REPORT_EVERY_S, HealthReporter
from sync.client.session import SyncClient
from sync.client.sync_status import record_error, status


class SyncWorker:
    def __init__(self, data_dir: Path, *, clock: Clock | None = None, server: str | None = None,
                 transport: httpx.BaseTransport | None = None, interval_s: float = 30.0,
                 backoff: Backoff | None = None, keep_acked_days: int | None = None,
                 on_round: Callable[[dict[str, Any]], None] | None = None,
                 timeout: float = 30.0,
                 health: Callable[[], dict[str, Any]] | None = None,
                 health_every_s: float = REPORT_EVERY_S) -> None:
        self.data_dir = Path(data_dir)
        self.clock = clock or SystemClock()
        self.server = server
        self.transport = transport
        self.interval_s = interval_s
        self.backoff = backoff or Backoff()
        self.keep_acked_days = keep_acked_days
        self.on_round = on_round
        self.timeout = timeout
        self.health = (HealthReporter(health, every_s=health_every_s) if health is not None
                       else None)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._snapshot: dict[str, Any] = {"running": False}
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def start(self) -> SyncWorker:
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def poke(self) -> None:
        self._wake.set()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._snapshot)

    def _publish(self, snap: dict[str, Any]) -> None:
        with self._lock:
            self._snapshot = snap
        if self.on_round:
            try:
                self.on_round(copy.deepcopy(snap))
            except Exception:  # a listener's bug must not stop sync
                pass

    def _report_health(self, client: SyncClient) -> None:
        if self.health is not None:
            self.health.maybe_send(client.conn)

    def _run(self) -> None:
        cfg = config_mod.load(self.data_dir)
        keep = self.keep_acked_days if self.keep_acked_days is not None else cfg.sync.keep_acked_days
        db = open_db(config_mod.db_path(self.data_dir))
        try:
            while not self._stop.is_set():
                delay = self.interval_s
                snap: dict[str, Any] = {}
                try:
                    with SyncClient(db, self.data_dir, server=self.server or cfg.sync.server or None,
                                    clock=self.clock, transport=self.transport,
                                    keep_acked_days=keep, timeout=self.timeout) as client:
                        try:
                            summary = client.sync_once()
                        except ServerRefused:
                            self._report_health(client)  # it answered: tell it how we are
                            raise
                        self._report_health(client)
                    self.backoff.reset()
                    snap = {**summary, "next_round_s": delay}
                except SyncError as exc:
                    if not isinstance(exc, SyncBusy):
                        record_error(db, exc, self.clock)
                    delay = self.backoff.next_delay(getattr(exc, "retry_after", None))
                    if not exc.retry:
                        delay = max(delay, min(600.0, self.interval_s * 10))
                    snap = {**status(db, self.clock), "ok": False, "next_round_s": delay}
                except Exception as exc:  # never let the thread die silently
                    record_error(db, exc, self.clock)
                    delay = self.backoff.next_delay()
                    snap = {**status(db, self.clock), "ok": False, "next_round_s": delay}
                self.rounds += 1
                self._publish({**snap, "running": True, "rounds": self.rounds})
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            db.close()
            with self._lock:
                self._snapshot = {**self._snapshot, "running": False}
