"""``kiosk attendance``: the attendance terminal without a screen (scripts, technicians,
tests). ``scan IMAGE`` reads the badge QR in an image file and records it exactly as the
terminal does; ``report --month YYYY-MM [--csv FILE]`` prints the month (docs/ATTENDANCE.md).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from kiosk.cli.options import Failure

#: The JSON answer of ``scan`` when the image holds no QR code.
NO_CODE = "no_code"


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def decode_qr(path: Path) -> str | None:
    """The text of the first QR code in the image file, None when there is none: the door
    terminal's own decoder (devices.qr, zxing-cpp restricted to QR codes)."""
    import cv2

    from devices.qr import decode

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise Failure(f"{path}: not a readable image (PNG, JPEG, WebP, ...)")
    found = decode(image)
    return found[0] if found else None


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx

    @main.group()
    def attendance() -> None:
        """Staff attendance: scan a badge image, the month's report (JSON output)."""

    @attendance.command("scan")
    @click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @pass_ctx
    def scan(ctx: Ctx, image: Path) -> None:
        """Verify and record the badge in IMAGE. JSON: result (accepted|refused), reason,
        employee_id, event; exit code 1 when refused."""
        from kiosk.attendance import record_scan

        text = decode_qr(image)
        if text is None:
            _echo({"result": "refused", "reason": NO_CODE, "employee_id": None, "event": None})
            sys.exit(1)
        rt = ctx.runtime()
        try:
            result = record_scan(rt, text)
        finally:
            rt.close()
        _echo(dataclasses.asdict(result))
        if result.result != "accepted":
            sys.exit(1)

    @attendance.command("report")
    @click.option("--month", required=True, help="The month, e.g. 2026-12.")
    @click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                  default=None, help="Also write one line per employee and day to FILE.")
    @pass_ctx
    def report_cmd(ctx: Ctx, month: str, csv_path: Path | None) -> None:
        """Daily and monthly attendance per employee in the office's time zone."""
        from kiosk.attendance import report
        from kiosk.attendance.reports import to_csv

        rt = ctx.runtime()
        try:
            data = report(rt, month)
        finally:
            rt.close()
        if csv_path is not None:
            try:
                csv_path.write_text(to_csv(data), encoding="utf-8")
            except OSError as exc:
                raise Failure(f"--csv {csv_path}: {exc.strerror or exc}") from exc
        _echo(data)
