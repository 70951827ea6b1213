"""The headless edge appliance end to end (issue 11 item 3): ``kiosk edge serve`` with no UI
prints pending tickets and pushes them to the city server.

Real processes: ``kiosk server`` on 127.0.0.1 (SQLite), ``kiosk edge serve`` on a data
directory with ``[sync] server`` set (enrolled with that server) and a file printer. A ticket
issued before the edge starts and one issued over its LAN API both end on paper (ESC/POS
bytes in the file) and on the server, with no screen running.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import httpx

from kiosk import config as config_mod
from kiosk.db import open_db
from kiosk.demo import init_demo
from kiosk.queue.client import LocalQueue
from kiosk.runtime import open_runtime
from sync.client import enroll
from tests.lan_support import ROOT, TOKEN, set_token, stop_process
from tests.sync_support.procs import ServerProcess


def _wait(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _server_payloads(db_path, device_id: str) -> list[dict]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT payload FROM changes WHERE device_id = ?",
                            (device_id,)).fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def test_headless_edge_prints_and_syncs(tmp_path):
    city_db = tmp_path / "city.db"
    server = ServerProcess(f"sqlite:///{city_db}", tmp_path / "srv").start()
    edge = None
    try:
        server.admin("POST", "/admin/offices", {"code": "DEMO", "name": "Kelurahan Demo",
                                                 "timezone": "WIB"})
        data_dir = tmp_path / "edge"
        paper = tmp_path / "printer.bin"
        cfg = init_demo(data_dir)
        cfg.sync.server = server.url
        cfg.printer.uri = f"file://{paper}"
        config_mod.save(cfg, data_dir)
        set_token(data_dir)
        db = open_db(data_dir / "kiosk.db")
        try:
            enroll(db, data_dir, server.url, server.enroll_token("DEMO"), cfg.device.id)
        finally:
            db.close()
        rt = open_runtime(data_dir)
        try:
            before = LocalQueue(rt).issue_ticket("svc-a").ticket  # pending before the edge runs
        finally:
            rt.close()

        log = open(tmp_path / "edge.log", "w")
        edge = subprocess.Popen(
            [sys.executable, "-c", "from kiosk.cli import entry; entry()", "--data-dir",
             str(data_dir), "edge", "serve", "--host", "127.0.0.1", "--port", "0",
             "--no-advertise"], stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        started = json.loads(edge.stdout.readline() or "{}")
        assert started.get("printing") is True and started.get("syncing") is True, \
            (tmp_path / "edge.log").read_text()

        # A ticket issued over the LAN API (a citizen kiosk elsewhere in the office).
        answer = httpx.post(f"{started['url']}/lan/tickets", json={"service_id": "svc-b"},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert answer.status_code == 200, answer.text
        after = answer.json()["ticket"]

        def printed() -> bytes:
            return paper.read_bytes() if paper.exists() else b""

        _wait(lambda: before.number.encode() in printed() and
              after["number"].encode() in printed(), "both receipts on paper")
        assert printed().startswith(b"\x1b@")  # ESC @: the printer was initialised first

        def on_server() -> set[str]:
            return {p.get("id") for p in _server_payloads(city_db, cfg.device.id)}

        # The sync worker's first round runs at start; an operation over the LAN API pokes it.
        _wait(lambda: {before.id, after["id"]} <= on_server(), "both tickets on the city server")
        # Each change (a ticket, its print job, the job printed...) exactly once.
        conn = sqlite3.connect(city_db)
        try:
            seqs = [r[0] for r in conn.execute("SELECT device_seq FROM changes WHERE device_id = ?",
                                               (cfg.device.id,))]
        finally:
            conn.close()
        assert len(seqs) == len(set(seqs))
    finally:
        if edge is not None:
            edge.terminate()
            try:
                edge.wait(15)
            except subprocess.TimeoutExpired:
                pass
            stop_process(edge)
        server.stop()
