"""Reading and writing the sync bookkeeping tables (kiosk/schema/sync_state.py).

All times here are either the server's (acknowledgements, last good push/pull: a kiosk clock
that jumps to 1970 or 2038 must not make the outbox forget or keep the wrong rows) or are
labelled ``*_kiosk_ms`` when they are the kiosk's own wall clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from kiosk.db import write_tx

# sync_state keys
EPOCH = "epoch"
LAST_PUSH_MS = "last_push_ms"          # server time of the last push that ended without error
LAST_PULL_MS = "last_pull_ms"
LAST_ERROR = "last_error"              # JSON {"kind", "message", "server_ms", "kiosk_ms"}
LAST_SERVER_MS = "last_server_ms"      # newest server time seen
LAST_GOOD_KIOSK_MS = "last_good_kiosk_ms"  # newest kiosk wall time seen while it agreed with the server
LAST_GOOD_SEQ = "last_good_seq"        # outbox seq when that time was recorded
CLOCK = "clock"                        # JSON: last clock sample and offset
PUSH_STRIKES = "push_strikes"          # JSON {seq: pushes it failed alone with a server error}


def get(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return row[0] if row and row[0] is not None else default


def get_int(db: sqlite_utils.Database, key: str) -> int | None:
    value = get(db, key)
    return int(value) if value is not None else None


def get_json(db: sqlite_utils.Database, key: str) -> Any:
    value = get(db, key)
    return json.loads(value) if value else None


def put(db: sqlite_utils.Database, key: str, value: Any) -> None:
    """Write one key; joins the caller's transaction or makes its own."""
    if value is not None and not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    with write_tx(db):
        db.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", [key, value])


def put_max(db: sqlite_utils.Database, key: str, value: int) -> None:
    """Keep the larger of the stored and the new value (times that only move forward)."""
    with write_tx(db):
        old = get_int(db, key)
        if old is None or value > old:
            put(db, key, value)


# cursors

def cursors(db: sqlite_utils.Database) -> dict[str, str]:
    return {scope: cursor for scope, cursor in
            db.execute("SELECT scope, cursor FROM sync_cursors").fetchall()}


def cursor(db: sqlite_utils.Database, scope: str) -> str | None:
    row = db.execute("SELECT cursor FROM sync_cursors WHERE scope = ?", [scope]).fetchone()
    return row[0] if row else None


def set_cursor(db: sqlite_utils.Database, scope: str, value: str, epoch: str | None,
               server_ms: int) -> None:
    db.execute("INSERT OR REPLACE INTO sync_cursors (scope, cursor, epoch, updated_ms)"
               " VALUES (?, ?, ?, ?)", [scope, value, epoch, server_ms])


# dead letters

def dead_letters(db: sqlite_utils.Database, limit: int = 100) -> list[dict[str, Any]]:
    return [dict(r) for r in db["sync_dead_letters"].rows_where(
        order_by="seq", limit=limit,
        select="seq, change_id, table_name, record_id, reason, created_ms")]


def dead_letter_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM sync_dead_letters").fetchone()[0]


# items the server keeps failing on (issue 10: a poisoned record must not stall the outbox)

def strikes(db: sqlite_utils.Database) -> dict[int, int]:
    return {int(seq): int(n) for seq, n in (get_json(db, PUSH_STRIKES) or {}).items()}


def add_strike(db: sqlite_utils.Database, seq: int) -> int:
    """One more failed push of ``seq`` alone; returns its count. Entries of items no longer
    pending (acknowledged or dead-lettered since) are dropped on the way, so the record stays
    as small as the number of suspects."""
    with write_tx(db):
        counts = strikes(db)
        counts[seq] = counts.get(seq, 0) + 1
        marks = ",".join("?" * len(counts))
        still = {r[0] for r in db.execute(
            f"SELECT seq FROM outbox WHERE acked_ms IS NULL AND seq IN ({marks})", list(counts))}
        put(db, PUSH_STRIKES, {str(k): v for k, v in counts.items() if k in still} or None)
        return counts[seq]


def clear_strikes(db: sqlite_utils.Database, seq: int) -> None:
    with write_tx(db):
        counts = strikes(db)
        counts.pop(seq, None)
        put(db, PUSH_STRIKES, {str(k): v for k, v in counts.items()} or None)


# credentials

@dataclass(frozen=True)
class Credentials:
    server: str
    device_id: str
    office_code: str
    office_id: str | None
    public_key: str
    key_file: str
    enrolled_ms: int


def credentials(db: sqlite_utils.Database) -> Credentials | None:
    row = db.execute("SELECT server, device_id, office_code, office_id, public_key, key_file,"
                     " enrolled_ms FROM sync_credentials WHERE id = 1").fetchone()
    return Credentials(*row) if row else None


def save_credentials(db: sqlite_utils.Database, creds: Credentials) -> None:
    with write_tx(db):
        db.execute("INSERT OR REPLACE INTO sync_credentials (id, server, device_id, office_code,"
                   " office_id, public_key, key_file, enrolled_ms) VALUES (1,?,?,?,?,?,?,?)",
                   [creds.server, creds.device_id, creds.office_code, creds.office_id,
                    creds.public_key, creds.key_file, creds.enrolled_ms])
