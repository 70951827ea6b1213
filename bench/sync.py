"""End-to-end sync benchmark: kiosk outbox -> HTTP on loopback -> city server (uvicorn) ->
acknowledged and cleared on the kiosk.

Parts (all by default; JSON object as the last line):
- ``backlog``: 10,000 and 100,000 records (print jobs with real receipts, written through
  kiosk.print_queue), pushed by ``SyncClient`` to a real ``kiosk server`` process, on SQLite
  (one worker) and on PostgreSQL (when reachable; ``--pg-workers``, default 2: production
  runs several stateless workers). records/s and wall time; bytes on the wire per record
  (counted at TCP level through a pass-through proxy) against zstd of the same records as
  raw JSON; and the physical limit: a bare COPY (PostgreSQL; executemany on SQLite) of the
  same rows into the same ``changes`` table in batches of 500, one commit each (the median
  of three passes).
  ``ratio`` = end-to-end rate / that baseline.
- ``kiosks``: 500 simulated kiosks push one batch each at the same instant (p50/p99
  latency, answers 429/503 retried after Retry-After, errors; ``cpu_s``: CPU seconds the
  server's processes, PostgreSQL's and the simulator spent during the burst).
- ``slow_link``: a week's backlog (7,000 records) through the fault proxy capped at
  100 kbit/s with 300 ms round trips, against the time its compressed bytes need at that rate.

Usage: ``python bench/sync.py [--quick] [--parts backlog,kiosks,slow_link]
[--stores sqlite,postgresql] [--pg-workers N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import zstandard  # noqa: E402

from kiosk.clock import SystemClock  # noqa: E402
from kiosk.config import load as load_config  # noqa: E402
from kiosk.config import save as save_config  # noqa: E402
from kiosk.ids import new_id  # noqa: E402
from kiosk.db import open_db, write_tx  # noqa: E402
from kiosk.demo import init_empty  # noqa: E402
from kiosk.print_queue import enqueue  # noqa: E402
from kiosk.receipt import Receipt  # noqa: E402
from sync.client import SyncClient, enroll  # noqa: E402
from sync.client import wire  # noqa: E402
from tests.sync_support import procs  # noqa: E402
from tests.sync_support.proxy import FaultProxy  # noqa: E402

BATCH = 500
SERVICES = ["Administrasi Kependudukan", "Surat Keterangan", "Pengaduan"]


def make_backlog(root: Path, n: int) -> Path:
    """A kiosk data directory (not enrolled) with ``n`` committed print jobs."""
    data_dir = root / f"template-{n}"
    init_empty(data_dir, "KLR1", "Kelurahan Sungai Pinang Dalam", "WITA")
    db = open_db(data_dir / "kiosk.db")
    clock = SystemClock()
    rng = random.Random(n)
    for start in range(0, n, 5000):
        with write_tx(db):
            for i in range(start, min(n, start + 5000)):
                prefix = "ABC"[i % 3]
                stamp = clock.now()
                receipt = Receipt(
                    office_name="Kelurahan Sungai Pinang Dalam", title="NOMOR ANTRIAN",
                    big_number=f"{prefix}-{i % 400 + 1:03d}", service=SERVICES[i % 3],
                    local_time=f"{(i // 400) % 28 + 1:02d}-11-2026 {8 + i % 7:02d}:"
                               f"{rng.randrange(60):02d} WITA",
                    people_ahead=rng.randrange(30), qr=f"https://antri.example/t/{stamp.wall_ms:x}",
                    footer=["Terima kasih"])
                enqueue(db, receipt, stamp, kind="ticket")
    db.close()
    return data_dir


def enrolled_copy(template: Path, dest: Path, srv: procs.ServerProcess) -> Path:
    shutil.copytree(template, dest)
    cfg = load_config(dest)
    cfg.device.id = new_id()  # every copy is its own device
    save_config(cfg, dest)
    db = open_db(dest / "kiosk.db")
    try:
        enroll(db, dest, srv.url, srv.enroll_token("KLR1"), cfg.device.id)
    finally:
        db.close()
    return dest


def start_server(db_url: str, root: Path, workers: int = 1) -> procs.ServerProcess:
    srv = procs.ServerProcess(db_url, root / f"server-{time.monotonic_ns()}", workers=workers)
    srv.start()
    srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                         "timezone": "WITA"})
    return srv


def push_all(data_dir: Path, server: str) -> tuple[float, dict]:
    """Everything pending, end to end (cleared: keep_acked_days=0 prunes what was acked)."""
    db = open_db(data_dir / "kiosk.db")
    try:
        t0 = time.perf_counter()
        with SyncClient(db, data_dir, server=server, keep_acked_days=0, scopes=()) as client:
            client.meta()
            totals = client.push()
        elapsed = time.perf_counter() - t0
        left = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        db.close()
    assert left == 0 and totals["rejected"] == 0 and totals["unanswered"] == 0, (left, totals)
    return elapsed, totals


def server_only(data_dir: Path, server: str) -> float:
    """The same batches, built beforehand and posted one after another with no kiosk-side
    work in between: how fast the server alone answers one device (seconds)."""
    db = open_db(data_dir / "kiosk.db")
    try:
        with SyncClient(db, data_dir, server=server, scopes=()) as client:
            client.meta()
            batches, after = [], 0
            while items := wire.read_items(db, client.device_id, after):
                batches += client.pusher._batches(items, "zstd")
                after = items[-1].seq
            client.conn.renew()
            t0 = time.perf_counter()
            for batch in batches:
                resp = client.pusher._send(batch)
                assert resp.status_code == 200, resp.text
                resp.json()
            return time.perf_counter() - t0
    finally:
        db.close()


def zstd_of_records(template: Path) -> tuple[float, float]:
    """zstd (level 3) bytes per record of the same records as raw JSON: whole and per 500."""
    conn = sqlite3.connect(template / "kiosk.db")
    payloads = [p for (p,) in conn.execute("SELECT payload FROM outbox ORDER BY seq")]
    conn.close()
    cctx = zstandard.ZstdCompressor(level=3)
    whole = len(cctx.compress(("[" + ",".join(payloads) + "]").encode()))
    batched = sum(len(cctx.compress(("[" + ",".join(payloads[i:i + BATCH]) + "]").encode()))
                  for i in range(0, len(payloads), BATCH))
    return whole / len(payloads), batched / len(payloads)


COLS = ("device_id", "device_seq", "office_id", "change_id", "table_name", "record_id", "op",
        "payload", "schema_version", "wall_ms", "mono_ns", "boot_id", "corrected_ms",
        "time_uncertain", "received_ms")


#: The baseline is timed this many times and the median taken: on a shared two-core machine
#: one COPY pass moved between 40,000 and 58,000 rows/s from run to run.
BASELINE_PASSES = 3


def baseline_pg(db_url: str) -> float:
    """Bare COPY of the rows the server stored, back into the same table: rows/s (the
    median of BASELINE_PASSES passes, the table emptied before each)."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        select = ", ".join("payload::text" if c == "payload" else c for c in COLS)
        rows = conn.execute(f"SELECT {select} FROM changes ORDER BY device_seq").fetchall()
        rates = []
        for _ in range(BASELINE_PASSES):
            conn.execute("TRUNCATE changes")
            conn.commit()
            t0 = time.perf_counter()
            for i in range(0, len(rows), BATCH):
                with conn.cursor().copy(f"COPY changes ({', '.join(COLS)}) FROM STDIN") as copy:
                    for row in rows[i:i + BATCH]:
                        copy.write_row(row)
                conn.commit()
            rates.append(len(rows) / (time.perf_counter() - t0))
    return statistics.median(rates)


def baseline_sqlite(path: str) -> float:
    """The SQLite equivalent: executemany of the same rows, one commit per 500 (median of
    BASELINE_PASSES passes)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    rows = conn.execute(f"SELECT {', '.join(COLS)} FROM changes ORDER BY device_seq").fetchall()
    rates = []
    for _ in range(BASELINE_PASSES):
        conn.execute("DELETE FROM changes")
        conn.commit()
        t0 = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            conn.executemany(f"INSERT INTO changes ({', '.join(COLS)}) VALUES "
                             f"({','.join('?' * len(COLS))})", rows[i:i + BATCH])
            conn.commit()
        rates.append(len(rows) / (time.perf_counter() - t0))
    conn.close()
    return statistics.median(rates)


def bench_backlog(kind: str, db_url: str, template: Path, n: int, root: Path,
                  measure_wire: bool, workers: int = 1) -> dict:
    srv = start_server(db_url, root, workers=workers)
    try:
        if measure_wire:
            other = enrolled_copy(template, root / f"{kind}-{n}-wire", srv)
            with FaultProxy(srv.port) as proxy:
                push_all(other, proxy.url)
            return {"wire_bytes_per_record": round((proxy.bytes_up + proxy.bytes_down) / n, 1),
                    "wire_bytes_up_per_record": round(proxy.bytes_up / n, 1),
                    "wire_bytes_down_per_record": round(proxy.bytes_down / n, 1)}
        kiosk = enrolled_copy(template, root / f"{kind}-{n}-kiosk", srv)
        elapsed, totals = push_all(kiosk, srv.url)
        bare = enrolled_copy(template, root / f"{kind}-{n}-bare", srv)
        out = {"records": n, "server_workers": workers, "wall_s": round(elapsed, 3),
               "records_per_s": round(n / elapsed),
               "server_only_records_per_s": round(n / server_only(bare, srv.url)),
               "batches": totals["batches"],
               "request_body_bytes_per_record": round(totals["wire_bytes"] / n, 1),
               "json_bytes_per_record": round(totals["raw_bytes"] / n, 1)}
    finally:
        srv.stop()
    base = baseline_pg(db_url) if kind == "postgresql" else baseline_sqlite(
        db_url.split("sqlite:///", 1)[1])
    out["baseline_records_per_s"] = round(base)
    out["baseline"] = "psycopg COPY" if kind == "postgresql" else "sqlite executemany"
    out["ratio"] = round(out["records_per_s"] / base, 3)
    return out


def run_backlogs(sizes: list[int], root: Path, pg_workers: int = 2,
                 stores: set[str] = frozenset({"sqlite", "postgresql"})) -> dict:
    pg = procs.pg_url() if "postgresql" in stores else None
    result: dict = {"sqlite": {} if "sqlite" in stores else "not run",
                    "postgresql": {} if pg else "not run" if "postgresql" not in stores
                    else "skipped: no PostgreSQL at 127.0.0.1:5432"}
    for n in sizes:
        template = make_backlog(root, n)
        zstd_whole, zstd_batched = zstd_of_records(template)
        runs = ([("sqlite", None)] if "sqlite" in stores else []) + (
            [("postgresql", pg)] if pg else [])
        for kind, base in runs:
            for measure_wire in (False, True):
                if kind == "sqlite":
                    url = f"sqlite:///{root}/server-{kind}-{n}-{measure_wire}.db"
                    figures = bench_backlog(kind, url, template, n, root, measure_wire)
                else:
                    with procs.pg_schema(base) as url:
                        figures = bench_backlog(kind, url, template, n, root, measure_wire,
                                                workers=pg_workers)
                result[kind].setdefault(str(n), {}).update(figures)
            result[kind][str(n)]["zstd_bytes_per_record"] = round(zstd_whole, 1)
            result[kind][str(n)]["zstd_bytes_per_record_per_batch"] = round(zstd_batched, 1)
            print(kind, n, json.dumps(result[kind][str(n)]), file=sys.stderr, flush=True)
        shutil.rmtree(template)
    return result


# -- 500 kiosks at once ---------------------------------------------------------------------

def bench_kiosks(db_url: str, root: Path, kiosks: int, per_push: int, workers: int) -> dict:
    from sync.client import identity

    srv = start_server(db_url, root, workers=workers)
    try:
        devices = []
        with httpx.Client(base_url=srv.url, timeout=60) as http:
            for k in range(kiosks):
                key = identity.Ed25519PrivateKey.generate()
                device_id = f"sim-{k:04d}"
                token = srv.enroll_token("KLR1")
                resp = http.post("/enroll", json={"token": token, "device_id": device_id,
                                                  "public_key": identity.public_key_b64(key)})
                resp.raise_for_status()
                items = [wire.Item((seq, json.dumps({
                    "change_id": f"c-{k}-{seq}", "table": "print_jobs", "record_id": f"r-{k}-{seq}",
                    "op": "upsert", "payload": {"id": f"r-{k}-{seq}", "kind": "ticket",
                                                "status": "pending", "created_ms": seq},
                    "device_id": device_id, "device_seq": seq, "schema_version": 4,
                    "wall_ms": 1_795_000_000_000 + seq, "mono_ns": seq * 10**6,
                    "boot_id": f"boot-{k}"}))) for seq in range(1, per_push + 1)]
                body = wire.compress(wire.encode_body(device_id, None, None, items), "zstd")
                devices.append((resp.json()["access_token"], body))
        server = [srv.proc.pid, *procs.descendants(srv.proc.pid)]
        before = {pid: procs.cpu_s(pid) for pid in server + procs.postgres_pids()}
        sim0 = time.process_time()
        result = asyncio.run(_push_at_once(srv.url, devices))
        postgres = procs.postgres_pids()  # with backends the pools opened in the burst
        spent = lambda pids: round(sum(procs.cpu_s(p) - before.get(p, 0.0)  # noqa: E731
                                       for p in pids), 2)
        result["cpu_s"] = {"server": spent(server), "postgresql": spent(postgres),
                           "simulator": round(time.process_time() - sim0, 2)}
        return result
    finally:
        srv.stop()


async def _http(port: int, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    """One HTTP/1.1 request on its own connection, as a kiosk makes it.

    Plain asyncio streams: httpx's async pool spends seconds managing 500 connections in one
    process (500 GET /sync/meta: 5.8 s with httpx.AsyncClient, 0.4 s like this), which would
    measure the simulator instead of the server.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (ln.partition(b":") for ln in lines[1:] if ln)}
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        return int(lines[0].split(b" ")[1]), headers, body
    finally:
        writer.close()


async def _push_at_once(url: str, devices: list[tuple[str, bytes]]) -> dict:
    port = int(url.rsplit(":", 1)[1])
    latencies: list[float] = []
    shed = errors = 0
    start = asyncio.Event()

    async def one(token: str, body: bytes) -> None:
        nonlocal shed, errors
        raw = (f"POST /sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Encoding: zstd\r\nContent-Type: application/json\r\n"
               f"X-Kiosk-Protocol: 1\r\nContent-Length: {len(body)}\r\n"
               f"Connection: close\r\n\r\n").encode() + body
        await start.wait()
        t0 = time.perf_counter()
        for _ in range(6):
            try:
                status, headers, answer = await _http(port, raw)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                return
            if status in (429, 503):
                shed += 1
                retry_after = float(headers.get(b"retry-after", b"1"))
                await asyncio.sleep(retry_after + random.uniform(0, 1))
                continue
            if status != 200 or any(r["status"] != "accepted"
                                    for r in json.loads(answer)["results"]):
                errors += 1
                return
            latencies.append(time.perf_counter() - t0)
            return
        errors += 1

    tasks = [asyncio.create_task(one(t, b)) for t, b in devices]
    await asyncio.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0] * 99
    return {"kiosks": len(devices), "ok": len(latencies), "errors": errors,
            "answered_429_503": shed, "p50_ms": round(q[49] * 1000, 1),
            "p99_ms": round(q[98] * 1000, 1), "max_ms": round(max(latencies, default=0) * 1000, 1),
            "wall_s": round(wall, 2)}


# -- a week's backlog over a bad link -------------------------------------------------------

def bench_slow_link(db_url: str, root: Path, n: int, rate_bps: int, rtt_s: float) -> dict:
    srv = start_server(db_url, root)
    try:
        template = make_backlog(root, n)
        kiosk = enrolled_copy(template, root / "slow-kiosk", srv)
        with FaultProxy(srv.port, latency_s=rtt_s / 2, rate_bps=rate_bps) as proxy:
            elapsed, totals = push_all(kiosk, proxy.url)
            up, down = proxy.bytes_up, proxy.bytes_down
    finally:
        srv.stop()
    ideal = totals["wire_bytes"] * 8 / rate_bps
    return {"records": n, "rate_kbit_s": rate_bps / 1000, "rtt_ms": rtt_s * 1000,
            "wall_s": round(elapsed, 1), "compressed_request_bytes": totals["wire_bytes"],
            "ideal_s": round(ideal, 1), "vs_ideal": round(elapsed / ideal, 2),
            "tcp_bytes_up": up, "tcp_bytes_down": down, "batches": totals["batches"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--parts", default="backlog,kiosks,slow_link",
                        help="comma-separated: backlog, kiosks, slow_link")
    parser.add_argument("--pg-workers", type=int, default=2,
                        help="uvicorn workers of the PostgreSQL server in the backlog runs (the "
                             "production layout is several; SQLite is always 1)")
    parser.add_argument("--stores", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (backlog part)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    sizes = [2_000, 10_000] if args.quick else [10_000, 100_000]
    out: dict = {"quick": args.quick}
    pg = procs.pg_url()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        root = Path(tmp)
        if "backlog" in parts:
            out["backlog"] = run_backlogs(sizes, root, args.pg_workers,
                                          set(args.stores.split(",")))
            pg_ran = isinstance(out["backlog"]["postgresql"], dict)
            headline = out["backlog"]["postgresql" if pg_ran else "sqlite"]
            big = headline[str(sizes[-1])]
            for key in ("records_per_s", "baseline_records_per_s", "ratio",
                        "wire_bytes_per_record", "zstd_bytes_per_record"):
                out[key] = big.get(key)
            out["headline"] = f"{'postgresql' if pg_ran else 'sqlite'}, {sizes[-1]} records"
        if "kiosks" in parts:
            n_kiosks = 100 if args.quick else 500
            if pg:
                with procs.pg_schema(pg) as url:
                    out["kiosks"] = {"store": "postgresql", "workers": 2,
                                     **bench_kiosks(url, root, n_kiosks, 20, workers=2)}
            else:
                out["kiosks"] = {"store": "sqlite", "workers": 1, **bench_kiosks(
                    f"sqlite:///{root}/kiosks.db", root, n_kiosks, 20, workers=1)}
            print("kiosks", json.dumps(out["kiosks"]), file=sys.stderr, flush=True)
        if "slow_link" in parts:
            n = 1_000 if args.quick else 7_000
            url = f"sqlite:///{root}/slow.db"
            out["slow_link"] = bench_slow_link(url, root, n, 100_000, 0.3)
            print("slow_link", json.dumps(out["slow_link"]), file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
