"""``kiosk provision pair | configure | reset``: the technician's laptop and a kiosk's setup
service (provisioning/technician.py; docs/PROVISIONING.md).

DEVICE is the short id on the kiosk's screen (``7F3K-Q2MA``, found on the LAN by discovery
or remembered from the pairing) or its address ``HOST:PORT``; ``--address`` gives the address
when discovery cannot find it. Paired kiosks are remembered in the technician store
(``--store DIR``, ``$KIOSK_TECH_DIR``, default the user config dir).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kiosk.config import ROLES

_DEVICE_HELP = ("DEVICE: the short id on the kiosk's screen (7F3K-Q2MA) or its address "
                "HOST:PORT.")


def _store_option(fn):
    return click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
                        envvar="KIOSK_TECH_DIR", default=None,
                        help="Technician store of paired kiosks. Default: $KIOSK_TECH_DIR or "
                             "the user config dir (kelurahan-kiosk-technician).")(fn)


def _address_option(fn):
    return click.option("--address", default=None, metavar="HOST:PORT",
                        help="The kiosk's setup service (shown on its setup page) when "
                             "discovery does not find it.")(fn)


def _json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)


def _fail(exc: Exception) -> click.ClickException:
    from kiosk.cli.options import Failure

    return Failure(str(exc))


def _discover(short_id: str, timeout: float) -> tuple[str, str] | None:
    """(address, fingerprint) of the kiosk with this short id on the LAN (zeroconf,
    provisioning.discover), or None."""
    from provisioning.discover import discover
    from provisioning.technician import normal_id

    try:
        found = discover(timeout)
    except Exception:  # noqa: BLE001 - discovery is a convenience; --address always works
        return None
    for item in found:
        if normal_id(item.short_id) == normal_id(short_id):
            host = str(item.address)
            host = f"[{host}]" if ":" in host else host
            return f"{host}:{item.port}", item.fingerprint
    return None


def _where(ref: str, address: str | None, timeout: float,
           remembered: str | None = None) -> tuple[str, str | None, str | None]:
    """(address, expected short id or None, fingerprint from discovery or None)."""
    from provisioning.technician import looks_like_address

    if looks_like_address(ref):
        return address or ref, None, None
    if address:
        return address, ref, None
    if remembered:
        return remembered, ref, None
    found = _discover(ref, timeout)
    if found is None:
        raise click.UsageError(f"kiosk {ref} was not found on this network; check that it is "
                               "on and on the same Wi-Fi, or give its address with "
                               "--address HOST:PORT (shown on its setup page)")
    return found[0], ref, found[1]


def _echo(as_json: bool, value: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(value, indent=2) if as_json else text)


def _paired(store: Any, ref: str, address: str | None, timeout: float) -> tuple[Any, str]:
    """The stored pairing for DEVICE and the address to reach it at."""
    device = store.find(ref) or (store.find(address) if address else None)
    if device is None:
        raise click.UsageError(f"this laptop is not paired with {ref}; run 'kiosk provision "
                               f"pair {ref} --code CODE' with the code on its screen first")
    where = address or (ref if ":" in ref else device.address)
    return device, where


def _call(store: Any, device: Any, where: str, path: str, payload: dict, timeout: float) -> dict:
    """A sealed call; if the kiosk moved (new address from DHCP), look for it once."""
    from provisioning.technician import TechnicianError, call

    try:
        return call(store, device, path, payload, address=where, timeout=timeout)
    except TechnicianError as exc:
        if exc.reason != "unreachable":
            raise
        found = _discover(device.short_id, 3.0)
        if found is None or found[0] == where:
            raise
        device.address = found[0]
        store.save(device)
        return call(store, device, path, payload, address=found[0], timeout=timeout)


def _read_pin(from_stdin: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline().strip()
        if not line:
            raise click.UsageError("--admin-pin-stdin: no PIN on stdin")
        return line
    if not sys.stdin.isatty():
        raise click.UsageError("--admin-pin asks at a terminal; in a script use "
                               "--admin-pin-stdin and pipe the PIN in")
    return click.prompt("Admin PIN for the kiosk (4 to 8 digits)", hide_input=True,
                        confirmation_prompt="Again")


def register(provision: click.Group) -> None:
    """Adds this module's commands to the ``provision`` group."""

    @provision.command(help="Pair this laptop with a kiosk over the 6-digit code on its screen "
                       "(SPAKE2). A wrong code makes the kiosk show a new one; five wrong codes "
                       "make it wait. " + _DEVICE_HELP)
    @click.argument("device")
    @click.option("--code", required=True, metavar="123456",
                  help="The 6-digit code on the kiosk's screen.")
    @_address_option
    @_store_option
    @_json_option
    @click.option("--timeout", type=click.FloatRange(1, 120), default=15.0, show_default=True,
                  help="Seconds to wait for the kiosk.")
    def pair(device: str, code: str, address: str | None, store_dir: Path | None,
             as_json: bool, timeout: float) -> None:
        from provisioning.technician import TechnicianError, TechnicianStore

        store = TechnicianStore(store_dir)
        where, expect, fingerprint = _where(device, address, 3.0)
        try:
            from provisioning.technician import pair as do_pair

            paired = do_pair(where, code.strip(), store, expect_id=expect,
                             fingerprint=fingerprint, timeout=timeout)
        except TechnicianError as exc:
            raise _fail(exc) from None
        _echo(as_json, {"paired": True, **paired.public(), "store": str(store.root)},
              f"paired with kiosk {paired.short_id} at {paired.address}\n"
              f"check that {paired.short_id} is the id on the kiosk's screen; next: "
              f"kiosk provision configure {paired.short_id} --office CODE ...")

    @provision.command(help="Send the configuration to a paired kiosk: it checks it, saves it, "
                       "enrolls with the city server and prints a test receipt. " + _DEVICE_HELP)
    @click.argument("device")
    @click.option("--office", required=True, help="Office code, e.g. 6472011001 (as on the city server).")
    @click.option("--server", required=True, help="The city server, e.g. https://sync.kota.go.id.")
    @click.option("--printer", required=True,
                  help="Receipt printer: usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0, "
                       "file:///path or dummy://.")
    @click.option("--role", type=click.Choice(ROLES), required=True, help="What the kiosk shows.")
    @click.option("--name", default=None, help="Office name printed on receipts.")
    @click.option("--timezone", type=click.Choice(["WIB", "WITA", "WIT"], case_sensitive=False),
                  default=None, help="Office time zone (default WIB).")
    @click.option("--lan-token", default=None,
                  help="The office LAN token (the same on every device); default: the kiosk "
                       "makes one and prints it here for the other devices.")
    @click.option("--edge-url", default=None,
                  help="The office edge's URL for a kiosk that is not the edge ('auto': find "
                       "it; default: this kiosk is the edge).")
    @click.option("--token", "enroll_token", default=None,
                  help="Single-use enrollment token from the city "
                       "('kiosk server enroll-token --office CODE').")
    @click.option("--admin-pin", "pin_prompt", is_flag=True,
                  help="Ask for the kiosk's admin PIN (hidden, twice).")
    @click.option("--admin-pin-stdin", "pin_stdin", is_flag=True,
                  help="Read the admin PIN from the first line of stdin.")
    @_address_option
    @_store_option
    @_json_option
    @click.option("--timeout", type=click.FloatRange(1, 600), default=90.0, show_default=True,
                  help="Seconds to wait for the kiosk (enrollment and the test receipt).")
    def configure(device: str, office: str, server: str, printer: str, role: str,
                  name: str | None, timezone: str | None, lan_token: str | None,
                  edge_url: str | None, enroll_token: str | None, pin_prompt: bool,
                  pin_stdin: bool, address: str | None, store_dir: Path | None,
                  as_json: bool, timeout: float) -> None:
        from provisioning.configure import payload
        from provisioning.technician import TechnicianError, TechnicianStore

        pin = _read_pin(pin_stdin) if (pin_prompt or pin_stdin) else None
        store = TechnicianStore(store_dir)
        paired, where = _paired(store, device, address, timeout)
        body = payload(office=office, server=server, printer=printer, role=role, admin_pin=pin,
                       name=name, timezone=timezone, lan_token=lan_token, edge_url=edge_url,
                       enroll_token=enroll_token)
        try:
            answer = _call(store, paired, where, "/setup/configure", body, timeout)
        except TechnicianError as exc:
            raise _fail(exc) from None
        enrollment = answer.get("enrollment", {})
        receipt = answer.get("test_receipt", {})
        lines = [f"kiosk {answer.get('id', paired.short_id)} configured: office "
                 f"{answer.get('office')}, role {', '.join(answer.get('roles', []))}",
                 f"enrollment: {enrollment.get('status')}"
                 + (f" ({enrollment['detail']})" if enrollment.get("detail") else ""),
                 f"test receipt on {receipt.get('printer')}: {receipt.get('status')}"
                 + (f" ({receipt['detail']})" if receipt.get("detail") else "")]
        if answer.get("lan_token"):
            lines.append(f"office LAN token (give it to the office's other devices with "
                         f"--lan-token): {answer['lan_token']}")
        _echo(as_json, answer, "\n".join(lines))

    @provision.command(help="Factory-reset a paired kiosk: it sends what it has not synced yet "
                       "if the city answers, then wipes its keys and data and shows the setup "
                       "page. " + _DEVICE_HELP)
    @click.argument("device")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @_address_option
    @_store_option
    @_json_option
    @click.option("--timeout", type=click.FloatRange(1, 600), default=120.0, show_default=True,
                  help="Seconds to wait for the kiosk (it flushes its outbox first).")
    @click.option("--force", is_flag=True,
                  help="Reset even when records could not be sent to the city (they are lost).")
    def reset(device: str, yes: bool, address: str | None, store_dir: Path | None,
              as_json: bool, timeout: float, force: bool) -> None:
        from provisioning.technician import TechnicianError, TechnicianStore

        store = TechnicianStore(store_dir)
        paired, where = _paired(store, device, address, timeout)
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("a factory reset needs confirmation: add --yes")
            click.confirm(f"Factory reset kiosk {paired.short_id}: its data and keys are "
                          "wiped. Continue?", abort=True)
        try:
            answer = _call(store, paired, where, "/setup/reset", {"force": force}, timeout)
            if answer.get("reset") is False and answer.get("pending"):
                # The city did not take everything: the technician decides, knowing the count.
                message = answer.get("message") or (f"{answer['pending']} records not yet "
                                                    "sent to the city; reset anyway?")
                if yes or not sys.stdin.isatty():
                    raise click.ClickException(f"kiosk {paired.short_id}: {message} (nothing "
                                               "was wiped; add --force to reset anyway)")
                click.confirm(f"kiosk {paired.short_id}: {message}", abort=True)
                answer = _call(store, paired, where, "/setup/reset", {"force": True}, timeout)
        except TechnicianError as exc:
            raise _fail(exc) from None
        _echo(as_json, answer, f"kiosk {paired.short_id}: "
              + ", ".join(f"{k} {v}" for k, v in answer.items()))

