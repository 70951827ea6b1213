"""The letter catalogue's types and a request's life, shared by the domain, the LAN API,
the CLI and the screens. Frozen dataclasses of plain values: ``dataclasses.asdict`` gives
JSON, and ``from_dict`` rebuilds the nested ones on the other side.

A request's life (docs/REQUESTS.md)::

    submitted -> checking -> awaiting_signature -> ready -> collected
        |            |              |               |
        +------------+--------------+---------------+--> rejected (with a reason)
                                                    +--> cancelled (with a reason)

A letter type that needs no verification (``needs_verification`` False) may go from
submitted straight to awaiting_signature. Collected, rejected and cancelled are final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.nik import FieldWarning

#: The kinds of field a letter asks for; each has its rule in kiosk.letters.validation and
#: its input on the screen (numeric keypad for number/nik/kk/phone/rt_rw, the keyboard for
#: text, a picker for date/time/choice).
FIELD_KINDS = ("text", "long_text", "number", "date", "time", "nik", "kk", "phone", "choice",
               "rt_rw")

STATUSES = ("submitted", "checking", "awaiting_signature", "ready", "collected", "rejected",
            "cancelled")
FINAL_STATUSES = ("collected", "rejected", "cancelled")
#: status -> the statuses staff may move it to (kiosk.letters.operations.change_request_status)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("checking", "awaiting_signature", "rejected", "cancelled"),
    "checking": ("awaiting_signature", "rejected", "cancelled"),
    "awaiting_signature": ("ready", "rejected", "cancelled"),
    "ready": ("collected", "cancelled"),
    "collected": (),
    "rejected": (),
    "cancelled": (),
}
#: Moving to these needs a reason the citizen is told.
NEEDS_REASON = ("rejected", "cancelled")


@dataclass(frozen=True)
class Choice:
    value: str              # what is stored ("kawin")
    label_id: str           # what the citizen reads ("Kawin")
    label_en: str


@dataclass(frozen=True)
class FieldSpec:
    """One thing a letter asks for. ``group`` gathers fields that share a screen (the
    citizen's path never scrolls: one group per page, e.g. "pemohon", "usaha", "saksi_1")."""

    key: str
    kind: str                        # one of FIELD_KINDS
    label_id: str
    label_en: str
    required: bool = True
    choices: tuple[Choice, ...] = ()  # for kind "choice"
    max_length: int | None = None    # text kinds; default by kind (validation.MAX_LENGTH)
    group: str = "pemohon"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FieldSpec":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["choices"] = tuple(Choice(**c) if isinstance(c, dict) else Choice(*c)
                                 for c in known.get("choices") or ())
        return cls(**known)


@dataclass(frozen=True)
class LetterType:
    """One kind of letter the office makes. City-owned (table ``letter_types``, pulled
    down); ``fields`` are the letter's own, after the common APPLICANT_FIELDS."""

    code: str                        # "SKU"
    name_id: str                     # "Surat Keterangan Usaha"
    name_en: str
    description_id: str
    description_en: str
    icon: str                        # an icon name the screens map to an image ("store")
    fields: tuple[FieldSpec, ...]
    documents_id: tuple[str, ...]    # what to bring when collecting it ("KTP asli")
    documents_en: tuple[str, ...]
    validity_days: int | None        # how long the letter is valid; None: no limit
    needs_verification: bool = True  # staff check the documents before it is signed

    def all_fields(self) -> tuple[FieldSpec, ...]:
        """The applicant's fields, then the letter's own: the order the screens ask them."""
        return APPLICANT_FIELDS + self.fields

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LetterType":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["fields"] = tuple(FieldSpec.from_dict(f) for f in known.get("fields") or ())
        for key in ("documents_id", "documents_en"):
            known[key] = tuple(known.get(key) or ())
        return cls(**known)


SEX_CHOICES = (Choice("L", "Laki-laki", "Male"), Choice("P", "Perempuan", "Female"))
RELIGION_CHOICES = tuple(Choice(v, v, en) for v, en in (
    ("Islam", "Islam"), ("Kristen", "Protestant"), ("Katolik", "Catholic"),
    ("Hindu", "Hindu"), ("Buddha", "Buddhist"), ("Khonghucu", "Confucian"),
    ("Kepercayaan", "Indigenous belief")))
MARITAL_CHOICES = (Choice("belum_kawin", "Belum kawin", "Not married"),
                   Choice("kawin", "Kawin", "Married"),
                   Choice("cerai_hidup", "Cerai hidup", "Divorced"),
                   Choice("cerai_mati", "Cerai mati", "Widowed"))

#: What every request carries about the person asking (as on the KTP).
APPLICANT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("nik", "nik", "NIK", "NIK (ID number)", group="identitas"),
    FieldSpec("kk", "kk", "Nomor KK", "Family card number", group="identitas"),
    FieldSpec("name", "text", "Nama lengkap", "Full name", max_length=80),
    FieldSpec("birth_place", "text", "Tempat lahir", "Place of birth", max_length=60),
    FieldSpec("birth_date", "date", "Tanggal lahir", "Date of birth"),
    FieldSpec("sex", "choice", "Jenis kelamin", "Sex", choices=SEX_CHOICES),
    FieldSpec("address", "text", "Alamat", "Address", max_length=120, group="alamat"),
    FieldSpec("rt_rw", "rt_rw", "RT/RW", "RT/RW", group="alamat"),
    FieldSpec("religion", "choice", "Agama", "Religion", choices=RELIGION_CHOICES,
              group="data_diri"),
    FieldSpec("marital_status", "choice", "Status perkawinan", "Marital status",
              choices=MARITAL_CHOICES, group="data_diri"),
    FieldSpec("occupation", "text", "Pekerjaan", "Occupation", max_length=60,
              group="data_diri"),
    FieldSpec("phone", "phone", "Nomor HP (boleh kosong)", "Phone (optional)", required=False,
              group="data_diri"),
)
APPLICANT_KEYS = tuple(f.key for f in APPLICANT_FIELDS)


@dataclass(frozen=True)
class Submitted:
    """A request taken: its tracking code for the receipt, the kind warnings about what was
    typed (e.g. the NIK's birth date differs from the one typed), and the receipt's print
    job (kiosk.print_queue)."""

    code: str                        # "S-7K3M9QX"
    request_id: str
    type_code: str
    status: str                      # "submitted"
    warnings: tuple[FieldWarning, ...]
    print_job_id: str
    created: str                     # ISO 8601 in the office's time zone
    nik_masked: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Submitted":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["warnings"] = tuple(FieldWarning(w["code"], w["field"], dict(w.get("fields") or {}))
                                  for w in known.get("warnings") or ())
        return cls(**known)


@dataclass(frozen=True)
class RequestEvent:
    """One change of a request's status: who (``staff_id``; None for the kiosk), when, why."""

    id: str
    request_id: str
    code: str
    from_status: str | None
    to_status: str
    staff_id: str | None
    reason: str | None
    at_ms: int


@dataclass(frozen=True)
class LetterRequest:
    """A request as staff see it (the next issue's screens). ``applicant`` and ``details``
    are the values as validated; ``nik_masked`` is what a shared screen may show."""

    id: str
    code: str
    type_code: str
    status: str
    status_reason: str | None
    applicant: dict[str, Any]
    details: dict[str, Any]
    nik_masked: str
    warnings: list[dict[str, Any]] = field(default_factory=list)
    created_ms: int = 0
    updated_ms: int = 0


@dataclass(frozen=True)
class IssuedLetter:
    """A letter approved: its number, the facts its seal covers (kiosk.letters.seal), who
    signs it and the seal. A row of ``issued_letters``; ``public_key`` is the base64url of
    the sealing key's public half (the device's enrolled identity)."""

    id: str
    request_id: str
    code: str
    office_code: str
    number: str
    seq: int
    type_code: str
    applicant_name: str
    nik_masked: str
    issued_date: str                 # ISO date, office-local
    valid_until: str                 # ISO date, or "" for no limit
    staff_id: str | None
    signer_name: str
    signer_position: str
    signer_nip: str
    seal: str
    public_key: str
    revoked: bool = False
    created_ms: int = 0

    def sealed_facts(self) -> dict[str, Any]:
        """What kiosk.letters.seal signs and verifies."""
        return {"letter_id": self.id, "office_code": self.office_code, "number": self.number,
                "type_code": self.type_code, "applicant_name": self.applicant_name,
                "nik_masked": self.nik_masked, "issued_date": self.issued_date,
                "valid_until": self.valid_until}
