"""Micro-benchmark of the city server's push hot path against the physical limit.

Measures, on the same rows in batches of 500 with one commit each:
- ``copy``: a bare psycopg COPY into the ``changes`` table (the baseline of bench/sync.py);
- ``store``: ``PgStore.push`` (decode nothing; prepare, COPY into staging, INSERT ... SELECT
  ... ON CONFLICT DO NOTHING RETURNING, commit);
- ``http``: the whole server in process (``/sync/push`` through FastAPI's ASGI app with a
  zstd body), without a network hop;
- ``sqlite``: ``SqliteStore.push`` for comparison.

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
from sync.server.wire import WireBatch, encode_payload  # noqa: E402

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
            "time_uncertain", "content_hash", "received_ms")
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
                                    it["boot_id"], it["wall_ms"], True, "h", 0))
            conn.commit()
        elapsed = time.perf_counter() - t0
        conn.execute("TRUNCATE changes")
        conn.commit()
    return elapsed


def bench_store(store, items: list[dict], device: Device) -> float:
    wire = [msgspec.convert({"device_id": device.id, "items": b}, WireBatch) for b in batches(items)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    n = args.records
    out: dict = {"records": n, "batch": BATCH}

    from sync.server.store_sqlite import SqliteStore

    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        store.add_office("B1", "Bench", "WIB", "", 0)
        device = bench_device(store, "B1")
        out["sqlite_store_records_per_s"] = round(n / bench_store(store, make_items(n, device.id), device))
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
    for key, value in out.items():
        print(f"{key:>34}: {value}", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
