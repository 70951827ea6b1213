"""Checking what a citizen typed against a letter's fields, one rule per field kind.

Every problem is a :class:`~kiosk.errors.ValidationError` naming the field (its ``key``)
with a stable ``code`` the screens word (ui/errors.py): ``required``, ``too_long``,
``not_text``, ``not_number``, ``not_date``, ``not_time``, ``not_phone``, ``not_choice``,
``not_rt_rw``, ``unknown_field``, and the NIK/KK codes of kiosk.nik. The first problem is
raised (in the order the screens ask the fields), so the screen can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from kiosk import nik as nik_mod
from kiosk.errors import ValidationError
from kiosk.letters.models import FieldSpec
from kiosk.nik import FieldWarning

#: Longest text per kind when the field does not say (a receipt line, a paragraph).
MAX_LENGTH = {"text": 100, "long_text": 1000}
_RT_RW = re.compile(r"^\s*(\d{1,3})\s*[/\-. ]\s*(\d{1,3})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
#: Text a receipt printer and every database can keep: no control characters (a newline is
#: allowed in long text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def validate_fields(specs: Iterable[FieldSpec], values: dict[str, Any], *,
                    today: date | None = None) -> tuple[dict[str, Any], list[FieldWarning]]:
    """``values`` checked against ``specs``: the clean values (a missing optional field is
    None) and the warnings (e.g. a NIK's unknown kecamatan). A key no spec names is refused
    (``unknown_field``): a typo in a script must not vanish silently."""
    specs = tuple(specs)
    known = {s.key for s in specs}
    for key in values:
        if key not in known:
            raise ValidationError(str(key), f"this letter has no field {key!r}; its fields: "
                                  f"{', '.join(sorted(known))}", code="unknown_field")
    clean: dict[str, Any] = {}
    warnings: list[FieldWarning] = []
    for spec in specs:
        value, more = validate_value(spec, values.get(spec.key), today=today)
        clean[spec.key] = value
        warnings.extend(more)
    return clean, warnings


def validate_value(spec: FieldSpec, value: Any, *, today: date | None = None
                   ) -> tuple[Any, list[FieldWarning]]:
    """One field's clean value (None when empty and optional) and its warnings."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise ValidationError(spec.key, f"{spec.label_en} is required", code="required")
        return None, []
    if spec.kind == "number":
        return _number(spec, value), []
    if not isinstance(value, str):
        raise ValidationError(spec.key, f"{spec.label_en} must be text, got "
                              f"{type(value).__name__}", code="not_text")
    text = value.strip()
    if _CONTROL.search(text.replace("\n", " ") if spec.kind == "long_text" else text):
        raise ValidationError(spec.key, f"{spec.label_en} holds control characters",
                              code="not_text")
    if spec.kind in ("text", "long_text"):
        limit = spec.max_length or MAX_LENGTH[spec.kind]
        if len(text) > limit:
            raise ValidationError(spec.key, f"{spec.label_en} is {len(text)} characters; at "
                                  f"most {limit}", code="too_long",
                                  fields={"max_length": limit, "length": len(text)})
        return text if spec.kind == "long_text" else " ".join(text.split()), []
    if spec.kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), []
        except ValueError:
            raise ValidationError(spec.key, f"{spec.label_en}: {text!r} is not a date like "
                                  "2026-12-05", code="not_date") from None
    if spec.kind == "time":
        match = _TIME.match(text)
        try:
            return time(int(match[1]), int(match[2])).strftime("%H:%M"), []  # type: ignore[index]
        except (TypeError, ValueError):
            raise ValidationError(spec.key, f"{spec.label_en}: {text!r} is not a time like "
                                  "14:30", code="not_time") from None
    if spec.kind == "nik":
        info = nik_mod.parse_nik(text, field=spec.key, today=today)
        return info.number, list(info.warnings)
    if spec.kind == "kk":
        kk = nik_mod.parse_kk(text, field=spec.key, today=today)
        return kk.number, list(kk.warnings)
    if spec.kind == "phone":
        return _phone(spec, text), []
    if spec.kind == "choice":
        for choice in spec.choices:
            if text == choice.value or text.casefold() == choice.value.casefold():
                return choice.value, []
        raise ValidationError(spec.key, f"{spec.label_en}: {text!r} is not one of "
                              f"{', '.join(c.value for c in spec.choices)}", code="not_choice")
    if spec.kind == "rt_rw":
        match = _RT_RW.match(text)
        if not match or int(match[1]) == 0 or int(match[2]) == 0:
            raise ValidationError(spec.key, f"{spec.label_en}: {text!r} is not RT/RW like "
                                  "003/005", code="not_rt_rw")
        return f"{int(match[1]):03d}/{int(match[2]):03d}", []
    raise ValidationError(spec.key, f"field kind {spec.kind!r} is not known to this kiosk; "
                          "update the kiosk software", code="unknown_kind")


def _number(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise ValidationError(spec.key, f"{spec.label_en} must be a whole number from 0 to "
                              "1000000", code="not_number")
    return value


def _phone(spec: FieldSpec, text: str) -> str:
    """Library: lokal-id's ``parse_phone`` (Indonesian mobile and landline numbering)."""
    from lokal import parse_phone

    info = parse_phone(text)
    if not info.valid or not info.e164:
        raise ValidationError(spec.key, f"{spec.label_en}: {text!r} is not an Indonesian phone "
                              "number like 0812 3456 7890", code="not_phone")
    return "0" + info.e164[3:]
