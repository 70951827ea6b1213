"""The persistent print queue: a print job is a row, written in the same transaction as the
ticket or request it belongs to, so a committed ticket always has its receipt waiting.

The worker that sends jobs to the printer lives in devices/printer (it is a device concern);
this module holds the rows, their state changes, and the last printer state the worker
observed, so any screen or the LAN API reads both from the database. See docs/PRINTING.md
for the delivery guarantee (at-least-once to the printer; a duplicate only when the printer
dies in the middle of a job).

Two kinds of job share the queue: receipts (tickets, request and complaint receipts: the
``receipt`` column holds the Receipt, printed by the thermal worker) and documents
(:data:`DOCUMENT_KINDS`, e.g. an issued letter on A4: the column holds what to render, e.g.
``{"document": "letter", "letter_id": ...}``, and devices/printer/a4.py prints it through
CUPS). Each worker takes only its own kind, so neither blocks the other and a letter
waits in the queue while the office printer is off.

Job states: ``pending`` (waiting or being retried) -> ``done`` (bytes written and the
printer answered afterwards), ``cancelled`` (staff gave up on it) or ``failed`` (the receipt
cannot be rendered at all: a bug; recorded, so one bad job never blocks the queue). Nothing else ever
creates a second copy: :func:`reprint` is the one way, and someone has to ask for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk import jsontext, outbox
from kiosk.clock import Stamp
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id
from kiosk.receipt import Receipt

TABLE = outbox.syncable("print_jobs")

#: Printer states, as stored and shown. ``paper_near_end`` still prints.
STATES = ("online", "paper_near_end", "paper_out", "cover_open", "offline", "no_answer", "unknown")
PRINTABLE_STATES = ("online", "paper_near_end")
JOB_STATES = ("pending", "done", "cancelled", "failed")

#: How often an unchanged printer state is written again (to refresh ``checked_ms``);
#: writing every poll would mean an fsync every few seconds on an SD card.
STATE_REFRESH_MS = 60_000

#: Jobs that are documents for the office's A4 printer, not thermal receipts.
DOCUMENT_KINDS = ("letter",)
_KIND_FILTER = {False: f" AND kind NOT IN ({', '.join(repr(k) for k in DOCUMENT_KINDS)})",
                True: f" AND kind IN ({', '.join(repr(k) for k in DOCUMENT_KINDS)})"}


@dataclass(frozen=True)
class PrintJob:
    id: str
    kind: str
    ref_id: str | None
    reprint_of: str | None
    receipt_json: str
    status: str
    attempts: int
    last_error: str | None
    created_ms: int
    last_attempt_ms: int | None
    printed_ms: int | None

    @property
    def receipt(self) -> Receipt:
        """Parsed on use, so one corrupt row cannot stop listing or printing the others."""
        return Receipt.from_dict(json.loads(self.receipt_json))

    @property
    def is_document(self) -> bool:
        return self.kind in DOCUMENT_KINDS

    @property
    def document(self) -> dict[str, Any]:
        """What a document job renders (``{"document": "letter", "letter_id": ...}``)."""
        return dict(json.loads(self.receipt_json))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "ref_id": self.ref_id,
                "reprint_of": self.reprint_of,
                "receipt": None if self.is_document else self.receipt.to_dict(),
                "document": self.document if self.is_document else None,
                "status": self.status, "attempts": self.attempts, "last_error": self.last_error,
                "created_ms": self.created_ms, "last_attempt_ms": self.last_attempt_ms,
                "printed_ms": self.printed_ms}


_COLUMNS = ("id, kind, ref_id, reprint_of, receipt, status, attempts, last_error, created_ms,"
            " last_attempt_ms, printed_ms")


_INSERT = f"INSERT INTO print_jobs ({_COLUMNS}) VALUES ({', '.join('?' * 11)})"


def _job(row: tuple) -> PrintJob:
    return PrintJob(row[0], row[1], row[2], row[3], row[4], row[5], row[6] or 0, row[7], row[8],
                    row[9], row[10])


def enqueue(db: sqlite_utils.Database, receipt: Receipt, stamp: Stamp, *, kind: str,
            ref_id: str | None = None, reprint_of: str | None = None) -> str:
    """Add a pending job; the caller's write transaction must be open. Returns the job id."""
    if not kind:
        raise ValidationError("kind", "a print job needs a kind, e.g. 'ticket'")
    job_id = new_id()
    row = {"id": job_id, "kind": kind, "ref_id": ref_id, "reprint_of": reprint_of,
           "receipt": jsontext.dumps(receipt.to_dict()), "status": "pending", "attempts": 0,
           "last_error": None, "created_ms": stamp.wall_ms, "last_attempt_ms": None,
           "printed_ms": None}
    # A new row is complete in hand: a plain INSERT and the row itself as the payload
    # (outbox.save would read it back; two statements more for every ticket).
    db.conn.execute(_INSERT, list(row.values()))
    outbox.append(db, TABLE, job_id, row, stamp)
    return job_id


def enqueue_document(db: sqlite_utils.Database, document: dict[str, Any], stamp: Stamp, *,
                     kind: str, ref_id: str | None = None, reprint_of: str | None = None) -> str:
    """Add a pending document job (``kind`` one of DOCUMENT_KINDS): ``document`` says what
    to render when it prints, so the queue holds a reference, not the PDF. The caller's
    write transaction must be open."""
    if kind not in DOCUMENT_KINDS:
        raise ValidationError("kind", f"{kind!r} is not a document kind; "
                              f"kinds: {', '.join(DOCUMENT_KINDS)}")
    job_id = new_id()
    row = {"id": job_id, "kind": kind, "ref_id": ref_id, "reprint_of": reprint_of,
           "receipt": jsontext.dumps(document), "status": "pending", "attempts": 0,
           "last_error": None, "created_ms": stamp.wall_ms, "last_attempt_ms": None,
           "printed_ms": None}
    db.conn.execute(_INSERT, list(row.values()))
    outbox.append(db, TABLE, job_id, row, stamp)
    return job_id


def get_job(db: sqlite_utils.Database, job_id: str) -> PrintJob:
    row = db.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", [job_id]).fetchone()
    if row is None:
        raise NotFoundError(f"print job {job_id!r} does not exist")
    return _job(row)


def job_status(db: sqlite_utils.Database, job_id: str) -> str:
    """``pending``, ``done``, ``cancelled`` or ``failed``; NotFoundError for an unknown id."""
    row = db.execute("SELECT status FROM print_jobs WHERE id = ?", [job_id]).fetchone()
    if row is None:
        raise NotFoundError(f"print job {job_id!r} does not exist")
    return row[0]


def pending_jobs(db: sqlite_utils.Database, *, limit: int | None = None,
                 documents: bool = False) -> list[PrintJob]:
    """Jobs still to print, in the order they will print (the order they were committed):
    the thermal printer's receipts, or with ``documents`` the A4 printer's documents."""
    sql = (f"SELECT {_COLUMNS} FROM print_jobs WHERE status = 'pending'"
           f"{_KIND_FILTER[documents]} ORDER BY rowid")
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_job(r) for r in db.execute(sql, params).fetchall()]


def next_pending(db: sqlite_utils.Database, *, documents: bool = False) -> PrintJob | None:
    jobs = pending_jobs(db, limit=1, documents=documents)
    return jobs[0] if jobs else None


def pending_count(db: sqlite_utils.Database, *, documents: bool = False) -> int:
    return db.execute("SELECT count(*) FROM print_jobs WHERE status = 'pending'"
                      f"{_KIND_FILTER[documents]}").fetchone()[0]


def jobs_for(db: sqlite_utils.Database, ref_id: str) -> list[PrintJob]:
    """Every job (original and reprints) printed for a ticket or request, oldest first."""
    return [_job(r) for r in db.execute(
        f"SELECT {_COLUMNS} FROM print_jobs WHERE ref_id = ? ORDER BY rowid", [ref_id]).fetchall()]


def reprint(db: sqlite_utils.Database, job_id: str, stamp: Stamp) -> str:
    """Queue a staff-requested copy of a job's receipt, marked as a reprint. Returns the new id.

    The copy carries ``reprint_of`` so the city can count reprints per ticket.
    """
    with write_tx(db):
        original = get_job(db, job_id)
        if original.is_document:
            return enqueue_document(db, original.document, stamp, kind=original.kind,
                                    ref_id=original.ref_id, reprint_of=original.id)
        return enqueue(db, original.receipt.as_reprint(), stamp, kind=original.kind,
                       ref_id=original.ref_id, reprint_of=original.id)


def cancel(db: sqlite_utils.Database, job_id: str, stamp: Stamp) -> None:
    """Staff give up on a pending job (e.g. yesterday's tickets after a night without paper)."""
    with write_tx(db):
        status = job_status(db, job_id)
        if status == "cancelled":
            return
        if status != "pending":
            raise ValidationError("job", f"print job {job_id} is already {status}; only a "
                                  "pending job can be cancelled")
        _update(db, job_id, {"status": "cancelled"}, stamp)


def _update(db: sqlite_utils.Database, job_id: str, changes: dict[str, Any], stamp: Stamp) -> None:
    """Save the whole row with ``changes`` applied: outbox payloads are whole rows, and an
    upsert of a partial row would trip the NOT NULL columns."""
    row = dict(db[TABLE].get(job_id))
    row.update(changes)
    outbox.save(db, TABLE, row, stamp)


# -- state changes made by the print worker ---------------------------------------------

def mark_attempt(db: sqlite_utils.Database, job_id: str, stamp: Stamp) -> None:
    """Record that the worker is about to send this job (before any byte goes out), so a
    job that was interrupted shows ``attempts > 0`` after a restart."""
    with write_tx(db):
        job = get_job(db, job_id)
        _update(db, job_id, {"attempts": job.attempts + 1, "last_attempt_ms": stamp.wall_ms},
                stamp)


def mark_done(db: sqlite_utils.Database, job_id: str, stamp: Stamp) -> bool:
    """Pending -> done. Returns False (and changes nothing) if the job was not pending."""
    with write_tx(db):
        if job_status(db, job_id) != "pending":
            return False
        _update(db, job_id, {"status": "done", "printed_ms": stamp.wall_ms, "last_error": None},
                stamp)
        return True


def mark_failed(db: sqlite_utils.Database, job_id: str, error: str, stamp: Stamp) -> None:
    """The job stays pending; remember why (only written when the reason changes)."""
    with write_tx(db):
        job = get_job(db, job_id)
        if job.status == "pending" and job.last_error != error:
            _update(db, job_id, {"last_error": error}, stamp)


def mark_unprintable(db: sqlite_utils.Database, job_id: str, error: str, stamp: Stamp) -> None:
    """Pending -> failed: the receipt cannot be turned into bytes. Staff can still reprint
    the ticket after the cause is fixed; the queue behind it moves on."""
    with write_tx(db):
        if job_status(db, job_id) == "pending":
            _update(db, job_id, {"status": "failed", "last_error": error}, stamp)


# -- printer state ------------------------------------------------------------------------

def record_printer_state(db: sqlite_utils.Database, state: str, detail: str, stamp: Stamp,
                         *, uri: str = "") -> bool:
    """Store what the worker observed. Written when the state or detail changes, or when the
    stored reading is older than STATE_REFRESH_MS. Returns whether a row was written."""
    if state not in STATES:
        raise ValidationError("state", f"{state!r} is not a printer state; states: {', '.join(STATES)}")
    row = db.execute("SELECT state, detail, checked_ms FROM printer_state WHERE uri = ?",
                     [uri]).fetchone()
    changed = row is None or row[0] != state or row[1] != detail
    if not changed and row[2] is not None and stamp.wall_ms - row[2] < STATE_REFRESH_MS \
            and stamp.wall_ms >= row[2]:
        return False
    with write_tx(db):
        db.execute(
            "INSERT INTO printer_state (uri, state, detail, checked_ms, changed_ms) VALUES (?,?,?,?,?)"
            " ON CONFLICT(uri) DO UPDATE SET state=excluded.state, detail=excluded.detail,"
            " checked_ms=excluded.checked_ms,"
            " changed_ms=CASE WHEN printer_state.state = excluded.state"
            "   THEN printer_state.changed_ms ELSE excluded.changed_ms END",
            [uri, state, detail, stamp.wall_ms, stamp.wall_ms])
    return True


def printer_state(db: sqlite_utils.Database) -> dict[str, Any]:
    """The last observed printer state, for screens and the LAN API::

        {"state": "online"|"paper_near_end"|"paper_out"|"cover_open"|"offline"|"no_answer"|"unknown",
         "detail": str, "checked_ms": int | None, "pending_jobs": int}

    ``unknown`` with ``checked_ms`` None until a print worker has looked at the printer.
    """
    row = db.execute("SELECT state, detail, checked_ms FROM printer_state"
                     " ORDER BY checked_ms DESC LIMIT 1").fetchone()
    pending = pending_count(db)
    if row is None:
        return {"state": "unknown", "detail": "the printer has not been checked yet",
                "checked_ms": None, "pending_jobs": pending}
    return {"state": row[0], "detail": row[1], "checked_ms": row[2], "pending_jobs": pending}
