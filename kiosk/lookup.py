"""One status check for any receipt code: the kiosk's "Cek Status" screen scans a QR or
takes a typed code and calls :func:`lookup_status`; the code's kind letter (S or P,
kiosk.tracking) says whether it is a letter request or a complaint."""

from __future__ import annotations

from kiosk import tracking
from kiosk.complaints.operations import complaint_status
from kiosk.errors import ValidationError
from kiosk.letters.operations import request_status
from kiosk.tracking import StatusView


def lookup_status(rt, code: str) -> StatusView:
    """The status of the request or complaint with this code (a link or a code, as scanned
    or typed); ValidationError ``not_code`` when it cannot be a code, NotFoundError
    ``code_unknown`` when no such request or complaint is here."""
    canonical = tracking.code_from_scan(str(code))
    kind = tracking.kind_of(canonical) if canonical else None
    if kind == "request":
        return request_status(rt, canonical)
    if kind == "complaint":
        return complaint_status(rt, canonical)
    raise ValidationError("code", f"{code!r} is not a receipt code like S-7K3M9QX or "
                          "P-7K3M9QX", code="not_code")
