"""The queue's state changes (skeleton; bodies follow)."""

from __future__ import annotations

from kiosk.queue.models import Issued, Ticket


def issue_ticket(rt, service_id: str, priority: str | None = None) -> Issued:
    raise NotImplementedError


def call_next(rt, counter_id: str, service_ids: list[str] | None = None,
              staff_id: str | None = None) -> Ticket | None:
    raise NotImplementedError


def recall(rt, ticket_id: str) -> Ticket:
    raise NotImplementedError


def start_service(rt, ticket_id: str) -> Ticket:
    raise NotImplementedError


def finish(rt, ticket_id: str) -> Ticket:
    raise NotImplementedError


def no_show(rt, ticket_id: str) -> Ticket:
    raise NotImplementedError


def transfer(rt, ticket_id: str, to_service_id: str) -> Ticket:
    raise NotImplementedError


def set_counter(rt, counter_id: str, *, service_ids: list[str], staff_id: str | None,
                paused: bool) -> None:
    raise NotImplementedError


def reprint_ticket(rt, ticket_id: str) -> str:
    raise NotImplementedError
