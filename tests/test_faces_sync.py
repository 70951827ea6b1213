"""Faces end to end with real processes (docs/FACES.md): the city server under uvicorn
(SQLite and the real PostgreSQL), the kiosk's own sync client (``kiosk sync --once``), real
HTTP on loopback; the enrolment made on the edge's real SQLite file.

The city's face key and ``attendance.face_sync = encrypted`` come down with the roster; an
enrolment reaches the city once, sealed, and opens only with the city's private key; no raw
embedding is in any pushed payload; deleting the face on the edge, or the employee at the
city, deletes the face on both sides.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.attendance import delete_face, enroll_face, face_roster, face_seal, faces
from kiosk.runtime import open_runtime
from tests.sync_support import procs
from tests.test_faces import OTHER, captures

pytestmark = pytest.mark.slow


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
            for emp, name in (("emp-1001", "Andi Pratama"), ("emp-2002", "Rina Wulandari"))
        ] + [{"table": "settings", "record_id": "attendance.face_sync",
              "payload": {"key": "attendance.face_sync", "value": "encrypted"}}]})
        yield srv
    finally:
        srv.stop()
        if schema is not None:
            schema.__exit__(None, None, None)


def query(db_url: str, sql: str) -> list[tuple]:
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split("sqlite:///", 1)[1])
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(db_url) as conn:
        return conn.execute(sql).fetchall()


def payload_of(value) -> dict:
    return value if isinstance(value, dict) else json.loads(value)


def sealed_at_city(srv) -> list[dict]:
    return [payload_of(p) for (p,) in query(
        srv.db_url, "SELECT payload FROM changes WHERE table_name = 'face_sealed'"
                    " ORDER BY device_seq")]


def all_pushed_text(srv) -> str:
    cast = "payload" if srv.db_url.startswith("sqlite") else "payload::text"
    return "\n".join(r[0] for r in query(srv.db_url, f"SELECT {cast} FROM changes"))


def city_private(srv) -> X25519PrivateKey:
    [(text,)] = query(srv.db_url, "SELECT value FROM server_meta WHERE key = 'face_key'")
    return face_seal.private_from_text(text)


def sync(k, srv) -> dict:
    return procs.kiosk(k, "sync", "--once", "--server", srv.url)


def test_a_face_reaches_the_city_sealed_once_and_is_erased_everywhere(server, tmp_path):
    srv = server
    res = subprocess.run([*procs.KIOSK, "--data-dir", str(tmp_path / "admin"), "server",
                          "face-key", "--db", srv.db_url], capture_output=True, text=True,
                         env=procs.env(), timeout=120)
    assert res.returncode == 0, res.stderr
    key = json.loads(res.stdout)
    k = tmp_path / "kiosk"
    procs.kiosk(k, "init", "--office-code", "KLR1")
    procs.kiosk(k, "enroll", "--server", srv.url, "--token", srv.enroll_token("KLR1"))
    assert sync(k, srv)["ok"]

    andi, rina = captures(), captures(OTHER, 4)
    rt = open_runtime(k)
    try:
        assert rt.db["settings"].get("face_key")["value"] == key["face_key"]
        assert enroll_face(rt, "emp-1001", andi, "Budi Santoso")["sealed"] is True
        assert enroll_face(rt, "emp-2002", rina, "Budi Santoso")["sealed"] is True
    finally:
        rt.close()
    for _ in range(2):                               # a second round doubles nothing
        assert sync(k, srv)["pending"] == 0

    sealed = sealed_at_city(srv)
    assert [(p["employee_id"], p["captures"]) for p in sealed] == \
        [("emp-1001", 3), ("emp-2002", 4)]
    assert face_seal.open_sealed(city_private(srv), "emp-1001", sealed[0]["sealed"]) == andi
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(X25519PrivateKey.generate(), "emp-1001", sealed[0]["sealed"])
    # No float of any capture appears in anything the city stored (any spelling of it).
    text = all_pushed_text(srv)
    for number in (*andi[0][:16], *rina[0][:16]):
        assert repr(number)[:9] not in text
    consents = query(srv.db_url, "SELECT count(*) FROM changes WHERE table_name = 'face_consents'")
    assert consents == [(2,)]

    # Andi's face deleted on the edge: gone here at once and at the city after the push.
    rt = open_runtime(k)
    try:
        delete_face(rt, "emp-1001")
        assert faces.enrolled(rt.db, "emp-1001") is None
    finally:
        rt.close()
    assert sync(k, srv)["pending"] == 0
    assert [p["employee_id"] for p in sealed_at_city(srv)] == ["emp-2002"]

    # The city deactivates Rina: its sealed rows go at once, the edge's after the pull.
    srv.admin("PUT", "/admin/reference", {"office_code": "KLR1", "changes": [
        {"table": "employees", "record_id": "emp-2002",
         "payload": {"id": "emp-2002", "name": "Rina Wulandari", "active": 0}}]})
    assert sealed_at_city(srv) == []
    assert sync(k, srv)["ok"]
    rt = open_runtime(k)
    try:
        assert faces.enrolled(rt.db, "emp-2002") is None
        assert not any(r["enrolled"] for r in face_roster(rt))
        left = rt.db.execute("SELECT count(*) FROM outbox WHERE table_name = 'face_sealed'")
        assert left.fetchone()[0] == 0
    finally:
        rt.close()
