"""``kiosk queue``: drive and inspect the queue without a screen (scripts, technicians,
tests). Every command prints JSON on stdout."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import click


def _echo(value) -> None:
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-23") from None


def _write_csv(q, rt, day_from: date, day_to: date, path: Path) -> int:
    """Write the CSV; a bad path or a full disk is one line naming the file, and no half file
    is left behind."""
    import errno

    from kiosk.cli.options import Failure

    try:
        with open(path, "w", newline="", encoding="utf-8") as out:
            return q.export_csv(rt, day_from, day_to, out)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            path.unlink(missing_ok=True)
            raise Failure(f"--csv {path}: the disk is full; free space or write it elsewhere") from exc
        raise Failure(f"--csv {path}: {exc.strerror or exc}; choose a folder that exists and "
                      "that you may write to") from exc


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx

    @main.group()
    def queue() -> None:
        """Queue ticketing: issue, call, status and statistics (JSON output)."""

    @queue.command()
    @click.argument("service")
    @click.option("--priority", type=click.Choice(["lansia", "disabilitas", "hamil"]),
                  is_flag=False, flag_value="lansia", default=None,
                  help="Priority lane: lansia (elderly), disabilitas (disability), hamil "
                       "(pregnant or with a small child); a bare --priority means lansia.")
    @pass_ctx
    def issue(ctx: Ctx, service: str, priority: str | None) -> None:
        """Issue a ticket for SERVICE and queue its receipt.

        SERVICE is the service's prefix (A, B, ...) or its id."""
        from kiosk import queue as q

        rt = ctx.runtime()
        try:
            issued = q.issue_ticket(rt, service, priority)
        finally:
            rt.close()
        _echo({"ticket": dataclasses.asdict(issued.ticket), "people_ahead": issued.people_ahead,
               "estimated_wait_min": issued.estimated_wait_min,
               "print_job_id": issued.print_job_id})

    @queue.command()
    @click.argument("counter")
    @click.option("--service", "services", multiple=True,
                  help="Only call from this service (prefix or id); repeatable. Default: the "
                       "counter's chosen services, else all.")
    @click.option("--staff", default=None, help="Staff member's employee id.")
    @pass_ctx
    def call(ctx: Ctx, counter: str, services: tuple[str, ...], staff: str | None) -> None:
        """Call the next ticket to COUNTER by the fairness rule.

        COUNTER is the counter's number (2 for Loket 2) or its id. The counter's current
        ticket is finished first. Prints the ticket, or null when nobody waits."""
        from kiosk import queue as q

        rt = ctx.runtime()
        try:
            ticket = q.call_next(rt, counter, list(services) or None, staff)
        finally:
            rt.close()
        _echo(ticket)

    @queue.command()
    @pass_ctx
    def status(ctx: Ctx) -> None:
        """Print today's queue as JSON.

        Services, waiting tickets in call order, counters, the current call."""
        from kiosk import queue as q

        rt = ctx.runtime()
        try:
            _echo(q.status(rt))
        finally:
            rt.close()

    @queue.command()
    @click.option("--from", "day_from", required=True, callback=_day,
                  help="First business day, YYYY-MM-DD.")
    @click.option("--to", "day_to", required=True, callback=_day,
                  help="Last business day (inclusive), YYYY-MM-DD.")
    @click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                  default=None, help="Also write one row per ticket to this CSV file.")
    @pass_ctx
    def stats(ctx: Ctx, day_from: date, day_to: date, csv_path: Path | None) -> None:
        """Print statistics for a date range as JSON.

        Counts and waiting/service times (mean, p90) per service and counter."""
        from kiosk import queue as q

        rt = ctx.runtime()
        try:
            result = q.stats(rt, day_from, day_to)
            if csv_path is not None:
                result["csv"] = {"path": str(csv_path),
                                 "rows": _write_csv(q, rt, day_from, day_to, csv_path)}
        finally:
            rt.close()
        _echo(result)
