"""JSON Schemas of Open311 GeoReport v2's JSON answers, written from the spec
(https://wiki.open311.org/GeoReport_v2: "GET Service List", "GET service_requests", "GET
service_request"), for tests/test_public_pages.py.

The spec's fields, their types and the values it allows; W3C date-times with an offset. A
server may leave optional fields out (we have no address, lat/long or media for a letter).
"""

from __future__ import annotations

#: W3C date-time (ISO 8601) with seconds and an explicit offset, as the spec's examples.
W3C_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"

_TEXT = {"type": ["string", "null"]}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string", "minLength": 1},
        "service_name": {"type": "string"},
        "description": _TEXT,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": _TEXT,
        "group": _TEXT,
    },
}

SERVICES = {"type": "array", "items": SERVICE}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1},
        "status": {"enum": ["open", "closed"]},
        "status_notes": _TEXT,
        "service_name": _TEXT,
        "service_code": {"type": "string"},
        "description": _TEXT,
        "agency_responsible": _TEXT,
        "service_notice": _TEXT,
        "requested_datetime": {"type": "string", "pattern": W3C_DATETIME},
        "updated_datetime": {"type": ["string", "null"], "pattern": W3C_DATETIME},
        "expected_datetime": {"type": ["string", "null"], "pattern": W3C_DATETIME},
        "address": _TEXT,
        "address_id": _TEXT,
        "zipcode": _TEXT,
        "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]},
        "media_url": _TEXT,
    },
}

REQUESTS = {"type": "array", "items": REQUEST}
