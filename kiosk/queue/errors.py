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
