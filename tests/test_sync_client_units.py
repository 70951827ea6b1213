"""Sync client parts that need no server: key file, tokens, backoff, wire format, clock check,
reference apply, status and the CLI's help. The fault proxy is checked here too."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import stat
import threading
import time

import pytest
import zstandard
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.clock import FakeClock
from kiosk.db import write_tx
from kiosk.errors import StoreError
from sync.client import backoff, clock_check, identity, reference, wire
from sync.client.auth import TokenKeeper
from sync.client.sync_status import status
from tests.sync_support.proxy import FaultProxy
from tests.sync_support.records import write_jobs


def test_identity_key_is_private_and_stable(tmp_path):
    key = identity.load_or_create(tmp_path)
    path = identity.key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = identity.load_or_create(tmp_path)
    assert identity.public_key_b64(key) == identity.public_key_b64(again)
    os.chmod(path, 0o644)
    with pytest.raises(StoreError, match="chmod 600"):
        identity.load(tmp_path)


def test_missing_key_says_how_to_enroll(tmp_path):
    with pytest.raises(StoreError, match="kiosk enroll"):
        identity.load(tmp_path)


def test_token_expiry_follows_the_monotonic_clock_not_the_wall_clock():
    clock = FakeClock()
    keeper = TokenKeeper(clock)
    keeper.store("t", expires_in_s=900)
    clock.wall_ms = 0  # the wall clock falls to 1970: the token is still good
    assert keeper.current() == "t"
    clock.wall_ms = 2_200_000_000_000  # and to 2039: still good
    assert keeper.current() == "t"
    clock.mono_ns += 899 * 10**9  # 15 minutes of real time: renew (a little early)
    assert keeper.current() is None
    keeper.store("u", expires_in_s=900)
    clock.reboot("boot-2")  # a new boot's monotonic clock says nothing about the old token
    assert keeper.current() is None


def test_backoff_full_jitter_honours_retry_after_and_caps():
    b = backoff.Backoff(base_s=1, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(20)]
    assert all(0 <= d <= 600 for d in delays)
    assert max(delays[:3]) <= 4 and max(delays[10:]) > 4
    b.reset()
    assert b.next_delay(retry_after=30) >= 30
    assert b.next_delay(retry_after=10_000) == 600


def test_wire_batches_split_under_the_size_limit(runtime, clock):
    write_jobs(runtime.db, clock, 50, size=4000, noise=True)
    items = wire.read_items(runtime.db, "dev", 0)
    # random-looking payloads do not compress: force splitting with a small limit
    batches = wire.build_batches(items, "dev", "ep", None, "zstd", max_bytes=20_000)
    assert len(batches) > 1
    assert [s for b in batches for s in b.seqs] == [i.seq for i in items] == list(range(1, 51))
    body = json.loads(zstandard.ZstdDecompressor().decompress(batches[0].body))
    item = body["items"][0]
    stored = runtime.db.execute("SELECT * FROM outbox WHERE seq = 1").fetchone()
    assert item == {"change_id": stored[1], "table": "print_jobs", "record_id": stored[3],
                    "op": "upsert", "payload": json.loads(stored[5]), "device_id": "dev",
                    "device_seq": 1, "schema_version": stored[6], "wall_ms": stored[7],
                    "mono_ns": stored[8], "boot_id": stored[9]}


def test_items_written_after_the_clock_went_back_are_flagged(runtime, clock):
    write_jobs(runtime.db, clock, 1)
    good = wire.LastGood(wall_ms=clock.wall_ms + 1000, seq=1)
    clock.wall_ms = 0
    write_jobs(runtime.db, clock, 1)
    body = json.loads(wire.encode_body("dev", None, None,
                                       wire.read_items(runtime.db, "dev", 0, last_good=good)))
    assert [i.get("time_uncertain", False) for i in body["items"]] == [False, True]


def test_clock_check_flags_a_clock_earlier_than_last_known_good(runtime, clock):
    before, after = clock.now(), clock.now()
    clock_check.record_sample(runtime.db, clock_check.sample(before, after, clock.wall_ms + 50))
    assert clock_check.clock_state(runtime.db, clock.now())["time_uncertain"] is False
    clock.wall_ms = 0  # booted without network: 1970
    st = clock_check.clock_state(runtime.db, clock.now())
    assert st["time_uncertain"] and "earlier than its last known good" in st["reason"]


def test_reference_changes_touch_only_server_owned_tables(runtime):
    db = runtime.db
    with write_tx(db):
        applied, ignored = reference.apply_changes(db, [
            {"table": "services", "record_id": "svc-z", "op": "upsert", "version": 1,
             "payload": {"id": "svc-z", "office_id": "office-demo", "prefix": "Z",
                         "name_id": "Layanan Baru", "future_column": 1}},
            {"table": "settings", "record_id": "running_text", "op": "upsert", "version": 2,
             "payload": {"key": "running_text", "value": "Halo"}},
            {"table": "print_jobs", "record_id": "x", "op": "upsert", "payload": {"id": "x"}},
            {"table": "services", "record_id": "svc-c", "op": "delete", "payload": {}},
        ])
    assert (applied, ignored) == (3, 1)
    assert db["services"].get("svc-z")["name_id"] == "Layanan Baru"
    assert db["settings"].get("running_text")["value"] == "Halo"
    assert db.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM services WHERE id='svc-c'").fetchone()[0] == 0


def test_status_works_offline(runtime, clock):
    write_jobs(runtime.db, clock, 3)
    clock.advance(90)
    st = status(runtime.db, clock)
    assert st["pending"] == 3 and st["enrolled"] is False
    assert st["oldest_pending_age_s"] == pytest.approx(90)
    assert st["dead_letters"] == 0 and st["last_push_ms"] is None


def test_cli_help_and_status(demo_dir):
    runner = CliRunner()
    for args in (["enroll", "--help"], ["sync", "--help"], ["sync", "status", "--help"],
                 ["sync", "run", "--help"], ["sync", "dead-letters", "--help"]):
        res = runner.invoke(main, args)
        assert res.exit_code == 0 and "Usage" in res.output, args
    res = runner.invoke(main, ["--data-dir", str(demo_dir), "sync", "status"])
    assert res.exit_code == 0
    assert json.loads(res.output)["enrolled"] is False
    res = runner.invoke(main, ["--data-dir", str(demo_dir), "sync", "--once"])
    assert res.exit_code == 1 and "not enrolled" in json.loads(res.output)["error"]


def test_enroll_rejects_a_bad_address_and_empty_token(demo_dir):
    runner = CliRunner()
    res = runner.invoke(main, ["--data-dir", str(demo_dir), "enroll", "--server", "ftp://x",
                               "--token", "t"])
    assert res.exit_code == 1 and "http://HOST:PORT" in json.loads(res.output)["error"]
    res = runner.invoke(main, ["--data-dir", str(demo_dir), "enroll", "--server",
                               "http://127.0.0.1:9", "--token", "  "])
    assert res.exit_code == 1 and "token is empty" in json.loads(res.output)["error"]


# -- the fault proxy, against a plain echo server ------------------------------------------

@pytest.fixture
def echo_port():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    stop = threading.Event()

    def serve():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    def _echo(conn):
        with conn, contextlib.suppress(OSError):  # the proxy's cut resets the connection
            while data := conn.recv(65536):
                conn.sendall(data)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    srv.close()


def _roundtrip(port: int, payload: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_proxy_latency_and_bandwidth(echo_port):
    with FaultProxy(echo_port, latency_s=0.1) as proxy:
        t0 = time.monotonic()
        assert _roundtrip(proxy.port, b"ping") == b"ping"
        assert time.monotonic() - t0 >= 0.2  # one way each direction
    with FaultProxy(echo_port, rate_bps=80_000) as proxy:  # 10 kB/s
        t0 = time.monotonic()
        assert _roundtrip(proxy.port, b"x" * 5000) == b"x" * 5000
        assert time.monotonic() - t0 >= 0.45  # 5 kB each way on separate pacers


def test_proxy_cut_and_black_hole(echo_port):
    with FaultProxy(echo_port, cut_after=1000) as proxy:
        got = _roundtrip(proxy.port, b"y" * 5000)
        assert len(got) < 5000 and proxy.cuts == 1
        assert _roundtrip(proxy.port, b"z" * 5000) == b"z" * 5000  # one-shot
    with FaultProxy(echo_port, black_hole=True) as proxy:
        with pytest.raises(socket.timeout):
            _roundtrip(proxy.port, b"hello", timeout=0.5)
