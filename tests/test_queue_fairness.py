"""The fairness rule (kiosk/queue/fairness.py, docs/QUEUE.md), proved with properties:
the ratio holds, no ticket starves, and the counters' database path follows the same rule."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk import queue as q
from kiosk.clock import FakeClock
from kiosk.db import write_tx
from kiosk.demo import init_demo
from kiosk.queue.fairness import Candidate, order, people_ahead, pick
from kiosk.runtime import open_runtime

MINUTE = 60_000


@dataclass
class Sim:
    """One counter serving one queue, driven by the rule under test."""

    ratio: int
    max_wait_ms: int
    now: int = 0
    waiting: list[Candidate] = field(default_factory=list)
    calls: list[Candidate] = field(default_factory=list)
    arrivals: dict[int, tuple[int, int]] = field(default_factory=dict)  # key -> (at, waiting then)
    served_at: dict[int, tuple[int, int]] = field(default_factory=dict)  # key -> (time, call no)
    decisions: list[tuple[bool, bool, bool, list[bool], bool]] = field(default_factory=list)

    def arrive(self, priority: bool) -> None:
        key = len(self.arrivals)
        self.arrivals[key] = (self.now, len(self.waiting))
        self.waiting.append(Candidate(self.now, priority, key))

    def call(self) -> Candidate | None:
        lanes = [sorted((c for c in self.waiting if c.priority == p), key=Candidate.sort_key)
                 for p in (False, True)]
        heads = [lane[0] if lane else None for lane in lanes]
        recent = [c.priority for c in reversed(self.calls[-max(self.ratio, 1):])]
        chosen = pick(heads[0], heads[1], recent, self.now, self.ratio, self.max_wait_ms)
        if chosen is None:
            return None
        overdue = any(self.now - c.arrival_ms >= self.max_wait_ms for c in self.waiting)
        self.decisions.append((bool(lanes[0]), bool(lanes[1]), overdue, recent, chosen.priority))
        self.waiting.remove(chosen)
        self.calls.append(chosen)
        self.served_at[chosen.key] = (self.now, len(self.calls))
        return chosen


steps = st.lists(st.one_of(
    st.tuples(st.just("arrive"), st.booleans()),
    st.tuples(st.just("call"), st.integers(min_value=MINUTE // 2, max_value=10 * MINUTE)),
), max_size=120)


@settings(max_examples=300, deadline=None)
@given(ratio=st.integers(0, 5), max_wait_min=st.integers(1, 60), trace=steps)
def test_no_ticket_starves(ratio, max_wait_min, trace):
    """Every ticket is called within max_wait + (people waiting when it came + 1) calls.

    Once a ticket is overdue, only tickets that arrived before it (all overdue too, and all
    already waiting when it came) can go first; each call takes at most ``max_step``."""
    sim = Sim(ratio, max_wait_min * MINUTE)
    max_step = 10 * MINUTE
    for action, value in trace:
        if action == "arrive":
            sim.arrive(value)
        else:
            sim.call()
            sim.now += value
    while sim.call() is not None:   # the office keeps calling until the queue is empty
        sim.now += max_step
    assert set(sim.served_at) == set(sim.arrivals)
    for key, (arrived, waiting_then) in sim.arrivals.items():
        served, _ = sim.served_at[key]
        assert served - arrived <= sim.max_wait_ms + (waiting_then + 1) * max_step, key


@settings(max_examples=300, deadline=None)
@given(ratio=st.integers(0, 5), trace=steps)
def test_the_ratio_holds_while_nobody_is_overdue(ratio, trace):
    """With both lanes waiting: a priority ticket is called exactly when none of the last
    ``ratio`` calls was a priority one; a lane alone is served without waiting for the other."""
    sim = Sim(ratio, max_wait_ms=10**12)     # nobody ever becomes overdue
    for action, value in trace:
        if action == "arrive":
            sim.arrive(value)
        else:
            sim.call()
            sim.now += value
    while sim.call() is not None:
        pass
    for regular_waits, priority_waits, overdue, recent, chose_priority in sim.decisions:
        assert not overdue
        if regular_waits and priority_waits:
            assert chose_priority == (not any(recent[:ratio])), (recent, ratio)
        else:
            assert chose_priority == priority_waits


@settings(max_examples=100, deadline=None)
@given(ratio=st.integers(1, 5), rounds=st.integers(1, 20))
def test_both_lanes_full_gives_one_priority_per_ratio_plus_one_calls(ratio, rounds):
    sim = Sim(ratio, max_wait_ms=10**12)
    calls = rounds * (ratio + 1)
    for _ in range(calls):
        sim.arrive(False)
        sim.arrive(True)
    for _ in range(calls):
        sim.call()
    lanes = [c.priority for c in sim.calls]
    assert sum(lanes) == rounds
    # The day starts with a priority due, then `ratio` regular tickets before each next one.
    assert lanes == ([True] + [False] * ratio) * rounds


@settings(max_examples=300, deadline=None)
@given(ratio=st.integers(1, 5), trace=st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60))
def test_frozen_clock_bound_in_calls(ratio, trace):
    """Even without the maximum wait (clock frozen) and with people arriving all the time, a
    regular ticket with r regular tickets ahead is called within r+1 regular calls plus at
    most 1 + r // ratio priority calls; a priority ticket with p ahead within (p+1)*(ratio+1)
    calls. (Ratio 0 is strict priority: there only the maximum wait protects regular
    tickets, as test_no_ticket_starves shows.)"""
    sim = Sim(ratio, max_wait_ms=10**12)
    lane_ahead: dict[int, int] = {}
    calls_before: dict[int, int] = {}
    for priority, call_after in trace:
        key = len(sim.arrivals)
        lane_ahead[key] = sum(1 for c in sim.waiting if c.priority == priority)
        calls_before[key] = len(sim.calls)
        sim.arrive(priority)
        if call_after:
            sim.call()
    while sim.call() is not None:
        pass
    for key, (priority, _) in enumerate(trace):
        calls_waited = sim.served_at[key][1] - calls_before[key]
        r = lane_ahead[key]
        bound = (r + 1) * (ratio + 1) if priority else (r + 1) + 1 + r // ratio
        assert calls_waited <= bound, (key, priority, r, calls_waited)


@settings(max_examples=300, deadline=None)
@given(ratio=st.integers(0, 5), lanes=st.lists(st.booleans(), max_size=40),
       arrivals=st.lists(st.integers(0, 90), max_size=40),
       recent=st.lists(st.booleans(), max_size=5), new_priority=st.booleans(),
       max_wait_min=st.integers(1, 60))
def test_people_ahead_matches_the_order(ratio, lanes, arrivals, recent, new_priority, max_wait_min):
    """The kiosk's quick count equals the new ticket's place in the full order."""
    now = 100 * MINUTE
    candidates = [Candidate(now - minutes * MINUTE, lane, i)
                  for i, (lane, minutes) in enumerate(zip(lanes, arrivals))]
    new = Candidate(now, new_priority, len(candidates))
    ordered = order(candidates + [new], recent, now, ratio, max_wait_min * MINUTE)
    cut = now - max_wait_min * MINUTE
    overdue = [c.priority for c in sorted(candidates, key=Candidate.sort_key) if c.arrival_ms <= cut]
    regular = sum(1 for c in candidates if not c.priority and c.arrival_ms > cut)
    priority = sum(1 for c in candidates if c.priority and c.arrival_ms > cut)
    assert people_ahead(overdue, regular, priority, new_priority, recent, ratio) == ordered.index(new)


# -- the counters' database path follows the same rule --------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ratio=st.integers(0, 3), max_wait_min=st.integers(2, 20),
       trace=st.lists(st.one_of(st.tuples(st.just("arrive"), st.booleans()),
                                st.tuples(st.just("call"), st.integers(1, 8))),
                      min_size=1, max_size=25))
def test_call_next_follows_the_rule(ratio, max_wait_min, trace):
    tmp = Path(tempfile.mkdtemp())
    try:
        init_demo(tmp / "data")
        clock = FakeClock()
        rt = open_runtime(tmp / "data", clock=clock)
        with write_tx(rt.db):
            for key, value in (("queue.priority_ratio", ratio), ("queue.max_wait_min", max_wait_min),
                               # "next" closes an unstarted call as no-show (fairness is the same)
                               ("queue.next_when_called", "no_show"),
                               ("queue.no_show_min_recalls", 0)):
                rt.db["settings"].upsert({"key": key, "value": str(value), "updated_ms": 0}, pk="key")
        sim = Sim(ratio, max_wait_min * MINUTE, now=clock.wall_ms)
        ids: dict[int, str] = {}
        for action, value in trace:
            if action == "arrive":
                ids[len(sim.arrivals)] = q.issue_ticket(rt, "svc-a", "hamil" if value else None).ticket.id
                sim.arrive(value)
            else:
                expected = [c.key for c in order(sim.waiting, [c.priority for c in reversed(sim.calls)],
                                                 sim.now, ratio, sim.max_wait_ms)]
                assert [t.id for t in q.waiting(rt, ["svc-a"])] == [ids[k] for k in expected]
                model = sim.call()
                got = q.call_next(rt, "counter-1", ["svc-a"])
                assert (got.id if got else None) == (ids[model.key] if model else None)
                clock.advance(value * 60)
                sim.now = clock.wall_ms
        rt.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
