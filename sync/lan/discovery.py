"""Finding the edge appliance on the office LAN with zeroconf (mDNS / DNS-SD), no setup needed.

The edge registers a ``_kelurahan-edge._tcp.local.`` service whose TXT record carries the
office code, the LAN protocol version and the device id; counters and boards browse for it
and take the one of their own office. Library: python-zeroconf (ServiceInfo +
Zeroconf.register_service to advertise, ServiceBrowser + get_service_info to discover).

``interfaces`` picks where mDNS is spoken: all interfaces in the office (the default), or
``["127.0.0.1"]`` to keep a test or a single-machine setup on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import asdict, dataclass

from zeroconf import (InterfaceChoice, IPVersion, ServiceBrowser, ServiceInfo, ServiceListener,
                      Zeroconf, get_all_addresses)

from sync.lan.wire import PREFIX, PROTOCOL_VERSION, SERVICE_TYPE

#: How long get_service_info may wait for an edge's SRV/TXT/A answer.
RESOLVE_MS = 1500


@dataclass(frozen=True)
class Edge:
    """One edge appliance as found on the network."""

    name: str
    office_code: str
    protocol: int
    address: str
    port: int
    device_id: str

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}"

    def to_json(self) -> dict:
        return {**asdict(self), "url": self.url}


def _interfaces(interfaces: list[str] | None):
    return interfaces if interfaces else InterfaceChoice.All


def advertised_addresses(host: str) -> list[str]:
    """What to put in the A records: the address served on, or every IPv4 address of this
    machine but loopback when serving on all of them."""
    if host not in ("", "0.0.0.0"):
        return [host]
    found = [a for a in get_all_addresses() if not a.startswith("127.")]
    return found or ["127.0.0.1"]


class Advertisement:
    """The edge's zeroconf record, announced while it serves; :meth:`close` says goodbye."""

    def __init__(self, *, office_code: str, port: int, device_id: str, host: str = "0.0.0.0",
                 interfaces: list[str] | None = None) -> None:
        addresses = advertised_addresses(host)
        if interfaces is None and host not in ("", "0.0.0.0"):
            interfaces = [host]  # announce where we listen, not on every interface
        suffix = device_id.replace("-", "")[-8:]
        self.info = ServiceInfo(
            SERVICE_TYPE, f"{office_code}-edge-{suffix}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in addresses], port=port,
            properties={"office": office_code, "proto": str(PROTOCOL_VERSION),
                        "device": device_id, "path": PREFIX},
            server=f"kelurahan-edge-{suffix}.local.")
        self.zeroconf = Zeroconf(interfaces=_interfaces(interfaces), ip_version=IPVersion.V4Only)
        try:
            # Another edge with our name (a cloned SD card) gets "-2" etc. instead of an error.
            self.zeroconf.register_service(self.info, allow_name_change=True)
        except BaseException:
            self.zeroconf.close()
            raise

    @property
    def name(self) -> str:
        return self.info.name

    def close(self) -> None:
        try:
            self.zeroconf.unregister_service(self.info)
        finally:
            self.zeroconf.close()

    def __enter__(self) -> Advertisement:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Names(ServiceListener):
    """Runs on zeroconf's own thread, where blocking is not allowed: only collect names."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.names: set[str] = set()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        with self.lock:
            self.names.add(name)

    update_service = add_service

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        with self.lock:
            self.names.discard(name)


def _edge(info: ServiceInfo) -> Edge | None:
    props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
    addresses = info.parsed_addresses(IPVersion.V4Only)
    if not addresses or not info.port:
        return None
    try:
        protocol = int(props.get("proto", "0"))
    except ValueError:
        protocol = 0
    return Edge(name=info.name, office_code=props.get("office", ""), protocol=protocol,
                address=addresses[0], port=info.port, device_id=props.get("device", ""))


def discover(timeout: float = 3.0, *, interfaces: list[str] | None = None,
             office_code: str | None = None, first: bool = False) -> list[Edge]:
    """Edges that answer within ``timeout`` seconds (of ``office_code`` only, when given), sorted
    by office and name. ``first`` returns as soon as one is found (how a counter connects)."""
    zeroconf = Zeroconf(interfaces=_interfaces(interfaces), ip_version=IPVersion.V4Only)
    listener = _Names()
    browser = ServiceBrowser(zeroconf, SERVICE_TYPE, listener)
    found: dict[str, Edge] = {}
    try:
        deadline = time.monotonic() + timeout
        while True:
            with listener.lock:
                pending = listener.names - found.keys()
            for name in pending:
                info = zeroconf.get_service_info(SERVICE_TYPE, name, timeout=RESOLVE_MS)
                edge = _edge(info) if info else None
                if edge and (office_code is None or edge.office_code == office_code):
                    found[name] = edge
            if (first and found) or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
    finally:
        browser.cancel()
        zeroconf.close()
    return sorted(found.values(), key=lambda e: (e.office_code, e.name))
