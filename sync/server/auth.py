"""Credentials of the city server: enrollment tokens, device signatures, access tokens.

Access tokens are stateless (HMAC-SHA256 over the device id and an expiry in the server's
milliseconds, keyed by a secret stored in the database), so any of several workers on one
PostgreSQL can check them without a lookup; revocation is still checked on every call
because the device row is read anyway. Library: ``cryptography`` for Ed25519.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TOKEN_PREFIX = "kat1"


class BadCredentials(Exception):
    """The caller is not who it says (answered 401)."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_badge_key() -> str:
    """The city's staff-badge signing key (sync/server/badges.py): base64 of a raw Ed25519
    private key, made once when the database is created and kept with the other secrets."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()


def hash_token(token: str) -> str:
    """Only hashes of enrollment tokens are stored: a leaked database enrolls nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_access_token(secret: str, device_id: str, expires_ms: int) -> str:
    body = _b64u(json.dumps({"d": device_id, "e": expires_ms}, separators=(",", ":")).encode())
    mac = hmac.new(secret.encode(), f"{TOKEN_PREFIX}.{body}".encode(), hashlib.sha256).digest()
    return f"{TOKEN_PREFIX}.{body}.{_b64u(mac)}"


def check_access_token(secret: str, token: str, now_ms: int) -> str:
    """The device id the token names, if it is ours and not expired (by the server's clock)."""
    try:
        prefix, body, mac = token.split(".")
        if prefix != TOKEN_PREFIX:
            raise ValueError(prefix)
        expected = hmac.new(secret.encode(), f"{prefix}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64u(mac)):
            raise BadCredentials("access token signature does not match; enroll again")
        claims = json.loads(_unb64u(body))
        device_id, expires_ms = str(claims["d"]), int(claims["e"])
    except BadCredentials:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCredentials("malformed access token") from exc
    if expires_ms <= now_ms:
        raise BadCredentials("access token expired; renew it with /auth/challenge")
    return device_id


def parse_public_key(text: str) -> bytes:
    """A raw Ed25519 public key (32 bytes, standard base64), or ValueError saying why not."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("public_key is not base64") from exc
    if len(raw) != 32:
        raise ValueError(f"public_key must be 32 raw Ed25519 bytes, got {len(raw)}")
    if not _is_curve_point(raw):
        raise ValueError("public_key is not a point of the Ed25519 curve")
    if _has_small_order(raw):
        raise ValueError("public_key is a small-order point (such as all zeros), which "
                         "would accept forged signatures; the kiosk must send its real key")
    Ed25519PublicKey.from_public_bytes(raw)
    return raw


# Ed25519 (RFC 8032): the field prime and the curve constant d.
_P = 2**255 - 19
_D = (-121665 * pow(121666, -1, _P)) % _P

#: Encodings of the eight points of small order (libsodium's ``has_small_order`` list;
#: compared with the sign bit cleared): 0 and 1 (orders 4 and 1), two points of order 8,
#: p-1 (order 2), and the non-canonical p and p+1. OpenSSL (under ``cryptography``) takes
#: any 32 bytes as a key, so they are refused here at enrollment.
_SMALL_ORDER = tuple(bytes.fromhex(h) for h in (
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
))


def _has_small_order(raw: bytes) -> bool:
    key = raw[:31] + bytes([raw[31] & 0x7F])
    return key in _SMALL_ORDER


def _is_curve_point(raw: bytes) -> bool:
    """Whether ``raw`` decodes to a point: y below p, and x² = (y²-1)/(d·y²+1) a square."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _P:
        return False
    x2 = (y * y - 1) * pow(_D * y * y + 1, -1, _P) % _P
    if x2 == 0:
        return not raw[31] & 0x80  # x = 0 has no negative encoding
    return pow(x2, (_P - 1) // 2, _P) == 1


def verify_signature(public_key_b64: str, message: bytes, signature_b64: str) -> None:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise BadCredentials("signature does not verify with the enrolled device key") from exc
