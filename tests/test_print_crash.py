"""kill -9 of the printing process in the middle of a job: the job prints after restart,
and the jobs before and after it print once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.printer import layout_for, render_receipt
from kiosk import config as config_mod
from kiosk import print_queue as pq
from kiosk.clock import SystemClock
from kiosk.db import open_db, write_tx
from kiosk.receipt import Receipt
from tests.printing_support.escpos_decode import printed_receipts
from tests.printing_support.fake_printer import FakePrinter

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _ticket(number: str) -> Receipt:
    return Receipt("Kelurahan Sungai Pinang Dalam", "NOMOR ANTRIAN", big_number=number,
                   service="Surat Keterangan", people_ahead=2, qr=f"T-{number}",
                   lines=["Bawa KTP dan KK asli"])


def _printing_process(data_dir: Path, uri: str) -> subprocess.Popen:
    """``kiosk printer run`` in its own process, as on the edge appliance."""
    return subprocess.Popen(
        [sys.executable, "-c", "from kiosk.cli import entry; entry()", "--data-dir", str(data_dir),
         "printer", "run", "--printer", uri, "--timeout", "1", "--poll", "0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(predicate, timeout: float = 60.0) -> bool:
    """Generous: on a loaded 2-core CI machine the printing process takes seconds to start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_kill_9_mid_job_then_the_job_prints_after_restart(demo_dir):
    db = open_db(config_mod.db_path(demo_dir))
    numbers = ["A-001", "A-002", "A-003"]
    with write_tx(db):
        ids = [pq.enqueue(db, _ticket(n), SystemClock().now(), kind="ticket", ref_id=n)
               for n in numbers]
    first_job_bytes = len(render_receipt(_ticket("A-001"), layout_for(80)))

    with FakePrinter() as fake:
        fake.stall_after(first_job_bytes + 40)     # hangs 40 bytes into the second receipt
        proc = _printing_process(demo_dir, fake.uri)
        try:
            assert fake.wait_for(lambda f: f.stalled, timeout=90), proc.stderr
            assert _wait(lambda: pq.job_status(db, ids[0]) == "done")
            assert pq.get_job(db, ids[1]).attempts == 1
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL

        # What survived the kill: the first job done, the interrupted one and the next pending.
        assert [pq.job_status(db, i) for i in ids] == ["done", "pending", "pending"]
        partial = fake.printed_bytes()
        assert [r.biggest().text for r in printed_receipts(partial)] == ["A-001"]
        assert len(partial) > first_job_bytes        # the start of the second receipt

        fake.unstall()                              # the printer is power-cycled
        proc = _printing_process(demo_dir, fake.uri)
        try:
            assert _wait(lambda: pq.pending_count(db) == 0), proc.stderr
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        paper = fake.printed_bytes()

    assert [pq.job_status(db, i) for i in ids] == ["done"] * 3
    assert pq.get_job(db, ids[1]).attempts == 2
    receipts = printed_receipts(paper)
    # Every receipt cut from the roll, in order, none twice; the half-printed start of the
    # interrupted receipt is the only waste, and it carries no second number.
    assert [r.biggest().text for r in receipts] == numbers
    assert [q.payload for r in receipts for q in r.qrs] == [f"T-{n}" for n in numbers]
    db.close()
