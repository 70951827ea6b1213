"""The ``kiosk`` command: the composition root.

This package is the one place in ``kiosk/`` that reaches into ``ui/``, ``devices/``,
``sync/`` and ``provisioning/``; it does so lazily, inside the command that needs them, so
``kiosk queue status`` never loads Qt. Library: click (help on every command for free,
nested groups for ``kiosk server office add``, CliRunner for tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kiosk.cli.options import IPv4
from kiosk.config import ROLES, default_data_dir
from kiosk.errors import KioskError


class Ctx:
    """What the global options set; commands open the runtime only when they need it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def runtime(self):
        from kiosk.runtime import open_runtime

        return open_runtime(self.data_dir)


pass_ctx = click.make_pass_decorator(Ctx)

#: Set (to anything but "" or "0") to see the traceback of an unexpected error.
DEBUG_ENV = "KIOSK_DEBUG"


class KioskGroup(click.Group):
    """The root group: an SQLite error that escapes a command (a damaged page found by a
    query, a full disk) becomes the store's one-line message naming the database file."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            from kiosk.config import db_path
            from kiosk.db import store_error

            obj = ctx.find_object(Ctx)
            raise store_error(exc, db_path(obj.data_dir) if obj else None) from exc


@click.group(cls=KioskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (config.toml, kiosk.db). Default: $KIOSK_DATA_DIR or the "
                   "platform's user data directory.")
@click.option("--debug", is_flag=True, help=f"Show the Python traceback of an unexpected error "
              f"(also ${DEBUG_ENV}=1).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, debug: bool) -> None:
    """Kiosk and edge appliance for kelurahan public service counters."""
    if debug:
        os.environ[DEBUG_ENV] = "1"
    ctx.obj = Ctx(data_dir or default_data_dir())
    # A factory reset a power cut interrupted is finished before anything reads the data
    # directory (config.toml went first, so the device boots to its setup page either way).
    # Only the marker is looked for here: every command starts through this.
    from provisioning import RESET_MARKER

    if (ctx.obj.data_dir / RESET_MARKER).exists():
        from provisioning.reset import finish_pending_reset

        finish_pending_reset(ctx.obj.data_dir)


def _read_pin(prompt: bool) -> str:
    """Twice with hidden input on a terminal; one line from stdin otherwise (scripts)."""
    if prompt and sys.stdin.isatty():
        return click.prompt("New admin PIN (4 to 8 digits)", hide_input=True,
                            confirmation_prompt="Again")
    line = sys.stdin.readline().strip()
    if not line:
        raise click.UsageError("no PIN on stdin; type it at a terminal or pipe it in")
    return line


@main.group()
def admin() -> None:
    """Administration of this kiosk (the admin PIN)."""


@admin.command("set-pin")
@pass_ctx
def set_pin(ctx: Ctx) -> None:
    """Set the admin PIN (4 to 8 digits): asked twice, hidden, or read from stdin. Only its
    hash is written to config.toml; the rest of the file is kept."""
    from kiosk import config as config_mod

    cfg = config_mod.load(ctx.data_dir)
    pin = _read_pin(prompt=True)
    try:
        cfg.admin.pin_hash = config_mod.hash_pin(pin)
    except KioskError as exc:
        raise click.UsageError(str(exc)) from exc
    config_mod.save(cfg, ctx.data_dir)
    click.echo(f"admin PIN set in {config_mod.config_path(ctx.data_dir)}")


@main.command()
@click.option("--demo", is_flag=True, help="Create the demo office (code DEMO) with sample data.")
@click.option("--office-code", default="NEW", show_default=True, help="Office code (without --demo).")
@click.option("--office-name", default="Kelurahan Baru", show_default=True, help="Office name.")
@click.option("--timezone", type=click.Choice(["WIB", "WITA", "WIT"]), default="WIB",
              show_default=True, help="Office time zone.")
@click.option("--admin-pin", default=None, help="Admin PIN, 4 to 8 digits. Default: a random "
              "one, printed once (change it later with 'kiosk admin set-pin').")
@pass_ctx
def init(ctx: Ctx, demo: bool, office_code: str, office_name: str, timezone: str,
         admin_pin: str | None) -> None:
    """Create the data directory (config and database) without starting any screen."""
    import secrets

    from kiosk import config as config_mod
    from kiosk import demo as demo_mod

    existed = (ctx.data_dir / config_mod.CONFIG_NAME).exists()
    if admin_pin is not None and not (admin_pin.isdigit() and 4 <= len(admin_pin) <= 8):
        raise click.BadParameter("must be 4 to 8 digits", param_hint="--admin-pin")
    if demo:
        cfg = demo_mod.init_demo(ctx.data_dir)
    else:
        # without a PIN an office set up here could never enter admin
        pin = admin_pin or f"{secrets.randbelow(10**6):06d}"
        cfg = demo_mod.init_empty(ctx.data_dir, office_code, office_name, timezone, admin_pin=pin)
    click.echo(f"data directory: {ctx.data_dir}")
    click.echo(f"office: {cfg.office.code} {cfg.office.name} ({cfg.office.timezone})")
    if demo:
        click.echo(f"admin PIN of the demo office: {demo_mod.DEMO_PIN}")
    elif not existed and admin_pin is None:
        click.echo(f"admin PIN: {pin} (shown only now; change it with 'kiosk admin set-pin')")
    elif existed:
        click.echo("the data directory already existed; nothing was changed")


@main.command()
@click.option("--role", type=click.Choice(ROLES), default="citizen", show_default=True,
              help="Which screen to start.")
@click.option("--windowed", is_flag=True, help="A window instead of full-screen kiosk mode.")
@pass_ctx
def demo(ctx: Ctx, role: str, windowed: bool) -> None:
    """Create the demo office once, then start the app on it."""
    from kiosk import demo as demo_mod

    demo_mod.init_demo(ctx.data_dir)
    click.echo(f"demo office in {ctx.data_dir}; admin PIN {demo_mod.DEMO_PIN}")
    _run_app(ctx, role, windowed)


@main.command()
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="Which screen to start. Default: the first of device.roles in config.toml "
                   "(citizen on a device not configured yet).")
@click.option("--windowed", is_flag=True, help="A window instead of full-screen kiosk mode.")
@click.option("--setup-interface", "setup_interfaces", multiple=True, metavar="IPV4",
              type=IPv4(), help="Serve and announce the setup service (pairing, health, "
              "reset) only on the interface with this address; repeatable. Default: every "
              "interface.")
@click.option("--setup-port", type=click.IntRange(0, 65535), default=None,
              help="The setup service's port (default 8766; 0 picks a free one).")
@click.option("--no-setup", is_flag=True, help="A configured kiosk only: run no setup "
              "service and no LAN announcement (a second kiosk process on one machine).")
@pass_ctx
def run(ctx: Ctx, role: str | None, windowed: bool, setup_interfaces: tuple[str, ...],
        setup_port: int | None, no_setup: bool) -> None:
    """Start the app in one role. On a device with no config.toml yet (first boot, or after
    a factory reset) the setup page shows instead, with the setup service and the LAN
    announcement running, until a technician configures it (docs/PROVISIONING.md); on a
    configured one they run beside the screen, so the technician's laptop still lists the
    kiosk with its health ('kiosk provision status') and can reset it."""
    from kiosk.config import config_path

    interfaces = list(setup_interfaces) or None
    if not config_path(ctx.data_dir).exists():
        if no_setup:
            raise click.UsageError(f"{config_path(ctx.data_dir)} does not exist: this kiosk "
                                   "needs its setup service to be configured; run without "
                                   "--no-setup, or 'kiosk init'")
        from ui.setup_app import run_setup_app

        sys.exit(run_setup_app(ctx.data_dir, role=role, windowed=windowed,
                               interfaces=interfaces, port=setup_port))
    runtime = ctx.runtime()  # a config error is reported before Qt loads (and before setup)
    setup = None if no_setup else _setup_alongside(ctx.data_dir, interfaces, setup_port)
    try:
        _run_app(ctx, role, windowed, runtime)
    finally:
        if setup is not None:
            setup.stop()


def _setup_alongside(data_dir: Path, interfaces: list[str] | None, port: int | None):
    """The setup service and the "provisioned" announcement beside a configured kiosk's
    screen (provisioning.first_boot), or None when they cannot start (the port is taken by
    another kiosk process here, e.g. 'kiosk edge serve'): the screen matters more."""
    from provisioning.advertise import SETUP_PORT
    from provisioning.first_boot import run_setup_mode
    from provisioning.reset import restart_after_reset

    try:
        return run_setup_mode(data_dir, interfaces=interfaces,
                              port=SETUP_PORT if port is None else port,
                              after_reset=restart_after_reset)
    except OSError as exc:
        click.echo(f"warning: the setup service did not start ({exc.strerror or exc}); this "
                   "kiosk is not listed by 'kiosk provision status' until it does", err=True)
        return None


def _run_app(ctx: Ctx, role: str | None, windowed: bool, runtime=None) -> None:
    runtime = runtime or ctx.runtime()  # a config error is reported before Qt loads
    from ui.app import run_app

    if role is None:
        roles = runtime.config.device.roles
        role = roles[0] if roles else "citizen"
    sys.exit(run_app(runtime, role=role, windowed=windowed))


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the PNG files.")
@click.option("--language", type=click.Choice(["id", "en", "both"]), default="id",
              show_default=True, help="Language of the screens.")
@pass_ctx
def screenshots(ctx: Ctx, out: Path, language: str) -> None:
    """Render every screen of every role off-screen to PNG files, from a scratch demo
    office (works before `kiosk init`; never touches the data directory)."""
    from ui.screenshots import render_all

    for path in render_all(out, languages=["id", "en"] if language == "both" else [language]):
        click.echo(str(path))


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_ctx
def backup(ctx: Ctx, dest: Path, force: bool, as_json: bool) -> None:
    """Copy the live kiosk database to DEST safely (SQLite online backup, then an integrity
    check of the copy). Works while the kiosk runs; a plain cp does not."""
    import json

    from kiosk.backup import backup_sqlite
    from kiosk.config import db_path

    result = backup_sqlite(db_path(ctx.data_dir), dest, force=force)
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        click.echo(f"backup of {result.source} written to {result.dest} ({result.bytes} bytes, "
                   f"integrity {result.integrity})")


def _add_feature_commands() -> None:
    """Feature command groups live in their own modules of this package (each imports what
    its commands need inside them, so ``kiosk --help`` stays quick)."""
    from kiosk.cli import edge, printer, queue, server, sync

    for module in (queue, printer, sync, server, edge):
        module.register(main)


_add_feature_commands()

# Registered plainly: a missing module here is a broken install, not an optional feature.
from kiosk.cli import attendance as _attendance_commands  # noqa: E402
from kiosk.cli import requests as _requests_commands  # noqa: E402

_requests_commands.register(main)
_attendance_commands.register(main)

from kiosk.cli import verify as _verify_command  # noqa: E402

_verify_command.register(main)

from kiosk.cli import provision as _provision_commands  # noqa: E402

_provision_commands.register(main)


def entry() -> None:
    """Console entry point: one line and exit code 2 for every error, never a traceback
    (unless --debug or $KIOSK_DEBUG asks for one)."""
    try:
        main(standalone_mode=True)
    except KioskError as exc:
        _fail(str(exc))
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOSPC:
            _fail(f"{exc.filename or 'the data partition'}: the disk is full; nothing was saved. "
                  "Free space and try again.")
        _fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", exc)
    except Exception as exc:  # the last resort: a technician still gets one line
        _fail(f"unexpected {type(exc).__name__}: {exc}; run again with --debug (or "
              f"{DEBUG_ENV}=1) for the details and report them", exc)


def _fail(message: str, exc: BaseException | None = None) -> None:
    if exc is not None and os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        import traceback

        traceback.print_exception(exc)
    click.echo(f"error: {message}", err=True)
    sys.exit(2)
