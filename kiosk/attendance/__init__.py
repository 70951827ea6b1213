"""Staff attendance at the terminal by the entrance (docs/ATTENDANCE.md): a signed badge
scanned (kiosk.badges), one event per scan within the duplicate window, corrections as new
events, and the month's report in the office's time zone; faces after the badge (docs/FACES.md)."""

from kiosk.attendance.faces import delete_face, enroll_face, face_roster
from kiosk.attendance.operations import correct_event, record_scan
from kiosk.attendance.reports import report

__all__ = ["correct_event", "delete_face", "enroll_face", "face_roster", "record_scan",
           "report"]
