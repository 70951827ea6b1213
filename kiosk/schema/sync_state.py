"""Sync bookkeeping tables: what the sync client (sync/client) remembers between sessions.

- ``sync_state``: small key/value facts (the server epoch last seen, last good push and pull,
  last error, last known good time). Key/value because they are read and written one at a time
  and their set grows with the protocol.
- ``sync_cursors``: one pull cursor per scope. A page of changes and its cursor are written in
  one transaction, so a crash never applies a page without moving the cursor or the reverse.
- ``sync_dead_letters``: outbox changes the server rejected; the admin screen shows them and
  the queue goes on without them.
- ``sync_credentials``: the enrollment (one row): which server and office this device belongs
  to and the public half of its identity key. The private key lives in a 0600 file, never here;
  access tokens live only in memory (their expiry is judged by the monotonic clock).
"""

import sqlite_utils


def m0004_sync(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        """CREATE TABLE sync_cursors (
            scope TEXT PRIMARY KEY,
            cursor TEXT NOT NULL,
            epoch TEXT,
            updated_ms INTEGER NOT NULL
        )""")
    db.execute(
        """CREATE TABLE sync_dead_letters (
            seq INTEGER PRIMARY KEY,
            change_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            payload TEXT NOT NULL,
            epoch TEXT,
            created_ms INTEGER NOT NULL
        )""")
    db.execute(
        """CREATE TABLE sync_credentials (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server TEXT NOT NULL,
            device_id TEXT NOT NULL,
            office_code TEXT NOT NULL,
            office_id TEXT,
            public_key TEXT NOT NULL,
            key_file TEXT NOT NULL,
            enrolled_ms INTEGER NOT NULL
        )""")
