"""Issue 12, item 8, with real processes: the city server under uvicorn (SQLite and the real
PostgreSQL), a kiosk driven through the ``kiosk`` command, real HTTP on loopback.

- The letter catalogue and complaint categories come down from the city (reference pull).
- A request and a complaint made while the link is down reach the city server after it
  returns, exactly once, with their events; ``kiosk server stats`` counts them.
- A complaint the city answers shows as answered, with the answer, at the kiosk after a sync.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kiosk.complaints.categories import DEFAULT_CATEGORIES, to_row as category_row
from kiosk.letters.catalogue import DEFAULT_CATALOGUE, to_row as letter_row
from tests.sync_support import procs

pytestmark = pytest.mark.slow

SKU = {"applicant": {"nik": "6472085508950003", "kk": "6472081203150007", "name": "Budi Santoso",
                     "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
                     "address": "Jl. Pahlawan 3", "rt_rw": "3/5", "religion": "Islam",
                     "marital_status": "kawin", "occupation": "Wiraswasta"},
       "details": {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
                   "business_since": "2019-01-01", "purpose": "Pinjaman bank"}}


def run(data_dir: Path, *args: str, check: bool = True) -> tuple[int, object, str]:
    res = subprocess.run([*procs.KIOSK, "--data-dir", str(data_dir), *args],
                         capture_output=True, text=True, env=procs.env(), timeout=120)
    if check and res.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} -> {res.returncode}\n{res.stderr}")
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
            pytest.skip("no PostgreSQL reachable at 127.0.0.1:5432 (database 'test', user "
                        "postgres or root, trust auth)")
        schema = procs.pg_schema(base)
        url = schema.__enter__()
    else:
        schema, url = None, f"sqlite:///{tmp_path}/server.db"
    srv = procs.ServerProcess(url, tmp_path / "server").start()
    try:
        srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                             "timezone": "WITA"})
        srv.admin("PUT", "/admin/reference", {"office_code": None, "changes": [
            *({"table": "letter_types", "record_id": row["id"], "payload": row}
              for row in (letter_row(lt, sort_order=i) for i, lt in enumerate(DEFAULT_CATALOGUE))),
            *({"table": "complaint_categories", "record_id": row["id"], "payload": row}
              for row in (category_row(c, sort_order=i)
                          for i, c in enumerate(DEFAULT_CATEGORIES)))]})
        yield srv
    finally:
        srv.stop()
        if schema is not None:
            schema.__exit__(None, None, None)


def test_offline_request_and_complaint_reach_the_city_once_and_the_answer_comes_back(
        server, tmp_path):
    srv = server
    k = tmp_path / "kiosk"
    run(k, "init", "--office-code", "KLR1")
    run(k, "enroll", "--server", srv.url, "--token", srv.enroll_token("KLR1"), check=False)
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]
    # the catalogue came down from the city
    _, types, _ = run(k, "request", "types")
    assert [t["code"] for t in types["types"]] == [lt.code for lt in DEFAULT_CATALOGUE]

    srv.stop()   # the link is down: the office goes on
    (tmp_path / "sku.json").write_text(json.dumps(SKU))
    _, submitted, _ = run(k, "request", "submit", "SKU", "--json", str(tmp_path / "sku.json"))
    code = submitted["code"]
    (tmp_path / "c.json").write_text(json.dumps({
        "category": "jalan", "description": "Jalan berlubang di depan SD 12",
        "location": "RT 3/RW 5", "contact": "0812 3456 7890"}))
    _, complaint, _ = run(k, "complaint", "submit", "--json", str(tmp_path / "c.json"))
    offline = procs.kiosk(k, "sync", "--once", "--server", srv.url, "--timeout", "1",
                          check=False)
    assert offline["_returncode"] == 1 and offline["pending"] > 0

    srv.start()  # the link returns
    for _ in range(2):   # a second round must not double anything
        assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["pending"] == 0
    requests = srv.admin("GET", "/admin/records/requests?office_code=KLR1")
    assert [(r["code"], r["status"], r["type_code"]) for r in requests] == [(code, "submitted", "SKU")]
    events = srv.admin("GET", "/admin/records/request_events?office_code=KLR1")
    assert [(e["code"], e["to_status"]) for e in events] == [(code, "submitted")]
    complaints = srv.admin("GET", "/admin/records/complaints")
    assert [(c["code"], c["office_code"]) for c in complaints] == [(complaint["code"], "KLR1")]
    stats = srv.admin("GET", "/admin/stats")
    office = stats["offices"]["KLR1"]
    assert (office["requests"], office["complaints"]) == (1, 1)
    assert office["tables"]["requests"]["changes"] == 1   # exactly once
    assert stats["duplicate_record_ids"] == 0

    # the city answers the complaint; the kiosk shows it after its next sync
    _, before, _ = run(k, "complaint", "status", complaint["code"])
    assert before["status"] == "received" and before["answer"] is None
    srv.admin("POST", f"/admin/complaints/{complaint['code']}/status", {"status": "forwarded"})
    srv.admin("POST", f"/admin/complaints/{complaint['code'].lower()}/status",
              {"status": "answered", "answer": "Jalan diperbaiki pekan depan.",
               "staff": "Dinas PU"})
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]
    _, after, _ = run(k, "complaint", "status", complaint["code"])
    assert (after["status"], after["answer"]) == ("answered", "Jalan diperbaiki pekan depan.")
    assert after["next_step"] == {"code": "complaint_answered", "fields": {"has_answer": True}}
    # the admin command says the same through the database
    rc, listed, err = run(tmp_path / "admin", "server", "complaint", "list", "--db", srv.db_url)
    assert rc == 0, err
    assert [(c["code"], c["city_status"], c["city_answer"]) for c in listed] == [
        (complaint["code"], "answered", "Jalan diperbaiki pekan depan.")]
    rc, closed, err = run(tmp_path / "admin", "server", "complaint", "close", complaint["code"],
                          "--note", "Selesai", "--db", srv.db_url)
    assert rc == 0, err
    assert (closed["status"], closed["answer"]) == ("closed", "Jalan diperbaiki pekan depan.")
    # the close flows down too, and the citizen still has the answer
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]
    _, after, _ = run(k, "complaint", "status", complaint["code"])
    assert (after["status"], after["answer"]) == ("closed", "Jalan diperbaiki pekan depan.")
    assert after["next_step"]["code"] == "complaint_closed"
    rc, _, err = run(tmp_path / "admin", "server", "complaint", "close", complaint["code"],
                     "--db", srv.db_url, check=False)
    assert rc == 2 and "closed" in err and "\n" not in err.strip()
    rc, _, err = run(tmp_path / "admin", "server", "complaint", "answer", complaint["code"],
                     "--status", "forwarded", "--db", srv.db_url, check=False)
    assert rc == 2 and "closed" in err and "\n" not in err.strip()
