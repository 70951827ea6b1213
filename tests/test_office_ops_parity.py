"""One table of queue operations (kiosk.queue.ops_table): the QueueClient protocol, LocalQueue
and RemoteQueue expose exactly its entries, and every entry round-trips over a real LAN API
on 127.0.0.1 with the result the edge's own call gave."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from kiosk.queue import LocalQueue, QueueClient
from kiosk.queue.ops_table import QUEUE_OPS, QUEUE_OPS_BY_NAME
from sync.lan.client import RemoteQueue
from sync.lan.server import open_edge_queues, running
from tests.lan_support import TOKEN

#: What each client has besides the table: the event stream, and the edge's hello.
NOT_IN_TABLE = {"watch"}
#: Reads the LAN API answers from its event-stream connection.
FEED_READS = {"events_since", "last_event_id"}


def _public(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items()
            if callable(value) and not name.startswith("_")}


def _protocol_members() -> set[str]:
    return {name for name in vars(QueueClient)
            if not name.startswith("_") and callable(getattr(QueueClient, name))}


def _without_self(fn) -> inspect.Signature:
    sig = inspect.signature(fn)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


def test_the_protocol_is_the_table_plus_watch():
    assert _protocol_members() == set(QUEUE_OPS_BY_NAME) | NOT_IN_TABLE
    for op in QUEUE_OPS:
        declared = _without_self(getattr(QueueClient, op.name))
        assert [(p.name, p.kind, p.default) for p in declared.parameters.values()] == \
               [(p.name, p.kind, p.default) for p in op.signature.parameters.values()], op.name


def test_both_clients_expose_the_table():
    assert _public(LocalQueue) == set(QUEUE_OPS_BY_NAME) | NOT_IN_TABLE
    assert _public(RemoteQueue) == set(QUEUE_OPS_BY_NAME) | NOT_IN_TABLE | {"hello", "close"}
    for op in QUEUE_OPS:
        for cls in (LocalQueue, RemoteQueue):
            assert _without_self(getattr(cls, op.name)) == op.signature, (cls, op.name)


def test_every_path_argument_is_an_argument():
    for op in QUEUE_OPS:
        assert set(op.path_args) <= set(op.signature.parameters), op.name
        assert set(op.wire_names) <= set(op.other_args), op.name


class _Recording(LocalQueue):
    """The edge's queue, remembering what each domain call returned."""

    def __init__(self, rt) -> None:
        super().__init__(rt)
        self.results: list[tuple[str, Any]] = []

    def _run(self, fn, *args, **kwargs):
        result = super()._run(fn, *args, **kwargs)
        self.results.append((fn.__name__, result))
        return result


#: One call of every operation, in an order the queue allows; ``t`` holds tickets by name.
SCENARIO: list[tuple[str, Any]] = [
    ("list_services", lambda t: ((), {})),
    ("issue_ticket", lambda t: (("svc-b",), {})),
    ("set_counter", lambda t: (("counter-2",), {"service_ids": ["svc-b"],
                                                "staff_id": "emp-2002", "paused": False})),
    ("counters", lambda t: ((), {})),
    ("employees", lambda t: ((), {})),
    ("call_next", lambda t: (("counter-2",), {})),
    ("current_ticket", lambda t: (("counter-2",), {})),
    ("recall", lambda t: ((t["b"],), {})),
    ("start_service", lambda t: ((t["b"],), {})),
    ("finish", lambda t: ((t["b"],), {})),
    ("reprint_ticket", lambda t: ((t["b"],), {})),
    ("waiting", lambda t: ((["svc-a"],), {})),
    ("no_show", lambda t: ((t["a"],), {})),
    ("transfer", lambda t: ((t["c"],), {"to_service_id": "svc-a"})),
    ("board_state", lambda t: ((), {})),
    ("events_since", lambda t: ((0,), {"limit": 50})),
    ("last_event_id", lambda t: ((), {})),
    ("printer_state", lambda t: ((), {})),
    ("status", lambda t: ((), {})),
]


def test_the_scenario_covers_the_table():
    assert sorted(name for name, _ in SCENARIO) == sorted(QUEUE_OPS_BY_NAME)


@pytest.fixture
def edge(runtime):
    queue, reader = open_edge_queues(runtime)
    recording = _Recording(runtime)
    try:
        with running(recording, token=TOKEN, office_code=runtime.config.office.code,
                     reader=reader) as server:
            yield server, recording
    finally:
        reader.rt.close()


def test_every_operation_round_trips_over_the_lan(edge, runtime):
    server, recording = edge
    local = LocalQueue(runtime)
    # Tickets the later steps need: "a" called twice at counter 1 (a no-show may follow),
    # "c" called at counter 3 (to transfer); "b" is issued over the LAN below.
    a = local.issue_ticket("svc-a").ticket.id
    local.set_counter("counter-1", service_ids=["svc-a"], staff_id=None, paused=False)
    assert local.call_next("counter-1").id == a
    local.recall(a)
    local.recall(a)
    c = local.issue_ticket("svc-c").ticket.id
    local.set_counter("counter-3", service_ids=["svc-c"], staff_id=None, paused=False)
    assert local.call_next("counter-3").id == c
    tickets = {"a": a, "c": c}

    with RemoteQueue(server.url, TOKEN) as remote:
        for name, make_args in SCENARIO:
            args, kwargs = make_args(tickets)
            recording.results.clear()
            answer = getattr(remote, name)(*args, **kwargs)
            on_edge = [result for fn, result in recording.results if fn == name]
            # The feed's reads (events_since, last_event_id) are served by the edge's second
            # connection, not the recorded queue: for them, only the local comparison below.
            assert on_edge == [answer] or (not on_edge and name in FEED_READS), name
            if name == "issue_ticket":
                tickets["b"] = answer.ticket.id
            if not QUEUE_OPS_BY_NAME[name].writes:     # a read: the same as asking here
                assert answer == getattr(local, name)(*args, **kwargs), name
