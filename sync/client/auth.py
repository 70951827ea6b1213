"""Access tokens: short-lived, renewed by signing the server's nonce with the device key.

Expiry is judged by the *monotonic* clock from the moment the token arrived, never by the
kiosk's wall clock: a Raspberry Pi without a battery boots in 1970 and a wrong wall clock must
neither keep a dead token nor throw away a live one. The token is renewed a little early
(``RENEW_MARGIN``) so a push never starts with seconds left.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.clock import Clock
from sync.client import identity
from sync.client.http import Http, json_of, raise_for

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


class DeviceHttp:
    """:class:`Http` as this device: each call carries the token, renewed by a signed
    challenge when it has run out and once more when the server answers 401."""

    def __init__(self, http: Http, device_id: str, data_dir: Path, clock: Clock) -> None:
        self.http = http
        self.device_id = device_id
        self.data_dir = data_dir
        self.tokens = TokenKeeper(clock)
        self._key: Ed25519PrivateKey | None = None

    def token(self) -> str:
        """A token good by this boot's monotonic clock, renewed first if needed."""
        return self.tokens.current() or self.renew()

    def renew(self) -> str:
        if self._key is None:
            self._key = identity.load(self.data_dir)
        resp = self.http.call("POST", "/auth/challenge", json_body={"device_id": self.device_id})
        raise_for(resp, "auth challenge")
        nonce = json_of(resp, "auth challenge")["nonce"]
        resp = self.http.call("POST", "/auth/token", json_body={
            "device_id": self.device_id, "nonce": nonce,
            "signature": identity.sign_b64(self._key, nonce.encode())})
        raise_for(resp, "auth token")
        body = json_of(resp, "auth token")
        self.tokens.store(body["access_token"], float(body["expires_in"]))
        return body["access_token"]

    def call(self, method: str, path: str, what: str, **kw: Any) -> httpx.Response:
        """An authenticated call; on 401 renew the token once and try again."""
        resp = self.http.call(method, path, token=self.token(), **kw)
        if resp.status_code == 401:
            self.tokens.forget()
            resp = self.http.call(method, path, token=self.renew(), **kw)
        raise_for(resp, what)
        return resp
