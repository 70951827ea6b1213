"""The receipt model: what a citizen takes home, with no knowledge of ESC/POS.

devices/printer renders it to bytes for a given paper width and printer profile. Texts are
given as the citizen should read them (Bahasa Indonesia first); the renderer makes them
ASCII-safe for the printer, so callers never worry about code pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
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
    language: str = "id"            # language of the fixed labels ("id" or "en")
    copy_note: str = ""             # e.g. "CETAK ULANG" on a staff-requested reprint

    def to_dict(self) -> dict[str, Any]:
        # Flat fields: a shallow copy with the lists copied is what asdict gives, without
        # its deepcopy (it showed in the ticket path: bench/tickets.py).
        data = dict(vars(self))
        data["lines"], data["footer"] = list(self.lines), list(self.footer)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Receipt":
        """Build from a stored dict; keys a newer version added are ignored, so an old kiosk
        can still print a job a newer one queued (after a downgrade)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def as_reprint(self) -> "Receipt":
        note = "CETAK ULANG" if self.language == "id" else "REPRINT"
        return replace(self, copy_note=note)


def status_link(server: str, ticket_id: str) -> str:
    """What a ticket's QR says: the city server's public status page of the ticket
    (``{server}/s/{ticket_id}``), so a citizen's phone shows how far the queue has come; the
    bare ticket id when the office has no server (staff can still scan it)."""
    server = server.strip().rstrip("/")
    return f"{server}/s/{ticket_id}" if server else ticket_id


def sample_receipt(office_name: str = "Kelurahan Contoh", local_time: str = "",
                   *, language: str = "id") -> Receipt:
    """The test receipt of ``kiosk printer test``: every part a real receipt has."""
    return Receipt(
        office_name=office_name,
        title="CETAK UJI" if language == "id" else "TEST PRINT",
        big_number="A-000",
        service="Surat Keterangan",
        local_time=local_time,
        people_ahead=0,
        qr="UJI-PRINTER-0000",
        lines=["Printer siap digunakan." if language == "id" else "The printer is ready.",
               "Àksen & “kutip” → ASCII"],
        footer=["Terima kasih" if language == "id" else "Thank you"],
        language=language,
    )
