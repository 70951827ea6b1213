"""Real processes: the city server under uvicorn on PostgreSQL, several kiosk processes, the
fault proxy between them, and ``kill -9`` of a kiosk mid-push and of the server mid-batch.

End state, for every kiosk: the count and checksum of what it committed equal the count and
checksum of what the server stores for it. Skipped (with the reason) when no PostgreSQL
answers on 127.0.0.1:5432; one smoke test runs the same path on the SQLite store anyway.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.sync_support import procs
from tests.sync_support.proxy import FaultProxy

pytestmark = pytest.mark.slow
PG = procs.pg_url()
needs_pg = pytest.mark.skipif(PG is None, reason="no PostgreSQL reachable at 127.0.0.1:5432 "
                              "(database 'test', user postgres or root, trust auth)")


def assert_converged(db_url: str, *data_dirs) -> None:
    for data_dir in data_dirs:
        device, n, digest = procs.kiosk_side(data_dir)
        assert (n, digest) == procs.server_side(db_url, device), f"{data_dir.name} differs"
        status = procs.local_status(data_dir)
        assert status["pending"] == 0 and status["dead_letters"] == 0, status


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def pg_server(tmp_path):
    with procs.pg_schema(PG) as url:
        srv = procs.ServerProcess(url, tmp_path / "server").start()
        srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                             "timezone": "WITA"})
        try:
            yield srv
        finally:
            srv.stop()


@needs_pg
def test_several_kiosks_through_a_bad_link(pg_server, tmp_path):
    srv = pg_server
    kiosks = [procs.new_kiosk(tmp_path, f"k{i}", srv, "KLR1", records=400 + 100 * i)
              for i in range(3)]
    with FaultProxy(srv.port, latency_s=0.05, rate_bps=4_000_000) as proxy:
        # a slow, long link: all three at once
        runs = [procs.kiosk_popen(k, "sync", "--once", "--server", proxy.url) for k in kiosks]
        assert [p.wait(120) for p in runs] == [0, 0, 0], [p.stderr.read() for p in runs]
        assert proxy.bytes_up > 0
        # the link is cut mid-request, then comes back
        procs.write(kiosks[0], 2000, size=200)
        proxy.cut_after = 20_000
        cut = procs.kiosk(kiosks[0], "sync", "--once", "--server", proxy.url, check=False)
        assert cut["_returncode"] == 1 and cut["error_kind"] == "link" and proxy.cuts == 1
        # a black hole: no answer at all
        procs.write(kiosks[1], 50)
        proxy.black_hole = True
        hole = procs.kiosk(kiosks[1], "sync", "--once", "--server", proxy.url, "--timeout", "1",
                           check=False)
        assert hole["_returncode"] == 1 and hole["pending"] == 50
        proxy.black_hole = False
        for k in kiosks:
            assert procs.kiosk(k, "sync", "--once", "--server", proxy.url)["pending"] == 0
    assert_converged(srv.db_url, *kiosks)
    stats = srv.admin("GET", "/admin/stats")
    assert stats["duplicate_record_ids"] == 0


@needs_pg
def test_kill_9_of_a_kiosk_mid_push_and_of_the_server_mid_batch(pg_server, tmp_path):
    srv = pg_server
    a = procs.new_kiosk(tmp_path, "a", srv, "KLR1", records=4000, size=300)
    b = procs.new_kiosk(tmp_path, "b", srv, "KLR1", records=6000, size=100)
    device_b = procs.kiosk_side(b)[0]

    # kiosk a dies (SIGKILL) while its push is on a slow link
    with FaultProxy(srv.port, rate_bps=1_000_000) as proxy:
        run = procs.kiosk_popen(a, "sync", "--once", "--server", proxy.url)
        wait_for(lambda: proxy.bytes_up > 100_000, 60, "kiosk a to be mid-push")
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(10)
    stored_a = procs.server_side(srv.db_url, procs.kiosk_side(a)[0])[0]
    assert 0 < stored_a < 4000, stored_a  # it really was cut in the middle

    # the server dies (SIGKILL) while kiosk b's worker pushes batch after batch (through a
    # 2 Mbit/s link: on loopback the pipelined push stores 6000 records between two polls)
    proxy_b = FaultProxy(srv.port, rate_bps=2_000_000).start()
    worker = procs.kiosk_popen(b, "sync", "run", "--interval", "0.2", "--timeout", "5",
                               "--server", proxy_b.url, log=tmp_path / "worker.log")
    try:
        wait_for(lambda: procs.server_side(srv.db_url, device_b)[0] >= 1000, 120,
                 "kiosk b's first batches on the server")
        srv.kill9()
        stored_b = procs.server_side(srv.db_url, device_b)[0]
        assert stored_b < 6000, "kill came too late to be mid-backlog"
        srv.start()
        wait_for(lambda: procs.server_side(srv.db_url, device_b)[0] == 6000, 180,
                 "kiosk b's backlog after the server came back")
        wait_for(lambda: procs.local_status(b)["pending"] == 0, 60,
                 "kiosk b to see every acknowledgement")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        proxy_b.stop()
    assert procs.kiosk(a, "sync", "--once")["pending"] == 0
    assert_converged(srv.db_url, a, b)
    assert srv.admin("GET", "/admin/stats")["duplicate_record_ids"] == 0


def test_cli_round_on_the_sqlite_server_through_the_proxy(tmp_path):
    """The same path without PostgreSQL: enroll and sync --once as processes, via the proxy."""
    srv = procs.ServerProcess(f"sqlite:///{tmp_path}/server.db", tmp_path / "server").start()
    try:
        srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Satu", "timezone": "WIB"})
        k = procs.new_kiosk(tmp_path, "k", srv, "KLR1", records=700, via_cli=True)
        with FaultProxy(srv.port, latency_s=0.02) as proxy:
            out = procs.kiosk(k, "sync", "--once", "--server", proxy.url)
        assert out["ok"] and out["push"]["accepted"] == 700 and out["pending"] == 0
        assert out["push"]["batches"] == 2 and proxy.bytes_up < out["push"]["raw_bytes"]
        assert_converged(srv.db_url, k)
    finally:
        srv.stop()


def test_the_server_keeps_an_idle_connection_longer_than_the_kiosk_does(tmp_path):
    """A kiosk reuses a connection idle for up to KIOSK_KEEP_ALIVE_S; the server must not
    close it first (uvicorn's default of 5 s raced the pipelined batches on a slow link)."""
    import socket

    from sync import protocol

    assert protocol.KIOSK_KEEP_ALIVE_S < protocol.SERVER_KEEP_ALIVE_S
    srv = procs.ServerProcess(f"sqlite:///{tmp_path}/server.db", tmp_path / "srv").start()
    try:
        request = (f"GET /sync/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"{protocol.PROTOCOL_HEADER}: 1\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            stream = sock.makefile("rb")
            for _ in range(2):
                sock.sendall(request)
                status = stream.readline()
                assert status.startswith(b"HTTP/1.1 200"), status
                headers = dict(line.decode().lower().split(":", 1)
                               for line in iter(stream.readline, b"\r\n"))
                stream.read(int(headers["content-length"]))      # the whole answer
                time.sleep(6)      # longer than uvicorn's default keep-alive of 5 s
    finally:
        srv.stop()
