"""``kiosk server``: the admin commands on the database, and the real server process
(uvicorn on a loopback port) on SQLite and on PostgreSQL with several workers."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from kiosk.cli import main
from server_support import ADMIN, Device, pg_schema_url

ROOT = Path(__file__).resolve().parents[1]
KIOSK = [sys.executable, "-c", "from kiosk.cli import entry; entry()"]


def run_cli(*args: str, db: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["server", *args, "--db", db])
    return result.exit_code, result.output


def test_office_token_stats_admin_token_and_epoch_commands(tmp_path):
    db = f"sqlite:///{tmp_path}/server.db"
    code, out = run_cli("office", "add", "K1", "Kelurahan Satu", "--tz", "WITA", db=db)
    assert code == 0, out
    assert json.loads(out)["timezone"] == "WITA"
    code, out = run_cli("office", "add", "K1", "Again", db=db)
    assert code == 2 and "already exists" in out
    code, out = run_cli("office", "add", "K2", "Dua", "--tz", "Mars/Olympus", db=db)
    assert code == 2 and "--tz" in out
    code, out = run_cli("office", "list", db=db)
    assert [o["code"] for o in json.loads(out)] == ["K1"]

    code, out = run_cli("enroll-token", "--office", "K1", "--json", db=db)
    assert code == 0 and json.loads(out)["office_code"] == "K1"
    assert len(json.loads(out)["token"]) >= 20
    code, out = run_cli("enroll-token", "--office", "NOPE", db=db)
    assert code == 2 and "no office 'NOPE'" in out

    code, out = run_cli("stats", db=db)
    stats = json.loads(out)
    assert code == 0 and stats["duplicate_record_ids"] == 0
    assert stats["offices"]["K1"]["reference_changes"] == 1

    code, admin = run_cli("admin-token", db=db)
    assert code == 0 and len(admin.strip()) >= 20
    code, again = run_cli("admin-token", db=db)
    assert again == admin

    code, out = run_cli("new-epoch", "--yes", db=db)
    assert code == 0 and json.loads(out)["epoch"] != stats["epoch"]
    code, out = run_cli("revoke", "no-such-device", db=db)
    assert code == 2 and "no device" in out


def test_group_db_option_and_bad_urls(tmp_path):
    db = f"sqlite:///{tmp_path}/g.db"
    result = CliRunner().invoke(main, ["server", "--db", db, "office", "add", "G", "Grup"])
    assert result.exit_code == 0, result.output
    code, out = run_cli("stats", db=db)
    assert "G" in json.loads(out)["offices"]
    code, out = run_cli("stats", db="mysql://nope")
    assert code == 2 and "sqlite:///" in out
    code, out = run_cli("stats", db="postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "cannot open the server database" in out
    result = CliRunner().invoke(main, ["server", "--db", db, "--workers", "2"])
    assert result.exit_code == 2 and "several workers need PostgreSQL" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``kiosk server --db URL --host 127.0.0.1 --port P`` as a real process."""

    def __init__(self, db: str, tmp_path: Path, *extra: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
        self.log = open(tmp_path / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [*KIOSK, "server", "--db", db, "--host", "127.0.0.1", "--port", str(self.port),
             "--admin-token", ADMIN, "--log-level", "warning", *extra],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (tmp_path / f"server-{self.port}.log").read_text()
                raise AssertionError(f"server exited: {log}")
            try:
                if httpx.get(f"{self.url}/sync/meta", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("server did not answer within 30 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def _enroll_over_http(client: httpx.Client, db: str, office: str) -> Device:
    code, token = run_cli("enroll-token", "--office", office, db=db)
    assert code == 0, token
    device = Device(client)
    r = device.enroll(token.splitlines()[0].strip())
    assert r.status_code == 200, r.text
    return device


def test_real_server_process_on_sqlite(tmp_path):
    db = f"sqlite:///{tmp_path}/server.db"
    assert run_cli("office", "add", "K1", "Kelurahan Satu", "--tz", "WITA", db=db)[0] == 0
    server = ServerProcess(db, tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get("/docs").status_code == 200
            device = _enroll_over_http(client, db, "K1")
            items = [device.item() for _ in range(120)]
            r = device.push(items, encoding="zstd")
            assert r.status_code == 200, r.text
            assert {x["status"] for x in r.json()["results"]} == {"accepted"}
            assert {x["status"] for x in device.push(items, encoding="gzip").json()["results"]} \
                == {"duplicate"}
            def chunks():                 # no Content-Length: the limit holds while reading
                for _ in range(40):
                    yield b" " * 8192
            r = client.post("/sync/push", content=chunks(), headers=device.headers)
            assert r.status_code == 413, r.text
            changes, _ = device.pull_all(at_least=1)
            assert changes[0]["payload"]["code"] == "K1"
            assert client.get("/admin/stats", headers={"Authorization": f"Bearer {ADMIN}"}
                              ).json()["changes"] == 120
    finally:
        server.stop()
    code, out = run_cli("stats", db=db)
    stats = json.loads(out)
    assert stats["offices"]["K1"]["tables"]["print_jobs"]["changes"] == 120
    assert stats["duplicate_record_ids"] == 0


def test_several_workers_on_postgresql(tmp_path):
    with pg_schema_url() as db:
        for office in ("K1", "K2"):
            assert run_cli("office", "add", office, f"Kelurahan {office}", db=db)[0] == 0
        server = ServerProcess(db, tmp_path, "--workers", "2")
        try:
            with httpx.Client(base_url=server.url, timeout=30,
                              limits=httpx.Limits(max_connections=20)) as client:
                devices = [_enroll_over_http(client, db, f"K{1 + i % 2}") for i in range(6)]
                batches = [(d, [d.item() for _ in range(200)]) for d in devices]

                def push_twice(pair):
                    device, items = pair
                    first = device.push(items, encoding="zstd")
                    second = device.push(items)
                    return first, second

                with concurrent.futures.ThreadPoolExecutor(6) as pool:
                    answers = list(pool.map(push_twice, batches))
            for first, second in answers:
                assert first.status_code == 200 and second.status_code == 200
                assert {x["status"] for x in first.json()["results"]} == {"accepted"}
                assert {x["status"] for x in second.json()["results"]} == {"duplicate"}
        finally:
            server.stop()
        code, out = run_cli("stats", db=db)
        stats = json.loads(out)
        assert code == 0 and stats["duplicate_record_ids"] == 0
        assert stats["changes"] == 1200
        assert stats["offices"]["K1"]["tables"]["print_jobs"]["changes"] == 600
        assert stats["offices"]["K2"]["devices"] == 3

