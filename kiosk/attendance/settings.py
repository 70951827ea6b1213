"""The office's attendance settings and the badge keys, read from the ``settings`` table
the city sends down with the roster (sync/client/reference.py).

Keys (values are text): ``attendance.work_start`` / ``attendance.work_end`` ("HH:MM",
default 07:30 / 16:00), ``attendance.grace_minutes`` (15), ``attendance.working_days``
(ISO weekdays, "1,2,3,4,5"), ``attendance.out_from`` (scans from this local time on are
clock-outs, default 12:00), ``attendance.duplicate_window_s`` (60),
``attendance.badge_max_age_days`` (0: badges do not expire). Faces (docs/FACES.md):
``attendance.face`` (off | after_badge), ``attendance.face_threshold`` (0.55),
``attendance.face_sync`` (no | encrypted), ``attendance.face_snapshot_days`` (0), and the
city's public key ``face_key`` (base64 X25519). The city's badge keys are
``badge_key.<key id>`` (base64 of the raw Ed25519 public key) and a revoked badge is
``badge_revoked.<employee id>`` (the issue minute of the newest revoked badge).
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from datetime import time

import sqlite_utils

log = logging.getLogger(__name__)

KEY_PREFIX = "badge_key."
REVOKED_PREFIX = "badge_revoked."


@dataclass(frozen=True)
class AttendanceSettings:
    work_start: time = time(7, 30)
    work_end: time = time(16, 0)
    grace_minutes: int = 15
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    out_from: time = time(12, 0)
    duplicate_window_s: int = 60
    badge_max_age_days: int = 0
    face: str = "off"                   # off | after_badge
    face_threshold: float = 0.55        # largest embedding distance that is a match
    face_sync: str = "no"               # no | encrypted
    face_snapshot_days: int = 0         # 0: no photo kept


def _choice(*allowed: str):
    def parse(text: str) -> str:
        value = text.strip()
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(allowed)}")
        return value
    return parse


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 2.0:      # distances of unit-length 128-d embeddings lie in 0..2
        raise ValueError("outside 0..2")
    return value


def _days(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("negative")
    return value


def _time(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


_PARSERS = {
    "work_start": _time, "work_end": _time, "out_from": _time,
    "grace_minutes": int, "duplicate_window_s": int, "badge_max_age_days": int,
    "face": _choice("off", "after_badge"), "face_threshold": _threshold,
    "face_sync": _choice("no", "encrypted"), "face_snapshot_days": _days,
    "working_days": lambda t: frozenset(int(d) for d in t.split(",") if d.strip()),
}


def load(db: sqlite_utils.Database) -> AttendanceSettings:
    """The settings, each unreadable or missing value replaced by its default (logged): a
    typo at the city must not stop the door terminal."""
    values = {}
    for key, value in db.execute(
            "SELECT key, value FROM settings WHERE key LIKE 'attendance.%'").fetchall():
        name = key.removeprefix("attendance.")
        parse = _PARSERS.get(name)
        if parse is None or value is None:
            continue
        try:
            values[name] = parse(value)
        except (ValueError, TypeError):
            log.warning("settings %s = %r is not valid; the default is used", key, value)
    return AttendanceSettings(**values)


def face_key(db: sqlite_utils.Database) -> str | None:
    """The city's face public key (base64 text) as sent down, or None."""
    row = db.execute("SELECT value FROM settings WHERE key = 'face_key'").fetchone()
    return row[0] if row and row[0] else None


def badge_keys(db: sqlite_utils.Database) -> dict[str, bytes]:
    keys = {}
    for key, value in db.execute(
            "SELECT key, value FROM settings WHERE key LIKE 'badge\\_key.%' ESCAPE '\\'"):
        try:
            keys[key.removeprefix(KEY_PREFIX)] = base64.b64decode(value or "", validate=True)
        except (binascii.Error, ValueError):
            log.warning("settings %s is not a base64 key; ignored", key)
    return keys


def revoked(db: sqlite_utils.Database) -> dict[str, int]:
    out = {}
    for key, value in db.execute(
            "SELECT key, value FROM settings WHERE key LIKE 'badge\\_revoked.%' ESCAPE '\\'"):
        try:
            out[key.removeprefix(REVOKED_PREFIX)] = int(value)
        except (TypeError, ValueError):
            log.warning("settings %s = %r is not a minute; ignored", key, value)
    return out
