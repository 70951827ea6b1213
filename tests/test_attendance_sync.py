"""Attendance end to end with real processes: the city server under uvicorn (SQLite and the
real PostgreSQL), the kiosk driven through the ``kiosk`` command, real HTTP on loopback, a
badge card printed by ``kiosk server badge`` and read from its PNG by zxing-cpp.

The roster, the city's badge key and a revocation come down with the reference pull; scans
made while the link is down reach the city once, with the server's corrected times.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.sync_support import procs

pytestmark = pytest.mark.slow


def run(data_dir: Path, *args: str) -> tuple[int, object, str]:
    res = subprocess.run([*procs.KIOSK, "--data-dir", str(data_dir), *args],
                         capture_output=True, text=True, env=procs.env(), timeout=120)
    try:
        out = json.loads(res.stdout)
    except ValueError:
        out = None
    return res.returncode, out, res.stderr


@pytest.fixture(params=["sqlite", "postgres"])
def server(request, tmp_path):
    if request.param == "postgres":
        base = procs.pg_url()
        if base is None:
            pytest.skip("no PostgreSQL reachable at 127.0.0.1:5432")
        schema = procs.pg_schema(base)
        url = schema.__enter__()
    else:
        schema, url = None, f"sqlite:///{tmp_path}/server.db"
    srv = procs.ServerProcess(url, tmp_path / "server").start()
    try:
        srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                             "timezone": "WIB"})
        srv.admin("PUT", "/admin/reference", {"office_code": "KLR1", "changes": [
            {"table": "employees", "record_id": emp, "payload": {"id": emp, "name": name}}
            for emp, name in (("emp-1001", "Andi Pratama"), ("emp-2002", "Rina Wulandari"))]})
        yield srv
    finally:
        srv.stop()
        if schema is not None:
            schema.__exit__(None, None, None)


def stored_attendance(db_url: str) -> list[tuple]:
    sql = ("SELECT record_id, wall_ms, corrected_ms, time_uncertain FROM changes"
           " WHERE table_name = 'attendance' ORDER BY device_seq")
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split("sqlite:///", 1)[1])
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(db_url) as conn:
        return conn.execute(sql).fetchall()


def test_offline_scans_reach_the_city_once_with_corrected_times(server, tmp_path):
    srv = server
    admin, k = tmp_path / "admin", tmp_path / "kiosk"
    cards = {}
    for emp in ("emp-1001", "emp-2002"):
        cards[emp] = tmp_path / f"{emp}.png"
        rc, _, err = run(admin, "server", "badge", emp, "--out", str(cards[emp]),
                         "--db", srv.db_url)
        assert rc == 0, err
    run(k, "init", "--office-code", "KLR1")
    run(k, "enroll", "--server", srv.url, "--token", srv.enroll_token("KLR1"))
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]

    srv.stop()                                       # the link is down: the door goes on
    rc, first, err = run(k, "attendance", "scan", str(cards["emp-1001"]))
    assert rc == 0, err
    assert (first["result"], first["reason"], first["employee_id"], first["name"]) == \
        ("accepted", None, "emp-1001", "Andi Pratama")
    rc, again, _ = run(k, "attendance", "scan", str(cards["emp-1001"]))
    assert rc == 0 and again["already_recorded"] and again["event"] == first["event"]
    rc, rina, _ = run(k, "attendance", "scan", str(cards["emp-2002"]))
    assert rc == 0 and rina["employee_id"] == "emp-2002"
    blank = tmp_path / "blank.png"
    from PIL import Image
    Image.new("L", (200, 200), 255).save(blank)
    rc, none, _ = run(k, "attendance", "scan", str(blank))
    assert (rc, none["result"], none["reason"]) == (1, "refused", "no_code")

    srv.start()                                      # the link returns
    for _ in range(2):                               # a second round doubles nothing
        assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["pending"] == 0
    stored = stored_attendance(srv.db_url)
    events = {first["event"]["id"]: first["event"], rina["event"]["id"]: rina["event"]}
    assert sorted(r[0] for r in stored) == sorted(events)          # each exactly once
    for record_id, wall_ms, corrected_ms, uncertain in stored:
        assert wall_ms == events[record_id]["wall_ms"]
        # the kiosk's clock was right: the server's correction agrees within a few seconds
        assert abs(corrected_ms - wall_ms) < 5_000 and not uncertain
    stats = srv.admin("GET", "/admin/stats")
    assert stats["offices"]["KLR1"]["tables"]["attendance"]["changes"] == 2
    assert stats["duplicate_record_ids"] == 0

    # the city revokes Andi's badge; the door refuses it after the next pull
    rc, _, err = run(admin, "server", "badge", "emp-1001", "--revoke", "--db", srv.db_url)
    assert rc == 0, err
    time.sleep(0.1)
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]
    rc, refused, _ = run(k, "attendance", "scan", str(cards["emp-1001"]))
    assert (rc, refused["result"], refused["reason"]) == (1, "refused", "revoked")

    month = time.strftime("%Y-%m", time.gmtime(first["event"]["wall_ms"] / 1000 + 7 * 3600))
    rc, rep, err = run(k, "attendance", "report", "--month", month,
                       "--csv", str(tmp_path / "m.csv"))   # in WIB, the office's zone
    assert rc == 0, err
    assert {e["employee_id"] for e in rep["employees"]} == {"emp-1001", "emp-2002"}
    assert (tmp_path / "m.csv").read_text().startswith("employee_id,name,date,status")
