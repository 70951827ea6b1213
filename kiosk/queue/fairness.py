"""Who is called next: the fairness rule, as pure functions (no database), so the property
tests in tests/test_queue_fairness.py exercise exactly the code the counters run.

The rule (docs/QUEUE.md explains it for people):

1. **Maximum wait.** If the ticket that arrived first has waited ``max_wait`` or longer, it is
   called next, whatever its lane. (The earliest arrival is always the longest waiting, so
   overdue tickets go strictly in arrival order.)
2. **Ratio.** Otherwise, with both lanes waiting, a priority ticket is called when none of the
   last ``ratio`` calls (of the same services, today) was a priority ticket; else a regular
   one. So with ratio 2 the calls go R R P R R P ...; the day starts with a priority due;
   ratio 0 means priority tickets always go first (the maximum wait still protects the rest).
3. A lane with nobody waiting is skipped; within a lane, first come, first served by
   *arrival* order (a transferred ticket keeps its original arrival). The queue orders by
   ``arrival_seq``, never by wall time: a Pi's clock can jump.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the rule sees it. ``seq`` is its order of arrival (the queue's
    ``arrival_seq``, the database's ``ORDER BY arrival_seq``); ``arrival_ms`` only measures
    how long it has waited. Without a ``seq`` (0) arrival time orders, and ``key`` orders
    equal arrivals."""

    arrival_ms: int
    priority: bool
    key: Any = None
    seq: int = 0

    def sort_key(self) -> tuple:
        return (self.seq, self.arrival_ms, self.key)


def priority_due(recent_priority: Sequence[bool], ratio: int) -> bool:
    """``recent_priority``: whether each of the latest calls was a priority ticket, newest
    first (at least the last ``ratio`` of them, fewer at the start of the day)."""
    return not any(recent_priority[:ratio]) if ratio > 0 else True


def pick(regular_head: Candidate | None, priority_head: Candidate | None,
         recent_priority: Sequence[bool], now_ms: int, ratio: int,
         max_wait_ms: int) -> Candidate | None:
    """The next ticket from the heads of the two lanes (each the earliest arrival of its lane)."""
    heads = [c for c in (regular_head, priority_head) if c is not None]
    if not heads:
        return None
    first = min(heads, key=Candidate.sort_key)
    if now_ms - first.arrival_ms >= max_wait_ms:
        return first
    if priority_head is None:
        return regular_head
    if regular_head is None or priority_due(recent_priority, ratio):
        return priority_head
    return regular_head


def order(candidates: Sequence[Candidate], recent_priority: Sequence[bool], now_ms: int,
          ratio: int, max_wait_ms: int) -> list[Candidate]:
    """Every waiting ticket in the order it would be called if no one else arrived and the
    clock stood still (what the counter's list and the board show)."""
    regular = sorted((c for c in candidates if not c.priority), key=Candidate.sort_key)
    priority = sorted((c for c in candidates if c.priority), key=Candidate.sort_key)
    recent = list(recent_priority)
    out: list[Candidate] = []
    ri = pi = 0
    while ri < len(regular) or pi < len(priority):
        chosen = pick(regular[ri] if ri < len(regular) else None,
                      priority[pi] if pi < len(priority) else None,
                      recent, now_ms, ratio, max_wait_ms)
        assert chosen is not None
        if chosen.priority:
            pi += 1
        else:
            ri += 1
        out.append(chosen)
        _remember(recent, chosen.priority, ratio)
    return out


def _remember(recent: list[bool], was_priority: bool, ratio: int) -> None:
    recent.insert(0, was_priority)
    del recent[max(ratio, 1):]


def people_ahead(overdue_priority: Sequence[bool], regular: int, priority: int,
                 is_priority: bool, recent_priority: Sequence[bool], ratio: int) -> int:
    """How many are called before a ticket that has just arrived: the same answer as its
    index in :func:`order` (a property test holds them equal), but counted in constant time
    because the kiosk asks on every ticket.

    ``overdue_priority``: the lane of each overdue ticket, in arrival order (they go first).
    ``regular``/``priority``: the other waiting, not overdue tickets of each lane; all
    arrived earlier, so in its own lane they are all ahead of the new ticket.

    While both lanes wait, priority calls happen after ``gap`` more regular calls (0 if one
    is due now, else what the ratio still asks for) and then after every ``ratio`` regular
    calls; the new ticket keeps its own lane from running dry before it is called.
    """
    recent = list(recent_priority)
    for was_priority in overdue_priority:
        _remember(recent, was_priority, ratio)
    window = recent[:ratio]
    gap = 0 if ratio == 0 or not any(window) else ratio - window.index(True)
    ahead = len(overdue_priority)
    if is_priority:
        return ahead + priority + min(regular, gap + priority * ratio)
    if ratio == 0:
        return ahead + regular + priority
    slots = (regular - gap) // ratio + 1 if regular >= gap else 0
    return ahead + regular + min(priority, slots)
