"""The print worker against a fake network printer over a real loopback TCP socket."""

from __future__ import annotations

import time

import pytest

from devices.printer import ReplayPrinter, open_printer, start_print_worker
from kiosk import print_queue as pq
from kiosk.clock import SystemClock
from kiosk.db import open_db, write_tx
from kiosk.receipt import Receipt
from tests.printing_support.escpos_decode import decode, nonblank, printed_receipts
from tests.printing_support.fake_printer import FakePrinter

FAST = {"poll_s": 0.1, "retry_s": 0.1}


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "kiosk.db"


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


def ticket(number: str) -> Receipt:
    return Receipt("Kelurahan Contoh", "NOMOR ANTRIAN", big_number=number, service="Surat Keterangan",
                   people_ahead=1, qr=f"T-{number}")


def enqueue(db, number: str) -> str:
    with write_tx(db):
        # In the app this is the same transaction that writes the ticket.
        return pq.enqueue(db, ticket(number), SystemClock().now(), kind="ticket", ref_id=number)


def big_numbers(data: bytes) -> list[str]:
    return [r.biggest().text for r in printed_receipts(data)]


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def worker_for(db_path, fake, *, timeout: float = 2.0, **kw):
    """A generous timeout where silence is not the point: a loaded CI machine must not turn
    a slow answer into a retry (and the retry into a second copy)."""
    printer = open_printer(fake.uri, timeout=timeout, paper_width_mm=80)
    return start_print_worker(db_path, printer, SystemClock(), **(FAST | kw))


def test_paper_out_in_a_burst_prints_all_in_order_once_paper_is_back(db, db_path, fake):
    numbers = [f"A-{n:03d}" for n in range(1, 9)]
    ids = [enqueue(db, n) for n in numbers[:3]]
    fake.paper_out_after(3)          # the roll ends as the 4th receipt starts
    worker = worker_for(db_path, fake)
    try:
        for n in numbers[3:]:
            ids.append(enqueue(db, n))
            worker.wake()
        assert wait_until(lambda: pq.printer_state(db)["state"] == "paper_out")
        time.sleep(0.5)              # several retry rounds while the paper is out
        state = pq.printer_state(db)
        assert state["pending_jobs"] == 5 and "paper out" in state["detail"]
        assert big_numbers(fake.printed_bytes()) == numbers[:3]
        stuck = pq.get_job(db, ids[3])
        assert stuck.status == "pending" and "paper_out" in stuck.last_error
        # Only the receipt that met the empty roll was sent; nothing more while it was out.
        assert [r.biggest().text for r in decode(bytes(fake.discarded))] == ["A-004"]

        fake.set_mode("online")      # new roll
        assert wait_until(lambda: pq.pending_count(db) == 0)
    finally:
        worker.stop()
    assert big_numbers(fake.printed_bytes()) == numbers
    assert [pq.job_status(db, i) for i in ids] == ["done"] * 8
    assert pq.printer_state(db)["state"] == "online"
    # The retried job cleared the printer's buffers first (DLE DC4 8).
    assert sum(r.clears for r in decode(fake.printed_bytes())) == 1


@pytest.mark.parametrize("mode, state", [("silent", "no_answer"), ("offline", "offline"),
                                         ("cover_open", "cover_open"), ("paper_out", "paper_out")])
def test_job_waits_with_a_clear_state_and_prints_when_the_printer_returns(db, db_path, fake,
                                                                          mode, state):
    fake.set_mode(mode)
    job = enqueue(db, "B-001")
    worker = worker_for(db_path, fake, timeout=1.0)
    try:
        assert wait_until(lambda: pq.printer_state(db)["state"] == state
                          and pq.get_job(db, job).last_error is not None)
        st = pq.printer_state(db)
        assert st["pending_jobs"] == 1 and st["detail"] and st["checked_ms"] > 0
        assert pq.job_status(db, job) == "pending"
        assert state in pq.get_job(db, job).last_error
        assert fake.printed_bytes() == b"" and fake.discarded == bytearray()
        fake.set_mode("online")
        assert wait_until(lambda: pq.job_status(db, job) == "done")
    finally:
        worker.stop()
    assert big_numbers(fake.printed_bytes()) == ["B-001"]
    assert pq.printer_state(db)["state"] == "online"


def test_unreachable_printer_is_offline_and_the_job_waits(db, db_path):
    job = enqueue(db, "C-001")
    printer = open_printer("tcp://127.0.0.1:1", timeout=0.3)
    worker = start_print_worker(db_path, printer, SystemClock(), **FAST)
    try:
        assert wait_until(lambda: pq.printer_state(db)["state"] == "offline")
        assert "refused" in pq.printer_state(db)["detail"].lower()
        assert pq.job_status(db, job) == "pending"
    finally:
        worker.stop()


def test_idle_worker_keeps_the_state_fresh_and_prints_on_near_end(db, db_path, fake):
    fake.set_mode("paper_near_end")
    worker = worker_for(db_path, fake)
    try:
        assert wait_until(lambda: pq.printer_state(db)["state"] == "paper_near_end")
        job = enqueue(db, "A-001")
        worker.wake()
        assert wait_until(lambda: pq.job_status(db, job) == "done")
    finally:
        worker.stop()
    assert big_numbers(fake.printed_bytes()) == ["A-001"]


def test_reprint_prints_a_marked_copy_and_nothing_else_twice(db, db_path, fake):
    first, second = enqueue(db, "A-001"), enqueue(db, "A-002")
    worker = worker_for(db_path, fake)
    try:
        assert wait_until(lambda: pq.pending_count(db) == 0)
        copy = pq.reprint(db, first, SystemClock().now())
        worker.wake()
        assert wait_until(lambda: pq.job_status(db, copy) == "done")
        time.sleep(0.3)              # a few idle rounds: nothing else may print
    finally:
        worker.stop()
    receipts = printed_receipts(fake.printed_bytes())
    assert [r.biggest().text for r in receipts] == ["A-001", "A-002", "A-001"]
    assert "*** CETAK ULANG ***" in nonblank(receipts[2])
    assert "*** CETAK ULANG ***" not in nonblank(receipts[0])
    assert pq.get_job(db, copy).reprint_of == first and pq.job_status(db, second) == "done"


def test_worker_takes_a_runtime_and_stops_cleanly(runtime, fake):
    with write_tx(runtime.db):
        job = pq.enqueue(runtime.db, ticket("A-001"), runtime.clock.now(), kind="ticket")
    printer = open_printer(fake.uri, timeout=2.0)
    worker = start_print_worker(runtime, printer, SystemClock(), **FAST)
    assert wait_until(lambda: pq.job_status(runtime.db, job) == "done")
    worker.stop()
    assert not worker.alive


def test_a_receipt_that_cannot_render_fails_alone_and_the_queue_moves_on(db, db_path):
    printer = ReplayPrinter()
    bad = enqueue(db, "A-001")
    good = enqueue(db, "A-002")
    # Corrupt the stored receipt (e.g. written by a buggy caller): rendering raises.
    db.execute("UPDATE print_jobs SET receipt = ? WHERE id = ?",
               ['{"office_name": "K", "title": "T", "lines": 5}', bad])
    db.conn.commit()
    worker = start_print_worker(db_path, printer, SystemClock(), **FAST)
    try:
        assert wait_until(lambda: pq.job_status(db, good) == "done")
    finally:
        worker.stop()
    assert pq.job_status(db, bad) == "failed"
    assert "cannot render" in pq.get_job(db, bad).last_error
    assert big_numbers(b"".join(printer.jobs)) == ["A-002"]


def test_a_failed_write_keeps_the_job_pending(db, db_path):
    from devices.printer import PrinterError

    printer = ReplayPrinter()
    printer.fail_writes = PrinterError("offline", "connection lost while writing", "replay://")
    job = enqueue(db, "A-001")
    worker = start_print_worker(db_path, printer, SystemClock(), **FAST)
    try:
        assert wait_until(lambda: pq.printer_state(db)["state"] == "offline")
        assert pq.job_status(db, job) == "pending" and pq.get_job(db, job).attempts >= 1
        printer.fail_writes = None
        assert wait_until(lambda: pq.job_status(db, job) == "done")
    finally:
        worker.stop()
    assert len(printer.jobs) == 1


def test_serial_printer_over_a_pseudo_terminal(db, db_path):
    """serial:// through pyserial on a real pty: silent first, then a printer that answers."""
    import os
    import select
    import threading
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    received = bytearray()
    answering = threading.Event()
    stop = threading.Event()

    def printer_end() -> None:
        pending = b""
        while not stop.is_set():
            if not select.select([master], [], [], 0.05)[0]:
                continue
            pending += os.read(master, 4096)
            while True:
                at = pending.find(b"\x10\x04")
                if at < 0 or len(pending) < at + 3:
                    break
                received.extend(pending[:at])
                pending = pending[at + 3:]
                if answering.is_set():
                    os.write(master, b"\x12")
            if b"\x10" not in pending:
                received.extend(pending)
                pending = b""

    thread = threading.Thread(target=printer_end, daemon=True)
    thread.start()
    job = enqueue(db, "S-001")
    printer = open_printer(f"serial://{os.ttyname(slave)}?baudrate=9600", timeout=0.3)
    worker = start_print_worker(db_path, printer, SystemClock(), **FAST)
    try:
        assert wait_until(lambda: pq.printer_state(db)["state"] == "no_answer")
        assert pq.job_status(db, job) == "pending"
        answering.set()
        assert wait_until(lambda: pq.job_status(db, job) == "done")
    finally:
        worker.stop()
        stop.set()
        thread.join(2)
        os.close(master)
        os.close(slave)
    assert big_numbers(bytes(received)) == ["S-001"]


def test_an_issued_ticket_comes_out_of_the_printer(runtime, fake):
    """The queue writes the job with the ticket; the worker prints what the citizen reads."""
    queue = pytest.importorskip("kiosk.queue")
    printer = open_printer(fake.uri, timeout=2.0, paper_width_mm=58)
    worker = start_print_worker(runtime, printer, SystemClock(), **FAST)
    try:
        first = queue.issue_ticket(runtime, "svc-b")
        second = queue.issue_ticket(runtime, "svc-b", "lansia")
        worker.wake()
        assert wait_until(lambda: pq.pending_count(runtime.db) == 0)
    finally:
        worker.stop()
    receipts = printed_receipts(fake.printed_bytes())
    assert [r.biggest().text for r in receipts] == [first.ticket.number, second.ticket.number]
    text = nonblank(receipts[0])
    assert text[0] == runtime.config.office.name and "Surat Keterangan" in text
    assert all(len(line.text) * line.width <= 32 for r in receipts for line in r.lines)
    assert pq.job_status(runtime.db, first.print_job_id) == "done"


def test_a_second_worker_on_the_same_database_waits_and_nothing_prints_twice(db, db_path, fake):
    """The citizen screen and `kiosk printer run` on one edge: one prints, the other waits
    idle, and takes over when the first stops."""
    numbers = [f"B-{n:03d}" for n in range(1, 7)]
    first = worker_for(db_path, fake)
    assert wait_until(lambda: first.has_lock)
    second = worker_for(db_path, fake)
    try:
        for n in numbers[:5]:
            enqueue(db, n)
            first.wake()
            second.wake()
        assert wait_until(lambda: len(big_numbers(fake.printed_bytes())) == 5)
        time.sleep(0.3)
        assert not second.has_lock and second.alive
        assert big_numbers(fake.printed_bytes()) == numbers[:5]
        first.stop()
        assert wait_until(lambda: second.has_lock)
        enqueue(db, numbers[5])
        second.wake()
        assert wait_until(lambda: len(big_numbers(fake.printed_bytes())) == 6)
        assert big_numbers(fake.printed_bytes()) == numbers
    finally:
        first.stop()
        second.stop()
