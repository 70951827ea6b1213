"""The seal of an issued letter: what is signed, how, and the link its QR carries.

An issued letter's facts (:data:`SEALED_FIELDS`) are serialised one way only
(:func:`canonical_bytes`: JSON, keys sorted, no spaces, UTF-8) and signed with the issuing
edge's Ed25519 identity key (the key it enrolled with; the city server holds the public
half). The QR on the letter holds ``{server}/v/{letter_id}#{signature}``: the fragment never
reaches a server's logs, and the public page checks it in the browser's request to
``/v/{letter_id}`` only against what the office pushed. Change any sealed field (a name, a
digit of the number, a date) and the signature no longer verifies; a signature made with
another office's key does not verify against this office's key either.

Library: ``cryptography`` (already the sync identity's), whose Ed25519 verify rejects
malformed keys and signatures.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: The facts a letter's seal covers, all strings ("" when a letter has none, e.g. no expiry).
SEALED_FIELDS = ("letter_id", "office_code", "number", "type_code", "applicant_name",
                 "nik_masked", "issued_date", "valid_until")


def canonical_bytes(letter: dict[str, Any]) -> bytes:
    """The one serialisation that is signed: the sealed fields as strings, sorted keys,
    compact separators, UTF-8. Extra keys in ``letter`` are ignored; a missing one is an
    error (a seal over half a letter proves nothing)."""
    missing = [name for name in SEALED_FIELDS if name not in letter]
    if missing:
        raise ValueError(f"a letter's seal needs {', '.join(missing)}")
    facts = {name: "" if letter[name] is None else str(letter[name]) for name in SEALED_FIELDS}
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: Ed25519PrivateKey, letter: dict[str, Any]) -> str:
    """The seal: base64url (no padding) of the Ed25519 signature over canonical_bytes."""
    return b64u(key.sign(canonical_bytes(letter)))


def verify(public_key: bytes, letter: dict[str, Any], signature: str) -> bool:
    """Whether ``signature`` seals exactly these facts under ``public_key`` (32 raw bytes).
    Any malformed input is simply "not genuine", never an exception."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(unb64u(signature),
                                                             canonical_bytes(letter))
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def verify_url(server: str, letter_id: str, signature: str) -> str:
    """What the letter's QR holds: the city server's public check of this letter."""
    return f"{server.rstrip('/')}/v/{letter_id}#{signature}"
