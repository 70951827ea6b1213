"""Enrolled faces, consent, erasure and the audit snapshots (docs/FACES.md).

Embeddings (128 floats per capture, from the face engine in devices/face; the domain never
imports it and only compares lists of floats) are biometric personal data under UU 27/2022.
So:

- they live in ``face_enrolments``, which is not an outbox table: no raw embedding is ever
  pushed. When the office allows it (``attendance.face_sync = encrypted``) and the city's
  key is known (``face_key``), an enrolment is pushed as one ``face_sealed`` record holding
  only the embeddings sealed to the city's key (kiosk.attendance.face_seal), the employee id
  and the number of captures;
- the employee's consent is recorded with the enrolment (who recorded it, when, which
  consent text: :data:`CONSENT_VERSION`) in ``face_consents``, which syncs like any office
  record (it holds no biometric data);
- deleting an enrolment (:func:`delete_face`, or a re-enrolment replacing it) pushes a
  ``face_erasures`` record, on which the city server hard-deletes its sealed copies; when the
  roster that comes down marks an employee deleted or inactive, :func:`erase_local` removes
  the embeddings in the same transaction (sync/client/reference.py);
- no photo is kept, except an audit snapshot per verification when
  ``attendance.face_snapshot_days`` > 0 (:func:`save_snapshot` for the terminal,
  :func:`purge_snapshots` to delete the older ones).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk import outbox
from kiosk.attendance import face_seal
from kiosk.attendance import settings as settings_mod
from kiosk.clock import Stamp
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id

log = logging.getLogger(__name__)

CONSENTS = outbox.syncable("face_consents")
#: Pushed through the outbox only (no local table): the sealed enrolment, the erasure.
SEALED = outbox.syncable("face_sealed")
ERASURES = outbox.syncable("face_erasures")

#: The version of the consent text the admin screen reads out (ui/admin_faces.py); a new
#: wording gets a new version, so every recorded consent names the words agreed to.
CONSENT_VERSION = "wajah-2026-12"
EMBEDDING_SIZE = 128
MIN_CAPTURES = 3
MAX_CAPTURES = 20
CONSENT_BY_MAX = 100
#: Where the terminal keeps audit snapshots, under the data directory.
SNAPSHOT_DIR = "face_audit"
_SNAPSHOT_NAME = re.compile(r"^(\d{1,16})_[A-Za-z0-9_.-]{0,80}\.jpg$")


# -- embeddings ----------------------------------------------------------------------------

def check_embedding(value: Any, field: str = "embedding") -> list[float]:
    """``value`` as 128 finite floats, or ValidationError (code ``face_embedding``)."""
    if not isinstance(value, (list, tuple)) or len(value) != EMBEDDING_SIZE:
        size = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
        raise ValidationError(field, f"an embedding is {EMBEDDING_SIZE} numbers, not {size}",
                              code="face_embedding")
    out = []
    for number in value:
        if isinstance(number, bool) or not isinstance(number, (int, float)) \
                or not math.isfinite(number):
            raise ValidationError(field, f"an embedding holds finite numbers only, not "
                                  f"{number!r}", code="face_embedding")
        out.append(float(number))
    return out


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean distance, as dlib's embeddings are compared (devices.face.face_distance)."""
    return math.dist(a, b)


def enrolled(db: sqlite_utils.Database, employee_id: str) -> list[list[float]] | None:
    row = db.execute("SELECT embeddings FROM face_enrolments WHERE employee_id = ?",
                     [employee_id]).fetchone()
    return None if row is None else json.loads(row[0])


def best_distance(captures: Sequence[Sequence[float]], embedding: Sequence[float]) -> float:
    """The smallest distance from ``embedding`` to any enrolled capture."""
    return min(distance(c, embedding) for c in captures)


# -- the admin screen's operations ------------------------------------------------------------

def face_roster(rt) -> list[dict[str, Any]]:
    """Every active employee of the roster with the enrolment and its consent."""
    rows = rt.db.execute(
        "SELECT e.id, e.name, f.captures, c.consent_ms, c.consent_by FROM employees e"
        " LEFT JOIN face_enrolments f ON f.employee_id = e.id"
        " LEFT JOIN face_consents c ON c.id = f.consent_id"
        " WHERE e.active = 1 ORDER BY e.name, e.id").fetchall()
    return [{"employee_id": r[0], "name": r[1], "enrolled": r[2] is not None,
             "captures": r[2] or 0, "consent_ms": r[3], "consent_by": r[4]} for r in rows]


def _check_employee(db: sqlite_utils.Database, employee_id: str) -> None:
    row = db.execute("SELECT active FROM employees WHERE id = ?", [employee_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no employee {employee_id!r} in this office's roster; sync the "
                            "office", code="face_employee", fields={"employee_id": employee_id})
    if not row[0]:
        raise ValidationError("employee_id", f"employee {employee_id!r} is not active; a face "
                              "is enrolled for active employees only", code="face_inactive")


def _check_captures(embeddings: Any) -> list[list[float]]:
    if not isinstance(embeddings, (list, tuple)) or not \
            MIN_CAPTURES <= len(embeddings) <= MAX_CAPTURES:
        count = len(embeddings) if isinstance(embeddings, (list, tuple)) else 0
        raise ValidationError("embeddings", f"an enrolment needs {MIN_CAPTURES} to "
                              f"{MAX_CAPTURES} captures, not {count}", code="face_captures")
    return [check_embedding(e, f"embeddings[{i}]") for i, e in enumerate(embeddings)]


def enroll_face(rt, employee_id: str, embeddings: list[list[float]], consent_by: str
                ) -> dict[str, Any]:
    """Enrol (or re-enrol) an employee's face with the consent just recorded.

    Answers ``{"employee_id", "captures", "consent_id", "consent_ms", "sealed"}``;
    ``sealed`` says whether a box sealed to the city's key went into the outbox."""
    captures = _check_captures(embeddings)
    by = (consent_by or "").strip() if isinstance(consent_by, str) else ""
    if not by or len(by) > CONSENT_BY_MAX or not by.isprintable():
        raise ValidationError("consent_by", f"name who recorded the consent (1-{CONSENT_BY_MAX}"
                              " printable characters)", code="face_consent_by")
    db = rt.db
    conf = settings_mod.load(db)
    city_key = _city_key(db) if conf.face_sync == "encrypted" else None
    stamp = rt.now()
    with write_tx(db):
        _check_employee(db, employee_id)
        earlier = db.execute("SELECT consent_id FROM face_enrolments WHERE employee_id = ?",
                             [employee_id]).fetchone()
        if earlier is not None:
            _erase(db, employee_id, "replaced", stamp, rt.device_id, earlier[0])
        consent = {"id": new_id(), "employee_id": employee_id, "consent_by": by,
                   "consent_version": CONSENT_VERSION, "consent_ms": stamp.wall_ms,
                   "withdrawn_ms": None, "device_id": rt.device_id}
        outbox.save(db, CONSENTS, consent, stamp)
        enrolment_id = new_id()
        db.conn.execute(
            "INSERT INTO face_enrolments (employee_id, id, embeddings, captures, enrolled_ms,"
            " consent_id) VALUES (?,?,?,?,?,?)",
            [employee_id, enrolment_id, json.dumps(captures), len(captures), stamp.wall_ms,
             consent["id"]])
        if city_key is not None:
            outbox.append(db, SEALED, enrolment_id, {
                "id": enrolment_id, "employee_id": employee_id, "captures": len(captures),
                "key_id": face_seal.key_id(city_key), "enrolled_ms": stamp.wall_ms,
                "device_id": rt.device_id,
                "sealed": face_seal.seal(city_key, employee_id, captures)}, stamp)
    return {"employee_id": employee_id, "captures": len(captures), "consent_id": consent["id"],
            "consent_ms": stamp.wall_ms, "sealed": city_key is not None}


def delete_face(rt, employee_id: str) -> dict[str, Any]:
    """Delete an employee's enrolment here and, through an erasure record, at the city; the
    consent is marked withdrawn; the employee's audit snapshots are deleted."""
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = db.execute("SELECT consent_id FROM face_enrolments WHERE employee_id = ?",
                         [employee_id]).fetchone()
        if row is None:
            raise NotFoundError(f"employee {employee_id!r} has no enrolled face",
                                code="face_not_enrolled", fields={"employee_id": employee_id})
        _erase(db, employee_id, "deleted", stamp, rt.device_id, row[0])
    snapshots = delete_snapshots_of(rt.data_dir, employee_id)
    return {"employee_id": employee_id, "deleted": True, "erased_ms": stamp.wall_ms,
            "snapshots_deleted": snapshots}


def _erase(db: sqlite_utils.Database, employee_id: str, reason: str, stamp: Stamp,
           device_id: str, consent_id: str) -> None:
    """Inside the caller's transaction: the embeddings and their sealed outbox copies gone,
    the consent withdrawn, the city told to erase its sealed copies."""
    erase_local(db, employee_id)
    cur = db.conn.execute("SELECT * FROM face_consents WHERE id = ?", [consent_id])
    found = cur.fetchone()
    if found is not None:
        consent = dict(zip([d[0] for d in cur.description], found))
        outbox.save(db, CONSENTS, {**consent, "withdrawn_ms": stamp.wall_ms}, stamp)
    erasure_id = new_id()
    outbox.append(db, ERASURES, erasure_id, {
        "id": erasure_id, "employee_id": employee_id, "reason": reason,
        "erased_ms": stamp.wall_ms, "device_id": device_id}, stamp)


def erase_local(db: sqlite_utils.Database, employee_id: str) -> int:
    """Delete an employee's embeddings and every sealed copy still in the outbox, in the
    caller's transaction (also called when the roster marks the employee deleted or
    inactive). Returns the number of enrolments deleted (0 or 1)."""
    cur = db.conn.execute("DELETE FROM face_enrolments WHERE employee_id = ?", [employee_id])
    db.conn.execute("DELETE FROM outbox WHERE table_name = ? AND"
                    " json_extract(payload, '$.employee_id') = ?", [SEALED, employee_id])
    return cur.rowcount


def _city_key(db: sqlite_utils.Database) -> bytes | None:
    text = settings_mod.face_key(db)
    if text is None:
        log.warning("attendance.face_sync is 'encrypted' but the city's face_key has not come "
                    "down yet; the enrolment stays on this office only")
        return None
    try:
        return face_seal.load_public(text)
    except face_seal.SealError as exc:
        log.warning("%s; the enrolment stays on this office only", exc)
        return None


# -- audit snapshots ------------------------------------------------------------------------

def _safe(employee_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", employee_id)[:80]


def save_snapshot(data_dir: Path, jpeg_bytes: bytes, employee_id: str,
                  stamp: Stamp | int) -> Path:
    """Keep one verification's JPEG (the terminal calls this only when
    ``attendance.face_snapshot_days`` > 0): ``<data_dir>/face_audit/<wall ms>_<employee>.jpg``.
    The time is in the name, so :func:`purge_snapshots` needs no file times."""
    if not isinstance(jpeg_bytes, (bytes, bytearray)) or not jpeg_bytes.startswith(b"\xff\xd8"):
        raise ValidationError("jpeg_bytes", "an audit snapshot is a JPEG image",
                              code="face_snapshot")
    wall_ms = stamp if isinstance(stamp, int) else stamp.wall_ms
    folder = Path(data_dir) / SNAPSHOT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{wall_ms}_{_safe(employee_id)}.jpg"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(jpeg_bytes))
    tmp.replace(path)
    return path


def purge_snapshots(data_dir: Path, days: int, now: Stamp | int) -> int:
    """Delete snapshots older than ``days`` (all of them when ``days`` is 0: none kept).
    Returns how many were deleted."""
    now_ms = now if isinstance(now, int) else now.wall_ms
    horizon = now_ms - max(0, days) * 86_400_000
    deleted = 0
    folder = Path(data_dir) / SNAPSHOT_DIR
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        match = _SNAPSHOT_NAME.match(path.name)
        if match is None:
            if path.suffix == ".tmp":        # a write cut short
                path.unlink(missing_ok=True)
            continue
        if days <= 0 or int(match.group(1)) < horizon:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def delete_snapshots_of(data_dir: Path, employee_id: str) -> int:
    folder = Path(data_dir) / SNAPSHOT_DIR
    if not folder.is_dir():
        return 0
    suffix = f"_{_safe(employee_id)}.jpg"
    deleted = 0
    for path in folder.iterdir():
        if path.name.endswith(suffix) and _SNAPSHOT_NAME.match(path.name):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
