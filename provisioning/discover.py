"""Finding kiosks on the office LAN (the technician's laptop, or a kiosk's own list).

python-zeroconf's threaded ``ServiceBrowser`` watches ``_kiosk-setup._tcp.local.``
(provisioning.advertise). Its listener runs on zeroconf's own thread, where resolving
(``get_service_info``, which blocks) is not allowed; so the listener only queues names, and
one resolver thread of ours turns each into a :class:`FoundDevice` and hands it to the
callbacks. The Qt list (ui/device_browser.py) passes those on through queued signals;
:func:`discover` collects them for a few seconds (``kiosk provision discover``).

A TXT record comes from whoever answers on the LAN, so every value is cut to a sane length
and stripped of control characters before a terminal or a screen shows it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from zeroconf import (InterfaceChoice, IPVersion, ServiceBrowser, ServiceInfo,
                      ServiceListener, Zeroconf)

from provisioning.advertise import SERVICE_TYPE

#: How long resolving one device's SRV/TXT/A records may take.
RESOLVE_MS = 1500
_MAX_TEXT = 80


@dataclass(frozen=True)
class FoundDevice:
    short_id: str
    fingerprint: str
    state: str
    model: str
    version: str
    address: str
    port: int

    @property
    def setup_url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def to_json(self) -> dict:
        return asdict(self)


def _clean(value: bytes | None) -> str:
    text = (value or b"").decode("utf-8", "replace")
    return "".join(ch for ch in text if ch.isprintable())[:_MAX_TEXT]


def parse(info: ServiceInfo) -> FoundDevice | None:
    """The device a resolved record describes, or None when it is not one we can reach
    (no IPv4 address or port, no id)."""
    props = {k.decode("utf-8", "replace"): _clean(v) for k, v in info.properties.items()}
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if not addresses or not info.port or not props.get("id"):
        return None
    return FoundDevice(short_id=props["id"], fingerprint=props.get("fp", ""),
                       state=props.get("state", ""), model=props.get("model", ""),
                       version=props.get("sw", ""), address=addresses[0], port=info.port)


class _Events(ServiceListener):
    """On zeroconf's thread: only queue (kind, name); resolving happens elsewhere."""

    def __init__(self, events: queue.Queue) -> None:
        self.events = events

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.events.put(("add", name))

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.events.put(("update", name))

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.events.put(("remove", name))


class SetupBrowser:
    """Watches the LAN until :meth:`close`. The callbacks run on this browser's resolver
    thread (never zeroconf's, never Qt's): ``on_found(device)`` for a new one,
    ``on_updated(device)`` when its record changed (e.g. it was configured),
    ``on_removed(short_id)`` when it said goodbye."""

    def __init__(self, *, interfaces: list[str] | None = None,
                 on_found: Callable[[FoundDevice], None] | None = None,
                 on_updated: Callable[[FoundDevice], None] | None = None,
                 on_removed: Callable[[str], None] | None = None) -> None:
        self._on_found = on_found or (lambda d: None)
        self._on_updated = on_updated or (lambda d: None)
        self._on_removed = on_removed or (lambda s: None)
        self._events: queue.Queue = queue.Queue()
        self._known: dict[str, FoundDevice] = {}
        self._lock = threading.Lock()
        self.zeroconf = Zeroconf(interfaces=interfaces or InterfaceChoice.All,
                                 ip_version=IPVersion.V4Only)
        self._thread = threading.Thread(target=self._resolve_loop, name="setup-browser",
                                        daemon=True)
        self._thread.start()
        self._browser = ServiceBrowser(self.zeroconf, SERVICE_TYPE, _Events(self._events))

    def settle(self, timeout_s: float) -> None:
        """Wait (at most ``timeout_s``) until every name heard so far is resolved: a kiosk
        heard just before :func:`discover`'s time is up still makes the list."""
        deadline = time.monotonic() + timeout_s
        while self._events.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)

    def devices(self) -> list[FoundDevice]:
        with self._lock:
            return sorted(self._known.values(), key=lambda d: d.short_id)

    def _resolve_loop(self) -> None:
        while True:
            kind, name = self._events.get()
            if kind == "stop":
                self._events.task_done()
                return
            try:
                self._handle(kind, name)
            except Exception:  # noqa: BLE001 - one odd record must not end the list
                pass
            finally:
                self._events.task_done()

    def _handle(self, kind: str, name: str) -> None:
        if kind == "remove":
            with self._lock:
                gone = self._known.pop(name, None)
            if gone is not None:
                self._on_removed(gone.short_id)
            return
        info = self.zeroconf.get_service_info(SERVICE_TYPE, name, timeout=RESOLVE_MS)
        device = parse(info) if info else None
        if device is None:
            return
        with self._lock:
            before = self._known.get(name)
            self._known[name] = device
        if before is None:
            self._on_found(device)
        elif before != device:
            self._on_updated(device)

    def close(self) -> None:
        try:
            self._browser.cancel()
        finally:
            self._events.put(("stop", ""))
            self._thread.join(timeout=RESOLVE_MS / 1000 + 2)
            self.zeroconf.close()

    def __enter__(self) -> SetupBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def discover(timeout_s: float = 3.0, interfaces: list[str] | None = None) -> list[FoundDevice]:
    """Every kiosk that answers within ``timeout_s`` seconds, sorted by short id."""
    with SetupBrowser(interfaces=interfaces) as browser:
        time.sleep(max(0.0, timeout_s))
        browser.settle(RESOLVE_MS / 1000)
        return browser.devices()
