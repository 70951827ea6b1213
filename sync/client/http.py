"""HTTP to the city server: the httpx client with the protocol header, and its answers
turned into :mod:`sync.client.errors` (a lost link is :class:`LinkError`, retried later).

Used by enrollment (no token yet) and, through :class:`sync.client.auth.DeviceHttp`, by
every call a sync session makes as this device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from sync import protocol
from sync.client.errors import (
    AuthError,
    LinkError,
    ServerBusy,
    ServerRefused,
    SyncError,
    UpgradeRequired,
)


def check_server_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError(f"server address {url!r} must look like http://HOST:PORT or https://HOST")
    return url.rstrip("/")


class Http:
    """httpx with the protocol header; a request that gets no answer raises LinkError."""

    def __init__(self, server: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        base_url = check_server_url(server)
        self.client = httpx.Client(
            base_url=base_url, transport=transport,
            # Plain http never uses TLS: skip loading the CA bundle (~20 ms per session,
            # more on a Pi). https keeps full verification.
            verify=not base_url.startswith("http://"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(keepalive_expiry=protocol.KIOSK_KEEP_ALIVE_S),
            headers={protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
                     "Accept-Encoding": "zstd, gzip"})

    def call(self, method: str, path: str, *, token: str | None = None,
             json_body: Any = None, content: bytes | None = None,
             headers: dict[str, str] | None = None, params: dict | None = None,
             on_headers: Callable[[int], None] | None = None) -> httpx.Response:
        """One request, body read. ``on_headers(status)`` runs as soon as the status line and
        headers are in, before the body (on a slow link the body can take seconds)."""
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            request = self.client.build_request(method, path, json=json_body, content=content,
                                                headers=hdrs, params=params)
            resp = self.client.send(request, stream=True)
            try:
                if on_headers is not None:
                    on_headers(resp.status_code)
                resp.read()
            finally:
                resp.close()
        except httpx.TransportError as exc:
            raise LinkError(f"{method} {path}: no answer from the server "
                            f"({type(exc).__name__}: {exc or 'connection lost'}); will retry") from exc
        return resp

    def close(self) -> None:
        self.client.close()


def raise_for(resp: httpx.Response, what: str) -> None:
    code = resp.status_code
    if code < 400:
        return
    detail = detail_of(resp)
    if code == 426:
        raise UpgradeRequired(f"{what}: the server needs a newer kiosk: {detail}")
    if code == 401:
        raise AuthError(f"{what}: not authorised ({detail}); if the device was revoked, "
                        "enroll it again with a new token")
    if code in (429, 503):
        raise ServerBusy(f"{what}: server busy ({code}); backing off",
                         retry_after=_retry_after(resp))
    raise ServerRefused(f"{what}: server answered {code}: {detail}", code)


def json_of(resp: httpx.Response, what: str) -> Any:
    """The answer's JSON, decoded by msgspec (a push answer is 500 small objects: ~3x
    faster than ``resp.json()``, on the kiosk's side of bench/sync.py)."""
    try:
        return msgspec.json.decode(resp.content)
    except ValueError as exc:
        raise LinkError(f"{what}: the answer was cut off or is not JSON; will retry") from exc


def detail_of(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return str(body.get("detail", body)) if isinstance(body, dict) else str(body)
    except ValueError:
        return resp.text[:200] or resp.reason_phrase


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None

