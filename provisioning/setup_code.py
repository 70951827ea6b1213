"""The 6-digit pairing code shown on a fresh kiosk's setup page (HomeKit-style).

A code lives five minutes and is replaced after every pairing attempt, right or wrong, so
a code seen over a shoulder or guessed once is worth nothing. After ``MAX_FAILURES`` wrong
codes in a row the device also makes the technician wait, longer each time (``delay_s``),
which bounds guessing at a few tries per hour. Codes come from ``secrets`` (the OS's
random source). The setup page subscribes to changes to show the new code at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

LIFETIME_S = 300
MAX_FAILURES = 5
#: The wait after the fifth wrong code, doubled at each further failure, capped.
FIRST_DELAY_S = 30
MAX_DELAY_S = 3600


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class SetupCode:
    """The current code, thread-safe (the pairing service and the Qt page share it)."""

    def __init__(self, *, lifetime_s: float = LIFETIME_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._lifetime = lifetime_s
        self._now = monotonic
        self._listeners: list[Callable[[str], None]] = []
        self._failures = 0
        self._blocked_until = 0.0
        self._code, self._expires = new_code(), self._now() + lifetime_s

    def current(self) -> str:
        with self._lock:
            changed = self._expire_locked()
            code = self._code
        if changed:
            self._notify(code)
        return code

    def seconds_left(self) -> float:
        with self._lock:
            return max(0.0, self._expires - self._now())

    def delay_s(self) -> float:
        """How long a new attempt must wait (0: go ahead)."""
        with self._lock:
            return max(0.0, self._blocked_until - self._now())

    @property
    def failures(self) -> int:
        return self._failures

    def attempt_finished(self, success: bool) -> str:
        """Record one attempt's end: a new code either way; after MAX_FAILURES wrong
        ones in a row a growing wait. Returns the new code."""
        with self._lock:
            if success:
                self._failures = 0
                self._blocked_until = 0.0
            else:
                self._failures += 1
                if self._failures >= MAX_FAILURES:
                    extra = self._failures - MAX_FAILURES
                    delay = min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** min(extra, 16))
                    self._blocked_until = self._now() + delay
            self._code, self._expires = new_code(), self._now() + self._lifetime
            code = self._code
        self._notify(code)
        return code

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """``listener(code)`` runs (on the caller's thread) whenever the code changes."""
        self._listeners.append(listener)

    def _expire_locked(self) -> bool:
        if self._now() < self._expires:
            return False
        self._code, self._expires = new_code(), self._now() + self._lifetime
        return True

    def _notify(self, code: str) -> None:
        for listener in list(self._listeners):
            listener(code)
