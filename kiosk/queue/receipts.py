"""The printed ticket: the receipt a new (or reprinted) queue ticket puts on paper.

Built inside the caller's transaction, so the print job commits with the ticket
(kiosk.print_queue); the layout itself is devices/printer's.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import Stamp, local_time
from kiosk.queue.models import Ticket
from kiosk.receipt import Receipt, status_link

PRIORITY_LABELS_ID = {"lansia": "Lansia", "disabilitas": "Disabilitas",
                      "hamil": "Ibu hamil / membawa balita"}
RECEIPT_FOOTER = ["Terima kasih. Mohon menunggu panggilan."]


def ticket_receipt(rt, ticket: Ticket, service: dict, stamp: Stamp, ahead: int | None,
                   wait_min: int | None, local: datetime | None = None) -> Receipt:
    """``local``: the stamp in the office's time zone when the caller has it already."""
    tz = rt.office_tz
    t = local or local_time(stamp, tz)
    when = f"{t.day:02d}-{t.month:02d}-{t.year} {t.hour:02d}:{t.minute:02d} {tz}"  # strftime: 10x slower
    lines = []
    if ticket.priority:
        lines.append(f"Prioritas: {PRIORITY_LABELS_ID[ticket.priority]}")
    if wait_min is not None:
        lines.append(f"Perkiraan waktu tunggu: {wait_min} menit")
    return Receipt(office_name=rt.config.office.name, title="NOMOR ANTRIAN",
                   big_number=ticket.number, service=service["name_id"], local_time=when,
                   people_ahead=ahead, qr=status_link(_status_server(rt), ticket.id),
                   lines=lines, footer=list(RECEIPT_FOOTER))


def _status_server(rt) -> str:
    """The city server the ticket's status link points at: ``sync.server`` of config.toml,
    else the server this kiosk enrolled with; empty when there is none."""
    if rt.config.sync.server:
        return rt.config.sync.server
    row = rt.db.conn.execute("SELECT server FROM sync_credentials WHERE id = 1").fetchone()
    return row[0] if row else ""
