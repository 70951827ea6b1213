"""Checking an issued letter's seal (``kiosk verify-letter``): read the QR of a letter (a PDF
page, a photo or the QR's text), find the letter's facts, and check the seal with the office
public keys at hand (kiosk.letters.seal). No network here: asking the city server is the
command's business (kiosk.cli.verify).

Libraries: pypdfium2 renders a PDF page to an image (PDFium, Chrome's PDF engine; wheels for
aarch64, no system packages) and zxing-cpp reads the QR from it (already the kiosk's QR
reader for receipts).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kiosk.errors import ValidationError
from kiosk.letters import seal

#: A letter id as the edge makes them (a UUID) or anything of that alphabet, 1..64 long.
_LETTER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_SEAL = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
#: Pixels per PDF point when a page is rendered to look for its QR (3 = 216 dpi: a 25 mm QR
#: is ~210 px wide, plenty for zxing-cpp, and an A4 page renders in tens of milliseconds).
PDF_SCALE = 3.0
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")


def _bad(message: str, *, code: str) -> ValidationError:
    """Bad input to ``kiosk verify-letter`` (exit 2): what was given is not a letter's QR."""
    return ValidationError("source", message, code=code)


@dataclass(frozen=True)
class LetterLink:
    """What a letter's QR says: ``{server}/v/{letter_id}#{signature}``."""

    server: str
    letter_id: str
    signature: str


def parse_link(text: str) -> LetterLink:
    """The link of a letter's QR, or ValidationError (``not_letter_qr``) naming what is
    wrong: not a URL, no ``/v/{id}``, no seal after ``#``."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad(f"{text[:60]!r} is not a letter's QR link like "
                   "https://server/v/LETTER-ID#SEAL", code="not_letter_qr")
    head, _, letter_id = parts.path.rstrip("/").rpartition("/")
    if not head.endswith("/v") and head != "/v":
        raise _bad(f"{text[:60]!r}: the path is not /v/LETTER-ID", code="not_letter_qr")
    letter_id, signature = unquote(letter_id), unquote(parts.fragment)
    if not _LETTER_ID.match(letter_id):
        raise _bad(f"{letter_id[:60]!r} is not a letter id", code="not_letter_qr")
    if not _SEAL.match(signature):
        raise _bad("the QR link carries no seal after '#'", code="not_letter_qr")
    server = f"{parts.scheme}://{parts.netloc}{head[:-2]}"
    return LetterLink(server, letter_id, signature)


def qr_texts(path: Path) -> list[str]:
    """Every QR text on a PDF's pages or in an image (PNG, JPEG, ...), in reading order."""
    import zxingcpp

    images = _pdf_pages(path) if path.suffix.lower() == ".pdf" else [_image(path)]
    texts: list[str] = []
    for image in images:
        texts += [r.text for r in zxingcpp.read_barcodes(image) if r.text]
    return texts


def _image(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return img.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise _bad(f"{path}: not a PDF or an image this command reads "
                   f"({', '.join(IMAGE_SUFFIXES)})", code="not_letter_file") from exc


def _pdf_pages(path: Path) -> list:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise _bad(f"{path}: not a PDF that can be read ({exc})", code="not_letter_file") from exc
    try:
        return [pdf[i].render(scale=PDF_SCALE).to_pil().convert("L")
                for i in range(min(len(pdf), 10))]
    finally:
        pdf.close()


def link_in(path: Path) -> LetterLink:
    """The letter link of the first QR in ``path`` that holds one."""
    for text in qr_texts(path):
        try:
            return parse_link(text)
        except ValidationError:
            continue
    raise _bad(f"{path}: no letter QR found (expected a QR holding "
               "https://server/v/LETTER-ID#SEAL)", code="no_letter_qr")


def local_letter(conn: sqlite3.Connection, letter_id: str) -> dict[str, Any] | None:
    """The facts of a letter this office issued (its ``issued_letters`` row), or None when
    it was not issued here (or this kiosk keeps no letters)."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                       " AND name = 'issued_letters'").fetchone()
    if not has:
        return None
    cur = conn.execute("SELECT * FROM issued_letters WHERE id = ? LIMIT 1", (letter_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return as_pushed(dict(zip([d[0] for d in cur.description], row)))


def as_pushed(row: dict[str, Any]) -> dict[str, Any]:
    """An ``issued_letters`` row as the city server receives it: the sealed facts under
    kiosk.letters.seal's names (``letter_id``) and the seal as ``signature`` (sync/PROTOCOL.md)."""
    return {**row, "letter_id": row["id"], "signature": row["seal"]}


def check_offline(letter: dict[str, Any], signature: str,
                  keys: list[bytes]) -> dict[str, Any]:
    """The verdict on a seal, from the letter's facts and the office public keys at hand
    (raw 32 bytes each): genuine only when one of the keys verifies exactly these facts and
    the letter is not revoked. The JSON ``kiosk verify-letter`` prints."""
    facts = {name: "" if letter.get(name) is None else str(letter[name])
             for name in seal.SEALED_FIELDS}
    base = {"letter_id": facts["letter_id"], "checked": "offline"}
    if not keys:
        return {**base, "genuine": False, "status": "unknown_key",
                "reason": "no office public key at hand to check the seal with"}
    if not any(seal.verify(key, letter, signature) for key in keys):
        return {**base, "genuine": False, "status": "forged",
                "reason": "the seal does not match this letter's facts under any office key "
                          "at hand (a changed letter or another office's seal)"}
    revoked = letter.get("revoked")
    if revoked not in (None, 0, "0", False, ""):
        return {**base, **facts, "genuine": False, "status": "revoked",
                "reason": f"revoked: {letter.get('revoked_reason') or 'no reason given'}"}
    return {**base, **facts, "genuine": True, "status": "genuine"}
