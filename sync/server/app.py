"""The city server's HTTP face: FastAPI routes over a :class:`~sync.server.store.Store`.

Nothing that matters lives in the process: tokens are HMACs checked against a secret in the
database, nonces and enrollment tokens are rows, the per-device push lock is a PostgreSQL
advisory lock. So several uvicorn workers (or hosts) on one PostgreSQL are correct. The
in-process pieces here (a concurrency gate answering 503, a set of devices pushing right
now) only shed load early.
"""

import base64
import contextlib
import dataclasses
import gc
import gzip
import hmac
import os
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
import msgspec
import zstandard
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from kiosk.clock import Clock, SystemClock
from sync import protocol
from sync.server import auth
from sync.server.engines import open_store
from sync.server.public import add_public_routes
from sync.server.errors import (
    RETRY_AFTER_S, BadBody, DeviceBusy, Invalid, Overloaded, ServerError, Unauthorized,
    UpgradeRequired,
)
from sync.server.rules import Device, PushPolicy, validate_office
from sync.server.store import Store
from sync.server.wire import decode_batch, decompress, value_problem

@dataclass(frozen=True)
class Problem:
    """Every refusal's body: one sentence a technician can act on."""

    detail: str


#: What each refusal means, for the OpenAPI document (FastAPI adds 422 itself wherever it
#: validates parameters or a body).
_ANSWERS = {
    400: "The request is malformed or holds text the server cannot keep (U+0000, a lone "
         "surrogate); nothing changed.",
    401: "Missing, wrong or expired credentials, or a revoked or unknown device.",
    403: "A record of another office; nothing of the batch was stored.",
    404: "No such office or device.",
    409: "Already exists, or another sync session of this device is pushing.",
    413: "The body is larger than the batch limits (sync/PROTOCOL.md).",
    415: "A Content-Encoding other than zstd or gzip.",
    426: "The kiosk speaks a protocol version this server does not; upgrade it.",
    503: "Overloaded or the database is unreachable; retry after Retry-After seconds.",
}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: the refusals it really gives, each with its body."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"model": Problem, "description": _ANSWERS[code]}
        if code == 503:
            out[code]["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                    "description": "seconds"}}
    return out


@dataclass(frozen=True)
class OfficeIn:
    code: str
    name: str
    timezone: str = "WIB"
    address: str = ""


@dataclass(frozen=True)
class EnrollTokenIn:
    office_code: str
    ttl_s: int = protocol.ENROLL_TOKEN_TTL_S


@dataclass(frozen=True)
class EnrollTokenOut:
    token: str
    office_code: str
    expires_ms: int


@dataclass(frozen=True)
class ReferenceIn:
    """Server-owned changes for one office (``office_code``) or every office (null)."""

    changes: list[protocol.ReferenceChange]
    office_code: str | None = None


@dataclass(frozen=True)
class ComplaintStatusIn:
    """The city's step of a complaint (kiosk.complaints.models): ``answer`` is required for
    ``answered``; ``office_code`` only when two offices gave out the same code."""

    status: str
    answer: str | None = None
    note: str | None = None
    staff: str | None = None
    office_code: str | None = None


#: Longest answer or note the city may send down (it is printed on a receipt slip).
MAX_ANSWER = 2000


@dataclass(frozen=True)
class HealthReportIn:
    """A kiosk's health (provisioning.health): ``status`` ok or degraded, ``reasons`` as
    "code: words", ``diagnostics`` the redacted report. The server keeps the newest one
    per device (docs/PROVISIONING.md, "Fleet health")."""

    status: str
    reasons: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)


#: Bounds of a health report: a few reasons, a diagnostics dict of a few KB.
MAX_HEALTH_REASONS = 50
MAX_HEALTH_REASON_CHARS = 500
MAX_HEALTH_BYTES = 64 * 1024


@dataclass
class Limits:
    """Per-process load shedding; the numbers are per worker."""

    #: Requests waiting for or holding the database before new ones get 503. Generous: a
    #: burst of hundreds of kiosks should queue briefly, not fail.
    max_inflight: int = 1000
    #: Threads running store calls: as many as the PostgreSQL pool has connections (a thread
    #: more would only wait for one).
    db_threads: int = 8
    #: PostgreSQL connections kept open per worker in each of its two pools, the threads'
    #: and the event loop's (at most 8 each). ``kiosk server`` keeps 4
    #: warm: a kiosk pipelines 3 batches, and a burst should not wait for connections to
    #: be made; tests and embedded use keep 1.
    db_pool_min: int = 1


@dataclass
class _State:
    store: Store
    clock: Clock
    admin_token: str
    policy: PushPolicy
    limits: Limits
    limiter: anyio.CapacityLimiter | None = None
    inflight: int = 0
    #: Devices with a push running here outside any session (or taking a device over).
    pushing: set[str] = field(default_factory=set)
    #: device -> [session, pushes of it running here]: one session's batches run together.
    sessions: dict[str, list] = field(default_factory=dict)

    def now_ms(self) -> int:
        return self.clock.now().wall_ms


def create_app(db_url: str, *, admin_token: str | None = None, clock: Clock | None = None,
               policy: PushPolicy | None = None, limits: Limits | None = None,
               tune_gc: bool = False) -> FastAPI:
    """The server on ``db_url``; its schema is created or migrated now.

    ``admin_token``: the bearer token of the admin endpoints; without one, the token kept in
    the database (``kiosk server admin-token``) is used. ``tune_gc``: for a server process
    (``kiosk server``), see :func:`_tune_gc`; tests leave the interpreter alone.
    """
    limits = limits or Limits()
    store = open_store(db_url, pool_min=limits.db_pool_min)
    state = _State(store, clock or SystemClock(), admin_token or store.admin_token,
                   policy or PushPolicy(), limits)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if tune_gc:
            _tune_gc()
        await store.open_async()
        try:
            yield
        finally:
            await store.close_async()
            store.close()

    app = FastAPI(title="Kelurahan kiosk city server", version=str(protocol.PROTOCOL_VERSION),
                  description="Sync protocol: see sync/PROTOCOL.md and docs/SYNC.md.",
                  lifespan=lifespan)
    app.state.sync = state

    @app.exception_handler(ServerError)
    async def refused(request: Request, exc: ServerError) -> JSONResponse:
        """The one place a refusal becomes an answer (sync.server.errors)."""
        headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(exc, Overloaded) else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    @contextlib.contextmanager
    def gate() -> Iterator[None]:
        """Refuse work beyond the gate (503): requests waiting for or holding the database."""
        if state.inflight >= state.limits.max_inflight:
            raise Overloaded("server busy; retry after the Retry-After seconds")
        state.inflight += 1
        try:
            yield
        finally:
            state.inflight -= 1

    async def run_db(fn, *args):
        """Blocking store call in a worker thread, behind the gate."""
        with gate():
            if state.limiter is None:
                state.limiter = anyio.CapacityLimiter(state.limits.db_threads)
            return await anyio.to_thread.run_sync(fn, *args, limiter=state.limiter)

    async def push_db(*args):
        """A push: on the event loop where the store can (Store.push_async), else in a
        thread; behind the gate either way."""
        with gate():
            answer = await store.push_async(*args)
        return answer if answer is not None else await run_db(store.push, *args)

    _routes(app, state, run_db, push_db)
    add_public_routes(app, store, run_db, state.now_ms)
    _document_push_body(app)
    return app


def _document_push_body(app: FastAPI) -> None:
    """/sync/push reads its body itself (msgspec); put the protocol's shape into /docs."""
    from pydantic import TypeAdapter

    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            push_schema = TypeAdapter(protocol.PushRequest).json_schema(
                ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(push_schema.pop("$defs", {}))
            components["PushRequest"] = push_schema
        return app.openapi_schema

    app.openapi = openapi


def app_from_env() -> FastAPI:
    """uvicorn factory for ``kiosk server`` with several workers (configuration via env)."""
    db_url = os.environ.get("KIOSK_SERVER_DB")
    if not db_url:
        raise RuntimeError("KIOSK_SERVER_DB is not set (kiosk server --db URL sets it)")
    return create_app(db_url, admin_token=os.environ.get("KIOSK_ADMIN_TOKEN") or None,
                      limits=Limits(db_pool_min=4), tune_gc=True)


def _tune_gc() -> None:
    """Keep the cyclic garbage collector off the hot path.

    A push allocates thousands of short-lived objects; every so often that triggers a full
    collection, which walks every object of the process (FastAPI, pydantic, psycopg: a few
    hundred thousand) and costs milliseconds per batch. Freezing what exists after start-up
    takes those out of every later collection, and a higher first threshold makes
    collections rarer. Memory is still freed by reference counting as before.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("missing Authorization: Bearer <token>")
    return authorization[7:].strip()


def _protocol_version(
        x_kiosk_protocol: Annotated[str | None, Header()] = None) -> int:
    """426 for a kiosk speaking a version this server does not (a missing header means 1)."""
    try:
        version = int(x_kiosk_protocol) if x_kiosk_protocol else protocol.PROTOCOL_VERSION
    except ValueError:
        version = -1
    if version not in protocol.SUPPORTED_VERSIONS:
        raise UpgradeRequired(f"protocol version {x_kiosk_protocol!r} is not supported "
                                 f"(server speaks {list(protocol.SUPPORTED_VERSIONS)}); "
                                 "upgrade the kiosk software")
    return version


_PUSH_HEADERS = [
    {"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Bearer <access token>"},
    {"name": protocol.PROTOCOL_HEADER, "in": "header", "required": False,
     "schema": {"type": "string"}, "description": "protocol version (default 1)"},
    {"name": protocol.SESSION_HEADER, "in": "header", "required": False,
     "schema": {"type": "string"}, "description": "the kiosk's sync session: pushes of one "
     "session may overlap (sync/PROTOCOL.md, Backpressure)"},
]

#: Answers smaller than this go uncompressed (compressing them costs more than it saves).
COMPRESS_MIN_BYTES = 1024
_zstd = threading.local()


def _json(value: Any, request: Request) -> Response:
    """JSON, compressed when the client accepts it: a push answer for 500 items is ~20 KB of
    JSON, which on a 100 kbit/s link would take longer than the batch itself (zstd level 1
    makes it ~1 KB for a few tens of microseconds; httpx accepts zstd when zstandard is
    installed)."""
    body = msgspec.json.encode(value)
    headers = {"Vary": "Accept-Encoding"}
    accept = request.headers.get("accept-encoding", "")
    if len(body) >= COMPRESS_MIN_BYTES and accept:
        if "zstd" in accept:
            cctx = getattr(_zstd, "cctx", None)
            if cctx is None:
                cctx = _zstd.cctx = zstandard.ZstdCompressor(level=1)
            body, headers["Content-Encoding"] = cctx.compress(body), "zstd"
        elif "gzip" in accept:
            body, headers["Content-Encoding"] = gzip.compress(body, compresslevel=1), "gzip"
    return Response(body, media_type="application/json", headers=headers)


def _routes(app: FastAPI, state: _State, run_db, push_db) -> None:
    store = state.store
    Versioned = Depends(_protocol_version)

    def token_device(authorization: Annotated[str | None, Header()] = None) -> str:
        """The device a valid access token names (no database: revocation is checked by the
        caller, inside the push's own transaction or by :func:`current_device`)."""
        try:
            return auth.check_access_token(store.token_secret, _bearer(authorization),
                                           state.now_ms())
        except auth.BadCredentials as exc:
            raise Unauthorized(str(exc)) from exc

    async def current_device(device_id: Annotated[str, Depends(token_device)]) -> Device:
        device = await run_db(store.device, device_id)
        if device is None:
            raise Unauthorized("unknown device; enroll again")
        if device.revoked:
            raise Unauthorized("device revoked")
        return device

    def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        if not hmac.compare_digest(_bearer(authorization).encode(), state.admin_token.encode()):
            raise Unauthorized("wrong admin token")

    # -- device side ------------------------------------------------------------------
    @app.get("/sync/meta", response_model=protocol.Meta, tags=["sync"],
             responses=answers(503))
    async def meta(response: Response) -> protocol.Meta:
        """Versions, server time and epoch; no auth (the kiosk's clock sample starts here)."""
        response.headers["Cache-Control"] = "no-store"
        epoch = await run_db(store.current_epoch)
        return protocol.Meta(list(protocol.SUPPORTED_VERSIONS), state.now_ms(), epoch,
                             state.policy.max_schema_version, store.schema_version)

    @app.post("/enroll", response_model=protocol.EnrollResponse, tags=["auth"],
              dependencies=[Versioned], responses=answers(400, 401, 409, 426, 503))
    async def enroll(body: protocol.EnrollRequest) -> protocol.EnrollResponse:
        """Register a device's Ed25519 public key with a single-use enrollment token."""
        _plain_text(body)
        try:
            auth.parse_public_key(body.public_key)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        if not body.device_id or len(body.device_id) > 128:
            raise Invalid("device_id must be 1..128 characters")
        now = state.now_ms()
        device = await run_db(store.enroll, auth.hash_token(body.token), body.device_id,
                              body.public_key, now)
        epoch = await run_db(store.current_epoch)
        return protocol.EnrollResponse(device.id, device.office_code, device.office_id,
                                       epoch, *_access(state, device.id))

    @app.post("/auth/challenge", response_model=protocol.ChallengeResponse, tags=["auth"],
              dependencies=[Versioned], responses=answers(400, 401, 426, 503))
    async def challenge(body: protocol.ChallengeRequest) -> protocol.ChallengeResponse:
        """A single-use nonce (5 min) for the device to sign."""
        _plain_text(body)
        device = await run_db(store.device, body.device_id)
        if device is None or device.revoked:
            raise Unauthorized("device revoked" if device else "unknown device; enroll")
        nonce = secrets.token_urlsafe(24)
        await run_db(store.add_nonce, device.id, nonce,
                     state.now_ms() + protocol.NONCE_TTL_S * 1000)
        return protocol.ChallengeResponse(nonce)

    @app.post("/auth/token", response_model=protocol.TokenResponse, tags=["auth"],
              dependencies=[Versioned], responses=answers(400, 401, 426, 503))
    async def token(body: protocol.TokenRequest) -> protocol.TokenResponse:
        """A 15-minute access token for a signature of the nonce with the device key."""
        _plain_text(body)
        device = await run_db(store.device, body.device_id)
        if device is None or device.revoked:
            raise Unauthorized("device revoked" if device else "unknown device; enroll")
        try:
            auth.verify_signature(device.public_key, body.nonce.encode(), body.signature)
        except auth.BadCredentials as exc:
            raise Unauthorized(str(exc)) from exc
        if not await run_db(store.take_nonce, device.id, body.nonce, state.now_ms()):
            raise Unauthorized("nonce unknown, used or expired; ask for a new challenge")
        return protocol.TokenResponse(*_access(state, device.id))

    @app.post("/sync/push", response_model=protocol.PushResponse, tags=["sync"],
              responses=answers(400, 401, 403, 409, 413, 415, 426, 503),
              openapi_extra={"parameters": _PUSH_HEADERS, "requestBody": {
                  "required": True, "content": {"application/json": {
                      "schema": {"$ref": "#/components/schemas/PushRequest"}}}}})
    async def push(request: Request) -> Response:
        """Store a batch insert-if-absent by (device_id, device_seq); answer per item.

        Body: JSON, optionally ``Content-Encoding: zstd`` or ``gzip``; at most 500 items
        and 256 KB as sent (413 beyond). 400 malformed, 403 another office's record, 409 a
        push of another sync session of this device running, 503 overloaded. The headers
        are read here rather than through FastAPI's dependencies (the hot path: that
        machinery costs a few hundred microseconds a request); the checks are the same and
        in the same order (426, then 401).
        """
        headers = request.headers
        _protocol_version(headers.get(protocol.PROTOCOL_HEADER))
        device_id = token_device(headers.get("authorization"))
        body = await _read_body(request)
        raw = decompress(body, request.headers.get("content-encoding"))
        batch = decode_batch(raw)
        if batch.device_id != device_id:
            raise Invalid(f"device_id {batch.device_id!r} is not the token's "
                                     f"device {device_id!r}")
        session = _session(request.headers.get(protocol.SESSION_HEADER))
        with _push_slot(state, device_id, session):
            results, epoch = await push_db(device_id, batch, state.policy, state.now_ms(),
                                           session)
        return _json({"results": results, "epoch": epoch,
                      "server_time_ms": state.now_ms()}, request)

    @app.get("/sync/pull", response_model=protocol.PullResponse, tags=["sync"],
             dependencies=[Versioned], responses=answers(400, 401, 426, 503))
    async def pull(request: Request, device: Annotated[Device, Depends(current_device)],
                   scope: Annotated[str, Query()] = "reference",
                   cursor: Annotated[str, Query()] = "0",
                   limit: Annotated[int, Query(ge=1, le=protocol.MAX_PULL_LIMIT)]
                   = protocol.DEFAULT_PULL_LIMIT) -> Response:
        """Server-owned changes after ``cursor`` for the device's office, oldest first."""
        if scope not in protocol.SCOPES:
            raise Invalid(f"unknown scope {scope!r}; one of {list(protocol.SCOPES)}")
        try:
            changes, next_cursor, has_more, epoch = await run_db(
                store.pull, device.office_id, scope, cursor, limit)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        for change in changes:
            change["payload"] = msgspec.Raw(change["payload"])
        return _json({"changes": changes, "next_cursor": next_cursor, "has_more": has_more,
                      "epoch": epoch}, request)

    @app.post("/devices/health", tags=["devices"], dependencies=[Versioned],
              responses=answers(400, 401, 413, 426, 503))
    async def device_health(body: HealthReportIn,
                            device: Annotated[Device, Depends(current_device)]
                            ) -> dict[str, Any]:
        """The device's health report (sent by its sync worker every few minutes and when
        its status changes); the newest one per device is kept for the fleet view
        (``kiosk server devices``, ``GET /admin/devices/health``)."""
        status, reasons, report = _health_report(body)
        now = state.now_ms()
        await run_db(store.put_device_health, device.id, status, reasons, report, now)
        return {"device_id": device.id, "received_ms": now}

    # -- admin -----------------------------------------------------------------------------
    Admin = [Depends(admin)]

    @app.get("/admin/devices/health", tags=["admin"], dependencies=Admin,
             responses=answers(400, 401, 404, 503))
    async def fleet_health(office_code: Annotated[str | None, Query()] = None
                           ) -> list[dict[str, Any]]:
        """Every device (of one office) with its last health report's essentials: last
        seen, status (ok, degraded, silent, no report, revoked), reasons, backlog, printer,
        clock."""
        _plain_text({"office_code": office_code})
        return await run_db(store.device_health, office_code, state.now_ms())

    @app.get("/admin/devices/{device_id}/health", tags=["admin"], dependencies=Admin,
             responses=answers(400, 401, 404, 503))
    async def one_device_health(device_id: str) -> dict[str, Any]:
        """One device's essentials and its whole last report (diagnostics, redacted)."""
        _plain_text(device_id)
        return (await run_db(store.device_health, None, state.now_ms(), device_id))[0]

    @app.post("/admin/offices", tags=["admin"], dependencies=Admin, status_code=201,
              responses=answers(400, 401, 409, 503))
    async def add_office(body: OfficeIn) -> dict[str, Any]:
        """Register an office (kelurahan); ``timezone`` is WIB, WITA, WIT or an IANA name."""
        _plain_text(body)
        validate_office(body.code, body.name, body.timezone, body.address)
        office = await run_db(store.add_office, body.code, body.name, body.timezone,
                              body.address, state.now_ms())
        return office.as_reference(state.now_ms())

    @app.get("/admin/offices", tags=["admin"], dependencies=Admin,
             responses=answers(401, 503))
    async def list_offices() -> list[dict[str, Any]]:
        now = state.now_ms()
        return [o.as_reference(now) for o in await run_db(store.offices)]

    @app.post("/admin/enroll-tokens", tags=["admin"], dependencies=Admin, status_code=201,
              responses=answers(400, 401, 404, 503))
    async def make_enroll_token(body: EnrollTokenIn) -> EnrollTokenOut:
        """A single-use enrollment token for an office (shown once; only its hash is kept)."""
        _plain_text(body)
        if not 60 <= body.ttl_s <= 30 * 24 * 3600:
            raise Invalid("ttl_s must be between 60 seconds and 30 days")
        return await run_db(issue_enroll_token, state.store, body.office_code,
                            state.now_ms(), body.ttl_s)

    @app.get("/admin/devices", tags=["admin"], dependencies=Admin,
             responses=answers(401, 503))
    async def list_devices() -> list[dict[str, Any]]:
        return await run_db(store.devices)

    @app.post("/admin/devices/{device_id}/revoke", tags=["admin"], dependencies=Admin,
              responses=answers(400, 401, 404, 503))
    async def revoke(device_id: str) -> dict[str, Any]:
        """From now on every call of this device is answered 401."""
        _plain_text(device_id)
        await run_db(store.revoke, device_id, state.now_ms())
        return {"device_id": device_id, "revoked": True}

    @app.put("/admin/reference", tags=["admin"], dependencies=Admin,
             responses=answers(400, 401, 404, 503))
    async def put_reference(body: ReferenceIn) -> dict[str, Any]:
        """Change services, counters, employees, settings, letter types or request statuses."""
        _plain_text(body)
        for i, c in enumerate(body.changes):
            if protocol.scope_of(c.table) is None:
                owned = sorted(set().union(*protocol.SCOPE_TABLES.values()))
                raise Invalid(f"changes[{i}].table {c.table!r} is not server-owned; "
                                         f"one of {owned}")
            if c.op not in protocol.OPS:
                raise Invalid(f"changes[{i}].op {c.op!r}; one of {list(protocol.OPS)}")
            if not c.record_id:
                raise Invalid(f"changes[{i}].record_id is empty")
        versions = await run_db(store.put_reference, body.office_code, body.changes,
                                state.now_ms())
        return {"versions": versions}

    @app.get("/admin/records/{table}", tags=["admin"], dependencies=Admin,
             responses=answers(400, 401, 404, 503))
    async def citizen_records(table: str, office_code: Annotated[str | None, Query()] = None,
                              limit: Annotated[int, Query(ge=1, le=1000)] = 100
                              ) -> list[dict[str, Any]]:
        """The newest state of each letter request, complaint or their events (``table``:
        requests, complaints, request_events, complaint_events) the kiosks pushed, newest
        first; of one office or of all."""
        _plain_text({"table": table, "office_code": office_code})
        return await run_db(store.citizen_records, table, office_code, limit)

    @app.post("/admin/complaints/{code}/status", tags=["admin"], dependencies=Admin,
              responses=answers(400, 401, 404, 409, 503))
    async def complaint_status(code: str, body: ComplaintStatusIn) -> dict[str, Any]:
        """Set a complaint's status (and answer): the city's step of its life. It goes down
        to the office that took the complaint with its next pull (scope ``requests``, table
        ``complaint_status``). 404 unknown code, 409 a step its life does not allow."""
        from kiosk.tracking import code_from_scan, kind_of

        _plain_text(body)
        _plain_text(code)
        canonical = code_from_scan(code)
        if canonical is None or kind_of(canonical) != "complaint":
            raise Invalid(f"{code[:40]!r} is not a complaint code like P-7K3M9QX")
        for name in ("answer", "note", "staff"):
            value = getattr(body, name)
            if value is not None and len(value) > MAX_ANSWER:
                raise Invalid(f"{name} is {len(value)} characters; at most {MAX_ANSWER}")
        return await run_db(store.set_complaint_status, canonical, body.office_code,
                            body.status, (body.answer or "").strip() or None,
                            (body.note or "").strip() or None, body.staff, state.now_ms())

    @app.post("/admin/badges/{employee_id}", tags=["admin"], dependencies=Admin,
              status_code=201, responses=answers(400, 401, 404, 503))
    async def issue_badge(employee_id: str) -> dict[str, Any]:
        """Sign a staff badge for an employee of an office's roster: the base45 text its QR
        holds (docs/ATTENDANCE.md). The city's public key goes down to every office."""
        from sync.server import badges

        _plain_text(employee_id)
        issued = await run_db(badges.issue, store, employee_id, state.now_ms())
        return dataclasses.asdict(issued)

    @app.post("/admin/badges/{employee_id}/revoke", tags=["admin"], dependencies=Admin,
              responses=answers(400, 401, 404, 503))
    async def revoke_badge(employee_id: str) -> dict[str, Any]:
        """Refuse every badge of this employee issued up to now, at the employee's office
        after its next pull; a badge printed afterwards is good."""
        from sync.server import badges

        _plain_text(employee_id)
        return await run_db(badges.revoke, store, employee_id, state.now_ms())

    @app.get("/admin/stats", tags=["admin"], dependencies=Admin,
             responses=answers(401, 503))
    async def stats() -> dict[str, Any]:
        """Counts per office and table, and the number of duplicate record ids (must be 0)."""
        return {**await run_db(store.stats), "epoch": await run_db(store.current_epoch)}


def _plain_text(body: Any) -> None:
    """400 for a request whose text neither engine can keep (U+0000, a lone surrogate) or
    that is nested too deeply: refused before the database sees it, never a 500."""
    value = dataclasses.asdict(body) if dataclasses.is_dataclass(body) else body
    if problem := value_problem(value):
        raise Invalid(f"request text {problem}")


def _health_report(body: HealthReportIn) -> tuple[str, str, str]:
    """(status, reasons JSON, report JSON) of a report, or 400/413 with what is wrong."""
    _plain_text(body)
    if body.status not in ("ok", "degraded"):
        raise Invalid(f"status {body.status[:40]!r}: 'ok' or 'degraded'")
    if len(body.reasons) > MAX_HEALTH_REASONS:
        raise Invalid(f"{len(body.reasons)} reasons; at most {MAX_HEALTH_REASONS}")
    for i, reason in enumerate(body.reasons):
        if len(reason) > MAX_HEALTH_REASON_CHARS:
            raise Invalid(f"reasons[{i}] is {len(reason)} characters; at most "
                          f"{MAX_HEALTH_REASON_CHARS}")
    try:
        # msgspec: NaN and infinities become null, so the text is JSON every reader takes
        reasons = msgspec.json.encode(body.reasons).decode()
        report = msgspec.json.encode(body.diagnostics).decode()
    except (TypeError, ValueError, OverflowError) as exc:
        raise Invalid(f"diagnostics cannot be kept as JSON: {exc}") from exc
    if len(report) > MAX_HEALTH_BYTES:
        raise BadBody(413, f"diagnostics are {len(report)} bytes; at most {MAX_HEALTH_BYTES}")
    return body.status, reasons, report


def _session(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= 64 or not value.isascii() or not value.isprintable():
        raise Invalid(f"{protocol.SESSION_HEADER} must be 1..64 printable ASCII "
                                 "characters")
    return value


_BUSY = "a push of this device is already running; one sync session per device"


@contextlib.contextmanager
def _push_slot(state: _State, device_id: str, session: str | None) -> Iterator[None]:
    """409 early, in this process, for a push overlapping another session's (the store
    checks again across workers): pushes of one session may overlap, any other may not."""
    running = state.sessions.get(device_id)
    if device_id in state.pushing or (running is not None and running[0] != session):
        raise DeviceBusy(_BUSY)
    if session is None:
        state.pushing.add(device_id)
        try:
            yield
        finally:
            state.pushing.discard(device_id)
        return
    if running is None:
        running = state.sessions[device_id] = [session, 0]
    running[1] += 1
    try:
        yield
    finally:
        running[1] -= 1
        if running[1] == 0:
            del state.sessions[device_id]


async def _read_body(request: Request) -> bytes:
    """The body, refusing (413) more than the batch limit before reading it all."""
    limit = protocol.MAX_BATCH_BYTES
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > limit:
                raise BadBody(413, f"push body is {length} bytes; at most {limit} per batch")
        except ValueError:
            raise BadBody(400, "Content-Length is not a number") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadBody(413, f"push body is larger than {limit} bytes; split the batch")
        chunks.append(chunk)
    return b"".join(chunks)


def _access(state: _State, device_id: str) -> tuple[str, int]:
    ttl = protocol.ACCESS_TOKEN_TTL_S
    return (auth.issue_access_token(state.store.token_secret, device_id,
                                    state.now_ms() + ttl * 1000), ttl)


def issue_enroll_token(store: Store, office_code: str, now_ms: int,
                       ttl_s: int = protocol.ENROLL_TOKEN_TTL_S) -> EnrollTokenOut:
    """Shared by the admin endpoint and ``kiosk server enroll-token``."""
    token = base64.b32encode(secrets.token_bytes(15)).decode()
    expires_ms = now_ms + ttl_s * 1000
    office = store.add_enroll_token(office_code, auth.hash_token(token), expires_ms, now_ms)
    return EnrollTokenOut(token, office.code, expires_ms)


__all__ = ["create_app", "app_from_env", "issue_enroll_token", "Limits"]
