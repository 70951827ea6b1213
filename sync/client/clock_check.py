"""The kiosk's judgement of its own wall clock, kept for the admin screen and the summary.

Two signals: the server's time at the last sync (the offset, round-trip corrected), and the
"last known good time": the newest kiosk wall time seen while the clock agreed with the
server. A clock that later reads *earlier* than that has certainly been wrong since (a Pi
that booted without network comes up in 1970 or at its last shutdown time), even with no
network to ask; its events are flagged ``time_uncertain``. The server corrects the times it
stores itself from the clock samples; this flag is the kiosk's own view.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from kiosk.clock import Stamp
from kiosk.db import write_tx
from kiosk.timekeeper import set_from_server
from sync.client import state
from sync.client.wire import LastGood

#: An offset within this is a good clock (NTP-less Pis drift a few seconds a day).
TOLERANCE_MS = 120_000


def sample(before: Stamp, after: Stamp, server_ms: int) -> dict[str, Any]:
    """The clock sample of PROTOCOL.md from readings taken around GET /sync/meta."""
    return {
        "boot_id": after.boot_id,
        "mono_ns": (before.mono_ns + after.mono_ns) // 2,
        "wall_ms": (before.wall_ms + after.wall_ms) // 2,
        "server_ms": int(server_ms),
        "rtt_ms": (after.mono_ns - before.mono_ns) / 1e6,
    }


def record_sample(db: sqlite_utils.Database, clock_sample: dict[str, Any]) -> dict[str, Any]:
    """Remember the sample; move the last known good time forward when the clock agrees."""
    offset = clock_sample["server_ms"] - clock_sample["wall_ms"]
    info = {**clock_sample, "offset_ms": offset}
    state.put(db, state.CLOCK, info)
    state.put_max(db, state.LAST_SERVER_MS, clock_sample["server_ms"])
    # the queue's clock (kiosk.timekeeper) takes the server's time as its last good time
    set_from_server(db, clock_sample["server_ms"], clock_sample["mono_ns"], clock_sample["boot_id"])
    if abs(offset) <= TOLERANCE_MS:
        with write_tx(db):
            old = state.get_int(db, state.LAST_GOOD_KIOSK_MS)
            if old is None or clock_sample["wall_ms"] >= old:
                seq = db.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
                state.put(db, state.LAST_GOOD_KIOSK_MS, clock_sample["wall_ms"])
                state.put(db, state.LAST_GOOD_SEQ, seq)
    return info


def last_good(db: sqlite_utils.Database) -> LastGood | None:
    wall = state.get_int(db, state.LAST_GOOD_KIOSK_MS)
    seq = state.get_int(db, state.LAST_GOOD_SEQ)
    return LastGood(wall, seq) if wall is not None and seq is not None else None


def clock_state(db: sqlite_utils.Database, now: Stamp) -> dict[str, Any]:
    """``{"time_uncertain", "reason", "offset_ms", "last_good_ms", ...}`` for status and summary."""
    last_good = state.get_int(db, state.LAST_GOOD_KIOSK_MS)
    last = state.get_json(db, state.CLOCK) or {}
    reasons = []
    if last_good is not None and now.wall_ms < last_good:
        reasons.append("the kiosk clock reads earlier than its last known good time")
    offset = last.get("offset_ms")
    same_boot = last.get("boot_id") == now.boot_id
    if offset is not None and same_boot and abs(offset) > TOLERANCE_MS:
        reasons.append(f"the kiosk clock is off from the server by {offset / 1000:.0f} s")
    if offset is None or not same_boot:
        if last_good is None:
            reasons.append("this boot has not met the server yet")
    return {
        "time_uncertain": bool(reasons),
        "reason": "; ".join(reasons) or None,
        "kiosk_ms": now.wall_ms,
        "last_good_ms": last_good,
        "offset_ms": offset if same_boot else None,
        "last_server_ms": state.get_int(db, state.LAST_SERVER_MS),
    }
