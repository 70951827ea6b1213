"""Staff badges: a compact payload signed by the city server, carried by a QR code.

Layout (big-endian; docs/ATTENDANCE.md draws it)::

    version u8 | key id 4 bytes | issued u32 (minutes since 2020-01-01 UTC)
    | office code: length u8 + ASCII | employee id: length u8 + UTF-8 | Ed25519 signature 64

The signature covers ``b"kiosk-badge\\0"`` followed by everything before it. Binary fields,
not JSON, keep a badge of a short employee id under 100 bytes; the QR holds the base45 text
(RFC 9285), which QR codes store in their compact alphanumeric mode.

Base45: written here (about 25 lines, checked against RFC 9285's examples in the tests)
rather than the PyPI ``base45`` package: the encoding is fixed by the RFC, tiny, and one
less dependency to vet for aarch64. Ed25519 from ``cryptography``, as the letter seal.

Revocation: the city sends, per employee, the issue minute of the newest badge it revoked;
a badge issued at or before it is refused, a badge printed afterwards is good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
EPOCH_MS = int(EPOCH.timestamp() * 1000)
DOMAIN = b"kiosk-badge\0"
SIG_LEN = 64
KEY_ID_LEN = 4

#: Refusal reasons, stable codes (ui words them; docs/ATTENDANCE.md explains them).
MALFORMED = "malformed"        # not a badge of ours: bad base45, wrong version or length
UNKNOWN_KEY = "unknown_key"    # signed by a key this office was never sent (another city)
FORGED = "forged"              # the signature does not match: made without the key, or altered
ANOTHER_OFFICE = "another_office"
REVOKED = "revoked"
EXPIRED = "expired"
REASONS = (MALFORMED, UNKNOWN_KEY, FORGED, ANOTHER_OFFICE, REVOKED, EXPIRED)

# -- base45 (RFC 9285) ---------------------------------------------------------------------
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(_B45)}


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += (_B45[c], _B45[d], _B45[e])
    if len(data) % 2:
        c, d = data[-1] % 45, data[-1] // 45
        out += (_B45[c], _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Raises ValueError on any character or group RFC 9285 does not allow."""
    try:
        values = [_B45_INDEX[c] for c in text]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a base45 character") from None
    if len(values) % 3 == 1:
        raise ValueError("base45 text of a length that no bytes encode to")
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i:i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("base45 group out of range")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise ValueError("base45 group out of range")
            out.append(n)
    return bytes(out)


# -- keys ----------------------------------------------------------------------------------
def key_id(public_key: bytes) -> str:
    """The 4-byte id a badge names its key by: the start of SHA-256 of the raw public key."""
    return hashlib.sha256(public_key).digest()[:KEY_ID_LEN].hex()


def public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)


# -- payload -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Badge:
    employee_id: str
    office_code: str
    issued_min: int      # minutes since 2020-01-01 UTC
    key_id: str          # hex, 8 characters
    body: bytes          # what the signature covers, without DOMAIN
    signature: bytes

    @property
    def issued_date(self) -> date:
        return (EPOCH + timedelta(minutes=self.issued_min)).date()


def issued_minute(wall_ms: int) -> int:
    return max(0, (wall_ms - EPOCH_MS) // 60_000)


def _field(text: str, name: str) -> bytes:
    raw = text.encode()
    if not 0 < len(raw) < 256:
        raise ValueError(f"{name} must be 1-255 bytes, got {len(raw)}")
    return bytes([len(raw)]) + raw


def body_bytes(employee_id: str, office_code: str, issued_min: int, kid: str) -> bytes:
    if not office_code.isascii():
        raise ValueError("office code must be ASCII")
    return (bytes([VERSION]) + bytes.fromhex(kid) + issued_min.to_bytes(4, "big")
            + _field(office_code, "office code") + _field(employee_id, "employee id"))


def issue_badge(private_key: Ed25519PrivateKey, employee_id: str, office_code: str,
                issued_ms: int) -> str:
    """The base45 text of a badge (what the QR holds)."""
    body = body_bytes(employee_id, office_code, issued_minute(issued_ms),
                      key_id(public_bytes(private_key)))
    return b45encode(body + private_key.sign(DOMAIN + body))


def parse_badge(text: str) -> Badge:
    """The badge's fields, unchecked; ValueError for anything that is not one."""
    raw = b45decode(text)   # never strip: a space is a base45 character
    if len(raw) < 1 + KEY_ID_LEN + 4 + 2 + 2 + SIG_LEN or raw[0] != VERSION:
        raise ValueError("not a version-1 badge")
    body, signature = raw[:-SIG_LEN], raw[-SIG_LEN:]
    kid = body[1:5].hex()
    issued = int.from_bytes(body[5:9], "big")
    pos = 9
    fields = []
    for _ in range(2):
        if pos >= len(body):
            raise ValueError("badge ends inside a field")
        n = body[pos]
        if n == 0 or pos + 1 + n > len(body):
            raise ValueError("badge field length out of range")
        fields.append(body[pos + 1:pos + 1 + n].decode())   # UnicodeDecodeError is a ValueError
        pos += 1 + n
    if pos != len(body):
        raise ValueError("bytes after the last badge field")
    return Badge(fields[1], fields[0], issued, kid, body, signature)


@dataclass(frozen=True)
class BadgeCheck:
    ok: bool
    reason: str | None          # None when ok, else one of REASONS
    employee_id: str | None = None
    key_id: str | None = None
    issued_min: int | None = None


def verify_badge(text: str, keys: dict[str, bytes], revoked: dict[str, int],
                 office_code: str, today: date, max_age_days: int = 0) -> BadgeCheck:
    """Whether ``text`` is a good badge of this office today.

    ``keys``: key id (hex) -> raw Ed25519 public key, as the city sent them; ``revoked``:
    employee id -> issue minute of the newest revoked badge; ``max_age_days`` 0: no expiry.
    Checks run in this order, so a refusal names the first thing wrong; the fields of a
    badge are reported only once its signature holds.
    """
    try:
        badge = parse_badge(text)
    except ValueError:
        return BadgeCheck(False, MALFORMED)
    public = keys.get(badge.key_id)
    if public is None:
        return BadgeCheck(False, UNKNOWN_KEY, key_id=badge.key_id)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(badge.signature, DOMAIN + badge.body)
    except (InvalidSignature, ValueError):
        return BadgeCheck(False, FORGED, key_id=badge.key_id)
    found = dict(employee_id=badge.employee_id, key_id=badge.key_id,
                 issued_min=badge.issued_min)
    if badge.office_code != office_code:
        return BadgeCheck(False, ANOTHER_OFFICE, **found)
    cutoff = revoked.get(badge.employee_id)
    if cutoff is not None and badge.issued_min <= cutoff:
        return BadgeCheck(False, REVOKED, **found)
    if max_age_days > 0 and (today - badge.issued_date).days > max_age_days:
        return BadgeCheck(False, EXPIRED, **found)
    return BadgeCheck(True, None, **found)
