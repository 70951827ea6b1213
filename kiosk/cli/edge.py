"""``kiosk edge``: run this device as the office's edge appliance, or look for one on the LAN.

sync.lan is imported inside each command, so the rest of the CLI never loads FastAPI or
zeroconf.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path

import click

log = logging.getLogger(__name__)


def _setup_interfaces(host: str, interfaces: tuple[str, ...]) -> list[str] | None:
    """Where the setup service listens and is announced: the --interface addresses, else
    the --host address, else every interface."""
    if interfaces:
        return list(interfaces)
    return None if host in ("", "0.0.0.0") else [host]


def _start_setup(data_dir: Path, host: str, port: int | None, interfaces: tuple[str, ...],
                 advertise: bool):
    """The setup service and its ``_kiosk-setup._tcp`` announcement
    (provisioning.first_boot.run_setup_mode: what ``kiosk run`` starts too), so ``kiosk
    provision discover`` and ``status`` list a headless edge like any kiosk."""
    from provisioning.advertise import SETUP_PORT
    from provisioning.first_boot import run_setup_mode
    from provisioning.reset import restart_after_reset

    return run_setup_mode(data_dir, interfaces=_setup_interfaces(host, interfaces),
                          port=SETUP_PORT if port is None else port, advertise=advertise,
                          after_reset=restart_after_reset)


def _wait_for_setup(data_dir: Path, host: str, port: int | None,
                    interfaces: tuple[str, ...] = (), advertise: bool = True):
    """Run the setup service on an unconfigured kiosk until a laptop configures it; the
    setup mode (still running) then, or None when stopped first (Ctrl-C, SIGTERM). The setup
    code goes to stdout as JSON lines: a kiosk with no screen shows it in its journal."""
    from kiosk import sdnotify

    configured = threading.Event()
    stop = threading.Event()
    mode = _start_setup(data_dir, host, port, interfaces, advertise)
    mode.on_configured(configured.set)
    mode.code.subscribe(lambda code: click.echo(json.dumps({"code": code})))
    click.echo(json.dumps({"setup": mode.service.url, "port": mode.port,
                           "id": mode.identity.short_id,
                           "fingerprint": mode.identity.fingerprint,
                           "state": "unprovisioned", "code": mode.code.current()}))
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # systemd (deploy/kiosk-edge.service, Type=notify): waiting for a technician is a healthy
    # state, not a start that never finishes; the loop below is the watchdog's heartbeat.
    sdnotify.ready(f"waiting for setup: id {mode.identity.short_id}")
    try:
        while not configured.is_set() and not stop.is_set():
            configured.wait(1.0)
            sdnotify.watchdog()
            mode.code.current()         # a code that expired is replaced (and printed)
    except KeyboardInterrupt:
        stop.set()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if not configured.is_set():
        mode.stop()
        return None
    return mode


def _setup_alongside(data_dir: Path, host: str, port: int | None,
                     interfaces: tuple[str, ...] = (), advertise: bool = True):
    """The setup service beside a configured edge (diagnostics, reset, reconfigure), or
    None when its port is taken (the edge serves all the same)."""
    try:
        mode = _start_setup(data_dir, host, port, interfaces, advertise)
    except (OSError, RuntimeError) as exc:
        log.warning("setup service not started (%s)", exc)
        return None
    mode.on_configured(lambda: log.warning(
        "the kiosk was configured again from a laptop; restart it to apply"))
    return mode


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx
    from kiosk.cli.options import IPv4

    @main.group()
    def edge() -> None:
        """The office edge appliance: serves the queue to counters and boards over the LAN."""

    @edge.command()
    @click.option("--host", default="0.0.0.0", show_default=True,
                  help="Address to listen on (0.0.0.0: every interface of this machine).")
    @click.option("--port", type=click.IntRange(0, 65535), default=None,
                  help="TCP port. Default: [lan] port in config.toml (8765); 0 picks a free one.")
    @click.option("--no-advertise", is_flag=True,
                  help="Do not announce the edge with zeroconf (counters then need [lan] edge_url).")
    @click.option("--interface", "interfaces", multiple=True, metavar="IPV4", type=IPv4(),
                  help="Announce only on the interface with this address; repeatable. "
                       "Default: the --host address, or every interface.")
    @click.option("--setup-port", type=click.IntRange(0, 65535), default=None,
                  help="Port of the setup service (pairing, configure, reset from a "
                       "technician's laptop). Default 8766; 0 picks a free one.")
    @click.option("--no-setup", is_flag=True,
                  help="Do not run the setup service (only on a configured kiosk).")
    @pass_ctx
    def serve(ctx: Ctx, host: str, port: int | None, no_advertise: bool,
              interfaces: tuple[str, ...], setup_port: int | None, no_setup: bool) -> None:
        """Serve the LAN API (queue operations and the pushed change feed) until stopped,
        with the edge's print worker ([printer] uri) and sync worker ([sync] server, once
        enrolled): a Pi with no screen is a whole edge appliance.

        Every request needs the office LAN token ([lan] token). Prints one JSON line with the
        address once listening; stops cleanly on Ctrl-C or SIGTERM.

        A kiosk with no config.toml yet runs only its setup service until a technician's
        laptop pairs and configures it (docs/PROVISIONING.md): it prints a JSON line with its
        short id and setup code (and one more at each new code), then serves as above."""
        from kiosk.config import config_path

        setup = None
        if not config_path(ctx.data_dir).exists():
            if no_setup:
                from kiosk.cli.options import Failure

                raise Failure(f"{config_path(ctx.data_dir)} does not exist: run without "
                              "--no-setup to be configured from a technician's laptop, or "
                              "'kiosk init'")
            setup = _wait_for_setup(ctx.data_dir, host, setup_port, interfaces,
                                    not no_advertise)
            if setup is None:
                return
        elif not no_setup:
            setup = _setup_alongside(ctx.data_dir, host, setup_port, interfaces,
                                     not no_advertise)
        try:
            from provisioning.configure import retry_pending_enrollment

            retried = retry_pending_enrollment(ctx.data_dir)
            if retried is not None:
                log.info("pending enrollment: %s", retried)
        except Exception as exc:  # noqa: BLE001 - the edge serves offline; sync waits
            log.warning("pending enrollment not retried (%s)", exc)
        try:
            _serve(ctx, host, port, no_advertise, interfaces, setup)
        finally:
            if setup is not None:
                setup.stop()

    def _serve(ctx: Ctx, host: str, port: int | None, no_advertise: bool,
               interfaces: tuple[str, ...], setup) -> None:
        from kiosk import sdnotify
        from kiosk.cli.compose import Workers, office_features, start_workers
        from sync.lan.server import LanServer, create_app, open_edge

        rt = ctx.runtime()
        office, reader = open_edge(rt, office_features())
        advertisement = None
        heartbeat = None
        workers = Workers()
        try:
            cfg = rt.config
            app = create_app(office, token=cfg.lan.token, office_code=cfg.office.code,
                             reader=reader, on_change=lambda: workers.wake())
            server = LanServer(app, host, cfg.lan.port if port is None else port)
            workers = start_workers(rt)
            if not no_advertise:
                from sync.lan.discovery import Advertisement, machine_tag

                advertisement = Advertisement(
                    office_code=cfg.office.code, port=server.port, device_id=rt.device_id,
                    host=host, interfaces=list(interfaces) or None,
                    tag=machine_tag(rt.data_dir, device_id=rt.device_id))
            click.echo(json.dumps({"url": f"http://{host}:{server.port}", "port": server.port,
                                   "office_code": cfg.office.code,
                                   "zeroconf": advertisement.name if advertisement else None,
                                   "printing": workers.printer is not None,
                                   "syncing": workers.sync is not None,
                                   "setup": setup.service.url if setup is not None else None}))
            # systemd (deploy/kiosk-edge.service): ready now; watchdog pings only while the
            # LAN API answers on loopback, so a hung server is restarted.
            sdnotify.ready(f"edge serving the LAN API on port {server.port}")
            heartbeat = sdnotify.start_http_heartbeat(server.url + "/")
            server.serve()
        finally:
            if heartbeat is not None:
                heartbeat.set()
            sdnotify.stopping()
            workers.stop()
            if advertisement is not None:
                advertisement.close()
            reader.rt.close()
            rt.close()

    @edge.command()
    @click.option("--timeout", type=click.FloatRange(0.1, 60), default=3.0, show_default=True,
                  help="Seconds to listen for answers.")
    @click.option("--office", default=None, help="Only edges of this office code.")
    @click.option("--interface", "interfaces", multiple=True, metavar="IPV4", type=IPv4(),
                  help="Ask only on the interface with this address; repeatable. Default: all.")
    def discover(timeout: float, office: str | None, interfaces: tuple[str, ...]) -> None:
        """Look for edge appliances on the LAN with zeroconf and print them as a JSON list."""
        from sync.lan.discovery import discover as find

        edges = find(timeout, interfaces=list(interfaces) or None, office_code=office)
        click.echo(json.dumps([e.to_json() for e in edges], indent=2))
