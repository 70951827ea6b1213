"""Attendance on the edge (kiosk.attendance): scans on a real SQLite file through the
outbox, the duplicate window, in/out by time of day, corrections, honest times, reports."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import badges, outbox
from kiosk.attendance import correct_event, record_scan, report
from kiosk.attendance.ops_table import ATTENDANCE, WIRE_DECODERS
from kiosk.attendance.operations import ScanResult
from kiosk.attendance.reports import to_csv
from kiosk.clock import zone
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
WITA = zone("WITA")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


def move_to(clock, text: str) -> None:
    """Let time pass until ``text`` (wall and monotonic together, as a running terminal)."""
    gap = at(text).timestamp() * 1000 - clock.wall_ms
    assert gap >= 0
    clock.advance(gap / 1000)


def put_settings(rt, **values) -> None:
    with write_tx(rt.db):
        for key, value in values.items():
            rt.db["settings"].upsert({"key": key, "value": value, "updated_ms": 0}, pk="key")


@pytest.fixture
def rt(runtime, clock):
    pub = badges.public_bytes(KEY)
    put_settings(runtime, **{f"badge_key.{badges.key_id(pub)}": base64.b64encode(pub).decode()})
    move_to(clock, "2026-12-01T07:28:00")
    return runtime


def badge(employee="emp-1001", office="DEMO", issued="2026-11-20T09:00:00") -> str:
    return badges.issue_badge(KEY, employee, office, int(at(issued).timestamp() * 1000))


def rows(rt) -> list[dict]:
    return list(rt.db["attendance"].rows_where(order_by="rowid"))


def test_a_good_badge_greets_and_records_one_event_through_the_outbox(rt):
    result = record_scan(rt, badge())
    assert (result.result, result.reason, result.employee_id, result.name) == \
        ("accepted", None, "emp-1001", "Andi Pratama")
    assert (result.part_of_day, result.local_time, result.already_recorded) == \
        ("pagi", "07.28", False)
    event = result.event
    assert (event.kind, event.source, event.device_id, event.time_uncertain) == \
        ("in", "badge", rt.device_id, False)
    assert event.wall_ms == int(at("2026-12-01T07:28:00").timestamp() * 1000)
    assert event.boot_id and event.mono_ns > 0
    assert [r["id"] for r in rows(rt)] == [event.id]
    assert [(c.table, c.record_id) for c in outbox.pending(rt.db)
            if c.table == "attendance"] == [("attendance", event.id)]


def test_the_same_badge_within_the_window_is_one_event(rt, clock):
    first = record_scan(rt, badge())
    clock.advance(59)
    again = record_scan(rt, badge())
    assert again.already_recorded and again.event == first.event
    assert len(rows(rt)) == 1
    clock.advance(2)                              # 61 s after the first
    later = record_scan(rt, badge())
    assert not later.already_recorded and len(rows(rt)) == 2


def test_the_window_is_monotonic_a_clock_step_does_not_split_it(rt, clock):
    put_settings(rt, **{"attendance.duplicate_window_s": "120"})
    first = record_scan(rt, badge())
    clock.advance(30)
    clock.jump(-3600)                             # the wall clock stepped back an hour
    assert record_scan(rt, badge()).event.id == first.event.id


def test_in_or_out_by_time_of_day_and_the_one_tap_correction(rt, clock):
    move_to(clock, "2026-12-01T16:05:00")
    out = record_scan(rt, badge())
    assert (out.event.kind, out.part_of_day) == ("out", "sore")
    fixed = correct_event(rt, out.event.id, "in")
    assert (fixed.kind, fixed.source, fixed.corrects_id) == ("in", "correction", out.event.id)
    assert [r["kind"] for r in rows(rt)] == ["out", "in"]   # the scan itself is never edited
    with pytest.raises(ValidationError) as err:
        correct_event(rt, out.event.id, "sideways")
    assert err.value.code == "attendance_kind"
    with pytest.raises(NotFoundError):
        correct_event(rt, "no-such-event", "in")
    with pytest.raises(ValidationError):
        correct_event(rt, fixed.id, "out")
    assert len(rows(rt)) == 2


@pytest.mark.parametrize("make, reason", [
    (lambda: "HELLO", badges.MALFORMED),
    (lambda: badges.issue_badge(Ed25519PrivateKey.generate(), "emp-1001", "DEMO", 1_795_000_000_000),
     badges.UNKNOWN_KEY),
    (lambda: badge(office="KLR9"), badges.ANOTHER_OFFICE),
])
def test_refused_badges_change_nothing(rt, make, reason):
    before = outbox.pending_count(rt.db)
    result = record_scan(rt, make())
    assert (result.result, result.reason, result.event) == ("refused", reason, None)
    assert rows(rt) == [] and outbox.pending_count(rt.db) == before


def test_revoked_expired_and_inactive(rt):
    issued = badges.parse_badge(badge()).issued_min
    put_settings(rt, **{"badge_revoked.emp-1001": str(issued)})
    assert record_scan(rt, badge()).reason == badges.REVOKED
    assert record_scan(rt, badge(issued="2026-11-30T10:00:00")).result == "accepted"
    put_settings(rt, **{"attendance.badge_max_age_days": "5"})
    assert record_scan(rt, badge("emp-2002", issued="2026-11-01T10:00:00")).reason == \
        badges.EXPIRED
    with write_tx(rt.db):
        rt.db.execute("UPDATE employees SET active = 0 WHERE id = 'emp-1003'")
    refused = record_scan(rt, badge("emp-1003", issued="2026-11-30T10:00:00"))
    assert (refused.reason, refused.name) == ("inactive", "Budi Santoso")


def test_an_unbelieved_clock_is_flagged_not_shifted(rt, clock):
    record_scan(rt, badge())                      # the last known good time: 07:28
    clock.reboot("boot-2")
    clock.set_wall(datetime(1970, 1, 2, tzinfo=WITA))   # a Pi with no battery clock
    result = record_scan(rt, badge("emp-2002"))
    assert result.result == "accepted"
    assert result.time_uncertain and result.event.time_uncertain
    assert rows(rt)[-1]["time_uncertain"] == 1


def test_month_report_on_time_late_early_absent_and_uncertain(rt, clock):
    put_settings(rt, **{"attendance.work_start": "07:30", "attendance.work_end": "16:00",
                        "attendance.grace_minutes": "15"})
    def scan_at(when, employee="emp-1001"):
        move_to(clock, when)
        return record_scan(rt, badge(employee))
    scan_at("2026-12-01T07:40:00")                # Tue: in time (grace)
    scan_at("2026-12-01T16:10:00")
    scan_at("2026-12-02T08:05:00")                # Wed: late
    scan_at("2026-12-02T15:00:00")                # early leave
    scan_at("2026-12-03T07:20:00")
    wrong = scan_at("2026-12-03T11:50:00")        # Thu: an "in" before out_from, corrected
    correct_event(rt, wrong.event.id, "out")
    with write_tx(rt.db):
        rt.db.execute("UPDATE attendance SET time_uncertain = 1 WHERE wall_ms = ?",
                      [int(at("2026-12-03T07:20:00").timestamp() * 1000)])
    move_to(clock, "2026-12-07T09:00:00")         # Monday: Fri 4th was a working day
    data = report(rt, "2026-12")
    andi = next(e for e in data["employees"] if e["employee_id"] == "emp-1001")
    days = {d["date"]: d for d in andi["days"]}
    assert days["2026-12-01"]["status"] == "on_time" and not days["2026-12-01"]["early_leave"]
    assert days["2026-12-02"]["status"] == "late" and days["2026-12-02"]["early_leave"]
    assert (days["2026-12-03"]["first_in"], days["2026-12-03"]["last_out"]) == ("07:20", "11:50")
    assert days["2026-12-03"]["time_uncertain"]
    assert days["2026-12-04"]["status"] == "absent"
    assert "2026-12-05" not in days                # Saturday
    assert days["2026-12-08"]["status"] == "none"  # not judged yet
    assert andi["totals"] == {"working_days": 4, "present": 3, "on_time": 2, "late": 1,
                              "early_leave": 2, "absent": 1, "time_uncertain": 1}
    rina = next(e for e in data["employees"] if e["employee_id"] == "emp-2002")
    assert rina["totals"]["absent"] == 4
    text = to_csv(data)
    assert "emp-1001,Andi Pratama,2026-12-02,late,08:05,15:00,1,1,0" in text.splitlines()
    with pytest.raises(ValidationError):
        report(rt, "December")


def test_scan_result_round_trips_its_wire_form(rt):
    result = record_scan(rt, badge())
    import json
    from dataclasses import asdict
    assert WIRE_DECODERS[ScanResult](json.loads(json.dumps(asdict(result)))) == result
    assert {op.name for op in ATTENDANCE.ops} == {"record_scan", "correct_event", "report",
                                                  "face_roster", "enroll_face", "delete_face"}
