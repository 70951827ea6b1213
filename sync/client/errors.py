"""Errors of the sync client; each says whether trying again later can help.

    KioskError (kiosk.errors)
    └── SyncError                 base; ``retry`` tells the worker whether to back off and retry
        ├── LinkError             no answer: connection refused, reset, timeout, black hole
        ├── ServerBusy            429 / 503 (``retry_after`` seconds, a floor for the backoff)
        ├── AuthError             401 that a token renewal did not cure (revoked, not enrolled)
        ├── UpgradeRequired       426: this kiosk's protocol is too old for the server
        ├── SyncBusy              another sync session of this device is running
        └── ServerRefused         any other 4xx/5xx: the request itself is wrong
"""

from __future__ import annotations

from kiosk.errors import KioskError


class SyncError(KioskError):
    retry = True
    kind = "error"


class LinkError(SyncError):
    kind = "link"


class ServerBusy(SyncError):
    kind = "busy"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(SyncError):
    retry = False
    kind = "auth"


class UpgradeRequired(SyncError):
    retry = False
    kind = "upgrade"


class SyncBusy(SyncError):
    kind = "locked"


class ServerRefused(SyncError):
    kind = "refused"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
        # 5xx other than 503 may be a passing fault (a server restarting mid-batch).
        self.retry = status >= 500 or status in (408, 409)
