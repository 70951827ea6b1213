"""Read-only views of the queue (skeleton; bodies follow)."""

from __future__ import annotations

from kiosk.queue.models import BoardState, QueueEvent, Service, Ticket


def list_services(rt) -> list[Service]:
    raise NotImplementedError


def waiting(rt, service_ids: list[str] | None = None) -> list[Ticket]:
    raise NotImplementedError


def current_ticket(rt, counter_id: str) -> Ticket | None:
    raise NotImplementedError


def board_state(rt) -> BoardState:
    raise NotImplementedError


def events_since(rt, after_id: int, limit: int = 200) -> list[QueueEvent]:
    raise NotImplementedError


def counters(rt) -> list[dict]:
    raise NotImplementedError


def printer_state(rt) -> dict:
    raise NotImplementedError


def status(rt) -> dict:
    raise NotImplementedError
