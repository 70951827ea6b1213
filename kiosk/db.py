"""The one place that opens the local database.

Pragmas, and why:
- ``journal_mode=WAL``: readers (the board, the sync worker) never block the writer.
- ``synchronous=FULL``: a kiosk loses power; in WAL mode NORMAL can lose the last
  committed transactions on power loss, and a lost ticket number is a doubled number.
- ``foreign_keys=ON``: SQLite leaves them off by default.
- ``busy_timeout``: several processes (kiosk, counters via the LAN API, sync) write.

Writes go through :func:`write_tx`, which takes the write lock up front (BEGIN IMMEDIATE) so
two processes never deadlock upgrading a read lock, and nests as a savepoint.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from kiosk.errors import DiskFullError, StoreError

BUSY_TIMEOUT_MS = 30_000


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the kiosk database at ``path`` and bring its schema up to date."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"{path}: could not switch to WAL journal mode (got {mode!r}); "
                             "is the data directory on a network or read-only file system?")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise _store_error(exc, path) from exc
    except OSError as exc:
        raise _os_error(exc, path) from exc
    db = sqlite_utils.Database(conn)
    if migrate:
        from kiosk.migrations import migrate as run_migrations

        try:
            run_migrations(db)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _store_error(exc, path) from exc
    return db


@contextlib.contextmanager
def write_tx(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic write. Outermost: BEGIN IMMEDIATE; nested: a savepoint.

    A full disk becomes :class:`DiskFullError` with everything rolled back.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _store_error(exc, _db_file(db)) from exc
    try:
        yield db
    except BaseException as exc:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise _store_error(exc, _db_file(db)) from exc
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise _store_error(exc, _db_file(db)) from exc


#: Below this many free bytes, SQLite's "disk I/O error" (it could not grow the WAL or the
#: shared-memory file) is a full disk, and is reported as one.
LOW_SPACE_BYTES = 1 << 20


def _disk_full(where: str) -> DiskFullError:
    return DiskFullError(f"{where}the disk is full; nothing was saved. "
                         "Free space on the data partition (old logs, photos) and try again.")


def _low_space(path: Path | None) -> bool:
    try:
        return shutil.disk_usage(path.parent if path else Path.cwd()).free < LOW_SPACE_BYTES
    except OSError:
        return False


def _os_error(exc: OSError, path: Path) -> StoreError:
    if exc.errno == errno.ENOSPC:
        return _disk_full(f"{path}: ")
    return StoreError(f"{exc.filename or path}: {exc.strerror or exc}")


def _db_file(db: sqlite_utils.Database) -> Path | None:
    """The main database's file, to name it in a message (None if SQLite cannot say)."""
    try:
        for _, name, file in db.conn.execute("PRAGMA database_list"):
            if name == "main" and file:
                return Path(file)
    except sqlite3.Error:
        pass
    return None


def store_error(exc: sqlite3.DatabaseError, path: Path | None) -> StoreError:
    """SQLite's own error as a :class:`StoreError` a technician can act on (the CLI uses it
    for errors that escape a command)."""
    return _store_error(exc, path)


def _store_error(exc: sqlite3.DatabaseError, path: Path | None) -> StoreError:
    text = str(exc)
    where = f"{path}: " if path else ""
    code = getattr(exc, "sqlite_errorcode", None)
    if "disk is full" in text or (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) \
            or getattr(exc, "errno", None) == errno.ENOSPC:
        return _disk_full(where)
    if ("disk I/O error" in text or (code is not None and code & 0xFF == sqlite3.SQLITE_IOERR)) \
            and _low_space(path):
        return _disk_full(where)
    if "malformed" in text or "not a database" in text or \
            (code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)):
        return StoreError(f"{where}the database is damaged ({text}); stop the kiosk and restore "
                          "the last backup (made with 'kiosk backup DEST')")
    if "unable to open database file" in text:
        return StoreError(f"{where}cannot open the database file; check that it is a file and that "
                          "the data directory is writable")
    if "locked" in text or "busy" in text:
        return StoreError(f"{where}the database stayed locked for {BUSY_TIMEOUT_MS // 1000} s; "
                          "another process holds it. Check for a stuck kiosk process.")
    return StoreError(f"{where}{text}")
