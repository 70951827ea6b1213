"""The queue's value types, shared by the domain, the LAN API and the screens.

They are frozen dataclasses of plain values so that ``dataclasses.asdict`` gives JSON for the
change feed and the LAN API, and ``Ticket(**d)`` rebuilds one on the other side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Priority lanes. ``hamil`` covers ibu hamil and a parent carrying a small child (balita).
PRIORITY_KINDS = ("lansia", "disabilitas", "hamil")

#: A ticket's life: waiting -> called -> serving -> done, with no_show and transferred as exits.
STATUSES = ("waiting", "called", "serving", "done", "no_show", "transferred")

#: What the change feed reports.
EVENT_KINDS = ("issued", "called", "recalled", "started", "finished", "no_show", "transferred",
               "counter")


@dataclass(frozen=True)
class Service:
    """A service as the kiosk offers it today (reference table ``services`` plus today's counts)."""

    id: str
    prefix: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    daily_cap: int | None
    issued_today: int
    waiting: int


@dataclass(frozen=True)
class Ticket:
    id: str
    number: str                      # "A-012"
    service_id: str
    prefix: str
    seq: int
    business_day: str                # "2026-11-23" in the office's time zone
    priority: str | None             # one of PRIORITY_KINDS or None
    status: str                      # one of STATUSES
    counter_id: str | None
    counter_number: int | None
    recalls: int
    arrival_ms: int                  # original arrival; kept on transfer (fairness)
    issued_ms: int
    called_ms: int | None
    started_ms: int | None
    finished_ms: int | None
    staff_id: str | None
    transferred_from: str | None = None   # the ticket this one continues after a transfer
    arrival_seq: int = 0             # order of arrival (kept on transfer); the queue's order
    time_uncertain: bool = False     # a time on it is an estimate: the wall clock was wrong


@dataclass(frozen=True)
class Issued:
    ticket: Ticket
    people_ahead: int
    estimated_wait_min: int | None
    print_job_id: str


@dataclass(frozen=True)
class Call:
    """One announcement on the board."""

    id: str
    ticket_id: str
    number: str
    service_id: str
    counter_number: int
    kind: str                        # "call" | "recall"
    at_ms: int


@dataclass(frozen=True)
class BoardState:
    current: Call | None             # the newest call of the business day
    recent: list[Call]               # the calls before it, newest first, one per ticket, up to 6
    serving: dict[int, str]          # counter number -> ticket number (called or serving)
    waiting: dict[str, int]          # service prefix -> waiting count
    running_text: str                # settings key 'running_text'


@dataclass(frozen=True)
class QueueEvent:
    """One entry of the change feed that boards and consoles follow."""

    id: int                          # increasing, gapless per office database
    kind: str                        # one of EVENT_KINDS
    ticket: dict | None              # Ticket as dict (dataclasses.asdict)
    call: dict | None                # Call as dict for called/recalled
    at_ms: int
    counter: dict | None = field(default=None)   # for kind "counter": the counter's new state
    time_uncertain: bool = False     # at_ms is an estimate: the wall clock was not believed
