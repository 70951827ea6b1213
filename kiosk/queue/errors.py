"""Errors of the queue. Messages are shown to counter staff, so they are in Bahasa Indonesia
and say what to do next; the technician's detail (ids, setting keys) follows in brackets."""

from kiosk.errors import KioskError


class QuotaExhausted(KioskError):
    """The service's daily cap (services.daily_cap) is reached: "kuota habis"."""

    code = "quota_exhausted"


class InvalidTransition(KioskError):
    """The ticket or counter is not in a state that allows this step; nothing was changed.
    Codes: ticket_state, recall_first, same_service, counter_paused (the default: invalid_step)."""

    code = "invalid_step"


class NotServedYet(InvalidTransition):
    """"Next" while the counter's ticket was called but never started, and the office asks
    first (setting ``queue.next_when_called = ask``): nothing was changed. The counter asks
    the staff whether to mark it no-show. ``fields`` carry ``ticket_id`` and ``number`` so a
    counter across the LAN can ask too."""

    code = "not_served_yet"

    def __init__(self, message: str = "", *, ticket_id: str = "", number: str = "",
                 code: str | None = None, fields: dict | None = None) -> None:
        fields = {"ticket_id": ticket_id, "number": number, **(fields or {})}
        self.ticket_id = fields["ticket_id"]
        self.number = fields["number"]
        super().__init__(message, code=code, fields=fields)
