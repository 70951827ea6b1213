"""The queue's tunables, read from the ``settings`` table (key -> text value) with defaults.

The city server sends settings down with the other reference data; an office that never set
them gets the defaults below, which docs/QUEUE.md explains.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.errors import ValidationError

#: key -> (attribute, default, minimum)
KEYS: dict[str, tuple[str, int, int]] = {
    "queue.priority_ratio": ("priority_ratio", 2, 0),
    "queue.max_wait_min": ("max_wait_min", 30, 1),
    "queue.no_show_min_recalls": ("no_show_min_recalls", 1, 0),
    "queue.estimate_last_n": ("estimate_last_n", 10, 1),
    "queue.default_service_min": ("default_service_min", 5, 1),
}


#: ``queue.next_when_called``: what "Panggil Berikutnya" does with the counter's ticket that
#: was called but never started: ask the staff first, or mark it no-show.
NEXT_WHEN_CALLED = ("ask", "no_show")


@dataclass(frozen=True)
class QueueSettings:
    priority_ratio: int = 2          # regular calls between two priority calls
    max_wait_min: int = 30           # after this, a ticket is served next whatever its lane
    no_show_min_recalls: int = 1     # recalls before a ticket may be marked no-show
    estimate_last_n: int = 10        # service times averaged for the wait estimate
    default_service_min: int = 5     # assumed service time before today has any
    next_when_called: str = "ask"    # NEXT_WHEN_CALLED: "next" over a ticket never started

    @property
    def max_wait_ms(self) -> int:
        return self.max_wait_min * 60_000


def load(db: sqlite_utils.Database) -> QueueSettings:
    """The current settings; a malformed value is an error naming its key (changes nothing)."""
    values: dict[str, int | str] = {}
    for key, value in db.conn.execute(
            "SELECT key, value FROM settings WHERE key LIKE 'queue.%'").fetchall():
        if key == "queue.next_when_called":
            text = str(value).strip().lower()
            if text not in NEXT_WHEN_CALLED:
                raise ValidationError(f"settings {key}", f"{value!r} is not one of "
                                      f"{', '.join(NEXT_WHEN_CALLED)}; fix it in the admin "
                                      "screen or on the city server")
            values[key.removeprefix("queue.")] = text
            continue
        if key not in KEYS:
            continue
        attr, _default, minimum = KEYS[key]
        try:
            number = int(str(value).strip())
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise ValidationError(f"settings {key}", f"{value!r} is not a whole number >= {minimum}; "
                                  "fix it in the admin screen or on the city server")
        values[attr] = number
    return QueueSettings(**values)
