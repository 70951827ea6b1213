"""Rows of the queue tables and their writes. Every change of a syncable row appends the
whole row to the outbox in the caller's transaction (kiosk.outbox), and every change a board
or console must see appends a queue event.

Tickets are written with explicit INSERT/UPDATE statements and :func:`kiosk.outbox.append`
instead of :func:`kiosk.outbox.save`, because the row is already complete in hand:
``save`` would introspect the table and read the row back, two statements more on the
kiosk's hot path (bench/tickets.py).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import sqlite_utils

from kiosk import jsontext, outbox
from kiosk.clock import Stamp, business_day
from kiosk.errors import NotFoundError
from kiosk.queue.models import Call, Ticket

TICKETS = outbox.syncable("tickets")
CALLS = outbox.syncable("queue_calls")
SESSIONS = outbox.syncable("counter_sessions")

TICKET_COLUMNS = ("id", "office_code", "service_id", "prefix", "seq", "number", "business_day",
                  "priority", "status", "counter_id", "counter_number", "staff_id", "recalls",
                  "arrival_ms", "issued_ms", "called_ms", "started_ms", "finished_ms",
                  "call_order", "transferred_from", "device_id", "updated_ms", "arrival_seq",
                  "time_uncertain")
_TICKET_SELECT = "SELECT " + ", ".join(TICKET_COLUMNS) + " FROM tickets"
_TICKET_INSERT = (f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(TICKET_COLUMNS))})")
_TICKET_UPDATE = ("UPDATE tickets SET " + ", ".join(f"{c} = ?" for c in TICKET_COLUMNS[1:])
                  + " WHERE id = ?")
_TICKET_FIELDS = [f.name for f in dataclasses.fields(Ticket)]
CALL_COLUMNS = ("id", "ticket_id", "number", "service_id", "counter_id", "counter_number", "kind",
                "at_ms", "business_day")


def today(rt) -> str:
    """The office's business day now, as ISO text (the key of numbering and of 'today'),
    by the judged clock (rt.now(): a wrong wall clock does not move it)."""
    return business_day(rt.now(), rt.office_tz).isoformat()


def day_of(stamp: Stamp, rt) -> str:
    return business_day(stamp, rt.office_tz).isoformat()


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    return Ticket(**{name: row[name] for name in _TICKET_FIELDS})


def row_of(values: tuple) -> dict[str, Any]:
    row = dict(zip(TICKET_COLUMNS, values))
    row["time_uncertain"] = bool(row["time_uncertain"])
    return row


def next_arrival_seq(db: sqlite_utils.Database) -> int:
    """The arrival order of a ticket issued now: after every ticket in the database (the
    next rowid; the caller's write transaction keeps it unique). Never from the wall clock."""
    return db.conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM tickets").fetchone()[0]


def select_tickets(db: sqlite_utils.Database, where: str, params: list[Any]) -> list[dict[str, Any]]:
    return [row_of(r) for r in db.execute(f"{_TICKET_SELECT} WHERE {where}", params).fetchall()]


def get_ticket_row(db: sqlite_utils.Database, ticket_id: str) -> dict[str, Any]:
    rows = select_tickets(db, "id = ?", [ticket_id])
    if not rows:
        raise NotFoundError(f"tiket {ticket_id!r} tidak ditemukan (tickets.id)")
    return rows[0]


def insert_ticket(db: sqlite_utils.Database, row: dict[str, Any], stamp: Stamp) -> None:
    row["time_uncertain"] = bool(row.get("time_uncertain")) or stamp.uncertain
    db.conn.execute(_TICKET_INSERT, [row[c] for c in TICKET_COLUMNS])
    outbox.append(db, TICKETS, row["id"], row, stamp)


def update_ticket(db: sqlite_utils.Database, row: dict[str, Any], stamp: Stamp) -> None:
    row["updated_ms"] = stamp.wall_ms
    if stamp.uncertain:     # sticky: some time on the row is an estimate
        row["time_uncertain"] = True
    db.conn.execute(_TICKET_UPDATE, [row[c] for c in TICKET_COLUMNS[1:]] + [row["id"]])
    outbox.append(db, TICKETS, row["id"], row, stamp)


def insert_call(db: sqlite_utils.Database, call: Call, counter_id: str, day: str,
                stamp: Stamp) -> None:
    row = vars(call) | {"counter_id": counter_id, "business_day": day}
    db.conn.execute(f"INSERT INTO queue_calls ({', '.join(CALL_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(CALL_COLUMNS))})", [row[c] for c in CALL_COLUMNS])
    outbox.append(db, CALLS, call.id, row, stamp)


def call_from_row(row: tuple) -> Call:
    """From (id, ticket_id, number, service_id, counter_number, kind, at_ms)."""
    return Call(*row)


def add_event(db: sqlite_utils.Database, kind: str, stamp: Stamp, *, ticket: Ticket | None = None,
              call: Call | None = None, counter: dict | None = None) -> int:
    """One entry of the change feed at ``stamp`` (flagged ``time_uncertain`` with it)."""
    def enc(value: Any) -> str | None:
        return None if value is None else jsontext.dumps(value)

    cur = db.conn.execute("INSERT INTO queue_events (kind, ticket, call, counter, at_ms,"
                          " time_uncertain) VALUES (?, ?, ?, ?, ?, ?)",
                          (kind, enc(ticket), enc(call), enc(counter), stamp.wall_ms,
                           stamp.uncertain))
    return int(cur.lastrowid)


def get_service(db: sqlite_utils.Database, key: str) -> dict[str, Any]:
    """An active service by id or by prefix (``A``; what people and the CLI say)."""
    columns = "id, prefix, name_id, name_en, description_id, description_en, daily_cap"
    row = db.conn.execute(f"SELECT {columns} FROM services WHERE id = ? AND active = 1",
                          [key]).fetchone()
    if row is None:
        row = db.conn.execute(f"SELECT {columns} FROM services WHERE active = 1"
                              " AND upper(prefix) = upper(?) LIMIT 1", [key]).fetchone()
    if row is None:
        raise NotFoundError(f"layanan {key!r} tidak ada atau tidak aktif (services.id or prefix); "
                            "check the service list sent by the city server")
    keys = ("id", "prefix", "name_id", "name_en", "description_id", "description_en", "daily_cap")
    return dict(zip(keys, row))


def get_counter(db: sqlite_utils.Database, key: str | int, *,
                active_only: bool = True) -> dict[str, Any]:
    """A counter by id or by its number (``2`` for Loket 2); only active ones unless asked
    (a recall still reaches a counter the city switched off during the day)."""
    row = db.execute(
        "SELECT id, number, name FROM counters WHERE (active = 1 OR ?) AND (id = ? OR number = ?)"
        " ORDER BY id = ? DESC LIMIT 1",
        [0 if active_only else 1, str(key), str(key), str(key)]).fetchone()
    if row is None:
        raise NotFoundError(f"loket {key!r} tidak ada atau tidak aktif (counters.id or number)")
    return {"id": row[0], "number": row[1], "name": row[2]}


def open_session(db: sqlite_utils.Database, counter_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, counter_id, staff_id, service_ids, paused, business_day, opened_ms,"
        " closed_ms, updated_ms FROM counter_sessions WHERE counter_id = ? AND closed_ms IS NULL"
        " ORDER BY opened_ms DESC LIMIT 1", [counter_id]).fetchone()
    if row is None:
        return None
    keys = ("id", "counter_id", "staff_id", "service_ids", "paused", "business_day", "opened_ms",
            "closed_ms", "updated_ms")
    session = dict(zip(keys, row))
    session["service_ids"] = json.loads(session["service_ids"])
    return session


def save_session(db: sqlite_utils.Database, session: dict[str, Any], stamp: Stamp) -> None:
    row = dict(session, service_ids=json.dumps(session["service_ids"]), updated_ms=stamp.wall_ms)
    outbox.save(db, SESSIONS, row, stamp)


def active_service_ids(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT id FROM services WHERE active = 1 ORDER BY sort_order, prefix").fetchall()]


def recent_priority(db: sqlite_utils.Database, day: str, service_ids: list[str],
                    ratio: int) -> list[bool]:
    """Whether each of the last ``ratio`` first calls of these services today was priority."""
    if ratio <= 0:
        return []
    marks = ",".join("?" * len(service_ids))
    return [bool(r[0]) for r in db.conn.execute(
        f"SELECT priority IS NOT NULL FROM tickets WHERE business_day = ? AND call_order IS NOT NULL"
        f" AND service_id IN ({marks}) ORDER BY call_order DESC LIMIT ?",
        [day, *service_ids, ratio]).fetchall()]
