"""The pushed change feed: a board watching over the LAN sees a call as it happens.

Timing is measured and printed, never asserted tightly (bench/lan.py gives the figures); the
tests assert that the right events arrive, in order, with a generous timeout.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from kiosk import queue as q
from kiosk.queue import LocalQueue
from kiosk.runtime import open_runtime
from sync.lan.client import RemoteQueue
from tests.lan_support import TOKEN, Watcher, edge_in_thread, wait_until


@pytest.fixture
def edge(runtime):
    # Pings every 0.25 s instead of 1 s: watchers stop sooner, the tests run faster.
    with edge_in_thread(runtime, ping_seconds=0.25) as server:
        yield server


def test_watch_receives_a_call_with_what_the_board_needs(edge):
    counter = RemoteQueue(edge.url, TOKEN)
    ticket = counter.issue_ticket("svc-b").ticket
    with Watcher(RemoteQueue(edge.url, TOKEN)) as board:
        wait_until(lambda: board.connection == [True], what="the board to connect")
        wait_until(lambda: [e.kind for e in board.events] == ["issued"], what="the backlog")
        pressed = time.perf_counter()
        called = counter.call_next("counter-3")
        wait_until(lambda: len(board.events) == 2, timeout=5, what="the call on the board")
        print(f"call-to-board latency over the LAN API: "
              f"{(board.arrived_at[1] - pressed) * 1000:.1f} ms")
    event = board.events[1]
    assert event.kind == "called" and event.id == board.events[0].id + 1
    assert event.ticket["id"] == ticket.id == called.id and event.ticket["status"] == "called"
    assert event.call["number"] == "B-001" and event.call["counter_number"] == 3
    assert event.call["kind"] == "call" and event.call["ticket_id"] == ticket.id
    assert board.connection == [True] and not board.error


def test_recall_is_pushed_again(edge):
    counter = RemoteQueue(edge.url, TOKEN)
    counter.issue_ticket("svc-a")
    called = counter.call_next("counter-1")
    with Watcher(RemoteQueue(edge.url, TOKEN), after_id=2) as board:
        counter.recall(called.id)
        wait_until(lambda: board.events, timeout=5, what="the recall")
    assert [e.kind for e in board.events] == ["recalled"]  # nothing before after_id
    assert board.events[0].call["kind"] == "recall" and board.events[0].ticket["recalls"] == 1


def test_writes_by_other_processes_on_the_edge_reach_the_board(edge, demo_dir, clock):
    """The citizen kiosk on the edge writes to the database directly, not through the API:
    the server's ~100 ms poll must still push those changes."""
    with Watcher(RemoteQueue(edge.url, TOKEN)) as board:
        wait_until(lambda: board.connection == [True])
        other = open_runtime(demo_dir, clock=clock)  # its own connection, as another process
        try:
            issued = q.issue_ticket(other, "svc-c", "hamil")
            q.call_next(other, "counter-2")
        finally:
            other.close()
        wait_until(lambda: len(board.events) == 2, timeout=5, what="the kiosk's writes")
    assert [e.kind for e in board.events] == ["issued", "called"]
    assert board.events[0].ticket["id"] == issued.ticket.id
    assert board.events[1].call["number"] == "C-001"


def test_a_long_backlog_arrives_complete_and_in_order(edge, runtime):
    local = LocalQueue(runtime)
    for _ in range(450):  # more than one page of events_since
        local.issue_ticket("svc-a")
    with Watcher(RemoteQueue(edge.url, TOKEN)) as board:
        wait_until(lambda: len(board.events) == 450, timeout=20, what="the backlog")
    assert [e.id for e in board.events] == list(range(1, 451))


def test_stop_ends_watch_promptly(edge):
    with Watcher(RemoteQueue(edge.url, TOKEN)) as board:
        wait_until(lambda: board.connection == [True])
        stopped = time.monotonic()
        board.stop.set()
        board.thread.join(10)
        assert not board.thread.is_alive()
    assert time.monotonic() - stopped < 3  # one keep-alive ping at most
    assert board.connection == [True] and not board.error


def test_resume_with_last_event_id_header(edge, runtime):
    local = LocalQueue(runtime)
    for _ in range(3):
        local.issue_ticket("svc-a")
    headers = {"Authorization": f"Bearer {TOKEN}", "Last-Event-ID": "2"}
    lines = []
    with httpx.stream("GET", f"{edge.url}/lan/events", params={"after": 0}, headers=headers,
                      timeout=5) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("id:"):
                break
    # The header wins over ?after=, as a reconnecting EventSource expects.
    assert lines[:2] == ["event: ready", 'data: {"after": 2}']
    assert lines[-1] == "id: 3"


def test_an_error_in_the_screens_handler_is_not_a_lost_edge(edge):
    counter = RemoteQueue(edge.url, TOKEN)
    counter.issue_ticket("svc-a")
    connection: list[bool] = []

    def broken(event):
        raise ZeroDivisionError("bug in the board")

    with pytest.raises(ZeroDivisionError, match="bug in the board"):
        RemoteQueue(edge.url, TOKEN).watch(broken, connection.append, threading.Event())
    assert connection == [True]
