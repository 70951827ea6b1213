"""Complaints (pengaduan) made at the kiosk and answered by the city (docs/REQUESTS.md)."""

from kiosk.complaints.models import STATUSES, TRANSITIONS, Category, ComplaintSubmitted
from kiosk.complaints.operations import complaint_status, list_categories, submit_complaint

__all__ = ["STATUSES", "TRANSITIONS", "Category", "ComplaintSubmitted", "complaint_status",
           "list_categories", "submit_complaint"]
