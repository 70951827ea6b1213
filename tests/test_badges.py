"""Badges (kiosk.badges): base45 against RFC 9285, the payload's size, and the refusals,
with hypothesis properties: any bit flip is refused, any other key is refused."""

from __future__ import annotations

from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings, strategies as st

from kiosk import badges

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUB = badges.public_bytes(KEY)
KEYS = {badges.key_id(PUB): PUB}
ISSUED_MS = 1_795_000_000_000           # 2026-11-18
TODAY = date(2026, 12, 1)
GOOD = badges.issue_badge(KEY, "emp-1001", "KLR1", ISSUED_MS)


def check(text, keys=KEYS, revoked=None, office="KLR1", today=TODAY, max_age=0):
    return badges.verify_badge(text, keys, revoked or {}, office, today, max_age)


def test_base45_rfc9285_examples():
    assert badges.b45encode(b"AB") == "BB8"
    assert badges.b45encode(b"Hello!!") == "%69 VD92EX0"
    assert badges.b45encode(b"base-45") == "UJCLQE7W581"
    assert badges.b45decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "A", "a"):          # 65535 + 1; a lone char; lower case
        try:
            badges.b45decode(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} decoded")


def test_payload_is_compact_and_round_trips():
    raw = badges.b45decode(GOOD)
    # 1 version + 4 key id + 4 minute + (1+4) office + (1+8) employee + 64 signature
    assert len(raw) == 87
    badge = badges.parse_badge(GOOD)
    assert (badge.employee_id, badge.office_code, badge.issued_date) == ("emp-1001", "KLR1",
                                                                          date(2026, 11, 18))
    assert check(GOOD) == badges.BadgeCheck(True, None, "emp-1001", badges.key_id(PUB),
                                            badge.issued_min)


def test_each_refusal_has_its_reason():
    other = Ed25519PrivateKey.generate()
    assert check("not a badge").reason == badges.MALFORMED
    assert check("").reason == badges.MALFORMED
    assert check(GOOD, keys={}).reason == badges.UNKNOWN_KEY
    assert check(badges.issue_badge(other, "emp-1001", "KLR1", ISSUED_MS)).reason == \
        badges.UNKNOWN_KEY
    assert check(GOOD, office="KLR2").reason == badges.ANOTHER_OFFICE
    minute = badges.parse_badge(GOOD).issued_min
    assert check(GOOD, revoked={"emp-1001": minute}).reason == badges.REVOKED
    assert check(GOOD, revoked={"emp-1001": minute - 1}).ok     # a newer badge after revoking
    assert check(GOOD, revoked={"emp-2002": minute}).ok
    assert check(GOOD, max_age=10).reason == badges.EXPIRED
    assert check(GOOD, max_age=30).ok


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_bit_flip_is_refused(data):
    raw = bytearray(badges.b45decode(GOOD))
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    result = check(badges.b45encode(bytes(raw)))
    assert not result.ok
    assert result.reason in (badges.MALFORMED, badges.UNKNOWN_KEY, badges.FORGED)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.text(min_size=1, max_size=30),
       st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12))
def test_any_other_key_is_refused(seed, employee_id, office):
    other = Ed25519PrivateKey.from_private_bytes(seed)
    if badges.public_bytes(other) == PUB:
        return
    text = badges.issue_badge(other, employee_id, office, ISSUED_MS)
    assert check(text, office=office).reason == badges.UNKNOWN_KEY
    # the same badge claiming this city's key id: the signature gives it away
    raw = bytearray(badges.b45decode(text))
    raw[1:5] = bytes.fromhex(badges.key_id(PUB))
    assert check(badges.b45encode(bytes(raw)), office=office).reason == badges.FORGED


@given(st.text(max_size=200))
def test_any_text_is_answered_never_raised(text):
    assert check(text).reason in badges.REASONS or check(text).ok
