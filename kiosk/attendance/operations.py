"""Recording a badge scan and correcting an event (docs/ATTENDANCE.md).

A scan is verified (kiosk.badges) against the keys and revocations the city sent; a good
badge writes one ``attendance`` row through the outbox in one transaction. The same
employee's badge again within the duplicate window answers "already recorded" with the
first event and writes nothing. In or out is chosen by the local time of day
(``attendance.out_from``); a wrong choice is fixed by :func:`correct_event`, which writes a
correction event and never edits the scan.

Faces (docs/FACES.md): with ``attendance.face = after_badge`` a good badge of an enrolled
employee answers ``face_needed`` with a random head-turn challenge and writes nothing; the
terminal runs the challenge and calls again with ``face = {"embedding", "liveness"}``. The
event is written only when liveness passed and the embedding lies within
``attendance.face_threshold`` of one of the employee's enrolled captures. An employee with
no enrolment is accepted on the badge alone (``face = not_enrolled``).
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from kiosk import badges, outbox
from kiosk.attendance import faces
from kiosk.attendance import settings as settings_mod
from kiosk.clock import local_time
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id

log = logging.getLogger(__name__)

TABLE = outbox.syncable("attendance")
KINDS = ("in", "out")
ACCEPTED, REFUSED, FACE_NEEDED = "accepted", "refused", "face_needed"
#: Refusals after the badge checked out, by the face step.
FACE_MISMATCH, LIVENESS_FAILED = "face_mismatch", "liveness_failed"
#: The head-turn challenges (the person's own left or right; devices.face.liveness).
CHALLENGES = ("left", "right")
#: A scan refused after the badge checked out: the roster says the employee left.
INACTIVE = "inactive"

_COLUMNS = ("id", "employee_id", "kind", "source", "corrects_id", "badge_key_id", "wall_ms",
            "mono_ns", "boot_id", "time_uncertain", "device_id", "face", "face_distance")


@dataclass(frozen=True)
class AttendanceEvent:
    id: str
    employee_id: str
    kind: str                  # in | out
    source: str                # badge | correction
    corrects_id: str | None
    badge_key_id: str | None
    wall_ms: int
    mono_ns: int
    boot_id: str
    time_uncertain: bool
    device_id: str
    face: str | None = None            # off | matched | not_enrolled; None: a correction
    face_distance: float | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AttendanceEvent:
        return cls(**{**{c: row[c] for c in _COLUMNS},
                      "time_uncertain": bool(row["time_uncertain"])})


@dataclass(frozen=True)
class ScanResult:
    """What the terminal shows: a greeting (``part_of_day`` pagi/siang/sore/malam,
    ``local_time`` "07.28"), a refusal's ``reason`` (kiosk.badges.REASONS, inactive,
    face_mismatch, liveness_failed), or ``face_needed`` with the head-turn ``challenge``."""

    result: str                        # accepted | refused | face_needed
    reason: str | None
    employee_id: str | None
    name: str | None
    event: AttendanceEvent | None
    already_recorded: bool
    part_of_day: str
    local_time: str
    time_uncertain: bool
    challenge: str | None = None       # left | right, with face_needed
    face: str | None = None            # off | matched | not_enrolled
    #: With face_needed: how many days the office keeps an audit snapshot of the
    #: verification (attendance.face_snapshot_days); 0: the terminal sends no picture.
    snapshot_days: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        event = data.get("event")
        return cls(**{**data, "event": AttendanceEvent(**event) if event else None})

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def part_of_day(hour: int, minute: int = 0) -> str:
    """Indonesian greeting time: pagi until 10.59, siang until 14.59, sore until 18.29."""
    at = hour * 60 + minute
    if 4 * 60 <= at < 11 * 60:
        return "pagi"
    if at < 15 * 60 and at >= 11 * 60:
        return "siang"
    if 15 * 60 <= at < 18 * 60 + 30:
        return "sore"
    return "malam"


def _employee(db, employee_id: str) -> dict[str, Any] | None:
    row = db.execute("SELECT name, active FROM employees WHERE id = ?", [employee_id]).fetchone()
    return None if row is None else {"name": row[0], "active": bool(row[1])}


def _recent_scan(db, employee_id: str, stamp, window_s: int) -> dict[str, Any] | None:
    """The employee's last badge event if it lies within the window: by monotonic time in
    the same boot (immune to clock steps), else by wall time."""
    cur = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM attendance WHERE employee_id = ? AND source = 'badge'"
        " ORDER BY wall_ms DESC, rowid DESC LIMIT 1", [employee_id])
    found = cur.fetchone()
    if found is None:
        return None
    row = dict(zip(_COLUMNS, found))
    if row["boot_id"] == stamp.boot_id:
        near = 0 <= stamp.mono_ns - row["mono_ns"] < window_s * 1_000_000_000
    else:
        near = abs(stamp.wall_ms - row["wall_ms"]) < window_s * 1000
    return row if near else None


#: The largest audit snapshot accepted (base64 text of a JPEG; a 320x240 one is ~15 kB).
MAX_SNAPSHOT_CHARS = 400_000


def _face_check(face: Any) -> tuple[list[float], bool, bytes | None]:
    """The terminal's face step as (embedding, liveness passed, audit JPEG or None), or
    ValidationError. ``face["snapshot"]`` (optional) is the base64 of the verified picture."""
    if not isinstance(face, dict) or not isinstance(face.get("liveness"), bool):
        raise ValidationError("face", 'give {"embedding": [128 numbers], "liveness": true|false}',
                              code="face_input")
    embedding = faces.check_embedding(face.get("embedding"), "face.embedding")
    snapshot = face.get("snapshot")
    jpeg = None
    if snapshot is not None:
        try:
            if not isinstance(snapshot, str) or len(snapshot) > MAX_SNAPSHOT_CHARS:
                raise ValueError("not text of the right size")
            jpeg = base64.b64decode(snapshot, validate=True)
        except (ValueError, binascii.Error):
            jpeg = None
        if jpeg is None or not jpeg.startswith(b"\xff\xd8"):
            raise ValidationError("face.snapshot", "the base64 of a JPEG picture, at most "
                                  f"{MAX_SNAPSHOT_CHARS} characters", code="face_snapshot")
    return embedding, face["liveness"], jpeg


def _audit(rt, days: int, employee_id: str, jpeg: bytes | None, stamp) -> None:
    """Keep the verification's picture when the office asks for audit snapshots, and drop
    the ones older than the office keeps (all of them when it keeps none). A full disk
    never stops attendance: it is logged."""
    try:
        if days > 0 and jpeg is not None:
            faces.save_snapshot(rt.data_dir, jpeg, employee_id, stamp)
        faces.purge_snapshots(rt.data_dir, days, stamp)
    except OSError as exc:
        log.warning("audit snapshot not kept (%s)", exc)


def record_scan(rt, badge_text: str, face: dict[str, Any] | None = None) -> ScanResult:
    """Verify a scanned badge (and, when the office asks for it, the face after it) and
    record the employee's in or out."""
    db = rt.db
    stamp = rt.now()
    local = local_time(stamp, rt.office_tz)
    greeting = dict(part_of_day=part_of_day(local.hour, local.minute),
                    local_time=local.strftime("%H.%M"), time_uncertain=stamp.uncertain)
    conf = settings_mod.load(db)
    check = badges.verify_badge(badge_text, settings_mod.badge_keys(db), settings_mod.revoked(db),
                                rt.config.office.code, local.date(), conf.badge_max_age_days)
    employee = _employee(db, check.employee_id) if check.employee_id else None
    name = employee["name"] if employee else None
    if check.ok and employee is not None and not employee["active"]:
        check = badges.BadgeCheck(False, INACTIVE, check.employee_id, check.key_id)
    face_state, face_distance = "off", None
    checked = _face_check(face) if face is not None else None   # bad input: nothing written
    if not check.ok:
        return ScanResult(REFUSED, check.reason, check.employee_id, name, None, False,
                          **greeting)
    if conf.face == "after_badge":
        captures = faces.enrolled(db, check.employee_id)
        if captures is None:
            face_state = "not_enrolled"
        elif checked is None:
            return ScanResult(FACE_NEEDED, None, check.employee_id, name, None, False,
                              **greeting, challenge=secrets.choice(CHALLENGES),
                              snapshot_days=conf.face_snapshot_days)
        else:
            embedding, alive, jpeg = checked
            _audit(rt, conf.face_snapshot_days, check.employee_id, jpeg, stamp)
            if not alive:
                return ScanResult(REFUSED, LIVENESS_FAILED, check.employee_id, name, None,
                                  False, **greeting)
            face_distance = round(faces.best_distance(captures, embedding), 4)
            if face_distance > conf.face_threshold:
                return ScanResult(REFUSED, FACE_MISMATCH, check.employee_id, name, None,
                                  False, **greeting)
            face_state = "matched"
    with write_tx(db):
        first = _recent_scan(db, check.employee_id, stamp, conf.duplicate_window_s)
        if first is not None:
            return ScanResult(ACCEPTED, None, check.employee_id, name,
                              AttendanceEvent.from_row(first), True, **greeting,
                              face=face_state)
        kind = "out" if local.time() >= conf.out_from else "in"
        row = {"id": new_id(), "employee_id": check.employee_id, "kind": kind,
               "source": "badge", "corrects_id": None, "badge_key_id": check.key_id,
               "wall_ms": stamp.wall_ms, "mono_ns": stamp.mono_ns, "boot_id": stamp.boot_id,
               "time_uncertain": int(stamp.uncertain), "device_id": rt.device_id,
               "face": face_state, "face_distance": face_distance}
        outbox.save(db, TABLE, row, stamp)
    return ScanResult(ACCEPTED, None, check.employee_id, name, AttendanceEvent.from_row(row),
                      False, **greeting, face=face_state)


def correct_event(rt, event_id: str, kind: str) -> AttendanceEvent:
    """Record that event ``event_id`` was really a clock-``kind`` (the one-tap correction).
    The scan stays as it was; reports read the newest correction of an event."""
    if kind not in KINDS:
        raise ValidationError("kind", f"{kind!r} is not one of in, out", code="attendance_kind")
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        found = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM attendance WHERE id = ?",
                           [event_id]).fetchone()
        if found is None:
            raise NotFoundError(f"no attendance event {event_id!r}", code="attendance_event",
                                fields={"event_id": event_id})
        original = dict(zip(_COLUMNS, found))
        if original["source"] != "badge":
            raise ValidationError("event_id", "a correction is corrected by correcting the scan"
                                  " it names", code="attendance_correct_correction")
        row = {"id": new_id(), "employee_id": original["employee_id"], "kind": kind,
               "source": "correction", "corrects_id": event_id, "badge_key_id": None,
               "wall_ms": stamp.wall_ms, "mono_ns": stamp.mono_ns, "boot_id": stamp.boot_id,
               "time_uncertain": int(stamp.uncertain), "device_id": rt.device_id,
               "face": None, "face_distance": None}
        outbox.save(db, TABLE, row, stamp)
    return AttendanceEvent.from_row(row)
