"""The city server: FastAPI app (``create_app``) over an SQLite or PostgreSQL store.

Start it with ``kiosk server --db URL``; the protocol is sync/PROTOCOL.md, the design
(cursor, epoch, hot path) docs/SYNC.md.

Layers, each importing only those below it (an import-linter contract in pyproject.toml)::

    serve, app            HTTP: uvicorn processes, FastAPI routes
    public                the public pages (/v/, /s/, Open311): what a stranger may see
    engines               chooses an engine from the URL; the only importer of the engines
    store_pg, store_sqlite the two engines
    store, public_sql     the Store protocol; the public pages' SQL both engines share
    admin_sql             the admin SQL both engines share
    rules                 what every push, enrollment and office follows
    wire                  reading a push off the wire (msgspec)
    auth, errors          credentials; every refusal with its HTTP status

Nothing heavy is loaded here: ``create_app`` (FastAPI) is imported when first asked for, so
``kiosk server office list`` never loads FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from sync.server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
