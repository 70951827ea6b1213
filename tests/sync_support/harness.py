"""A real city server in-process (its FastAPI app behind starlette's TestClient transport)
with a :class:`FaultTransport` in front, and kiosks enrolled with it.

The server is the real one on a real SQLite file; only the wire is simulated, so tests are
deterministic (no sockets, no timing) and the server can be stopped, its file copied and
restored like a backup.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import httpx

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the kiosk uses
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kiosk.clock import FakeClock
from kiosk.db import open_db
from kiosk.demo import init_demo
from sync.client import SyncClient, enroll
from sync.server import create_app
from sync.server.engines import open_store
from tests.sync_support.faults import FaultTransport

ADMIN = "admin-secret"
BASE = "http://city.test"


@dataclass
class Kiosk:
    name: str
    data_dir: Path
    clock: FakeClock
    transport: httpx.BaseTransport
    device_id: str = ""
    db: object = None

    def open(self) -> None:
        self.db = open_db(self.data_dir / "kiosk.db")

    def crash(self) -> None:
        """Drop the connection without any tidy-up, and open the file again."""
        self.db.conn.close()
        self.open()

    def client(self, **kw) -> SyncClient:
        return SyncClient(self.db, self.data_dir, clock=self.clock, transport=self.transport,
                          server=BASE, **kw)

    def sync(self, **kw) -> dict:
        with self.client(**kw) as c:
            return c.sync_once()


@dataclass
class Server:
    path: Path
    server_clock: FakeClock | None = None
    fault: FaultTransport = field(default=None)
    tc: TestClient | None = None

    def __post_init__(self) -> None:
        self.fault = FaultTransport(inner=None)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def start(self) -> Server:
        app = create_app(self.url, admin_token=ADMIN, clock=self.server_clock)
        self.tc = TestClient(app, base_url=BASE, raise_server_exceptions=True)
        self.tc.__enter__()
        self.fault.inner = self.tc._transport
        return self

    def stop(self) -> None:
        if self.tc is not None:
            self.tc.__exit__(None, None, None)
            self.tc = None

    def admin(self, method: str, path: str, body=None) -> httpx.Response:
        resp = self.tc.request(method, path, json=body,
                               headers={"Authorization": f"Bearer {ADMIN}"})
        assert resp.status_code < 300, resp.text
        return resp

    def add_office(self, code: str = "KLR1") -> dict:
        return self.admin("POST", "/admin/offices", {"code": code, "name": f"Kelurahan {code}",
                                                     "timezone": "WITA"}).json()

    def enroll_token(self, code: str = "KLR1") -> str:
        return self.admin("POST", "/admin/enroll-tokens", {"office_code": code}).json()["token"]

    def new_kiosk(self, tmp: Path, name: str, code: str = "KLR1",
                  clock: FakeClock | None = None) -> Kiosk:
        data_dir = tmp / name
        cfg = init_demo(data_dir)
        kiosk = Kiosk(name, data_dir, clock or FakeClock(boot_id=f"boot-{name}"), self.fault,
                      device_id=cfg.device.id)
        kiosk.open()
        enroll(kiosk.db, data_dir, BASE, self.enroll_token(code), kiosk.device_id,
               clock=kiosk.clock, transport=self.fault)
        return kiosk

    def backup(self, dest: Path) -> Path:
        """A consistent copy of the server's database file (SQLite's online backup)."""
        src = sqlite3.connect(self.path)
        out = sqlite3.connect(dest)
        src.backup(out)
        src.close()
        out.close()
        return dest

    def restore(self, backup: Path) -> str:
        """What an operator's restore does: stop, put the copy back, give it a new epoch."""
        self.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copy(backup, self.path)
        store = open_store(self.url)
        epoch = store.new_epoch()
        store.close()
        self.start()
        return epoch

    def changes(self, device_id: str) -> dict[int, dict]:
        """device_seq -> stored change (payload parsed) for one device, straight from the file."""
        conn = sqlite3.connect(self.path)
        try:
            rows = conn.execute("SELECT device_seq, record_id, table_name, payload, corrected_ms,"
                                " time_uncertain, wall_ms FROM changes WHERE device_id = ?",
                                (device_id,)).fetchall()
        finally:
            conn.close()
        return {r[0]: {"record_id": r[1], "table": r[2], "payload": json.loads(r[3]),
                       "corrected_ms": r[4], "time_uncertain": bool(r[5]), "wall_ms": r[6]}
                for r in rows}

    def all_devices_changes(self) -> int:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        finally:
            conn.close()


def kiosk_records(kiosk: Kiosk) -> dict[int, dict]:
    """device_seq -> payload of every change the kiosk committed (the outbox keeps them)."""
    return {seq: json.loads(p) for seq, p in
            kiosk.db.execute("SELECT seq, payload FROM outbox").fetchall()}
