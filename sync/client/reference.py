"""Applying pulled changes to the reference tables the server owns.

Only tables in ``REFERENCE_TABLES`` are written, and never a table the kiosk owns (declared
with ``kiosk.outbox.syncable``): the owner's version wins, and the kiosk is not the owner of
anything it pulls. Columns the local schema does not know (a newer server) are dropped rather
than failing the page, so an old kiosk keeps working while a new column rolls out.

An employee the roster deletes or marks inactive loses the enrolled face embeddings in the
same transaction (UU 27/2022; docs/FACES.md): kiosk.attendance.faces.erase_local.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from kiosk import outbox
from kiosk.attendance import faces

#: local table -> primary key column
REFERENCE_TABLES: dict[str, str] = {
    "offices": "id",
    "services": "id",
    "counters": "id",
    "employees": "id",
    "settings": "key",
    "letter_types": "id",
    "letter_templates": "id",
    "complaint_categories": "id",
    # The city's status and answer of a complaint this office took (scope ``requests``),
    # kept beside the office-owned ``complaints`` row, never written into it.
    "complaint_status": "id",
}


def apply_changes(db: sqlite_utils.Database, changes: list[dict[str, Any]]) -> tuple[int, int]:
    """Apply one page inside the caller's transaction; returns (applied, ignored)."""
    applied = ignored = 0
    columns: dict[str, set[str]] = {}
    for change in changes:
        table = change.get("table")
        pk = REFERENCE_TABLES.get(table)
        if pk is None or table in outbox.SYNCABLE_TABLES or not db[table].exists():
            ignored += 1
            continue
        if table not in columns:
            columns[table] = set(db[table].columns_dict)
        known = columns[table]
        record_id = change.get("record_id")
        if change.get("op") == "delete":
            db.conn.execute(f"DELETE FROM [{table}] WHERE [{pk}] = ?", [record_id])
            if table == "employees":
                _erase_faces(db, record_id)
            applied += 1
            continue
        payload = change.get("payload") or {}
        if table == "employees" and not _active(payload.get("active", 1)):
            _erase_faces(db, record_id)
        row = {k: _sqlite_value(v) for k, v in payload.items() if k in known}
        row.setdefault(pk, record_id)
        cols = list(row)
        db.conn.execute(
            f"INSERT OR REPLACE INTO [{table}] ({', '.join(f'[{c}]' for c in cols)})"
            f" VALUES ({', '.join('?' * len(cols))})", [row[c] for c in cols])
        applied += 1
    return applied, ignored


def _active(value: Any) -> bool:
    return value not in (0, False, "0", "false", None)


def _erase_faces(db: sqlite_utils.Database, employee_id: Any) -> None:
    if isinstance(employee_id, str) and db["face_enrolments"].exists():
        faces.erase_local(db, employee_id)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value
