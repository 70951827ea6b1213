"""The ordered registry of schema migrations (sqlite-utils' ``Migrations``).

Each step runs in its own transaction together with the record that it ran (the
``_sqlite_migrations`` table). Append new steps at the end; never reorder or edit a step
that has shipped. ``SCHEMA_VERSION`` is the number of steps, and every outbox change
carries it so the server knows the shape of the payload.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from kiosk.schema import (attendance, checks, clock, core, letters, printing, queue, requests,
                          sync_state)

STEPS = [
    core.m0001_core,
    queue.m0002_queue,
    printing.m0003_printing,
    sync_state.m0004_sync,
    queue.m0005_queue_days,
    checks.m0006_checks_without_in_lists,
    clock.m0007_clock_anchors,
    queue.m0008_arrival_order,
    requests.m0009_requests,
    letters.m0010_letters,
    attendance.m0011_attendance,
    attendance.m0012_faces,
]

SCHEMA_VERSION = len(STEPS)


def _registry() -> Migrations:
    migrations = Migrations("kiosk")
    for step in STEPS:
        migrations(name=step.__name__)(step)
    return migrations


def migrate(db: sqlite_utils.Database, *, stop_before: str | None = None) -> int:
    """Apply pending steps (all, or those before ``stop_before``); return the schema version.

    An up-to-date database is only read: opening it on a full disk (or a read-only copy)
    must work, so nothing is written unless a step is pending or the recorded version differs.
    """
    registry = _registry()
    if stop_before is not None or registry.pending(db):
        registry.apply(db, stop_before=stop_before)
    version = schema_version(db)
    if not db["meta"].exists():
        return version
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != str(version):
        with db.atomic():
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                       [str(version)])
    return version


def schema_version(db: sqlite_utils.Database) -> int:
    return len(_registry().applied(db))
