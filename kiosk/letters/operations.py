"""Letter requests: taking one at the kiosk, moving it through its life, and telling the
citizen where it stands. Each write is one :func:`kiosk.db.write_tx`: the request (or its
new status), its event and, for a new request, the receipt's print job commit or vanish
together, each through the outbox. Everything is checked before anything is written, so
bad input changes nothing.

These functions are what the screens call (through the office client's ``requests``
feature, kiosk.letters.ops_table) and what ``kiosk request ...`` runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kiosk import nik as nik_mod
from kiosk import print_queue, tracking
from kiosk.clock import local_time, zone
from kiosk.db import write_tx
from kiosk.errors import ValidationError
from kiosk.ids import new_id
from kiosk.letters import catalogue, store
from kiosk.letters.models import (APPLICANT_FIELDS, NEEDS_REASON, STATUSES, TRANSITIONS,
                                  LetterRequest, LetterType, RequestEvent, Submitted)
from kiosk.letters.validation import validate_fields
from kiosk.queue.errors import InvalidTransition
from kiosk.receipt import Receipt
from kiosk.tracking import NextStep, StatusView

#: Settings (table ``settings``, city-owned) the receipts and status answers use.
HOURS_KEY = "office.hours"
PICKUP_COUNTER_KEY = "letters.pickup_counter"
DEFAULT_HOURS = "Senin-Jumat 08.00-15.00"
#: What a citizen shows when collecting a letter (the status answer says it).
PICKUP_ID = "KTP asli"
MAX_REASON = 300


def list_letter_types(rt) -> list[LetterType]:
    """The letters the office offers now (the first screen's big cards)."""
    return catalogue.letter_types(rt.db)


def submit_request(rt, type_code: str, applicant: dict[str, Any],
                   details: dict[str, Any]) -> Submitted:
    """Take a request for letter ``type_code`` and queue its receipt.

    ``applicant``: the APPLICANT_FIELDS by key (nik, kk, name, birth_place, birth_date as
    ISO date, sex L/P, address, rt_rw, religion, marital_status, occupation, phone
    optional); ``details``: the letter's own fields. Every field is checked first; the first
    problem raises :class:`ValidationError` naming the field, and nothing is written. A NIK
    whose birth date or sex differs from the typed ones is not refused: it comes back in
    ``warnings`` (the screen asks the citizen to look again), as do other kind warnings.
    """
    db = rt.db
    stamp = rt.now()
    now = local_time(stamp, rt.office_tz)
    letter = catalogue.get_letter_type(db, type_code)
    for name, value in (("applicant", applicant), ("details", details)):
        if not isinstance(value, dict):
            raise ValidationError(name, f"{name} must be an object of field values",
                                  code="not_object")
    who, warnings = validate_fields(APPLICANT_FIELDS, applicant, today=now.date())
    what, more = validate_fields(letter.fields, details, today=now.date())
    info = nik_mod.parse_nik(who["nik"], today=now.date())
    warnings += nik_mod.compare_with_typed(info, birth_date=date.fromisoformat(who["birth_date"]),
                                           sex=who["sex"])
    warnings += more
    masked = nik_mod.mask(who["nik"])
    with write_tx(db):
        code = tracking.new_code("request", lambda c: store.code_taken(db, c))
        row = {"id": new_id(), "code": code, "office_code": rt.config.office.code,
               "type_code": letter.code, "status": "submitted", "status_reason": None,
               "applicant": store.dumps(who), "details": store.dumps(what),
               "nik_masked": masked, "warnings": store.dumps(warnings), "print_job_id": None,
               "device_id": rt.device_id, "created_ms": stamp.wall_ms,
               "updated_ms": stamp.wall_ms, "time_uncertain": int(stamp.uncertain)}
        job_id = print_queue.enqueue(db, request_receipt(rt, letter, code, who, now),
                                     stamp, kind="request", ref_id=row["id"])
        row["print_job_id"] = job_id
        store.insert_request(db, row, stamp)
        store.add_event(db, row, None, "submitted", None, None, stamp, rt.device_id)
    return Submitted(code=code, request_id=row["id"], type_code=letter.code, status="submitted",
                     warnings=tuple(warnings), print_job_id=job_id,
                     created=now.isoformat(timespec="seconds"), nik_masked=masked)


def request_receipt(rt, letter: LetterType, code: str, applicant: dict[str, Any],
                    now: datetime) -> Receipt:
    """The citizen's proof: the tracking code (large), the letter, the masked NIK, the
    documents to bring, the office hours and a QR of the status link."""
    tz = rt.office_tz
    when = f"{now.day:02d}-{now.month:02d}-{now.year} {now.hour:02d}:{now.minute:02d} {tz}"
    lines = [f"NIK: {nik_mod.mask(applicant['nik'])}", f"Nama: {applicant['name']}", "",
             "Bawa saat mengambil surat:", *(f"- {d}" for d in letter.documents_id), "",
             f"Jam layanan: {office_hours(rt)}"]
    footer = ["Cek status: pindai QR ini di kiosk", f"atau ketik kode {code}",
              "Terima kasih"]
    return Receipt(office_name=rt.config.office.name, title="TANDA TERIMA PERMOHONAN",
                   big_number=code, service=letter.name_id, local_time=when,
                   qr=tracking.status_link(rt.config, code, server=tracking.status_server(rt)),
                   lines=lines, footer=footer)


def office_hours(rt) -> str:
    """Setting ``office.hours`` (city-owned), else a plain default with the office's zone."""
    row = rt.db.conn.execute("SELECT value FROM settings WHERE key = ?", [HOURS_KEY]).fetchone()
    return row[0] if row and row[0] else f"{DEFAULT_HOURS} {rt.office_tz}"


def pickup_counter(rt) -> str:
    """The counter letters are collected at (setting ``letters.pickup_counter``, default 1)."""
    row = rt.db.conn.execute("SELECT value FROM settings WHERE key = ?",
                             [PICKUP_COUNTER_KEY]).fetchone()
    return str(row[0]).strip() if row and str(row[0]).strip() else "1"


def change_request_status(rt, code: str, status: str, *, staff_id: str | None,
                          reason: str | None = None) -> StatusView:
    """Move a request along its life (models.TRANSITIONS), recording who, when and why.

    Refused, with nothing changed: an unknown status or code (ValidationError, NotFoundError),
    a step the life does not allow or a final request (InvalidTransition, code
    ``request_status_change``), a rejection or cancellation without a reason (``reason``
    required). A letter that needs verification cannot skip ``checking``.
    """
    return move_request(rt, code, status, staff_id=staff_id, reason=reason)


def move_request(rt, code: str, status: str, *, staff_id: str | None,
                 reason: str | None = None,
                 checklist: dict[str, bool] | None = None) -> StatusView:
    """change_request_status, with the verification's ``checklist`` stored on the event
    (kiosk.letters.issuing.verify_request)."""
    canonical = _canonical(code)
    if status not in STATUSES:
        raise ValidationError("status", f"{status!r} is not one of {', '.join(STATUSES)}",
                              code="not_choice")
    reason = clean_reason(reason, required=status in NEEDS_REASON,
                          why=f"say why the request is {status}; the citizen is told")
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = store.get_row(db, canonical)
        current = row["status"]
        allowed = TRANSITIONS[current]
        if status == "awaiting_signature" and current == "submitted":
            letter = _letter_or_none(db, row["type_code"])
            if letter is None or letter.needs_verification:
                allowed = tuple(s for s in allowed if s != "awaiting_signature")
        if status not in allowed:
            raise InvalidTransition(
                f"Permohonan {canonical} berstatus {current}; tidak bisa menjadi {status} "
                f"(allowed: {', '.join(allowed) or 'none, it is final'})",
                code="request_status_change",
                fields={"code": canonical, "from": current, "to": status})
        row.update(status=status, updated_ms=stamp.wall_ms,
                   status_reason=reason if status in NEEDS_REASON else None,
                   time_uncertain=int(bool(row["time_uncertain"]) or stamp.uncertain))
        store.update_request(db, row, stamp)
        store.add_event(db, row, current, status, staff_id, reason, stamp, rt.device_id,
                        checklist)
    return _view(rt, row)


def clean_reason(reason: str | None, *, required: bool, why: str) -> str | None:
    """A staff member's reason as stored and shown to the citizen: trimmed, at most
    MAX_REASON characters; ``required`` refuses an empty one with ``why``."""
    reason = (reason or "").strip() or None
    if required and reason is None:
        raise ValidationError("reason", why, code="required")
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationError("reason", f"at most {MAX_REASON} characters", code="too_long",
                              fields={"max_length": MAX_REASON, "length": len(reason)})
    return reason


def request_status(rt, code: str) -> StatusView:
    """Where the request stands, from local data (one indexed read). ``code`` as typed or
    scanned (tracking.code_from_scan); NotFoundError (``code_unknown``) when there is none."""
    return _view(rt, store.get_row(rt.db, _canonical(code)))


#: The statuses staff still work on, in the order of the work.
OPEN_STATUSES = ("submitted", "checking", "awaiting_signature", "ready")


def list_requests(rt, status: str | None = None, limit: int = 100) -> list[dict]:
    """Requests for the counter's "Permohonan" list, oldest first: one ``status``, or every
    open one. Only what a list shows (code, letter, status, name, masked NIK, times): the
    full answers are read one request at a time (:func:`get_request`)."""
    statuses = OPEN_STATUSES if status is None else (status,)
    if status is not None and status not in STATUSES:
        raise ValidationError("status", f"unknown status {status!r}; use one of "
                              f"{', '.join(STATUSES)}", code="not_choice")
    limit = max(1, min(int(limit), 1000))
    marks = ", ".join("?" * len(statuses))
    rows = rt.db.conn.execute(
        "SELECT code, type_code, status, json_extract(applicant, '$.name'), nik_masked,"
        f" created_ms, updated_ms FROM requests WHERE status IN ({marks})"
        " ORDER BY created_ms, rowid LIMIT ?", [*statuses, limit]).fetchall()
    keys = ("code", "type_code", "status", "name", "nik_masked", "created_ms", "updated_ms")
    return [dict(zip(keys, row)) for row in rows]


def get_request(rt, code: str) -> LetterRequest:
    """Everything the citizen typed, for the staff who make the letter."""
    return store.request_from_row(store.get_row(rt.db, _canonical(code)))


def request_history(rt, code: str) -> list[RequestEvent]:
    """Every status change of the request, oldest first."""
    row = store.get_row(rt.db, _canonical(code))
    return store.events_of(rt.db, row["id"])


def next_step(rt, status: str, type_code: str, reason: str | None) -> NextStep:
    """What the citizen does next, for the screen to word (ui/errors.py style)."""
    if status == "submitted" and reason:       # staff asked for a correction (issuing.request_change)
        return NextStep("request_change_requested", {"reason": reason})
    if status == "submitted" or status == "checking" or status == "awaiting_signature":
        return NextStep(f"request_{status}")
    if status == "ready":
        letter = _letter_or_none(rt.db, type_code)
        return NextStep("request_ready", {"counter": pickup_counter(rt), "bring_id": PICKUP_ID,
                                          "validity_days": letter.validity_days if letter else None})
    if status in NEEDS_REASON:
        return NextStep(f"request_{status}", {"reason": reason or ""})
    return NextStep("request_collected")


def iso_local(wall_ms: int, tz: str) -> str:
    return datetime.fromtimestamp(wall_ms / 1000, tz=zone(tz)).isoformat(timespec="seconds")


def _view(rt, row: dict[str, Any]) -> StatusView:
    return StatusView(code=row["code"], kind="request", type_code=row["type_code"],
                      status=row["status"], updated=iso_local(row["updated_ms"], rt.office_tz),
                      updated_ms=row["updated_ms"],
                      next_step=next_step(rt, row["status"], row["type_code"],
                                          row["status_reason"]),
                      reason=row["status_reason"])


def _canonical(code: str) -> str:
    canonical = tracking.code_from_scan(str(code))
    if canonical is None or tracking.kind_of(canonical) != "request":
        raise ValidationError("code", f"{code!r} is not a letter request code like S-7K3M9QX",
                              code="not_code")
    return canonical


def _letter_or_none(db, type_code: str) -> LetterType | None:
    row = db.conn.execute("SELECT code, spec FROM letter_types WHERE code = ?"
                          " ORDER BY active DESC LIMIT 1", [type_code]).fetchone()
    return catalogue.from_row(*row) if row else None
