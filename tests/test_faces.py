"""Faces on the edge (kiosk.attendance.faces, record_scan's face step): enrolment with
consent on a real SQLite file, validation that changes nothing, the match by distance, the
liveness refusal, erasure (locally, in the outbox, and when the roster drops an employee),
the sealed box, the audit snapshots. Embeddings here are made-up unit vectors: the domain
compares lists of floats; the engine's real faces are tested with devices/face."""

from __future__ import annotations

import base64
import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk import outbox
from kiosk.attendance import delete_face, enroll_face, face_roster, faces, record_scan
from kiosk.attendance import face_seal
from kiosk.attendance.operations import ScanResult
from kiosk.attendance.settings import load
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from sync.client.reference import apply_changes
from tests.test_attendance import badge, put_settings, rt  # noqa: F401 (fixture)


def unit(seed: int) -> list[float]:
    rnd = random.Random(seed)
    v = [rnd.gauss(0, 1) for _ in range(128)]
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def near(base: list[float], seed: int, spread: float = 0.025) -> list[float]:
    """The same person again: about 0.3 away (dlib: same person 0.33-0.45)."""
    rnd = random.Random(seed)
    return [x + rnd.gauss(0, spread) for x in base]


ANDI = unit(1)
OTHER = unit(2)          # about 1.4 away: another person


def captures(base=ANDI, n=3) -> list[list[float]]:
    return [near(base, 100 + i) for i in range(n)]


def state(rt) -> tuple:
    """Everything an enrolment may change."""
    db = rt.db
    return (list(db["face_enrolments"].rows), list(db["face_consents"].rows),
            db.execute("SELECT count(*) FROM outbox").fetchone()[0])


def test_distances_of_the_made_up_faces_are_like_dlibs():
    assert 0.2 < faces.distance(ANDI, near(ANDI, 7)) < 0.45
    assert faces.distance(ANDI, OTHER) > 0.69


def test_enrolment_records_consent_and_is_never_pushed_raw(rt):
    answer = enroll_face(rt, "emp-1001", captures(), "Budi Santoso (lurah)")
    assert answer["captures"] == 3 and answer["sealed"] is False
    [row] = face_roster_of(rt, "emp-1001")
    assert row["enrolled"] and row["captures"] == 3
    assert row["consent_by"] == "Budi Santoso (lurah)" and row["consent_ms"] == answer["consent_ms"]
    consent = rt.db["face_consents"].get(answer["consent_id"])
    assert consent["consent_version"] == faces.CONSENT_VERSION
    tables = {c.table for c in outbox.pending(rt.db)}
    assert tables == {"face_consents"}
    assert "face_enrolments" not in outbox.SYNCABLE_TABLES
    # No float of any capture is in any outbox payload.
    text = " ".join(json.dumps(c.payload) for c in outbox.pending(rt.db))
    assert repr(captures()[0][0])[:10] not in text


def face_roster_of(rt, employee_id):
    return [r for r in face_roster(rt) if r["employee_id"] == employee_id]


def test_roster_lists_active_employees_with_their_state(rt):
    roster = face_roster(rt)
    assert {r["employee_id"] for r in roster} >= {"emp-1001", "emp-2002"}
    assert all(not r["enrolled"] and r["captures"] == 0 and r["consent_ms"] is None
               for r in roster)


@pytest.mark.parametrize("embeddings, code", [
    (captures(n=2), "face_captures"),
    (captures(n=21), "face_captures"),
    ("not a list", "face_captures"),
    ([ANDI, ANDI, ANDI[:127]], "face_embedding"),
    ([ANDI, ANDI, [*ANDI[:127], float("nan")]], "face_embedding"),
    ([ANDI, ANDI, [*ANDI[:127], float("inf")]], "face_embedding"),
    ([ANDI, ANDI, [*ANDI[:127], "0.1"]], "face_embedding"),
    ([ANDI, ANDI, [*ANDI[:127], True]], "face_embedding"),
])
def test_bad_captures_are_refused_with_a_code_and_change_nothing(rt, embeddings, code):
    before = state(rt)
    with pytest.raises(ValidationError) as err:
        enroll_face(rt, "emp-1001", embeddings, "Budi")
    assert err.value.code == code
    assert state(rt) == before


def test_consent_by_and_employee_are_checked(rt):
    before = state(rt)
    for by in ("", "   ", "x" * 101, "a\nb"):
        with pytest.raises(ValidationError) as err:
            enroll_face(rt, "emp-1001", captures(), by)
        assert err.value.code == "face_consent_by"
    with pytest.raises(NotFoundError):
        enroll_face(rt, "emp-9999", captures(), "Budi")
    with write_tx(rt.db):
        rt.db.execute("UPDATE employees SET active = 0 WHERE id = 'emp-2002'")
    with pytest.raises(ValidationError) as err:
        enroll_face(rt, "emp-2002", captures(), "Budi")
    assert err.value.code == "face_inactive"
    assert state(rt) == before


def test_face_off_by_default_keeps_the_badge_flow(rt):
    enroll_face(rt, "emp-1001", captures(), "Budi")
    result = record_scan(rt, badge())
    assert (result.result, result.face, result.challenge) == ("accepted", "off", None)
    assert result.event.face == "off" and result.event.face_distance is None


def test_after_badge_asks_for_the_face_then_matches(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    enroll_face(rt, "emp-1001", captures(), "Budi")
    first = record_scan(rt, badge())
    assert first.result == "face_needed" and first.challenge in ("left", "right")
    assert first.employee_id == "emp-1001" and first.event is None
    assert rt.db["attendance"].count == 0
    result = record_scan(rt, badge(), {"embedding": near(ANDI, 55), "liveness": True})
    assert (result.result, result.face) == ("accepted", "matched")
    assert 0 < result.event.face_distance <= 0.55
    [row] = rt.db["attendance"].rows
    assert (row["face"], row["face_distance"]) == ("matched", result.event.face_distance)
    # the wire form keeps the new fields
    assert ScanResult.from_dict(json.loads(json.dumps(result.as_json()))) == result


def test_the_challenge_is_random(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    enroll_face(rt, "emp-1001", captures(), "Budi")
    seen = {record_scan(rt, badge()).challenge for _ in range(40)}
    assert seen == {"left", "right"}


def test_another_face_or_a_failed_liveness_is_refused_and_writes_nothing(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    enroll_face(rt, "emp-1001", captures(), "Budi")
    other = record_scan(rt, badge(), {"embedding": near(OTHER, 3), "liveness": True})
    assert (other.result, other.reason, other.event) == ("refused", "face_mismatch", None)
    still = record_scan(rt, badge(), {"embedding": near(ANDI, 3), "liveness": False})
    assert (still.result, still.reason) == ("refused", "liveness_failed")
    assert rt.db["attendance"].count == 0


def test_the_threshold_is_a_setting(rt):
    put_settings(rt, **{"attendance.face": "after_badge", "attendance.face_threshold": "0.1"})
    enroll_face(rt, "emp-1001", captures(), "Budi")
    result = record_scan(rt, badge(), {"embedding": near(ANDI, 55), "liveness": True})
    assert result.reason == "face_mismatch"


def test_not_enrolled_is_accepted_on_the_badge_alone(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    result = record_scan(rt, badge())
    assert (result.result, result.face) == ("accepted", "not_enrolled")
    assert result.event.face == "not_enrolled"


def test_bad_face_input_is_refused_before_anything(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    enroll_face(rt, "emp-1001", captures(), "Budi")
    for face in ({"embedding": ANDI}, {"embedding": ANDI[:3], "liveness": True},
                 {"embedding": ANDI, "liveness": "yes"}, "face"):
        with pytest.raises(ValidationError):
            record_scan(rt, badge(), face)
    assert rt.db["attendance"].count == 0


def test_bad_settings_fall_back_to_defaults(rt):
    put_settings(rt, **{"attendance.face": "always", "attendance.face_threshold": "x",
                        "attendance.face_sync": "plain", "attendance.face_snapshot_days": "-1"})
    conf = load(rt.db)
    assert (conf.face, conf.face_threshold, conf.face_sync, conf.face_snapshot_days) == \
        ("off", 0.55, "no", 0)


def city_key(rt) -> X25519PrivateKey:
    key = X25519PrivateKey.generate()
    put_settings(rt, **{"attendance.face_sync": "encrypted",
                        "face_key": base64.b64encode(face_seal.public_bytes(key)).decode()})
    return key


def test_encrypted_sync_pushes_one_sealed_box_only_the_city_opens(rt):
    key = city_key(rt)
    enrolled = captures()
    answer = enroll_face(rt, "emp-1001", enrolled, "Budi")
    assert answer["sealed"] is True
    [sealed] = [c for c in outbox.pending(rt.db) if c.table == "face_sealed"]
    assert set(sealed.payload) == {"id", "employee_id", "captures", "key_id", "enrolled_ms",
                                   "device_id", "sealed"}
    assert sealed.payload["captures"] == 3
    assert face_seal.open_sealed(key, "emp-1001", sealed.payload["sealed"]) == enrolled
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(X25519PrivateKey.generate(), "emp-1001", sealed.payload["sealed"])
    with pytest.raises(face_seal.SealError):        # moved to another employee
        face_seal.open_sealed(key, "emp-2002", sealed.payload["sealed"])
    raw = base64.b64decode(sealed.payload["sealed"])
    flipped = base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 1])).decode()
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(key, "emp-1001", flipped)


def test_encrypted_without_a_key_keeps_the_face_on_the_edge(rt):
    put_settings(rt, **{"attendance.face_sync": "encrypted"})
    assert enroll_face(rt, "emp-1001", captures(), "Budi")["sealed"] is False
    put_settings(rt, face_key="not base64!")
    assert enroll_face(rt, "emp-1001", captures(), "Budi")["sealed"] is False
    assert not [c for c in outbox.pending(rt.db) if c.table == "face_sealed"]


def test_delete_face_erases_here_and_tells_the_city(rt):
    city_key(rt)
    answer = enroll_face(rt, "emp-1001", captures(), "Budi")
    gone = delete_face(rt, "emp-1001")
    assert gone["deleted"] is True
    assert rt.db["face_enrolments"].count == 0
    assert not [c for c in outbox.pending(rt.db) if c.table == "face_sealed"]
    [erasure] = [c for c in outbox.pending(rt.db) if c.table == "face_erasures"]
    assert erasure.payload["employee_id"] == "emp-1001" and erasure.payload["reason"] == "deleted"
    consent = rt.db["face_consents"].get(answer["consent_id"])
    assert consent["withdrawn_ms"] == gone["erased_ms"]
    [row] = face_roster_of(rt, "emp-1001")
    assert not row["enrolled"] and row["consent_ms"] is None
    with pytest.raises(NotFoundError):
        delete_face(rt, "emp-1001")


def test_re_enrolment_replaces_and_erases_the_earlier_sealed_copy(rt):
    key = city_key(rt)
    enroll_face(rt, "emp-1001", captures(), "Budi")
    newer = captures(n=5)
    enroll_face(rt, "emp-1001", newer, "Rina")
    assert faces.enrolled(rt.db, "emp-1001") == newer
    pending = [(c.table, c.payload.get("reason")) for c in outbox.pending(rt.db)
               if c.table.startswith("face_")]
    # consent 1; (earlier sealed copy deleted from the outbox); consent 1 withdrawn,
    # erasure "replaced", consent 2, sealed 2
    assert pending == [("face_consents", None), ("face_consents", None),
                       ("face_erasures", "replaced"), ("face_consents", None),
                       ("face_sealed", None)]
    [sealed] = [c for c in outbox.pending(rt.db) if c.table == "face_sealed"]
    assert face_seal.open_sealed(key, "emp-1001", sealed.payload["sealed"]) == newer


@pytest.mark.parametrize("change", [
    {"table": "employees", "record_id": "emp-1001", "op": "delete"},
    {"table": "employees", "record_id": "emp-1001", "op": "upsert",
     "payload": {"id": "emp-1001", "name": "Andi Pratama", "active": 0}},
    {"table": "employees", "record_id": "emp-1001", "op": "upsert",
     "payload": {"id": "emp-1001", "name": "Andi Pratama", "active": False}},
])
def test_the_roster_dropping_an_employee_erases_the_face_in_the_same_transaction(rt, change):
    city_key(rt)
    enroll_face(rt, "emp-1001", captures(), "Budi")
    enroll_face(rt, "emp-2002", captures(OTHER), "Budi")
    with write_tx(rt.db):
        apply_changes(rt.db, [change])
    assert faces.enrolled(rt.db, "emp-1001") is None
    assert faces.enrolled(rt.db, "emp-2002") is not None
    sealed = {c.payload["employee_id"] for c in outbox.pending(rt.db) if c.table == "face_sealed"}
    assert sealed == {"emp-2002"}


def test_a_failed_roster_page_keeps_the_face(rt):
    enroll_face(rt, "emp-1001", captures(), "Budi")
    with pytest.raises(RuntimeError):
        with write_tx(rt.db):
            apply_changes(rt.db, [{"table": "employees", "record_id": "emp-1001",
                                   "op": "delete"}])
            raise RuntimeError("the page failed after the delete")
    assert faces.enrolled(rt.db, "emp-1001") is not None


JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20 + b"\xff\xd9"
DAY = 86_400_000


def test_snapshots_are_saved_and_purged_by_age(tmp_path):
    now = 1_800_000_000_000
    old = faces.save_snapshot(tmp_path, JPEG, "emp-1001", now - 3 * DAY)
    new = faces.save_snapshot(tmp_path, JPEG, "emp/../1001", now - DAY // 2)
    assert old.parent == tmp_path / "face_audit" and new.parent == old.parent
    assert faces.purge_snapshots(tmp_path, 2, now) == 1
    assert not old.exists() and new.exists()
    assert faces.purge_snapshots(tmp_path, 0, now) == 1      # 0 days: none kept
    assert not new.exists()
    with pytest.raises(ValidationError):
        faces.save_snapshot(tmp_path, b"GIF89a", "emp-1001", now)
    assert faces.purge_snapshots(tmp_path / "nowhere", 1, now) == 0


def test_delete_face_deletes_the_employees_snapshots(rt):
    enroll_face(rt, "emp-1001", captures(), "Budi")
    mine = faces.save_snapshot(rt.data_dir, JPEG, "emp-1001", 1)
    theirs = faces.save_snapshot(rt.data_dir, JPEG, "emp-2002", 1)
    assert delete_face(rt, "emp-1001")["snapshots_deleted"] == 1
    assert not mine.exists() and theirs.exists()


_KEY = X25519PrivateKey.from_private_bytes(bytes(range(32)))
_BOX = base64.b64decode(face_seal.seal(face_seal.public_bytes(_KEY), "emp-1001", captures()))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(min_value=0, max_value=len(_BOX) * 8 - 1))
def test_any_bit_flipped_in_a_sealed_box_is_refused(bit):
    flipped = bytearray(_BOX)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(_KEY, "emp-1001", base64.b64encode(bytes(flipped)).decode())


def test_a_low_order_ephemeral_key_is_refused():
    box = bytearray(_BOX)
    box[1:33] = bytes(32)             # the all-zero point: X25519 gives no shared secret
    with pytest.raises(face_seal.SealError):
        face_seal.open_sealed(_KEY, "emp-1001", base64.b64encode(bytes(box)).decode())


def test_audit_snapshots_are_kept_only_when_the_office_asks_and_for_its_days(rt):
    put_settings(rt, **{"attendance.face": "after_badge"})
    enroll_face(rt, "emp-1001", captures(), "Budi Santoso")
    asked = record_scan(rt, badge())
    assert asked.result == "face_needed" and asked.snapshot_days == 0
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0 a tiny jpeg").decode()
    audit = rt.data_dir / "face_audit"
    old = audit / "1000_emp-1001.jpg"          # left from when the office kept them
    audit.mkdir()
    old.write_bytes(b"\xff\xd8")
    face = {"embedding": near(ANDI, 55), "liveness": True, "snapshot": jpeg}
    assert record_scan(rt, badge(), face).result == "accepted"
    assert list(audit.iterdir()) == []         # 0 days: nothing kept, the old one purged
    put_settings(rt, **{"attendance.face_snapshot_days": "7"})
    assert record_scan(rt, badge()).snapshot_days == 7
    record_scan(rt, badge(), {**face, "embedding": near(OTHER, 3)})       # refused
    [kept] = list(audit.iterdir())
    assert kept.name.endswith("_emp-1001.jpg") and kept.read_bytes().startswith(b"\xff\xd8")
    before = rt.db["attendance"].count
    for bad in ("not base64!", base64.b64encode(b"GIF89a").decode(), 12, "A" * 400_004):
        with pytest.raises(ValidationError) as refused:
            record_scan(rt, badge(), {**face, "snapshot": bad})
        assert refused.value.code == "face_snapshot"
    assert rt.db["attendance"].count == before and len(list(audit.iterdir())) == 1
