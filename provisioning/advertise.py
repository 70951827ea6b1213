"""A kiosk tells the office LAN that it is there, so the technician's laptop can list it.

Every kiosk (fresh or configured: reset and diagnostics need to find it too) registers a
``_kiosk-setup._tcp.local.`` DNS-SD service pointing at its setup service (port 8766). The
instance and host names come from the device's identity (``kiosk-7f3kq2ma``), so they are
unique per device and stay the same across restarts; two kiosks never fight over a name.

The TXT record holds only what anyone on the LAN may read: protocol version (``pv``), short
id (``id``), key fingerprint (``fp``, public: it names the key, it does not unlock it),
``state`` (unprovisioned | provisioned), ``model`` and software version (``sw``). Never the
setup code, a token or key material: a multicast packet reaches every machine in the office.

Library: python-zeroconf (already the edge's; ServiceInfo + register_service, and
update_service when the state changes), as in sync/lan/discovery.py.
``interfaces=["127.0.0.1"]`` keeps a test on loopback.
"""

from __future__ import annotations

import platform
import socket
from pathlib import Path

from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf, get_all_addresses

from provisioning.device import DeviceIdentity

#: DNS-SD service type (the name part must be 15 bytes or fewer: "kiosk-setup" is 11).
SERVICE_TYPE = "_kiosk-setup._tcp.local."
#: Version of the setup protocol (TXT ``pv``); a laptop refuses a device with another one.
PROTOCOL_VERSION = "1"
#: The device's setup service port (provisioning.service.SETUP_PORT; the LAN API is 8765).
SETUP_PORT = 8766
STATES = ("unprovisioned", "provisioned")
#: The only keys a TXT record may carry (tests/test_setup_discovery.py reads them back).
TXT_KEYS = ("pv", "id", "fp", "state", "model", "sw")
#: Where a Raspberry Pi names itself ("Raspberry Pi 4 Model B Rev 1.4").
DEVICE_TREE_MODEL = Path("/proc/device-tree/model")


def device_state(data_dir: Path) -> str:
    """``unprovisioned`` while the data dir has no config.toml (the contract's definition)."""
    from kiosk.config import config_path

    return "provisioned" if config_path(Path(data_dir)).exists() else "unprovisioned"


def device_model(path: Path = DEVICE_TREE_MODEL) -> str:
    """The board's name on a Pi, the machine type elsewhere (``x86_64``): what a technician
    needs to tell a Pi 4 from a Pi 5 in the list."""
    try:
        model = path.read_bytes().rstrip(b"\0").decode("ascii", "replace").strip()
    except OSError:
        model = ""
    return (model or platform.machine() or "unknown")[:60]


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kelurahan-kiosk")
    except PackageNotFoundError:
        return "0+unknown"


def txt_record(identity: DeviceIdentity, state: str, *, model: str | None = None,
               version: str | None = None) -> dict[str, str]:
    """The TXT properties, public facts only."""
    if state not in STATES:
        raise ValueError(f"state {state!r}: use one of {', '.join(STATES)}")
    return {"pv": PROTOCOL_VERSION, "id": identity.short_id, "fp": identity.fingerprint,
            "state": state, "model": model or device_model(), "sw": version or software_version()}


def lan_addresses(interfaces: list[str] | None = None) -> list[str]:
    """The IPv4 addresses to announce: the given interfaces', or every one of this machine
    but loopback (loopback only when there is nothing else, a machine with no network)."""
    if interfaces:
        return list(interfaces)
    found = [a for a in get_all_addresses() if not a.startswith("127.")]
    return found or ["127.0.0.1"]


def primary_address(interfaces: list[str] | None = None) -> str:
    """The one address the setup page shows: the one the default route leaves by (a UDP
    "connect" sends nothing), else the first LAN address."""
    if interfaces:
        return interfaces[0]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
            if address and not address.startswith(("0.", "127.")):
                return address
    except OSError:
        pass
    return lan_addresses()[0]


class SetupAdvertisement:
    """This device's ``_kiosk-setup._tcp`` record, announced until :meth:`close`."""

    def __init__(self, identity: DeviceIdentity, *, state: str = "unprovisioned",
                 port: int = SETUP_PORT, interfaces: list[str] | None = None,
                 model: str | None = None, version: str | None = None) -> None:
        self.identity = identity
        self._model, self._version = model, version
        label = identity.host_label
        self.info = ServiceInfo(
            SERVICE_TYPE, f"{label}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in lan_addresses(interfaces)], port=port,
            properties=txt_record(identity, state, model=model, version=version),
            server=f"{label}.local.")
        self.state = state
        self.zeroconf = Zeroconf(interfaces=interfaces or InterfaceChoice.All,
                                 ip_version=IPVersion.V4Only)
        try:
            # The same key on two machines (a copied data dir) gets "-2" rather than an error.
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

    def set_state(self, state: str) -> None:
        """Announce the new state now (configured: "provisioned"); browsers see an update."""
        if state == self.state:
            return
        old = self.info
        # ServiceInfo's properties are read-only: the same record with the new TXT.
        self.info = ServiceInfo(old.type, old.name, addresses=old.addresses, port=old.port,
                                properties=txt_record(self.identity, state, model=self._model,
                                                      version=self._version),
                                server=old.server)
        self.zeroconf.update_service(self.info)
        self.state = state

    def close(self) -> None:
        try:
            self.zeroconf.unregister_service(self.info)
        finally:
            self.zeroconf.close()

    def __enter__(self) -> SetupAdvertisement:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
