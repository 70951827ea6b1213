"""Micro-benchmark of the city server's push hot path against the physical limit.

Measures, on the same rows in batches of 500 with one commit each:
- ``copy``: a bare psycopg COPY into the ``changes`` table (the baseline of bench/sync.py);
- ``store``: ``PgStore.push`` (decode nothing; prepare, COPY into staging, INSERT ... SELECT
  ... ON CONFLICT DO NOTHING RETURNING, commit);
- ``http``: the whole server in process (``/sync/push`` through FastAPI's ASGI app with a
  zstd body), without a network hop;
- ``sqlite``: ``SqliteStore.push`` for comparison;
- ``burst``: N kiosks (default 500) pushing 10 records each at the same moment to a real
  ``kiosk server`` process (PostgreSQL, 2 workers), over raw asyncio sockets so the client
  library is not what is measured (one httpx.AsyncClient with 500 connections takes seconds
  by itself): p50/p99 latency and errors.

End-to-end figures (kiosk outbox -> HTTP -> server -> ack) are bench/sync.py's. Usage:
``python bench/server_store.py [--records 20000]``; JSON is the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import msgspec  # noqa: E402
import psycopg  # noqa: E402
import zstandard  # noqa: E402

from server_support import pg_schema_url, pg_user  # noqa: E402
from sync.server.store import Device, PushPolicy  # noqa: E402
from sync.server.wire import decode_batch, encode_payload  # noqa: E402

BATCH = 500


def make_items(n: int, device_id: str) -> list[dict]:
    items = []
    for seq in range(1, n + 1):
        rid = str(uuid.uuid4())
        payload = {"id": rid, "office_id": None, "service_id": str(uuid.uuid4()),
                   "number": f"A{seq % 1000:03d}", "status": "waiting", "counter": None,
                   "issued_ms": 1_795_000_000_000 + seq, "called_ms": None,
                   "business_day": "2026-11-23", "language": "id"}
        payload.pop("office_id")
        items.append({"change_id": str(uuid.uuid4()), "table": "tickets", "record_id": rid,
                      "op": "upsert", "payload": payload, "device_id": device_id,
                      "device_seq": seq, "schema_version": 1,
                      "wall_ms": 1_795_000_000_000 + seq, "mono_ns": 10**12 + seq * 10**6,
                      "boot_id": "boot-1"})
    return items


def batches(items: list[dict]) -> list[list[dict]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def bench_device(store, office_code: str) -> Device:
    """A real enrolled device (push checks it inside its transaction)."""
    store.add_enroll_token(office_code, "bench-token", 2**62, 0)
    return store.enroll("bench-token", "bench-device", "", 0)


def bench_copy(url: str, items: list[dict], device: Device) -> float:
    cols = ("device_id", "device_seq", "office_id", "change_id", "table_name", "record_id", "op",
            "payload", "schema_version", "wall_ms", "mono_ns", "boot_id", "corrected_ms",
            "time_uncertain", "received_ms")
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE changes")
        conn.commit()
        t0 = time.perf_counter()
        for batch in batches(items):
            with conn.cursor().copy(f"COPY changes ({', '.join(cols)}) FROM STDIN") as copy:
                for it in batch:
                    payload = encode_payload(it["payload"]).decode()
                    copy.write_row((device.id, it["device_seq"], device.office_id,
                                    it["change_id"], it["table"], it["record_id"], it["op"],
                                    payload, it["schema_version"], it["wall_ms"], it["mono_ns"],
                                    it["boot_id"], it["wall_ms"], True, 0))
            conn.commit()
        elapsed = time.perf_counter() - t0
        conn.execute("TRUNCATE changes")
        conn.commit()
    return elapsed


def bench_store(store, items: list[dict], device: Device) -> float:
    wire = [decode_batch(msgspec.json.encode({"device_id": device.id, "items": b}))
            for b in batches(items)]
    t0 = time.perf_counter()
    for batch in wire:
        results, _ = store.push(device.id, batch, PushPolicy(), 0)
    elapsed = time.perf_counter() - t0
    assert all(r.status == "accepted" for r in results)
    return elapsed


def bench_http(url: str, items: list[dict]) -> tuple[float, float]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from server_support import ADMIN, add_office, enrolled_device

    from sync.server import create_app

    with TestClient(create_app(url, admin_token=ADMIN)) as client:
        add_office(client, "B1")
        device = enrolled_device(client, "B1")
        for it in items:
            it["device_id"] = device.id
        cctx = zstandard.ZstdCompressor(level=3)
        bodies = [cctx.compress(msgspec.json.encode({"device_id": device.id, "items": b}))
                  for b in batches(items)]
        headers = {**device.headers, "Content-Encoding": "zstd",
                   "Content-Type": "application/json"}
        t0 = time.perf_counter()
        for body in bodies:
            r = client.post("/sync/push", content=body, headers=headers)
            assert r.status_code == 200, r.text
        elapsed = time.perf_counter() - t0
    return elapsed, sum(len(b) for b in bodies) / len(items)


def bench_burst(url: str, kiosks: int, workers: int = 2) -> dict:
    import asyncio

    from server_support import Device as Kiosk
    from test_server_cli import ServerProcess

    from sync.server import auth
    from sync.server.store_pg import PgStore

    store = PgStore(url)
    store.add_office("B2", "Burst", "WIB", "", 0)
    requests = []
    for i in range(kiosks):
        kiosk = Kiosk(None, f"burst-{i:04d}")
        store.add_enroll_token("B2", f"burst-token-{i}", 2**62, 0)
        store.enroll(f"burst-token-{i}", kiosk.id, kiosk.public_key, 0)
        token = auth.issue_access_token(store.token_secret, kiosk.id, 2**62)
        body = json.dumps({"device_id": kiosk.id, "items": [kiosk.item() for _ in range(10)]})
        requests.append((f"POST /sync/push HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
                         f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
    store.close()
    server = ServerProcess(url, Path(tempfile.mkdtemp()), "--workers", str(workers))

    async def one(request: bytes) -> tuple[float, bytes]:
        t0 = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(request)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return time.perf_counter() - t0, answer.split(b" ", 2)[1]

    async def burst():
        return await asyncio.gather(*(one(r) for r in requests))

    try:
        results = asyncio.run(burst())
    finally:
        server.stop()
    latencies = sorted(r[0] for r in results)
    return {"burst_kiosks": kiosks, "burst_workers": workers,
            "burst_p50_s": round(latencies[len(latencies) // 2], 3),
            "burst_p99_s": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 3),
            "burst_errors": sum(r[1] != b"200" for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--kiosks", type=int, default=500, help="for the burst")
    args = parser.parse_args()
    n = args.records
    out: dict = {"records": n, "batch": BATCH}

    from sync.server.store_sqlite import SqliteStore

    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        store.add_office("B1", "Bench", "WIB", "", 0)
        device = bench_device(store, "B1")
        elapsed = bench_store(store, make_items(n, device.id), device)
        out["sqlite_store_records_per_s"] = round(n / elapsed)
        store.close()

    if pg_user() is None:
        print("PostgreSQL unreachable: only the SQLite figure", file=sys.stderr)
    else:
        from sync.server.store_pg import PgStore

        with pg_schema_url() as url:
            store = PgStore(url)
            store.add_office("B0", "Bench", "WIB", "", 0)
            device = bench_device(store, "B0")
            items = make_items(n, device.id)
            copy_s = bench_copy(url, items, device)
            store_s = bench_store(store, items, device)
            store.close()
            out["copy_records_per_s"] = round(n / copy_s)
            out["pg_store_records_per_s"] = round(n / store_s)
            out["store_ratio"] = round(copy_s / store_s, 3)
        with pg_schema_url() as url:
            http_s, wire = bench_http(url, make_items(n, "x"))
            out["pg_http_inprocess_records_per_s"] = round(n / http_s)
            out["http_ratio"] = round(copy_s / http_s, 3)
            out["zstd_wire_bytes_per_record"] = round(wire, 1)
        with pg_schema_url() as url:
            out.update(bench_burst(url, args.kiosks))
    for key, value in out.items():
        print(f"{key:>34}: {value}", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
