"""Finding the edge appliance on the office LAN with zeroconf (mDNS / DNS-SD), no setup needed.

The edge registers a ``_kelurahan-edge._tcp.local.`` service whose TXT record carries the
office code, the LAN protocol version and the device id; counters and boards browse for it
and take the one of their own office. Library: python-zeroconf (ServiceInfo +
Zeroconf.register_service to advertise, ServiceBrowser + get_service_info to discover).

``interfaces`` picks where mDNS is spoken: all interfaces in the office (the default), or
``["127.0.0.1"]`` to keep a test or a single-machine setup on loopback.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from zeroconf import (InterfaceChoice, IPVersion, ServiceBrowser, ServiceInfo, ServiceListener,
                      Zeroconf, get_all_addresses)

from sync.lan.wire import PREFIX, PROTOCOL_VERSION, SERVICE_TYPE

#: How long get_service_info may wait for an edge's SRV/TXT/A answer.
RESOLVE_MS = 1500
#: systemd's per-installation id (regenerated on first boot when a prepared image leaves it
#: empty, which is how an SD card image should be made).
MACHINE_ID = Path("/etc/machine-id")
#: Where the edge's enrolment key lives in its data directory (sync.client.identity.KEY_FILE;
#: spelled again here so the LAN package does not import the sync client).
IDENTITY_KEY_FILE = "identity.key"


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


def _public_key(data_dir: Path | None) -> bytes:
    """The public half of the enrolment key, or b"" when there is none (not enrolled yet,
    unreadable). Never the private key itself, not even hashed, in a multicast packet."""
    if data_dir is None:
        return b""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = (Path(data_dir) / IDENTITY_KEY_FILE).read_bytes()
        key = Ed25519PrivateKey.from_private_bytes(raw)
        return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    except (OSError, ValueError):
        return b""


def machine_tag(data_dir: Path | None = None, *, machine_id: Path = MACHINE_ID,
                device_id: str = "") -> str:
    """Eight hex digits naming this machine in its mDNS host name.

    Two edges cloned from one SD card carry the same device id in config.toml, so that alone
    gave two machines one host name with two addresses. This hashes what differs between
    machines: /etc/machine-id, the network card's hardware address (a clone keeps the file but
    not the card) and the enrolment key's public half; the device id only as a last
    ingredient. Stable across restarts: none of these change while the machine lives.
    """
    try:
        mid = machine_id.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        mid = ""
    node = uuid.getnode()
    # getnode() invents a random number (multicast bit set) when it finds no card: not stable.
    mac = "" if node & (1 << 40) else f"{node:012x}"
    digest = hashlib.sha256("\0".join([mid, mac, _public_key(data_dir).hex(), device_id]).encode())
    return digest.hexdigest()[:8]


class Advertisement:
    """The edge's zeroconf record, announced while it serves; :meth:`close` says goodbye.

    The instance name carries the device id (what a technician recognises) and, like the host
    name, :func:`machine_tag` (``tag``), so both are unique per machine even on cloned cards
    (zeroconf's renaming did not catch two clones announcing one name: tested).
    """

    def __init__(self, *, office_code: str, port: int, device_id: str, host: str = "0.0.0.0",
                 interfaces: list[str] | None = None, tag: str | None = None) -> None:
        addresses = advertised_addresses(host)
        if interfaces is None and host not in ("", "0.0.0.0"):
            interfaces = [host]  # announce where we listen, not on every interface
        suffix = device_id.replace("-", "")[-8:]
        tag = tag or machine_tag(device_id=device_id)
        self.info = ServiceInfo(
            SERVICE_TYPE, f"{office_code}-edge-{suffix}-{tag}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in addresses], port=port,
            properties={"office": office_code, "proto": str(PROTOCOL_VERSION),
                        "device": device_id, "path": PREFIX},
            server=f"kelurahan-edge-{tag}.local.")
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

    @property
    def host_name(self) -> str:
        return self.info.server or ""

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
