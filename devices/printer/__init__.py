"""Receipt printers (and the office's A4 printer for letters): URIs, ESC/POS rendering, status, and the print worker.

    open_printer(uri, timeout=5.0, paper_width_mm=80) -> EscposPrinter
    start_print_worker(runtime_or_db_path, printer, clock) -> PrintWorker (.wake(), .stop())
    render_receipt(receipt, layout) -> bytes
    open_a4_printer(uri) / start_document_worker(...): the A4 printer for issued letters
        (cups://QUEUE through lp, or file:///DIR), devices/printer/a4.py
    ReplayPrinter: an in-memory printer with scripted status, for tests without sockets

Library: python-escpos (device classes, capability profiles, command encoding), with
qrcode for raster QR images. See docs/PRINTING.md.
"""

from devices.printer.driver import EscposPrinter, PrinterError, open_printer
from devices.printer.render import Layout, layout_for, render_receipt
from devices.printer.replay import ReplayPrinter
from devices.printer.status import PrinterStatus
from devices.printer.text import ascii_safe
from devices.printer.uri import PrinterURI, parse_uri
from devices.printer.worker import PrintWorker, start_print_worker

__all__ = ["EscposPrinter", "Layout", "PrintWorker", "PrinterError", "PrinterStatus",
           "PrinterURI", "ReplayPrinter", "ascii_safe", "layout_for", "open_printer",
           "parse_uri", "render_receipt", "start_print_worker"]
