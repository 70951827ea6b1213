"""The administrative SQL, written once for both engines over a small adapter.

An engine hands in ``execute(sql, params)`` (SQLite's ``conn.execute`` as it is, or :func:`pg_execute`);
the statements here use ``?`` placeholders, which the PostgreSQL adapter turns into ``%s``.
The hot path (push, pull) stays in each engine, where it differs for speed and correctness.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sync.server.errors import Conflict, NotFound
from sync.server.rules import Device, Office, complaint_step

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
    for office in offices_.values():   # the citizens' requests and complaints, at a glance
        for table in CITIZEN_TABLES[:2]:
            office[table] = office["tables"].get(table, {}).get("records", 0)
    for code, n in execute("SELECT o.code, count(*) FROM ref_changes r JOIN offices o"
                           " ON o.id = r.office_id GROUP BY o.code").fetchall():
        offices_[code]["reference_changes"] = n
    dup = execute("SELECT count(*) FROM (SELECT change_id FROM changes GROUP BY change_id"
                  " HAVING count(*) > 1) d").fetchone()[0]
    total = execute("SELECT count(*) FROM changes").fetchone()[0]
    return {"offices": offices_, "changes": total, "duplicate_record_ids": dup}


#: The kiosk-owned tables of citizens' requests, listed by ``kiosk server requests|complaints
#: list``. A partial index on ``changes`` covers exactly these (both engines); a query that
#: wants it repeats :data:`CITIZEN_TERM` word for word (SQLite matches the text of the term).
CITIZEN_TABLES = ("requests", "complaints", "request_events", "complaint_events")
CITIZEN_TERM = ("(table_name = 'requests' OR table_name = 'complaints'"
                " OR table_name = 'request_events' OR table_name = 'complaint_events')")


def _payload(value: Any) -> dict[str, Any]:
    """A stored payload: jsonb comes back from psycopg as a dict, SQLite text as text."""
    return value if isinstance(value, dict) else json.loads(value)


def citizen_records(execute: Execute, table: str, office_code: str | None,
                    limit: int) -> list[dict[str, Any]]:
    """The newest state of each request or complaint (or event) the kiosks pushed, newest
    first: per record the change with the highest device sequence. ``office_code`` None:
    every office."""
    if table not in CITIZEN_TABLES:
        raise NotFound(f"no table {table!r} here; one of {', '.join(CITIZEN_TABLES)}")
    params: list[Any] = [table]
    where = f"{CITIZEN_TERM} AND table_name = ?"
    if office_code is not None:
        where += " AND office_id = ?"
        params.append(office(execute, office_code).id)
    rows = execute(
        "SELECT c.record_id, o.code, c.payload, c.corrected_ms FROM changes c"
        " JOIN offices o ON o.id = c.office_id JOIN ("
        f"SELECT device_id, record_id, max(device_seq) AS seq FROM changes WHERE {where}"
        " GROUP BY device_id, record_id) m ON c.device_id = m.device_id AND c.device_seq = m.seq"
        " ORDER BY c.corrected_ms DESC, c.record_id LIMIT ?", (*params, limit)).fetchall()
    records = [{"record_id": r[0], "office_code": r[1], "corrected_ms": r[3], **_payload(r[2])}
               for r in rows]
    if table == "complaints" and records:
        steps = _city_steps(execute, [r["record_id"] for r in records])
        for record in records:   # the city's side: what is still to answer or close
            step = steps.get(record["record_id"], {})
            record["city_status"] = step.get("status", "received")
            record["city_answer"] = step.get("answer")
            record["city_updated_ms"] = step.get("updated_ms")
    return records


def _city_steps(execute: Execute, complaint_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest ``complaint_status`` row of each complaint (index ref_changes_record)."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(complaint_ids), 500):
        chunk = complaint_ids[start:start + 500]
        for record_id, payload in execute(
                "SELECT record_id, payload FROM ref_changes WHERE table_name ="
                f" 'complaint_status' AND record_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY seq", tuple(chunk)).fetchall():
            out[record_id] = _payload(payload)
    return out


def complaint_status_change(execute: Execute, code_expr: str, code: str,
                            office_code: str | None, status: str, answer: str | None,
                            note: str | None, staff: str | None, now_ms: int
                            ) -> tuple[str, str, dict[str, Any]]:
    """Check a city step of complaint ``code`` and make its ``complaint_status`` row:
    (office id, complaint id, payload). ``code_expr``: the engine's SQL for the payload's
    ``code`` (the expression its partial index is on). NotFound for an unknown code,
    Conflict for a code two offices share (name the office) or a step the life forbids."""
    found = {(r[0], r[1]) for r in execute(
        f"SELECT office_id, record_id FROM changes WHERE table_name = 'complaints'"
        f" AND {code_expr} = ?", (code,)).fetchall()}
    if office_code is not None:
        wanted = office(execute, office_code).id
        found = {f for f in found if f[0] == wanted}
    if not found:
        where = f" of office {office_code}" if office_code else ""
        raise NotFound(f"no complaint {code!r}{where} has reached the server; the office's "
                       "kiosk may not have synced yet")
    if len(found) > 1:
        codes = sorted(r[0] for r in execute(
            f"SELECT code FROM offices WHERE id IN ({','.join('?' * len(found))})",
            tuple(f[0] for f in found)).fetchall())
        raise Conflict(f"complaint code {code!r} exists in offices {', '.join(codes)}; "
                       "name the office")
    (office_id, complaint_id), = found
    row = execute("SELECT payload FROM ref_changes WHERE table_name = 'complaint_status'"
                  " AND record_id = ? ORDER BY seq DESC LIMIT 1", (complaint_id,)).fetchone()
    before = _payload(row[0]) if row else {}
    current = before.get("status", "received")
    complaint_step(current, status, answer)
    if answer is None:   # a later step (closing) keeps the answer the citizen was given
        answer = before.get("answer")
    return office_id, complaint_id, {
        "id": complaint_id, "code": code, "status": status, "answer": answer, "note": note,
        "staff": staff, "updated_ms": now_ms}


def reference_row(execute: Execute, table: str, record_id: str
                  ) -> tuple[str | None, dict[str, Any]] | None:
    """The newest state of one server-owned record: (its office's code or None for every
    office, its payload); None when it was never sent or its newest change deletes it."""
    row = execute("SELECT r.op, r.payload, o.code FROM ref_changes r"
                  " LEFT JOIN offices o ON o.id = r.office_id"
                  " WHERE r.table_name = ? AND r.record_id = ? ORDER BY r.seq DESC LIMIT 1",
                  (table, record_id)).fetchone()
    if row is None or row[0] == "delete":
        return None
    payload = row[1] if isinstance(row[1], dict) else json.loads(row[1])  # jsonb | text
    return row[2], payload


# -- device health (provisioning.health reports, sent by each kiosk's sync worker) ----------
#: A device not heard from for this long is listed as ``silent`` (a kiosk reports every few
#: minutes while it syncs: silent means powered off, offline or its sync stopped).
SILENT_AFTER_MS = 60 * 60 * 1000

HEALTH_UPSERT = (
    "INSERT INTO device_health (device_id, received_ms, status, reasons, report)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
    " received_ms = excluded.received_ms, status = excluded.status,"
    " reasons = excluded.reasons, report = excluded.report")


def put_device_health(execute: Execute, device_id: str, status: str, reasons: str,
                      report: str, now_ms: int) -> None:
    """Keep the device's newest report (its earlier ones are of no use to anyone)."""
    execute(HEALTH_UPSERT, (device_id, now_ms, status, reasons, report))


def _get(report: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(report, dict):
            return None
        report = report.get(key)
    return report


def device_health(execute: Execute, office_code: str | None, now_ms: int,
                  device_id: str | None = None) -> list[dict[str, Any]]:
    """The fleet: every enrolled device (of one office, or one device) with its last
    report's essentials; ``report`` only when one device is asked for."""
    where, params = [], []
    if office_code is not None:
        office(execute, office_code)   # NotFound for an unknown office
        where.append("o.code = ?")
        params.append(office_code)
    if device_id is not None:
        where.append("d.id = ?")
        params.append(device_id)
    rows = execute(
        "SELECT d.id, o.code, d.enrolled_ms, d.revoked_ms, h.received_ms, h.status, h.reasons,"
        " h.report FROM devices d JOIN offices o ON o.id = d.office_id"
        " LEFT JOIN device_health h ON h.device_id = d.id"
        + (" WHERE " + " AND ".join(where) if where else "") +
        " ORDER BY o.code, d.id", params).fetchall()
    out = []
    for dev, code, enrolled_ms, revoked_ms, seen_ms, status, reasons, report in rows:
        reasons = json.loads(reasons) if reasons else []
        report = json.loads(report) if report else {}
        if revoked_ms is not None:
            shown = "revoked"
        elif seen_ms is None:
            shown = "no report"
        elif now_ms - seen_ms > SILENT_AFTER_MS:
            shown = "silent"
        else:
            shown = status
        entry = {
            "office_code": code, "device_id": dev, "enrolled_ms": enrolled_ms,
            "revoked": revoked_ms is not None, "last_seen_ms": seen_ms, "status": shown,
            "reported_status": status, "reasons": reasons,
            "codes": [str(r).split(":", 1)[0] for r in reasons],
            "version": _get(report, "version"),
            "roles": _get(report, "roles"),
            "backlog": _get(report, "sync", "backlog"),
            "oldest_pending_ms": _get(report, "sync", "oldest_pending_ms"),
            "last_good_push_ms": _get(report, "sync", "last_good_push_ms"),
            "printer": _get(report, "printer", "state"),
            "clock": _get(report, "clock", "state"),
            "clock_offset_ms": _get(report, "clock", "offset_ms"),
            "disk_free_bytes": _get(report, "disk_free_bytes"),
        }
        if device_id is not None:
            entry["report"] = report
        out.append(entry)
    if device_id is not None and not out:
        raise NotFound(f"no device {device_id!r}")
    return out
