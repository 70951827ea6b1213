"""``kiosk provision discover`` and ``kiosk provision status``: the kiosks on the office LAN,
as the technician's laptop finds them (provisioning.discover, zeroconf), and their health.

``status`` asks each device's setup service for its unauthenticated ``GET /health``
(port 8766, provisioning.service) in parallel, with a short timeout: one kiosk that does not
answer must not hold up the table. A device that has no such endpoint, or does not answer,
shows health "unknown" with the reason. Everything a device says (TXT record, health
reasons) is cut to a sane length and stripped of control characters before it is printed:
anyone on the LAN can answer. Library: httpx (already the LAN client's).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

#: Seconds one device's /health may take.
HEALTH_TIMEOUT_S = 2.0
_MAX_REASONS = 5


def _clean(value: object, limit: int = 120) -> str:
    return "".join(ch for ch in str(value) if ch.isprintable())[:limit]


def fetch_health(address: str, port: int, *, timeout: float = HEALTH_TIMEOUT_S) -> dict:
    """``{"status": "ok"|"degraded"|"unknown", "reasons": [...]}`` from the device's
    ``GET /health``; "unknown" (with the reason) when it has none or does not answer."""
    import httpx

    host = f"[{address}]" if ":" in address else address
    url = f"http://{host}:{port}/health"
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return {"status": "unknown", "reasons": [_clean(f"no answer from {url}: {exc}")]}
    if response.status_code == 404:
        return {"status": "unknown", "reasons": ["this device has no /health yet (older software)"]}
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("status") not in ("ok", "degraded"):
        return {"status": "unknown",
                "reasons": [f"unexpected answer from {url} (HTTP {response.status_code})"]}
    reasons = body.get("reasons") if isinstance(body.get("reasons"), list) else []
    return {"status": body["status"], "reasons": [_clean(r) for r in reasons[:_MAX_REASONS]]}


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines)


def health_text(health: dict) -> str:
    reasons = "; ".join(health.get("reasons") or [])
    if health["status"] == "ok" or not reasons:
        return health["status"]
    return f"{health['status']}: {reasons}"


def fetch_diagnostics(store, device) -> dict | None:
    """The paired kiosk's diagnostics over the paired channel (``/setup/diagnostics``:
    sealed, secrets redacted by the kiosk), or None when this laptop is not paired with it.
    Only a kiosk whose announced fingerprint is the paired one is asked: another device
    announcing a known id gets nothing sealed for that id."""
    from provisioning.technician import TechnicianError, call

    paired = store.find(device.short_id)
    if paired is None or paired.fingerprint != device.fingerprint:
        return None
    try:
        return call(store, paired, "/setup/diagnostics", {},
                    address=f"{device.address}:{device.port}", timeout=HEALTH_TIMEOUT_S * 2)
    except TechnicianError as exc:
        return {"error": _clean(exc)}


def diagnostics_text(diag: dict | None) -> str:
    """``backlog 3, printer paper_out, clock unsynced`` for the table; "-" when not paired."""
    if diag is None:
        return "-"
    if "error" in diag:
        return f"error: {diag['error']}"
    sync, printer, clock = (diag.get(k) if isinstance(diag.get(k), dict) else {}
                            for k in ("sync", "printer", "clock"))
    return _clean(f"backlog {sync.get('backlog', '?')}, printer {printer.get('state', '?')}, "
                  f"clock {clock.get('state', '?')}")


def register(provision: click.Group) -> None:
    """Adds this module's commands to the ``provision`` group."""
    from kiosk.cli.options import IPv4, Seconds

    interface_option = click.option(
        "--interface", "interfaces", multiple=True, metavar="IPV4", type=IPv4(),
        help="Ask only on the interface with this address; repeatable. Default: all.")
    timeout_option = click.option(
        "--timeout", type=Seconds(0.2, 60), default=3.0, show_default=True,
        help="Seconds to listen for kiosks' answers.")

    @provision.command()
    @click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
    @timeout_option
    @interface_option
    def discover(as_json: bool, timeout: float, interfaces: tuple[str, ...]) -> None:
        """List the kiosks on this LAN (zeroconf): id, address, state, model, version."""
        from provisioning.discover import discover as find

        devices = find(timeout, list(interfaces) or None)
        if as_json:
            click.echo(json.dumps([d.to_json() for d in devices]))
            return
        if not devices:
            click.echo(f"no kiosks answered within {timeout:g} s; is this laptop on the "
                       "office network (the same Wi-Fi or switch as the kiosk)?", err=True)
            return
        click.echo(table([[d.short_id, f"{d.address}:{d.port}", d.state, d.model, d.version]
                          for d in devices], ["ID", "ADDRESS", "STATE", "MODEL", "VERSION"]))

    @provision.command()
    @click.option("--json", "as_json", is_flag=True, help="A JSON list instead of a table.")
    @timeout_option
    @interface_option
    @click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
                  envvar="KIOSK_TECH_DIR", default=None,
                  help="Technician store of paired kiosks (their diagnostics are shown). "
                       "Default: $KIOSK_TECH_DIR or the user config dir.")
    def status(as_json: bool, timeout: float, interfaces: tuple[str, ...],
               store_dir: Path | None) -> None:
        """Every kiosk on this LAN in one table, with its health (each device's GET /health)
        and, for the kiosks this laptop is paired with, their diagnostics (sync backlog,
        printer, clock) over the paired channel."""
        from provisioning.discover import discover as find
        from provisioning.technician import TechnicianStore

        devices = find(timeout, list(interfaces) or None)
        with ThreadPoolExecutor(max_workers=min(16, len(devices) or 1)) as pool:
            healths = list(pool.map(lambda d: fetch_health(d.address, d.port), devices))
        store = TechnicianStore(store_dir)
        # one at a time: each sealed call advances the store's counter for that kiosk
        diagnostics = [fetch_diagnostics(store, d) for d in devices]
        if as_json:
            click.echo(json.dumps([{**d.to_json(), "health": h, "diagnostics": g}
                                   for d, h, g in zip(devices, healths, diagnostics)]))
            return
        if not devices:
            click.echo(f"no kiosks answered within {timeout:g} s; is this laptop on the "
                       "office network (the same Wi-Fi or switch as the kiosk)?", err=True)
            return
        click.echo(table([[d.short_id, f"{d.address}:{d.port}", d.state, d.model, d.version,
                           health_text(h), diagnostics_text(g)]
                          for d, h, g in zip(devices, healths, diagnostics)],
                         ["ID", "ADDRESS", "STATE", "MODEL", "VERSION", "HEALTH", "DIAGNOSTICS"]))
