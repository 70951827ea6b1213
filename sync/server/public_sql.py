"""The SQL behind the public pages (``/v/``, ``/s/``, Open311), written once for both engines.

Like admin_sql, an engine hands in ``execute(sql, params)`` and the SQL of a payload field
of the changes row ``c`` (``field``: ``"code"`` -> ``json_extract(c.payload, '$.code')`` or
``c.payload->>'code'``), the expressions of its partial indexes, so both engines use them. These functions only read, and
return raw facts (payloads, office, key, times); what a stranger may see of them is decided
one layer up (sync.server.public), never here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sync.server.admin_sql import CITIZEN_TERM, Execute, offices

Field = Callable[[str], str]


def _payload(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)


def _latest(execute: Execute, where: str, params: tuple) -> dict[str, Any] | None:
    """The newest change (corrected time, then device order) of the rows ``where`` picks,
    with its office and the public key of the device that pushed it."""
    row = execute(
        "SELECT c.table_name, c.record_id, c.op, c.payload, c.corrected_ms, c.received_ms,"
        " o.code, o.name, o.timezone, d.public_key FROM changes c"
        " JOIN offices o ON o.id = c.office_id JOIN devices d ON d.id = c.device_id"
        f" WHERE {where} ORDER BY c.corrected_ms DESC, c.device_seq DESC LIMIT 1",
        params).fetchone()
    if row is None or row[2] == "delete":
        return None
    return {"table": row[0], "record_id": row[1], "payload": _payload(row[3]),
            "corrected_ms": row[4], "received_ms": row[5], "office_code": row[6],
            "office_name": row[7], "timezone": row[8], "public_key": row[9]}


def issued_letter(execute: Execute, field: Field, letter_id: str) -> dict[str, Any] | None:
    """The newest pushed state of the letter ``letter_id`` (index ``changes_letter``), and
    how many offices pushed a letter of that id (``offices``: more than one means one of
    them pushed a letter it did not issue; the page says "not genuine" then)."""
    where = f"c.table_name = 'issued_letters' AND {field('letter_id')} = ?"
    found = _latest(execute, where, (letter_id,))
    if found is not None:
        found["offices"] = execute(f"SELECT count(DISTINCT c.office_id) FROM changes c"
                                   f" WHERE {where}", (letter_id,)).fetchone()[0]
    return found


def citizen_by_code(execute: Execute, field: Field, table: str,
                    code: str) -> dict[str, Any] | None:
    """The newest pushed state of the request or complaint with tracking ``code`` (indexes
    ``changes_request_code``, ``changes_complaint_code``). Two offices sharing a code: the
    newest one (the code's 34 bits make that rare; the page shows no personal data)."""
    if table not in ("requests", "complaints"):
        raise ValueError(table)
    return _latest(execute, f"c.table_name = '{table}' AND {field('code')} = ?", (code,))


def ticket(execute: Execute, ticket_id: str) -> dict[str, Any] | None:
    """The newest pushed state of queue ticket ``ticket_id`` (index ``changes_ticket``)."""
    return _latest(execute, "c.table_name = 'tickets' AND c.record_id = ?", (ticket_id,))


def complaint_status(execute: Execute, complaint_id: str) -> dict[str, Any] | None:
    """The city's newest step of a complaint (what the kiosk pulls), with its time."""
    row = execute("SELECT payload, changed_ms FROM ref_changes WHERE table_name ="
                  " 'complaint_status' AND record_id = ? ORDER BY seq DESC LIMIT 1",
                  (complaint_id,)).fetchone()
    return {**_payload(row[0]), "changed_ms": row[1]} if row else None


def complaint_statuses(execute: Execute) -> dict[str, dict[str, Any]]:
    """Every complaint's newest city step, by complaint id."""
    out: dict[str, dict[str, Any]] = {}
    for record_id, payload, changed_ms in execute(
            "SELECT record_id, payload, changed_ms FROM ref_changes WHERE table_name ="
            " 'complaint_status' ORDER BY seq").fetchall():
        out[record_id] = {**_payload(payload), "changed_ms": changed_ms}
    return out


def reference_rows(execute: Execute, table: str) -> dict[str, dict[str, Any]]:
    """The newest state of each city-owned row of ``table`` (letter types, complaint
    categories), by record id; deleted rows left out."""
    out: dict[str, dict[str, Any]] = {}
    for record_id, op, payload in execute(
            "SELECT record_id, op, payload FROM ref_changes WHERE table_name = ?"
            " ORDER BY seq", (table,)).fetchall():
        if op == "delete":
            out.pop(record_id, None)
        else:
            out[record_id] = _payload(payload)
    return out


def citizen_latest(execute: Execute, since_ms: int) -> list[dict[str, Any]]:
    """The newest state of each letter request and complaint changed since ``since_ms``
    (corrected time; a record made later than that was changed later too), for Open311."""
    rows = execute(
        "SELECT c.table_name, c.record_id, c.payload, c.corrected_ms, c.received_ms, o.code,"
        " o.name, o.timezone FROM changes c JOIN offices o ON o.id = c.office_id JOIN ("
        f"SELECT device_id, record_id, max(device_seq) AS seq FROM changes WHERE {CITIZEN_TERM}"
        " AND (table_name = 'requests' OR table_name = 'complaints')"
        " GROUP BY device_id, record_id) m ON c.device_id = m.device_id AND c.device_seq = m.seq"
        " WHERE c.corrected_ms >= ? AND c.op = 'upsert'", (since_ms,)).fetchall()
    return [{"table": r[0], "record_id": r[1], "payload": _payload(r[2]), "corrected_ms": r[3],
             "received_ms": r[4], "office_code": r[5], "office_name": r[6], "timezone": r[7]}
            for r in rows]


def public_status(execute: Execute, field: Field, kind: str, code: str) -> dict[str, Any] | None:
    """A request, complaint or ticket as last pushed, with what its page names it by (the
    letter type, the complaint category and the city's step)."""
    if kind == "ticket":
        return ticket(execute, code)
    table = "requests" if kind == "request" else "complaints"
    found = citizen_by_code(execute, field, table, code)
    if found is None:
        return None
    if kind == "complaint":
        found["city"] = complaint_status(execute, found["record_id"])
    found["names"] = _names(execute)
    return found


def _names(execute: Execute) -> dict[str, dict[str, Any]]:
    return {"letter_types": reference_rows(execute, "letter_types"),
            "complaint_categories": reference_rows(execute, "complaint_categories")}


def open311(execute: Execute, since_ms: int) -> dict[str, Any]:
    return {"records": citizen_latest(execute, since_ms),
            "city": complaint_statuses(execute), "names": _names(execute),
            "offices": offices(execute)}
