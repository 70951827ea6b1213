"""The queue's operations, each declared once: what runs, whether it writes, and how it travels.

``LocalQueue`` (kiosk.queue.client) gets one method per entry; ``RemoteQueue`` and the wire
decoding (sync.lan) follow the same entries, and a test (tests/test_office_ops_parity.py)
checks the ``QueueClient`` protocol, both clients and a real LAN round trip against it.
Adding an operation is one :class:`Op` here plus its domain function (docs/ARCHITECTURE.md).

The wire form of an entry: its path's ``{names}`` are path parameters; the other arguments
go in the JSON body (POST/PUT) or the query string (GET, a list as ``a,b``), under
``wire_names`` when the query spells them otherwise. ``answer_key`` wraps the answer in a
one-key object (``{"ticket": ...}``); ``result`` is the type the answer decodes into.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.queue import operations, views
from kiosk.queue.models import BoardState, Issued, QueueEvent, Service, Ticket

#: The largest event id SQLite can hold (a signed 64-bit INTEGER).
MAX_EVENT_ID = 2**63 - 1


@dataclass(frozen=True)
class Op:
    fn: Callable[..., Any]          # the domain function, called as fn(rt, *args, **kwargs)
    method: str                     # HTTP method of its LAN route
    path: str                       # under /lan; {name} is an argument of fn
    result: Any                     # what it returns: a type, list[...], X | None, or None
    writes: bool = False            # changes the queue: Idempotency-Key, wakes the feed
    answer_key: str | None = None   # the answer is {answer_key: value}
    wire_names: dict[str, str] = field(default_factory=dict)   # argument -> query name
    #: Defaults the LAN route gives a body field fn itself requires (older clients omit it).
    wire_defaults: dict[str, Any] = field(default_factory=dict)
    #: Bounds of an integer argument on the LAN (``{"ge": 0}``): outside them is a 422.
    wire_limits: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def signature(self) -> inspect.Signature:
        """fn's signature without the runtime: what a client method takes."""
        params = list(inspect.signature(self.fn).parameters.values())[1:]
        return inspect.Signature(params)

    @property
    def path_args(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def other_args(self) -> list[str]:
        return [p for p in self.signature.parameters if p not in self.path_args]


QUEUE_OPS: tuple[Op, ...] = (
    Op(views.list_services, "GET", "/services", list[Service]),
    Op(operations.issue_ticket, "POST", "/tickets", Issued, writes=True),
    Op(operations.call_next, "POST", "/counters/{counter_id}/next", Ticket | None, writes=True,
       answer_key="ticket"),
    Op(operations.set_counter, "PUT", "/counters/{counter_id}", None, writes=True,
       wire_defaults={"staff_id": None, "paused": False}),
    Op(views.counters, "GET", "/counters", list[dict]),
    Op(views.employees, "GET", "/employees", list[dict]),
    Op(views.current_ticket, "GET", "/counters/{counter_id}/current", Ticket | None,
       answer_key="ticket"),
    Op(operations.recall, "POST", "/tickets/{ticket_id}/recall", Ticket, writes=True),
    Op(operations.start_service, "POST", "/tickets/{ticket_id}/start", Ticket, writes=True),
    Op(operations.finish, "POST", "/tickets/{ticket_id}/finish", Ticket, writes=True),
    Op(operations.no_show, "POST", "/tickets/{ticket_id}/no-show", Ticket, writes=True),
    Op(operations.transfer, "POST", "/tickets/{ticket_id}/transfer", Ticket, writes=True),
    Op(operations.reprint_ticket, "POST", "/tickets/{ticket_id}/reprint", str, writes=True,
       answer_key="print_job_id"),
    Op(views.waiting, "GET", "/waiting", list[Ticket]),
    Op(views.board_state, "GET", "/board", BoardState),
    Op(views.events_since, "GET", "/events-since", list[QueueEvent],
       wire_names={"after_id": "after"}, wire_defaults={"after_id": 0},
       wire_limits={"after_id": {"ge": 0, "le": MAX_EVENT_ID}, "limit": {"ge": 1, "le": 1000}}),
    Op(views.last_event_id, "GET", "/events/last", int, answer_key="last_event_id"),
    Op(views.printer_state, "GET", "/printer", dict),
    Op(views.status, "GET", "/status", dict),
)

QUEUE_OPS_BY_NAME: dict[str, Op] = {op.name: op for op in QUEUE_OPS}
