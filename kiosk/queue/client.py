"""How screens reach the queue: the :class:`QueueClient` protocol and :class:`LocalQueue`.

The counter console and the board talk to a ``QueueClient`` and do not care whether the queue
database is on this machine (:class:`LocalQueue`, the edge appliance itself) or on the edge
across the office LAN (``sync.lan.client.RemoteQueue``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from kiosk.errors import KioskError
from kiosk.office import LocalFeature, register_local
from kiosk.queue.models import BoardState, Issued, QueueEvent, Service, Ticket
from kiosk.queue.ops_table import QUEUE

#: How often LocalQueue.watch looks for new events: well inside the board's 500 ms budget.
POLL_SECONDS = 0.15


@runtime_checkable
class QueueClient(Protocol):
    """The entries of kiosk.queue.ops_table.QUEUE_OPS plus ``watch``; a test
    (tests/test_office_ops_parity.py) keeps the two equal, signatures included."""

    def list_services(self) -> list[Service]: ...
    def issue_ticket(self, service_id: str, priority: str | None = None) -> Issued: ...
    def call_next(self, counter_id: str, service_ids: list[str] | None = None,
                  staff_id: str | None = None) -> Ticket | None: ...
    def call_ticket(self, counter_id: str, number: str, staff_id: str | None = None) -> Ticket: ...
    def recall(self, ticket_id: str) -> Ticket: ...
    def start_service(self, ticket_id: str) -> Ticket: ...
    def finish(self, ticket_id: str) -> Ticket: ...
    def no_show(self, ticket_id: str) -> Ticket: ...
    def transfer(self, ticket_id: str, to_service_id: str) -> Ticket: ...
    def set_counter(self, counter_id: str, *, service_ids: list[str], staff_id: str | None,
                    paused: bool) -> None: ...
    def waiting(self, service_ids: list[str] | None = None) -> list[Ticket]: ...
    def current_ticket(self, counter_id: str) -> Ticket | None: ...
    def board_state(self) -> BoardState: ...
    def events_since(self, after_id: int, limit: int = 200) -> list[QueueEvent]: ...
    def counters(self) -> list[dict]: ...
    def employees(self) -> list[dict]: ...
    def status(self) -> dict: ...
    def last_event_id(self) -> int: ...
    def reprint_ticket(self, ticket_id: str) -> str: ...
    def watch(self, on_event: Callable[[QueueEvent], None], on_connection: Callable[[bool], None],
              stop: threading.Event, after_id: int = 0) -> None: ...


class LocalQueue(LocalFeature):
    """QueueClient over a Runtime on this machine: one method per entry of
    kiosk.queue.ops_table (added by ``register_local`` below), plus :meth:`watch`.

    Every call holds the office's lock (kiosk.office.LocalFeature), so the UI's worker pool
    and the watch loop may share the runtime safely.
    """

    def watch(self, on_event: Callable[[QueueEvent], None], on_connection: Callable[[bool], None],
              stop: threading.Event, after_id: int = 0) -> None:
        """Poll the change feed until ``stop`` is set. The database is local, so the
        "connection" is up from the start; if reading it fails (a storage hiccup), the
        screen is told (``on_connection(False)``) and the loop keeps trying, so a board
        never freezes silently."""
        connected: bool | None = None
        while not stop.is_set():
            try:
                events = self.events_since(after_id)
            except (KioskError, sqlite3.Error):
                if connected is not False:
                    connected = False
                    on_connection(False)
                stop.wait(POLL_SECONDS * 4)
                continue
            if connected is not True:
                connected = True
                on_connection(True)
            for event in events:
                after_id = event.id
                on_event(event)
            if len(events) < 200:     # a full page means more is waiting: read on at once
                stop.wait(POLL_SECONDS)


register_local(QUEUE, LocalQueue)
