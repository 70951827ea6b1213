"""The device's identity: an Ed25519 key pair made at enrollment (library: ``cryptography``).

The key file itself (``identity.key``: a raw 32-byte seed, mode 0600 from the first byte) is
kept by kiosk.identity, because the edge also seals the letters it issues with it and kiosk/
does not import sync/. The server keeps only the public key; the kiosk proves who it is by
signing the server's single-use nonce.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.identity import KEY_FILE, key_path, load, load_or_create

__all__ = ["KEY_FILE", "key_path", "load", "load_or_create", "public_key_b64", "sign_b64"]


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_b64(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()
