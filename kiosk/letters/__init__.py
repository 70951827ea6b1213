"""Letter requests (surat) made at the kiosk and processed by the office (docs/REQUESTS.md).

The screens call these (through the office client's ``requests`` feature); no Qt here."""

from kiosk.letters.models import (APPLICANT_FIELDS, FIELD_KINDS, STATUSES, TRANSITIONS, Choice,
                                  FieldSpec, LetterRequest, LetterType, RequestEvent, Submitted)
from kiosk.letters.operations import (change_request_status, get_request, list_letter_types,
                                      request_history, request_status, submit_request)

__all__ = ["APPLICANT_FIELDS", "FIELD_KINDS", "STATUSES", "TRANSITIONS", "Choice", "FieldSpec",
           "LetterRequest", "LetterType", "RequestEvent", "Submitted", "change_request_status",
           "get_request", "list_letter_types", "request_history", "request_status",
           "submit_request"]
