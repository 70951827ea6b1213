"""DLE EOT real-time status, as ESC/POS printers answer it.

Each query (``DLE EOT n``, bytes 0x10 0x04 n) is answered with one byte whose bits 1 and 4
are always set and bits 0 and 7 always clear (so 0x12 means "nothing to report"):

    n=1 printer status   bit 3: offline
    n=2 offline cause    bit 2: cover open, bit 3: paper fed by the button,
                         bit 5: stopped because the paper ran out, bit 6: error
    n=4 paper sensor     bits 2+3: roll near its end, bits 5+6: paper out

python-escpos's ``is_online()``/``paper_status()`` send these too, but they read with the
socket's timeout (60 s by default) and raise on a silent printer; the driver reads with its
own timeout and this module turns the bytes into one of kiosk.print_queue.STATES.
"""

from __future__ import annotations

from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
QUERY_PRINTER, QUERY_OFFLINE_CAUSE, QUERY_ERROR_CAUSE, QUERY_PAPER = 1, 2, 3, 4


@dataclass(frozen=True)
class PrinterStatus:
    state: str            # one of kiosk.print_queue.STATES
    detail: str           # for the technician, in English

    @property
    def printable(self) -> bool:
        return self.state in ("online", "paper_near_end")


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def well_formed(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0010


def interpret(printer: int, offline_cause: int | None, paper: int | None) -> PrinterStatus:
    """The state from the answers to DLE EOT 1, 2 (asked only when offline) and 4."""
    if paper is not None and paper & 0x60 == 0x60:
        return PrinterStatus("paper_out", f"paper out (DLE EOT 4 answered 0x{paper:02x})")
    if printer & 0x08:
        cause = offline_cause or 0
        if cause & 0x04:
            return PrinterStatus("cover_open", f"cover open (DLE EOT 2 answered 0x{cause:02x})")
        if cause & 0x20:
            return PrinterStatus("paper_out", f"stopped: paper out (DLE EOT 2 answered 0x{cause:02x})")
        if cause & 0x40:
            return PrinterStatus("offline", f"printer error (DLE EOT 2 answered 0x{cause:02x}); "
                                 "check for a paper jam or cutter error, then switch it off and on")
        return PrinterStatus("offline", f"printer reports offline (DLE EOT 1 answered 0x{printer:02x})")
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus("paper_near_end", "paper roll nearly used up; prepare a new roll")
    return PrinterStatus("online", "ready")
