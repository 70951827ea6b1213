"""An issued letter to paper or to a file: ``print_letter`` queues it for the office's A4
printer (a document job in kiosk.print_queue, so it waits there while the printer is off
and is never lost), ``letter_pdf`` hands the PDF to a screen (a staff PC over the LAN
saves or opens it). devices/printer/a4.py prints the queued job with :func:`renderer`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import sqlite_utils

from kiosk import print_queue
from kiosk.config import Config
from kiosk.db import write_tx
from kiosk.errors import NotFoundError
from kiosk.letters.document import render_letter
from kiosk.letters.issuing import COLUMNS, TABLE, _letter, issued_letter
from kiosk.letters.models import IssuedLetter

KIND = "letter"


def letter_pdf(rt, code: str) -> dict[str, Any]:
    """The letter of request ``code`` as ``{"filename", "pdf_b64", "number",
    "verify_url", "server_missing"}`` (base64: the answer travels as JSON)."""
    letter = issued_letter(rt, code)
    rendered = render_letter(rt.db, rt.config, letter)
    return {"filename": rendered.filename,
            "pdf_b64": base64.b64encode(rendered.pdf).decode("ascii"),
            "number": letter.number, "verify_url": rendered.verify_url,
            "server_missing": rendered.server_missing}


def print_letter(rt, code: str) -> str:
    """Queue the letter of request ``code`` for the A4 printer; returns the print job's id
    (kiosk.print_ops.job_status follows it). Each call is one more copy."""
    letter = issued_letter(rt, code)
    with write_tx(rt.db):
        return print_queue.enqueue_document(
            rt.db, {"document": KIND, "letter_id": letter.id, "code": letter.code,
                    "number": letter.number}, rt.now(), kind=KIND, ref_id=letter.request_id)


def renderer(config: Config) -> Callable[[sqlite_utils.Database, dict[str, Any]],
                                         tuple[bytes, str]]:
    """What the A4 print worker calls for a letter job: (PDF bytes, file name)."""
    def render(db: sqlite_utils.Database, document: dict[str, Any]) -> tuple[bytes, str]:
        if document.get("document") != KIND:
            raise ValueError(f"not a letter job: {document!r}")
        rendered = render_letter(db, config, letter_by_id(db, str(document["letter_id"])))
        return rendered.pdf, rendered.filename
    return render


def letter_by_id(db: sqlite_utils.Database, letter_id: str) -> IssuedLetter:
    row = db.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE id = ?",
                          [letter_id]).fetchone()
    if row is None:
        raise NotFoundError(f"issued letter {letter_id!r} does not exist",
                            code="letter_unknown", fields={"letter_id": letter_id})
    return _letter(dict(zip(COLUMNS, row)))
