"""Fault-injecting httpx transports: the server stays real, the wire misbehaves.

:class:`FaultTransport` wraps another transport (in tests, starlette's TestClient transport
calling the real FastAPI app in-process) and applies planned faults to matching requests:

- ``drop_request``: the request never reaches the server (ConnectError).
- ``drop_response``: the server handles and commits; the answer is lost (ReadError).
- ``duplicate``: the request reaches the server twice; the client sees the second answer.
- ``reorder``: the items of a push batch arrive in reverse order.
- ``late``: the request is held back (the client times out) and delivered after the next one,
  as a retransmission that arrives late.
- ``truncate_request`` / ``truncate_response``: half the body goes missing.
- ``status``: an injected answer (401 / 429 / 503 ...) with an optional Retry-After.

:class:`PoisonTransport` is a server bug for one record: every push whose batch carries it
is answered 500 (as the PostgreSQL server did for text with U+0000); the others go through.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field

import httpx
import zstandard

KINDS = ("drop_request", "drop_response", "duplicate", "reorder", "late", "truncate_request",
         "truncate_response", "status")


@dataclass
class Fault:
    kind: str
    path: str = "/sync/push"
    status: int = 503
    retry_after: str | None = None
    times: int = 1


@dataclass
class FaultTransport(httpx.BaseTransport):
    inner: httpx.BaseTransport
    plan: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str, object]] = field(default_factory=list)
    held: list[httpx.Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, path: str = "/sync/push", **kw) -> FaultTransport:
        assert kind in KINDS, kind
        self.plan.append(Fault(kind, path, **kw))
        return self

    def clear(self) -> None:
        self.plan.clear()

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.plan:
                if fault.path == path or fault.path == "*":
                    fault.times -= 1
                    if fault.times <= 0:
                        self.plan.remove(fault)
                    return fault
        return None

    def forward(self, request: httpx.Request, content: bytes | None = None) -> httpx.Response:
        body = request.read() if content is None else content
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
        copy = httpx.Request(request.method, request.url, headers=headers, content=body)
        resp = self.inner.handle_request(copy)
        resp.read()
        return resp

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._take(request.url.path)
        kind = fault.kind if fault else "pass"
        self.log.append((request.url.path, kind, None))
        try:
            resp = self._apply(fault, request)
        finally:
            if kind != "late":
                self._release_held(request.url.path)
        return resp

    def _release_held(self, path: str) -> None:
        """Deliver held requests once a later request to the same path has been handled."""
        for late in [r for r in self.held if r.url.path == path]:
            self.held.remove(late)
            self.log.append((late.url.path, "late-delivered", None))
            self.forward(late)

    def _apply(self, fault: Fault | None, request: httpx.Request) -> httpx.Response:
        if fault is None:
            return self.forward(request)
        if fault.kind == "drop_request":
            raise httpx.ConnectError("injected: request dropped", request=request)
        if fault.kind == "drop_response":
            self.forward(request)
            raise httpx.ReadError("injected: response dropped after the server handled it",
                                  request=request)
        if fault.kind == "duplicate":
            self.forward(request)
            return self.forward(request)
        if fault.kind == "reorder":
            return self.forward(request, reverse_items(request))
        if fault.kind == "late":
            request.read()
            self.held.append(request)
            raise httpx.ReadTimeout("injected: no answer in time (request held back)", request=request)
        if fault.kind == "truncate_request":
            body = request.read()
            return self.forward(request, body[: len(body) // 2])
        if fault.kind == "truncate_response":
            resp = self.forward(request)
            headers = [(k, v) for k, v in resp.headers.multi_items()
                       if k.lower() not in ("content-length", "content-encoding")]
            return httpx.Response(resp.status_code, headers=headers,
                                  content=resp.content[: len(resp.content) // 2], request=request)
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return httpx.Response(fault.status, headers=headers,
                                  json={"detail": f"injected {fault.status}"}, request=request)
        raise AssertionError(fault.kind)

    def close(self) -> None:
        self.inner.close()


def decode_body(request: httpx.Request) -> tuple[dict, str]:
    body = request.read()
    enc = request.headers.get("content-encoding", "identity")
    if enc == "zstd":
        body = zstandard.ZstdDecompressor().decompress(body)
    elif enc == "gzip":
        body = gzip.decompress(body)
    return json.loads(body), enc


def encode_body(data: dict, enc: str) -> bytes:
    raw = json.dumps(data).encode()
    if enc == "zstd":
        return zstandard.ZstdCompressor().compress(raw)
    if enc == "gzip":
        return gzip.compress(raw)
    return raw


def reverse_items(request: httpx.Request) -> bytes:
    data, enc = decode_body(request)
    data["items"] = list(reversed(data["items"]))
    return encode_body(data, enc)


@dataclass
class PoisonTransport(httpx.BaseTransport):
    """Answers 500 to any push carrying ``record_id``; ``down`` answers 500 to every push (a
    server failing everything). Everything else reaches ``inner`` unchanged."""

    inner: httpx.BaseTransport
    record_id: str
    down: bool = False
    pushes: list[tuple[int, int]] = field(default_factory=list)  # (items, status)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/sync/push":
            return self.inner.handle_request(request)
        data, _enc = decode_body(request)
        items = data.get("items", [])
        if self.down or any(i.get("record_id") == self.record_id for i in items):
            self.pushes.append((len(items), 500))
            return httpx.Response(500, text="Internal Server Error", request=request)
        resp = self.inner.handle_request(request)
        self.pushes.append((len(items), resp.status_code))
        return resp

    def close(self) -> None:
        self.inner.close()
