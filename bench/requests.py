"""Benchmark of letter requests (issue 12).

Part ``lookup``: the status check by tracking code (kiosk.lookup.lookup_status, what the
kiosk's "Cek Status" screen calls) with ``--requests`` (default 100,000) requests in the local
store, on a real database file with the kiosk's pragmas. A few hundred requests are taken
through submit_request as a citizen would; the rest are written in bulk, through the same
store functions (row, event and outbox rows), in large transactions, so building the store
takes seconds instead of an fsync per request. Codes are looked up as people type them
(lower case, spaces for the hyphen), from a freshly opened runtime (cold page cache of SQLite, not of the
OS). Goal: p99 < 50 ms.

Part ``ui``: the SKU flow driven by qtbot from home to the code on screen
(bench/ui_request_flow.py).

    .venv/bin/python bench/requests.py [--part lookup|ui|all] [--requests 100000]
                                       [--lookups 2000] [--runs 20] [--dir PATH]

Prints a few readable lines, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk import tracking
from kiosk.clock import SystemClock
from kiosk.db import write_tx
from kiosk.demo import init_demo
from kiosk.ids import new_id
from kiosk.letters import store, submit_request
from kiosk.lookup import lookup_status
from kiosk.runtime import open_runtime

APPLICANT = {"nik": "6472085508950003", "kk": "6472081203150007", "name": "Budi Santoso",
             "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
             "address": "Jl. Pahlawan 3", "rt_rw": "003/005", "religion": "Islam",
             "marital_status": "kawin", "occupation": "Wiraswasta"}
SKU = {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
       "business_since": "2019-01-01", "purpose": "Pinjaman modal"}
REAL_SUBMITS = 200
BULK_TX = 5000


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Model")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"machine": platform.machine(), "cpu": cpu, "cpus": os.cpu_count(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "system": f"{platform.system()} {platform.release()}"}


def build_store(data_dir: Path, n: int) -> list[str]:
    """A demo office with ``n`` requests; returns their codes."""
    init_demo(data_dir)
    rt = open_runtime(data_dir)
    codes = []
    try:
        for _ in range(min(REAL_SUBMITS, n)):
            codes.append(submit_request(rt, "SKU", APPLICANT, SKU).code)
        applicant, details = store.dumps(APPLICANT), store.dumps(SKU)
        clock = SystemClock()
        left = n - len(codes)
        while left > 0:
            with write_tx(rt.db):
                for _ in range(min(BULK_TX, left)):
                    stamp = clock.now()
                    code = tracking.new_code("request", lambda c: store.code_taken(rt.db, c))
                    row = {"id": new_id(), "code": code, "office_code": "DEMO",
                           "type_code": "SKU", "status": "submitted", "status_reason": None,
                           "applicant": applicant, "details": details,
                           "nik_masked": "6472********0003", "warnings": "[]",
                           "print_job_id": None, "device_id": rt.device_id,
                           "created_ms": stamp.wall_ms, "updated_ms": stamp.wall_ms,
                           "time_uncertain": 0}
                    store.insert_request(rt.db, row, stamp)
                    store.add_event(rt.db, row, None, "submitted", None, None, stamp,
                                    rt.device_id)
                    codes.append(code)
            left = n - len(codes)
    finally:
        rt.close()
    return codes


def lookup_part(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    data_dir = root / "office"
    t0 = time.perf_counter()
    codes = build_store(data_dir, args.requests)
    built_s = time.perf_counter() - t0
    rng = random.Random(12)
    sample = [rng.choice(codes) for _ in range(args.lookups)]
    rt = open_runtime(data_dir)
    times = []
    try:
        for code in sample:
            typed = code.lower().replace("-", " ")
            start = time.perf_counter()
            view = lookup_status(rt, typed)
            times.append((time.perf_counter() - start) * 1000)
            assert view.code == code
        count = rt.db.execute("SELECT count(*) FROM requests").fetchone()[0]
        plan = " ".join(r[3] for r in rt.db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM requests WHERE code = ?", ["S-2222222"]))
    finally:
        rt.close()
    result = {"requests": count, "lookups": len(times), "build_s": round(built_s, 1),
              "p50_ms": round(_pct(times, 50), 3), "p99_ms": round(_pct(times, 99), 3),
              "max_ms": round(max(times), 3), "goal_p99_ms": 50, "plan": plan,
              "db_mb": round((data_dir / "kiosk.db").stat().st_size / 1e6, 1)}
    print(f"lookup: {count} requests in the store (built in {built_s:.1f} s), "
          f"{len(times)} lookups: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
          f"max {result['max_ms']} ms ({plan})")
    return result


def ui_flow_part(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """The SKU flow driven by qtbot from the home screen to the code on screen (ms of app
    time; a script taps with no pauses): bench/ui_request_flow.py, in a child process so
    its Qt application does not share this one."""
    import subprocess
    import sys

    script = Path(__file__).with_name("ui_request_flow.py")
    done = subprocess.run([sys.executable, str(script), "--runs", str(args.runs)],
                          capture_output=True, text=True, timeout=900)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (lines[-1] if lines else done.stderr[-500:])}
    print(lines[0])
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["lookup", "ui", "all"], default="all")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20, help="SKU flows for the ui part")
    parser.add_argument("--dir", type=Path, default=None,
                        help="Where to build the database (default: a temporary directory).")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-requests-", dir=args.dir))
    out: dict[str, Any] = {"bench": "requests", **machine()}
    try:
        if args.part in ("lookup", "all"):
            out["lookup"] = lookup_part(args, root)
        if args.part in ("ui", "all"):
            out["ui"] = ui_flow_part(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
