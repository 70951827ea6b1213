"""The office's ordinary A4 printer, for issued letters: CUPS through ``lp``, or a directory.

Config ``printer.a4_uri`` (config.toml), beside the thermal ``printer.uri``:

    cups://QUEUE        the CUPS queue QUEUE (``lp -d QUEUE FILE.pdf``; see ``lpstat -p``)
    cups://             the CUPS default destination (``lp FILE.pdf``)
    file:///DIR         each letter written to DIR/<request code>.pdf (tests, or a share)

Why ``lp`` and not IPP from Python: CUPS is what the office's printer is already set up in
(driver, paper, duplex), and ``lp`` is its one stable interface (package cups-client). CUPS
spools what it accepts, so a job is done here once ``lp`` exits 0; until then it stays
pending in kiosk.print_queue and is tried again (printer off, CUPS down, queue unknown).

:class:`DocumentWorker` is the thermal PrintWorker's loop for document jobs: its own lock
file, one job at a time, oldest first, and nothing marked done before the printer took it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from devices.printer.driver import PrinterError
from devices.printer.status import PrinterStatus
from devices.printer.worker import PrintWorker, db_file
from kiosk import print_queue as pq
from kiosk.clock import Clock
from kiosk.errors import ConfigError

log = logging.getLogger(__name__)

KEY = "printer.a4_uri"
EXAMPLES = "use cups://QUEUE (see lpstat -p), cups:// for the default printer, or file:///DIR"

#: Renders a document job: (database, the job's document dict) -> (PDF bytes, file name).
Render = Callable[[Any, dict[str, Any]], tuple[bytes, str]]


@dataclass(frozen=True)
class A4URI:
    raw: str
    scheme: str          # "cups" or "file"
    queue: str = ""      # cups: "" for the default destination
    directory: str = ""  # file


def parse_a4_uri(uri: str) -> A4URI:
    """Each mistake is a ConfigError naming ``printer.a4_uri``."""
    if not isinstance(uri, str) or "://" not in uri:
        raise ConfigError(KEY, f"{uri!r} is not a printer URI; {EXAMPLES}")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if parts.query or parts.fragment:
        raise ConfigError(KEY, f"{uri!r}: takes no ?options or #fragment; {EXAMPLES}")
    if scheme == "cups":
        queue = unquote(parts.netloc or parts.path.strip("/"))
        if any(c.isspace() or c in "/#" for c in queue):
            raise ConfigError(KEY, f"{uri!r}: {queue!r} is not a CUPS queue name "
                                   "(no spaces or slashes; see lpstat -p)")
        return A4URI(uri, "cups", queue=queue)
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
            raise ConfigError(KEY, f"{uri!r}: needs an absolute directory, e.g. "
                                   "file:///var/lib/kiosk/letters")
        return A4URI(uri, "file", directory=unquote(parts.path))
    raise ConfigError(KEY, f"{uri!r}: unknown scheme {scheme!r}; {EXAMPLES}")


class CupsPrinter:
    """``lp -d QUEUE -t TITLE FILE`` with the PDF in a temporary file (lp reads files)."""

    reports_status = False

    def __init__(self, uri: A4URI, *, timeout: float = 30.0, lp: str = "lp") -> None:
        self.uri = uri.raw
        self.queue = uri.queue
        self.timeout = timeout
        self.lp = lp

    def print_pdf(self, data: bytes, name: str) -> str:
        """Hand the PDF to CUPS; its answer (``request id is Q-12``) or PrinterError."""
        with tempfile.TemporaryDirectory(prefix="kiosk-a4-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            args = [self.lp, *(["-d", self.queue] if self.queue else []), "-t", name,
                    str(path)]
            try:
                done = subprocess.run(args, capture_output=True, text=True,
                                      timeout=self.timeout, check=False)
            except FileNotFoundError:
                raise PrinterError("offline", f"{self.lp!r} not found: install cups-client "
                                   "(apt install cups-client)", self.uri) from None
            except subprocess.TimeoutExpired:
                raise PrinterError("no_answer", f"lp did not answer in {self.timeout:g} s "
                                   "(is cupsd running?)", self.uri) from None
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()
            raise PrinterError("offline", f"lp exit {done.returncode}: "
                               f"{why[-1] if why else 'no message'}", self.uri)
        return done.stdout.strip()

    def status(self) -> PrinterStatus:
        return PrinterStatus("unknown", "CUPS keeps the printer's state (lpstat -p)")

    def close(self) -> None:
        pass


class DirectoryPrinter:
    """Writes each PDF to the directory (atomically: a reader never sees half a file)."""

    reports_status = False
    timeout = 5.0

    def __init__(self, uri: A4URI) -> None:
        self.uri = uri.raw
        self.directory = Path(uri.directory)

    def print_pdf(self, data: bytes, name: str) -> str:
        if not self.directory.is_dir():
            raise PrinterError("offline", f"{self.directory} is not a directory", self.uri)
        target = self.directory / name
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise PrinterError("offline", f"cannot write {target}: {exc.strerror or exc}",
                               self.uri) from None
        return str(target)

    def status(self) -> PrinterStatus:
        return PrinterStatus("unknown", f"letters are written to {self.directory}")

    def close(self) -> None:
        pass


def open_a4_printer(uri: str, *, timeout: float = 30.0) -> CupsPrinter | DirectoryPrinter:
    parsed = parse_a4_uri(uri)
    if parsed.scheme == "cups":
        return CupsPrinter(parsed, timeout=timeout)
    return DirectoryPrinter(parsed)


class DocumentWorker(PrintWorker):
    """Prints pending document jobs (kiosk.print_queue.DOCUMENT_KINDS) on the A4 printer.

    A job is rendered when it prints (from what the database holds then), handed to the
    printer and marked done only after the printer took it; a printer that refuses leaves
    it pending with the reason, tried again every ``retry_s``. A job that cannot be
    rendered at all is marked failed (recorded, and the queue behind it moves on)."""

    def __init__(self, db_path: Path, printer: CupsPrinter | DirectoryPrinter, clock: Clock,
                 render: Render, *, poll_s: float = 5.0, retry_s: float = 10.0) -> None:
        super().__init__(db_path, printer, clock, poll_s=poll_s, retry_s=retry_s)  # type: ignore[arg-type]
        self.render = render

    def lock_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".a4-worker.lock")

    def step(self, db) -> str:
        job = pq.next_pending(db, documents=True)
        if job is None:
            return "idle"
        try:
            data, name = self.render(db, job.document)
        except Exception as exc:
            log.exception("document of print job %s cannot be rendered", job.id)
            pq.mark_unprintable(db, job.id, f"cannot render the document: {exc}",
                                self.clock.now())
            return "printed"
        pq.mark_attempt(db, job.id, self.clock.now())
        try:
            self.printer.print_pdf(data, name)  # type: ignore[attr-defined]
        except PrinterError as exc:
            # Not recorded in printer_state: that is the thermal printer's, which the
            # screens show; the job's last_error says why the letter waits.
            pq.mark_failed(db, job.id, f"{exc.state}: {exc.detail}", self.clock.now())
            return "retry"
        pq.mark_done(db, job.id, self.clock.now())
        self.printed += 1
        return "printed"


def start_document_worker(runtime_or_db_path: Any, printer: CupsPrinter | DirectoryPrinter,
                          clock: Clock, render: Render, *, poll_s: float = 5.0,
                          retry_s: float = 10.0) -> DocumentWorker:
    """Start printing pending document jobs of a Runtime's database (or one at a path)."""
    return DocumentWorker(db_file(runtime_or_db_path), printer, clock, render, poll_s=poll_s,
                          retry_s=retry_s).start()
