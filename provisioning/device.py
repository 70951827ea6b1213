"""Who this device is on the LAN before anyone has configured it.

The device's Ed25519 identity key (kiosk.identity, ``identity.key`` in the data directory:
the same key that later enrolls with the city and seals letters) names it. The
**fingerprint** is the SHA-256 of the raw public key (64 hex digits); the pairing binds to
it, so a rogue device answering in this one's place cannot complete a pairing. The **short
id** is the fingerprint's first 40 bits in base32 without look-alike letters, shown as
``7F3K-Q2MA`` on the setup page and on the technician's screen so both can compare it; the
mDNS instance and host names are made from it, which keeps them unique per device.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kiosk import identity

#: Crockford's base32: no I, L, O or U, so a spoken or handwritten id is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fingerprint(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def short_id(public_raw: bytes) -> str:
    bits = int.from_bytes(hashlib.sha256(public_raw).digest()[:5], "big")
    chars = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class DeviceIdentity:
    short_id: str        # "7F3K-Q2MA"
    fingerprint: str     # 64 hex digits
    public_key: bytes    # raw 32 bytes

    @property
    def host_label(self) -> str:
        """``kiosk-7f3kq2ma``: the mDNS host and instance name."""
        return "kiosk-" + self.short_id.replace("-", "").lower()


def load(data_dir: Path) -> DeviceIdentity:
    """This device's identity, the key made now if it has none (a fresh kiosk)."""
    raw = identity.public_bytes(identity.load_or_create(Path(data_dir)))
    return DeviceIdentity(short_id(raw), fingerprint(raw), raw)
