"""The office client's ``letters`` feature: staff processing of letter requests and the
letters it issues, each operation declared once (kiosk.optable; docs/ARCHITECTURE.md "How
to add an operation"). Declared only: the lead wires it into the office client and the
LAN server (``office.letters.approve_request(...)``, ``/lan/letters/...``).

Results are plain: StatusView (its ``from_dict`` is in kiosk.letters.ops_table's
WIRE_DECODERS), IssuedLetter (flat: ``cls(**data)``), dicts, lists of strings and a job id.
"""

from __future__ import annotations

from kiosk.letters.issuing import (approve_request, checklist_of, issued_letter, mark_collected,
                                   mark_ready, reject_request, request_change, revoke_letter,
                                   verify_request)
from kiosk.letters.models import IssuedLetter
from kiosk.letters.printing import letter_pdf, print_letter
from kiosk.optable import Feature, Op
from kiosk.tracking import StatusView

LETTER_OPS: tuple[Op, ...] = (
    Op(checklist_of, "GET", "/{code}/checklist", list[str]),
    Op(verify_request, "POST", "/{code}/verify", StatusView, writes=True,
       wire_defaults={"staff_id": None}),
    Op(approve_request, "POST", "/{code}/approve", IssuedLetter, writes=True,
       wire_defaults={"staff_id": None}),
    Op(reject_request, "POST", "/{code}/reject", StatusView, writes=True,
       wire_defaults={"staff_id": None}),
    Op(request_change, "POST", "/{code}/change", StatusView, writes=True,
       wire_defaults={"staff_id": None}),
    Op(mark_ready, "POST", "/{code}/ready", StatusView, writes=True,
       wire_defaults={"staff_id": None}),
    Op(mark_collected, "POST", "/{code}/collected", StatusView, writes=True,
       wire_defaults={"staff_id": None}),
    Op(revoke_letter, "POST", "/{code}/revoke", IssuedLetter, writes=True,
       wire_defaults={"staff_id": None}),
    Op(issued_letter, "GET", "/{code}", IssuedLetter),
    Op(letter_pdf, "GET", "/{code}/pdf", dict),
    Op(print_letter, "POST", "/{code}/print", str, writes=True, answer_key="job_id"),
)

#: Staff processing of letter requests and the letters issued (the counter's Permohonan tab).
LETTERS = Feature("letters", "/letters", LETTER_OPS)
