"""This device's Ed25519 identity key, in ``identity.key`` of the data directory.

One key, two uses: sync.client proves the device to the city server with it (enrollment,
sync/client/identity.py), and the edge seals the letters it issues with it
(kiosk.letters.seal), so the city server verifies a letter with the public key the device
enrolled with. The file is a raw 32-byte seed created with mode 0600 from the first byte
(``os.open`` with the mode, not chmod afterwards, so it is never readable by others even for
an instant). Library: ``cryptography``.
"""

from __future__ import annotations

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
    """The key, made now if this device has none yet (what enrollment would make: enrolling
    later sends this key's public half, so letters sealed before enrollment verify too)."""
    path = key_path(data_dir)
    if path.exists():
        return load(data_dir)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link, not replace: two processes making the key at once keep the first one
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return load(data_dir)


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


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes kiosk.letters.seal.verify takes."""
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)
