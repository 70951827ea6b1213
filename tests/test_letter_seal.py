"""kiosk.letters.seal: one canonical form, a seal that breaks on any change or another key."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.letters import seal

LETTER = {"letter_id": "01936f0e-7c1a-7b4e-9a55-1c2b3d4e5f60", "office_code": "DEMO",
          "number": "470/001/DEMO/XII/2026", "type_code": "SKU", "applicant_name": "BUDI SANTOSO",
          "nik_masked": "6472********0003", "issued_date": "2026-12-05", "valid_until": "2027-06-03"}


def _public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_a_seal_verifies_and_breaks_on_any_change_or_key():
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signature = seal.sign(key, LETTER)
    assert seal.verify(_public(key), dict(LETTER, extra="ignored"), signature)
    for name in seal.SEALED_FIELDS:
        changed = dict(LETTER, **{name: LETTER[name][:-1] + ("X" if LETTER[name][-1] != "X" else "Y")})
        assert not seal.verify(_public(key), changed, signature), name
    assert not seal.verify(_public(other), LETTER, signature)
    assert not seal.verify(_public(key), LETTER, seal.sign(other, LETTER))
    for junk in ("", "not base64!", "AAAA"):
        assert not seal.verify(_public(key), LETTER, junk)
    assert not seal.verify(b"short", LETTER, signature)


def test_the_canonical_form_is_one_and_complete():
    assert seal.canonical_bytes(dict(reversed(list(LETTER.items())))) == seal.canonical_bytes(LETTER)
    assert b" " not in seal.canonical_bytes(LETTER).replace(b"BUDI SANTOSO", b"")
    try:
        seal.canonical_bytes({k: v for k, v in LETTER.items() if k != "number"})
    except ValueError as exc:
        assert "number" in str(exc)
    else:
        raise AssertionError("a letter without its number was sealed")
    assert seal.verify_url("https://kota.go.id/", "L1", "sig") == "https://kota.go.id/v/L1#sig"
