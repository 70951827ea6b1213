"""The last known good time (kiosk.timekeeper).

``clock_anchors``: at most two rows, ``last_good`` (the newest time the kiosk believed or
estimated, moved forward while it runs) and ``server`` (the city server's time at the last
sync), each with the monotonic reading and boot it belongs to. Local, never synced.
"""

import sqlite_utils


def m0007_clock_anchors(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE clock_anchors (
            kind TEXT PRIMARY KEY CHECK (kind = 'last_good' OR kind = 'server'),
            wall_ms INTEGER NOT NULL,
            mono_ns INTEGER NOT NULL,
            boot_id TEXT NOT NULL
        ) WITHOUT ROWID""")
