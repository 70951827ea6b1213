"""Two counters pressing "Panggil berikutnya" at the same instant over the LAN never get the
same ticket: 2 RemoteQueue clients x 100 calls from threads against 200 waiting tickets."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from kiosk.queue import LocalQueue
from sync.lan.client import RemoteQueue
from tests.lan_support import TOKEN, edge_in_thread

TICKETS = 200
CALLS_PER_COUNTER = 100


@pytest.mark.slow
def test_two_counters_calling_next_concurrently_never_share_a_ticket(runtime):
    local = LocalQueue(runtime)
    # "Next" over a ticket only called marks it no-show (the office setting; by default the
    # counter would be asked first, docs/QUEUE.md), so pressing next alone goes on.
    with runtime.db.conn:
        runtime.db.conn.executemany("INSERT INTO settings (key, value, updated_ms) VALUES (?, ?, 0)",
                                    [("queue.next_when_called", "no_show"),
                                     ("queue.no_show_min_recalls", "0")])
    for n in range(TICKETS):
        local.issue_ticket(("svc-a", "svc-b", "svc-c")[n % 3], "lansia" if n % 7 == 0 else None)
    issued = {t.id for t in local.waiting()}
    assert len(issued) == TICKETS

    with edge_in_thread(runtime) as edge:
        clients = {counter: RemoteQueue(edge.url, TOKEN) for counter in ("counter-1", "counter-2")}
        called: dict[str, list] = {counter: [] for counter in clients}
        errors: list[BaseException] = []
        start = threading.Barrier(len(clients))

        def press_next(counter: str) -> None:
            try:
                start.wait()
                for _ in range(CALLS_PER_COUNTER):
                    called[counter].append(clients[counter].call_next(counter))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=press_next, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        assert clients["counter-1"].waiting() == []
        for client in clients.values():
            client.close()

    tickets = [t for calls in called.values() for t in calls]
    assert None not in tickets
    ids = [t.id for t in tickets]
    assert len(ids) == TICKETS and set(ids) == issued  # all served, none twice
    for counter, calls in called.items():
        assert {t.counter_id for t in calls} == {counter}
    # The database agrees: exactly one "called" event per ticket, all closed but the last two.
    per_ticket = Counter(e.ticket["id"] for e in local.events_since(0, 10_000) if e.kind == "called")
    assert set(per_ticket) == issued and set(per_ticket.values()) == {1}
    statuses = dict(runtime.db.execute("SELECT status, count(*) FROM tickets GROUP BY status"))
    assert statuses == {"no_show": TICKETS - 2, "called": 2}
