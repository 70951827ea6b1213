"""The kiosk side of sync: enrollment, the sync session, and the background worker.

    enroll(db, data_dir, server, token, device_id)   register this device (identity key 0600)
    SyncClient(db, data_dir, transport=..., clock=...)   one session: meta, push, pull
    SyncWorker(data_dir).start()                     background thread; snapshot() for the UI
    status(db, clock)                                what the admin screen shows (offline too)

See sync/PROTOCOL.md for the contract and docs/SYNC.md for the guarantees.
"""

from sync.client.backoff import Backoff
from sync.client.enroll import enroll
from sync.client.errors import (
    AuthError,
    LinkError,
    ServerBusy,
    ServerRefused,
    SyncBusy,
    SyncError,
    UpgradeRequired,
)
from sync.client.session import SyncClient
from sync.client.sync_status import status
from sync.client.worker import SyncWorker

__all__ = ["AuthError", "Backoff", "LinkError", "ServerBusy", "ServerRefused", "SyncBusy",
           "SyncClient", "SyncError", "SyncWorker", "UpgradeRequired", "enroll", "status"]
