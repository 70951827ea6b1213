"""The server's epoch: a new one (a restored or re-created server) resets the pull cursors
and re-sends every outbox row still kept, since the new server may lack any of them."""

from __future__ import annotations

import sqlite_utils

from kiosk import outbox
from kiosk.db import write_tx
from sync.client import state

DAY_MS = 86_400_000


def adopt_epoch(db: sqlite_utils.Database, epoch: str, server_ms: int,
                keep_acked_days: int) -> bool:
    """Adopt the server's epoch; on a change, reset cursors and re-send what is kept.

    Returns True when the epoch changed (the caller restarts what it was doing).
    """
    with write_tx(db):
        known = state.get(db, state.EPOCH)
        if known == epoch:
            return False
        if known is not None:
            horizon = server_ms + 1 - keep_acked_days * DAY_MS
            outbox.prune_acked(db, horizon)
            db.conn.execute("UPDATE outbox SET acked_ms = NULL WHERE acked_ms IS NOT NULL")
            db.conn.execute("DELETE FROM sync_cursors")
        state.put(db, state.EPOCH, epoch)
        return known is not None
