"""Sync bookkeeping tables (filled in by the sync work)."""

import sqlite_utils


def m0004_sync(db: sqlite_utils.Database) -> None:
    pass
