"""Errors of the queue. Messages are shown to counter staff, so they are in Bahasa Indonesia
and say what to do next; the technician's detail (ids, setting keys) follows in brackets."""

from kiosk.errors import KioskError


class QuotaExhausted(KioskError):
    """The service's daily cap (services.daily_cap) is reached: "kuota habis"."""


class InvalidTransition(KioskError):
    """The ticket or counter is not in a state that allows this step; nothing was changed."""


class NotServedYet(InvalidTransition):
    """"Next" while the counter's ticket was called but never started, and the office asks
    first (setting ``queue.next_when_called = ask``): nothing was changed. The counter asks
    the staff whether to mark it no-show."""

    def __init__(self, message: str, *, ticket_id: str = "", number: str = "") -> None:
        self.ticket_id = ticket_id
        self.number = number
        super().__init__(message)
