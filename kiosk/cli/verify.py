"""``kiosk verify-letter FILE.pdf|IMAGE|QRTEXT``: is this letter genuine?

Offline first: a letter this office issued is checked against its own ``issued_letters``
row with this device's public key (the key it enrolled with, the one the edge seals letters
with). Any other letter's facts live at the city server: ``--server URL`` (default: the
server this kiosk enrolled with) asks its ``POST /v/check``. Never the server named in the
QR itself: a forged QR may name a forged server.

JSON on stdout; exit 0 genuine, 1 not genuine (the JSON says why), 2 bad input or no way to
check (one line on stderr).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from kiosk.cli.options import Failure


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def _own_public_keys(data_dir: Path) -> list[bytes]:
    """This device's identity public key (raw), when it has one."""
    from cryptography.hazmat.primitives import serialization

    from kiosk.errors import KioskError
    from sync.client import identity

    if not identity.key_path(data_dir).exists():
        return []
    try:
        key = identity.load(data_dir)
    except KioskError:
        return []
    return [key.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)]


def _kiosk_db(data_dir: Path) -> sqlite3.Connection | None:
    from kiosk.config import db_path

    path = db_path(data_dir)
    if not path.exists():
        return None
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _enrolled_server(conn: sqlite3.Connection | None) -> str:
    if conn is None:
        return ""
    try:
        row = conn.execute("SELECT server FROM sync_credentials WHERE id = 1").fetchone()
    except sqlite3.Error:
        return ""
    return row[0] if row and row[0] else ""


def _ask_server(server: str, letter_id: str, signature: str) -> dict[str, Any]:
    import httpx

    url = f"{server.rstrip('/')}/v/check"
    try:
        r = httpx.post(url, json={"letter_id": letter_id, "signature": signature}, timeout=10)
    except httpx.HTTPError as exc:
        raise Failure(f"{url}: cannot reach the city server ({exc}); check the network or "
                      "--server") from exc
    if r.status_code == 429:
        raise Failure(f"{url}: too many checks from this address; retry after "
                      f"{r.headers.get('Retry-After', '60')} s")
    if r.status_code != 200:
        raise Failure(f"{url}: answered {r.status_code}; is --server a kiosk city server?")
    try:
        answer = r.json()
    except ValueError as exc:
        raise Failure(f"{url}: did not answer JSON; is --server a kiosk city server?") from exc
    return {**answer, "genuine": answer.get("status") == "genuine", "checked": "server",
            "server": server.rstrip("/")}


def register(main: click.Group) -> None:
    from kiosk.cli import Ctx, pass_ctx

    @main.command("verify-letter")
    @click.argument("source")
    @click.option("--server", default=None,
                  help="City server to ask about a letter this office did not issue "
                       "(default: the server this kiosk enrolled with).")
    @pass_ctx
    def verify_letter(ctx: Ctx, source: str, server: str | None) -> None:
        """Check the seal of a letter: SOURCE is its PDF, a photo of its QR or the QR's text
        (https://server/v/LETTER-ID#SEAL). Exit 0 genuine, 1 not genuine, 2 bad input."""
        from kiosk.errors import ValidationError
        from kiosk.letters import verification

        path = Path(source)
        try:
            link = (verification.link_in(path) if path.is_file()
                    else verification.parse_link(source))
        except ValidationError as exc:
            raise Failure(exc.message) from exc
        conn = _kiosk_db(ctx.data_dir)
        try:
            letter = verification.local_letter(conn, link.letter_id) if conn else None
            enrolled = _enrolled_server(conn)
        except sqlite3.Error as exc:
            raise Failure(f"{ctx.data_dir}: cannot read the kiosk database ({exc})") from exc
        finally:
            if conn is not None:
                conn.close()
        if letter is not None:
            verdict = verification.check_offline(letter, link.signature,
                                                 _own_public_keys(ctx.data_dir))
        else:
            target = server or enrolled
            if not target:
                raise Failure(f"letter {link.letter_id} was not issued by this office and "
                              "there is no city server to ask; give --server URL")
            verdict = _ask_server(target, link.letter_id, link.signature)
        _echo(verdict)
        sys.exit(0 if verdict["genuine"] else 1)
