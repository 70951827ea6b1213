"""Sealing enrolled face embeddings to the city's key (docs/FACES.md, "Encryption").

An office that is allowed to send faces up (``attendance.face_sync = encrypted``) pushes an
enrolment only as a sealed box the city alone can open: the edge never holds a key that
decrypts it again, so a stolen kiosk's outbox or a copy of the city's ``changes`` table
without the server's private key reveals nothing biometric.

Construction (an ECIES in the style of HPKE base mode, from ``cryptography``, already a
dependency for the badges, with aarch64 wheels):

1. a fresh X25519 key pair per sealed box (the ephemeral key);
2. shared secret = X25519(ephemeral private, city public);
3. key = HKDF-SHA256(shared, salt = ephemeral public || city public,
   info = b"kiosk-face-seal-v1", 32 bytes);
4. ChaCha20-Poly1305 with a random 96-bit nonce over the JSON list of embeddings, with the
   employee id as associated data (a box cannot be moved to another employee unnoticed).

Text form: base64 of ``0x01 | ephemeral public (32) | nonce (12) | ciphertext + tag``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
INFO = b"kiosk-face-seal-v1"
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class SealError(ValueError):
    """A key or a sealed box that is not what it claims to be (message names what)."""


def public_bytes(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(*_RAW)


def key_id(public: bytes) -> str:
    """First 4 bytes of SHA-256 of the raw public key, hex: names the key in payloads."""
    return hashlib.sha256(public).digest()[:4].hex()


def load_public(text: str) -> bytes:
    """The raw 32-byte public key from its base64 text (the ``face_key`` setting)."""
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SealError(f"face_key is not base64 ({exc})") from None
    if len(raw) != 32:
        raise SealError(f"face_key must be a 32-byte X25519 public key, not {len(raw)} bytes")
    return raw


def _key(shared: bytes, eph_pub: bytes, city_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_pub + city_pub,
                info=INFO).derive(shared)


def seal(city_public: bytes, employee_id: str, embeddings: list[list[float]]) -> str:
    """The embeddings as a sealed box only the holder of the city's private key opens."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = public_bytes(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(city_public))
    nonce = os.urandom(12)
    plain = json.dumps(embeddings, separators=(",", ":")).encode()
    box = ChaCha20Poly1305(_key(shared, eph_pub, city_public)).encrypt(
        nonce, plain, employee_id.encode())
    return base64.b64encode(bytes([VERSION]) + eph_pub + nonce + box).decode()


def open_sealed(city_private: X25519PrivateKey, employee_id: str, sealed: str
                ) -> list[list[float]]:
    """The embeddings of a sealed box (the city's side); SealError when it cannot be opened
    (another key, another employee, altered)."""
    try:
        raw = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SealError(f"sealed box is not base64 ({exc})") from None
    if len(raw) < 1 + 32 + 12 + 16 or raw[0] != VERSION:
        raise SealError("sealed box has an unknown version or is truncated")
    eph_pub, nonce, box = raw[1:33], raw[33:45], raw[45:]
    city_pub = public_bytes(city_private)
    try:
        shared = city_private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    except ValueError:              # a low-order point: no shared secret
        raise SealError("sealed box has an invalid ephemeral key") from None
    try:
        plain = ChaCha20Poly1305(_key(shared, eph_pub, city_pub)).decrypt(
            nonce, box, employee_id.encode())
    except InvalidTag:
        raise SealError("sealed box does not open with this key for this employee") from None
    return json.loads(plain)


def new_private_text() -> str:
    """A new city face key: base64 of the raw X25519 private key (kept in server_meta)."""
    raw = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption())
    return base64.b64encode(raw).decode()


def private_from_text(text: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(base64.b64decode(text))
