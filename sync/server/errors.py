"""Every refusal of the city server, in one place; the app has one handler for them all.

Each error carries the HTTP status it is answered with (``{"detail": str(error)}``), so a
status is spelled once, here::

    ServerError
    ├── Invalid         a malformed request or a value the server will not keep   (400)
    │   └── BadBody     a push body that cannot be read (400, 413 or 415)
    ├── Unauthorized    missing/forged/expired credentials, revoked device       (401)
    ├── Forbidden       a record of another office                               (403)
    ├── NotFound        an office or device that does not exist                  (404)
    ├── Conflict        an office code taken, a device already enrolled          (409)
    │   └── DeviceBusy  a second concurrent push of one device                   (409)
    ├── UpgradeRequired a protocol version this server does not speak            (426)
    └── Overloaded      no database connection free in time (+ Retry-After)      (503)

Named ``ServerError`` (not ``StoreError``) so it never reads as ``kiosk.errors.StoreError``,
the kiosk's own database error.
"""

from __future__ import annotations


class ServerError(Exception):
    status = 500

    @property
    def detail(self) -> str:
        return str(self)


class Invalid(ServerError):
    status = 400


class BadBody(Invalid):
    """The push body cannot be read; ``status`` is 400, 413 or 415."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class Unauthorized(ServerError):
    status = 401


class Forbidden(ServerError):
    status = 403


class NotFound(ServerError):
    status = 404


class Conflict(ServerError):
    status = 409


class DeviceBusy(Conflict):
    pass


class UpgradeRequired(ServerError):
    status = 426


class Overloaded(ServerError):
    status = 503


#: Retry-After (seconds) sent with 503.
RETRY_AFTER_S = 2
