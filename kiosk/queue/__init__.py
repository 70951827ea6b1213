"""Queue ticketing: numbering, fair ordering of priority lanes, the counter's steps, the board,
statistics. No Qt and no HTTP: the screens and the LAN API call these functions (or a
:class:`~kiosk.queue.client.QueueClient`). The rules are written down in docs/QUEUE.md.
"""

from kiosk.queue.errors import InvalidTransition, NotServedYet, QuotaExhausted
from kiosk.queue.models import (EVENT_KINDS, PRIORITY_KINDS, STATUSES, BoardState, Call, Issued,
                                QueueEvent, Service, Ticket)
from kiosk.queue.operations import (call_next, call_ticket, finish, issue_ticket, no_show, recall,
                                    reprint_ticket, set_counter, start_service, transfer)
from kiosk.queue.stats import export_csv, stats
from kiosk.queue.views import (board_state, counters, current_ticket, events_since, list_services,
                               status, waiting)

__all__ = [
    "EVENT_KINDS", "PRIORITY_KINDS", "STATUSES",
    "BoardState", "Call", "Issued", "QueueEvent", "Service", "Ticket",
    "InvalidTransition", "NotServedYet", "QuotaExhausted",
    "board_state", "call_next", "call_ticket", "counters", "current_ticket", "events_since", "export_csv",
    "finish", "issue_ticket", "list_services", "no_show", "recall",
    "reprint_ticket", "set_counter", "start_service", "stats", "status", "transfer", "waiting",
]

from kiosk.queue.client import LocalQueue, QueueClient  # noqa: E402  (client uses the above)

__all__ += ["LocalQueue", "QueueClient"]
