"""A board that loses the edge says so, finds it again by itself, and misses nothing.

The edge is a real ``kiosk edge serve`` process, killed with SIGKILL (as a power cut would)
and started again on the same port; meanwhile the citizen kiosk on the edge keeps issuing and
a counter there keeps calling, straight into the database.
"""

from __future__ import annotations

import signal
import socket

import pytest

from kiosk import queue as q
from kiosk.runtime import open_runtime
from sync.lan.client import RemoteQueue
from tests.lan_support import (TOKEN, Watcher, set_token, start_edge_process, stop_process,
                               wait_until)


@pytest.mark.slow
def test_client_reports_the_lost_edge_reconnects_and_misses_nothing(demo_dir):
    set_token(demo_dir)
    edge, info = start_edge_process(demo_dir)
    port = info["port"]
    url = f"http://127.0.0.1:{port}"
    local = open_runtime(demo_dir)  # the edge's own kiosk, writing to its database
    try:
        client = RemoteQueue(url, TOKEN, backoff=(0.05, 0.4), stream_silence=3.0)
        with Watcher(RemoteQueue(url, TOKEN, backoff=(0.05, 0.4), stream_silence=3.0)) as board:
            wait_until(lambda: board.connection == [True], what="the first connection")
            client.issue_ticket("svc-a")
            client.call_next("counter-1")
            wait_until(lambda: len(board.events) == 2, timeout=5, what="the first call")

            stop_process(edge)  # SIGKILL: no goodbye
            wait_until(lambda: board.connection == [True, False], timeout=10,
                       what="on_connection(False)")

            for service in ("svc-b", "svc-c"):
                q.issue_ticket(local, service)
            missed = [q.call_next(local, "counter-2"), q.call_next(local, "counter-3")]
            assert len(board.events) == 2

            edge, info = start_edge_process(demo_dir, port=port)
            assert info["port"] == port
            wait_until(lambda: board.connection == [True, False, True], timeout=10,
                       what="on_connection(True) after the restart")
            wait_until(lambda: len(board.events) == 6, timeout=5, what="the missed events")

            q.recall(local, missed[0].id)  # and the stream is live again
            wait_until(lambda: len(board.events) == 7, timeout=5, what="the recall")
        client.close()
    finally:
        stop_process(edge)
        local.close()

    assert [e.id for e in board.events] == list(range(1, 8))  # none missed, none twice
    assert [e.kind for e in board.events] == ["issued", "called", "issued", "issued", "called",
                                              "called", "recalled"]
    assert [e.call["number"] for e in board.events[4:6]] == [t.number for t in missed]
    assert board.connection == [True, False, True] and not board.error


def test_client_started_while_the_edge_is_down_reports_false_then_true(demo_dir):
    set_token(demo_dir)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with Watcher(RemoteQueue(url, TOKEN, backoff=(0.05, 0.3))) as board:
        wait_until(lambda: board.connection == [False], what="on_connection(False)")
        edge, _ = start_edge_process(demo_dir, port=port)
        try:
            wait_until(lambda: board.connection == [False, True], timeout=10,
                       what="on_connection(True)")
        finally:
            stop_process(edge)


def test_sigterm_stops_the_edge_cleanly_and_the_board_notices(demo_dir):
    set_token(demo_dir)
    edge, info = start_edge_process(demo_dir)
    try:
        url = f"http://127.0.0.1:{info['port']}"
        with Watcher(RemoteQueue(url, TOKEN, backoff=(0.05, 0.3))) as board:
            wait_until(lambda: board.connection == [True], what="the connection")
            edge.send_signal(signal.SIGTERM)  # systemd stopping the service
            assert edge.wait(10) == 0
            wait_until(lambda: board.connection == [True, False], what="on_connection(False)")
    finally:
        stop_process(edge)
