"""The administrative SQL, written once for both engines over a small adapter.

An engine hands in ``execute(sql, params)`` (SQLite's ``conn.execute`` as it is, or :func:`pg_execute`);
the statements here use ``?`` placeholders, which the PostgreSQL adapter turns into ``%s``.
The hot path (push, pull) stays in each engine, where it differs for speed and correctness.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sync.server.errors import NotFound
from sync.server.rules import Device, Office

Execute = Callable[..., Any]

OFFICE_COLUMNS = "id, code, name, timezone, address"
DEVICE_SQL = ("SELECT d.id, d.office_id, o.code, d.public_key, d.revoked_ms IS NOT NULL"
              " FROM devices d JOIN offices o ON o.id = d.office_id WHERE d.id = ?")


def pg_execute(conn_or_cursor) -> Execute:
    def execute(sql: str, params: Sequence[Any] = ()):
        return conn_or_cursor.execute(sql.replace("?", "%s"), params)
    return execute


def offices(execute: Execute) -> list[Office]:
    return [Office(*r) for r in
            execute(f"SELECT {OFFICE_COLUMNS} FROM offices ORDER BY code").fetchall()]


def office(execute: Execute, code: str) -> Office:
    row = execute(f"SELECT {OFFICE_COLUMNS} FROM offices WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise NotFound(f"no office {code!r}; add it with `kiosk server office add`")
    return Office(*row)


def device(execute: Execute, device_id: str) -> Device | None:
    row = execute(DEVICE_SQL, (device_id,)).fetchone()
    return Device(row[0], row[1], row[2], row[3], bool(row[4])) if row else None


def devices(execute: Execute) -> list[dict[str, Any]]:
    rows = execute("SELECT d.id, o.code, d.enrolled_ms, d.revoked_ms FROM devices d"
                   " JOIN offices o ON o.id = d.office_id ORDER BY o.code, d.id").fetchall()
    return [{"device_id": r[0], "office_code": r[1], "enrolled_ms": r[2],
             "revoked_ms": r[3]} for r in rows]


def revoke(execute: Execute, device_id: str, now_ms: int) -> None:
    cur = execute("UPDATE devices SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?",
                  (now_ms, device_id))
    if cur.rowcount == 0:
        raise NotFound(f"no device {device_id!r}")


def stats(execute: Execute) -> dict[str, Any]:
    """What ``kiosk server stats`` prints: counts per office and table."""
    offices_: dict[str, Any] = {}
    for code, name in execute("SELECT code, name FROM offices ORDER BY code").fetchall():
        offices_[code] = {"name": name, "devices": 0, "revoked_devices": 0, "tables": {},
                          "reference_changes": 0}
    for code, total, revoked in execute(
            "SELECT o.code, count(*), count(d.revoked_ms) FROM devices d"
            " JOIN offices o ON o.id = d.office_id GROUP BY o.code").fetchall():
        offices_[code]["devices"], offices_[code]["revoked_devices"] = total, revoked
    for code, table, n, records, uncertain in execute(
            "SELECT o.code, c.table_name, count(*), count(DISTINCT c.record_id),"
            " sum(CASE WHEN c.time_uncertain THEN 1 ELSE 0 END) FROM changes c"
            " JOIN offices o ON o.id = c.office_id GROUP BY o.code, c.table_name").fetchall():
        offices_[code]["tables"][table] = {"changes": n, "records": records,
                                           "time_uncertain": int(uncertain or 0)}
    for code, n in execute("SELECT o.code, count(*) FROM ref_changes r JOIN offices o"
                           " ON o.id = r.office_id GROUP BY o.code").fetchall():
        offices_[code]["reference_changes"] = n
    dup = execute("SELECT count(*) FROM (SELECT change_id FROM changes GROUP BY change_id"
                  " HAVING count(*) > 1) d").fetchone()[0]
    total = execute("SELECT count(*) FROM changes").fetchone()[0]
    return {"offices": offices_, "changes": total, "duplicate_record_ids": dup}
