"""Kiosk-side writes for sync tests: print jobs (a table the server stores) through the outbox."""

from __future__ import annotations

import hashlib
import json
import os

import sqlite_utils

from kiosk import outbox, print_queue  # noqa: F401  (print_queue declares print_jobs syncable)
from kiosk.clock import Clock
from kiosk.db import write_tx
from kiosk.ids import new_id


def write_jobs(db: sqlite_utils.Database, clock: Clock, n: int, *, size: int = 40, noise: bool = False,
               extra: dict | None = None) -> list[str]:
    """Commit ``n`` print jobs (one transaction) and return their ids."""
    ids = []
    with write_tx(db):
        for i in range(n):
            stamp = clock.now()
            job_id = new_id()
            outbox.save(db, "print_jobs", {
                "id": job_id, "kind": "ticket", "ref_id": None, "reprint_of": None,
                "receipt": json.dumps({"n": i, "text": os.urandom(size // 2).hex() if noise else "x" * size}), "status": "pending",
                "attempts": 0, "last_error": None, "created_ms": stamp.wall_ms,
                "printed_ms": None, **(extra or {})}, stamp)
            ids.append(job_id)
    return ids


def kiosk_changes(db: sqlite_utils.Database) -> dict[int, str]:
    """device_seq -> canonical payload text of every change still in the outbox."""
    return {seq: payload for seq, payload in
            db.execute("SELECT seq, payload FROM outbox ORDER BY seq").fetchall()}


def checksum(payloads: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(payloads)).encode()).hexdigest()
