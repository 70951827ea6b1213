"""Read-only views of the queue: what the kiosk, the counter console, the board and
``kiosk queue status`` show. Everything is for the office's current business day."""

from __future__ import annotations

import json

from kiosk import print_queue
from kiosk.queue import fairness, settings as settings_mod, store
from kiosk.queue.models import BoardState, QueueEvent, Service, Ticket

#: How many earlier calls the board lists under the current one.
RECENT_CALLS = 6


def list_services(rt) -> list[Service]:
    """Active services in display order, with today's issued and waiting counts."""
    day = store.today(rt)
    rows = rt.db.execute(
        """SELECT s.id, s.prefix, s.name_id, coalesce(s.name_en, s.name_id),
                  coalesce(s.description_id, ''), coalesce(s.description_en, ''), s.daily_cap,
                  coalesce(q.last_seq, 0),
                  (SELECT count(*) FROM tickets t WHERE t.business_day = ? AND
                       t.service_id = s.id AND t.status = 'waiting')
           FROM services s LEFT JOIN queue_days q
                ON q.service_id = s.id AND q.business_day = ?
           WHERE s.active = 1 ORDER BY s.sort_order, s.prefix""", [day, day]).fetchall()
    return [Service(*r) for r in rows]


def waiting(rt, service_ids: list[str] | None = None) -> list[Ticket]:
    """Today's waiting tickets in the order they will be called (if the clock stood still
    and nobody else arrived; fairness.order)."""
    db = rt.db
    day = store.today(rt)
    services = [store.get_service(db, s)["id"] for s in service_ids] if service_ids \
        else store.active_service_ids(db)
    if not services:
        return []
    conf = settings_mod.load(db)
    marks = ",".join("?" * len(services))
    rows = store.select_tickets(db, f"business_day = ? AND status = 'waiting' AND service_id IN"
                                    f" ({marks})", [day, *services])
    by_id = {r["id"]: r for r in rows}
    candidates = [fairness.Candidate(r["arrival_ms"], r["priority"] is not None,
                                     (r["issued_ms"], r["id"]), r["arrival_seq"]) for r in rows]
    recent = store.recent_priority(db, day, services, conf.priority_ratio)
    ordered = fairness.order(candidates, recent, rt.now().wall_ms, conf.priority_ratio,
                             conf.max_wait_ms)
    return [store.ticket_from_row(by_id[c.key[1]]) for c in ordered]


def current_ticket(rt, counter_id: str) -> Ticket | None:
    """The ticket the counter has called or is serving, if any."""
    counter = store.get_counter(rt.db, counter_id)
    rows = store.select_tickets(rt.db, "counter_id = ? AND status IN ('called', 'serving')"
                                       " ORDER BY called_ms DESC LIMIT 1", [counter["id"]])
    return store.ticket_from_row(rows[0]) if rows else None


def board_state(rt) -> BoardState:
    db = rt.db
    day = store.today(rt)
    calls = [store.call_from_row(r) for r in db.execute(
        "SELECT id, ticket_id, number, service_id, counter_number, kind, at_ms FROM queue_calls"
        " WHERE business_day = ? ORDER BY at_ms DESC, rowid DESC LIMIT 50", [day]).fetchall()]
    current = calls[0] if calls else None
    recent, seen = [], {current.ticket_id} if current else set()
    for call in calls[1:]:
        if call.ticket_id not in seen and len(recent) < RECENT_CALLS:
            seen.add(call.ticket_id)
            recent.append(call)
    serving = {r[0]: r[1] for r in db.execute(
        "SELECT counter_number, number FROM tickets WHERE status IN ('called', 'serving')"
        " AND business_day = ? ORDER BY called_ms", [day]).fetchall()}
    waiting_counts = {s.prefix: s.waiting for s in list_services(rt)}
    text = db.execute("SELECT value FROM settings WHERE key = 'running_text'").fetchone()
    return BoardState(current, recent, serving, waiting_counts, text[0] if text else "")


def events_since(rt, after_id: int, limit: int = 200) -> list[QueueEvent]:
    """The change feed after ``after_id``, oldest first (ids are gapless and increasing)."""
    rows = rt.db.execute("SELECT id, kind, ticket, call, at_ms, counter, time_uncertain"
                         " FROM queue_events WHERE id > ? ORDER BY id LIMIT ?",
                         [after_id, limit]).fetchall()
    return [QueueEvent(r[0], r[1], json.loads(r[2]) if r[2] else None,
                       json.loads(r[3]) if r[3] else None, r[4],
                       json.loads(r[5]) if r[5] else None, bool(r[6])) for r in rows]


def last_event_id(rt) -> int:
    return rt.db.execute("SELECT coalesce(max(id), 0) FROM queue_events").fetchone()[0]


def employees(rt) -> list[dict]:
    """Active employees for a counter's sign-in: id, name, nip."""
    rows = rt.db.execute("SELECT id, name, coalesce(nip, '') FROM employees"
                         " WHERE coalesce(active, 1) = 1 ORDER BY name").fetchall()
    return [{"id": i, "name": n, "nip": nip} for i, n, nip in rows]


def counters(rt) -> list[dict]:
    """Active counters with their session (staff, services, paused) and current ticket."""
    db = rt.db
    out = []
    for cid, number, name in db.execute(
            "SELECT id, number, name FROM counters WHERE active = 1 ORDER BY number").fetchall():
        session = store.open_session(db, cid)
        current = current_ticket(rt, cid)
        out.append({"id": cid, "number": number, "name": name,
                    "staff_id": session["staff_id"] if session else None,
                    "service_ids": session["service_ids"] if session else [],
                    "paused": bool(session["paused"]) if session else False,
                    "open": session is not None,
                    "current": current.number if current else None,
                    "current_status": current.status if current else None})
    return out


def status(rt) -> dict:
    """Everything ``kiosk queue status`` prints, as plain JSON-ready values. ``now_ms`` and
    ``time_uncertain`` are the edge's judged time (docs/QUEUE.md): a console or board across
    the LAN shows that, not its own clock."""
    board = board_state(rt)
    now = rt.now()
    return {
        "now_ms": now.wall_ms,
        "time_uncertain": now.uncertain,
        "office": {"code": rt.config.office.code, "name": rt.config.office.name,
                   "timezone": rt.office_tz},
        "business_day": store.today(rt),
        "services": [{"id": s.id, "prefix": s.prefix, "name": s.name_id,
                      "issued_today": s.issued_today, "waiting": s.waiting,
                      "daily_cap": s.daily_cap} for s in list_services(rt)],
        "waiting": [{"number": t.number, "service_id": t.service_id, "priority": t.priority,
                     "arrival_ms": t.arrival_ms} for t in waiting(rt)],
        "counters": counters(rt),
        "current_call": None if board.current is None else {
            "number": board.current.number, "counter_number": board.current.counter_number,
            "kind": board.current.kind, "at_ms": board.current.at_ms},
        "serving": {str(k): v for k, v in board.serving.items()},
        "last_event_id": last_event_id(rt),
        "printer": print_queue.printer_state(rt.db),
    }
