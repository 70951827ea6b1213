"""Faces at the city server (sync/server/faces.py), on SQLite and the real PostgreSQL: the
city's face key is made once, kept, and sent to the offices; a sealed enrolment is stored and
opens only with the city's key; a pushed erasure, the city deleting or deactivating an
employee, and a sealed row pushed after that, all hard-delete the sealed rows, in the
transaction of the write that asks for it."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient

from kiosk.attendance import face_seal
from kiosk.clock import FakeClock
from server_support import (  # noqa: F401 (db_url is a fixture)
    ADMIN, add_office, admin_headers, db_url, enrolled_device,
)
from sync.server import create_app, faces
from sync.server.engines import open_store
from tests.sync_support import procs
from tests.test_faces import ANDI, OTHER, captures


@pytest.fixture
def client(db_url):
    clock = FakeClock(wall_ms=time.time_ns() // 1_000_000)
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        add_office(c, "K1")
        add_office(c, "K2", "Kelurahan Dua", "WIB")
        c.db_url = db_url
        yield c


def put_roster(client, *changes: dict) -> None:
    r = client.put("/admin/reference", headers=admin_headers(),
                   json={"office_code": "K1", "changes": list(changes)})
    assert r.status_code == 200, r.text


def employee(emp: str, active: int = 1) -> dict:
    return {"table": "employees", "record_id": emp,
            "payload": {"id": emp, "name": emp, "active": active}}


def city_public(client) -> bytes:
    store = open_store(client.db_url)
    try:
        return face_seal.public_bytes(faces.private_key(store))
    finally:
        store.close()


def sealed_item(device, emp: str, embeddings, public: bytes) -> dict:
    record = f"enrol-{device.seq + 1}"
    return device.item("face_sealed", {
        "id": record, "employee_id": emp, "captures": len(embeddings), "key_id": "k",
        "enrolled_ms": 1, "device_id": device.id,
        "sealed": face_seal.seal(public, emp, embeddings)}, record_id=record, schema_version=12)


def erasure_item(device, emp: str) -> dict:
    return device.item("face_erasures", {"id": f"erase-{device.seq + 1}", "employee_id": emp,
                                         "reason": "deleted", "erased_ms": 2,
                                         "device_id": device.id}, schema_version=12)


def stored(client, table: str = "face_sealed") -> list[tuple[str, dict]]:
    sql = (f"SELECT device_seq, payload FROM changes WHERE table_name = '{table}'"
           " ORDER BY device_id, device_seq")
    if client.db_url.startswith("sqlite"):
        conn = sqlite3.connect(client.db_url.split("sqlite:///", 1)[1])
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(client.db_url) as conn:
            rows = conn.execute(sql).fetchall()
    return [(seq, p if isinstance(p, dict) else json.loads(p)) for seq, p in rows]


def push_ok(device, items) -> list[str]:
    r = device.push(items)
    assert r.status_code == 200, r.text
    return [a["status"] for a in r.json()["results"]]


def test_the_face_key_is_made_once_kept_and_sent_to_every_office(client):
    store = open_store(client.db_url)
    try:
        first = faces.publish_key(store, 1)
        assert first["published_now"] and len(base64.b64decode(first["face_key"])) == 32
        assert faces.publish_key(store, 2)["published_now"] is False
    finally:
        store.close()
    store = open_store(client.db_url)
    try:
        assert faces.public_info(store)["face_key"] == first["face_key"]
    finally:
        store.close()
    for office in ("K1", "K2"):
        changes, _ = enrolled_device(client, office).pull_all(at_least=1)
        sent = {c["record_id"]: c["payload"]["value"] for c in changes
                if c["table"] == "settings"}
        assert sent["face_key"] == first["face_key"]


def test_a_sealed_enrolment_is_stored_once_and_opens_only_with_the_citys_key(client):
    put_roster(client, employee("emp-1001"))
    device = enrolled_device(client)
    embeddings = captures()
    item = sealed_item(device, "emp-1001", embeddings, city_public(client))
    assert push_ok(device, [item]) == ["accepted"]
    assert push_ok(device, [item]) == ["duplicate"]
    [(_, payload)] = stored(client)
    store = open_store(client.db_url)
    try:
        assert faces.open_payload(store, payload) == embeddings
    finally:
        store.close()
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(X25519PrivateKey.generate(), "emp-1001", payload["sealed"])


def test_a_pushed_erasure_deletes_the_sealed_rows_but_not_a_later_enrolment(client):
    put_roster(client, employee("emp-1001"), employee("emp-2002"))
    device, other = enrolled_device(client), enrolled_device(client, "K2")
    public = city_public(client)
    push_ok(device, [sealed_item(device, "emp-1001", captures(), public),
                     sealed_item(device, "emp-2002", captures(OTHER), public)])
    push_ok(other, [sealed_item(other, "emp-1001", captures(), public)])   # K2's copy
    later = sealed_item(device, "emp-1001", captures(ANDI, 4), public)
    erasure = erasure_item(device, "emp-1001")
    erasure["device_seq"], later["device_seq"] = later["device_seq"], erasure["device_seq"]
    assert push_ok(device, [erasure, later]) == ["accepted", "accepted"]
    left = {(p["employee_id"], p["captures"], p["device_id"]) for _, p in stored(client)}
    assert left == {("emp-2002", 3, device.id), ("emp-1001", 4, device.id),
                    ("emp-1001", 3, other.id)}                # another office's is its own
    [(_, proof)] = stored(client, "face_erasures")
    assert proof["employee_id"] == "emp-1001"


def test_the_city_dropping_an_employee_erases_the_sealed_rows(client):
    put_roster(client, employee("emp-1001"), employee("emp-2002"), employee("emp-3003"))
    device = enrolled_device(client)
    public = city_public(client)
    push_ok(device, [sealed_item(device, e, captures(), public)
                     for e in ("emp-1001", "emp-2002", "emp-3003")])
    put_roster(client, employee("emp-1001", active=0))
    put_roster(client, {"table": "employees", "record_id": "emp-2002", "op": "delete"})
    assert {p["employee_id"] for _, p in stored(client)} == {"emp-3003"}
    # an office that was offline pushes an enrolment of the deactivated employee: dropped
    assert push_ok(device, [sealed_item(device, "emp-1001", captures(), public)]) == \
        ["accepted"]
    assert {p["employee_id"] for _, p in stored(client)} == {"emp-3003"}


def test_kiosk_server_face_key_prints_the_public_key(tmp_path):
    url = f"sqlite:///{tmp_path}/server.db"
    out = []
    for _ in range(2):
        res = subprocess.run([*procs.KIOSK, "--data-dir", str(tmp_path), "server", "face-key",
                              "--db", url], capture_output=True, text=True, env=procs.env(),
                             timeout=120)
        assert res.returncode == 0, res.stderr
        out.append(json.loads(res.stdout))
    assert out[0]["face_key"] == out[1]["face_key"]
    assert (out[0]["published_now"], out[1]["published_now"]) == (True, False)
    assert len(base64.b64decode(out[0]["face_key"])) == 32
    conn = sqlite3.connect(tmp_path / "server.db")
    private = conn.execute("SELECT value FROM server_meta WHERE key = 'face_key'").fetchone()[0]
    conn.close()
    assert face_seal.public_bytes(face_seal.private_from_text(private)) == \
        base64.b64decode(out[0]["face_key"])
