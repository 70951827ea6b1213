"""What the admin screen and ``kiosk sync status`` show of sync, read from the local database
only (so it answers offline too), and the last error a round leaves there for them."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from kiosk import outbox
from kiosk.clock import Clock
from sync.client import clock_check, state
from sync.client.push import MAX_ITEM_FAILURES


def record_error(db: sqlite_utils.Database, exc: Exception, clock: Clock) -> None:
    state.put(db, state.LAST_ERROR, {
        "kind": getattr(exc, "kind", "error"), "message": str(exc),
        "server_ms": state.get_int(db, state.LAST_SERVER_MS), "kiosk_ms": clock.now().wall_ms})


def status(db: sqlite_utils.Database, clock: Clock) -> dict[str, Any]:
    """What the admin screen shows; reads only the local database (works offline)."""
    now = clock.now()
    pending = outbox.pending_count(db)
    oldest = db.execute("SELECT wall_ms, mono_ns, boot_id FROM outbox WHERE acked_ms IS NULL"
                        " ORDER BY seq LIMIT 1").fetchone()
    age_s = None
    if oldest:
        # The monotonic clock when the oldest change is from this boot (immune to clock jumps).
        age_s = ((now.mono_ns - oldest[1]) / 1e9 if oldest[2] == now.boot_id
                 else max(0.0, (now.wall_ms - oldest[0]) / 1000))
    creds = state.credentials(db)
    return {
        "enrolled": creds is not None,
        "server": creds.server if creds else None,
        "device_id": creds.device_id if creds else None,
        "office_code": creds.office_code if creds else None,
        "epoch": state.get(db, state.EPOCH),
        "pending": pending,
        "oldest_pending_age_s": round(age_s, 3) if age_s is not None else None,
        "last_push_ms": state.get_int(db, state.LAST_PUSH_MS),
        "last_pull_ms": state.get_int(db, state.LAST_PULL_MS),
        "last_error": state.get_json(db, state.LAST_ERROR),
        "dead_letters": state.dead_letter_count(db),
        # Items the server failed on alone: seq -> strikes, of MAX_ITEM_FAILURES before the
        # dead letters.
        "suspect_items": state.strikes(db),
        "max_item_failures": MAX_ITEM_FAILURES,
        "cursors": state.cursors(db),
        "clock": clock_check.clock_state(db, now),
    }
