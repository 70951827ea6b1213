"""``kiosk edge``: run this device as the office's edge appliance, or look for one on the LAN.

sync.lan is imported inside each command, so the rest of the CLI never loads FastAPI or
zeroconf.
"""

from __future__ import annotations

import json

import click


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
    @pass_ctx
    def serve(ctx: Ctx, host: str, port: int | None, no_advertise: bool,
              interfaces: tuple[str, ...]) -> None:
        """Serve the LAN API (queue operations and the pushed change feed) until stopped,
        with the edge's print worker ([printer] uri) and sync worker ([sync] server, once
        enrolled): a Pi with no screen is a whole edge appliance.

        Every request needs the office LAN token ([lan] token). Prints one JSON line with the
        address once listening; stops cleanly on Ctrl-C or SIGTERM."""
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
                                   "syncing": workers.sync is not None}))
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
