"""The app's error hierarchy. Each message says what happened and what a technician can do.

Every error also carries a ``code`` (a stable name, e.g. ``quota_exhausted``) and ``fields``
(the facts a sentence needs, e.g. ``{"service": "Surat Keterangan", "cap": 40}``). The
message (``str(exc)``) is for logs and technicians; screens word an error from its code and
fields through translation (ui/errors.py), and the LAN API ships code and fields, so a
counter PC across the LAN says the same words in the same language as the edge.

    KioskError
    ├── ConfigError        a key in config.toml is wrong (names the key)
    ├── StoreError         the local database cannot be used
    │   └── DiskFullError  no space left: nothing was written
    ├── ValidationError    citizen or staff input is wrong (field + message)
    └── NotFoundError      a record that was asked for does not exist
"""


from typing import Any


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose. ``code`` defaults to the class's."""

    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.fields: dict[str, Any] = dict(fields or {})


class ConfigError(KioskError):
    code = "config"

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"config: {key}: {problem}", fields={"key": key})


class StoreError(KioskError):
    code = "store"


class DiskFullError(StoreError):
    code = "disk_full"


class ValidationError(KioskError):
    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}", code=code, fields={"field": field, **(fields or {})})


class NotFoundError(KioskError):
    code = "not_found"
