"""Pak Budi's SKU request at the citizen kiosk, home to receipt, measured through pytest-qt.

    python bench/ui_request_flow.py [--runs 20]

Runs the real shell (off-screen) on a real SQLite file (WAL, synchronous=FULL) with the
system clock and taps like a person with ``qtbot.mouseClick`` (tests/test_ui_letters.py's
gestures): "Surat", the SKU card, 16 questions on the keypad, the keyboard, the date boxes
and the choices, "Kirim Permohonan". A script taps with no pauses, so the whole time is the
app's own: no reading or typing time of a person is in it.

- ``flow``: from the tap on "Surat" to the painted page with the tracking code;
- ``tap``: one tap's own handling (a key on the keypad or keyboard, a choice, Lanjut with
  the domain's check of the answer): what a person waits for after each touch;
- ``submit``: from the tap on "Kirim Permohonan" to the painted code page (worker hop,
  validation, request + event + receipt print job in one transaction).

Not a test: figures only. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/requests.py would shadow the requests package (httpx's tools import it)
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def _summary(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 2), "p99_ms": round(_pct(values, 99), 2),
            "max_ms": round(max(values), 2)}


def test_sku_flow(qtbot, tmp_path):
    from kiosk.demo import init_demo
    from kiosk.runtime import open_runtime
    from test_ui_letters import BUDI, answer, open_letters
    from ui import ops
    from ui_support import make_context, open_shell, tap

    data = tmp_path / "data"
    init_demo(data)
    runtime = open_runtime(data)           # the system clock, a real file
    shell = open_shell(qtbot, make_context(runtime), idle_ms=3_600_000)
    screen = shell.role_screen
    taps_ms: list[float] = []
    click = qtbot.mouseClick

    def timed_click(*args, **kwargs):
        start = time.perf_counter()
        click(*args, **kwargs)
        taps_ms.append((time.perf_counter() - start) * 1000)

    qtbot.mouseClick = timed_click
    flows, submits = [], []
    for _ in range(int(os.environ["BENCH_FLOW_RUNS"])):
        start = time.perf_counter()
        flow = open_letters(qtbot, screen)
        for spec in list(flow.form.specs):
            answer(qtbot, flow.form, BUDI[spec.key])
        qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.review_page, timeout=5000)
        sent_at = time.perf_counter()
        tap(qtbot, flow.submit_button)
        qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.sent_page, timeout=10_000)
        shell.repaint()
        done = time.perf_counter()
        assert flow.code_label.text().startswith("S-")
        flows.append((done - start) * 1000)
        submits.append((done - sent_at) * 1000)
        tap(qtbot, flow.done_button)
        ops.wait_idle()
    qtbot.mouseClick = click
    shell.close()
    ops.wait_idle()
    count = runtime.db.execute("SELECT count(*) FROM requests").fetchone()[0]
    runtime.close()
    assert count == len(flows)
    results = {"runs": len(flows), "taps_per_flow": len(taps_ms) // len(flows),
               "flow": _summary(flows), "tap": _summary(taps_ms), "submit": _summary(submits)}
    Path(os.environ["BENCH_FLOW_OUT"]).write_text(json.dumps(results))


def run(runs: int) -> dict:
    """The figures, from pytest in this process (bench/requests.py calls this too)."""
    import pytest

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        os.environ["BENCH_FLOW_OUT"] = str(out)
        os.environ["BENCH_FLOW_RUNS"] = str(runs)
        code = pytest.main([__file__, "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                            "--basetemp",
                            str(Path(tmp) / "pytest"), "-o", "addopts=", "--rootdir", str(ROOT),
                            "-c", os.devnull])
        results = json.loads(out.read_text()) if out.exists() else {}
    if code != 0 or not results:
        return {"error": f"pytest exited with {code}"}
    results.update({"python": platform.python_version(), "machine": platform.machine(),
                    "qpa": os.environ.get("QT_QPA_PLATFORM")})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    results = run(args.runs)
    if "error" in results:
        print(json.dumps(results))
        return 1
    print(f"SKU home -> code on screen: p50 {results['flow']['p50_ms']} ms "
          f"({results['taps_per_flow']} taps); one tap p99 {results['tap']['p99_ms']} ms; "
          f"submit p50 {results['submit']['p50_ms']} ms")
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
