"""Benchmark of issued letters (issue 13).

Part ``render``: letters rendered per second, the PDF of an approved SKU letter made again
and again from the database (kiosk.letters.document.render_letter: the request, its type,
the city's template, typst and the segno QR), with the PDF's size.

Part ``approve``: approval-to-PDF latency, per request: approve_request (status, the next
number, the seal, the ``issued_letters`` row and its outbox item, one fsynced transaction on
a real database file with the kiosk's pragmas) and then the PDF, as the counter does when
staff press "Setujui" and the letter opens. p50 and p99 over ``--letters`` requests.

    .venv/bin/python bench/letters.py [--renders 200] [--letters 200] [--dir PATH]

Prints a few readable lines, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from requests import APPLICANT, SKU, _pct, machine  # noqa: E402  (bench/requests.py)

from kiosk import identity  # noqa: E402
from kiosk.demo import init_demo  # noqa: E402
from kiosk.letters import submit_request  # noqa: E402
from kiosk.letters.document import render_letter  # noqa: E402
from kiosk.letters.issuing import approve_request, verify_request, checklist_of  # noqa: E402
from kiosk.runtime import open_runtime  # noqa: E402


def run(data_dir: Path, renders: int, letters: int) -> dict:
    init_demo(data_dir)
    identity.load_or_create(data_dir)
    rt = open_runtime(data_dir)
    rt.config.sync.server = "https://kota.example.go.id"
    try:
        codes = [submit_request(rt, "SKU", APPLICANT, SKU).code for _ in range(letters + 1)]
        for code in codes:
            verify_request(rt, code, {k: True for k in checklist_of(rt, code)}, staff_id="b")
        first = approve_request(rt, codes[0], staff_id="bench")
        render_letter(rt.db, rt.config, first)                      # typst's first compile
        times, sizes = [], []
        start = time.perf_counter()
        for _ in range(renders):
            t0 = time.perf_counter()
            pdf = render_letter(rt.db, rt.config, first).pdf
            times.append(time.perf_counter() - t0)
            sizes.append(len(pdf))
        total = time.perf_counter() - start
        approve_ms, to_pdf_ms = [], []
        for code in codes[1:]:
            t0 = time.perf_counter()
            letter = approve_request(rt, code, staff_id="bench")
            t1 = time.perf_counter()
            render_letter(rt.db, rt.config, letter)
            t2 = time.perf_counter()
            approve_ms.append((t1 - t0) * 1000)
            to_pdf_ms.append((t2 - t0) * 1000)
    finally:
        rt.close()
    return {
        "render": {"letters": renders, "letters_per_s": round(renders / total, 1),
                   "render_ms_p50": round(_pct([t * 1000 for t in times], 50), 2),
                   "render_ms_p99": round(_pct([t * 1000 for t in times], 99), 2),
                   "pdf_bytes_mean": round(statistics.mean(sizes))},
        "approve_to_pdf": {"letters": letters,
                           "approve_ms_p50": round(_pct(approve_ms, 50), 2),
                           "approve_ms_p99": round(_pct(approve_ms, 99), 2),
                           "approve_to_pdf_ms_p50": round(_pct(to_pdf_ms, 50), 2),
                           "approve_to_pdf_ms_p99": round(_pct(to_pdf_ms, 99), 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the database goes (default: a temporary directory)")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="bench-letters-"))
    data_dir = base / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    try:
        result = run(data_dir, args.renders, args.letters)
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)
    r, a = result["render"], result["approve_to_pdf"]
    print(f"render: {r['letters_per_s']} letters/s, p50 {r['render_ms_p50']} ms, "
          f"p99 {r['render_ms_p99']} ms, {r['pdf_bytes_mean']} bytes a PDF")
    print(f"approve: p50 {a['approve_ms_p50']} ms, p99 {a['approve_ms_p99']} ms; "
          f"approve->PDF: p50 {a['approve_to_pdf_ms_p50']} ms, p99 {a['approve_to_pdf_ms_p99']} ms")
    print(json.dumps({"bench": "letters", **result, "machine": machine()}))


if __name__ == "__main__":
    main()
