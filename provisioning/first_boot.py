"""A kiosk with no configuration: what runs while it waits for the technician.

``kiosk run`` on a data dir without config.toml calls :func:`run_setup_mode`, which starts
the two things a technician's laptop needs, and hands back a :class:`SetupMode` handle:

- the advertisement (provisioning.advertise): the laptop's ``kiosk provision discover`` and
  ``status`` list this kiosk as "unprovisioned";
- the setup service (provisioning.service, port 8766: pairing with the 6-digit code,
  configure, health). It calls :meth:`SetupMode.configured` once config.toml is written;
  the advertisement then says "provisioned" (a zeroconf update, no goodbye) and the
  callbacks registered with :meth:`SetupMode.on_configured` run: the Qt app leaves the
  setup page for the role's screen (ui/setup_app.py: ``run_setup_app``).

No Qt here: the handle's callbacks run on the service's thread; the UI queues them itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provisioning import device
from provisioning.advertise import (PROTOCOL_VERSION, SETUP_PORT, SetupAdvertisement,
                                    device_state, primary_address)
from provisioning.device import DeviceIdentity
from provisioning.setup_code import SetupCode

log = logging.getLogger(__name__)

#: What the setup page's QR starts with (the laptop's pair command may read it from a photo).
QR_PREFIX = "KIOSK-SETUP"


def qr_text(identity: DeviceIdentity, address: str, code: str) -> str:
    """``KIOSK-SETUP:1;id=7F3K-Q2MA;fp=<64 hex>;addr=192.168.1.23:8766;code=123456``."""
    return (f"{QR_PREFIX}:{PROTOCOL_VERSION};id={identity.short_id};fp={identity.fingerprint};"
            f"addr={address};code={code}")


def parse_qr_text(text: str) -> dict[str, str]:
    """The fields of a setup QR (id, fp, addr, code, and ``version``); ValueError when the
    text is not one."""
    head, _, rest = text.strip().partition(";")
    prefix, _, version = head.partition(":")
    if prefix != QR_PREFIX or not version:
        raise ValueError(f"not a kiosk setup QR (it should start with {QR_PREFIX}:1;)")
    fields = dict(part.split("=", 1) for part in rest.split(";") if "=" in part)
    missing = [key for key in ("id", "fp", "addr", "code") if not fields.get(key)]
    if missing:
        raise ValueError(f"the setup QR lacks {', '.join(missing)}")
    return {"version": version, **fields}


@dataclass
class SetupMode:
    """What :func:`run_setup_mode` started; :meth:`stop` ends it all."""

    data_dir: Path
    identity: DeviceIdentity
    code: SetupCode
    host: str                      # the address shown on the page (and in the QR)
    port: int
    advertisement: SetupAdvertisement | None   # None: not announced (--no-advertise)
    service: Any = None            # provisioning.service.SetupService (.port, .stop())
    _callbacks: list[Callable[[], None]] = field(default_factory=list)
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def address(self) -> str:
        """``192.168.1.23:8766``: what the technician's laptop reaches."""
        return f"{self.host}:{self.port}"

    @property
    def is_configured(self) -> bool:
        return self._done.is_set()

    def on_configured(self, callback: Callable[[], None]) -> None:
        """``callback()`` runs (on the caller of :meth:`configured`) when the device has
        been configured; at once when it already has."""
        self._callbacks.append(callback)
        if self._done.is_set():
            callback()

    def configured(self) -> None:
        """Called by the setup service once config.toml is in place (SetupState.on_configured)."""
        if self._done.is_set():
            return
        self._done.set()
        try:
            if self.advertisement is not None:
                self.advertisement.set_state(device_state(self.data_dir))
        except Exception as exc:  # noqa: BLE001 - the laptop's list is stale, the kiosk works
            log.warning("could not announce the new state on the LAN: %s", exc)
        for callback in list(self._callbacks):
            callback()

    def wait_configured(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> None:
        try:
            if self.service is not None:
                self.service.stop()
        finally:
            if self.advertisement is not None:
                self.advertisement.close()


def run_setup_mode(data_dir: Path, *, interfaces: list[str] | None = None,
                   port: int = SETUP_PORT, code: SetupCode | None = None,
                   advertise: bool = True,
                   after_reset: Callable[[], None] | None = None) -> SetupMode:
    """Start the setup service and the advertisement for the device in ``data_dir`` (its
    identity key is made now on a fresh device). ``interfaces`` limits both to these IPv4
    addresses (``["127.0.0.1"]`` in tests); ``port=0`` lets a test pick a free one. A port
    already taken (another kiosk process on this machine) raises OSError, which
    ``kiosk run`` reports in one line. ``advertise=False`` serves without the zeroconf
    announcement (``kiosk edge serve --no-advertise``). ``after_reset`` runs once a paired
    laptop reset the device (provisioning.service.SetupState.after_reset)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    identity = device.load(data_dir)
    code = code or SetupCode()
    host = primary_address(interfaces)
    mode = SetupMode(data_dir=data_dir, identity=identity, code=code, host=host, port=port,
                     advertisement=None)  # type: ignore[arg-type]  # set just below
    mode.service = _start_service(mode, listen=interfaces[0] if interfaces else "0.0.0.0",
                                  port=port, after_reset=after_reset)
    mode.port = int(mode.service.port)
    if not advertise:
        return mode
    try:
        mode.advertisement = SetupAdvertisement(identity, state=device_state(data_dir),
                                                port=mode.port, interfaces=interfaces)
    except BaseException:
        if mode.service is not None:
            mode.service.stop()
        raise
    return mode


def _start_service(mode: SetupMode, *, listen: str, port: int,
                   after_reset: Callable[[], None] | None = None):
    """The device's setup service (provisioning.service: pairing with the page's code,
    configure, diagnostics, reset) with the health and reset of provisioning.health /
    provisioning.reset when installed (its ``default_state`` picks them). Its configure
    route calls :meth:`SetupMode.configured`."""
    from provisioning.service import default_state, start_setup_service

    state = default_state(mode.data_dir, on_configured=mode.configured, code=mode.code,
                          after_reset=after_reset)
    return start_setup_service(state, host=listen, port=port)
