"""Benchmark: issue_ticket (ticket + queue event + outbox + print job, one transaction) against
a bare SQLite transaction that inserts one row plus one outbox row, on real database files
with the kiosk's real pragmas (WAL, synchronous=FULL). The two are measured interleaved, so
a busy neighbour on the machine slows both alike. The goal is ratio_p50 <= 2.0: the queue's
bookkeeping should cost less than the commit's fsync.

    .venv/bin/python bench/tickets.py [--tickets 2000] [--dir PATH]

Prints a few readable lines, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from kiosk import queue as q
from kiosk.db import open_db
from kiosk.demo import init_demo
from kiosk.ids import new_id
from kiosk.runtime import open_runtime


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def _baseline_db(path: Path) -> sqlite3.Connection:
    """Same pragmas (kiosk.db.open_db), same outbox table, one plain table."""
    open_db(path).close()            # creates the schema, including the outbox
    conn = open_db(path, migrate=False).conn
    conn.execute("CREATE TABLE IF NOT EXISTS bench_rows (id TEXT PRIMARY KEY, service_id TEXT,"
                 " number TEXT, created_ms INTEGER)")
    return conn


def _baseline_tx(conn: sqlite3.Connection, i: int) -> None:
    row_id = new_id()
    now = time.time_ns() // 1_000_000
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO bench_rows VALUES (?, ?, ?, ?)", (row_id, "svc-a", f"A-{i:03d}", now))
    conn.execute(
        "INSERT INTO outbox (change_id, table_name, record_id, op, payload, schema_version,"
        " wall_ms, mono_ns, boot_id) VALUES (?,?,?,?,?,?,?,?,?)",
        (new_id(), "bench_rows", row_id, "upsert",
         json.dumps({"id": row_id, "service_id": "svc-a", "number": f"A-{i:03d}",
                     "created_ms": now}), 4, now, time.monotonic_ns(), "bench"))
    conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None,
                        help="Where to put the database files (default: a temporary directory; "
                             "use the kiosk's real data partition to measure its disk).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-tickets-", dir=args.dir))
    try:
        init_demo(work / "data")
        rt = open_runtime(work / "data")
        base = _baseline_db(work / "baseline.db")
        services = ["svc-a", "svc-b", "svc-c"]
        for i in range(20):                                   # warm up both
            q.issue_ticket(rt, services[i % 3])
            _baseline_tx(base, i)
        issue_ms: list[float] = []
        base_ms: list[float] = []
        for i in range(args.tickets):
            priority = "lansia" if i % 10 == 0 else None
            t0 = time.perf_counter()
            q.issue_ticket(rt, services[i % 3], priority)
            t1 = time.perf_counter()
            _baseline_tx(base, i)
            t2 = time.perf_counter()
            issue_ms.append((t1 - t0) * 1000)
            base_ms.append((t2 - t1) * 1000)
        # Where the time goes: the print job alone (kiosk.print_queue.enqueue, inside a
        # transaction, commit excluded), the same call issue_ticket makes.
        from kiosk import print_queue
        from kiosk.db import write_tx
        from kiosk.receipt import Receipt

        receipt = Receipt("Kelurahan Sungai Pinang Dalam", "NOMOR ANTRIAN", big_number="A-001",
                          service="Administrasi Kependudukan", local_time="23-11-2026 08:15 WITA",
                          people_ahead=3, footer=["Terima kasih. Mohon menunggu panggilan."])
        enqueue_ms: list[float] = []
        for _ in range(500):
            with write_tx(rt.db):
                t0 = time.perf_counter()
                print_queue.enqueue(rt.db, receipt, rt.clock.now(), kind="ticket", ref_id="bench")
                enqueue_ms.append((time.perf_counter() - t0) * 1000)
        rt.close()
        base.close()
        result = {
            "issue_ticket_p50_ms": round(statistics.median(issue_ms), 3),
            "issue_ticket_p99_ms": round(_pct(issue_ms, 99), 3),
            "issue_ticket_mean_ms": round(statistics.fmean(issue_ms), 3),
            "baseline_p50_ms": round(statistics.median(base_ms), 3),
            "baseline_p99_ms": round(_pct(base_ms, 99), 3),
            "ratio_p50": round(statistics.median(issue_ms) / statistics.median(base_ms), 2),
            "print_enqueue_p50_ms": round(statistics.median(enqueue_ms), 3),
            "tickets": args.tickets,
            "pragmas": "journal_mode=WAL synchronous=FULL foreign_keys=ON",
            "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                        "platform": platform.platform(), "machine": platform.machine(),
                        "cpus": os.cpu_count(), "db_dir": str(work)},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"issue_ticket p50 {result['issue_ticket_p50_ms']} ms, p99 {result['issue_ticket_p99_ms']} ms "
          f"over {args.tickets} tickets")
    print(f"bare row + outbox transaction p50 {result['baseline_p50_ms']} ms; "
          f"ratio {result['ratio_p50']} (goal <= 2.0)")
    print(f"of which the print job (print_queue.enqueue, no commit) p50 "
          f"{result['print_enqueue_p50_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
