"""The kiosk's setup service: pairing, then configure / diagnostics / reset from a paired laptop.

HTTP on port :data:`SETUP_PORT` (8766; the office LAN API is 8765), always running on a
kiosk, provisioned or not: a factory reset and the diagnostics need it later too. Library:
FastAPI on uvicorn in a thread, like the LAN API (sync/lan/server.py). Routes (contract in
docs/PROVISIONING.md):

- ``GET /health``: unauthenticated ``{"status": "ok"|"degraded", "reasons", "id", "state"}``;
- ``GET /setup/info``: who this is (short id, fingerprint, state, model, version, protocol);
- ``POST /pair/start`` and ``POST /pair/finish``: SPAKE2 over the setup code
  (provisioning.pairing); 403 on a wrong code, 429 with ``Retry-After`` while the kiosk makes
  a guesser wait;
- ``POST /setup/configure``, ``/setup/diagnostics``, ``/setup/reset``: sealed requests of
  a paired laptop (provisioning.channel); anything else gets 401 and changes nothing.

Every malformed request gets a 4xx (tests/test_setup_fuzz.py runs schemathesis on it).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk import identity as identity_mod
from kiosk.config import config_path
from provisioning.channel import MAX_BOX_CHARS, MAX_COUNTER, ChannelError, PairedLaptops, seal_answer
from provisioning.device import DeviceIdentity
from provisioning.pairing import PROTOCOL, DevicePairing, PairingError, b64, unb64
from provisioning.advertise import SETUP_PORT, device_model, software_version
from provisioning.setup_code import SetupCode

log = logging.getLogger(__name__)

_ID = r"^[A-Za-z0-9_-]{8,64}$"
_B64 = r"^[A-Za-z0-9_-]*$"


@dataclass
class SetupState:
    data_dir: Path
    identity: DeviceIdentity
    code: SetupCode
    health: Callable[[], dict]         # provisioning.health.health(data_dir)
    diagnostics: Callable[[], dict]    # provisioning.health.diagnostics(data_dir)
    reset: Callable[..., dict]         # provisioning.reset.factory_reset(data_dir, force=...)
    on_configured: Callable[[], None]  # the app leaves the setup page / the edge starts workers
    #: What runs behind the configure route (provisioning.configure.apply by default);
    #: tests give a stand-in to check the channel alone.
    configure: Callable[[SetupState, dict], tuple[int, dict]] | None = None
    #: Whether a new laptop may pair now. Default: only while unprovisioned (the setup page
    #: shows the code); an admin screen that shows the code on a configured kiosk opens it.
    pairing_open: Callable[[], bool] | None = None
    #: What happens once a paired laptop's factory reset has wiped the device (after the
    #: answer is sent): the composition roots pass provisioning.reset.restart_after_reset,
    #: which ends the process with RESET_EXIT_CODE so the service manager starts it again
    #: into its setup page; None in tests (the process goes on, with a new identity).
    after_reset: Callable[[], None] | None = None
    laptops: PairedLaptops = field(init=False)

    def __post_init__(self) -> None:
        self.laptops = PairedLaptops(self.data_dir)

    @property
    def provisioned(self) -> bool:
        return config_path(self.data_dir).exists()


def default_state(data_dir: Path, on_configured: Callable[[], None] = lambda: None,
                  code: SetupCode | None = None,
                  after_reset: Callable[[], None] | None = None) -> SetupState:
    """The state a kiosk runs with: provisioning.health's health and diagnostics, and
    provisioning.reset's factory reset."""
    from provisioning import device

    data_dir = Path(data_dir)
    from provisioning import health as health_mod
    from provisioning import reset as reset_mod

    def health() -> dict:
        return health_mod.health(data_dir)

    def diagnostics() -> dict:
        return health_mod.diagnostics(data_dir)

    def reset(force: bool = False) -> dict:
        """Flush to the city first (the real sync client); refuse with the unsent count
        unless the technician confirmed with force."""
        return reset_mod.factory_reset(data_dir, force=force)

    return SetupState(data_dir, device.load(data_dir), code or SetupCode(), health, diagnostics,
                      reset, on_configured, after_reset=after_reset)


class PairStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    laptop_id: str = Field(pattern=_ID)
    laptop_name: str = Field(default="", max_length=64)
    message: str = Field(min_length=1, max_length=64, pattern=_B64)


class PairFinish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: str = Field(min_length=1, max_length=64, pattern=_B64)
    confirm: str = Field(min_length=1, max_length=64, pattern=_B64)


class Sealed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    laptop: str = Field(pattern=_ID)
    counter: int = Field(ge=1, le=MAX_COUNTER)
    box: str = Field(min_length=1, max_length=MAX_BOX_CHARS, pattern=_B64)


class ErrorBody(BaseModel):
    error: str
    detail: str
    field: str | None = None
    retry_after: float | None = None


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {401: "not a sealed request from a paired laptop, altered, or replayed",
             403: "wrong setup code (a new one is on the kiosk's screen)",
             409: "pairing closed (a configured kiosk), or no pairing in progress with this "
                  "session id, or it took too long",
             422: "malformed request",
             429: "too many wrong codes: wait Retry-After seconds"}
    return {code: {"model": ErrorBody, "description": words[code]} for code in codes}


def _error(status: int, error: str, detail: str, *, retry_after: float = 0.0) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "detail": detail}
    headers = {}
    if retry_after > 0:
        body["retry_after"] = round(retry_after, 1)
        headers["Retry-After"] = str(max(1, int(retry_after + 0.999)))
    return JSONResponse(body, status_code=status, headers=headers)


#: The paired-channel routes and what each runs.
CHANNEL_PATHS = ("/setup/configure", "/setup/diagnostics", "/setup/reset")


def create_setup_app(state: SetupState) -> FastAPI:
    app = FastAPI(title="Kelurahan kiosk setup service", version=PROTOCOL, docs_url=None,
                  redoc_url=None, description="Pairing and setup; see docs/PROVISIONING.md.")
    desk = DevicePairing(state.code, state.identity.fingerprint,
                         lambda: identity_mod.load(state.data_dir))
    app.state.setup = state
    app.state.pairing = desk

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = 422 if exc.status_code == 400 else exc.status_code
        return JSONResponse({"error": "HTTPError", "detail": str(exc.detail)}, status_code=status,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "(request)"
        return JSONResponse({"error": "ValidationError", "field": where,
                             "detail": f"{where}: {first.get('msg', 'invalid request')}"},
                            status_code=422)

    def state_word() -> str:
        return "provisioned" if state.provisioned else "unprovisioned"

    @app.get("/health")
    def health() -> dict:
        try:
            report = dict(state.health())
        except Exception as exc:  # noqa: BLE001 - a health check that fails is itself a reason
            report = {"status": "degraded", "reasons": [f"health check failed: {exc}"]}
        report.setdefault("status", "ok")
        report.setdefault("reasons", [])
        return {**report, "id": state.identity.short_id, "state": state_word()}

    @app.get("/setup/info")
    def info() -> dict:
        return {"id": state.identity.short_id, "fingerprint": state.identity.fingerprint,
                "state": state_word(), "model": device_model(), "version": software_version(),
                "protocol": PROTOCOL}

    @app.post("/pair/start", responses=_answers(409, 422, 429))
    def pair_start(body: PairStart) -> dict:
        is_open = state.pairing_open() if state.pairing_open else not state.provisioned
        if not is_open:
            return _error(409, "pairing_closed", "this kiosk is configured and shows no "  # type: ignore[return-value]
                          "setup code: open pairing on its admin screen, or use a laptop "
                          "that is paired already")
        try:
            session, msg_b = desk.start(body.laptop_id, body.laptop_name, unb64(body.message))
        except PairingError as exc:
            return _refusal(exc)   # type: ignore[return-value]
        except ValueError:
            return _error(422, "ValidationError", "message: not base64")  # type: ignore[return-value]
        return {"session": session, "message": b64(msg_b)}

    @app.post("/pair/finish", responses=_answers(403, 409, 422, 429))
    def pair_finish(body: PairFinish) -> dict:
        try:
            paired = desk.finish(body.session, unb64(body.confirm))
        except PairingError as exc:
            return _refusal(exc)   # type: ignore[return-value]
        except ValueError:
            return _error(422, "ValidationError", "confirm: not base64")  # type: ignore[return-value]
        state.laptops.add(paired.laptop_id, paired.laptop_name, paired.pairing_key)
        log.info("paired with laptop %s (%s)", paired.laptop_id, paired.laptop_name)
        return {"confirm": b64(paired.confirm), "public_key": b64(paired.public_key),
                "signature": b64(paired.signature), "id": state.identity.short_id}

    def channel(path: str, run: Callable[[dict], tuple[int, dict]]) -> None:
        @app.post(path, responses=_answers(401, 422))
        def sealed(body: Sealed) -> dict:
            try:
                laptop, payload = state.laptops.open(body.model_dump(), path)
            except ChannelError as exc:
                return _error(401, "NotPaired", str(exc))  # type: ignore[return-value]
            try:
                status, answer = run(payload)
            except Exception as exc:  # noqa: BLE001 - the laptop gets the reason, sealed
                log.exception("setup %s failed", path)
                status, answer = 422, {"error": type(exc).__name__, "detail": str(exc)}
            sealed_answer = seal_answer(laptop.key, laptop.laptop_id, body.counter, path,
                                        status, answer)
            return JSONResponse(sealed_answer, status_code=status)  # type: ignore[return-value]

        sealed.__name__ = "sealed_" + path.rsplit("/", 1)[1]

    def configure(payload: dict) -> tuple[int, dict]:
        from provisioning.configure import apply

        return (state.configure or apply)(state, payload)

    def reset(payload: dict) -> tuple[int, dict]:
        force = payload.get("force") is True if isinstance(payload, dict) else False
        answer = dict(state.reset(force=force))
        if not identity_mod.key_path(state.data_dir).exists():
            # wiped: the kiosk is a new device now, with a new key and fingerprint
            from provisioning import device

            state.identity = device.load(state.data_dir)
            desk.fingerprint = state.identity.fingerprint
        if answer.get("reset") is True and state.after_reset is not None:
            state.after_reset()
        return 200, answer

    channel("/setup/configure", configure)
    channel("/setup/diagnostics", lambda _payload: (200, dict(state.diagnostics())))
    channel("/setup/reset", reset)
    return app


def _refusal(exc: PairingError) -> JSONResponse:
    status = {"wrong_code": 403, "delayed": 429, "no_session": 409, "bad_message": 422}.get(
        exc.reason, 422)
    return _error(status, exc.reason, str(exc), retry_after=exc.retry_after)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:   # the owner of the process handles signals
        pass


class SetupService:
    """The setup app on a socket bound at once (a busy port fails here; port 0 gives a free
    one, in :attr:`port`), served by uvicorn in a daemon thread."""

    def __init__(self, app: FastAPI, host: str = "0.0.0.0", port: int = SETUP_PORT) -> None:
        self.app, self.host = app, host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise OSError(exc.errno, f"cannot listen on {host}:{port} for the setup service: "
                          f"{exc.strerror}; another kiosk process uses the port") from exc
        sock.listen(64)
        self.socket = sock
        self.port: int = sock.getsockname()[1]
        self._server = _Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                              timeout_graceful_shutdown=2, lifespan="off"))
        self._thread = threading.Thread(target=self._run, name=f"setup-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self.socket])
        finally:
            with contextlib.suppress(OSError):
                self.socket.close()

    def start(self, timeout: float = 10.0) -> SetupService:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the setup service did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> SetupService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_setup_service(state: SetupState, host: str = "0.0.0.0",
                        port: int = SETUP_PORT) -> SetupService:
    """The setup service running in a thread; ``.port``, ``.url``, ``.stop()``."""
    return SetupService(create_setup_app(state), host, port).start()
