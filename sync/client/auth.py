"""Access tokens: short-lived, renewed by signing the server's nonce with the device key.

Expiry is judged by the *monotonic* clock from the moment the token arrived, never by the
kiosk's wall clock: a Raspberry Pi without a battery boots in 1970 and a wrong wall clock must
neither keep a dead token nor throw away a live one. The token is renewed a little early
(``RENEW_MARGIN``) so a push never starts with seconds left.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.clock import Clock

RENEW_MARGIN_S = 60


@dataclass
class Token:
    value: str
    boot_id: str
    expires_mono_ns: int


class TokenKeeper:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.token: Token | None = None

    def current(self) -> str | None:
        """The token if it is still good by the monotonic clock of this boot, else None."""
        tok = self.token
        if tok is None:
            return None
        now = self.clock.now()
        if now.boot_id != tok.boot_id or now.mono_ns >= tok.expires_mono_ns:
            return None
        return tok.value

    def store(self, value: str, expires_in_s: float, received_mono_ns: int | None = None) -> None:
        now = self.clock.now()
        start = now.mono_ns if received_mono_ns is None else received_mono_ns
        margin = min(RENEW_MARGIN_S, expires_in_s / 4)
        self.token = Token(value, now.boot_id, start + int((expires_in_s - margin) * 1e9))

    def forget(self) -> None:
        self.token = None


def sign_nonce(key: Ed25519PrivateKey, nonce: str) -> bytes:
    """The signed message is the nonce string's UTF-8 bytes (PROTOCOL.md, /auth/token)."""
    return key.sign(nonce.encode())
