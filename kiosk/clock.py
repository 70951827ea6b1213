"""The one clock of the app.

Every event records three readings: wall time (what a person reads, but it can be wrong or
jump: a Raspberry Pi has no battery-backed clock), the monotonic clock (never jumps, but
restarts at every boot) and the boot id (which tells whose monotonic clock it was). With
all three the city server can correct a kiosk's times after the fact; see sync/.

The kiosk itself cannot wait for that: the queue needs a business day and a time *now*. So
:func:`judge` decides whether to believe a wall reading, against a last known good time
(an :class:`Anchor`, kept in the database by ``kiosk.timekeeper``, as fake-hwclock keeps
one in a file) and the monotonic time elapsed since it. The rule, for people, is in
docs/QUEUE.md ("The queue with a wrong clock").
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
    """One reading of the clock: wall time in ms since the epoch (UTC), monotonic ns, boot.

    ``uncertain``: the wall time is not what the system clock said but an estimate (the last
    known good time plus monotonic time elapsed), because the system clock was not believed
    (:func:`judge`). Records written with it are flagged ``time_uncertain``."""

    wall_ms: int
    mono_ns: int
    boot_id: str
    uncertain: bool = False

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

    def jump(self, seconds: float) -> None:
        """Move only the wall clock by ``seconds`` (NTP stepping it, a person setting it)."""
        self.wall_ms += int(seconds * 1000)

    def reboot(self, boot_id: str) -> None:
        self.boot_id = boot_id
        self.mono_ns = 1_000_000_000


#: A wall reading this close to the expected time is believed: NTP corrects a drifting clock
#: by seconds, and the sync client calls an offset this small a good clock.
TOLERANCE_MS = 120_000

#: How long after the machine booted its wall clock may still be being set (NTP's first
#: step, fake-hwclock's restored time being corrected): a forward jump is believed then.
#: ``CLOCK_MONOTONIC`` counts from boot on Linux, so this is "monotonic time below 10 min".
SETTLE_NS = 10 * 60 * 1_000_000_000


@dataclass(frozen=True)
class Anchor:
    """A time believed true (``wall_ms``) at a monotonic instant of one boot."""

    wall_ms: int
    mono_ns: int
    boot_id: str

    def expected_ms(self, stamp: Stamp) -> int:
        """The time now by this anchor and the monotonic time elapsed since it."""
        return self.wall_ms + (stamp.mono_ns - self.mono_ns) // 1_000_000


def judge(raw: Stamp, last_good: Anchor | None, server: Anchor | None = None) -> Stamp:
    """The time to use for ``raw`` (a reading of the system clock), flagged ``uncertain``
    when the wall clock is not believed.

    ``last_good``: the last known good time (any boot); ``server``: the city server's time
    at the last sync (any boot). The reference is the server's anchor of this boot, else the
    last good time of this boot:

    - No reference yet (first reading after a boot): the wall clock is believed unless it
      reads earlier than the last good time (a Pi without battery clock boots in 1970 or at
      its last saved time); then time resumes from the last good time.
    - Otherwise the expected time is the reference plus the monotonic time elapsed. A wall
      clock within ``TOLERANCE_MS`` of it is believed. So is one ahead of it while the
      machine is still settling (``SETTLE_NS`` after boot) and the server has not spoken
      this boot: that is NTP setting the clock. Any other difference, earlier or later, is a
      fault: the expected time is used, so a jump never moves the queue's order or its
      business day.
    """
    ref = server if server is not None and server.boot_id == raw.boot_id else \
        last_good if last_good is not None and last_good.boot_id == raw.boot_id else None
    if ref is None:
        if last_good is None or raw.wall_ms >= last_good.wall_ms:
            return raw
        return Stamp(last_good.wall_ms, raw.mono_ns, raw.boot_id, True)
    expected = ref.expected_ms(raw)
    ahead = raw.wall_ms - expected
    if abs(ahead) <= TOLERANCE_MS or (ahead > 0 and ref is not server
                                      and raw.mono_ns < SETTLE_NS):
        return raw
    return Stamp(expected, raw.mono_ns, raw.boot_id, True)


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
