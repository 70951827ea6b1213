"""A printer without hardware: keeps the bytes it is given (and optionally appends them to a
file for replay) and reports whatever status a test scripts. For unit tests of the worker
and for screens under development; the network tests use a real socket instead.
"""

from __future__ import annotations

import threading
from pathlib import Path

from devices.printer.driver import PrinterError
from devices.printer.render import Layout, render_receipt
from devices.printer.status import PrinterStatus
from kiosk.receipt import Receipt


class ReplayPrinter:
    reports_status = True
    timeout = 1.0

    def __init__(self, *, layout: Layout | None = None, path: Path | None = None,
                 uri: str = "replay://") -> None:
        self.uri = uri
        self.layout = layout or Layout()
        self.path = Path(path) if path else None
        self.jobs: list[bytes] = []
        self.state = PrinterStatus("online", "ready")
        self.fail_writes: PrinterError | None = None
        self._lock = threading.Lock()

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = PrinterStatus(state, detail or state)

    def render(self, receipt: Receipt) -> bytes:
        return render_receipt(receipt, self.layout)

    def print(self, data: bytes) -> None:
        with self._lock:
            if self.fail_writes is not None:
                raise self.fail_writes
            if not self.state.printable:
                raise PrinterError(self.state.state, self.state.detail, self.uri)
            self.jobs.append(data)
            if self.path:
                with open(self.path, "ab") as fh:
                    fh.write(data)

    def clear_buffers(self) -> None:
        pass

    def status(self) -> PrinterStatus:
        return self.state

    def close(self) -> None:
        pass
