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
    Ed25519PublicKey.from_public_bytes(raw)
    return raw


def verify_signature(public_key_b64: str, message: bytes, signature_b64: str) -> None:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise BadCredentials("signature does not verify with the enrolled device key") from exc
