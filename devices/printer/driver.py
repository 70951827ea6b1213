"""Opening printers from a URI, and talking to them with timeouts that fit a kiosk.

python-escpos supplies the device classes; the small subclasses here fix what hurts on a
kiosk: the network printer's 60 s default timeout (and IPv4-only connect), USB reads with
no timeout at all, serial writes that block forever when the printer is off (DSR/DTR flow
control), and the file printer truncating its file on every open. Every failure becomes a
:class:`PrinterError` carrying one of kiosk.print_queue.STATES and a detail a technician
can act on.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy, File, Network, Serial, Usb

from devices.printer.render import Layout, layout_for, render_receipt
from devices.printer.status import (QUERY_OFFLINE_CAUSE, QUERY_PAPER, QUERY_PRINTER,
                                    PrinterStatus, interpret, query, well_formed)
from devices.printer.uri import PrinterURI, parse_uri
from kiosk.errors import KioskError
from kiosk.receipt import Receipt

#: DLE DC4 fn=8: clear the printer's receive and print buffers (Epson real-time command;
#: printers that do not know it skip control bytes). Sent before a job is retried, so data
#: a printer held while it was out of paper is not printed as well as the retry.
CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"


class PrinterError(KioskError):
    """The printer could not be used; ``state`` says how (offline, no_answer, ...)."""

    def __init__(self, state: str, detail: str, uri: str) -> None:
        self.state = state
        self.detail = detail
        self.uri = uri
        super().__init__(f"printer {uri}: {detail}")


class _Network(Network):
    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        # create_connection: IPv6 too, and the timeout covers connect, send and recv.
        self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        # No Nagle: a 3-byte status query right after a job would otherwise wait for the
        # printer's delayed ACK (~40 ms on Linux) before it is even sent.
        self.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Usb(Usb):
    def _read(self) -> bytes:
        return bytes(self.device.read(self.in_ep, 16, self.timeout))


class _Serial(Serial):
    def open(self, raise_not_found: bool = True) -> None:
        super().open(raise_not_found)
        if self._device:
            self._device.write_timeout = self.timeout


class _File(File):
    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        self.device = open(self.devfile, "ab")   # append: a replay file keeps every job


class EscposPrinter:
    """One printer: ``print(bytes)``, ``status()``, ``close()``. Thread-safe; reconnects
    lazily after any failure, so a printer that was switched off works again once it is on."""

    def __init__(self, uri: PrinterURI, make_device: Callable[[], Escpos], *, timeout: float,
                 layout: Layout, reports_status: bool) -> None:
        self.uri = uri.raw
        self.parsed = uri
        self.timeout = timeout
        self.layout = layout
        self.reports_status = reports_status
        self._make_device = make_device
        self._device: Escpos | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"EscposPrinter({self.uri!r})"

    @property
    def columns(self) -> int:
        return self.layout.columns

    def render(self, receipt: Receipt) -> bytes:
        return render_receipt(receipt, self.layout)

    def _open(self) -> Escpos:
        if self._device is None:
            try:
                device = self._make_device()
                device.open()
            except (OSError, EscposError, ValueError) as exc:
                raise PrinterError("offline", f"cannot connect: {_reason(exc)}", self.uri) from exc
            except Exception as exc:  # pyusb/pyserial raise their own types
                raise PrinterError("offline", f"cannot open: {_reason(exc)}", self.uri) from exc
            self._device = device
        return self._device

    def close(self) -> None:
        with self._lock:
            device, self._device = self._device, None
            if device is not None:
                try:
                    device.close()
                except Exception:  # closing a dead connection may fail; it is gone either way
                    pass

    def print(self, data: bytes) -> None:
        """Write all of ``data`` within the timeout, or raise PrinterError (and disconnect)."""
        with self._lock:
            device = self._open()
            try:
                device._raw(data)
                flush = getattr(device, "flush", None)
                if callable(flush):
                    flush()
            except Exception as exc:
                self.close()
                raise self._io_error(exc, "writing") from exc

    def clear_buffers(self) -> None:
        if self.reports_status:
            self.print(CLEAR_BUFFERS)

    def status(self) -> PrinterStatus:
        """Ask DLE EOT 1 (then 2 when offline) and 4. Never raises: a failure is a state."""
        if not self.reports_status:
            return PrinterStatus("unknown", f"{self.parsed.scheme}:// printers cannot report "
                                 "their status; written bytes count as printed")
        with self._lock:
            try:
                printer = self._ask(QUERY_PRINTER)
                cause = self._ask(QUERY_OFFLINE_CAUSE) if printer & 0x08 else None
                paper = self._ask(QUERY_PAPER)
            except PrinterError as exc:
                return PrinterStatus(exc.state, exc.detail)
            return interpret(printer, cause, paper)

    def _ask(self, n: int) -> int:
        device = self._open()
        try:
            device._raw(query(n))
            answer = device._read()
        except Exception as exc:
            self.close()   # a late answer must not be read as the answer to the next question
            raise self._io_error(exc, f"reading the answer to DLE EOT {n}") from exc
        if not answer:
            self.close()
            if self.parsed.scheme == "serial":
                raise PrinterError("no_answer", f"no answer to DLE EOT {n} within "
                                   f"{self.timeout:g} s; is the printer on and the cable in?", self.uri)
            raise PrinterError("offline", "the printer closed the connection", self.uri)
        byte = answer[-1]
        if not well_formed(byte):
            self.close()
            raise PrinterError("unknown", f"unexpected answer 0x{byte:02x} to DLE EOT {n}; "
                               "wrong baud rate, or not an ESC/POS printer?", self.uri)
        return byte

    def _io_error(self, exc: BaseException, doing: str) -> PrinterError:
        if isinstance(exc, (TimeoutError, socket.timeout)) or "timeout" in type(exc).__name__.lower() \
                or "timed out" in str(exc).lower():
            return PrinterError("no_answer", f"no answer within {self.timeout:g} s while {doing}; "
                                "the printer is on the network but not responding", self.uri)
        return PrinterError("offline", f"connection lost while {doing}: {_reason(exc)}", self.uri)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ") or type(exc).__name__
    return text


def open_printer(uri: str, *, timeout: float = 5.0, paper_width_mm: int = 80) -> EscposPrinter:
    """A printer for ``uri`` (see devices.printer.uri). Nothing is connected until the first
    print or status call, so opening never blocks and a printer that is off is still opened.

    Raises ConfigError naming printer.uri for a malformed URI.
    """
    parsed = parse_uri(uri)
    layout = layout_for(paper_width_mm, parsed.profile, parsed.qr_mode)
    profile = layout.profile_name
    make: Callable[[], Escpos]
    if parsed.scheme == "tcp":
        def make() -> Escpos:
            return _Network(parsed.host, parsed.port, timeout=timeout, profile=profile)
    elif parsed.scheme == "usb":
        in_ep = int(parsed.options.get("in_ep", "0x82"), 0)
        out_ep = int(parsed.options.get("out_ep", "0x01"), 0)

        def make() -> Escpos:
            return _Usb(parsed.vendor_id, parsed.product_id, timeout=int(timeout * 1000),
                        in_ep=in_ep, out_ep=out_ep, profile=profile)
    elif parsed.scheme == "serial":
        baudrate = int(parsed.options.get("baudrate", "9600"))

        def make() -> Escpos:
            return _Serial(parsed.path, baudrate=baudrate, timeout=timeout, profile=profile)
    elif parsed.scheme == "file":
        def make() -> Escpos:
            return _File(parsed.path, profile=profile)
    else:
        def make() -> Escpos:
            return Dummy(profile=profile)
    return EscposPrinter(parsed, make, timeout=timeout, layout=layout,
                         reports_status=parsed.scheme in ("tcp", "usb", "serial"))
