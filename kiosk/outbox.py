"""The outbox: the one way any record the kiosk owns reaches the city server.

Every write to a syncable table appends its change here *in the same transaction*, so a
record and its outbox row are committed or lost together. ``seq`` is the device's gapless
sequence: AUTOINCREMENT never reuses a number even after acknowledged rows are pruned, and a
rolled-back transaction takes its number back with it. The sync client (sync/) reads rows
in ``seq`` order and marks them acknowledged; it deletes only acknowledged rows, and only
after they are ``keep_days`` old (a restored server may ask for them again).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk import jsontext
from kiosk.clock import Clock, Stamp
from kiosk.errors import StoreError
from kiosk.ids import new_id

#: Tables the kiosk owns and pushes. The server owns everything else (reference data).
SYNCABLE_TABLES: set[str] = set()


def syncable(table: str) -> str:
    """Declare a table as kiosk-owned and pushed through the outbox."""
    SYNCABLE_TABLES.add(table)
    return table


@dataclass(frozen=True)
class Change:
    seq: int
    change_id: str
    table: str
    record_id: str
    op: str
    payload: dict[str, Any]
    schema_version: int
    wall_ms: int
    mono_ns: int
    boot_id: str


def append(db: sqlite_utils.Database, table: str, record_id: str, payload: dict[str, Any],
           stamp: Stamp, *, op: str = "upsert") -> int:
    """Append one change; the caller's transaction must be open. Returns the device sequence."""
    conn = db.conn
    if not conn.in_transaction:
        raise StoreError("outbox.append outside a transaction: wrap the write in kiosk.db.write_tx")
    if table not in SYNCABLE_TABLES:
        raise StoreError(f"table {table!r} is not syncable; declare it with outbox.syncable()")
    cursor = conn.execute(_APPEND_SQL, (
        new_id(), table, record_id, op, jsontext.dumps(payload),
        _schema_version(), stamp.wall_ms, stamp.mono_ns, stamp.boot_id))
    return int(cursor.lastrowid)


_APPEND_SQL = ("INSERT INTO outbox (change_id, table_name, record_id, op, payload, schema_version,"
               " wall_ms, mono_ns, boot_id) VALUES (?,?,?,?,?,?,?,?,?)")


@functools.cache
def _schema_version() -> int:
    from kiosk.migrations import SCHEMA_VERSION

    return SCHEMA_VERSION


@functools.lru_cache(maxsize=256)
def _upsert_sql(table: str, columns: tuple[str, ...]) -> str:
    """One statement that writes the row and returns it whole (SQLite >= 3.35's RETURNING)."""
    for name in (table, *columns):
        if not name.replace("_", "").isalnum():
            raise StoreError(f"{name!r} is not a plain identifier")
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "id") or '"id" = "id"'
    return (f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) '
            f'ON CONFLICT ("id") DO UPDATE SET {updates} RETURNING *')


def save(db: sqlite_utils.Database, table: str, row: dict[str, Any], clock: Clock | Stamp) -> int:
    """Upsert ``row`` (it must carry ``id``) into a syncable table and append it to the outbox.

    Columns not in ``row`` keep their stored values. The payload is the whole row after the
    write, so the server can store the newest state of each record without merging.
    """
    stamp = clock if isinstance(clock, Stamp) else clock.now()
    if "id" not in row:
        raise StoreError(f"{table}: a syncable row needs an 'id'")
    if not db.conn.in_transaction:
        raise StoreError("outbox.save outside a transaction: wrap the write in kiosk.db.write_tx")
    columns = tuple(row)
    cursor = db.conn.execute(_upsert_sql(table, columns), tuple(row.values()))
    names = [d[0] for d in cursor.description]
    full = dict(zip(names, cursor.fetchone()))
    return append(db, table, row["id"], full, stamp)


def pending(db: sqlite_utils.Database, *, limit: int = 500, after_seq: int = 0) -> list[Change]:
    """Changes not yet acknowledged by the server, oldest first."""
    rows = db.execute(
        "SELECT seq, change_id, table_name, record_id, op, payload, schema_version, wall_ms,"
        " mono_ns, boot_id FROM outbox WHERE acked_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?",
        (after_seq, limit),
    ).fetchall()
    return [Change(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8], r[9])
            for r in rows]


def mark_acked(db: sqlite_utils.Database, seqs: Iterable[int], when_ms: int) -> None:
    seqs = list(seqs)
    for start in range(0, len(seqs), 500):
        chunk = seqs[start:start + 500]
        db.conn.execute(
            f"UPDATE outbox SET acked_ms = ? WHERE seq IN ({','.join('?' * len(chunk))})",
            [when_ms, *chunk])


def pending_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE acked_ms IS NULL").fetchone()[0]


def prune_acked(db: sqlite_utils.Database, older_than_ms: int) -> int:
    """Forget acknowledged changes older than the retention horizon."""
    cur = db.conn.execute("DELETE FROM outbox WHERE acked_ms IS NOT NULL AND acked_ms < ?",
                          (older_than_ms,))
    return cur.rowcount
