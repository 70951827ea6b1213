"""The queue under a wrong clock (issue 10): a Pi without battery clock boots in 1970, or NTP
steps its clock by a day or back by two hours, in the middle of a business day.

Tickets issued while the clock is wrong stay in today's queue, are called in the order they
arrived, never repeat a number of the day, and are flagged ``time_uncertain`` (on the ticket,
its queue event and the outbox payload the city server receives). Real SQLite files, the
FakeClock for time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from kiosk import queue as q
from kiosk.clock import SETTLE_NS, Anchor, FakeClock, Stamp, judge, zone
from kiosk.runtime import Runtime, open_runtime
from kiosk.timekeeper import anchors, set_from_server

MIN = 60
DAY = "2026-11-23"


class Office:
    """One office day: the runtime, the FakeClock, and the true time beside it."""

    def __init__(self, demo_dir, clock: FakeClock) -> None:
        self.demo_dir, self.clock = demo_dir, clock
        clock.set_wall(datetime.fromisoformat(f"{DAY}T08:00:00").replace(tzinfo=zone("WITA")))
        self.true_ms = clock.wall_ms
        self.rt = self.open()
        self.issued: list[q.Ticket] = []

    def open(self) -> Runtime:
        rt = open_runtime(self.demo_dir, clock=self.clock)
        rt.config.office.timezone = "WITA"
        return rt

    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.true_ms += seconds * 1000

    def issue(self, n: int, services=("svc-a", "svc-b")) -> list[q.Ticket]:
        out = []
        for i in range(n):
            self.wait(MIN)
            out.append(q.issue_ticket(self.rt, services[i % len(services)]).ticket)
        self.issued += out
        return out


@pytest.fixture
def office(demo_dir, clock):
    o = Office(demo_dir, clock)
    o.wait(2 * 3600)            # mid-morning: the machine has run steadily for two hours
    yield o
    o.rt.close()


def _fault(office: Office, kind: str) -> None:
    clock = office.clock
    if kind == "boot at 1970":
        office.rt.close()                       # power cut ...
        office.true_ms += 5 * MIN * 1000        # ... for five minutes
        clock.reboot("boot-after-power-cut")    # no battery clock, no network yet
        clock.set_wall(datetime(1970, 1, 1, 0, 0, 5, tzinfo=zone("UTC")))
        office.rt = office.open()
    elif kind == "jump +1 day":
        clock.jump(24 * 3600)
    elif kind == "jump -2 h":
        clock.jump(-2 * 3600)
    else:
        raise AssertionError(kind)


def _call_all(rt: Runtime, n: int) -> list[q.Ticket]:
    """Counter 1 calls ``n`` tickets, serving each before calling the next."""
    called = []
    for _ in range(n):
        ticket = q.call_next(rt, "counter-1", ["svc-a", "svc-b"])
        called.append(ticket)
        q.start_service(rt, ticket.id)
    return called


def _outbox_flags(rt: Runtime) -> dict[str, bool]:
    """ticket id -> time_uncertain of its first (issue) change, as the server receives it."""
    flags: dict[str, bool] = {}
    for record_id, payload in rt.db.execute(
            "SELECT record_id, payload FROM outbox WHERE table_name = 'tickets' ORDER BY seq"):
        flags.setdefault(record_id, json.loads(payload)["time_uncertain"])
    return flags


@pytest.mark.parametrize("fault", ["boot at 1970", "jump +1 day", "jump -2 h"])
def test_tickets_issued_during_a_clock_fault_stay_in_todays_queue_in_arrival_order(office, fault):
    before = office.issue(4)
    _fault(office, fault)
    during = office.issue(4)
    rt = office.rt

    # Today's queue, numbers continuing, none repeated.
    assert {t.business_day for t in before + during} == {DAY}
    assert [t.number for t in before + during] == [
        "A-001", "B-001", "A-002", "B-002", "A-003", "B-003", "A-004", "B-004"]
    assert q.status(rt)["business_day"] == DAY
    assert [t.id for t in q.waiting(rt)] == [t.id for t in before + during]

    # The right tickets flagged: on the ticket, its queue event, and the outbox payload.
    assert [t.time_uncertain for t in before + during] == [False] * 4 + [True] * 4
    issued_events = [e for e in q.events_since(rt, 0) if e.kind == "issued"]
    assert [e.time_uncertain for e in issued_events] == [False] * 4 + [True] * 4
    flags = _outbox_flags(rt)
    assert [flags[t.id] for t in before + during] == [False] * 4 + [True] * 4

    # Times are the estimate (last good + monotonic), so waits stay sensible.
    assert all(abs(t.arrival_ms - office_true) <= 6 * MIN * 1000
               for t, office_true in zip(during, _true_times(office, during)))

    # The counter calls them in the order they arrived.
    called = _call_all(rt, 8)
    assert [t.id for t in called] == [t.id for t in before + during]
    assert q.call_next(rt, "counter-1", ["svc-a", "svc-b"]) is None


def _true_times(office: Office, tickets: list[q.Ticket]) -> list[int]:
    """The true issue time of the last len(tickets) tickets (one a minute, up to now)."""
    n = len(tickets)
    return [office.true_ms - (n - 1 - i) * MIN * 1000 for i in range(n)]


@pytest.mark.parametrize("fault", ["boot at 1970", "jump +1 day", "jump -2 h"])
def test_tickets_after_the_clock_is_right_again_are_not_flagged(office, fault):
    office.issue(2)
    _fault(office, fault)
    office.issue(2)
    # The clock is set right again (NTP, or a technician), by the true time.
    office.clock.wall_ms = office.true_ms
    after = office.issue(2)
    assert [t.time_uncertain for t in after] == [False, False]
    assert [t.number for t in after] == ["A-003", "B-003"]
    assert {t.business_day for t in office.issued} == {DAY}
    called = _call_all(office.rt, 6)
    assert [t.id for t in called] == [t.id for t in office.issued]


def test_the_city_servers_time_overrules_a_wall_clock_that_was_believed(office):
    """A Pi booted at the time fake-hwclock saved (after the last good time, so believed);
    the server's time at the next sync puts the queue on the right time and flags the rest."""
    office.issue(1)
    rt, clock = office.rt, office.clock
    clock.jump(-3 * 3600)   # the wall clock is wrong ...
    stamp = clock.now()
    set_from_server(rt.db, office.true_ms, stamp.mono_ns, stamp.boot_id)   # ... the server says
    [ticket] = office.issue(1)
    assert ticket.time_uncertain and abs(ticket.arrival_ms - office.true_ms) < 1000
    assert anchors(rt.db)[1] == Anchor(office.true_ms - MIN * 1000, stamp.mono_ns, stamp.boot_id)


def test_the_last_good_time_is_not_written_once_per_ticket(office):
    office.issue(1)
    stored = anchors(office.rt.db)[0]
    for _ in range(20):                                  # a burst: 20 tickets in 20 seconds
        office.clock.advance(1)
        q.issue_ticket(office.rt, "svc-a")
    assert anchors(office.rt.db)[0] == stored
    office.clock.advance(MIN)                            # a minute later it moves forward
    q.issue_ticket(office.rt, "svc-a")
    assert anchors(office.rt.db)[0].mono_ns == office.clock.mono_ns


# -- the rule itself (kiosk.clock.judge), as docs/QUEUE.md states it ---------------------------

GOOD = Anchor(1_795_000_000_000, 3_600 * 10**9, "boot-1")


def _raw(wall_ms: int, mono_ns: int, boot: str = "boot-1") -> Stamp:
    return Stamp(wall_ms, mono_ns, boot)


def test_judge_believes_a_clock_that_agrees_with_the_last_good_time():
    raw = _raw(GOOD.wall_ms + 60_000 + 500, GOOD.mono_ns + 60 * 10**9)
    assert judge(raw, GOOD) == raw


@pytest.mark.parametrize("jump_ms", [-2 * 3600_000, 24 * 3600_000, -(GOOD.wall_ms - 5_000)])
def test_judge_does_not_believe_a_jump_in_a_settled_boot(jump_ms):
    mono = GOOD.mono_ns + 60 * 10**9
    trusted = judge(_raw(GOOD.wall_ms + 60_000 + jump_ms, mono), GOOD)
    assert (trusted.wall_ms, trusted.uncertain) == (GOOD.wall_ms + 60_000, True)


def test_judge_believes_a_forward_step_while_the_machine_is_still_settling():
    """NTP setting the clock shortly after boot (from fake-hwclock's saved time)."""
    booted = Anchor(GOOD.wall_ms, 5 * 10**9, "boot-2")
    raw = _raw(GOOD.wall_ms + 14 * 3600_000, 65 * 10**9, "boot-2")
    assert judge(raw, booted) == raw
    late = _raw(raw.wall_ms, SETTLE_NS + 1, "boot-2")     # the same step after settling
    assert judge(late, booted).uncertain


def test_judge_at_boot_resumes_from_the_last_good_time_when_the_clock_reads_earlier():
    raw = _raw(5_000, 2 * 10**9, "boot-2")
    assert judge(raw, GOOD) == Stamp(GOOD.wall_ms, raw.mono_ns, "boot-2", True)
    later = _raw(GOOD.wall_ms + 3600_000, 2 * 10**9, "boot-2")   # switched off for an hour
    assert judge(later, GOOD) == later


def test_judge_takes_the_servers_time_of_this_boot_as_the_reference():
    server = Anchor(GOOD.wall_ms - 3600_000, GOOD.mono_ns, "boot-1")   # kiosk ran an hour ahead
    raw = _raw(GOOD.wall_ms + 1000, GOOD.mono_ns + 10**9)
    assert judge(raw, GOOD, server) == Stamp(server.wall_ms + 1000, raw.mono_ns, "boot-1", True)
    stale = Anchor(server.wall_ms, server.mono_ns, "boot-0")          # another boot: ignored
    assert judge(raw, GOOD, stale) == raw


def test_business_day_never_advances_by_a_jump_alone(office):
    office.issue(1)
    office.clock.jump(20 * 3600)                   # 04:00 tomorrow by the wall clock
    assert q.status(office.rt)["business_day"] == DAY
    office.clock.advance(16 * 3600)                # real time passes midnight
    assert q.status(office.rt)["business_day"] == (
        datetime.fromisoformat(DAY) + timedelta(days=1)).date().isoformat()


def test_m0008_numbers_existing_tickets_in_their_old_arrival_order(tmp_path):
    """A kiosk upgraded mid-day keeps today's waiting order; new tickets come after."""
    from kiosk.db import open_db
    from kiosk.migrations import migrate
    from kiosk.queue import store

    db = open_db(tmp_path / "k.db", migrate=False)
    migrate(db, stop_before="m0008_arrival_order")
    with db.atomic():
        for tid, arrival in (("t-late", 3_000), ("t-early", 1_000), ("t-mid", 2_000)):
            db.execute("INSERT INTO tickets (id, office_code, service_id, prefix, seq, number,"
                       " business_day, status, arrival_ms, issued_ms, device_id, updated_ms)"
                       " VALUES (?, 'X', 'svc-a', 'A', ?, ?, ?, 'waiting', ?, ?, 'd', 0)",
                       [tid, arrival, f"A-{arrival}", DAY, arrival, arrival])
    migrate(db)
    order = [r[0] for r in db.execute("SELECT id FROM tickets ORDER BY arrival_seq")]
    assert order == ["t-early", "t-mid", "t-late"]
    assert store.next_arrival_seq(db) > db.execute("SELECT max(arrival_seq) FROM tickets"
                                                   ).fetchone()[0]
    assert db.execute("SELECT DISTINCT time_uncertain FROM tickets").fetchall() == [(0,)]


def test_status_tells_the_edges_judged_time(office):
    """Consoles and boards across the LAN read the edge's time from its status."""
    assert q.status(office.rt)["time_uncertain"] is False
    office.wait(MIN)
    office.clock.jump(-2 * 3600)
    status = q.status(office.rt)
    assert status["time_uncertain"] is True
    assert abs(status["now_ms"] - office.true_ms) < 1000
    assert status["business_day"] == DAY
