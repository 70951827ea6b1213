"""``kiosk enroll`` and ``kiosk sync``: the kiosk side of sync with the city server.

sync/ is imported inside each command (this package is the composition root; ``kiosk --help``
must not pay for httpx and cryptography).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click

from kiosk.cli.options import Seconds

#: Refused below this: a loop of rounds with no pause would hammer the city server.
MIN_INTERVAL_S = 0.2
TIMEOUT = Seconds(0.1, 600)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True))


def register(main: click.Group) -> None:
    main.add_command(enroll)
    main.add_command(sync)


@click.command()
@click.option("--server", required=True, help="City server address, e.g. https://sync.kota.go.id")
@click.option("--token", required=True, help="Single-use enrollment token from "
              "'kiosk server enroll-token --office CODE'.")
@click.pass_obj
def enroll(ctx, server: str, token: str) -> None:
    """Register this kiosk with the city server (makes its identity key) and remember the server."""
    from kiosk import config as config_mod
    from sync.client import SyncError
    from sync.client import enroll as do_enroll

    runtime = ctx.runtime()
    try:
        result = do_enroll(runtime.db, runtime.data_dir, server, token, runtime.device_id,
                           clock=runtime.clock)
    except SyncError as exc:
        _echo_json({"enrolled": False, "error": str(exc)})
        sys.exit(1)
    finally:
        runtime.close()
    cfg = config_mod.load(ctx.data_dir)
    cfg.sync.server = result["server"]
    config_mod.save(cfg, ctx.data_dir)
    if cfg.office.code != result["office_code"]:
        result["warning"] = (f"config office.code is {cfg.office.code!r} but the server enrolled "
                             f"this kiosk in {result['office_code']!r}")
    _echo_json(result)


@click.group(invoke_without_command=True)
@click.option("--once", is_flag=True, help="Run one sync round (meta, push, pull) and print a "
              "JSON summary.")
@click.option("--server", default=None, help="Sync against this address instead of the "
              "configured one for this run (e.g. through a proxy).")
@click.option("--timeout", type=TIMEOUT, default=30.0, show_default=True,
              help="Seconds to wait for an answer (0.1 to 600).")
@click.pass_context
def sync(click_ctx: click.Context, once: bool, server: str | None, timeout: float) -> None:
    """Sync with the city server: --once for one round, or a subcommand."""
    if click_ctx.invoked_subcommand is not None:
        return
    if not once:
        click.echo(click_ctx.get_help())
        return
    from sync.client import SyncClient, SyncError, status

    runtime = click_ctx.obj.runtime()
    started = time.monotonic()
    try:
        with SyncClient(runtime.db, runtime.data_dir, server=server or runtime.config.sync.server
                        or None, clock=runtime.clock, timeout=timeout,
                        keep_acked_days=runtime.config.sync.keep_acked_days) as client:
            summary = client.sync_once()
        summary["seconds"] = round(time.monotonic() - started, 3)
        _echo_json(summary)
    except SyncError as exc:
        _echo_json({**status(runtime.db, runtime.clock), "ok": False, "error": str(exc),
                    "error_kind": exc.kind, "retry": exc.retry,
                    "seconds": round(time.monotonic() - started, 3)})
        sys.exit(1)
    finally:
        runtime.close()


@sync.command("status")
@click.pass_obj
def sync_status(ctx) -> None:
    """Print the sync status as JSON: pending, oldest pending age, last push/pull, errors, clock."""
    from sync.client import status

    runtime = ctx.runtime()
    try:
        _echo_json(status(runtime.db, runtime.clock))
    finally:
        runtime.close()


@sync.command("dead-letters")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="At most this many (1 to 100000).")
@click.pass_obj
def sync_dead_letters(ctx, limit: int) -> None:
    """List the changes the server rejected (JSON), oldest first."""
    from sync.client.state import dead_letters

    runtime = ctx.runtime()
    try:
        _echo_json({"dead_letters": dead_letters(runtime.db, limit)})
    finally:
        runtime.close()


@sync.command("run")
@click.option("--interval", type=Seconds(MIN_INTERVAL_S, 86_400), default=30.0, show_default=True,
              help="Seconds between rounds (at least 0.2).")
@click.option("--server", default=None, help="Sync against this address instead of the configured one.")
@click.option("--timeout", type=TIMEOUT, default=30.0, show_default=True,
              help="Seconds to wait for an answer (0.1 to 600).")
@click.pass_obj
def sync_run(ctx, interval: float, server: str | None, timeout: float) -> None:
    """Run the background sync worker in the foreground until interrupted (one JSON line per round)."""
    from sync.client import SyncWorker

    from kiosk.cli.compose import health_source

    worker = SyncWorker(ctx.data_dir, server=server, interval_s=interval, timeout=timeout,
                        on_round=lambda snap: _echo_json(snap),
                        health=health_source(ctx.data_dir))
    worker.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        worker.stop()
