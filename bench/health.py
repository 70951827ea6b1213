"""What a health check costs: provisioning.health.health() and diagnostics() on the demo
data directory with a day's tickets in the outbox (the setup service's unauthenticated
/health and the sync worker ask for them; both must stay cheap: no network, a few reads).

    python bench/health.py [--rounds 200] [--tickets 300]

The last line of output is one JSON object: median and p95 milliseconds of each.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk import queue  # noqa: E402
from kiosk.demo import init_demo  # noqa: E402
from kiosk.runtime import open_runtime  # noqa: E402
from provisioning.health import diagnostics, health  # noqa: E402


def _time(fn, rounds: int) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 3),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        init_demo(data)
        rt = open_runtime(data)
        try:
            for i in range(args.tickets):
                queue.issue_ticket(rt, ("svc-a", "svc-b", "svc-c")[i % 3])
        finally:
            rt.close()
        result = {"bench": "health", "python": platform.python_version(),
                  "machine": platform.machine(), "tickets": args.tickets,
                  "health": _time(lambda: health(data), args.rounds),
                  "diagnostics": _time(lambda: diagnostics(data), args.rounds),
                  "unprovisioned_health": _time(lambda: health(Path(tmp) / "none"),
                                                args.rounds)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
