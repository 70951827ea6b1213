"""systemd's notify protocol (kiosk.sdnotify) against a real Unix datagram socket, as systemd
listens on it: the kiosk screen and the headless edge, each a real process, say READY and
keep pinging the watchdog; the edge pings only while its LAN API answers."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk import sdnotify
from kiosk.demo import init_demo
from tests.lan_support import ROOT, set_token, stop_process


@pytest.fixture
def notify_socket():
    # AF_UNIX paths are limited to 108 bytes: pytest's tmp_path can be longer.
    import tempfile

    folder = tempfile.mkdtemp(prefix="sdn")
    path = os.path.join(folder, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    yield sock, path
    sock.close()
    os.unlink(path)
    os.rmdir(folder)


def _receive_until(sock: socket.socket, wanted: str) -> list[str]:
    """Datagrams until one holds ``wanted`` (the socket's timeout fails the test)."""
    got: list[str] = []
    while not any(wanted in m for m in got):
        got.append(sock.recv(4096).decode())
    return got


def test_notify_is_a_no_op_outside_systemd() -> None:
    assert sdnotify.notify("READY=1", environ={}) is False
    assert sdnotify.watchdog_interval_ms({}) == 0
    assert sdnotify.watchdog_interval_ms({"WATCHDOG_USEC": "30000000"}) == 0  # no socket
    assert sdnotify.start_http_heartbeat("http://127.0.0.1:9/", environ={}) is None


def test_notify_sends_one_datagram(notify_socket) -> None:
    sock, path = notify_socket
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}
    assert sdnotify.notify("READY=1\nSTATUS=up", environ=env) is True
    assert sock.recv(4096) == b"READY=1\nSTATUS=up"
    assert sdnotify.watchdog_interval_ms(env) == 15000  # half of WatchdogSec=30


def test_a_gone_socket_is_not_an_error(tmp_path) -> None:
    assert sdnotify.notify("WATCHDOG=1", environ={"NOTIFY_SOCKET": str(tmp_path / "no")}) is False


def test_http_heartbeat_pings_while_the_server_answers(notify_socket) -> None:
    sock, path = notify_socket

    class Unauthorized(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(401)  # the LAN API without a token: still alive
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"}
    stop = sdnotify.start_http_heartbeat(f"http://127.0.0.1:{server.server_address[1]}/",
                                         environ=env)
    try:
        assert stop is not None
        assert sock.recv(4096) == b"WATCHDOG=1"
        assert sock.recv(4096) == b"WATCHDOG=1"
        server.shutdown()
        server.server_close()
        # Drain a ping that may have been on its way, then nothing while nobody answers.
        sock.settimeout(0.5)
        try:
            sock.recv(4096)
        except TimeoutError:
            pass
        sock.settimeout(1.0)
        with pytest.raises(TimeoutError):
            sock.recv(4096)
    finally:
        if stop is not None:
            stop.set()


def _spawn(args: list[str], path: str, log: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from kiosk.cli import entry; entry()", *args],
        stdout=subprocess.DEVNULL, stderr=open(log, "w"), cwd=ROOT,
        env={**os.environ, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000",
             "PYTHONUNBUFFERED": "1", **env})


@pytest.mark.slow
def test_edge_serve_says_ready_and_pings(notify_socket, tmp_path) -> None:
    sock, path = notify_socket
    data_dir = tmp_path / "edge"
    init_demo(data_dir)
    set_token(data_dir)
    proc = _spawn(["--data-dir", str(data_dir), "edge", "serve", "--host", "127.0.0.1",
                   "--port", "0", "--no-advertise"], path, tmp_path / "edge.log")
    try:
        got = _receive_until(sock, "WATCHDOG=1")
        assert any(m.startswith("READY=1") and "edge serving" in m for m in got), \
            (got, (tmp_path / "edge.log").read_text())
        proc.terminate()  # SIGTERM, as systemctl stop
        assert "STOPPING=1" in _receive_until(sock, "STOPPING=1")
        assert proc.wait(20) == 0
    finally:
        stop_process(proc)


@pytest.mark.slow
def test_the_screen_says_ready_pings_from_its_event_loop_and_stops_on_sigterm(notify_socket, tmp_path) -> None:
    sock, path = notify_socket
    data_dir = tmp_path / "kiosk"
    init_demo(data_dir)
    proc = _spawn(["--data-dir", str(data_dir), "run", "--role", "display"], path,
                  tmp_path / "ui.log", QT_QPA_PLATFORM="offscreen")
    try:
        got = _receive_until(sock, "WATCHDOG=1")
        assert any(m.startswith("READY=1") and "display" in m for m in got), \
            (got, (tmp_path / "ui.log").read_text())
        assert proc.poll() is None  # still running: pings come from a live event loop
        # systemctl stop: SIGTERM quits the event loop, the cleanup runs, exit code 0
        proc.terminate()
        assert "STOPPING=1" in _receive_until(sock, "STOPPING=1")
        assert proc.wait(30) == 0, (tmp_path / "ui.log").read_text()
    finally:
        stop_process(proc)
