"""``kiosk server``: run the city server and administer its database.

``kiosk server --db URL [--host H --port P]`` runs it (uvicorn; ``kiosk server run`` is the
same). The other commands work on the database directly (no running server needed):
``office add``, ``office list``, ``enroll-token``, ``revoke``, ``badge``, ``face-key``,
``stats``, ``devices``, ``admin-token``, ``new-epoch``. The database is ``--db`` on the command, else ``--db`` on the group, else
``$KIOSK_SERVER_DB``, else ``sqlite:///<data dir>/server.db``.

sync/ (FastAPI, psycopg, uvicorn) is imported inside each command, so ``kiosk --help`` on a
kiosk without the server extra still works.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from kiosk.cli.options import PORT, Failure

_DB_HELP = ("Server database: sqlite:///path/server.db (embedded) or "
            "postgresql://user@host/db (production). Default: $KIOSK_SERVER_DB, else "
            "server.db in the data directory.")
_ADMIN_HELP = ("Bearer token of the /admin endpoints (also $KIOSK_ADMIN_TOKEN). Without it the "
               "token kept in the database is used; `kiosk server admin-token` prints it.")


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def _now_ms() -> int:
    from kiosk.clock import SystemClock

    return SystemClock().now().wall_ms


def _db_url(ctx: click.Context, db: str | None) -> str:
    if db:
        return db
    group_db = ctx.find_root().meta.get("kiosk.server.db")
    if group_db:
        return group_db
    if os.environ.get("KIOSK_SERVER_DB"):
        return os.environ["KIOSK_SERVER_DB"]
    from kiosk.cli import Ctx

    return f"sqlite:///{ctx.find_object(Ctx).data_dir}/server.db"


def _open(ctx: click.Context, db: str | None, *, must_exist: bool = False):
    """The store, or a one-line error a technician can act on (exit code 2).

    ``must_exist``: for commands that only read; a mistyped SQLite path must not leave a new
    empty database behind (and report zero offices as if that were the truth)."""
    url = _db_url(ctx, db)
    if must_exist and url.startswith("sqlite:"):
        _require_sqlite_file(url)
    try:
        from sync.server.engines import open_store
    except ImportError as exc:
        raise Failure(f"the city server needs the server extra "
                                   f"(pip install 'kelurahan-kiosk[server]'): {exc}") from exc
    try:
        return open_store(url)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    except Exception as exc:  # the engine's own errors: unreachable host, bad file
        raise Failure(f"cannot open the server database {url}: {exc}") from exc


def _require_sqlite_file(url: str) -> Path:
    from sync.server.engines import sqlite_path

    try:
        path = Path(sqlite_path(url))
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if not path.is_file():
        raise Failure(f"--db {url}: {path} does not exist; check the path (this command only "
                      "reads, so it does not create a database)")
    return path


def _store_call(fn, *args):
    from sync.server.errors import ServerError

    try:
        return fn(*args)
    except ServerError as exc:
        raise Failure(str(exc)) from exc


def _db_option(fn):
    return click.option("--db", "db", default=None, help=_DB_HELP)(fn)


def register(main: click.Group) -> None:
    main.add_command(server)


def _serve_options(fn):
    """The options of running the server, shared by `kiosk server` and `kiosk server run`."""
    for option in reversed([
        click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on."),
        click.option("--port", default=8080, show_default=True, type=PORT,
                     help="Port to listen on (1 to 65535)."),
        click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
                     help="uvicorn worker processes (use several only with PostgreSQL)."),
        click.option("--admin-token", default=None, envvar="KIOSK_ADMIN_TOKEN", help=_ADMIN_HELP),
        click.option("--log-level", default="info", show_default=True,
                     type=click.Choice(["critical", "error", "warning", "info", "debug"]),
                     help="uvicorn log level."),
    ]):
        fn = option(fn)
    return fn


@click.group(invoke_without_command=True)
@click.option("--db", "db", default=None, help=_DB_HELP)
@_serve_options
@click.pass_context
def server(ctx: click.Context, db: str | None, host: str, port: int, workers: int,
           admin_token: str | None, log_level: str) -> None:
    """The city server. Without a subcommand: run it on --db (same as `kiosk server run`)."""
    if db:
        ctx.find_root().meta["kiosk.server.db"] = db
    if ctx.invoked_subcommand is None:
        _serve(ctx, db, host, port, workers, admin_token, log_level)


@server.command("run")
@_db_option
@_serve_options
@click.pass_context
def run(ctx: click.Context, db: str | None, host: str, port: int, workers: int,
        admin_token: str | None, log_level: str) -> None:
    """Run the city server (uvicorn) on --db; its schema is created or migrated first."""
    _serve(ctx, db, host, port, workers, admin_token, log_level)


def _serve(ctx: click.Context, db: str | None, host: str, port: int, workers: int,
           admin_token: str | None, log_level: str) -> None:
    url = _db_url(ctx, db)
    if workers > 1 and url.startswith("sqlite"):
        raise Failure("several workers need PostgreSQL; the SQLite store is for "
                                   "one process (use --workers 1)")
    _open(ctx, url).close()  # create or migrate now, and fail here with a clear message
    try:
        import uvicorn
    except ImportError as exc:
        raise Failure("the city server needs the server extra "
                                   "(pip install 'kelurahan-kiosk[server]')") from exc
    os.environ["KIOSK_SERVER_DB"] = url
    if admin_token:
        os.environ["KIOSK_ADMIN_TOKEN"] = admin_token
    click.echo(f"city server on http://{host}:{port} (docs at /docs), database {_redact(url)}, "
               f"{workers} worker(s)", err=True)
    from sync.protocol import SERVER_KEEP_ALIVE_S
    from sync.server.serve import PortInUse, serve

    try:
        code = serve("sync.server.app:app_from_env", host, port, workers, log_level=log_level,
                     access_log=log_level == "debug", timeout_keep_alive=SERVER_KEEP_ALIVE_S)
    except PortInUse as exc:
        raise Failure(str(exc)) from exc
    if code:
        raise SystemExit(code)


def _redact(url: str) -> str:
    """Never print a password that is part of a URL."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@server.group()
def office() -> None:
    """Offices (kelurahan) the server knows."""


@office.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--tz", "tz", default="WIB", show_default=True,
              help="Time zone: WIB, WITA, WIT or an IANA name such as Asia/Makassar.")
@click.option("--address", default="", help="Postal address shown on receipts.")
@_db_option
@click.pass_context
def office_add(ctx: click.Context, code: str, name: str, tz: str, address: str,
               db: str | None) -> None:
    """Register an office under CODE with its NAME; prints it as JSON."""
    from zoneinfo import ZoneInfoNotFoundError

    from kiosk.clock import zone

    try:
        zone(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise click.BadParameter(f"{tz!r} is not WIB, WITA, WIT or an IANA time zone",
                                 param_hint="--tz") from exc
    if not code.strip() or not name.strip():
        raise click.BadParameter("CODE and NAME must not be empty")
    store = _open(ctx, db)
    try:
        result = _store_call(store.add_office, code.strip(), name.strip(), tz, address, _now_ms())
    finally:
        store.close()
    _echo(result.as_reference(_now_ms()))


@office.command("list")
@_db_option
@click.pass_context
def office_list(ctx: click.Context, db: str | None) -> None:
    """The offices as JSON."""
    store = _open(ctx, db, must_exist=True)
    try:
        _echo([{"id": o.id, "code": o.code, "name": o.name, "timezone": o.timezone,
                "address": o.address} for o in store.offices()])
    finally:
        store.close()


@server.command("enroll-token")
@click.option("--office", "office_code", required=True, help="Office code the kiosk will serve.")
@click.option("--ttl-hours", default=24.0, show_default=True, type=click.FloatRange(0.01, 24 * 30),
              help="Hours the token stays valid (judged by the server's clock).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (token, office, expiry).")
@_db_option
@click.pass_context
def enroll_token(ctx: click.Context, office_code: str, ttl_hours: float, as_json: bool,
                 db: str | None) -> None:
    """Make a single-use enrollment token for a kiosk of an office; prints the token."""
    from sync.server.app import issue_enroll_token

    store = _open(ctx, db)
    try:
        out = _store_call(issue_enroll_token, store, office_code, _now_ms(), int(ttl_hours * 3600))
    finally:
        store.close()
    if as_json:
        _echo({"token": out.token, "office_code": out.office_code, "expires_ms": out.expires_ms})
    else:
        click.echo(out.token)
        expires = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(out.expires_ms / 1000))
        click.echo(f"single use, for office {out.office_code}, valid until {expires}; on the "
                   f"kiosk: kiosk enroll --server URL --token {out.token}", err=True)


@server.command("revoke")
@click.argument("device_id")
@_db_option
@click.pass_context
def revoke(ctx: click.Context, device_id: str, db: str | None) -> None:
    """Revoke a device: from now on every call it makes is answered 401."""
    store = _open(ctx, db)
    try:
        _store_call(store.revoke, device_id, _now_ms())
    finally:
        store.close()
    _echo({"device_id": device_id, "revoked": True})


@server.command("badge")
@click.argument("employee_id")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the printable badge here: .png or .pdf.")
@click.option("--revoke", "do_revoke", is_flag=True,
              help="Instead: refuse every badge of this employee issued up to now.")
@_db_option
@click.pass_context
def badge(ctx: click.Context, employee_id: str, out: Path | None, do_revoke: bool,
          db: str | None) -> None:
    """Print an employee's signed attendance badge (--out badge.png|pdf), or revoke the
    employee's badges (--revoke). JSON on stdout (docs/ATTENDANCE.md)."""
    if do_revoke == (out is not None):
        raise Failure("give either --out FILE (.png or .pdf) or --revoke")
    if out is not None and out.suffix.lower() not in (".png", ".pdf"):
        raise Failure(f"--out {out}: the badge is written as .png or .pdf")
    store = _open(ctx, db)
    try:
        from sync.server import badges

        if do_revoke:
            _echo(_store_call(badges.revoke, store, employee_id, _now_ms()))
            return
        issued = _store_call(badges.issue, store, employee_id, _now_ms())
    finally:
        store.close()
    from sync.server.badge_card import save_card

    try:
        save_card(out, issued.badge, issued.name, issued.office_code, issued.employee_id)
    except OSError as exc:
        raise Failure(f"--out {out}: {exc.strerror or exc}") from exc
    import dataclasses

    _echo({**dataclasses.asdict(issued), "out": str(out)})


@server.command("face-key")
@_db_option
@click.pass_context
def face_key(ctx: click.Context, db: str | None) -> None:
    """Print the city's public face key (JSON) and send it to every office as the
    ``face_key`` setting; the private key stays in the server database (docs/FACES.md)."""
    store = _open(ctx, db)
    try:
        from sync.server import faces

        _echo(_store_call(faces.publish_key, store, _now_ms()))
    finally:
        store.close()


@server.command("stats")
@_db_option
@click.pass_context
def stats(ctx: click.Context, db: str | None) -> None:
    """JSON counts per office and table, and the number of duplicate record ids (must be 0)."""
    store = _open(ctx, db, must_exist=True)
    try:
        result = store.stats()
        result["epoch"] = store.current_epoch()
    finally:
        store.close()
    _echo(result)
    if result["duplicate_record_ids"]:
        sys.exit(1)


@server.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@_db_option
@click.pass_context
def backup(ctx: click.Context, dest: Path, force: bool, as_json: bool, db: str | None) -> None:
    """Copy the SQLite server database to DEST safely while the server runs (online backup
    and integrity check). For PostgreSQL use pg_dump."""
    from kiosk.backup import backup_sqlite
    from kiosk.errors import KioskError

    url = _db_url(ctx, db)
    if not url.startswith("sqlite:"):
        raise Failure(f"--db {_redact(url)} is PostgreSQL: back it up with pg_dump "
                      "(see docs/SYNC.md); this command copies SQLite databases")
    path = _require_sqlite_file(url)
    try:
        result = backup_sqlite(path, dest, force=force)
    except KioskError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        click.echo(f"backup of {result.source} written to {result.dest} ({result.bytes} bytes, "
                   f"integrity {result.integrity})")


@server.command("admin-token")
@_db_option
@click.pass_context
def admin_token(ctx: click.Context, db: str | None) -> None:
    """Print the admin token kept in the database (used when --admin-token is not given)."""
    store = _open(ctx, db, must_exist=True)
    try:
        click.echo(store.admin_token)
    finally:
        store.close()


@server.command("new-epoch")
@_db_option
@click.confirmation_option(prompt="Every kiosk will re-send what it still keeps. Continue?",
                           help="Do not ask.")
@click.pass_context
def new_epoch(ctx: click.Context, db: str | None) -> None:
    """After restoring the database from a backup: give it a new epoch so kiosks re-send."""
    store = _open(ctx, db)
    try:
        _echo({"epoch": store.new_epoch()})
    finally:
        store.close()


# -- the fleet (docs/PROVISIONING.md, "Fleet health") ----------------------------------------
_PROBLEM_STATES = ("degraded", "silent", "no report")


def _ago(then_ms: int | None, now_ms: int) -> str:
    if then_ms is None:
        return "never"
    seconds = max(0, (now_ms - then_ms) // 1000)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _clock_text(row: dict[str, Any]) -> str:
    state = row.get("clock") or "-"
    offset = row.get("clock_offset_ms")
    return f"{state} ({offset / 1000:+.0f} s)" if isinstance(offset, (int, float)) else state


def fleet_table(rows: list[dict[str, Any]], now_ms: int) -> str:
    """The fleet as a text table: one line per device, problems named by their codes."""
    head = ("OFFICE", "DEVICE", "LAST SEEN", "STATUS", "BACKLOG", "PRINTER", "CLOCK", "REASONS")
    lines = [head]
    for r in rows:
        lines.append((r["office_code"], r["device_id"], _ago(r["last_seen_ms"], now_ms),
                      r["status"], "-" if r["backlog"] is None else str(r["backlog"]),
                      r["printer"] or "-", _clock_text(r), ", ".join(r["codes"]) or "-"))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head) - 1)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line[:-1], widths))
                     + "  " + line[-1] for line in lines)


@server.command("devices")
@click.option("--office", "office_code", default=None, help="Only this office's devices.")
@click.option("--problems", is_flag=True,
              help="Only devices that are degraded, silent or never reported.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per device).")
@_db_option
@click.pass_context
def devices(ctx: click.Context, office_code: str | None, problems: bool, as_json: bool,
            db: str | None) -> None:
    """The fleet: every enrolled kiosk with its last health report (sent by its sync
    worker): last seen, status, sync backlog, printer, clock, and the reasons of a degraded
    one. Exit status 1 when a device has a problem (for monitoring scripts)."""
    store = _open(ctx, db, must_exist=True)
    now = _now_ms()
    try:
        rows = _store_call(store.device_health, office_code, now)
    finally:
        store.close()
    if problems:
        rows = [r for r in rows if r["status"] in _PROBLEM_STATES]
    if as_json:
        _echo(rows)
    elif rows:
        click.echo(fleet_table(rows, now))
    else:
        click.echo("no devices" + (" with problems" if problems else ""))
    if any(r["status"] in _PROBLEM_STATES for r in rows):
        sys.exit(1)


# -- citizens' requests and complaints (docs/REQUESTS.md) -----------------------------------
def _citizen_list(ctx: click.Context, table: str, office_code: str | None, limit: int,
                  db: str | None) -> None:
    store = _open(ctx, db, must_exist=True)
    try:
        _echo(_store_call(store.citizen_records, table, office_code, limit))
    finally:
        store.close()


@server.group("request")
def request_group() -> None:
    """Letter requests the offices pushed."""


@request_group.command("list")
@click.option("--office", "office_code", default=None, help="Only this office's (its code).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="At most this many, newest first.")
@click.option("--events", is_flag=True, help="The status changes instead of the requests.")
@_db_option
@click.pass_context
def request_list(ctx: click.Context, office_code: str | None, limit: int, events: bool,
                 db: str | None) -> None:
    """The newest state of each letter request (or each status change) as JSON."""
    _citizen_list(ctx, "request_events" if events else "requests", office_code, limit, db)


@server.group("complaint")
def complaint_group() -> None:
    """Complaints the offices pushed, and the city's answers."""


@complaint_group.command("list")
@click.option("--office", "office_code", default=None, help="Only this office's (its code).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="At most this many, newest first.")
@_db_option
@click.pass_context
def complaint_list(ctx: click.Context, office_code: str | None, limit: int,
                   db: str | None) -> None:
    """The complaints as the kiosks took them, as JSON."""
    _citizen_list(ctx, "complaints", office_code, limit, db)


@complaint_group.command("answer")
@click.argument("code")
@click.option("--status", required=True,
              type=click.Choice(["forwarded", "in_progress", "answered", "closed"]),
              help="The complaint's new status.")
@click.option("--answer", default=None, help="The city's answer (required for answered).")
@click.option("--note", default=None, help="A short note for the citizen (e.g. why closed).")
@click.option("--staff", default=None, help="Who answers (name or id), kept with the step.")
@click.option("--office", "office_code", default=None,
              help="The office that took it, when two offices gave out the same code.")
@_db_option
@click.pass_context
def complaint_answer(ctx: click.Context, code: str, status: str, answer: str | None,
                     note: str | None, staff: str | None, office_code: str | None,
                     db: str | None) -> None:
    """Set complaint CODE's status (and answer); the office's kiosk shows it after its next
    sync. Refused (exit 2) for an unknown code or a step its life does not allow."""
    _complaint_step(ctx, code, status, answer, note, staff, office_code, db)


@complaint_group.command("close")
@click.argument("code")
@click.option("--note", default=None, help="A short note for the citizen (e.g. why closed).")
@click.option("--staff", default=None, help="Who closes it (name or id), kept with the step.")
@click.option("--office", "office_code", default=None,
              help="The office that took it, when two offices gave out the same code.")
@_db_option
@click.pass_context
def complaint_close(ctx: click.Context, code: str, note: str | None, staff: str | None,
                    office_code: str | None, db: str | None) -> None:
    """Close complaint CODE (from any open status; its answer, if any, stays); the office's
    kiosk shows it closed after its next sync. Refused (exit 2) when already closed."""
    _complaint_step(ctx, code, "closed", None, note, staff, office_code, db)


def _complaint_step(ctx: click.Context, code: str, status: str, answer: str | None,
                    note: str | None, staff: str | None, office_code: str | None,
                    db: str | None) -> None:
    """The city's step of a complaint, as ``POST /admin/complaints/{code}/status`` does it."""
    from kiosk.tracking import code_from_scan, kind_of

    canonical = code_from_scan(code)
    if canonical is None or kind_of(canonical) != "complaint":
        raise click.BadParameter(f"{code!r} is not a complaint code like P-7K3M9QX",
                                 param_hint="CODE")
    store = _open(ctx, db, must_exist=True)
    try:
        _echo(_store_call(store.set_complaint_status, canonical, office_code, status,
                          (answer or "").strip() or None, (note or "").strip() or None, staff,
                          _now_ms()))
    finally:
        store.close()