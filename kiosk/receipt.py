"""The receipt model: what a citizen takes home, with no knowledge of ESC/POS.

devices/printer renders it to bytes for a given paper width and printer profile.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Receipt:
    office_name: str
    title: str                      # e.g. "NOMOR ANTRIAN" or "TANDA TERIMA PERMOHONAN"
    big_number: str = ""            # e.g. "A-012", printed very large
    service: str = ""
    local_time: str = ""            # already in the office's time zone, e.g. "23-11-2026 08:15 WITA"
    people_ahead: int | None = None
    qr: str = ""                    # status link or tracking code
    lines: list[str] = field(default_factory=list)   # body lines (documents to bring, ...)
    footer: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Receipt":
        return cls(**data)
