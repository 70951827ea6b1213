"""How screens reach the queue: the :class:`QueueClient` protocol and :class:`LocalQueue`.

The counter console and the board talk to a ``QueueClient`` and do not care whether the queue
database is on this machine (:class:`LocalQueue`, the edge appliance itself) or on the edge
across the office LAN (``sync.lan.client.RemoteQueue``).
"""

from __future__ import annotations

import inspect
import sqlite3
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from kiosk.errors import KioskError
from kiosk.queue.ops_table import QUEUE_OPS, Op
from kiosk.queue.models import BoardState, Issued, QueueEvent, Service, Ticket
from kiosk.runtime import Runtime

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
    def printer_state(self) -> dict: ...
    def status(self) -> dict: ...
    def last_event_id(self) -> int: ...
    def reprint_ticket(self, ticket_id: str) -> str: ...
    def watch(self, on_event: Callable[[QueueEvent], None], on_connection: Callable[[bool], None],
              stop: threading.Event, after_id: int = 0) -> None: ...


class LocalQueue:
    """QueueClient over a Runtime on this machine: one method per entry of
    kiosk.queue.ops_table (added below the class), plus :meth:`watch`.

    One sqlite3 connection must not be shared by threads mid-transaction (a second thread's
    ``write_tx`` would nest inside the first one's), so every call holds one lock; the UI's
    worker pool and the watch loop may then share the runtime safely.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._lock = threading.RLock()

    def _run(self, fn, *args, **kwargs):
        with self._lock:
            return fn(self.rt, *args, **kwargs)

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


def _local_method(op: Op):
    def method(self: LocalQueue, *args, **kwargs):
        return self._run(op.fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = op.fn.__doc__
    method.__signature__ = op.signature.replace(  # type: ignore[attr-defined]
        parameters=[inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                    *op.signature.parameters.values()])
    return method


for _op in QUEUE_OPS:
    setattr(LocalQueue, _op.name, _local_method(_op))
