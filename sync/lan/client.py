"""RemoteOffice: the office client of counter consoles, boards and admin PCs that are not the edge.

Every method blocks on the network, so screens call it from a worker (ui.ops.run_op) and run
:meth:`RemoteQueue.watch` on a thread of its own; nothing here touches the GUI thread.
Library: httpx (one pooled client, thread-safe) and httpx-sse for the pushed change feed.

Failures are told apart so the screen can say something precise: the domain's own errors
(QuotaExhausted, InvalidTransition, NotFoundError, ValidationError, StoreError) come back as
the same classes the edge raised; the link's are in :mod:`sync.lan.errors`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import httpx
from httpx_sse import SSEError, connect_sse

from kiosk.errors import KioskError
from kiosk.ids import new_id
from kiosk.queue.models import QueueEvent
from kiosk.office import add_methods, with_signature
from kiosk.optable import Feature, Op
from kiosk.queue.ops_table import QUEUE
from sync.lan import wire
from sync.lan.errors import EdgeProtocolError, EdgeUnreachable, LanAuthError

#: The edge pings the event stream every second; this much silence means it is gone (a power
#: cut sends no TCP FIN, so only silence tells).
STREAM_SILENCE_SECONDS = 5.0
#: Reconnection backoff of watch(): first retry after about BACKOFF_MIN, doubling up to
#: BACKOFF_MAX, with jitter so a roomful of screens does not knock at the same instant.
BACKOFF_MIN = 0.2
BACKOFF_MAX = 5.0
#: Errors after which the request may have reached the edge: retried once, with the same
#: Idempotency-Key, so the edge does the operation at most once. (A stale keep-alive
#: connection after an edge restart fails exactly like this.)
_MAYBE_SENT = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class _HandlerFailed(Exception):
    """Carries an exception raised by watch()'s on_event out of the reconnect handling."""


class LanLink:
    """One pooled HTTP client to the edge's LAN API, shared by every feature of a
    :class:`RemoteOffice`: the token, the retry of a request that may have been sent, and
    the edge's refusals turned back into the domain's errors."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.transport = transport
        self._http = httpx.Client(base_url=self.base_url, headers=self.headers,
                                  timeout=httpx.Timeout(timeout, connect=3.0), transport=transport)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None, mutating: bool = False) -> Any:
        headers = {wire.IDEMPOTENCY_HEADER: new_id()} if mutating else {}
        url = wire.PREFIX + path
        for attempt in (1, 2):
            try:
                response = self._http.request(method, url, json=json, params=params, headers=headers)
                break
            except _MAYBE_SENT as exc:
                if attempt == 2:
                    raise self._unreachable(exc) from exc
            except httpx.TransportError as exc:
                raise self._unreachable(exc) from exc
        return self.answer(response)

    def _unreachable(self, exc: Exception) -> EdgeUnreachable:
        return EdgeUnreachable(f"the edge appliance at {self.base_url} does not answer "
                               f"({type(exc).__name__}: {exc}); check that it is on and on the "
                               "office network, then try again")

    def answer(self, response: httpx.Response) -> Any:
        if response.is_success:
            try:
                return response.json()
            except ValueError as exc:
                raise EdgeProtocolError(f"{self.base_url} answered something that is not JSON; "
                                        "is this address really the edge appliance?") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code == 401:
            raise LanAuthError(f"the edge at {self.base_url} refused this device: "
                               f"{body.get('detail', 'unauthorized')}")
        error = wire.error_from_body(body) if isinstance(body, dict) else None
        if error is not None:
            raise error
        raise EdgeProtocolError(f"the edge at {self.base_url} answered {response.status_code}: "
                                f"{response.text[:200]}")

    def hello(self) -> dict:
        """Which office and protocol the edge serves (no token needed); refuses another
        protocol version."""
        info = self.request("GET", "/hello")
        if info.get("protocol") != wire.PROTOCOL_VERSION:
            raise EdgeProtocolError(f"the edge at {self.base_url} speaks LAN protocol "
                                    f"{info.get('protocol')!r}, this device {wire.PROTOCOL_VERSION}; "
                                    "update the older one")
        return info


class RemoteFeature:
    """A feature's operations over the LAN: one method per entry of its table."""

    def __init__(self, link: LanLink) -> None:
        self._link = link

    @property
    def base_url(self) -> str:
        return self._link.base_url

    def hello(self) -> dict:
        return self._link.hello()


class RemoteQueue(RemoteFeature):
    """QueueClient over the edge's LAN API at ``base_url`` (e.g. ``http://192.168.1.10:8765``,
    or the :class:`LanLink` of a RemoteOffice): one method per entry of kiosk.queue.ops_table
    (added below the class), plus :meth:`hello` and :meth:`watch`."""

    def __init__(self, base_url: str | LanLink, token: str = "", *, timeout: float = 10.0,
                 stream_silence: float = STREAM_SILENCE_SECONDS,
                 backoff: tuple[float, float] = (BACKOFF_MIN, BACKOFF_MAX),
                 transport: httpx.BaseTransport | None = None) -> None:
        link = base_url if isinstance(base_url, LanLink) else LanLink(
            base_url, token, timeout=timeout, transport=transport)
        super().__init__(link)
        self._stream_silence = stream_silence
        self._backoff = backoff

    def close(self) -> None:
        self._link.close()

    def __enter__(self) -> RemoteQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- QueueClient ----------------------------------------------------------------------

    def watch(self, on_event: Callable[[QueueEvent], None], on_connection: Callable[[bool], None],
              stop: threading.Event, after_id: int = 0) -> None:
        """Follow the edge's change feed until ``stop`` is set, reconnecting by itself.

        ``on_connection(False)`` when the edge is lost (or cannot be reached at first),
        ``on_connection(True)`` when the stream is (re)established; each change of state is
        reported once. Every reconnection resumes after the last event handed to ``on_event``,
        so nothing that happened while the edge was away is missed or repeated. Only a refused
        token ends the loop (:class:`LanAuthError`): retrying cannot fix it.
        """
        connected: bool | None = None
        low, high = self._backoff
        delay = low

        def report(up: bool) -> None:
            nonlocal connected
            if connected is not up:
                connected = up
                on_connection(up)

        timeout = httpx.Timeout(self._stream_silence, connect=3.0)
        with httpx.Client(base_url=self.base_url, headers=self._link.headers, timeout=timeout,
                          transport=self._link.transport) as http:
            while not stop.is_set():
                try:
                    with connect_sse(http, "GET", wire.PREFIX + "/events",
                                     params={"after": after_id},
                                     headers={"Last-Event-ID": str(after_id)}) as source:
                        if source.response.status_code != 200:
                            source.response.read()
                            self._link.answer(source.response)
                        for sse in source.iter_sse():
                            if stop.is_set():
                                return
                            if sse.event == "ready":  # the edge's stream is really up
                                report(True)
                                delay = low
                            if sse.event != "queue":
                                continue  # ready, or a keep-alive ping
                            event = wire.decode(QueueEvent, sse.json())
                            if event.id > after_id:
                                try:
                                    on_event(event)
                                except Exception as exc:
                                    raise _HandlerFailed from exc
                                after_id = event.id
                except _HandlerFailed as failed:
                    raise failed.__cause__ from None  # the screen's own bug: not a lost edge
                except LanAuthError:
                    report(False)
                    raise
                except (httpx.TransportError, httpx.StreamError, SSEError, KioskError,
                        ValueError, KeyError):
                    # Lost, restarting, or answering nonsense for a moment (e.g. StoreError 503
                    # while its disk is busy): all mean "wait and reconnect".
                    pass
                if stop.is_set():
                    break
                report(False)
                stop.wait(random.uniform(delay / 2, delay))
                delay = min(delay * 2, high)


def _remote_method(feature: Feature, op: Op):
    """The LAN call of one operation: its path arguments in the path, the others in the JSON
    body, or for a GET in the query (a list as ``a,b``, a date as ISO; None left out)."""
    signature = op.signature

    def method(self: RemoteFeature, *args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        path = feature.prefix + op.path.format(**{name: values[name] for name in op.path_args})
        rest = {name: wire.to_json(values[name]) for name in op.other_args}
        if op.method == "GET":
            params = {op.wire_names.get(name, name): ",".join(v) if isinstance(v, list) else v
                      for name, v in rest.items() if v is not None}
            answer = self._link.request("GET", path, params=params or None)
        else:
            answer = self._link.request(op.method, path, json=rest or None, mutating=op.writes)
        if op.answer_key is not None:
            answer = answer[op.answer_key]
        return wire.decode(op.result, answer)

    return with_signature(method, op)


_REMOTE_CLASSES: dict[str, type[RemoteFeature]] = {
    QUEUE.name: add_methods(RemoteQueue, QUEUE, lambda op: _remote_method(QUEUE, op))}


def remote_class(feature: Feature) -> type[RemoteFeature]:
    """The remote class of a feature: RemoteQueue for the queue (it adds ``watch``), else a
    plain one made from the table."""
    cls = _REMOTE_CLASSES.get(feature.name)
    if cls is None:
        name = "Remote" + "".join(part.title() for part in feature.name.split("_"))
        cls = _REMOTE_CLASSES[feature.name] = add_methods(
            type(name, (RemoteFeature,), {"__doc__": f"The {feature.name} operations over the LAN."}),
            feature, lambda op: _remote_method(feature, op))
    return cls


class RemoteOffice:
    """The office client of a device that is not the edge: one attribute per feature, all
    over one :class:`LanLink`. ``queue_options`` go to RemoteQueue (stream silence, backoff)."""

    def __init__(self, base_url: str, token: str, features: tuple[Feature, ...], *,
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None,
                 **queue_options: Any) -> None:
        self.link = LanLink(base_url, token, timeout=timeout, transport=transport)
        self.features = tuple(features)
        for feature in self.features:
            cls = remote_class(feature)
            client = cls(self.link, **queue_options) if cls is RemoteQueue else cls(self.link)
            setattr(self, feature.name, client)

    @property
    def base_url(self) -> str:
        return self.link.base_url

    def close(self) -> None:
        self.link.close()

    def __enter__(self) -> RemoteOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remote_office_for(config, features: tuple[Feature, ...], *, discover_timeout: float = 3.0,
                      interfaces: list[str] | None = None) -> RemoteOffice:
    """The RemoteOffice a counter, board or admin PC uses: ``[lan] edge_url`` when set, else
    the edge of this office found with zeroconf."""
    if config.lan.edge_url and config.lan.edge_url != "auto":
        return RemoteOffice(config.lan.edge_url, config.lan.token, features)
    from sync.lan.discovery import discover

    for edge in discover(discover_timeout, interfaces=interfaces, office_code=config.office.code,
                         first=True):
        return RemoteOffice(edge.url, config.lan.token, features)
    raise EdgeUnreachable(f"no edge appliance of office {config.office.code} answered on the "
                          f"network within {discover_timeout:g} s; check that it is on, or set "
                          "[lan] edge_url in config.toml")
