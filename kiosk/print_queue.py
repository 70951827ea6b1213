"""The persistent print queue: a print job is a row, written in the same transaction as the
ticket or request it belongs to, so a committed ticket always has its receipt waiting.

The worker that sends jobs to the printer lives in devices/printer (it is a device concern);
this module only holds the rows and their state changes. See docs/PRINTING.md for the
delivery guarantee.
"""

from __future__ import annotations

import json

import sqlite_utils

from kiosk import outbox
from kiosk.clock import Stamp
from kiosk.ids import new_id
from kiosk.receipt import Receipt

TABLE = outbox.syncable("print_jobs")


def enqueue(db: sqlite_utils.Database, receipt: Receipt, stamp: Stamp, *, kind: str,
            ref_id: str | None = None, reprint_of: str | None = None) -> str:
    """Add a pending job; the caller's write transaction must be open. Returns the job id."""
    job_id = new_id()
    outbox.save(db, TABLE, {
        "id": job_id, "kind": kind, "ref_id": ref_id, "reprint_of": reprint_of,
        "receipt": json.dumps(receipt.to_dict(), ensure_ascii=False, sort_keys=True),
        "status": "pending", "attempts": 0, "last_error": None,
        "created_ms": stamp.wall_ms, "printed_ms": None,
    }, stamp)
    return job_id
