"""Staff processing of a letter request: verify, approve (which issues the letter), reject,
ready, collected. Each is one write transaction through the outbox, as in
kiosk.letters.operations; bad input raises before anything is written.

Approving issues the letter: in the same transaction as the move to ``awaiting_signature``
it takes the next number of the letter type's year (kiosk.letters.numbering), seals the
letter's facts with this device's identity key (kiosk.identity, kiosk.letters.seal) and
writes the ``issued_letters`` row through the outbox, so the city server gets it exactly
once and can answer ``/v/{letter_id}``. A device that has not enrolled yet makes its key as
enrollment would (it is this device's identity either way, and enrolling later registers
the same public half): approving works offline from the first day.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import sqlite_utils

from kiosk import identity, outbox
from kiosk.clock import local_time
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id
from kiosk.letters import catalogue, numbering, seal, store
from kiosk.letters.models import IssuedLetter
from kiosk.letters.operations import (_canonical, change_request_status, clean_reason,
                                     move_request, request_status)
from kiosk.queue.errors import InvalidTransition
from kiosk.letters.verification import as_pushed
from kiosk.tracking import StatusView

TABLE = outbox.syncable("issued_letters")
COLUMNS = ("id", "request_id", "code", "office_code", "number", "seq", "type_code",
           "applicant_name", "nik_masked", "issued_date", "valid_until", "staff_id",
           "signer_name", "signer_position", "signer_nip", "seal", "public_key", "revoked",
           "device_id", "created_ms", "time_uncertain")
#: Settings (city-owned) naming who signs the office's letters.
SIGNER_KEYS = {"name": "letters.signer_name", "position": "letters.signer_position",
               "nip": "letters.signer_nip"}
DEFAULT_POSITION = "Lurah"
ACTIONS = ("verify", "approve", "reject", "ready", "collected", "change", "revoke")


def approve_request(rt, code: str, *, staff_id: str | None) -> IssuedLetter:
    """Approve request ``code`` (submitted, or checking when its letter needs verification)
    and issue its letter: number, seal and ``issued_letters`` row, one transaction."""
    canonical = _canonical(code)
    db = rt.db
    pattern = numbering.pattern_of(db, store.get_row(db, canonical)["type_code"])
    key = identity.load_or_create(rt.data_dir)
    public = seal.b64u(identity.public_bytes(key))
    with write_tx(db):
        change_request_status(rt, canonical, "awaiting_signature", staff_id=staff_id)
        row = store.get_row(db, canonical)
        stamp = rt.now()
        issued = local_time(stamp, rt.office_tz).date()
        letter_type = catalogue.get_letter_type(db, row["type_code"])
        days = letter_type.validity_days
        valid_until = (issued + timedelta(days=days)).isoformat() if days else ""
        seq = numbering.take_next(db, letter_type.code, issued.year)
        number = numbering.format_number(pattern, seq=seq, office=row["office_code"],
                                         type_code=letter_type.code, issued=issued)
        signer = signer_of(db, staff_id)
        letter = {"id": new_id(), "request_id": row["id"], "code": row["code"],
                  "office_code": row["office_code"], "number": number, "seq": seq,
                  "type_code": letter_type.code,
                  "applicant_name": json.loads(row["applicant"])["name"],
                  "nik_masked": row["nik_masked"], "issued_date": issued.isoformat(),
                  "valid_until": valid_until, "staff_id": staff_id,
                  "signer_name": signer["name"], "signer_position": signer["position"],
                  "signer_nip": signer["nip"], "seal": "", "public_key": public, "revoked": 0,
                  "device_id": rt.device_id, "created_ms": stamp.wall_ms,
                  "time_uncertain": int(stamp.uncertain)}
        letter["seal"] = seal.sign(key, {**letter, "letter_id": letter["id"]})
        db.conn.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(COLUMNS))})", [letter[c] for c in COLUMNS])
        outbox.append(db, TABLE, letter["id"], as_pushed(letter), stamp)
    return _letter(letter)


def verify_request(rt, code: str, checklist: dict[str, bool], *,
                   staff_id: str | None) -> StatusView:
    """Staff checked the request: ``checklist`` ticks every field the citizen filled (by
    key) and every document to bring (by its name in the letter type). All must be ticked
    (True); the ticks are stored on the event (submitted -> checking). Something wrong is
    not a verification: reject with a reason instead."""
    canonical = _canonical(code)
    if not isinstance(checklist, dict):
        raise ValidationError("checklist", "an object of item -> true", code="not_object")
    request = store.request_from_row(store.get_row(rt.db, canonical))
    needed = checklist_items(rt.db, request.type_code, request.applicant, request.details)
    unknown = [k for k in checklist if k not in needed]
    if unknown:
        raise ValidationError("checklist", f"{unknown[0]!r} is not a field or document of "
                              f"this request; items: {', '.join(needed)}", code="not_choice")
    missing = [k for k in needed if checklist.get(k) is not True]
    if missing:
        raise ValidationError("checklist", f"{missing[0]!r} is not ticked; tick every field "
                              "and document, or reject the request with a reason",
                              code="not_ticked", fields={"item": missing[0]})
    return move_request(rt, canonical, "checking", staff_id=staff_id,
                        checklist={k: True for k in needed})


def revoke_letter(rt, code: str, reason: str, *, staff_id: str | None) -> IssuedLetter:
    """Revoke the letter issued for request ``code`` (issued in error, or on false papers).

    The seal stays what it was (``revoked`` is not a sealed fact): a verifier checks the seal
    and then the newest state, so the city's /v page and ``kiosk verify-letter`` answer
    DICABUT with the reason instead of genuine. The row changes in place and the new state
    travels once through the outbox; the city keeps a letter's newest state. Revoking is
    final: a second revoke is refused, and a wrongly revoked letter is issued again."""
    canonical = _canonical(code)
    why = clean_reason(reason, required=True,
                       why="say why the letter is revoked; verifiers are told")
    db = rt.db
    with write_tx(db):
        found = db.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE code = ?",
                                [canonical]).fetchone()
        if found is None:
            raise NotFoundError(f"permohonan {canonical}: no letter issued, nothing to revoke",
                                code="letter_not_issued", fields={"code": canonical})
        letter = dict(zip(COLUMNS, found))
        if letter["revoked"]:
            raise InvalidTransition(f"the letter {letter['number']} is already revoked",
                                    code="letter_revoked")
        stamp = rt.now()
        db.conn.execute(f"UPDATE {TABLE} SET revoked = 1, revoked_reason = ? WHERE id = ?",
                        [why, letter["id"]])
        letter["revoked"] = 1
        outbox.append(db, TABLE, letter["id"],
                      {**as_pushed(letter), "revoked_reason": why, "revoked_by": staff_id,
                       "revoked_ms": stamp.wall_ms}, stamp)
    return _letter(letter)


def checklist_of(rt, code: str) -> list[str]:
    """What staff tick to verify request ``code`` (fields filled, then documents)."""
    request = store.request_from_row(store.get_row(rt.db, _canonical(code)))
    return checklist_items(rt.db, request.type_code, request.applicant, request.details)


def checklist_items(db: sqlite_utils.Database, type_code: str, applicant: dict[str, Any],
                    details: dict[str, Any]) -> list[str]:
    """What a verification ticks: each field the citizen filled, then each document."""
    letter_type = catalogue.get_letter_type(db, type_code)
    filled = [f.key for f in letter_type.all_fields()
              if {**applicant, **details}.get(f.key) not in (None, "")]
    return filled + list(letter_type.documents_id)


def reject_request(rt, code: str, reason: str, *, staff_id: str | None) -> StatusView:
    """Reject with the reason the citizen is told (required)."""
    return change_request_status(rt, code, "rejected", staff_id=staff_id, reason=reason)


def request_change(rt, code: str, reason: str, *, staff_id: str | None) -> StatusView:
    """Send a request back to the citizen for a correction (a document missing, a name
    misspelled): it returns to ``submitted`` with the reason, which the status check shows
    ("Perlu perbaikan: ..."), and an event records who asked and why. Only before approval;
    the reason is required. The citizen comes to the counter; staff verify it again."""
    canonical = _canonical(code)
    reason = clean_reason(reason, required=True,
                          why="say what the citizen must correct; they are told")
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = store.get_row(db, canonical)
        current = row["status"]
        if current not in ("submitted", "checking"):
            raise InvalidTransition(
                f"Permohonan {canonical} berstatus {current}; a change can be asked only "
                "before approval", code="request_status_change",
                fields={"code": canonical, "from": current, "to": "submitted"})
        row.update(status="submitted", status_reason=reason, updated_ms=stamp.wall_ms,
                   time_uncertain=int(bool(row["time_uncertain"]) or stamp.uncertain))
        store.update_request(db, row, stamp)
        store.add_event(db, row, current, "submitted", staff_id, reason, stamp, rt.device_id)
    return request_status(rt, canonical)


def mark_ready(rt, code: str, *, staff_id: str | None) -> StatusView:
    """The signed letter waits at the pickup counter."""
    return change_request_status(rt, code, "ready", staff_id=staff_id)


def mark_collected(rt, code: str, *, staff_id: str | None) -> StatusView:
    return change_request_status(rt, code, "collected", staff_id=staff_id)


def process_request(rt, code: str, action: str, *, staff_id: str | None = None,
                    reason: str | None = None,
                    checklist: dict[str, bool] | None = None) -> dict[str, Any]:
    """One staff action by name (``kiosk request process``): the request's status, and for
    ``approve`` and ``revoke`` the letter. ``verify`` without a checklist ticks every item (the
    command line's caller vouches for all of them)."""
    if action not in ACTIONS:
        raise ValidationError("action", f"{action!r} is not one of {', '.join(ACTIONS)}",
                              code="not_choice")
    letter = None
    if action == "verify":
        if checklist is None:
            request = store.request_from_row(store.get_row(rt.db, _canonical(code)))
            checklist = {k: True for k in checklist_items(rt.db, request.type_code,
                                                          request.applicant, request.details)}
        verify_request(rt, code, checklist, staff_id=staff_id)
    elif action == "approve":
        letter = approve_request(rt, code, staff_id=staff_id)
    elif action == "revoke":
        letter = revoke_letter(rt, code, reason or "", staff_id=staff_id)
    elif action == "reject":
        reject_request(rt, code, reason or "", staff_id=staff_id)
    elif action == "change":
        request_change(rt, code, reason or "", staff_id=staff_id)
    elif action == "ready":
        mark_ready(rt, code, staff_id=staff_id)
    else:
        mark_collected(rt, code, staff_id=staff_id)
    view = request_status(rt, code)
    return {"code": view.code, "action": action, "status": view.status,
            "updated": view.updated, "reason": view.reason,
            "letter": None if letter is None else letter_dict(letter)}


def issued_letter(rt, code: str) -> IssuedLetter:
    """The letter issued for request ``code``; NotFoundError (``letter_not_issued``) when
    it has not been approved."""
    return issued_for(rt.db, _canonical(code))


def issued_for(db: sqlite_utils.Database, canonical_code: str) -> IssuedLetter:
    row = db.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE code = ?",
                          [canonical_code]).fetchone()
    if row is None:
        raise NotFoundError(f"permohonan {canonical_code} belum disetujui: no letter issued "
                            "(approve it first)", code="letter_not_issued",
                            fields={"code": canonical_code})
    return _letter(dict(zip(COLUMNS, row)))


def signer_of(db: sqlite_utils.Database, staff_id: str | None) -> dict[str, str]:
    """Who signs: the office's settings ``letters.signer_*``; a setting left empty falls
    back to the approving employee's record (name, NIP), and the position to Lurah."""
    values = dict(db.conn.execute(
        f"SELECT key, value FROM settings WHERE key IN ({', '.join('?' * len(SIGNER_KEYS))})",
        list(SIGNER_KEYS.values())).fetchall())
    signer = {part: str(values.get(key) or "").strip() for part, key in SIGNER_KEYS.items()}
    if staff_id and not (signer["name"] and signer["nip"]):
        employee = db.conn.execute("SELECT name, nip FROM employees WHERE id = ? OR nip = ?",
                                   [staff_id, staff_id]).fetchone()
        if employee:
            signer["name"] = signer["name"] or (employee[0] or "")
            signer["nip"] = signer["nip"] or (employee[1] or "")
    signer["position"] = signer["position"] or DEFAULT_POSITION
    return signer


def letter_dict(letter: IssuedLetter) -> dict[str, Any]:
    return dataclasses.asdict(letter)


def _letter(row: dict[str, Any]) -> IssuedLetter:
    known = {c: row[c] for c in COLUMNS if c in IssuedLetter.__dataclass_fields__}
    known["revoked"] = bool(known["revoked"])
    return IssuedLetter(**known)
