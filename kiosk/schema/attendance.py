"""Attendance events (docs/ATTENDANCE.md): office-owned, pushed through the outbox.

One row per badge scan (``source = 'badge'``) or correction (``source = 'correction'``,
``corrects_id`` naming the event it re-labels). Rows are never edited: a wrong in/out is
fixed by a correction row. Times as every record: wall ms (judged, kiosk.timekeeper),
monotonic ns and boot id, so the city corrects them; ``time_uncertain`` when the wall clock
was not believed.
"""

import sqlite_utils


def m0011_attendance(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE attendance (
            id TEXT PRIMARY KEY,
            employee_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind = 'in' OR kind = 'out'),
            source TEXT NOT NULL CHECK (source = 'badge' OR source = 'correction'),
            corrects_id TEXT,
            badge_key_id TEXT,
            wall_ms INTEGER NOT NULL,
            mono_ns INTEGER NOT NULL,
            boot_id TEXT NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0,
            device_id TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX attendance_employee ON attendance (employee_id, wall_ms)")
    db.execute("CREATE INDEX attendance_corrects ON attendance (corrects_id)"
               " WHERE corrects_id IS NOT NULL")


def m0012_faces(db: sqlite_utils.Database) -> None:
    """Face verification after the badge (docs/FACES.md).

    ``face_enrolments``: the enrolled embeddings, one row per employee (JSON list of
    captures, each 128 floats). Biometric personal data (UU 27/2022): it is NOT an outbox
    table and is never pushed as rows; what may leave the edge is a box sealed to the city's
    key (kiosk.attendance.face_seal), appended to the outbox as ``face_sealed``.
    ``face_consents``: the employee's recorded consent (who recorded it, when, which consent
    text), pushed like any office record; ``withdrawn_ms`` when the face data was deleted.
    ``attendance`` gains ``face`` (off | matched | not_enrolled; NULL for corrections and
    older rows) and ``face_distance`` (the match distance, when matched or refused).
    """
    db.execute(
        """CREATE TABLE face_consents (
            id TEXT PRIMARY KEY,
            employee_id TEXT NOT NULL,
            consent_by TEXT NOT NULL,
            consent_version TEXT NOT NULL,
            consent_ms INTEGER NOT NULL,
            withdrawn_ms INTEGER,
            device_id TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX face_consents_employee ON face_consents (employee_id, consent_ms)")
    db.execute(
        """CREATE TABLE face_enrolments (
            employee_id TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            embeddings TEXT NOT NULL,
            captures INTEGER NOT NULL,
            enrolled_ms INTEGER NOT NULL,
            consent_id TEXT NOT NULL REFERENCES face_consents (id)
        )""")
    db.execute("ALTER TABLE attendance ADD COLUMN face TEXT")
    db.execute("ALTER TABLE attendance ADD COLUMN face_distance REAL")
