"""Rows of ``requests`` and ``request_events`` and their writes. Every write appends the
whole row to the outbox in the caller's transaction (kiosk.outbox), so a request and each
of its status changes reach the city server exactly once."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from kiosk import jsontext, outbox
from kiosk.clock import Stamp
from kiosk.errors import NotFoundError
from kiosk.ids import new_id
from kiosk.letters.models import LetterRequest, RequestEvent

REQUESTS = outbox.syncable("requests")
EVENTS = outbox.syncable("request_events")

REQUEST_COLUMNS = ("id", "code", "office_code", "type_code", "status", "status_reason",
                   "applicant", "details", "nik_masked", "warnings", "print_job_id",
                   "device_id", "created_ms", "updated_ms", "time_uncertain")
EVENT_COLUMNS = ("id", "request_id", "code", "from_status", "to_status", "staff_id", "reason",
                 "at_ms", "device_id", "time_uncertain", "checklist")
_SELECT = f"SELECT {', '.join(REQUEST_COLUMNS)} FROM requests"


def _insert(db: sqlite_utils.Database, table: str, columns: tuple[str, ...],
            row: dict[str, Any], stamp: Stamp) -> None:
    db.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' * len(columns))})", [row[c] for c in columns])
    outbox.append(db, table, row["id"], row, stamp)


def code_taken(db: sqlite_utils.Database, code: str) -> bool:
    return db.conn.execute("SELECT 1 FROM requests WHERE code = ?", [code]).fetchone() is not None


def insert_request(db: sqlite_utils.Database, row: dict[str, Any], stamp: Stamp) -> None:
    _insert(db, REQUESTS, REQUEST_COLUMNS, row, stamp)


def update_request(db: sqlite_utils.Database, row: dict[str, Any], stamp: Stamp) -> None:
    db.conn.execute("UPDATE requests SET status = ?, status_reason = ?, updated_ms = ?,"
                    " time_uncertain = ? WHERE id = ?",
                    [row["status"], row["status_reason"], row["updated_ms"],
                     row["time_uncertain"], row["id"]])
    outbox.append(db, REQUESTS, row["id"], row, stamp)


def add_event(db: sqlite_utils.Database, request: dict[str, Any], from_status: str | None,
              to_status: str, staff_id: str | None, reason: str | None, stamp: Stamp,
              device_id: str, checklist: dict[str, bool] | None = None) -> RequestEvent:
    row = {"id": new_id(), "request_id": request["id"], "code": request["code"],
           "from_status": from_status, "to_status": to_status, "staff_id": staff_id,
           "reason": reason, "at_ms": stamp.wall_ms, "device_id": device_id,
           "time_uncertain": int(stamp.uncertain),
           "checklist": None if checklist is None else dumps(checklist)}
    _insert(db, EVENTS, EVENT_COLUMNS, row, stamp)
    return RequestEvent(*(row[c] for c in EVENT_COLUMNS[:8]))


def get_row(db: sqlite_utils.Database, code: str) -> dict[str, Any]:
    """The request with this tracking code (canonical form); NotFoundError otherwise."""
    row = db.conn.execute(f"{_SELECT} WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFoundError(f"permohonan {code!r} tidak ditemukan (requests.code)",
                            code="code_unknown", fields={"code": code})
    return dict(zip(REQUEST_COLUMNS, row))


def request_from_row(row: dict[str, Any]) -> LetterRequest:
    return LetterRequest(
        id=row["id"], code=row["code"], type_code=row["type_code"], status=row["status"],
        status_reason=row["status_reason"], applicant=json.loads(row["applicant"]),
        details=json.loads(row["details"]), nik_masked=row["nik_masked"],
        warnings=json.loads(row["warnings"]), created_ms=row["created_ms"],
        updated_ms=row["updated_ms"])


def events_of(db: sqlite_utils.Database, request_id: str) -> list[RequestEvent]:
    return [RequestEvent(*r) for r in db.conn.execute(
        f"SELECT {', '.join(EVENT_COLUMNS[:8])} FROM request_events WHERE request_id = ?"
        " ORDER BY at_ms, rowid", [request_id]).fetchall()]


def dumps(value: Any) -> str:
    return jsontext.dumps(value)
