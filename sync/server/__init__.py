"""The city server: FastAPI app (``create_app``) over an SQLite or PostgreSQL store.

Start it with ``kiosk server --db URL``; the protocol is sync/PROTOCOL.md, the design
(cursor, epoch, hot path) docs/SYNC.md.
"""

from sync.server.app import create_app

__all__ = ["create_app"]
