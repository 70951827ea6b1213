"""Several kiosks and counters on one office database at once: numbers stay unique and
gapless, and no ticket is called twice."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.db import write_tx
from kiosk.runtime import open_runtime

pytestmark = pytest.mark.slow

PROCESSES = 4
TICKETS_EACH = 500


def _issue_many(data_dir: str, count: int, start: multiprocessing.synchronize.Event) -> list[str]:
    from kiosk import queue as q

    rt = open_runtime(Path(data_dir))
    try:
        start.wait(30)
        return [q.issue_ticket(rt, "svc-a").ticket.number for _ in range(count)]
    finally:
        rt.close()


def test_four_processes_issue_2000_unique_contiguous_numbers(demo_dir):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        with ctx.Pool(PROCESSES) as pool:
            results = [pool.apply_async(_issue_many, (str(demo_dir), TICKETS_EACH, start))
                       for _ in range(PROCESSES)]
            start.set()
            numbers = [n for r in results for n in r.get(timeout=240)]
    assert len(numbers) == PROCESSES * TICKETS_EACH
    assert sorted(numbers, key=lambda n: int(n[2:])) == [
        f"A-{i:03d}" for i in range(1, PROCESSES * TICKETS_EACH + 1)]
    rt = open_runtime(demo_dir)
    try:
        db = rt.db
        seqs = [r[0] for r in db.execute("SELECT seq FROM tickets ORDER BY seq")]
        assert seqs == list(range(1, 2001))
        # Every ticket committed with its outbox change, its event and its print job.
        assert db.execute("SELECT count(*) FROM outbox WHERE table_name = 'tickets'").fetchone()[0] == 2000
        assert db.execute("SELECT count(*) FROM print_jobs WHERE kind = 'ticket'").fetchone()[0] == 2000
        assert db.execute("SELECT count(*) FROM queue_events WHERE kind = 'issued'").fetchone()[0] == 2000
        assert db.execute("SELECT last_seq FROM queue_days").fetchall() == [(2000,)]
    finally:
        rt.close()


def test_counters_calling_at_once_never_get_the_same_ticket(demo_dir):
    from kiosk import queue as q

    clock = FakeClock()
    rt = open_runtime(demo_dir, clock=clock)
    for i in range(120):
        q.issue_ticket(rt, "svc-a" if i % 2 else "svc-b", "lansia" if i % 7 == 0 else None)
    with write_tx(rt.db):   # "next" alone closes an unstarted call (as no-show), no question
        rt.db.execute("INSERT INTO settings (key, value, updated_ms) VALUES"
                      " ('queue.next_when_called', 'no_show', 0),"
                      " ('queue.no_show_min_recalls', '0', 0)")
    rt.close()

    barrier = threading.Barrier(3)
    called: dict[int, list[str]] = {}
    rounds = 40

    def counter(number: int) -> None:
        own = open_runtime(demo_dir, clock=clock)   # its own connection, as another machine
        got: list[str] = []
        try:
            for _ in range(rounds):
                barrier.wait(30)   # the three press "next" at the same instant, every round
                ticket = q.call_next(own, f"counter-{number}")
                assert ticket is not None
                got.append(ticket.id)
        finally:
            own.close()
        called[number] = got

    threads = [threading.Thread(target=counter, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    every = [tid for got in called.values() for tid in got]
    assert len(every) == 120 and len(set(every)) == 120
    assert [len(called[n]) for n in (1, 2, 3)] == [rounds] * 3
    rt = open_runtime(demo_dir)
    try:
        assert rt.db.execute("SELECT count(*) FROM queue_calls").fetchone()[0] == 120
        assert rt.db.execute("SELECT count(DISTINCT call_order) FROM tickets").fetchone()[0] == 120
    finally:
        rt.close()
