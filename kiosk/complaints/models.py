"""Complaints (pengaduan): their categories and their life.

A complaint is made at the kiosk (office-owned: the ``complaints`` row and its ``received``
event are pushed through the outbox) and handled by the city: its status and answer are
city-owned and come down by sync (table ``complaint_status``). Its life::

    received -> forwarded -> in_progress -> answered (with the city's answer) -> closed

Any status may also close (a duplicate, a complaint withdrawn); the city server enforces
the steps (``kiosk server complaint answer``), the kiosk only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("received", "forwarded", "in_progress", "answered", "closed")
#: status -> the statuses the city may move it to (checked on the city server).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("forwarded", "in_progress", "answered", "closed"),
    "forwarded": ("in_progress", "answered", "closed"),
    "in_progress": ("answered", "closed"),
    "answered": ("in_progress", "closed"),
    "closed": (),
}
#: Moving to these needs the city's answer text.
NEEDS_ANSWER = ("answered",)


@dataclass(frozen=True)
class Category:
    """A complaint category (city-owned, table ``complaint_categories``)."""

    code: str               # "jalan"
    name_id: str            # "Jalan dan drainase"
    name_en: str
    icon: str = ""


@dataclass(frozen=True)
class ComplaintSubmitted:
    """A complaint taken: its tracking code and receipt print job. The complaint's text is
    deliberately not in here: nothing after submission shows it on the shared screen."""

    code: str               # "P-7K3M9QX"
    complaint_id: str
    category: str
    status: str             # "received"
    print_job_id: str
    created: str            # ISO 8601 in the office's time zone
