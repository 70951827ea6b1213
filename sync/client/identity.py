"""The device's identity: an Ed25519 key pair made at enrollment (library: ``cryptography``).

The private key is a raw 32-byte seed in ``identity.key`` in the data directory, created with
mode 0600 from the first byte (``os.open`` with the mode, not chmod afterwards, so it is never
readable by others even for an instant). The server keeps only the public key; the kiosk proves
who it is by signing the server's single-use nonce.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import StoreError

KEY_FILE = "identity.key"


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def load_or_create(data_dir: Path) -> Ed25519PrivateKey:
    path = key_path(data_dir)
    if path.exists():
        return load(data_dir)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return key


def load(data_dir: Path) -> Ed25519PrivateKey:
    path = key_path(data_dir)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise StoreError(f"{path}: no identity key; enroll this kiosk first with "
                         "'kiosk enroll --server URL --token T'") from exc
    if mode & 0o077:
        raise StoreError(f"{path}: the identity key is readable by others (mode {mode:o}); "
                         f"run 'chmod 600 {path}' and check who copied it")
    if len(raw) != 32:
        raise StoreError(f"{path}: not an Ed25519 key (expected 32 bytes, got {len(raw)}); "
                         "re-enroll the kiosk with a new token")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_b64(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()
