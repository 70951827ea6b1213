"""Provisioning benchmark: a fresh kiosk to its test receipt, phase by phase (issue 15).

Real processes on loopback, as in tests/test_provision_e2e.py: a city server (``kiosk
server``, SQLite) with an office and an enrollment token; ``kiosk edge serve`` on a fresh data
directory (setup service only); ``kiosk provision pair`` and ``kiosk provision configure``
as separate processes; a file printer. Phases (seconds): ``boot`` (process start to the setup
code on stdout), ``pair`` (the pair command, its Python start included), ``configure``
(configure: validation, enrollment, config, test receipt printed), ``first_sync`` (until the
test receipt's print job is on the city server), ``total``. Median of ``--runs`` (default 3).

Usage: ``python bench/provision.py [--runs N]``; a JSON object is the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sync_support.procs import KIOSK, ServerProcess, env  # noqa: E402


def _run(*args: str, stdin: str = "") -> str:
    res = subprocess.run([*KIOSK, *args], capture_output=True, text=True, env=env(), input=stdin,
                         cwd=ROOT, timeout=300)
    if res.returncode != 0:
        raise SystemExit(f"kiosk {' '.join(args)} failed: {res.stderr}")
    return res.stdout


def one_run(root: Path) -> dict[str, float]:
    city = f"sqlite:///{root / 'city.db'}"
    server = ServerProcess(city, root / "srv").start()
    edge = None
    try:
        _run("--data-dir", str(root / "srv"), "server", "office", "add", "K1", "Kelurahan Satu",
             "--db", city)
        token = json.loads(_run("--data-dir", str(root / "srv"), "server", "enroll-token",
                                "--office", "K1", "--json", "--db", city))["token"]
        t0 = time.monotonic()
        edge = subprocess.Popen([*KIOSK, "--data-dir", str(root / "kiosk"), "edge", "serve",
                                 "--host", "127.0.0.1", "--port", "0", "--setup-port", "0",
                                 "--no-advertise"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                                env={**env(), "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        setup = json.loads(edge.stdout.readline())
        t1 = time.monotonic()
        store = ["--store", str(root / "tech")]
        _run("provision", "pair", setup["id"], "--address", f"127.0.0.1:{setup['port']}",
             "--code", setup["code"], *store)
        t2 = time.monotonic()
        answer = json.loads(_run("provision", "configure", setup["id"], "--office", "K1",
                                 "--server", server.url, "--printer",
                                 f"file://{root / 'paper.bin'}", "--role", "citizen", "--token",
                                 token, "--admin-pin-stdin", "--json", *store, stdin="2468\n"))
        t3 = time.monotonic()
        assert answer["test_receipt"]["status"] == "done", answer
        device_id = answer["device_id"]
        while True:
            conn = sqlite3.connect(root / "city.db")
            try:
                rows = conn.execute("SELECT payload FROM changes WHERE device_id = ?",
                                    (device_id,)).fetchall()
            finally:
                conn.close()
            if any(json.loads(r[0]).get("kind") == "test" for r in rows):
                break
            if time.monotonic() - t3 > 120:
                raise SystemExit("no first sync within 120 s")
            time.sleep(0.05)
        t4 = time.monotonic()
        return {"boot": t1 - t0, "pair": t2 - t1, "configure": t3 - t2, "first_sync": t4 - t3,
                "total": t4 - t0}
    finally:
        if edge is not None and edge.poll() is None:
            os.killpg(edge.pid, 15)
            edge.wait(15)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(one_run(Path(tmp)))
        print(f"run {i + 1}", json.dumps({k: round(v, 2) for k, v in runs[-1].items()}),
              file=sys.stderr, flush=True)
    out = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}
    out["runs"] = args.runs
    out["goal_s"] = 120
    print(json.dumps(out))


if __name__ == "__main__":
    main()
