"""Benchmark: call-to-board latency over the office LAN API (goal: a call shows on the board
within 500 ms).

The edge is a real ``kiosk edge serve`` process on loopback over a demo database with waiting
tickets. In this process a counter (RemoteQueue) presses "call next" and a board
(RemoteQueue.watch on its own thread, as the board screen runs it) receives the pushed event.
Measured per call, from just before ``call_next`` to the moment the board's ``on_event`` has
the "called" event for that ticket:

- ``call_to_board``: calls made through the LAN API (the server wakes its streams at once);
- ``local_write_to_board``: calls written straight into the edge's database by another process
  (the citizen kiosk or ``kiosk queue call`` on the edge), which the server's ~100 ms poll
  picks up;
- ``call_next_rtt``: the counter's own round trip for ``call_next``.

    .venv/bin/python bench/lan.py [--calls 200] [--local-calls 50] [--dir PATH]

Prints a few readable lines, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Python puts this script's folder first on sys.path, where bench/sync.py would shadow the
# sync package; the repository root goes there instead.
_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

from kiosk import config as config_mod  # noqa: E402
from kiosk import queue as q  # noqa: E402
from kiosk.demo import init_demo  # noqa: E402
from kiosk.queue.models import QueueEvent  # noqa: E402
from kiosk.runtime import open_runtime  # noqa: E402
from sync.lan.client import RemoteQueue  # noqa: E402

TOKEN = "bench-office-lan-token-0123456789"


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def _summary(values_ms: list[float]) -> dict:
    return {"n": len(values_ms), "p50_ms": round(_pct(values_ms, 50), 2),
            "p99_ms": round(_pct(values_ms, 99), 2), "max_ms": round(max(values_ms), 2),
            "mean_ms": round(statistics.fmean(values_ms), 2)}


class Board:
    """Records when the "called" event of each ticket reaches the watching board."""

    def __init__(self, client: RemoteQueue) -> None:
        self.client = client
        self.called_at: dict[str, float] = {}
        self.connected = threading.Event()
        self.cond = threading.Condition()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_event(self, event: QueueEvent) -> None:
        now = time.perf_counter()
        if event.kind == "called":
            with self.cond:
                self.called_at[event.ticket["id"]] = now
                self.cond.notify_all()

    def _on_connection(self, up: bool) -> None:
        if up:
            self.connected.set()

    def _run(self) -> None:
        self.client.watch(self._on_event, self._on_connection, self.stop)

    def wait_for(self, ticket_id: str, timeout: float = 10.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: ticket_id in self.called_at, timeout):
                raise SystemExit(f"the board never received the call of ticket {ticket_id}")
            return self.called_at[ticket_id]


def _start_edge(data_dir: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kiosk.cli import entry; entry()", "--data-dir", str(data_dir),
         "edge", "serve", "--host", "127.0.0.1", "--port", "0", "--no-advertise"],
        stdout=subprocess.PIPE, text=True, cwd=_ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("kiosk edge serve did not start")
    return proc, f"http://127.0.0.1:{json.loads(line)['port']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls through the LAN API")
    parser.add_argument("--local-calls", type=int, default=50,
                        help="calls written straight into the edge's database")
    parser.add_argument("--pause", type=float, default=0.02,
                        help="seconds between calls, as at a counter (no back-to-back queueing)")
    parser.add_argument("--dir", type=Path, default=None, help="data directory (default: temp)")
    args = parser.parse_args()

    base = args.dir or Path(tempfile.mkdtemp(prefix="bench-lan-"))
    data_dir = base / "edge"
    init_demo(data_dir)
    cfg = config_mod.load(data_dir)
    cfg.lan.token = TOKEN
    config_mod.save(cfg, data_dir)
    local = open_runtime(data_dir)
    for n in range(args.calls + args.local_calls):
        q.issue_ticket(local, ("svc-a", "svc-b", "svc-c")[n % 3])
    # back-to-back "next" with nobody started: close each call as no-show without asking
    with local.db.conn:
        local.db.conn.executemany("INSERT OR REPLACE INTO settings (key, value, updated_ms)"
                                  " VALUES (?, ?, 0)", [("queue.next_when_called", "no_show"),
                                                        ("queue.no_show_min_recalls", "0")])

    edge, url = _start_edge(data_dir)
    counter = RemoteQueue(url, TOKEN)
    board = Board(RemoteQueue(url, TOKEN))
    try:
        board.thread.start()
        if not board.connected.wait(10):
            raise SystemExit("the board did not connect to the edge")
        for _ in range(5):  # warm up connections and caches
            counter.board_state()

        to_board: list[float] = []
        rtt: list[float] = []
        for _ in range(args.calls):
            pressed = time.perf_counter()
            ticket = counter.call_next("counter-1")
            answered = time.perf_counter()
            to_board.append((board.wait_for(ticket.id) - pressed) * 1000)
            rtt.append((answered - pressed) * 1000)
            time.sleep(args.pause)

        local_to_board: list[float] = []
        for _ in range(args.local_calls):
            pressed = time.perf_counter()
            ticket = q.call_next(local, "counter-2")
            local_to_board.append((board.wait_for(ticket.id) - pressed) * 1000)
            time.sleep(args.pause)
    finally:
        board.stop.set()
        board.thread.join(5)
        counter.close()
        edge.terminate()
        edge.wait(10)
        local.close()
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)

    result = {
        "bench": "lan",
        "call_to_board_p50_ms": _summary(to_board)["p50_ms"],
        "call_to_board_p99_ms": _summary(to_board)["p99_ms"],
        "call_to_board": _summary(to_board),
        "call_next_rtt": _summary(rtt),
        "local_write_to_board": _summary(local_to_board) if local_to_board else None,
        "goal_ms": 500,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(f"call -> board over the LAN API: p50 {result['call_to_board_p50_ms']} ms, "
          f"p99 {result['call_to_board_p99_ms']} ms (n={len(to_board)}; goal 500 ms)")
    print(f"call_next round trip: p50 {result['call_next_rtt']['p50_ms']} ms, "
          f"p99 {result['call_next_rtt']['p99_ms']} ms")
    if local_to_board:
        print(f"write by another process on the edge -> board: p50 "
              f"{result['local_write_to_board']['p50_ms']} ms, "
              f"p99 {result['local_write_to_board']['p99_ms']} ms (n={len(local_to_board)})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
