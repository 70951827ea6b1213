"""``kiosk request`` and ``kiosk complaint``: letter requests and complaints without a screen
(scripts, technicians, tests). Every command prints JSON on stdout; bad input is one line on
stderr naming the field, exit code 2, and nothing written (docs/REQUESTS.md)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from kiosk.cli.options import Failure


def _echo(value: Any) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif isinstance(value, list):
        value = [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _read_json(path: str) -> dict[str, Any]:
    """The JSON object in FILE (``-``: stdin); a missing or malformed file is one line."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise Failure(f"--json {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise Failure(f"--json {path}: not UTF-8 text (byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Failure(f"--json {path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise Failure(f"--json {path}: expected a JSON object, got {type(data).__name__}")
    return data


def _run(ctx, fn, *args, **kwargs) -> Any:
    rt = ctx.runtime()
    try:
        return fn(rt, *args, **kwargs)
    finally:
        rt.close()


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx

    @main.group()
    def request() -> None:
        """Letter requests (surat): the catalogue, submit, status (JSON output)."""

    @request.command("types")
    @pass_ctx
    def types(ctx: Ctx) -> None:
        """The letter catalogue as JSON: per letter its code, names, fields (after the
        applicant's), documents to bring and validity."""
        from kiosk.letters import APPLICANT_FIELDS, list_letter_types

        letters = _run(ctx, list_letter_types)
        _echo({"applicant_fields": [dataclasses.asdict(f) for f in APPLICANT_FIELDS],
               "types": [dataclasses.asdict(t) for t in letters]})

    @request.command("submit")
    @click.argument("type_code", metavar="TYPE")
    @click.option("--json", "json_path", required=True, metavar="FILE",
                  help='JSON object {"applicant": {...}, "details": {...}} ("-": stdin).')
    @pass_ctx
    def submit(ctx: Ctx, type_code: str, json_path: str) -> None:
        """Submit a request for letter TYPE (e.g. SKU) and queue its receipt; prints
        ``code`` and ``warnings``. Invalid input: one line naming the field, exit 2,
        nothing written."""
        from kiosk.letters import submit_request

        data = _read_json(json_path)
        unknown = set(data) - {"applicant", "details"}
        if unknown:
            raise Failure(f"--json {json_path}: unknown key {sorted(unknown)[0]!r}; expected "
                          "applicant and details")
        _echo(_run(ctx, submit_request, type_code, data.get("applicant"),
                   data.get("details", {})))

    @request.command("status")
    @click.argument("code")
    @pass_ctx
    def status(ctx: Ctx, code: str) -> None:
        """Status of the request with tracking CODE (as printed, any case): ``status``,
        ``updated`` (office time) and the next step."""
        from kiosk.letters import request_status

        _echo(_run(ctx, request_status, code))

    @request.command("set-status")
    @click.argument("code")
    @click.argument("status")
    @click.option("--staff", "staff_id", default=None, help="Employee id of who does it.")
    @click.option("--reason", default=None, help="Why (required to reject or cancel).")
    @pass_ctx
    def set_status(ctx: Ctx, code: str, status: str, staff_id: str | None,
                   reason: str | None) -> None:
        """Move request CODE to STATUS (checking, awaiting_signature, ready, collected,
        rejected, cancelled), recorded as an event; refused if its life does not allow it."""
        from kiosk.letters import change_request_status

        _echo(_run(ctx, change_request_status, code, status, staff_id=staff_id, reason=reason))

    @request.command("process")
    @click.argument("code")
    @click.option("--action", required=True,
                  metavar="verify|approve|reject|ready|collected|change|revoke",
                  help="What staff do: verify (every field and document checked), approve "
                       "(issues the letter and its number), reject (needs --reason), ready, "
                       "collected, change (back to the citizen for a correction; needs "
                       "--reason), revoke (the issued letter: verifiers are told DICABUT; needs "
                       "--reason).")
    @click.option("--reason", default=None,
                  help="Why (required to reject, ask a change or revoke).")
    @click.option("--staff", "staff_id", default=None, help="Employee id of who does it.")
    @pass_ctx
    def process(ctx: Ctx, code: str, action: str, reason: str | None,
                staff_id: str | None) -> None:
        """Process request CODE as the counter's Permohonan tab does; prints its status and,
        for approve, the letter issued (number, seal). verify here ticks every field and
        document: the caller vouches for all of them."""
        from kiosk.letters.issuing import process_request

        _echo(_run(ctx, process_request, code, action, staff_id=staff_id, reason=reason))

    @request.command("letter")
    @click.argument("code")
    @click.option("--out", "out", required=True, metavar="FILE.pdf",
                  help="Where to write the letter's PDF.")
    @pass_ctx
    def letter(ctx: Ctx, code: str, out: str) -> None:
        """Write the A4 PDF of the letter issued for request CODE (approved first); prints
        the file, the letter number and the verification link its QR holds."""
        from kiosk.letters.document import render_letter
        from kiosk.letters.issuing import issued_letter

        rt = ctx.runtime()
        try:
            issued = issued_letter(rt, code)
            rendered = render_letter(rt.db, rt.config, issued)
        finally:
            rt.close()
        path = Path(out)
        try:
            path.write_bytes(rendered.pdf)
        except OSError as exc:
            raise Failure(f"--out {out}: {exc.strerror or exc}") from exc
        answer = {"file": str(path), "bytes": len(rendered.pdf), "number": issued.number,
                  "letter_id": issued.id, "verify_url": rendered.verify_url}
        if rendered.server_missing:
            answer["note"] = ("no city server known ([sync] server or enrollment): the QR "
                              "holds a relative /v/... link")
        _echo(answer)

    @main.group()
    def complaint() -> None:
        """Complaints (pengaduan): categories, submit, status (JSON output)."""

    @complaint.command("categories")
    @pass_ctx
    def categories(ctx: Ctx) -> None:
        """The complaint categories as JSON."""
        from kiosk.complaints import list_categories

        _echo(_run(ctx, list_categories))

    @complaint.command("submit")
    @click.option("--json", "json_path", required=True, metavar="FILE",
                  help='JSON object {"category", "description", "location", "contact" '
                       '(optional), "anonymous" (optional)} ("-": stdin).')
    @pass_ctx
    def complaint_submit(ctx: Ctx, json_path: str) -> None:
        """Submit a complaint and queue its receipt; prints its ``code``. Invalid input: one
        line naming the field, exit 2, nothing written."""
        from kiosk.complaints import submit_complaint

        data = _read_json(json_path)
        known = {"category", "description", "location", "contact", "anonymous"}
        if set(data) - known:
            raise Failure(f"--json {json_path}: unknown key {sorted(set(data) - known)[0]!r}; "
                          f"expected {', '.join(sorted(known))}")
        _echo(_run(ctx, submit_complaint, data.get("category", ""), data.get("description"),
                   data.get("location"), data.get("contact"), data.get("anonymous", False)))

    @complaint.command("status")
    @click.argument("code")
    @pass_ctx
    def complaint_status_cmd(ctx: Ctx, code: str) -> None:
        """Status of the complaint with tracking CODE: ``status``, ``updated``, the city's
        ``answer`` once it came down."""
        from kiosk.complaints import complaint_status

        _echo(_run(ctx, complaint_status, code))
