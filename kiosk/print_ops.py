"""The printing feature of the office client: what screens may ask about the edge's printer.

The print jobs and the printer's last known state live in the edge's database
(kiosk.print_queue); a citizen kiosk or counter across the LAN asks through these.
"""

from __future__ import annotations

from kiosk import print_queue
from kiosk.optable import Feature, Op


def printer_state(rt) -> dict:
    """The printer as the print worker last saw it, with the number of jobs still waiting."""
    return print_queue.printer_state(rt.db)


def job_status(rt, job_id: str) -> str:
    """``pending``, ``done``, ``cancelled`` or ``failed`` (NotFoundError for an unknown id):
    the citizen screen follows its receipt with it."""
    return print_queue.job_status(rt.db, job_id)


#: Paths without a prefix: ``/lan/printer`` predates features.
PRINTING = Feature("printing", "", (
    Op(printer_state, "GET", "/printer", dict),
    Op(job_status, "GET", "/print-jobs/{job_id}", str, answer_key="status"),
))
