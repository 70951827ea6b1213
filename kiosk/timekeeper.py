"""The last known good time, kept in the database, and the time the queue uses.

A Raspberry Pi has no battery clock: after a power cut it boots in 1970 or at the time
fake-hwclock saved, and NTP may later step it by hours. The queue must still put every
ticket in today's queue in arrival order. So, as fake-hwclock does with a file, the kiosk
keeps its last known good time in the database (table ``clock_anchors``, migration m0007),
moves it forward while running, and takes the city server's time as the truth at each sync
(:func:`set_from_server`, called by the sync client). :func:`kiosk.clock.judge` decides
with them whether to believe the wall clock; docs/QUEUE.md tells the rule.

The database row is the whole state, so every process on the machine (the edge's LAN API,
the kiosk screens, ``kiosk queue ...``) judges the clock alike. Reading it is one small
query per reading; it is written when a boot starts, when the believed time departs from
the stored anchor (a believed jump, a server correction), and otherwise at most once a
minute, never once per ticket.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

import sqlite_utils

from kiosk.clock import Anchor, Clock, Stamp, judge
from kiosk.db import write_tx
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

#: How often a running kiosk moves its stored last good time forward.
PERSIST_EVERY_NS = 60 * 1_000_000_000
#: A believed time further than this from the stored anchor's expectation is stored at once.
REBASE_MS = 1_000

_LAST_GOOD, _SERVER = "last_good", "server"
_UPSERT = ("INSERT INTO clock_anchors (kind, wall_ms, mono_ns, boot_id) VALUES (?, ?, ?, ?)"
           " ON CONFLICT (kind) DO UPDATE SET wall_ms = excluded.wall_ms,"
           " mono_ns = excluded.mono_ns, boot_id = excluded.boot_id"
           # never replace a newer reading of the same boot by an older one (two processes)
           " WHERE clock_anchors.boot_id != excluded.boot_id"
           " OR clock_anchors.mono_ns <= excluded.mono_ns")


def anchors(db: sqlite_utils.Database) -> tuple[Anchor | None, Anchor | None]:
    """(last known good time, server's time at the last sync), each None until there is one."""
    found: dict[str, Anchor] = {}
    for kind, wall_ms, mono_ns, boot_id in db.conn.execute(
            "SELECT kind, wall_ms, mono_ns, boot_id FROM clock_anchors").fetchall():
        found[kind] = Anchor(wall_ms, mono_ns, boot_id)
    return found.get(_LAST_GOOD), found.get(_SERVER)


def set_from_server(db: sqlite_utils.Database, server_ms: int, mono_ns: int,
                    boot_id: str) -> None:
    """The city server said it was ``server_ms`` at this machine's monotonic ``mono_ns``
    (the middle of the request that asked): from now on this boot's time is judged against
    it. Joins the caller's transaction or makes its own."""
    with write_tx(db):
        db.conn.execute(_UPSERT, (_SERVER, int(server_ms), int(mono_ns), boot_id))
        db.conn.execute(_UPSERT, (_LAST_GOOD, int(server_ms), int(mono_ns), boot_id))


class Timekeeper:
    """The queue's clock: readings of ``clock`` judged against the stored anchors."""

    def __init__(self, db: sqlite_utils.Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._lock = threading.Lock()

    def now(self) -> Stamp:
        with self._lock:
            raw = self.clock.now()
            try:
                last_good, server = anchors(self.db)
            except sqlite3.Error as exc:   # unreadable: judge without (believe the clock)
                log.warning("could not read the last known good time: %s", exc)
                last_good = server = None
            stamp = judge(raw, last_good, server)
            if self._due(stamp, last_good):
                self._store(stamp)
            return stamp

    @staticmethod
    def _due(stamp: Stamp, last_good: Anchor | None) -> bool:
        if last_good is None or last_good.boot_id != stamp.boot_id:
            return True
        return (stamp.mono_ns - last_good.mono_ns >= PERSIST_EVERY_NS
                or abs(stamp.wall_ms - last_good.expected_ms(stamp)) > REBASE_MS)

    def _store(self, stamp: Stamp) -> None:
        """Best effort: a kiosk that cannot write (disk full, database busy past its
        timeout) still issues tickets; it tries again at the next reading."""
        try:
            with write_tx(self.db):
                self.db.conn.execute(_UPSERT, (_LAST_GOOD, stamp.wall_ms, stamp.mono_ns,
                                               stamp.boot_id))
        except (KioskError, sqlite3.Error) as exc:
            log.warning("could not store the last known good time: %s", exc)
