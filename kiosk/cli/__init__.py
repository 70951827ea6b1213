"""The ``kiosk`` command: the composition root.

This package is the one place in ``kiosk/`` that reaches into ``ui/``, ``devices/``,
``sync/`` and ``provisioning/``; it does so lazily, inside the command that needs them, so
``kiosk queue status`` never loads Qt. Library: click (help on every command for free,
nested groups for ``kiosk server office add``, CliRunner for tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (config.toml, kiosk.db). Default: $KIOSK_DATA_DIR or the "
                   "platform's user data directory.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Kiosk and edge appliance for kelurahan public service counters."""
    ctx.obj = Ctx(data_dir or default_data_dir())


@main.command()
@click.option("--demo", is_flag=True, help="Create the demo office (code DEMO) with sample data.")
@click.option("--office-code", default="NEW", show_default=True, help="Office code (without --demo).")
@click.option("--office-name", default="Kelurahan Baru", show_default=True, help="Office name.")
@click.option("--timezone", type=click.Choice(["WIB", "WITA", "WIT"]), default="WIB",
              show_default=True, help="Office time zone.")
@pass_ctx
def init(ctx: Ctx, demo: bool, office_code: str, office_name: str, timezone: str) -> None:
    """Create the data directory (config and database) without starting any screen."""
    from kiosk import demo as demo_mod

    if demo:
        cfg = demo_mod.init_demo(ctx.data_dir)
    else:
        cfg = demo_mod.init_empty(ctx.data_dir, office_code, office_name, timezone)
    click.echo(f"data directory: {ctx.data_dir}")
    click.echo(f"office: {cfg.office.code} {cfg.office.name} ({cfg.office.timezone})")
    if demo:
        click.echo(f"admin PIN of the demo office: {demo_mod.DEMO_PIN}")


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
@click.option("--role", type=click.Choice(ROLES), required=True, help="Which screen to start.")
@click.option("--windowed", is_flag=True, help="A window instead of full-screen kiosk mode.")
@pass_ctx
def run(ctx: Ctx, role: str, windowed: bool) -> None:
    """Start the app in one role."""
    _run_app(ctx, role, windowed)


def _run_app(ctx: Ctx, role: str, windowed: bool) -> None:
    runtime = ctx.runtime()  # a config error is reported before Qt loads
    from ui.app import run_app

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


def _add_feature_commands() -> None:
    """Feature command groups live in their own modules of this package."""
    import importlib

    for name in ("queue", "printer", "sync", "server", "edge"):
        try:
            module = importlib.import_module(f"kiosk.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"kiosk.cli.{name}":
                continue
            raise
        module.register(main)


_add_feature_commands()


def entry() -> None:
    """Console entry point: KioskError becomes a one-line message and exit code 2."""
    try:
        main(standalone_mode=True)
    except KioskError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
