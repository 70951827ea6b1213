"""``kiosk printer``: test print, live status, the print queue, reprints, and the print
worker in the foreground (for an edge appliance without a screen, and for tests).

Printer URIs and paper width come from config.toml (``printer.uri``,
``printer.paper_width_mm``) unless ``--printer`` says otherwise.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

_PRINTER_HELP = ("Printer URI instead of printer.uri from config.toml, e.g. "
                 "tcp://192.168.1.50:9100, usb://04b8:0e15, serial:///dev/ttyUSB0?baudrate=9600, "
                 "file:///tmp/receipts.bin or dummy://.")
_TIMEOUT_HELP = "Seconds to wait for the printer before calling it silent."


def _echo(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx

    def _config(ctx: Ctx):
        """config.toml if the data directory has one; defaults otherwise (a technician may
        test a printer before the kiosk is set up)."""
        from kiosk import config as config_mod

        if (Path(ctx.data_dir) / config_mod.CONFIG_NAME).exists():
            return config_mod.load(ctx.data_dir)
        return config_mod.Config()

    def _open(ctx: Ctx, uri: str | None, timeout: float):
        from devices.printer import open_printer
        from kiosk.errors import ConfigError

        cfg = _config(ctx)
        try:
            return cfg, open_printer(uri or cfg.printer.uri, timeout=timeout,
                                     paper_width_mm=cfg.printer.paper_width_mm)
        except ConfigError as exc:
            source = "--printer" if uri else f"{Path(ctx.data_dir) / 'config.toml'}"
            raise click.ClickException(f"{exc} (from {source})") from None

    def _db(ctx: Ctx):
        from kiosk import config as config_mod
        from kiosk.db import open_db

        if not (Path(ctx.data_dir) / config_mod.CONFIG_NAME).exists():
            return None
        return open_db(config_mod.db_path(ctx.data_dir))

    @main.group()
    def printer() -> None:
        """Receipt printer: test print, status, print queue, reprints and the print worker."""

    @printer.command("test")
    @click.option("--printer", "uri", default=None, help=_PRINTER_HELP)
    @click.option("--timeout", type=click.FloatRange(0.1, 60), default=5.0, show_default=True,
                  help=_TIMEOUT_HELP)
    @pass_ctx
    def test_print(ctx: Ctx, uri: str | None, timeout: float) -> None:
        """Print a sample receipt now (not through the queue) and report the printer's state."""
        from kiosk.clock import SystemClock, local_time
        from kiosk.receipt import sample_receipt

        cfg, device = _open(ctx, uri, timeout)
        try:
            before = device.status()
            if device.reports_status and not before.printable:
                raise click.ClickException(f"printer {device.uri} is {before.state}: "
                                           f"{before.detail}; nothing was printed")
            when = local_time(SystemClock().now(), cfg.office.timezone)
            receipt = sample_receipt(cfg.office.name,
                                     f"{when:%d-%m-%Y %H:%M} {cfg.office.timezone.upper()}")
            try:
                device.print(device.render(receipt))
            except Exception as exc:
                state = getattr(exc, "state", "offline")
                raise click.ClickException(f"printer {device.uri} is {state}: "
                                           f"{getattr(exc, 'detail', exc)}") from None
            after = device.status()
        finally:
            device.close()
        click.echo(f"test receipt sent to {device.uri}; printer {after.state}: {after.detail}")

    @printer.command()
    @click.option("--printer", "uri", default=None, help=_PRINTER_HELP)
    @click.option("--timeout", type=click.FloatRange(0.1, 60), default=5.0, show_default=True,
                  help=_TIMEOUT_HELP)
    @click.option("--stored", is_flag=True,
                  help="Do not ask the printer; show the state the print worker last stored.")
    @pass_ctx
    def status(ctx: Ctx, uri: str | None, timeout: float, stored: bool) -> None:
        """Ask the printer for its state (DLE EOT) and print it as JSON:
        state, detail, checked_ms, pending_jobs, uri."""
        from kiosk import print_queue as pq
        from kiosk.clock import SystemClock

        db = _db(ctx)
        try:
            if stored:
                if db is None:
                    raise click.ClickException(f"no kiosk database in {ctx.data_dir}; "
                                               "run 'kiosk init' first")
                _echo(pq.printer_state(db))
                return
            cfg, device = _open(ctx, uri, timeout)
            try:
                st = device.status()
            finally:
                device.close()
            stamp = SystemClock().now()
            # only the configured printer's state is stored: asking about another URI must
            # not make the counter say that the real printer is offline
            configured = uri is None or uri == cfg.printer.uri
            if db is not None and device.reports_status and configured:
                pq.record_printer_state(db, st.state, st.detail, stamp, uri=device.uri)
            _echo({"state": st.state, "detail": st.detail, "checked_ms": stamp.wall_ms,
                   "pending_jobs": pq.pending_count(db) if db is not None else 0,
                   "uri": device.uri})
        finally:
            if db is not None:
                db.close()

    @printer.command()
    @pass_ctx
    def jobs(ctx: Ctx) -> None:
        """List pending print jobs (oldest first) as JSON: receipts and A4 letters."""
        from kiosk import print_queue as pq

        db = _db(ctx)
        if db is None:
            raise click.ClickException(f"no kiosk database in {ctx.data_dir}; run 'kiosk init' first")
        try:
            jobs = sorted(pq.pending_jobs(db) + pq.pending_jobs(db, documents=True),
                          key=lambda j: j.created_ms)
            _echo([{"id": j.id, "kind": j.kind, "ref_id": j.ref_id,
                    "big_number": j.document.get("number") if j.is_document
                    else j.receipt.big_number,
                    "attempts": j.attempts, "last_error": j.last_error, "created_ms": j.created_ms}
                   for j in jobs])
        finally:
            db.close()

    @printer.command()
    @click.argument("job_id")
    @pass_ctx
    def reprint(ctx: Ctx, job_id: str) -> None:
        """Queue a copy of print job JOB_ID, marked CETAK ULANG; prints the new job id."""
        from kiosk import print_queue as pq
        from kiosk.errors import NotFoundError

        rt = ctx.runtime()
        try:
            new_id = pq.reprint(rt.db, job_id, rt.clock.now())
        except NotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            rt.close()
        _echo({"job_id": new_id, "reprint_of": job_id})

    @printer.command()
    @click.argument("job_id")
    @pass_ctx
    def cancel(ctx: Ctx, job_id: str) -> None:
        """Give up on pending print job JOB_ID (e.g. yesterday's tickets after a night
        without paper); it stays in the records as cancelled."""
        from kiosk import print_queue as pq
        from kiosk.errors import KioskError

        rt = ctx.runtime()
        try:
            pq.cancel(rt.db, job_id, rt.clock.now())
        except KioskError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            rt.close()
        _echo({"job_id": job_id, "status": "cancelled"})

    @printer.command()
    @click.option("--printer", "uri", default=None, help=_PRINTER_HELP)
    @click.option("--timeout", type=click.FloatRange(0.1, 60), default=5.0, show_default=True,
                  help=_TIMEOUT_HELP)
    @click.option("--poll", type=click.FloatRange(0.05, 300), default=5.0, show_default=True,
                  help="Seconds between printer checks when idle (and between retries).")
    @pass_ctx
    def run(ctx: Ctx, uri: str | None, timeout: float, poll: float) -> None:
        """Run the print worker in the foreground: print pending jobs until interrupted."""
        from devices.printer import start_print_worker
        from kiosk.clock import SystemClock
        from kiosk import config as config_mod

        if not (Path(ctx.data_dir) / config_mod.CONFIG_NAME).exists():
            raise click.ClickException(f"no kiosk database in {ctx.data_dir}; run 'kiosk init' first")
        _, device = _open(ctx, uri, timeout)
        worker = start_print_worker(config_mod.db_path(ctx.data_dir), device, SystemClock(),
                                    poll_s=poll, retry_s=poll)
        click.echo(f"printing to {device.uri}; Ctrl+C to stop", err=True)
        try:
            while worker.alive:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            worker.stop()

    @printer.command("letters")
    @click.option("--printer", "uri", default=None,
                  help="A4 printer URI instead of printer.a4_uri from config.toml: "
                       "cups://QUEUE, cups:// (the default printer) or file:///DIR.")
    @click.option("--poll", type=click.FloatRange(0.05, 300), default=5.0, show_default=True,
                  help="Seconds between looks at the queue when idle (and between retries).")
    @click.option("--once", is_flag=True, help="Print what is pending, then stop.")
    @pass_ctx
    def letters(ctx: Ctx, uri: str | None, poll: float, once: bool) -> None:
        """Print queued letters on the office's A4 printer (CUPS) until interrupted."""
        from devices.printer.a4 import open_a4_printer, start_document_worker
        from kiosk import config as config_mod
        from kiosk import print_queue as pq
        from kiosk.clock import SystemClock
        from kiosk.errors import ConfigError
        from kiosk.letters.printing import renderer

        if not (Path(ctx.data_dir) / config_mod.CONFIG_NAME).exists():
            raise click.ClickException(f"no kiosk database in {ctx.data_dir}; run 'kiosk init' first")
        cfg = _config(ctx)
        if not (uri or cfg.printer.a4_uri):
            raise click.ClickException("no A4 printer: set printer.a4_uri in config.toml "
                                       "(cups://QUEUE) or give --printer")
        try:
            device = open_a4_printer(uri or cfg.printer.a4_uri)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        db_path = config_mod.db_path(ctx.data_dir)
        worker = start_document_worker(db_path, device, SystemClock(), renderer(cfg),
                                       poll_s=poll, retry_s=poll)
        click.echo(f"printing letters to {device.uri}; Ctrl+C to stop", err=True)
        try:
            while worker.alive:
                time.sleep(min(poll, 0.5))
                if once and worker.has_lock:
                    db = _db(ctx)
                    try:
                        left = pq.pending_count(db, documents=True)
                    finally:
                        db.close()
                    if left == 0 or _stuck(db_path):
                        break
        except KeyboardInterrupt:
            pass
        finally:
            worker.stop()
        _echo({"printed": worker.printed})


def _stuck(db_path) -> bool:
    """Every pending letter has been tried and refused: --once stops instead of retrying."""
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT count(*) FROM print_jobs WHERE status = 'pending' AND"
                           " kind = 'letter' AND attempts = 0").fetchone()
    return row[0] == 0
