"""The print worker: a plain thread that prints pending jobs, oldest first, one at a time.

For each job: ask the printer's status; if it can print, record the attempt, write the
bytes (within the printer's timeout), ask the status again, and only then mark the job
done. Anything else leaves the job pending with the reason, and the worker tries again
every few seconds (or at once on :meth:`PrintWorker.wake`). A later job never overtakes
an earlier one. Between jobs the worker keeps checking the printer, so screens reading
kiosk.print_queue.printer_state see paper running out before the next citizen does.

The worker opens its own database connection (SQLite connections are not for sharing
across threads in the middle of transactions). No Qt: screens poll the database.

One worker per database: a worker first takes an exclusive lock (flock) on
``<database>.print-worker.lock``. A second one — the citizen screen and a `kiosk printer run`
on the same edge, say — waits idle until the first one's process ends, so two workers never
print the same pending job twice.
See docs/PRINTING.md for the delivery guarantee.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from devices.printer.driver import PrinterError
from devices.printer.status import PrinterStatus
from kiosk import print_queue as pq
from kiosk.clock import Clock
from kiosk.db import open_db
from kiosk.receipt import Receipt

log = logging.getLogger(__name__)


class Printer(Protocol):
    uri: str
    reports_status: bool

    def render(self, receipt: Receipt) -> bytes: ...
    def print(self, data: bytes) -> None: ...
    def status(self) -> PrinterStatus: ...
    def clear_buffers(self) -> None: ...
    def close(self) -> None: ...


def db_file(runtime_or_db_path: Any) -> Path:
    """The database file of a Runtime (or a path given as is)."""
    db = getattr(runtime_or_db_path, "db", None)
    if db is None:
        return Path(runtime_or_db_path)
    for _, name, file in db.conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise ValueError("the runtime's database is in memory; the print worker needs a file")


class PrintWorker:
    def __init__(self, db_path: Path, printer: Printer, clock: Clock, *,
                 poll_s: float = 5.0, retry_s: float = 3.0) -> None:
        self.db_path = Path(db_path)
        self.printer = printer
        self.clock = clock
        self.poll_s = poll_s
        self.retry_s = retry_s
        self.printed = 0
        self.has_lock = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)

    def start(self) -> "PrintWorker":
        self._thread.start()
        return self

    def wake(self) -> None:
        """Call after enqueue: the worker looks for work at once instead of at its next poll."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the current step (a job in flight finishes or times out first)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout if timeout is not None else self.printer_timeout() * 4 + 5)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def printer_timeout(self) -> float:
        return float(getattr(self.printer, "timeout", 5.0))

    # -- the loop -------------------------------------------------------------------------

    def lock_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".print-worker.lock")

    def _take_lock(self) -> int | None:
        """Wait (idle) until this is the database's only print worker; None if stopped first."""
        fd = os.open(self.lock_path(), os.O_RDWR | os.O_CREAT, 0o644)
        warned = False
        while not self._stop.is_set():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.has_lock = True
                return fd
            except BlockingIOError:
                if not warned:
                    log.warning("another print worker holds %s; this one waits and prints "
                                "nothing until that one stops", self.lock_path())
                    warned = True
                self._wake.wait(self.poll_s)
                self._wake.clear()
        os.close(fd)
        return None

    def _run(self) -> None:
        lock_fd = self._take_lock()
        if lock_fd is None:
            self.printer.close()
            return
        try:
            self._print_loop()
        finally:
            self.has_lock = False
            os.close(lock_fd)          # closing the descriptor releases the flock

    def _print_loop(self) -> None:
        try:
            db = open_db(self.db_path)
        except Exception:
            log.exception("print worker cannot open %s; nothing will print", self.db_path)
            self.printer.close()
            return
        try:
            while not self._stop.is_set():
                try:
                    outcome = self.step(db)
                except Exception:   # the thread must outlive a locked db or a driver bug
                    log.exception("print worker step failed")
                    outcome = "retry"
                if outcome == "printed":
                    continue
                self._wake.wait(self.retry_s if outcome == "retry" else self.poll_s)
                self._wake.clear()
        finally:
            self.printer.close()
            db.close()

    def step(self, db) -> str:
        """One unit of work: ``printed`` a job, ``retry`` later, or ``idle``."""
        job = pq.next_pending(db)
        if job is None:
            self._check(db)        # the loop then sleeps poll_s (or until wake())
            return "idle"
        try:
            data = self.printer.render(job.receipt)
        except Exception as exc:
            log.exception("receipt of print job %s cannot be rendered", job.id)
            pq.mark_unprintable(db, job.id, f"cannot render the receipt: {exc}", self.clock.now())
            return "printed"
        before = self._check(db)
        if self.printer.reports_status and not before.printable:
            pq.mark_failed(db, job.id, f"{before.state}: {before.detail}", self.clock.now())
            return "retry"
        pq.mark_attempt(db, job.id, self.clock.now())
        try:
            if job.attempts > 0:
                self.printer.clear_buffers()
            self.printer.print(data)
        except PrinterError as exc:
            self._record(db, PrinterStatus(exc.state, exc.detail))
            pq.mark_failed(db, job.id, f"{exc.state}: {exc.detail}", self.clock.now())
            return "retry"
        if self.printer.reports_status:
            after = self._check(db)
            if not after.printable:
                # The bytes went out but the printer stopped answering or ran out of paper:
                # we cannot tell whether the receipt came out whole, so it prints again.
                pq.mark_failed(db, job.id, f"sent, then {after.state}: {after.detail}",
                               self.clock.now())
                return "retry"
        else:
            self._record(db, PrinterStatus("online", f"last job written to {self.printer.uri}; "
                                           "this printer cannot report paper or cover"))
        pq.mark_done(db, job.id, self.clock.now())
        self.printed += 1
        return "printed"

    def _check(self, db) -> PrinterStatus:
        status = self.printer.status()
        if self.printer.reports_status:
            self._record(db, status)
        return status

    def _record(self, db, status: PrinterStatus) -> None:
        pq.record_printer_state(db, status.state, status.detail, self.clock.now(),
                                uri=self.printer.uri)


def start_print_worker(runtime_or_db_path: Any, printer: Printer, clock: Clock, *,
                       poll_s: float = 5.0, retry_s: float = 3.0) -> PrintWorker:
    """Start printing pending jobs of the database of a Runtime (or at a path) on a thread."""
    return PrintWorker(db_file(runtime_or_db_path), printer, clock, poll_s=poll_s,
                       retry_s=retry_s).start()
