"""Staff badges at the city server (docs/ATTENDANCE.md): the city holds one Ed25519 signing
key (``server_meta.badge_key``, made with the database, like the token secret); a badge is
issued for an employee of the roster and names the employee's office.

What the offices need to check badges travels as reference ``settings`` rows (scope
``reference``, so they come down with the roster): ``badge_key.<key id>`` = base64 of the
public key, for every office; ``badge_revoked.<employee id>`` = the issue minute of the
newest revoked badge, for the employee's office. One row per key and per employee, so a
revocation never rewrites a list another admin may be changing.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import badges
from sync import protocol
from sync.server.errors import Invalid, NotFound
from sync.server.store import Store


@dataclass(frozen=True)
class IssuedBadge:
    employee_id: str
    name: str
    office_code: str
    key_id: str
    issued_ms: int
    badge: str          # the base45 text the QR holds


def signing_key(store: Store) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(store.badge_key))


def _key_setting(key: Ed25519PrivateKey) -> tuple[str, protocol.ReferenceChange]:
    public = badges.public_bytes(key)
    kid = badges.key_id(public)
    return kid, protocol.ReferenceChange(
        table="settings", record_id=f"badge_key.{kid}", op="upsert",
        payload={"key": f"badge_key.{kid}", "value": base64.b64encode(public).decode()})


def publish_key(store: Store, now_ms: int) -> str:
    """Send the public key to every office (once: again only if it was deleted)."""
    kid, change = _key_setting(signing_key(store))
    if store.reference_row("settings", change.record_id) is None:
        store.put_reference(None, [change], now_ms)
    return kid


def employee(store: Store, employee_id: str) -> tuple[str, dict]:
    """(office code, roster row) of an employee the city sent to an office."""
    if not employee_id or len(employee_id) > 255:
        raise Invalid("employee id must be 1-255 characters")
    found = store.reference_row("employees", employee_id)
    if found is None or found[0] is None:
        raise NotFound(f"no employee {employee_id!r} in any office's roster; add it with"
                       " PUT /admin/reference (table employees) first")
    office_code, row = found
    if not row.get("active", 1):
        raise Invalid(f"employee {employee_id!r} is not active; no badge is issued")
    return office_code, row


def issue(store: Store, employee_id: str, now_ms: int) -> IssuedBadge:
    office_code, row = employee(store, employee_id)
    key = signing_key(store)
    kid = publish_key(store, now_ms)
    try:
        text = badges.issue_badge(key, employee_id, office_code, now_ms)
    except ValueError as exc:
        raise Invalid(f"employee {employee_id!r}: {exc}") from exc
    return IssuedBadge(employee_id, str(row.get("name") or ""), office_code, kid, now_ms, text)


def revoke(store: Store, employee_id: str, now_ms: int) -> dict:
    """Refuse every badge of the employee issued up to now (a new one may be printed from
    the next minute)."""
    office_code, _ = employee(store, employee_id)
    minute = badges.issued_minute(now_ms)
    store.put_reference(office_code, [protocol.ReferenceChange(
        table="settings", record_id=f"badge_revoked.{employee_id}", op="upsert",
        payload={"key": f"badge_revoked.{employee_id}", "value": str(minute)})], now_ms)
    return {"employee_id": employee_id, "office_code": office_code, "revoked_up_to_min": minute}
