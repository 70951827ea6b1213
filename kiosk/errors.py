"""The app's error hierarchy. Each message says what happened and what a technician can do.

    KioskError
    ├── ConfigError        a key in config.toml is wrong (names the key)
    ├── StoreError         the local database cannot be used
    │   └── DiskFullError  no space left: nothing was written
    ├── ValidationError    citizen or staff input is wrong (field + message)
    └── NotFoundError      a record that was asked for does not exist
"""


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"config: {key}: {problem}")


class StoreError(KioskError):
    pass


class DiskFullError(StoreError):
    pass


class ValidationError(KioskError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class NotFoundError(KioskError):
    pass
