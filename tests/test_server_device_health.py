"""Fleet health at the city: a kiosk's health report (POST /devices/health, as the device),
kept per device on SQLite and on the real PostgreSQL, listed by GET /admin/devices/health
and ``kiosk server devices``; and the sync worker sending it after its rounds."""

from __future__ import annotations

import json
import time
import warnings

import pytest
from click.testing import CliRunner

from kiosk import print_queue, queue
from kiosk.cli import main
from kiosk.clock import FakeClock
from kiosk.runtime import open_runtime
from provisioning.health import report as health_report
from server_support import ADMIN, add_office, admin_headers, db_url, enrolled_device
from sync.client import SyncWorker
from sync.client.health_report import HealthReporter
from sync.server import create_app
from tests.sync_support.harness import BASE, Server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = ["db_url"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(wall_ms=time.time_ns() // 1_000_000)


@pytest.fixture
def client(db_url, clock):
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        add_office(c, "K1")
        add_office(c, "K2", "Kelurahan Dua", "WIB")
        yield c


def _report(status="ok", reasons=(), **diag):
    return {"status": status, "reasons": list(reasons),
            "diagnostics": {"version": "0.1.0", **diag}}


def _fleet(client, **params):
    r = client.get("/admin/devices/health", params=params, headers=admin_headers())
    assert r.status_code == 200, r.text
    return {row["device_id"]: row for row in r.json()}


def test_each_devices_last_report_is_kept_and_listed(client, clock):
    a, b = enrolled_device(client, "K1"), enrolled_device(client, "K2")
    silent = enrolled_device(client, "K1")
    r = client.post("/devices/health", json=_report(), headers=a.headers)
    assert r.status_code == 200, r.text
    clock.advance(60)
    paper_out = _report("degraded", ["printer_paper_out: paper out; 3 receipts wait",
                                     "clock_unsynced: off by 300 s"],
                        sync={"backlog": 12, "oldest_pending_ms": 1, "last_good_push_ms": 2},
                        printer={"state": "paper_out"},
                        clock={"state": "unsynced", "offset_ms": 300_000})
    assert client.post("/devices/health", json=paper_out, headers=a.headers).status_code == 200
    assert client.post("/devices/health", json=_report(), headers=b.headers).status_code == 200

    fleet = _fleet(client)
    row = fleet[a.id]
    assert row["office_code"] == "K1" and row["status"] == "degraded"
    assert row["codes"] == ["printer_paper_out", "clock_unsynced"]
    assert (row["backlog"], row["printer"], row["clock"], row["clock_offset_ms"]) == \
        (12, "paper_out", "unsynced", 300_000)
    assert row["last_seen_ms"] == clock.now().wall_ms   # the newest report only
    assert fleet[b.id]["status"] == "ok" and fleet[b.id]["office_code"] == "K2"
    assert fleet[silent.id]["status"] == "no report" and fleet[silent.id]["last_seen_ms"] is None
    assert set(_fleet(client, office_code="K2")) == {b.id}

    one = client.get(f"/admin/devices/{a.id}/health", headers=admin_headers()).json()
    assert one["report"]["printer"] == {"state": "paper_out"}

    clock.advance(2 * 3600)   # nothing heard for two hours
    assert _fleet(client)[b.id]["status"] == "silent"


def test_reports_are_refused_without_changing_anything(client):
    device = enrolled_device(client, "K1")
    stranger = client.post("/devices/health", json=_report())
    assert stranger.status_code == 401
    bad = [({"status": "fine"}, 400), ({"status": "ok", "reasons": ["x" * 501]}, 400),
           ({"status": "ok", "reasons": ["r"] * 51}, 400),
           ({"status": "ok", "diagnostics": {"blob": "y" * 70_000}}, 413),
           ({"status": "ok", "reasons": ["nul \u0000 here"]}, 400),
           ({"status": "ok", "reasons": "not a list"}, 422), ({}, 422)]
    for body, status in bad:
        r = client.post("/devices/health", json=body, headers=device.headers)
        assert r.status_code == status, (body, r.text)
        assert r.json()["detail"]
    assert _fleet(client)[device.id]["status"] == "no report"
    assert client.get("/admin/devices/health", params={"office_code": "NOPE"},
                      headers=admin_headers()).status_code == 404
    assert client.get("/admin/devices/nope/health", headers=admin_headers()).status_code == 404
    assert client.get("/admin/devices/health").status_code == 401
    revoked = enrolled_device(client, "K1")
    client.post(f"/admin/devices/{revoked.id}/revoke", headers=admin_headers())
    assert client.post("/devices/health", json=_report(), headers=revoked.headers
                       ).status_code == 401
    assert _fleet(client)[revoked.id]["status"] == "revoked"


def test_kiosk_server_devices_lists_the_fleet(tmp_path):
    db = f"sqlite:///{tmp_path}/server.db"
    with TestClient(create_app(db, admin_token=ADMIN)) as c:
        add_office(c, "K1")
        ok, bad = enrolled_device(c, "K1"), enrolled_device(c, "K1")
        c.post("/devices/health", json=_report(sync={"backlog": 0}, printer={"state": "online"},
                                               clock={"state": "synced", "offset_ms": 40}),
               headers=ok.headers)
        c.post("/devices/health", json=_report(
            "degraded", ["printer_paper_out: paper out", "sync_backlog_old: 40 records"],
            sync={"backlog": 40}, printer={"state": "paper_out"},
            clock={"state": "unsynced", "offset_ms": -7_200_000}), headers=bad.headers)
    runner = CliRunner()
    result = runner.invoke(main, ["server", "devices", "--db", db])
    assert result.exit_code == 1, result.output   # a device with a problem: exit 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["OFFICE", "DEVICE", "LAST", "SEEN", "STATUS", "BACKLOG",
                                "PRINTER", "CLOCK", "REASONS"]
    bad_line = next(line for line in lines if bad.id in line)
    assert "degraded" in bad_line and "paper_out" in bad_line and "40" in bad_line
    assert "unsynced (-7200 s)" in bad_line
    assert "printer_paper_out, sync_backlog_old" in bad_line
    assert "synced (+0 s)" in next(line for line in lines if ok.id in line)
    result = runner.invoke(main, ["server", "devices", "--json", "--problems", "--db", db])
    assert [r["device_id"] for r in json.loads(result.output)] == [bad.id]
    result = runner.invoke(main, ["server", "devices", "--office", "NOPE", "--db", db])
    assert result.exit_code == 2 and "no office 'NOPE'" in result.output
    result = runner.invoke(main, ["server", "devices", "--db", f"sqlite:///{tmp_path}/no.db"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_the_sync_worker_reports_health_after_its_rounds(tmp_path):
    server = Server(tmp_path / "city.db").start()
    try:
        server.add_office()
        kiosk = server.new_kiosk(tmp_path, "k1")
        kiosk.db.close()
        rt = open_runtime(kiosk.data_dir, clock=kiosk.clock)
        try:
            queue.issue_ticket(rt, "svc-a")
            print_queue.record_printer_state(rt.db, "paper_out", "paper out (test)",
                                             kiosk.clock.now())
        finally:
            rt.close()
        rounds = []
        worker = SyncWorker(kiosk.data_dir, clock=kiosk.clock, server=BASE,
                            transport=server.fault, interval_s=0.2,
                            on_round=rounds.append,
                            health=lambda: health_report(kiosk.data_dir))
        worker.start()
        try:
            deadline = time.monotonic() + 20
            while (worker.health.sent < 1 or len(rounds) < 3) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
        assert rounds[-1].get("ok") is True
        assert worker.health.sent == 1   # not once per round: nothing changed
        fleet = server.admin("GET", "/admin/devices/health").json()
        row = next(r for r in fleet if r["device_id"] == kiosk.device_id)
        assert row["status"] == "degraded" and "printer_paper_out" in row["codes"]
        assert row["printer"] == "paper_out" and row["backlog"] == 0   # pushed first
        assert row["version"]
        report = server.admin("GET", f"/admin/devices/{kiosk.device_id}/health").json()
        assert report["report"]["office_code"] == "DEMO"
    finally:
        server.stop()


def test_reporter_sends_on_change_and_otherwise_every_interval(tmp_path):
    server = Server(tmp_path / "city.db").start()
    try:
        server.add_office()
        kiosk = server.new_kiosk(tmp_path, "k1")
        now = [0.0]
        state = {"status": "ok", "reasons": []}
        reporter = HealthReporter(lambda: dict(state), every_s=300, monotonic=lambda: now[0])

        def send() -> bool:
            with kiosk.client() as client:
                return reporter.maybe_send(client.conn)

        assert send() is True
        now[0] = 100
        assert send() is False
        state.update(status="degraded", reasons=["printer_paper_out: paper out; 1 receipts"])
        assert send() is True   # a change goes at once
        now[0] = 150
        state["reasons"] = ["printer_paper_out: paper out; 2 receipts"]  # the same code
        assert send() is False
        now[0] = 401
        assert send() is True
        assert [k for path, k, _ in server.fault.log if path == "/devices/health"] == \
            ["pass"] * 3
        server.fault.add("drop_request", path="/devices/health")
        state["status"] = "ok"
        assert send() is False and "no answer" in reporter.last_error   # never raises
        assert send() is True   # and goes again next time
    finally:
        server.stop()


def test_the_health_routes_are_fuzzed_as_a_device_and_answer_4xx_on_garbage(tmp_path):
    """The whole server is fuzzed in test_server_fuzz.py (these routes with it); here the
    health routes alone get more examples, as the enrolled device and as the admin."""
    import schemathesis
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation import GenerationMode
    from schemathesis.python.asgi import shutdown_lifespans

    import test_server_fuzz as fuzz
    from sync import protocol

    app = create_app(f"sqlite:///{tmp_path}/server.db", admin_token=ADMIN)
    try:
        token = fuzz._enrolled_device(app.state.sync.store)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [r.ok() for r in schema.get_all_operations() if "health" in r.ok().path]
        assert {op.path for op in operations} == {
            "/devices/health", "/admin/devices/health", "/admin/devices/{device_id}/health"}
        for headers in ({"Authorization": f"Bearer {token}", protocol.PROTOCOL_HEADER: "1"},
                        {"Authorization": f"Bearer {ADMIN}"}):
            target = fuzz.Target(app, headers)
            for operation in operations:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    try:
                        fuzz._fuzz(target, operation.as_strategy(generation_mode=mode))
                    except Unsatisfiable:   # nothing to make invalid of a lone text query
                        assert mode is GenerationMode.NEGATIVE, operation.label
    finally:
        shutdown_lifespans()
        app.state.sync.store.close()


def test_fleet_health_with_real_processes_on_postgresql(tmp_path):
    """``kiosk server`` (uvicorn, PostgreSQL) and ``kiosk sync run`` as real processes on
    loopback: the kiosk's report reaches the city, ``kiosk server devices`` shows it."""
    import subprocess

    from server_support import pg_schema_url
    from test_server_cli import KIOSK, ROOT, ServerProcess, run_cli

    with pg_schema_url() as db:
        assert run_cli("office", "add", "DEMO", "Kelurahan Demo", "--tz", "WITA", db=db)[0] == 0
        code, token = run_cli("enroll-token", "--office", "DEMO", db=db)
        assert code == 0, token
        server = ServerProcess(db, tmp_path)
        data = tmp_path / "kiosk"
        sync_proc = None
        try:
            for args in (["init", "--demo"],
                         ["enroll", "--server", server.url, "--token",
                          token.splitlines()[0].strip()]):
                done = subprocess.run([*KIOSK, "--data-dir", str(data), *args], cwd=ROOT,
                                      capture_output=True, text=True, timeout=60)
                assert done.returncode == 0, done.stderr + done.stdout
            rt = open_runtime(data)
            try:
                print_queue.record_printer_state(rt.db, "paper_out", "paper out (test)",
                                                 rt.clock.now())
            finally:
                rt.close()
            sync_proc = subprocess.Popen(
                [*KIOSK, "--data-dir", str(data), "sync", "run", "--interval", "0.5",
                 "--server", server.url], cwd=ROOT, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + 60
            rows: list = []
            while time.monotonic() < deadline:
                code, out = run_cli("devices", "--json", db=db)
                rows = json.loads(out)
                if rows and rows[0]["last_seen_ms"] is not None:
                    break
                time.sleep(0.3)
        finally:
            if sync_proc is not None:
                sync_proc.terminate()
                sync_proc.wait(10)
            server.stop()
        assert len(rows) == 1 and rows[0]["office_code"] == "DEMO"
        assert rows[0]["printer"] == "paper_out" and "printer_paper_out" in rows[0]["codes"]
        assert rows[0]["status"] == "degraded" and code == 1
        assert rows[0]["clock"] == "synced"   # it synced with the city just before
        code, table = run_cli("devices", "--problems", db=db)
        assert "printer_paper_out" in table and "DEMO" in table


def test_device_health_step_migrates_an_existing_server_database(db_url):
    """A city database made before the step gets the table at the next start; the steps
    before it are not run again."""
    from sync.server.engines import open_store

    store = open_store(db_url)
    step = store.schema_version
    now = int(time.time() * 1000)
    store.add_office("K1", "Kelurahan Satu", "WITA", "", now)
    store.close()
    if db_url.startswith("sqlite"):
        import sqlite3

        from sync.server.engines import sqlite_path

        conn = sqlite3.connect(sqlite_path(db_url))
        with conn:
            conn.execute("DROP TABLE device_health")
            conn.execute("DELETE FROM server_migrations WHERE step = ?", (step,))
        conn.close()
    else:
        import psycopg

        with psycopg.connect(db_url) as conn:
            conn.execute("DROP TABLE device_health")
            conn.execute("DELETE FROM server_migrations WHERE step = %s", (step,))
    store = open_store(db_url)
    try:
        assert store.schema_version == step
        assert [o.code for o in store.offices()] == ["K1"]   # earlier steps not redone
        assert store.device_health(None, now) == []
    finally:
        store.close()
