"""Faces at the city server (docs/FACES.md): the city's face key, and erasure.

The city holds one X25519 key (``server_meta.face_key``, base64 of the raw private key,
made with the database like the badge key; back it up with the database). Its public half
goes to every office as the reference setting ``face_key``; an office allowed to
(``attendance.face_sync = encrypted``) pushes each enrolment as a ``face_sealed`` record
sealed to it (kiosk.attendance.face_seal), never the raw embedding.

Erasure (UU 27/2022), in the same transaction as the write that asks for it, both engines:

- a pushed ``face_erasures`` record hard-deletes the office's ``face_sealed`` rows of that
  employee, except those the same device pushed after the erasure (a re-enrolment);
- a ``face_sealed`` record pushed for an employee the city already deleted or deactivated
  is deleted again at once (the office was offline when the roster changed);
- the city deleting or deactivating an employee (``PUT /admin/reference``, table
  ``employees``) hard-deletes every ``face_sealed`` row of that employee.

"Hard-delete" is a DELETE of the ``changes`` rows; the pushed erasure record itself (employee
id, reason, time: no biometric data) stays, as the proof that the erasure happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.attendance import face_seal
from sync import protocol
from sync.server.admin_sql import Execute
from sync.server.wire import text_problem

SEALED, ERASURES = "face_sealed", "face_erasures"
FACE_TABLES = frozenset({SEALED, ERASURES})
#: The employee id of a pushed row, per engine (the expression of the ``changes_face`` index).
SQLITE_EMPLOYEE = "json_extract(payload, '$.employee_id')"
PG_EMPLOYEE = "(payload->>'employee_id')"
SETTING = "face_key"


def new_face_key() -> str:
    """The city's face key, made once with the database (kept in ``server_meta``)."""
    return face_seal.new_private_text()


def private_key(store) -> X25519PrivateKey:
    return face_seal.private_from_text(store.face_key)


def public_info(store) -> dict[str, str]:
    import base64

    public = face_seal.public_bytes(private_key(store))
    return {"face_key": base64.b64encode(public).decode(), "key_id": face_seal.key_id(public),
            "algorithm": "X25519-HKDF-SHA256-ChaCha20Poly1305"}


def publish_key(store, now_ms: int) -> dict[str, Any]:
    """Send the public key to every office as the ``face_key`` setting (again only when the
    offices' copy differs). Returns :func:`public_info` and whether it was sent now."""
    info = public_info(store)
    sent = store.reference_row("settings", SETTING)
    fresh = sent is None or sent[1].get("value") != info["face_key"]
    if fresh:
        store.put_reference(None, [protocol.ReferenceChange(
            table="settings", record_id=SETTING, op="upsert",
            payload={"key": SETTING, "value": info["face_key"]})], now_ms)
    return {**info, "published_now": fresh}


def open_payload(store, payload: dict[str, Any]) -> list[list[float]]:
    """The embeddings of a pushed ``face_sealed`` payload (the city's side)."""
    return face_seal.open_sealed(private_key(store), payload["employee_id"], payload["sealed"])


def has_face_items(items: Iterable[Any]) -> bool:
    return any(item.table in FACE_TABLES for item in items)


def stored_items(batch: Any, prepared: Any) -> list[Any]:
    """The batch's face items this server admitted (stored now or before): a rejected item
    (text the database cannot hold, an unknown schema) erases nothing."""
    admitted = set(prepared.seqs)
    return [i for i in batch.items if i.table in FACE_TABLES and i.device_seq in admitted]


def _employee_of(raw: Any) -> str | None:
    try:
        value = msgspec.json.decode(bytes(raw)).get("employee_id")
    except (msgspec.DecodeError, AttributeError, TypeError):
        return None
    return value if isinstance(value, str) and value and not text_problem(value) else None


def erase_after_push(execute: Execute, employee_expr: str, device_id: str, office_id: str,
                     items: Iterable[Any]) -> int:
    """In the push's transaction, after its rows are stored: apply the batch's erasures
    (also those already stored before: a replay erases again), and drop sealed rows of
    employees the city no longer has. Returns the number of rows deleted."""
    deleted = 0
    sealed: set[str] = set()
    for item in items:
        if item.table not in FACE_TABLES:
            continue
        employee = _employee_of(item.payload)
        if employee is None:
            continue
        if item.table == SEALED:
            sealed.add(employee)
            continue
        deleted += execute(
            f"DELETE FROM changes WHERE table_name = '{SEALED}' AND office_id = ? AND"
            f" {employee_expr} = ? AND NOT (device_id = ? AND device_seq > ?)",
            (office_id, employee, device_id, item.device_seq)).rowcount
    for employee in sorted(sealed):
        if dropped_by_city(execute, employee):
            deleted += erase_employee(execute, employee_expr, employee)
    return deleted


def dropped_by_city(execute: Execute, employee_id: str) -> bool:
    """Whether the city's newest roster change of this employee deletes or deactivates it
    (an employee the city never sent is not dropped: its roster may live elsewhere)."""
    row = execute("SELECT op, payload FROM ref_changes WHERE table_name = 'employees' AND"
                  " record_id = ? ORDER BY seq DESC LIMIT 1", (employee_id,)).fetchone()
    if row is None:
        return False
    payload = row[1] if isinstance(row[1], dict) else msgspec.json.decode(row[1])
    return row[0] == "delete" or not _active(payload.get("active", 1))


def _active(value: Any) -> bool:
    return value not in (0, False, "0", "false", None)


def dropped_employees(changes: Sequence[protocol.ReferenceChange]) -> list[str]:
    """Employees a roster write deletes or deactivates."""
    return sorted({c.record_id for c in changes if c.table == "employees" and (
        c.op == "delete" or not _active((c.payload or {}).get("active", 1)))})


def erase_employee(execute: Execute, employee_expr: str, employee_id: str) -> int:
    """Hard-delete every sealed face row of an employee, whichever office pushed it."""
    return execute(f"DELETE FROM changes WHERE table_name = '{SEALED}' AND {employee_expr} = ?",
                   (employee_id,)).rowcount
