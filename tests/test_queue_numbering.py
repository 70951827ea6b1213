"""Numbering: a prefix and a daily sequence per service, reset by the office's business day
(no cron), optional daily cap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk import queue as q
from kiosk.clock import FakeClock, zone
from kiosk.db import write_tx
from kiosk.runtime import open_runtime


def _at_local(clock: FakeClock, tz: str, text: str) -> None:
    clock.set_wall(datetime.fromisoformat(text).replace(tzinfo=zone(tz)))


def test_each_service_has_its_own_sequence(runtime):
    numbers = [q.issue_ticket(runtime, s).ticket.number for s in ("svc-a", "svc-b", "A", "b", "svc-a")]
    assert numbers == ["A-001", "B-001", "A-002", "B-002", "A-003"]
    assert [(s.prefix, s.issued_today, s.waiting) for s in q.list_services(runtime)] == [
        ("A", 3, 3), ("B", 2, 2), ("C", 0, 0)]


@pytest.mark.parametrize("tz,utc_offset", [("WIB", 7), ("WITA", 8), ("WIT", 9)])
def test_day_rolls_over_at_local_midnight(runtime, clock, tz, utc_offset):
    runtime.config.office.timezone = tz
    _at_local(clock, tz, "2026-11-23T23:59:00")
    first = q.issue_ticket(runtime, "svc-a").ticket
    second = q.issue_ticket(runtime, "svc-a").ticket
    assert (first.number, second.number) == ("A-001", "A-002")
    assert first.business_day == "2026-11-23"
    # In UTC it is already (or still) another calendar day: the office's zone decides.
    assert (clock.now().utc + timedelta(hours=utc_offset)).strftime("%H:%M") == "23:59"
    clock.advance(61)   # 00:00:01 local
    third = q.issue_ticket(runtime, "svc-a").ticket
    assert (third.number, third.business_day) == ("A-001", "2026-11-24")
    # Yesterday's leftovers are not today's queue.
    assert [t.number for t in q.waiting(runtime)] == ["A-001"]
    assert q.waiting(runtime)[0].id == third.id
    rows = runtime.db.execute("SELECT business_day, last_seq FROM queue_days"
                              " ORDER BY business_day").fetchall()
    assert rows == [("2026-11-23", 2), ("2026-11-24", 1)]


def test_the_day_is_local_not_utc(runtime, clock):
    runtime.config.office.timezone = "WIT"
    # 16:30 UTC on the 23rd is 01:30 on the 24th in Jayapura.
    clock.set_wall(datetime.fromisoformat("2026-11-23T16:30:00+00:00"))
    assert q.issue_ticket(runtime, "svc-a").ticket.business_day == "2026-11-24"
    runtime.config.office.timezone = "WIB"   # 23:30 on the 23rd in Jakarta
    assert q.issue_ticket(runtime, "svc-a").ticket.business_day == "2026-11-23"


def test_kiosk_off_over_midnight_starts_the_new_day_at_one(demo_dir, clock):
    _at_local(clock, "WITA", "2026-11-23T14:00:00")
    rt = open_runtime(demo_dir, clock=clock)
    for _ in range(5):
        q.issue_ticket(rt, "svc-b")
    rt.close()                       # power off in the afternoon ...
    clock.advance(19 * 3600)         # ... on again next morning at 09:00, no job ran at midnight
    rt = open_runtime(demo_dir, clock=clock)
    try:
        ticket = q.issue_ticket(rt, "svc-b").ticket
        assert (ticket.number, ticket.business_day) == ("B-001", "2026-11-24")
    finally:
        rt.close()


def test_daily_cap_says_kuota_habis_and_changes_nothing(runtime, clock):
    with write_tx(runtime.db):
        runtime.db.execute("UPDATE services SET daily_cap = 2 WHERE id = 'svc-c'")
    q.issue_ticket(runtime, "svc-c")
    q.issue_ticket(runtime, "svc-c")
    outbox_before = runtime.db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    with pytest.raises(q.QuotaExhausted, match="kuota habis"):
        q.issue_ticket(runtime, "svc-c")
    assert runtime.db.execute("SELECT count(*) FROM tickets WHERE service_id='svc-c'").fetchone()[0] == 2
    assert runtime.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox_before
    assert runtime.db.execute("SELECT last_seq FROM queue_days WHERE service_id='svc-c'"
                              ).fetchone()[0] == 2
    # Other services are unaffected, and the cap is per day.
    assert q.issue_ticket(runtime, "svc-a").ticket.number == "A-001"
    clock.advance(24 * 3600)
    assert q.issue_ticket(runtime, "svc-c").ticket.number == "C-001"


def test_numbers_past_999_keep_counting(runtime):
    with write_tx(runtime.db):
        runtime.db.execute("INSERT INTO queue_days (service_id, business_day, last_seq)"
                           " VALUES ('svc-a', ?, 999)",
                           [q.issue_ticket(runtime, "svc-b").ticket.business_day])
    assert q.issue_ticket(runtime, "svc-a").ticket.number == "A-1000"


def test_unknown_service_and_bad_priority_change_nothing(runtime):
    from kiosk.errors import NotFoundError, ValidationError

    with pytest.raises(NotFoundError, match="tidak ada"):
        q.issue_ticket(runtime, "svc-zzz")
    with pytest.raises(ValidationError, match="priority"):
        q.issue_ticket(runtime, "svc-a", "vip")
    with write_tx(runtime.db):
        runtime.db.execute("UPDATE services SET active = 0 WHERE id = 'svc-b'")
    with pytest.raises(NotFoundError):
        q.issue_ticket(runtime, "svc-b")
    for table in ("tickets", "outbox", "print_jobs", "queue_events", "queue_days"):
        assert runtime.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
