"""Where a new ticket stands: the people ahead of it and the estimated wait, as the kiosk
shows and prints them when the ticket is issued."""

from __future__ import annotations

import math

from kiosk.queue import fairness, settings as settings_mod
from kiosk.queue.models import Ticket

_SNAPSHOT_SQL = """
SELECT (SELECT count(*) FROM tickets WHERE business_day = ?1 AND service_id = ?2
            AND status = 'waiting' AND arrival_ms <= ?3),
       (SELECT group_concat(p, '') FROM (
            SELECT priority IS NOT NULL AS p FROM tickets WHERE business_day = ?1
            AND service_id = ?2 AND call_order IS NOT NULL ORDER BY call_order DESC LIMIT ?4)),
       (SELECT avg(d) FROM (
            SELECT finished_ms - started_ms AS d FROM tickets WHERE business_day = ?1
            AND service_id = ?2 AND status = 'done' AND started_ms IS NOT NULL
            ORDER BY finished_ms DESC LIMIT ?5)),
       (SELECT avg(d) FROM (
            SELECT finished_ms - started_ms AS d FROM tickets WHERE business_day = ?1
            AND status = 'done' AND started_ms IS NOT NULL ORDER BY finished_ms DESC LIMIT ?5)),
       (SELECT count(*) FROM counter_sessions WHERE closed_ms IS NULL AND paused = 0
            AND business_day = ?1 AND (service_ids IN ('[]', '')
                OR instr(service_ids, '"' || ?2 || '"') > 0))
"""


def position(db, ticket: Ticket, conf: settings_mod.QueueSettings, now_ms: int,
             regular: int, priority: int) -> tuple[int, int]:
    """(people ahead, estimated wait in minutes) of a ticket about to join its service's
    queue, asked before it is inserted. ``regular`` and ``priority``: the lane counts of its
    service today (queue_days, read as the number is taken). One statement for the rest (the
    kiosk asks on every ticket; bench/tickets.py): overdue ones from the tickets_waiting
    index (a range of the oldest, usually empty), the lanes of the last calls, service times
    and the counters open for the service."""
    cut = now_ms - conf.max_wait_ms
    overdue, recent, mine, anyone, counters = db.conn.execute(
        _SNAPSHOT_SQL, [ticket.business_day, ticket.service_id, cut,
                        max(conf.priority_ratio, 1), conf.estimate_last_n]).fetchone()
    overdue_lanes: list[bool] = []
    if overdue:    # rare: only when the office has fallen behind by the maximum wait
        overdue_lanes = [bool(r[0]) for r in db.conn.execute(
            "SELECT priority IS NOT NULL FROM tickets WHERE business_day = ? AND service_id = ?"
            " AND status = 'waiting' AND arrival_ms <= ? ORDER BY arrival_seq",
            [ticket.business_day, ticket.service_id, cut]).fetchall()]
        priority -= sum(overdue_lanes)          # queue_days counts every waiting ticket
        regular -= len(overdue_lanes) - sum(overdue_lanes)
    ahead = fairness.people_ahead(overdue_lanes, regular, priority, ticket.priority is not None,
                                  [p == "1" for p in recent or ""], conf.priority_ratio)
    mean_ms = mine if mine is not None else anyone
    return ahead, wait_minutes(ahead, mean_ms, counters, conf)


def wait_minutes(ahead: int, mean_service_ms: float | None, counters: int,
                 conf: settings_mod.QueueSettings) -> int:
    """Minutes until a ticket with ``ahead`` people before it is called: the mean of today's
    last N service times of this service (of any service while it has none; the
    ``queue.default_service_min`` setting before the day has any), times the people ahead,
    shared by the ``counters`` open and not paused for the service today (at least one)."""
    if ahead <= 0:
        return 0
    if mean_service_ms is None:
        mean_service_ms = conf.default_service_min * 60_000
    return math.ceil(ahead * mean_service_ms / max(counters, 1) / 60_000)
