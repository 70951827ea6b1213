"""The edge appliance's LAN API: the office's operations over HTTP JSON, plus a pushed change feed.

Counter consoles, boards and admin screens elsewhere in the office use it through
:class:`sync.lan.client.RemoteOffice`; one route per operation of every feature of the
office client (kiosk.optable), generated from the tables. Library: FastAPI on uvicorn (the stack the city server
uses too), sse-starlette for the event stream. docs/LAN.md lists the endpoints.

Why server-sent events and not a WebSocket: updates flow one way (edge -> screens) while
commands are ordinary requests that need ordinary answers and status codes; SSE is plain HTTP
(the same token header, the same client library), and its ``Last-Event-ID`` is exactly the
resume point the gapless queue-event ids give us, so a reconnecting board misses nothing.

Every endpoint needs ``Authorization: Bearer <[lan] token>`` (compared in constant time)
except ``GET /lan/hello``, which says only which office and protocol this is.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import inspect
import json
import re
import signal
import socket
import threading
import time
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from kiosk.errors import ConfigError, KioskError, NotFoundError, ValidationError
from kiosk.office import LocalOffice, OfficeClient
from kiosk.optable import Feature, Op
from kiosk.queue.client import LocalQueue, QueueClient
from kiosk.queue.ops_table import MAX_EVENT_ID, QUEUE
from kiosk.runtime import Runtime
from sync.lan import wire
from sync.lan.errors import LanError
from sync.lan.feed import Feed

#: Keep-alive on the event stream: a client that hears nothing for a few of these has lost the
#: edge (a power cut sends no TCP FIN), and its watch loop notices stop within one of them.
PING_SECONDS = 1.0
#: How many answers to mutating requests are kept for retries with the same Idempotency-Key.
REPLAY_SIZE = 4096
MIN_TOKEN_LENGTH = 16
#: A ``Last-Event-ID`` the edge understands: ASCII digits that fit in MAX_EVENT_ID. Any other
#: value is ignored (the SSE spec's answer to an id we never sent), never a 500.
_EVENT_ID = re.compile(r"[0-9]{1,19}")
#: Operations the API answers from the event streams' own connection.
FEED_READS = frozenset({"events_since", "last_event_id"})
#: Paths anyone may read: the discovery check and the API's own description.
OPEN_PATHS = frozenset({f"{wire.PREFIX}/hello", f"{wire.PREFIX}/openapi.json"})


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every refusal: the error's class name and a message a technician can act on."""

    error: str
    detail: str
    field: str | None = None
    message: str | None = None


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals an endpoint really gives (docs/LAN.md)."""
    words = {401: "no or wrong office LAN token", 404: "unknown service, ticket or counter",
             409: "not possible now (quota used up, wrong ticket state)",
             422: "malformed request, or an Idempotency-Key reused for another request",
             503: "the edge's database is busy or unusable, or the edge is stopping",
             507: "the edge's disk is full: nothing was saved"}
    return {code: {"model": ErrorBody, "description": words[code]} for code in codes}


#: What every endpoint behind the token may answer besides 200.
_GUARDED = (401, 422, 503)
#: And an operation that changes the queue.
_WRITES = _answers(404, 409, 507)


class _Replays:
    """Answers to recent mutating requests, by Idempotency-Key.

    A counter on flaky Wi-Fi that sent "call next" and lost the answer retries with the same
    key and gets the same ticket back instead of calling a second one. Only successes are kept
    (a refused operation changed nothing, so doing it again is harmless). In memory: a restart
    of the edge forgets them, which the client's single, immediate retry makes rare.

    A key is bound to the request it came with (method, path and body, see
    :func:`request_fingerprint`): the same key on another request is a client's bug, refused
    with a 422 rather than answered with the first request's result while doing nothing.
    """

    def __init__(self, size: int = REPLAY_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[str, tuple[str, Any]] = OrderedDict()

    def run(self, key: str | None, fingerprint: str, fn: Callable[[], Any]) -> Any:
        if not key:
            return fn()
        with self._lock:
            if key in self._done:
                seen, result = self._done[key]
                if not hmac.compare_digest(seen, fingerprint):
                    raise ValidationError(wire.IDEMPOTENCY_HEADER,
                                          "this key was already used for another request; "
                                          "send a new key with every new operation")
                self._done.move_to_end(key)
                return result
            result = fn()
            self._done[key] = (fingerprint, result)
            while len(self._done) > self._size:
                self._done.popitem(last=False)
            return result


def request_fingerprint(method: str, path: str, body: BaseModel | None) -> str:
    """What an Idempotency-Key is bound to. The body as validated (not its raw bytes), so a
    retry that spells the same JSON with other spacing or key order is the same request."""
    data = body.model_dump(mode="json") if body is not None else None
    text = json.dumps([method.upper(), path, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class TokenGate:
    """ASGI middleware that refuses a request without the office LAN token *before* anything
    reads its body: a stranger's malformed JSON gets 401, not a 400/422 that tells them about
    the API. Only :data:`OPEN_PATHS` pass without it."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._expected = token.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(dict(scope["headers"]).get(b"authorization", b""))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"error": "Unauthorized", "detail": refusal}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        await response(scope, receive, send)

    def refusal(self, authorization: bytes) -> str | None:
        """None when the header carries the token; else what the technician should do."""
        scheme, _, given = authorization.partition(b" ")
        if scheme.lower() != b"bearer" or not given.strip():
            return "this endpoint needs 'Authorization: Bearer <office LAN token>'"
        if not hmac.compare_digest(given.strip(), self._expected):
            return "wrong office LAN token: set the edge's [lan] token on this device"
        return None


class EdgeReader(LocalQueue):
    """The LocalQueue that serves the event streams, on its own connection."""


def open_edge(rt: Runtime, features: tuple[Feature, ...],
              on_change: Callable[[], None] | None = None) -> tuple[LocalOffice, EdgeReader]:
    """The office the API's operations use, and a queue on its own database connection for
    the event streams, so boards keep receiving while an operation waits for the write lock."""
    from kiosk.db import open_db

    path = rt.db.execute("PRAGMA database_list").fetchone()[2]
    reader_rt = Runtime(rt.data_dir, rt.config, open_db(path, migrate=False), rt.clock)
    return LocalOffice(rt, features, on_change), EdgeReader(reader_rt)


def create_app(office: OfficeClient | None, *, token: str, office_code: str,
               reader: QueueClient | None = None, poll_seconds: float = 0.1,
               ping_seconds: float = PING_SECONDS,
               on_change: Callable[[], None] | None = None,
               features: tuple[Feature, ...] | None = None) -> FastAPI:
    """The LAN API over ``office`` (a LocalOffice on the edge): a route per operation of each
    of its features. ``reader`` serves the event streams (default: ``office.queue``);
    ``poll_seconds`` is how often streams look for changes made by other processes;
    ``on_change`` runs after every operation that writes (the headless edge wakes its print
    and sync workers with it). ``features`` stands in for ``office.features`` when there is
    no office (the OpenAPI document)."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError("lan.token", f"the office LAN token must be at least {MIN_TOKEN_LENGTH} "
                          "characters (set the same [lan] token on every device of the office; "
                          "e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))')")
    feed = Feed(poll_seconds)
    features = features if features is not None else office.features  # type: ignore[union-attr]
    events_reader = reader or getattr(office, "queue", None)
    replays = _Replays()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        feed.bind(asyncio.get_running_loop())
        yield
        feed.stop()

    app = FastAPI(title="Kelurahan edge LAN API", version=str(wire.PROTOCOL_VERSION),
                  lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=f"{wire.PREFIX}/openapi.json",
                  description="The office queue over the LAN; see docs/LAN.md.")
    app.state.feed = feed
    app.add_middleware(TokenGate, token=token)

    @app.exception_handler(KioskError)
    async def domain_error(_request: Request, exc: KioskError) -> JSONResponse:
        status = next((code for cls, code in wire.ERROR_STATUS.items() if isinstance(exc, cls)), 500)
        return JSONResponse(wire.error_body(exc), status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals in our error shape. A body that is not JSON at all (400 from
        # FastAPI) is a malformed request like any other: 422, as docs/LAN.md says.
        if exc.status_code == 400:
            return JSONResponse({"error": "ValidationError", "field": "(body)",
                                 "detail": f"(body): {exc.detail}", "message": str(exc.detail)},
                                status_code=422)
        return JSONResponse({"error": "HTTPError", "detail": str(exc.detail)},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "(request)"
        message = first.get("msg", "invalid request")
        return JSONResponse({"error": "ValidationError", "detail": f"{field}: {message}",
                             "field": field, "message": message}, status_code=422)

    def mutate(request: Request, fn: Callable[[], Any], body: BaseModel | None = None) -> Any:
        fingerprint = request_fingerprint(request.method, request.url.path, body)
        key = request.headers.get(wire.IDEMPOTENCY_HEADER)
        result = wire.to_json(replays.run(key, fingerprint, fn))
        feed.notify()
        if on_change is not None:
            on_change()
        return result

    @app.get(f"{wire.PREFIX}/hello")
    def hello() -> dict:
        return {"service": "kelurahan-edge", "office_code": office_code,
                "protocol": wire.PROTOCOL_VERSION}

    # The TokenGate middleware enforces the token; this dependency only documents it.
    api = APIRouter(prefix=wire.PREFIX, dependencies=[Depends(HTTPBearer(auto_error=False))],
                    responses=_answers(*_GUARDED))

    for feature in features:
        for op in feature.ops:
            if feature is QUEUE and op.name in FEED_READS:
                target = (lambda: events_reader)
            else:
                target = (lambda name=feature.name: getattr(office, name))
            _add_route(api, op, feature.prefix + op.path, target, mutate)

    steps = [op.path.rsplit("/", 1)[1] for op in QUEUE.ops
             if op.path.startswith("/tickets/{ticket_id}/")]

    # After the table's routes (routes match in order): an unknown step is the domain's 404.
    @api.post("/tickets/{ticket_id}/{step}", include_in_schema=False)
    def unknown_step(ticket_id: str, step: str) -> dict:
        raise NotFoundError(f"no step {step!r}; steps: {', '.join(steps)}")

    @api.get("/events", response_class=EventSourceResponse, responses={
        200: {"content": {"text/event-stream": {}},
              "description": "ready, then queue events and pings (docs/LAN.md)"}})
    async def events(after: int = Query(default=0, ge=0, le=MAX_EVENT_ID),
                     last_event_id: str | None = Header(default=None)) -> Response:
        if feed.stopping:  # shutting down: no new stream, or a client would flap up and down
            return JSONResponse({"error": "ShuttingDown", "detail": "the edge is stopping"},
                                status_code=503, headers={"Retry-After": "1"})
        # A reconnecting EventSource repeats its first URL and says where it got to in the header.
        # One we cannot read (not ASCII digits, too large) is ignored, as the SSE spec does.
        valid = last_event_id is not None and _EVENT_ID.fullmatch(last_event_id)
        start = int(last_event_id) if valid and int(last_event_id) <= MAX_EVENT_ID else after
        return EventSourceResponse(
            _stream(events_reader, feed, start), ping=ping_seconds,
            ping_message_factory=lambda: ServerSentEvent(data="", event="ping"))

    app.include_router(api)
    return app


def _add_route(api: APIRouter, op: Op, path: str, target: Callable[[], Any],
               mutate: Callable[..., Any]) -> None:
    """The LAN route of one operation (kiosk.optable) at ``path``: path arguments in the path; the
    others in a JSON body (a pydantic model built from fn's signature) or, for a GET, in the
    query (a list as ``a,b``). A write goes through ``mutate`` (Idempotency-Key, wakes the
    feed); the answer is wrapped as the entry says."""
    hints = typing.get_type_hints(op.fn)
    params = op.signature.parameters
    Required = inspect.Parameter.empty

    def default(name: str) -> Any:
        return op.wire_defaults.get(name, params[name].default)

    endpoint_params = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY,
                                         annotation=Request)]
    endpoint_params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str)
                        for name in op.path_args]
    body_model = None
    lists: set[str] = set()
    if op.method != "GET" and op.other_args:
        body_model = create_model(
            "".join(part.title() for part in op.name.split("_")) + "Body", __base__=_Body,
            **{name: (hints[name], ... if default(name) is Required else default(name))
               for name in op.other_args})
        endpoint_params.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY,
                                                 annotation=body_model))
    elif op.method == "GET":
        for name in op.other_args:
            wire_name = op.wire_names.get(name, name)
            if "list" in str(hints[name]):
                lists.add(name)
                query = Query(default=None, description="comma-separated; absent = all")
                annotation: Any = str | None
            else:
                query = Query(default=... if default(name) is Required else default(name),
                              **op.wire_limits.get(name, {}))
                annotation = hints[name]
            endpoint_params.append(inspect.Parameter(wire_name, inspect.Parameter.KEYWORD_ONLY,
                                                     default=query, annotation=annotation))

    def endpoint(request: Request, **given: Any) -> Any:
        args = {name: given[name] for name in op.path_args}
        body = given.get("body")
        if body is not None:
            args.update({name: getattr(body, name) for name in op.other_args})
        elif op.method == "GET":
            for name in op.other_args:
                value = given[op.wire_names.get(name, name)]
                if name in lists and value is not None:
                    value = [item for item in value.split(",") if item]
                args[name] = value

        def call() -> Any:
            return getattr(target(), op.name)(**args)

        result = mutate(request, call, body) if op.writes else wire.to_json(call())
        if op.result is None:
            return {"ok": True}
        return result if op.answer_key is None else {op.answer_key: result}

    endpoint.__name__ = op.name
    endpoint.__signature__ = inspect.Signature(endpoint_params)  # type: ignore[attr-defined]
    if op.writes:
        responses = _WRITES
    elif op.other_args and op.name not in FEED_READS or op.path_args:
        responses = _answers(404)  # an id or a service is looked up
    else:
        responses = None
    api.add_api_route(path, endpoint, methods=[op.method], responses=responses,
                      response_model=None)


def openapi_document(features: tuple[Feature, ...]) -> dict[str, Any]:
    """The LAN API's OpenAPI document, as ``GET /lan/openapi.json`` answers it (no database
    needed: for tests and for docs)."""
    return create_app(None, token="x" * MIN_TOKEN_LENGTH, office_code="",
                      features=features).openapi()


async def _stream(reader: QueueClient, feed: Feed, after: int):
    wake = feed.subscribe()
    try:
        ready = False
        while not feed.stopping:
            events = await run_in_threadpool(reader.events_since, after)
            if not ready:
                # "The stream works" (the feed could be read): clients report the edge as found
                # on this, not on the bare 200, so an edge whose database fails does not make
                # the screens flap between found and lost.
                yield ServerSentEvent(data=json.dumps({"after": after}), event="ready")
                ready = True
            for event in events:
                yield ServerSentEvent(data=json.dumps(wire.to_json(event), ensure_ascii=False),
                                      id=str(event.id), event="queue")
                after = event.id
            if not events:
                await feed.wait(wake)
    finally:
        feed.unsubscribe(wake)


class _Stop(Exception):
    """SIGTERM, re-raised by uvicorn after its shutdown."""


def _raise_stop(signum, frame) -> None:
    raise _Stop


class _UvicornServer(uvicorn.Server):
    """Ends the event streams first when asked to exit (Ctrl-C, SIGTERM from systemd)."""

    def __init__(self, config: uvicorn.Config, feed: Feed) -> None:
        super().__init__(config)
        self._feed = feed

    def handle_exit(self, sig, frame) -> None:
        self._feed.stop()
        super().handle_exit(sig, frame)


class LanServer:
    """The LAN API on a socket bound at once (so a busy port fails here, clearly, and port 0
    gives a free port that :attr:`port` tells). :meth:`serve` runs in the foreground (the
    ``kiosk edge serve`` command); :meth:`start`/:meth:`stop` in a thread (tests, benchmarks)."""

    def __init__(self, app: FastAPI, host: str = "0.0.0.0", port: int = 8765) -> None:
        self.app = app
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise LanError(f"cannot listen on {host}:{port}: {exc.strerror}; another edge or "
                           "program uses the port (change [lan] port or --port)") from exc
        sock.listen(128)
        sock.set_inheritable(True)
        self.socket = sock
        self.port: int = sock.getsockname()[1]
        feed: Feed = app.state.feed
        self._server = _UvicornServer(uvicorn.Config(
            app, log_level="warning", access_log=False, timeout_graceful_shutdown=2,
            lifespan="on"), feed)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def serve(self) -> None:
        """Blocking, until SIGINT/SIGTERM; then returns normally, so the caller's cleanup
        (zeroconf goodbye, closing the database) runs."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            # uvicorn shuts down cleanly, then re-raises the signal it caught; with the default
            # SIGTERM action that would kill the process before any ``finally`` runs.
            previous = signal.signal(signal.SIGTERM, _raise_stop)
        try:
            self._server.run(sockets=[self.socket])
        except (KeyboardInterrupt, _Stop):
            pass  # a normal stop
        finally:
            self.socket.close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def start(self, timeout: float = 10.0) -> LanServer:
        self._thread = threading.Thread(target=self.serve, name=f"lan-api-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise LanError(f"the LAN API did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.app.state.feed.stop()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> LanServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running(office: OfficeClient, *, token: str, office_code: str, host: str = "127.0.0.1",
            port: int = 0, **options: Any) -> Iterator[LanServer]:
    """A LAN API in a thread for the length of a ``with`` block (tests, benchmarks)."""
    server = LanServer(create_app(office, token=token, office_code=office_code, **options), host, port)
    with server:
        yield server
