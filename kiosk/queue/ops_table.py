"""The queue's operations, each declared once: what runs, whether it writes, and how it travels.

``LocalQueue`` (kiosk.queue.client) gets one method per entry; ``RemoteQueue`` and the wire
decoding (sync.lan) follow the same entries, and a test (tests/test_office_ops_parity.py)
checks the ``QueueClient`` protocol, both clients and a real LAN round trip against it.
Adding an operation is one :class:`Op` here plus its domain function (docs/ARCHITECTURE.md).
The :class:`~kiosk.optable.Op` fields and the wire form are described in kiosk.optable.
"""

from __future__ import annotations

from kiosk.optable import Feature, Op
from kiosk.queue import operations, views
from kiosk.queue.stats import export_text, stats
from kiosk.queue.models import BoardState, Issued, QueueEvent, Service, Ticket

#: The largest event id SQLite can hold (a signed 64-bit INTEGER).
MAX_EVENT_ID = 2**63 - 1


QUEUE_OPS: tuple[Op, ...] = (
    Op(views.list_services, "GET", "/services", list[Service]),
    Op(operations.issue_ticket, "POST", "/tickets", Issued, writes=True),
    Op(operations.call_next, "POST", "/counters/{counter_id}/next", Ticket | None, writes=True,
       answer_key="ticket"),
    Op(operations.call_ticket, "POST", "/counters/{counter_id}/call", Ticket, writes=True),
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
    Op(views.status, "GET", "/status", dict),
)

QUEUE_OPS_BY_NAME: dict[str, Op] = {op.name: op for op in QUEUE_OPS}

#: The queue as a feature of the office client; its LAN paths predate features (no prefix).
QUEUE = Feature("queue", "", QUEUE_OPS)

#: The queue's reports: statistics and the CSV export of a range of business days. The
#: export travels as text, so an admin screen across the LAN writes the file on its own disk.
REPORTS = Feature("reports", "/reports", (
    Op(stats, "GET", "/stats", dict),
    Op(export_text, "GET", "/export", dict),
))
