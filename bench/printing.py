"""Printing throughput.

    python bench/printing.py [--receipts 300] [--jobs 200]

1. receipts rendered per second (Receipt -> ESC/POS bytes), 58 mm (raster QR) and 80 mm
   (native QR);
2. end-to-end jobs per second: jobs committed to a real SQLite file, printed by the print
   worker over loopback TCP to the fake printer of the tests (which answers DLE EOT before
   and after every job), each marked done.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.printer import layout_for, open_printer, render_receipt, start_print_worker  # noqa: E402
from kiosk import print_queue as pq  # noqa: E402
from kiosk.clock import SystemClock  # noqa: E402
from kiosk.db import open_db, write_tx  # noqa: E402
from kiosk.receipt import Receipt  # noqa: E402
from tests.printing_support.escpos_decode import printed_receipts  # noqa: E402
from tests.printing_support.fake_printer import FakePrinter  # noqa: E402


def ticket(n: int) -> Receipt:
    return Receipt(office_name="Kelurahan Sungai Pinang Dalam", title="NOMOR ANTRIAN",
                   big_number=f"B-{n % 1000:03d}", service="Surat Keterangan",
                   local_time="23-11-2026 08:15 WITA", people_ahead=n % 17,
                   qr=f"https://kiosk.example/t/{n:06d}",
                   lines=["Perkiraan waktu tunggu: 20 menit", "Bawa KTP dan KK asli"],
                   footer=["Terima kasih"])


def render_rate(width: int, count: int) -> tuple[float, int]:
    layout = layout_for(width)
    render_receipt(ticket(0), layout)          # warm imports and caches
    start = time.perf_counter()
    size = 0
    for n in range(count):
        size += len(render_receipt(ticket(n), layout))
    return count / (time.perf_counter() - start), size // count


def end_to_end(width: int, count: int) -> float:
    with tempfile.TemporaryDirectory() as tmp, FakePrinter() as fake:
        db_path = Path(tmp) / "kiosk.db"
        db = open_db(db_path)
        clock = SystemClock()
        for n in range(count):
            with write_tx(db):
                pq.enqueue(db, ticket(n), clock.now(), kind="ticket")
        printer = open_printer(fake.uri, timeout=2.0, paper_width_mm=width)
        start = time.perf_counter()
        worker = start_print_worker(db_path, printer, clock, poll_s=0.05, retry_s=0.05)
        while pq.pending_count(db):
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        worker.stop()
        got = len(printed_receipts(fake.printed_bytes()))
        db.close()
        if got != count:
            raise SystemExit(f"the fake printer cut {got} receipts, expected {count}")
        return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    result: dict[str, object] = {"machine": platform.machine(), "python": platform.python_version()}
    for width in (58, 80):
        rate, size = render_rate(width, args.receipts)
        result[f"render_{width}mm_per_s"] = round(rate, 1)
        result[f"receipt_{width}mm_bytes"] = size
        print(f"render {width} mm: {rate:.1f} receipts/s ({size} bytes each)")
    for width in (58, 80):
        rate = end_to_end(width, args.jobs)
        result[f"end_to_end_{width}mm_jobs_per_s"] = round(rate, 1)
        print(f"end to end {width} mm: {rate:.1f} jobs/s ({args.jobs} jobs)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
