"""The office client's ``attendance`` feature (kiosk.optable; docs/ARCHITECTURE.md "How to
add an operation"). Declared only: wiring it into the office client and the LAN server is
the lead's step. ``ScanResult`` nests an event, so it has a ``from_dict`` for wire.decode
(:data:`WIRE_DECODERS`)."""

from __future__ import annotations

from typing import Any

from kiosk.attendance import faces, operations, reports
from kiosk.attendance.operations import AttendanceEvent, ScanResult
from kiosk.optable import Feature, Op

ATTENDANCE_OPS: tuple[Op, ...] = (
    Op(operations.record_scan, "POST", "/scans", ScanResult, writes=True),
    Op(operations.correct_event, "POST", "/events/{event_id}/correct", AttendanceEvent,
       writes=True),
    Op(reports.report, "GET", "/report", dict),
    # Faces (docs/FACES.md): the admin screen's enrolment list, enrolment and erasure.
    Op(faces.face_roster, "GET", "/faces", list[dict]),
    Op(faces.enroll_face, "POST", "/faces/{employee_id}", dict, writes=True),
    Op(faces.delete_face, "DELETE", "/faces/{employee_id}", dict, writes=True),
)

#: Staff attendance: a badge scan (and the face after it), its one-tap correction, the
#: month's report, the enrolled faces.
ATTENDANCE = Feature("attendance", "/attendance", ATTENDANCE_OPS)

WIRE_DECODERS: dict[Any, Any] = {ScanResult: ScanResult.from_dict}
