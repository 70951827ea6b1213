"""Complaints at the kiosk: taking one, and telling its status from what the city sent down.

Submission is one :func:`kiosk.db.write_tx`: the complaint, its ``received`` event and the
receipt's print job, each through the outbox. The status and answer are the city's
(``complaint_status``, pulled by the sync client); until the first one arrives a complaint
is ``received``.
"""

from __future__ import annotations

from typing import Any

from kiosk import outbox, print_queue, tracking
from kiosk.clock import local_time
from kiosk.complaints import categories
from kiosk.complaints.models import Category, ComplaintSubmitted
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id
from kiosk.letters.models import FieldSpec
from kiosk.letters.operations import iso_local, office_hours
from kiosk.letters.validation import validate_value
from kiosk.receipt import Receipt
from kiosk.tracking import NextStep, StatusView

COMPLAINTS = outbox.syncable("complaints")
EVENTS = outbox.syncable("complaint_events")

#: The complaint's fields, checked by the letters' rules (kiosk.letters.validation).
DESCRIPTION = FieldSpec("description", "long_text", "Isi pengaduan", "Your complaint",
                        max_length=1000, group="pengaduan")
LOCATION = FieldSpec("location", "text", "Lokasi (RT/RW atau alamat)",
                     "Where (RT/RW or address)", max_length=120, group="pengaduan")
CONTACT = FieldSpec("contact", "phone", "Nomor HP untuk dihubungi (boleh kosong)",
                    "Phone to reach you (optional)", required=False, group="kontak")
COMPLAINT_FIELDS = (DESCRIPTION, LOCATION, CONTACT)

COLUMNS = ("id", "code", "office_code", "category", "description", "location", "contact",
           "anonymous", "print_job_id", "device_id", "created_ms", "updated_ms",
           "time_uncertain")
EVENT_COLUMNS = ("id", "complaint_id", "code", "to_status", "at_ms", "device_id",
                 "time_uncertain")


def list_categories(rt) -> list[Category]:
    """The complaint categories offered now (the complaint screen's first choice)."""
    return categories.list_categories(rt.db)


def submit_complaint(rt, category: str, description: str, location: str,
                     contact: str | None = None, anonymous: bool = False) -> ComplaintSubmitted:
    """Take a complaint and queue its receipt. ``anonymous``: no contact is kept (giving one
    anyway is refused, ``anonymous_contact``: the citizen chose one or the other). Every
    problem is a ValidationError naming the field; nothing is written then."""
    db = rt.db
    if not isinstance(anonymous, bool):
        raise ValidationError("anonymous", "anonymous must be true or false", code="not_choice")
    cat = categories.get_category(db, category)
    text, _ = validate_value(DESCRIPTION, description)
    place, _ = validate_value(LOCATION, location)
    phone, _ = validate_value(CONTACT, contact)
    if anonymous and phone is not None:
        raise ValidationError("contact", "an anonymous complaint keeps no contact; leave it "
                              "empty or make the complaint with your name",
                              code="anonymous_contact")
    stamp = rt.now()
    now = local_time(stamp, rt.office_tz)
    with write_tx(db):
        code = tracking.new_code("complaint", lambda c: db.conn.execute(
            "SELECT 1 FROM complaints WHERE code = ?", [c]).fetchone() is not None)
        row = {"id": new_id(), "code": code, "office_code": rt.config.office.code,
               "category": cat.code, "description": text, "location": place,
               "contact": phone, "anonymous": int(anonymous), "print_job_id": None,
               "device_id": rt.device_id, "created_ms": stamp.wall_ms,
               "updated_ms": stamp.wall_ms, "time_uncertain": int(stamp.uncertain)}
        row["print_job_id"] = print_queue.enqueue(
            db, complaint_receipt(rt, cat, code, anonymous, now), stamp, kind="complaint",
            ref_id=row["id"])
        _insert(db, COMPLAINTS, COLUMNS, row, stamp)
        _insert(db, EVENTS, EVENT_COLUMNS, {
            "id": new_id(), "complaint_id": row["id"], "code": code, "to_status": "received",
            "at_ms": stamp.wall_ms, "device_id": rt.device_id,
            "time_uncertain": int(stamp.uncertain)}, stamp)
    return ComplaintSubmitted(code=code, complaint_id=row["id"], category=cat.code,
                              status="received", print_job_id=row["print_job_id"],
                              created=now.isoformat(timespec="seconds"))


def complaint_receipt(rt, category: Category, code: str, anonymous: bool, now) -> Receipt:
    """The receipt carries the code, the category and the QR, never the complaint's text
    (a receipt left on the kiosk must not tell it)."""
    tz = rt.office_tz
    when = f"{now.day:02d}-{now.month:02d}-{now.year} {now.hour:02d}:{now.minute:02d} {tz}"
    lines = ["Pengaduan Anda sudah kami terima dan akan diteruskan ke Pemerintah Kota.",
             *(["Pengaduan tanpa nama (anonim)."] if anonymous else []), "",
             f"Jam layanan: {office_hours(rt)}"]
    return Receipt(office_name=rt.config.office.name, title="TANDA TERIMA PENGADUAN",
                   big_number=code, service=category.name_id, local_time=when,
                   qr=tracking.status_link(rt.config, code, server=tracking.status_server(rt)),
                   lines=lines,
                   footer=["Cek status: pindai QR ini di kiosk", f"atau ketik kode {code}",
                           "Terima kasih"])


def complaint_status(rt, code: str) -> StatusView:
    """Where the complaint stands: the city's latest status and answer as last synced, else
    ``received``. ``answer`` is set once the city answered (print it; the shared screen says
    only that there is an answer)."""
    canonical = tracking.code_from_scan(str(code))
    if canonical is None or tracking.kind_of(canonical) != "complaint":
        raise ValidationError("code", f"{code!r} is not a complaint code like P-7K3M9QX",
                              code="not_code")
    row = rt.db.conn.execute(
        "SELECT c.code, c.category, c.updated_ms, s.status, s.answer, s.note, s.updated_ms"
        " FROM complaints c LEFT JOIN complaint_status s ON s.id = c.id WHERE c.code = ?",
        [canonical]).fetchone()
    if row is None:
        raise NotFoundError(f"pengaduan {canonical!r} tidak ditemukan (complaints.code)",
                            code="code_unknown", fields={"code": canonical})
    code_, category, made_ms, status, answer, note, city_ms = row
    status = status or "received"
    updated_ms = max(made_ms, city_ms or 0)
    fields: dict[str, Any] = {"has_answer": bool(answer)} if status == "answered" else {}
    return StatusView(code=code_, kind="complaint", type_code=category, status=status,
                      updated=iso_local(updated_ms, rt.office_tz), updated_ms=updated_ms,
                      next_step=NextStep(f"complaint_{status}", fields), reason=note,
                      answer=answer)


def _insert(db, table: str, columns: tuple[str, ...], row: dict[str, Any], stamp) -> None:
    db.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join('?' * len(columns))})", [row[c] for c in columns])
    outbox.append(db, table, row["id"], row, stamp)
