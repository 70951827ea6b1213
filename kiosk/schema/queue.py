"""Queue tables (filled in by the queue ticketing work)."""

import sqlite_utils


def m0002_queue(db: sqlite_utils.Database) -> None:
    pass
