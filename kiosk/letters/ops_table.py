"""The office client's ``requests`` and ``complaints`` features, each operation declared once
(kiosk.optable describes the fields and the wire form; docs/ARCHITECTURE.md "How to add an
operation"). Declared only: wiring them into the office client and the LAN server
(``office.requests.submit_request(...)``, ``/lan/requests/...``) is the lead's step.

Wire decoding: sync.lan.wire.decode rebuilds a flat dataclass with ``cls(**data)``; the
results here nest dataclasses (a LetterType's FieldSpecs and their Choices, Submitted's
FieldWarnings, StatusView's NextStep) and hold tuples, which JSON turns into lists. Each
such type has a ``from_dict`` that rebuilds it whole: :data:`WIRE_DECODERS` is the entry
for wire.decode's ``_DECODERS`` table.
"""

from __future__ import annotations

from typing import Any

from kiosk.complaints import operations as complaints
from kiosk.complaints.models import Category, ComplaintSubmitted
from kiosk.letters import operations as letters
from kiosk.letters.models import LetterRequest, LetterType, RequestEvent, Submitted
from kiosk.lookup import lookup_status
from kiosk.optable import Feature, Op
from kiosk.tracking import StatusView

REQUEST_OPS: tuple[Op, ...] = (
    Op(letters.list_letter_types, "GET", "/types", list[LetterType]),
    # before "/{code}": routes match in order, and "list" is not a code
    Op(letters.list_requests, "GET", "/list", list[dict],
       wire_limits={"limit": {"ge": 1, "le": 1000}}),
    Op(letters.submit_request, "POST", "", Submitted, writes=True),
    Op(lookup_status, "GET", "/lookup/{code}", StatusView),
    Op(letters.request_status, "GET", "/{code}/status", StatusView),
    Op(letters.change_request_status, "POST", "/{code}/status", StatusView, writes=True,
       wire_defaults={"reason": None}),
    Op(letters.get_request, "GET", "/{code}", LetterRequest),
    Op(letters.request_history, "GET", "/{code}/events", list[RequestEvent]),
)

COMPLAINT_OPS: tuple[Op, ...] = (
    Op(complaints.list_categories, "GET", "/categories", list[Category]),
    Op(complaints.submit_complaint, "POST", "", ComplaintSubmitted, writes=True,
       wire_defaults={"contact": None, "anonymous": False}),
    Op(complaints.complaint_status, "GET", "/{code}/status", StatusView),
)

#: Letter requests: the catalogue, taking a request, its status and (for staff) its life.
REQUESTS = Feature("requests", "/requests", REQUEST_OPS)
#: Complaints: the categories, taking a complaint, its status.
COMPLAINTS = Feature("complaints", "/complaints", COMPLAINT_OPS)

#: Result types that need more than ``cls(**data)`` to come back from JSON.
WIRE_DECODERS: dict[Any, Any] = {
    LetterType: LetterType.from_dict,
    Submitted: Submitted.from_dict,
    StatusView: StatusView.from_dict,
}
