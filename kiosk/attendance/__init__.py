"""Staff attendance at the terminal by the entrance (docs/ATTENDANCE.md): a signed badge
scanned (kiosk.badges), one event per scan within the duplicate window, corrections as new
events, and the month's report in the office's time zone."""

from kiosk.attendance.operations import correct_event, record_scan
from kiosk.attendance.reports import report

__all__ = ["correct_event", "record_scan", "report"]
