"""What travels on the office LAN: names, versions, and the JSON form of the queue's types.

Both ends (sync.lan.server on the edge, sync.lan.client on counters and boards) import this
module, so a field or an error name is spelled in one place. Standard library and kiosk only:
a client never needs FastAPI to decode an answer.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from typing import Any, TypeVar, Union, get_args, get_origin

from kiosk.errors import DiskFullError, KioskError, NotFoundError, StoreError, ValidationError
from kiosk.queue.errors import InvalidTransition, NotServedYet, QuotaExhausted
from kiosk.attendance.ops_table import WIRE_DECODERS as ATTENDANCE_DECODERS
from kiosk.letters.ops_table import WIRE_DECODERS
from kiosk.queue.models import BoardState, Call, Issued, Ticket

#: Version of the LAN API. A client refuses an edge that speaks another one.
PROTOCOL_VERSION = 1
#: The zeroconf (DNS-SD) service type the edge advertises.
SERVICE_TYPE = "_kelurahan-edge._tcp.local."
#: Every path of the API starts here.
PREFIX = "/lan"
#: A client's retry of a mutating request carries the same key, so the edge does it once.
IDEMPOTENCY_HEADER = "Idempotency-Key"

#: Domain errors and the HTTP status each one is answered with. The JSON body names the class
#: (``{"error": "QuotaExhausted", "detail": "...", "field": ...}``) and RemoteQueue raises the
#: same class again, so a screen says the same precise thing on the edge and across the LAN.
ERROR_STATUS: dict[type[KioskError], int] = {
    NotFoundError: 404,
    QuotaExhausted: 409,
    NotServedYet: 409,    # before InvalidTransition, its base
    InvalidTransition: 409,
    ValidationError: 422,
    DiskFullError: 507,   # before StoreError, its base: the first isinstance match wins
    StoreError: 503,
}
ERRORS_BY_NAME: dict[str, type[KioskError]] = {cls.__name__: cls for cls in ERROR_STATUS}

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """An operation's value (dataclass, list, dict, date, None) as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, date):   # a report's range (datetime is a date too)
        return value.isoformat()
    return value


def _build(cls: type[T], data: dict[str, Any]) -> T:
    """``cls(**data)`` keeping only the fields ``cls`` knows, so an edge one release ahead
    (with an extra optional field) still talks to this client."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


def issued(data: dict[str, Any]) -> Issued:
    return Issued(ticket=_build(Ticket, data["ticket"]), people_ahead=data["people_ahead"],
                  estimated_wait_min=data["estimated_wait_min"], print_job_id=data["print_job_id"])


def call(data: dict[str, Any] | None) -> Call | None:
    return None if data is None else _build(Call, data)


def board_state(data: dict[str, Any]) -> BoardState:
    # JSON object keys are strings; the board's counters are numbers.
    return BoardState(current=call(data["current"]),
                      recent=[_build(Call, c) for c in data["recent"]],
                      serving={int(k): v for k, v in data["serving"].items()},
                      waiting=dict(data["waiting"]),
                      running_text=data["running_text"])


#: The queue's types that need more than ``_build`` (nested values, int keys).
_DECODERS: dict[Any, Any] = {Issued: issued, BoardState: board_state, **WIRE_DECODERS,
                             **ATTENDANCE_DECODERS}


def decode(shape: Any, data: Any) -> Any:
    """``data`` (JSON) as ``shape``, an operation's ``result`` in kiosk.queue.ops_table: a
    queue dataclass, ``list[...]``, ``X | None``, a plain JSON type, or None (no value)."""
    if shape is None:
        return None
    origin = get_origin(shape)
    if origin is list:
        (item,) = get_args(shape)
        return [decode(item, d) for d in data]
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [a for a in get_args(shape) if a is not type(None)]
        return decode(inner, data)
    if shape in _DECODERS:
        return _DECODERS[shape](data)
    if dataclasses.is_dataclass(shape):
        return _build(shape, data)
    if shape is int:
        return int(data)
    return data


def error_body(exc: KioskError) -> dict[str, Any]:
    """``code`` and ``fields`` let the client's screen word the error in its own language."""
    return {"error": type(exc).__name__, "detail": str(exc),
            "field": getattr(exc, "field", None), "message": getattr(exc, "message", None),
            "code": exc.code, "fields": _plain(exc.fields)}


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
            for k, v in fields.items()}


def error_from_body(body: dict[str, Any]) -> KioskError | None:
    """The domain error an edge reported, rebuilt as the same kiosk.errors class; None when the
    body does not name one we know."""
    cls = ERRORS_BY_NAME.get(str(body.get("error")))
    if cls is None:
        return None
    code = body.get("code") if isinstance(body.get("code"), str) else None
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}
    if cls is ValidationError:
        return ValidationError(body.get("field") or "(request)",
                               body.get("message") or body.get("detail") or "",
                               code=code, fields=fields)
    return cls(body.get("detail") or cls.__name__, code=code, fields=fields)
