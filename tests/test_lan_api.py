"""The LAN API end to end: real uvicorn on loopback, real httpx, the real queue database.

A RemoteQueue must behave exactly like a LocalQueue on the same database, fail with the same
domain errors, and refuse anyone without the office LAN token.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from kiosk import config as config_mod
from kiosk.errors import ConfigError, DiskFullError, NotFoundError, StoreError, ValidationError
from kiosk.queue import InvalidTransition, LocalQueue, NotServedYet, QueueClient, QuotaExhausted
from sync.lan import wire
from kiosk.cli.compose import office_features
from sync.lan.client import RemoteQueue, remote_office_for
from sync.lan.errors import EdgeUnreachable, LanAuthError
from sync.lan.server import create_app, running
from tests.lan_support import TOKEN, Watcher, edge_in_thread, office_with, wait_until


@pytest.fixture
def edge(runtime):
    with edge_in_thread(runtime) as server:
        yield server


@pytest.fixture
def local(runtime) -> LocalQueue:
    return LocalQueue(runtime)


@pytest.fixture
def remote(edge):
    with RemoteQueue(edge.url, TOKEN) as client:
        yield client


def _event_count(local: LocalQueue) -> int:
    return len(local.events_since(0, 1000))


def test_remote_queue_is_a_queue_client(remote):
    assert isinstance(remote, QueueClient)


def test_operations_round_trip(remote, local, runtime):
    assert remote.hello() == {"service": "kelurahan-edge", "office_code": "DEMO", "protocol": 1}
    assert remote.list_services() == local.list_services()
    assert [c["id"] for c in remote.counters()] == [c["id"] for c in local.counters()]

    first = remote.issue_ticket("svc-a", "lansia")
    assert first.ticket.number == "A-001" and first.ticket.priority == "lansia"
    assert first.ticket == local.waiting()[0]
    second = remote.issue_ticket("svc-b")
    third = remote.issue_ticket("svc-b")
    assert second.people_ahead == 0 and third.people_ahead == 1
    assert remote.waiting() == local.waiting()
    assert [t.id for t in remote.waiting(["svc-b"])] == [second.ticket.id, third.ticket.id]

    remote.set_counter("counter-2", service_ids=["svc-b"], staff_id="emp-2002", paused=False)
    called = remote.call_next("counter-2")
    assert called is not None and called.id == second.ticket.id and called.status == "called"
    assert called.counter_number == 2 and called.staff_id == "emp-2002"
    assert remote.current_ticket("counter-2") == local.current_ticket("counter-2") == called
    assert remote.current_ticket("counter-3") is None

    assert remote.recall(called.id).recalls == 1
    assert remote.start_service(called.id).status == "serving"
    done = remote.finish(called.id)
    assert done.status == "done" and done.finished_ms is not None

    called = remote.call_next("counter-2")
    assert called.id == third.ticket.id
    moved = remote.transfer(called.id, "svc-c")
    assert moved.service_id == "svc-c" and moved.status == "waiting"
    assert moved.arrival_ms == third.ticket.arrival_ms and moved.transferred_from == called.id

    called = remote.call_next("counter-1", service_ids=["svc-a"])
    assert called.id == first.ticket.id
    assert remote.recall(called.id).recalls == 1
    remote.recall(called.id)
    assert remote.no_show(called.id).status == "no_show"

    job = remote.reprint_ticket(moved.id)
    assert isinstance(job, str) and job

    assert remote.board_state() == local.board_state()
    assert remote.board_state().serving == {}  # keys come back as ints, not "2"
    assert remote.events_since(0) == local.events_since(0)
    assert remote.last_event_id() == local.events_since(0)[-1].id == 14
    assert [e.id for e in remote.events_since(3)] == [e.id for e in local.events_since(3)]
    assert remote.status() == local.status()


def test_call_next_with_nobody_waiting_is_none(remote):
    assert remote.call_next("counter-1") is None


def test_domain_errors_cross_the_lan_as_the_same_class(remote, local, runtime):
    ticket = remote.issue_ticket("svc-a").ticket
    before = _event_count(local)

    with pytest.raises(NotFoundError, match="nope"):
        remote.issue_ticket("nope")
    with pytest.raises(NotFoundError):
        remote.finish("no-such-ticket")
    with pytest.raises(InvalidTransition, match=ticket.number):
        remote.start_service(ticket.id)  # waiting, never called
    with pytest.raises(ValidationError) as bad:
        remote.issue_ticket("svc-a", "vip")
    assert bad.value.field == "priority"
    with pytest.raises(ValidationError) as bad:
        remote.set_counter("counter-1", service_ids=["svc-a"], staff_id="nobody", paused=False)
    assert bad.value.field == "staff_id"

    runtime.db.execute("UPDATE services SET daily_cap = 1 WHERE id = 'svc-a'")
    runtime.db.conn.commit()
    with pytest.raises(QuotaExhausted):
        remote.issue_ticket("svc-a")

    assert _event_count(local) == before  # every refusal changed nothing


def test_malformed_request_is_a_validation_error(edge, local):
    before = _event_count(local)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    answer = httpx.post(f"{edge.url}/lan/tickets", json={"priority": None}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"] == "ValidationError" and answer.json()["field"] == "service_id"
    answer = httpx.post(f"{edge.url}/lan/tickets", json={"service_id": "svc-a", "colour": "red"},
                        headers=headers)
    assert answer.status_code == 422 and answer.json()["field"] == "colour"
    answer = httpx.get(f"{edge.url}/lan/events-since", params={"after": -1}, headers=headers)
    assert answer.status_code == 422
    assert _event_count(local) == before


ENDPOINTS = [
    ("GET", "/lan/services", None), ("POST", "/lan/tickets", {"service_id": "svc-a"}),
    ("POST", "/lan/counters/counter-1/next", {}), ("GET", "/lan/counters"),
    ("PUT", "/lan/counters/counter-1", {"service_ids": ["svc-a"]}),
    ("GET", "/lan/counters/counter-1/current", None), ("POST", "/lan/tickets/x/recall", None),
    ("POST", "/lan/tickets/x/transfer", {"to_service_id": "svc-b"}),
    ("POST", "/lan/tickets/x/reprint", None), ("GET", "/lan/waiting", None),
    ("GET", "/lan/board", None), ("GET", "/lan/events-since", None), ("GET", "/lan/events", None),
    ("GET", "/lan/events/last", None),
    ("GET", "/lan/printer", None), ("GET", "/lan/status", None),
]


@pytest.mark.parametrize("authorization", [None, f"Bearer {TOKEN[:-1]}X", f"Bearer {TOKEN}x",
                                           f"Basic {TOKEN}", "Bearer", TOKEN])
def test_every_endpoint_needs_the_token(edge, local, authorization):
    before = _event_count(local)
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(base_url=edge.url, headers=headers, timeout=5) as http:
        for method, path, *body in ENDPOINTS:
            answer = http.request(method, path, json=body[0] if body else None)
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"] == "Unauthorized"
            assert answer.headers["www-authenticate"] == "Bearer"
        assert http.get("/lan/hello").json()["office_code"] == "DEMO"  # the one open door
    assert _event_count(local) == before


def test_wrong_token_raises_lan_auth_error_and_ends_watch(edge):
    with RemoteQueue(edge.url, "not-the-office-token") as client:
        assert client.hello()["protocol"] == 1
        with pytest.raises(LanAuthError, match="refused"):
            client.list_services()
        with Watcher(client) as watcher:
            watcher.thread.join(10)
        assert watcher.connection == [False]
        assert isinstance(watcher.error[0], LanAuthError)


def test_retried_request_with_same_idempotency_key_is_done_once(edge, local):
    headers = {"Authorization": f"Bearer {TOKEN}", wire.IDEMPOTENCY_HEADER: "retry-1"}
    with httpx.Client(base_url=edge.url, headers=headers) as http:
        first = http.post("/lan/tickets", json={"service_id": "svc-a"}).json()
        again = http.post("/lan/tickets", json={"service_id": "svc-a"}).json()
    assert first == again
    assert [t.id for t in local.waiting()] == [first["ticket"]["id"]]


def test_unreachable_edge_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with RemoteQueue(f"http://127.0.0.1:{port}", TOKEN) as client:
        with pytest.raises(EdgeUnreachable, match=f"127.0.0.1:{port}.*does not answer"):
            client.list_services()


def test_remote_calls_from_many_threads_share_one_client(remote, local):
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            for _ in range(5):
                remote.issue_ticket("svc-c")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(t.seq for t in local.waiting(["svc-c"])) == list(range(1, 21))


def test_short_token_is_refused_at_start(local):
    with pytest.raises(ConfigError, match="lan.token"):
        create_app(local, token="short", office_code="DEMO")


def test_lan_config_section(tmp_path):
    cfg = config_mod.Config()
    cfg.lan.token, cfg.lan.port, cfg.lan.edge_url = TOKEN, 9000, "http://192.168.1.10:9000"
    config_mod.save(cfg, tmp_path)
    assert config_mod.load(tmp_path).lan == cfg.lan
    assert config_mod.Config().lan == config_mod.Lan(token="", port=8765, edge_url="")
    for text, key in [('[lan]\nport = 70000\n', "lan.port"), ('[lan]\nport = 0\n', "lan.port"),
                      ('[lan]\nedge_url = "192.168.1.10:8765"\n', "lan.edge_url"),
                      ('[lan]\nport = "8765"\n', "lan.port")]:
        (tmp_path / "config.toml").write_text(text)
        with pytest.raises(ConfigError) as info:
            config_mod.load(tmp_path)
        assert info.value.key == key


class _LoseFirstAnswer(httpx.BaseTransport):
    """The request reaches the edge, the answer is lost on the way back (flaky Wi-Fi)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and not self.lost:
            response.read()
            response.close()
            self.lost += 1
            raise httpx.ReadError("connection reset while reading the answer", request=request)
        return response


def test_call_next_whose_answer_was_lost_is_retried_without_calling_twice(edge, local):
    for _ in range(2):
        local.issue_ticket("svc-a")
    transport = _LoseFirstAnswer()
    with RemoteQueue(edge.url, TOKEN, transport=transport) as counter:
        called = counter.call_next("counter-1")
    assert transport.lost == 1
    assert called is not None and called.number == "A-001"
    calls = [e for e in local.events_since(0) if e.kind == "called"]
    assert [e.ticket["id"] for e in calls] == [called.id]  # one call, not two
    assert [t.number for t in local.waiting()] == ["A-002"]


def test_remote_office_for_uses_the_configured_edge_url(edge):
    cfg = config_mod.Config()
    cfg.lan.token, cfg.lan.edge_url = TOKEN, edge.url + "/"
    with remote_office_for(cfg, office_features()) as office:
        assert office.base_url == edge.url
        assert office.queue.hello()["office_code"] == "DEMO"


class _FailingQueue(LocalQueue):
    """A LocalQueue whose database fails the way a full or locked disk does (which cannot be
    provoked safely on the test machine)."""

    def __init__(self, rt, error) -> None:
        super().__init__(rt)
        self.error = error

    def list_services(self):
        raise self.error


@pytest.mark.parametrize("error, status", [
    (DiskFullError("kiosk.db: the disk is full; nothing was saved"), 507),
    (StoreError("kiosk.db: the database stayed locked for 30 s"), 503),
])
def test_store_errors_reach_the_counter_as_themselves(runtime, error, status):
    with running(office_with(runtime, _FailingQueue(runtime, error)), token=TOKEN, office_code="DEMO") as server:
        answer = httpx.get(f"{server.url}/lan/services", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == status
        with RemoteQueue(server.url, TOKEN) as counter:
            with pytest.raises(type(error)) as raised:
                counter.list_services()
    assert type(raised.value) is type(error) and str(raised.value) == str(error)


def test_last_event_id_with_a_plain_local_queue_pages_the_feed(runtime, local):
    for _ in range(250):  # more than one page of events_since
        local.issue_ticket("svc-b")
    with running(office_with(runtime, LocalQueue(runtime)), token=TOKEN, office_code="DEMO") as server:
        with RemoteQueue(server.url, TOKEN) as board:
            assert board.last_event_id() == 250


class _BrokenFeed(LocalQueue):
    def events_since(self, after_id, limit=200):
        raise StoreError("kiosk.db: database disk image is malformed")


def test_an_edge_whose_feed_fails_is_not_reported_as_found(runtime):
    with running(office_with(runtime, _BrokenFeed(runtime)), token=TOKEN, office_code="DEMO") as server:
        with Watcher(RemoteQueue(server.url, TOKEN, backoff=(0.05, 0.2))) as board:
            wait_until(lambda: board.connection == [False], what="on_connection(False)")
            time.sleep(1.0)  # several reconnection attempts
        assert board.connection == [False] and not board.error


def test_next_over_a_ticket_only_called_asks_across_the_lan(remote, local):
    """Issue 10, item 7, on a counter PC: the edge's NotServedYet reaches the console as
    itself (409), with the ticket it is about, so the console can ask the same question."""
    first = remote.issue_ticket("svc-a").ticket
    remote.issue_ticket("svc-a")
    remote.call_next("counter-1")
    before = _event_count(local)
    with pytest.raises(NotServedYet) as asked:
        remote.call_next("counter-1")
    assert (asked.value.ticket_id, asked.value.number) == (first.id, first.number)
    assert asked.value.code == "not_served_yet"
    assert _event_count(local) == before
