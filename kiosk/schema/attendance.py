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
