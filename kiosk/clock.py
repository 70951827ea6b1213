"""The one clock of the app.

Every event records three readings: wall time (what a person reads, but it can be wrong or
jump: a Raspberry Pi has no battery-backed clock), the monotonic clock (never jumps, but
restarts at every boot) and the boot id (which tells whose monotonic clock it was). With
all three the city server can correct a kiosk's times after the fact; see sync/.
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

#: Indonesia's three time zones, by the names people use.
ZONES: dict[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}


@dataclass(frozen=True)
class Stamp:
    """One reading of the clock: wall time in ms since the epoch (UTC), monotonic ns, boot."""

    wall_ms: int
    mono_ns: int
    boot_id: str

    @property
    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.wall_ms / 1000, tz=timezone.utc)


class Clock(Protocol):
    def now(self) -> Stamp: ...


def read_boot_id() -> str:
    """The kernel's id of this boot; a fresh random one where the kernel does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return f"noboot-{uuid.uuid4()}"


class SystemClock:
    """The real clock."""

    def __init__(self) -> None:
        self.boot_id = read_boot_id()

    def now(self) -> Stamp:
        return Stamp(time.time_ns() // 1_000_000, time.monotonic_ns(), self.boot_id)


class FakeClock:
    """A clock that moves only when told: for tests and for replaying a day."""

    def __init__(self, wall_ms: int = 1_795_000_000_000, boot_id: str = "boot-test") -> None:
        self.wall_ms = wall_ms
        self.mono_ns = 1_000_000_000
        self.boot_id = boot_id

    def now(self) -> Stamp:
        return Stamp(self.wall_ms, self.mono_ns, self.boot_id)

    def advance(self, seconds: float) -> None:
        self.wall_ms += int(seconds * 1000)
        self.mono_ns += int(seconds * 1_000_000_000)

    def set_wall(self, when: datetime) -> None:
        """Move only the wall clock, as a wrong or corrected system clock does."""
        self.wall_ms = int(when.timestamp() * 1000)

    def reboot(self, boot_id: str) -> None:
        self.boot_id = boot_id
        self.mono_ns = 1_000_000_000


@functools.lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    """WIB/WITA/WIT (or an IANA name) to a ZoneInfo."""
    return ZoneInfo(ZONES.get(name.upper(), name))


def local_time(stamp: Stamp, tz_name: str) -> datetime:
    return datetime.fromtimestamp(stamp.wall_ms / 1000, tz=zone(tz_name))


def business_day(stamp: Stamp, tz_name: str) -> date:
    """The office's calendar day at this instant: queues restart when it changes, no cron."""
    return business_day_at(local_time(stamp, tz_name))


def business_day_at(local: datetime) -> date:
    """The business day of an instant already in the office's time zone (local_time)."""
    return local.date()
