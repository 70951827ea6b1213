"""An issued letter as an A4 PDF: letterhead, number, the type's template, signer, dates and
the verification QR.

Rendered with Typst through the PyPI package ``typst`` (Apache-2.0, aarch64 wheels, no
system packages; bench/letters.py), the QR as SVG with ``segno`` (pure
Python, vector, so it prints sharp at any size). The layout below is this module's; the
body is the letter type's template (kiosk.letters.templates), evaluated in a scope that
holds only the functions it documents.

Every value from the request reaches Typst as JSON data in ``sys.inputs`` and is placed as
text, never spliced into markup: a name like ``#exit()`` or ``*$x$*`` prints as typed. The
full NIK never reaches the document; the applicant's (and any other NIK or KK) is masked.

The QR holds ``seal.verify_url(server, letter_id, seal)``, with the city server of
``[sync] server`` or the one this edge enrolled with; without one it holds the relative
``/v/...`` and :class:`RenderedLetter` says so (``server_missing``).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
import sqlite_utils
import typst

from kiosk import nik as nik_mod
from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.letters import catalogue, seal, store, templates
from kiosk.letters.models import IssuedLetter, LetterType

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
#: Settings (city-owned) of the letterhead. ``office.logo_svg`` is optional SVG markup.
OFFICE_KEYS = {"regency": "office.regency", "kecamatan": "office.kecamatan",
               "kelurahan": "office.kelurahan", "address": "office.address",
               "logo_svg": "office.logo_svg"}
_MASKED_KINDS = ("nik", "kk")
_LEFT_OUT = ("phone",)

LAYOUT = r"""
#let d = json(bytes(sys.inputs.data))
#let field(key) = d.fields.at(key, default: "-")
#let office = d.office
#let signer = d.signer
#set document(title: d.title + " " + d.number)
#set page(paper: "a4", margin: (x: 2.5cm, top: 1.8cm, bottom: 2cm))
#set text(size: 11pt, lang: "id")
#set par(justify: true, leading: 0.7em)
#let applicant = table(columns: (5cm, auto), stroke: none, inset: (x: 0pt, y: 3pt),
  ..d.applicant.map(row => ([#row.at(0)], [: #row.at(1)])).flatten())
#grid(columns: (2.2cm, 1fr, 2.2cm), align: (left + horizon, center, left),
  if "logo" in sys.inputs { image(bytes(sys.inputs.logo), format: "svg", width: 2cm) } else [],
  [#text(size: 13pt, weight: "bold", upper("Pemerintah " + office.regency)) \
   #text(size: 13pt, weight: "bold", upper("Kecamatan " + office.kecamatan)) \
   #text(size: 15pt, weight: "bold", upper("Kelurahan " + office.kelurahan)) \
   #text(size: 9pt, office.address)],
  [])
#v(-4pt)
#line(length: 100%, stroke: 2pt)
#v(-8pt)
#line(length: 100%, stroke: 0.5pt)
#v(6pt)
#align(center)[#text(size: 13pt, weight: "bold", underline(upper(d.title))) \
  Nomor: #d.number]
#v(8pt)
#eval(sys.inputs.body, mode: "markup",
  scope: (field: field, applicant: applicant, office: office, signer: signer))
#v(8pt)
Berlaku sampai: #d.valid_until
#v(12pt)
#grid(columns: (1fr, 1fr), align: (left + bottom, center + top),
  [#image(bytes(sys.inputs.qr), format: "svg", width: 3.2cm)
   #text(size: 8pt)[Pindai untuk memeriksa keaslian surat \ #d.letter_id]],
  [#office.kelurahan, #d.issued \
   #signer.position #office.kelurahan
   #v(2.2cm)
   #text(weight: "bold", underline(signer.name)) \
   NIP. #signer.nip])
"""


class LetterRenderError(KioskError):
    """The letter could not be made into a PDF (a template the city sent that Typst
    refuses): the message names the letter type and Typst's complaint."""

    code = "letter_render"


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    filename: str
    verify_url: str
    server_missing: bool


def indonesian_date(iso: str) -> str:
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def verify_server(db: sqlite_utils.Database, config: Config) -> str:
    """``[sync] server`` of config.toml, else the server this edge enrolled with, else ""
    (as kiosk.tracking.status_server, without a runtime: the print worker has none)."""
    if config.sync.server:
        return config.sync.server
    row = db.conn.execute("SELECT server FROM sync_credentials WHERE id = 1").fetchone()
    return row[0] if row and row[0] else ""


def render_letter(db: sqlite_utils.Database, config: Config,
                  letter: IssuedLetter) -> RenderedLetter:
    """The PDF of ``letter`` from what the database holds now (its request, its type, the
    template and the office settings)."""
    request = store.request_from_row(store.get_row(db, letter.code))
    letter_type = catalogue.get_letter_type(db, letter.type_code)
    server = verify_server(db, config)
    url = seal.verify_url(server, letter.id, letter.seal)
    settings = _settings(db, list(OFFICE_KEYS.values()))
    office = {part: settings.get(key, "") for part, key in OFFICE_KEYS.items()}
    office["kelurahan"] = office["kelurahan"] or config.office.name
    data = {
        "title": letter_type.name_id, "number": letter.number, "letter_id": letter.id,
        "issued": indonesian_date(letter.issued_date),
        "valid_until": indonesian_date(letter.valid_until) or "tidak terbatas",
        "office": {k: v for k, v in office.items() if k != "logo_svg"},
        "signer": {"name": letter.signer_name, "position": letter.signer_position,
                   "nip": letter.signer_nip},
        "fields": _fields(letter_type, {**request.applicant, **request.details}),
        "applicant": _applicant_rows(letter_type, request.applicant),
    }
    data["fields"]["name"] = letter.applicant_name
    inputs = {"data": json.dumps(data, ensure_ascii=False), "qr": qr_svg(url),
              "body": templates.template_for(db, letter.type_code)}
    if office["logo_svg"]:
        inputs["logo"] = office["logo_svg"]
    try:
        # Only typst's embedded fonts (Libertinus Serif, New Computer Modern): a letter
        # looks the same on every edge, and scanning the system's fonts on every compile
        # cost 35 ms of the 42 (bench/letters.py).
        pdf = typst.compile(LAYOUT.encode(), sys_inputs=inputs, ignore_system_fonts=True)
    except Exception as exc:   # typst.TypstError and its kin: the template or the logo
        raise LetterRenderError(f"surat {letter.number} ({letter.type_code}) cannot be "
                                f"rendered: {str(exc).strip()[:300]}; check letter_templates "
                                f"for {letter.type_code} and office.logo_svg",
                                fields={"type": letter.type_code}) from None
    return RenderedLetter(pdf=pdf, filename=f"{letter.code}.pdf", verify_url=url,
                          server_missing=not server)


def qr_svg(text: str) -> str:
    """The QR as SVG (segno; error correction M, the quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", xmldecl=False, border=4)
    return out.getvalue().decode("utf-8")


def _fields(letter_type: LetterType, values: dict[str, Any]) -> dict[str, str]:
    """Each field as the letter prints it: choices as labels, dates in Indonesian, NIK
    and KK masked, the phone left out."""
    shown: dict[str, str] = {}
    for spec in letter_type.all_fields():
        value = values.get(spec.key)
        if value in (None, "") or spec.key in _LEFT_OUT:
            continue
        if spec.kind in _MASKED_KINDS:
            text = nik_mod.mask(str(value))
        elif spec.kind == "choice":
            labels = {c.value.lower(): c.label_id for c in spec.choices}
            text = labels.get(str(value).lower(), str(value))
        elif spec.kind == "date":
            text = indonesian_date(str(value))
        else:
            text = str(value)
        shown[spec.key] = text
    return shown


def _applicant_rows(letter_type: LetterType, applicant: dict[str, Any]) -> list[list[str]]:
    fields = _fields(letter_type, applicant)
    born = ", ".join(v for v in (fields.get("birth_place"), fields.get("birth_date")) if v)
    rows = [("Nama", fields.get("name", "")), ("NIK", fields.get("nik", "")),
            ("Tempat, tanggal lahir", born), ("Jenis kelamin", fields.get("sex", "")),
            ("Agama", fields.get("religion", "")),
            ("Status perkawinan", fields.get("marital_status", "")),
            ("Pekerjaan", fields.get("occupation", "")),
            ("Alamat", " ".join(v for v in (fields.get("address"),
                                             f"RT/RW {fields['rt_rw']}" if fields.get("rt_rw")
                                             else "") if v))]
    return [[label, value] for label, value in rows if value]


def _settings(db: sqlite_utils.Database, keys: list[str]) -> dict[str, str]:
    rows = db.conn.execute(f"SELECT key, value FROM settings WHERE key IN "
                           f"({', '.join('?' * len(keys))})", keys).fetchall()
    return {k: str(v).strip() for k, v in rows if v is not None}
