"""The engine chooser: the one module that imports the engines, so nothing else depends on
psycopg or on SQLite details, and a command that opens an SQLite server database never loads
PostgreSQL's driver (or FastAPI)."""

from __future__ import annotations

from sync.server.store import Store


def open_store(db_url: str, *, pool_min: int = 1) -> Store:
    """``sqlite:///path.db`` (embedded) or ``postgresql://...`` (production; ``pool_min``
    connections are kept open per process)."""
    if db_url.startswith("sqlite:"):
        from sync.server.store_sqlite import SqliteStore

        return SqliteStore(sqlite_path(db_url))
    if db_url.startswith(("postgresql:", "postgres:")):
        from sync.server.store_pg import PgStore

        return PgStore(db_url, min_size=pool_min)
    raise ValueError(f"--db {db_url!r}: expected sqlite:///path.db or postgresql://user@host/db")


def sqlite_path(db_url: str) -> str:
    """``sqlite:///rel.db`` is relative, ``sqlite:////abs.db`` absolute (as SQLAlchemy)."""
    path = db_url[len("sqlite:"):]
    if path.startswith("///"):
        path = path[3:]
    elif path.startswith("//"):
        path = path[2:]
    if not path:
        raise ValueError(f"--db {db_url!r}: no file name (sqlite:///path/to/server.db)")
    return path
