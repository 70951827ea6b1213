"""The city server's endpoints, on SQLite and on the real PostgreSQL (each test a fresh db)."""

from __future__ import annotations

import gzip
import os
import json
import time
import warnings

import pytest
import zstandard

from kiosk.clock import FakeClock
from server_support import (
    ADMIN, Device, add_office, admin_headers, db_url, enroll_token, enrolled_device, stats,
)
from sync import protocol
from sync.server import create_app
from sync.server.app import Limits

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


def stored_changes(client) -> int:
    return stats(client)["changes"]


def test_every_kiosk_owned_table_is_stored_by_the_server():
    """A table declared with outbox.syncable() in kiosk/ must be in protocol.PUSH_TABLES, or
    the server would reject its records as an unknown table."""
    import importlib
    import pkgutil

    import kiosk
    from kiosk import outbox

    for module in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        if not module.name.startswith("kiosk.cli"):
            importlib.import_module(module.name)
    declared = {t for t in outbox.SYNCABLE_TABLES if not t.startswith(("test_", "sync_test_"))}
    assert declared, "no syncable table found: did kiosk/ stop declaring them?"
    assert declared <= protocol.PUSH_TABLES, (
        f"add {sorted(declared - protocol.PUSH_TABLES)} to sync.protocol.PUSH_TABLES")


# -- meta ------------------------------------------------------------------------------------
def test_meta_reports_versions_time_epoch(client, clock):
    r = client.get("/sync/meta")
    assert r.status_code == 200
    meta = r.json()
    assert meta["protocol_versions"] == [1]
    assert meta["server_time_ms"] == clock.wall_ms
    assert len(meta["epoch"]) == 36
    assert meta["schema_version"] >= 1


def test_outdated_protocol_gets_426(client):
    r = client.post("/enroll", json={"token": "x", "device_id": "d", "public_key": "x"},
                    headers={"X-Kiosk-Protocol": "0"})
    assert r.status_code == 426
    assert "upgrade the kiosk" in r.json()["detail"]


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "PushRequest" in spec["components"]["schemas"]
    assert "/sync/push" in spec["paths"] and "/admin/reference" in spec["paths"]


# -- enrollment and auth -------------------------------------------------------------------------
def test_enroll_is_single_use_and_idempotent_for_the_same_device(client):
    token = enroll_token(client)
    first = Device(client)
    r = first.enroll(token)
    assert r.status_code == 200
    assert r.json()["office_code"] == "K1" and r.json()["expires_in"] == 15 * 60
    # The same kiosk retrying after a lost answer gets its enrollment again ...
    assert first.enroll(token).status_code == 200
    # ... anyone else with the used token gets 401.
    r = Device(client).enroll(token)
    assert r.status_code == 401 and "already used" in r.json()["detail"]
    assert Device(client).enroll("NOT-A-TOKEN").status_code == 401
    assert len(client.get("/admin/devices", headers=admin_headers()).json()) == 1


def test_enroll_token_expires_by_server_clock(client, clock):
    token = enroll_token(client)
    clock.advance(protocol.ENROLL_TOKEN_TTL_S + 1)
    r = Device(client).enroll(token)
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert client.get("/admin/devices", headers=admin_headers()).json() == []


def test_enroll_rejects_a_bad_public_key(client):
    r = client.post("/enroll", json={"token": enroll_token(client), "device_id": "d1",
                                     "public_key": "AAAA"})
    assert r.status_code == 400 and "32 raw" in r.json()["detail"]


def test_challenge_token_and_expiry(client, clock):
    device = enrolled_device(client)
    clock.advance(protocol.ACCESS_TOKEN_TTL_S + 1)
    r = device.push([device.item()])
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert device.renew().status_code == 200
    assert device.push([device.item()]).status_code == 200


def test_nonce_is_single_use_and_signature_must_match(client):
    device = enrolled_device(client)
    nonce = client.post("/auth/challenge", json={"device_id": device.id}).json()["nonce"]
    other = Device(client)
    import base64
    bad = base64.b64encode(other.key.sign(nonce.encode())).decode()
    r = client.post("/auth/token", json={"device_id": device.id, "nonce": nonce, "signature": bad})
    assert r.status_code == 401
    good = base64.b64encode(device.key.sign(nonce.encode())).decode()
    body = {"device_id": device.id, "nonce": nonce, "signature": good}
    assert client.post("/auth/token", json=body).status_code == 200
    assert client.post("/auth/token", json=body).status_code == 401  # used


def test_revoked_device_gets_401_everywhere(client):
    device = enrolled_device(client)
    r = client.post(f"/admin/devices/{device.id}/revoke", headers=admin_headers())
    assert r.status_code == 200
    r = device.push([device.item()])
    assert r.status_code == 401 and r.json()["detail"] == "device revoked"
    assert device.pull().status_code == 401
    assert device.renew().status_code == 401
    assert stored_changes(client) == 0


def test_admin_endpoints_need_the_admin_token(client):
    assert client.get("/admin/stats").status_code == 401
    assert client.get("/admin/stats", headers=admin_headers("wrong")).status_code == 401
    device = enrolled_device(client)
    assert client.get("/admin/stats", headers={"Authorization": f"Bearer {device.token}"}
                      ).status_code == 401


def test_office_code_is_unique(client):
    r = client.post("/admin/offices", json={"code": "K1", "name": "again"},
                    headers=admin_headers())
    assert r.status_code == 409


@pytest.mark.parametrize("body", [{"code": "", "name": "x"}, {"code": "K9", "name": " "},
                                  {"code": "K9", "name": "x", "timezone": "Mars/Olympus"}])
def test_bad_office_is_400_and_not_added(client, body):
    assert client.post("/admin/offices", json=body, headers=admin_headers()).status_code == 400
    codes = {o["code"] for o in client.get("/admin/offices", headers=admin_headers()).json()}
    assert codes == {"K1", "K2"}


def test_enroll_token_lifetime_is_bounded(client):
    for ttl in (0, -5, 10**9):
        r = client.post("/admin/enroll-tokens", json={"office_code": "K1", "ttl_s": ttl},
                        headers=admin_headers())
        assert r.status_code == 400
    r = client.post("/admin/enroll-tokens", json={"office_code": "NOPE"}, headers=admin_headers())
    assert r.status_code == 404


# -- push ----------------------------------------------------------------------------------------
def test_push_answers_per_item_and_a_replay_gets_the_same_answers(client):
    device = enrolled_device(client)
    items = [device.item() for _ in range(3)]
    items.append(device.item(table="services"))            # server-owned
    items.append(device.item(table="no_such_table"))       # unknown
    items.append(device.item(schema_version=10_000))       # too new to read
    r = device.push(items)
    assert r.status_code == 200
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses == ["accepted"] * 3 + ["rejected"] * 3
    assert [x["device_seq"] for x in r.json()["results"]] == [i["device_seq"] for i in items]
    reasons = [x["reason"] for x in r.json()["results"][3:]]
    assert "server owns it" in reasons[0] and "does not store it" in reasons[1]
    assert "schema_version 10000" in reasons[2]
    assert r.json()["epoch"] == client.get("/sync/meta").json()["epoch"]

    replay = device.push(items).json()["results"]
    assert [x["status"] for x in replay] == ["duplicate"] * 3 + ["rejected"] * 3
    assert stored_changes(client) == 3


def test_overlapping_and_out_of_order_batches(client):
    device = enrolled_device(client)
    items = [device.item() for _ in range(6)]
    assert device.push(items[4:5]).status_code == 200                       # seq 5 first
    r = device.push(items[:3]).json()["results"]                            # then 1..3
    assert [x["status"] for x in r] == ["accepted"] * 3
    r = device.push(items[1:]).json()["results"]                            # 2..6
    assert [x["status"] for x in r] == ["duplicate", "duplicate", "accepted", "duplicate",
                                        "accepted"]
    assert stored_changes(client) == 6


def test_the_payload_is_kept_as_sent_and_compared_as_json():
    from sync.server.rules import Device as StoreDevice
    from sync.server.rules import PushPolicy, prepare_push, same_content
    from sync.server.wire import decode_batch

    body = (b'{"device_id": "d", "items": [{"change_id": "c", "table": "tickets", "record_id": "r",'
            b' "op": "upsert", "payload": {"b": 1, "a": [1, {"y": 2}]}, "device_id": "d",'
            b' "device_seq": 1, "schema_version": 1, "wall_ms": 5, "mono_ns": 6, "boot_id": "b"}]}')
    row, = prepare_push(decode_batch(body), StoreDevice("d", "o", "K", "", False),
                        PushPolicy()).rows
    assert row.payload == '{"b": 1, "a": [1, {"y": 2}]}'     # kept as sent
    stored = ("c", "tickets", "r", "upsert", '{"a":[1,{"y":2}],"b":1}', 1, 5, 6, "b")
    assert same_content(row, stored)                          # key order and spacing aside
    assert not same_content(row, stored[:4] + ('{"a":[1,{"y":3}],"b":1}',) + stored[5:])
    assert not same_content(row, stored[:5] + (1, 5, 7, "b"))  # another mono_ns


def test_a_payload_must_be_an_object(client):
    device = enrolled_device(client)
    for payload in ([1, 2], "row", 7, None):
        r = device.push([device.item(payload=None) | {"payload": payload}])
        assert r.status_code == 400, (payload, r.text)
    assert stored_changes(client) == 0


def test_an_office_id_hidden_by_escapes_is_still_checked(client):
    device = enrolled_device(client)
    other = next(o["id"] for o in client.get("/admin/offices", headers=admin_headers()).json()
                 if o["code"] == "K2")
    body = ('{"device_id": "%s", "items": [{"change_id": "c", "table": "tickets",'
            ' "record_id": "r", "op": "upsert", "payload": {"office\\u005fid": "%s"},'
            ' "device_id": "%s", "device_seq": 1, "schema_version": 1, "wall_ms": 5,'
            ' "mono_ns": 6, "boot_id": "b"}]}' % (device.id, other, device.id))
    r = client.post("/sync/push", content=body.encode(),
                    headers={**device.headers, "Content-Type": "application/json"})
    assert r.status_code == 403, r.text
    own = body.replace(other, device.office_id)
    r = client.post("/sync/push", content=own.encode(),
                    headers={**device.headers, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"


def test_same_seq_with_different_content_is_rejected_and_original_kept(client):
    device = enrolled_device(client)
    item = device.item()
    assert device.push([item]).json()["results"][0]["status"] == "accepted"
    changed = {**item, "payload": {**item["payload"], "n": 999}}
    result = device.push([changed]).json()["results"][0]
    assert result["status"] == "rejected" and "different content" in result["reason"]
    # Key order and whitespace are not content.
    reordered = {**item, "payload": dict(reversed(list(item["payload"].items())))}
    assert device.push([reordered]).json()["results"][0]["status"] == "duplicate"
    assert stats(client)["offices"]["K1"]["tables"]["print_jobs"] == {
        "changes": 1, "records": 1, "time_uncertain": 1}


@pytest.mark.parametrize("encoding", ["zstd", "gzip"])
def test_compressed_pushes(client, encoding):
    device = enrolled_device(client)
    r = device.push([device.item() for _ in range(50)], encoding=encoding)
    assert r.status_code == 200, r.text
    assert {x["status"] for x in r.json()["results"]} == {"accepted"}
    assert stored_changes(client) == 50


def test_answers_are_compressed_when_the_client_accepts_it(client):
    device = enrolled_device(client)
    r = device.push([device.item() for _ in range(100)])             # httpx accepts zstd
    assert r.headers["content-encoding"] == "zstd"
    assert len(r.content) > 2000 and r.num_bytes_downloaded < len(r.content) / 4
    assert r.json()["results"][0] == {"device_seq": 1, "status": "accepted"}   # no reason
    r = device.push([device.item() for _ in range(100)], headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    r = device.push([device.item() for _ in range(100)],
                    headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and len(r.json()["results"]) == 100


def test_corrected_time_from_the_boots_clock_sample(client, db_url, clock):
    device = enrolled_device(client)
    sample = {"boot_id": "boot-1", "mono_ns": 5_000_000_000_000, "wall_ms": 0,
              "server_ms": clock.wall_ms - 60_000, "rtt_ms": 12.0}
    measured = device.item(mono_ns=5_000_000_000_000 - 30_000_000_000)  # 30 s before sample
    unmeasured = device.item(boot_id="boot-0")                         # an earlier boot
    doubted = device.item(time_uncertain=True)                         # kiosk's own doubt
    r = device.push([measured, unmeasured, doubted], clock=sample)
    assert [x["status"] for x in r.json()["results"]] == ["accepted"] * 3
    rows = {seq: (corrected, bool(uncertain)) for seq, corrected, uncertain in _query(
        db_url, "SELECT device_seq, corrected_ms, time_uncertain FROM changes")}
    assert rows[measured["device_seq"]] == (clock.wall_ms - 90_000, False)
    assert rows[unmeasured["device_seq"]] == (unmeasured["wall_ms"], True)
    assert rows[doubted["device_seq"]][1] is True
    # A later push without a sample still uses the stored one of that boot.
    later = device.item(mono_ns=5_000_000_000_000 + 1_000_000_000)
    device.push([later])
    rows = dict((s, c) for s, c in _query(db_url, "SELECT device_seq, corrected_ms FROM changes"))
    assert rows[later["device_seq"]] == clock.wall_ms - 59_000


def test_a_clock_sample_from_the_future_is_ignored(client, db_url, clock):
    device = enrolled_device(client)
    sample = {"boot_id": "boot-1", "mono_ns": 0, "wall_ms": 0,
              "server_ms": clock.wall_ms + 3_600_000, "rtt_ms": 1.0}
    item = device.item()
    device.push([item], clock=sample)
    (corrected, uncertain), = _query(db_url, "SELECT corrected_ms, time_uncertain FROM changes")
    assert corrected == item["wall_ms"] and uncertain


def _query(db_url: str, sql: str) -> list[tuple]:
    if db_url.startswith("sqlite"):
        import sqlite3

        from sync.server.engines import sqlite_path
        with sqlite3.connect(sqlite_path(db_url)) as conn:
            return conn.execute(sql).fetchall()
    import psycopg
    with psycopg.connect(db_url) as conn:
        return conn.execute(sql).fetchall()


# -- bad input changes nothing ------------------------------------------------------------
def _bad_pushes(client, device: Device) -> list[tuple[int, object]]:
    item = device.item()
    other_office = client.get("/admin/offices", headers=admin_headers()).json()
    k2 = next(o["id"] for o in other_office if o["code"] == "K2")
    headers = {**device.headers, "Content-Type": "application/json"}
    big_pad = "x" * 300_000
    return [
        (401, client.post("/sync/push", json={"device_id": device.id, "items": [item]})),
        (401, client.post("/sync/push", json={"device_id": device.id, "items": [item]},
                          headers={"Authorization": "Bearer kat1.forged.token"})),
        (400, client.post("/sync/push", content=b"{not json", headers=headers)),
        (400, client.post("/sync/push", content=b"\x28\xb5\x2f\xfdgarbage",
                          headers={**headers, "Content-Encoding": "zstd"})),
        (400, client.post("/sync/push", content=b"garbage-not-zstd",
                          headers={**headers, "Content-Encoding": "zstd"})),
        (400, client.post("/sync/push", content=b"\x1f\x8bgarbage",
                          headers={**headers, "Content-Encoding": "gzip"})),
        (400, client.post("/sync/push", content=gzip.compress(b'{"device_id": 1}')[:-9],
                          headers={**headers, "Content-Encoding": "gzip"})),
        (415, client.post("/sync/push", content=b"{}", headers={**headers,
                                                                   "Content-Encoding": "br"})),
        (400, device.push([], body={"device_id": device.id, "items": [{**item,
                                                                      "device_seq": "x"}]})),
        (400, device.push([], body={"device_id": device.id, "items": [{"table": "t"}]})),
        (400, device.push([{**item, "device_id": "someone-else"}])),
        (400, device.push([], body={"device_id": "someone-else",
                                    "items": [{**item, "device_id": "someone-else"}]})),
        (400, device.push([item, item])),
        (403, device.push([device.item(payload={"id": "r", "office_id": k2}), item])),
        (403, device.push([device.item() for _ in range(400)]
                          + [device.item(payload={"id": "late", "office_id": k2})],
                          clock={"boot_id": "boot-1", "mono_ns": 1, "wall_ms": 1,
                                 "server_ms": 1, "rtt_ms": 1.0})),
        (413, device.push([device.item() for _ in range(protocol.MAX_BATCH_ITEMS + 1)])),
        (413, device.push([device.item(payload={"pad": big_pad})])),
        (413, device.push([{**device.item(), "payload": {"pad": "y" * 20_000_000}}],
                          encoding="zstd")),
    ]


def test_bad_pushes_get_4xx_and_change_nothing(client):
    device = enrolled_device(client)
    before = stats(client)
    for expected, response in _bad_pushes(client, device):
        assert response.status_code == expected, (expected, response.status_code, response.text)
        assert "detail" in response.json()
    after = stats(client)
    assert after == before and after["changes"] == 0


def test_compression_bomb_is_refused(client):
    device = enrolled_device(client)
    body = b'{"device_id": "' + b" " * (protocol.MAX_DECOMPRESSED_BYTES + 10) + b'"}'
    cctx = zstandard.ZstdCompressor()
    framed = cctx.compress(body)
    streamed = cctx.compressobj().compress(body) + b""
    obj = cctx.compressobj()
    streamed = obj.compress(body) + obj.flush()  # no content size in the frame header
    assert len(framed) < protocol.MAX_BATCH_BYTES and len(streamed) < protocol.MAX_BATCH_BYTES
    headers = {**device.headers, "Content-Encoding": "zstd"}
    assert client.post("/sync/push", content=framed, headers=headers).status_code == 413
    assert client.post("/sync/push", content=streamed, headers=headers).status_code == 400
    gz = gzip.compress(body)
    assert client.post("/sync/push", content=gz, headers={**device.headers,
                                                          "Content-Encoding": "gzip"}
                       ).status_code == 413
    assert stored_changes(client) == 0


def test_a_second_push_of_a_device_in_flight_gets_409(client):
    device = enrolled_device(client)
    client.app.state.sync.pushing.add(device.id)      # as if its first push were running
    r = device.push([device.item()])
    assert r.status_code == 409 and "one sync session per device" in r.json()["detail"]
    client.app.state.sync.pushing.discard(device.id)
    assert stored_changes(client) == 0
    assert device.push([device.item()]).status_code == 200


def test_pushes_of_one_sync_session_may_overlap_any_other_gets_409(client):
    device = enrolled_device(client)
    state = client.app.state.sync
    state.sessions[device.id] = ["s1", 1]   # as if a push of session s1 were running here
    ok = device.push([device.item()], headers={"X-Sync-Session": "s1"})
    assert ok.status_code == 200 and ok.json()["results"][0]["status"] == "accepted"
    assert state.sessions[device.id] == ["s1", 1]
    for other in ({"X-Sync-Session": "s2"}, {}):
        r = device.push([device.item()], headers=other)
        assert r.status_code == 409 and "one sync session per device" in r.json()["detail"]
    del state.sessions[device.id]
    assert stored_changes(client) == 1
    assert device.push([device.item()], headers={"X-Sync-Session": "s2"}).status_code == 200
    assert state.sessions == {} and state.pushing == set()


@pytest.mark.parametrize("session", [b"", b"x" * 65, "kios-caf\u00e9".encode()])
def test_a_malformed_sync_session_header_is_400_and_changes_nothing(client, session):
    device = enrolled_device(client)
    r = device.push([device.item()], headers={"X-Sync-Session": session})
    assert r.status_code == 400 and "X-Sync-Session" in r.json()["detail"]
    assert stored_changes(client) == 0


def test_overloaded_server_answers_503_with_retry_after(db_url, clock):
    app = create_app(db_url, admin_token=ADMIN, clock=clock, limits=Limits(max_inflight=0))
    with TestClient(app) as c:
        r = c.get("/admin/stats", headers=admin_headers())
        assert r.status_code == 503
        assert int(r.headers["Retry-After"]) >= 1


# -- pull ------------------------------------------------------------------------------------------
def _put(client, office: str | None, changes: list[dict]) -> list[int]:
    r = client.put("/admin/reference", json={"office_code": office, "changes": changes},
                   headers=admin_headers())
    assert r.status_code == 200, r.text
    return r.json()["versions"]


def test_pull_pages_through_the_offices_reference_data(client):
    device = enrolled_device(client, "K1")
    _put(client, "K1", [{"table": "services", "record_id": f"s{i}",
                         "payload": {"id": f"s{i}", "prefix": "A", "name_id": f"Layanan {i}"}}
                        for i in range(7)])
    _put(client, "K2", [{"table": "services", "record_id": "other",
                         "payload": {"id": "other", "prefix": "B", "name_id": "Lain"}}])
    _put(client, None, [{"table": "settings", "record_id": "theme",
                         "payload": {"key": "theme", "value": "dark"}}])
    _put(client, "K1", [{"table": "services", "record_id": "s0", "op": "delete"}])

    device.pull_all(at_least=10)        # every write above is visible (see pull_all)
    pages, cursor = [], "0"
    while True:
        page = device.pull(cursor=cursor, limit=3).json()
        pages.append(page)
        assert len(page["changes"]) <= 3
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    changes = [c for p in pages for c in p["changes"]]
    # The office row first, then its services (with its office_id), the global setting, the delete.
    assert changes[0]["table"] == "offices" and changes[0]["payload"]["code"] == "K1"
    assert [c["record_id"] for c in changes[1:8]] == [f"s{i}" for i in range(7)]
    assert all(c["payload"]["office_id"] == device.office_id for c in changes[1:8])
    assert changes[8]["payload"] == {"key": "theme", "value": "dark"}
    assert changes[9]["op"] == "delete" and changes[9]["record_id"] == "s0"
    assert "other" not in {c["record_id"] for c in changes}
    versions = [c["version"] for c in changes]
    assert versions == sorted(versions)
    # Nothing new: the cursor stays; something new: only it comes.
    again = device.pull(cursor=cursor).json()
    assert again["changes"] == [] and again["next_cursor"] == cursor and not again["has_more"]
    _put(client, "K1", [{"table": "counters", "record_id": "c1",
                         "payload": {"id": "c1", "number": 1}}])
    fresh, _ = device.pull_all(cursor=cursor, at_least=1)
    assert [c["record_id"] for c in fresh] == ["c1"]


def test_pull_requests_scope_and_bad_arguments(client):
    device = enrolled_device(client)
    _put(client, "K1", [{"table": "complaint_status", "record_id": "c1",
                         "payload": {"id": "c1", "status": "forwarded"}}])
    changes, _ = device.pull_all("requests", at_least=1)
    assert [(c["table"], c["payload"]["status"]) for c in changes] == [("complaint_status",
                                                                        "forwarded")]
    assert device.pull("nonsense").status_code == 400
    assert device.pull(cursor="abc").status_code == 400
    assert device.pull(limit=0).status_code == 422
    bad = client.put("/admin/reference", json={"office_code": "K1", "changes": [
        {"table": "tickets", "record_id": "t", "payload": {}}]}, headers=admin_headers())
    assert bad.status_code == 400 and "not server-owned" in bad.json()["detail"]
    missing = client.put("/admin/reference", json={"office_code": "NOPE", "changes": [
        {"table": "services", "record_id": "t", "payload": {}}]}, headers=admin_headers())
    assert missing.status_code == 404


# -- stats and epoch --------------------------------------------------------------------------
def test_stats_counts_per_office_and_table(client):
    d1 = enrolled_device(client, "K1")
    d2 = enrolled_device(client, "K2")
    d1.push([d1.item() for _ in range(4)] + [d1.item(table="tickets")])
    d2.push([d2.item(table="attendance") for _ in range(2)])
    s = stats(client)
    assert s["duplicate_record_ids"] == 0 and s["changes"] == 7
    assert s["offices"]["K1"]["tables"]["print_jobs"]["changes"] == 4
    assert s["offices"]["K1"]["tables"]["tickets"]["records"] == 1
    assert s["offices"]["K2"]["tables"] == {"attendance": {"changes": 2, "records": 2,
                                                          "time_uncertain": 2}}
    assert s["offices"]["K1"]["devices"] == 1


def test_a_new_database_has_a_new_epoch(db_url, tmp_path, clock):
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        first = c.get("/sync/meta").json()["epoch"]
        c.app.state.sync.store.new_epoch()   # what `kiosk server new-epoch` does after a restore
        assert c.get("/sync/meta").json()["epoch"] != first
    with TestClient(create_app(f"sqlite:///{tmp_path}/other.db", clock=clock)) as c:
        assert c.get("/sync/meta").json()["epoch"] != first
    # Reopening the same database keeps its epoch.
    with TestClient(create_app(db_url, clock=clock)) as c:
        e1 = c.get("/sync/meta").json()["epoch"]
    with TestClient(create_app(db_url, clock=clock)) as c:
        assert c.get("/sync/meta").json()["epoch"] == e1


def test_a_server_from_before_the_hash_was_dropped_migrates_and_keeps_its_answers(
        db_url, clock, monkeypatch):
    """A database made by the previous schema (changes with content_hash) is migrated on
    start; a change it stored is still a duplicate when the kiosk sends it again."""
    from sync.server import store_pg, store_sqlite

    module = store_sqlite if db_url.startswith("sqlite") else store_pg
    everything = list(module.MIGRATIONS)
    hash_dropped = next(i for i, sql in enumerate(everything) if "DROP COLUMN content_hash" in sql)
    monkeypatch.setattr(module, "MIGRATIONS", everything[:hash_dropped])
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        add_office(c, "K1")
        device = enrolled_device(c)
    item = device.item()
    _query_commit(db_url, "INSERT INTO changes (device_id, device_seq, office_id, change_id,"
                  " table_name, record_id, op, payload, schema_version, wall_ms, mono_ns,"
                  " boot_id, corrected_ms, time_uncertain, content_hash, received_ms) VALUES"
                  f" ('{device.id}', 1, '{device.office_id}', '{item['change_id']}',"
                  f" 'print_jobs', '{item['record_id']}', 'upsert',"
                  f" '{json.dumps(item['payload'])}', 1, {item['wall_ms']}, {item['mono_ns']},"
                  f" '{item['boot_id']}', 0, false, 'old-hash', 0)")
    monkeypatch.setattr(module, "MIGRATIONS", everything)
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        device.client = c
        assert device.renew().status_code == 200
        r = device.push([item, device.item()]).json()["results"]
        assert [x["status"] for x in r] == ["duplicate", "accepted"]
        changed = dict(item, payload={**item["payload"], "n": 99})
        assert device.push([changed]).json()["results"][0]["status"] == "rejected"
    assert "content_hash" not in [c for (c,) in _query(
        db_url, "SELECT name FROM pragma_table_info('changes')" if db_url.startswith("sqlite")
        else "SELECT column_name FROM information_schema.columns WHERE table_name = 'changes'"
             " AND table_schema = current_schema()")]


def _query_commit(db_url: str, sql: str) -> None:
    if db_url.startswith("sqlite"):
        import sqlite3

        from sync.server.engines import sqlite_path
        with sqlite3.connect(sqlite_path(db_url)) as conn:
            conn.execute(sql)
        return
    import psycopg
    with psycopg.connect(db_url) as conn:
        conn.execute(sql)


# -- hardening (issue 10): bad input gets a 4xx, never a 500 -----------------------------------
NUL = "\x00"


def _raw_push(client, device, body: bytes, headers: dict | None = None):
    return client.post("/sync/push", content=body,
                       headers={**device.headers, "Content-Type": "application/json",
                                **(headers or {})})


@pytest.mark.parametrize("field", ["change_id", "record_id", "boot_id", "payload_value",
                                   "payload_key"])
def test_a_nul_in_a_pushed_item_rejects_that_item_only(client, field):
    device = enrolled_device(client)
    bad = device.item()
    if field == "payload_value":
        bad["payload"] = {"id": bad["record_id"], "name": f"a{NUL}b"}
    elif field == "payload_key":
        bad["payload"] = {"id": bad["record_id"], f"k{NUL}": 1}
    else:
        bad[field] = f"x{NUL}y"
    good = device.item()
    before = stats(client)
    r = device.push([bad, good])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results[0]["status"] == "rejected" and "U+0000" in results[0]["reason"]
    assert results[1]["status"] == "accepted"
    assert stats(client)["changes"] == before["changes"] + 1


def test_an_escaped_backslash_before_u0000_is_plain_text(client):
    device = enrolled_device(client)
    item = device.item(payload={"id": "x", "path": "C:\\u0000"})  # backslash, then "u0000"
    r = device.push([item])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text


def test_a_nul_or_lone_surrogate_in_a_clock_sample_is_400(client):
    device = enrolled_device(client)
    for boot in (f"b{NUL}", "b\ud800"):
        body = json.dumps({"device_id": device.id, "items": [device.item()], "clock": {
            "boot_id": boot, "mono_ns": 1, "wall_ms": 1, "server_ms": 1, "rtt_ms": 1.0}})
        assert _raw_push(client, device, body.encode()).status_code == 400
    assert stored_changes(client) == 0


@pytest.mark.parametrize("text", [f"a{NUL}b", "a\ud800b"], ids=["nul", "surrogate"])
def test_bad_text_on_auth_enroll_and_admin_is_400(client, text):
    device = enrolled_device(client)
    h = {"X-Kiosk-Protocol": "1"}
    before = stats(client)
    calls = [
        ("post", "/auth/challenge", {"device_id": text}, h),
        ("post", "/auth/token", {"device_id": text, "nonce": "n", "signature": "AA=="}, h),
        ("post", "/auth/token", {"device_id": device.id, "nonce": text, "signature": "AA=="}, h),
        ("post", "/enroll", {"token": text, "device_id": "d1", "public_key": device.public_key}, h),
        ("post", "/enroll", {"token": "t", "device_id": text, "public_key": device.public_key}, h),
        ("post", "/admin/offices", {"code": text, "name": "n"}, admin_headers()),
        ("post", "/admin/offices", {"code": "K9", "name": text}, admin_headers()),
        ("post", "/admin/offices", {"code": "K9", "name": "n", "address": text},
         admin_headers()),
        ("post", "/admin/offices", {"code": "K9", "name": "n", "timezone": text},
         admin_headers()),
        ("post", "/admin/enroll-tokens", {"office_code": text}, admin_headers()),
        ("put", "/admin/reference", {"office_code": text, "changes": []}, admin_headers()),
        ("put", "/admin/reference", {"office_code": "K1", "changes": [
            {"table": "services", "record_id": text, "payload": {}}]}, admin_headers()),
        ("put", "/admin/reference", {"office_code": "K1", "changes": [
            {"table": "services", "record_id": "s", "payload": {"name": text}}]},
         admin_headers()),
        ("put", "/admin/reference", {"office_code": "K1", "changes": [
            {"table": "services", "record_id": "s", "payload": {text: 1}}]}, admin_headers()),
    ]
    for method, path, body, headers in calls:
        content = json.dumps(body).encode()
        r = client.request(method, path, content=content,
                           headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 400, (path, body, r.status_code, r.text)
    r = client.post(f"/admin/devices/a{'%00' if text == f'a{NUL}b' else '%ED%A0%80'}b/revoke",
                    headers=admin_headers())
    assert 400 <= r.status_code < 500, r.text
    assert stats(client) == before


def test_deeply_nested_payload_is_rejected_not_500(client):
    device = enrolled_device(client)
    deep = "[" * 5000 + "]" * 5000
    item = device.item()
    body = json.dumps({"device_id": device.id, "items": [item]})
    body = body.replace('"payload": {', '"payload": {"deep": %s, ' % deep)
    r = _raw_push(client, device, body.encode())
    assert 400 <= r.status_code < 500 or r.json()["results"][0]["status"] == "rejected", r.text
    assert stored_changes(client) == 0


def test_a_huge_pull_cursor_is_400(client):
    device = enrolled_device(client)
    for cursor in ("0:99999999999999999999", "99999999999999999999:1", "0:-1", "0:1e5"):
        r = device.pull(cursor=cursor)
        assert r.status_code == 400, (cursor, r.text)


@pytest.mark.parametrize("size", [1, 150], ids=["small", "large"])  # both PostgreSQL paths
def test_a_ticket_naming_another_offices_code_is_403(client, size):
    device = enrolled_device(client)
    for code in ("K2", 7, f"K1{NUL}", "k1"):
        items = [device.item() for _ in range(size - 1)]
        items.append(device.item("tickets", payload={"id": "t1", "office_code": code}))
        r = device.push(items)
        assert r.status_code == 403, (code, r.text)
        assert "office_code" in r.json()["detail"]
    assert stored_changes(client) == 0
    own = device.item("tickets", payload={"id": "t2", "office_code": "K1", "number": 2})
    r = device.push([own])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text


def test_zstd_with_two_frames_or_trailing_bytes_is_400(client):
    device = enrolled_device(client)
    raw = json.dumps({"device_id": device.id, "items": [device.item()]}).encode()
    cctx = zstandard.ZstdCompressor()
    headers = {"Content-Encoding": "zstd"}
    for body in (cctx.compress(raw) + cctx.compress(b" "), cctx.compress(raw) + b"junk",
                 cctx.compress(raw) + b"\x00"):
        r = _raw_push(client, device, body, headers)
        assert r.status_code == 400, r.text
    assert stored_changes(client) == 0
    assert _raw_push(client, device, cctx.compress(raw), headers).status_code == 200


@pytest.mark.parametrize("key", [
    bytes(32),                                                          # all zero
    bytes([1]) + bytes(31),                                             # identity point
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),  # -1
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),  # order 8
], ids=["zero", "identity", "minus-one", "order-8"])
def test_enroll_refuses_a_small_order_public_key(client, key):
    import base64

    token = enroll_token(client)
    r = client.post("/enroll", json={"token": token, "device_id": "d-small",
                                     "public_key": base64.b64encode(key).decode()},
                    headers={"X-Kiosk-Protocol": "1"})
    assert r.status_code == 400, r.text
    assert stats(client)["offices"]["K1"]["devices"] == 0


@pytest.mark.parametrize("code", ["\x07", "K\n1", "\t", "K\x7f", " K1"])
def test_office_codes_of_control_characters_are_refused(client, code):
    r = client.post("/admin/offices", json={"code": code, "name": "n"}, headers=admin_headers())
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("code", ["\x07", "K\n1", "K\x001", "", "K" * 33])
def test_the_store_itself_refuses_bad_office_codes(db_url, code):
    """``kiosk server office add`` calls the store directly: the rule must live there."""
    from sync.server.engines import open_store
    from sync.server.errors import Invalid

    store = open_store(db_url)
    try:
        with pytest.raises(Invalid):
            store.add_office(code, "Kelurahan", "WIB", "", 1)
        assert store.offices() == []
    finally:
        store.close()


# -- the package's shape (issue 11 item 4) -----------------------------------------------------
def test_kiosk_server_office_list_does_not_load_fastapi(tmp_path):
    """A read command of a technician's SSH session stays light: no FastAPI, no psycopg."""
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path}/server.db"
    from sync.server.engines import open_store

    open_store(db).close()          # a read command refuses a database that does not exist
    code = ("import sys; from kiosk.cli import main\n"
            "try:\n"
            f"    main(['server', '--db', {db!r}, 'office', 'list'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "loaded = [m for m in ('fastapi', 'starlette', 'psycopg', 'sync.server.app')"
            " if m in sys.modules]\n"
            "print('LOADED', loaded)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout, out.stdout


def test_there_is_no_import_cycle_in_sync_server():
    import grimp

    graph = grimp.build_graph("sync")
    modules = sorted(m for m in graph.modules if m.startswith("sync.server."))
    assert "sync.server.errors" in modules and "sync.server.engines" in modules
    cycles = [(a, b) for i, a in enumerate(modules) for b in modules[i + 1:]
              if graph.chain_exists(a, b) and graph.chain_exists(b, a)]
    assert cycles == []


def test_only_the_engine_chooser_imports_the_engines():
    import grimp

    graph = grimp.build_graph("sync")
    for engine in ("sync.server.store_sqlite", "sync.server.store_pg"):
        importers = graph.find_modules_that_directly_import(engine)
        assert importers == {"sync.server.engines"}, (engine, importers)
