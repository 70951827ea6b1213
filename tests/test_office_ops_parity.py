"""One table of operations per feature (kiosk.optable): the local office client (LocalOffice)
and the remote one (RemoteOffice) expose exactly the tables' entries, the QueueClient
protocol matches the queue's table, and every operation of every feature round-trips over
a real LAN API on 127.0.0.1 with the result the edge's own call gave."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

import pytest

from kiosk.cli.compose import office_features
from kiosk.office import LocalFeature, LocalOffice
from kiosk.queue import LocalQueue, QueueClient
from kiosk.queue.ops_table import QUEUE
from sync.lan.client import RemoteOffice, RemoteQueue
from sync.lan.server import open_edge, running
from tests.lan_support import TOKEN

#: What the queue's clients have besides the table: the event stream.
NOT_IN_TABLE = {"watch"}
#: What every remote feature has besides its table: the edge's hello.
REMOTE_EXTRAS = {"hello"}
#: Reads the LAN API answers from its event-stream connection.
FEED_READS = {"events_since", "last_event_id"}
FEATURES = office_features()


def _public(cls: type) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        if klass is object:
            continue
        names |= {name for name, value in vars(klass).items()
                  if callable(value) and not name.startswith("_")}
    return names


def _without_self(fn) -> inspect.Signature:
    sig = inspect.signature(fn)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


def test_feature_names_and_paths_are_unique():
    assert len({f.name for f in FEATURES}) == len(FEATURES)
    routes = [(op.method, f.prefix + op.path) for f in FEATURES for op in f.ops]
    assert len(set(routes)) == len(routes)
    for feature in FEATURES:
        assert len({op.name for op in feature.ops}) == len(feature.ops), feature.name


def test_the_queue_protocol_is_the_table_plus_watch():
    members = {name for name in vars(QueueClient)
               if not name.startswith("_") and callable(getattr(QueueClient, name))}
    assert members == {op.name for op in QUEUE.ops} | NOT_IN_TABLE
    for op in QUEUE.ops:
        declared = _without_self(getattr(QueueClient, op.name))
        assert [(p.name, p.kind, p.default) for p in declared.parameters.values()] == \
               [(p.name, p.kind, p.default) for p in op.signature.parameters.values()], op.name


def test_local_and_remote_offices_expose_the_same_operations(runtime):
    local = LocalOffice(runtime, FEATURES)
    remote = RemoteOffice("http://127.0.0.1:9", TOKEN, FEATURES)
    try:
        for feature in FEATURES:
            table = {op.name for op in feature.ops}
            extras = NOT_IN_TABLE if feature is QUEUE else set()
            here, there = getattr(local, feature.name), getattr(remote, feature.name)
            assert _public(type(here)) == table | extras, feature.name
            assert _public(type(there)) - {"close", "base_url"} == table | extras | REMOTE_EXTRAS, \
                feature.name
            for op in feature.ops:
                for client in (here, there):
                    assert _without_self(getattr(type(client), op.name)) == op.signature, \
                        (feature.name, op.name, type(client))
        assert isinstance(local.queue, LocalQueue) and isinstance(remote.queue, RemoteQueue)
    finally:
        remote.close()


def test_every_path_argument_is_an_argument():
    for feature in FEATURES:
        for op in feature.ops:
            assert set(op.path_args) <= set(op.signature.parameters), op.name
            assert set(op.wire_names) <= set(op.other_args), op.name


#: One call of every operation, in an order the office allows; ``t`` holds ids by name.
SCENARIO: list[tuple[str, str, Any]] = [
    ("queue", "list_services", lambda t: ((), {})),
    ("queue", "issue_ticket", lambda t: (("svc-b",), {})),
    ("queue", "set_counter", lambda t: (("counter-2",), {"service_ids": ["svc-b"],
                                                         "staff_id": "emp-2002", "paused": False})),
    ("queue", "counters", lambda t: ((), {})),
    ("queue", "employees", lambda t: ((), {})),
    ("queue", "call_next", lambda t: (("counter-2",), {})),
    ("queue", "current_ticket", lambda t: (("counter-2",), {})),
    ("queue", "recall", lambda t: ((t["b"],), {})),
    ("queue", "start_service", lambda t: ((t["b"],), {})),
    ("queue", "finish", lambda t: ((t["b"],), {})),
    ("queue", "call_ticket", lambda t: (("counter-2", t["d"]), {})),
    ("queue", "reprint_ticket", lambda t: ((t["b"],), {})),
    ("queue", "waiting", lambda t: ((["svc-a"],), {})),
    ("queue", "no_show", lambda t: ((t["a"],), {})),
    ("queue", "transfer", lambda t: ((t["c"],), {"to_service_id": "svc-a"})),
    ("queue", "board_state", lambda t: ((), {})),
    ("queue", "events_since", lambda t: ((0,), {"limit": 50})),
    ("queue", "last_event_id", lambda t: ((), {})),
    ("queue", "status", lambda t: ((), {})),
    ("printing", "printer_state", lambda t: ((), {})),
    ("printing", "job_status", lambda t: ((t["job"],), {})),
    ("reports", "stats", lambda t: ((t["day"], t["day"]), {})),
    ("reports", "export_text", lambda t: ((t["day"],), {"day_to": t["day"]})),
    ("sync_status", "facts", lambda t: ((), {})),
    ("sync_status", "worker_snapshot", lambda t: ((), {})),
    ("sync_status", "sync_now", lambda t: ((), {})),
    ("requests", "list_letter_types", lambda t: ((), {})),
    ("requests", "submit_request", lambda t: (("SKU", SKU["applicant"], SKU["details"]), {})),
    ("requests", "lookup_status", lambda t: ((t["request"],), {})),
    ("requests", "list_requests", lambda t: ((), {"status": "submitted"})),
    ("requests", "request_status", lambda t: ((t["request"],), {})),
    ("requests", "change_request_status", lambda t: ((t["request"], "checking"),
                                                     {"staff_id": "emp-2002"})),
    ("requests", "get_request", lambda t: ((t["request"],), {})),
    ("requests", "request_history", lambda t: ((t["request"],), {})),
    ("complaints", "list_categories", lambda t: ((), {})),
    ("complaints", "submit_complaint", lambda t: (("jalan", "Lubang besar di jalan",
                                                   "RT 003/005"), {"anonymous": True})),
    ("complaints", "complaint_status", lambda t: ((t["complaint"],), {})),
    ("letters", "checklist_of", lambda t: ((t["r2"],), {})),
    ("letters", "verify_request", lambda t: ((t["r2"], t["ticks"]), {"staff_id": "emp-2002"})),
    ("letters", "approve_request", lambda t: ((t["r2"],), {"staff_id": "emp-2002"})),
    ("letters", "issued_letter", lambda t: ((t["r2"],), {})),
    ("letters", "letter_pdf", lambda t: ((t["r2"],), {})),
    ("letters", "print_letter", lambda t: ((t["r2"],), {})),
    ("letters", "mark_ready", lambda t: ((t["r2"],), {"staff_id": "emp-2002"})),
    ("letters", "mark_collected", lambda t: ((t["r2"],), {"staff_id": "emp-2002"})),
    ("letters", "revoke_letter", lambda t: ((t["r2"], "Dokumen palsu"), {"staff_id": "emp-2002"})),
    ("letters", "request_change", lambda t: ((t["r3"], "Fotokopi KK tidak terbaca"),
                                             {"staff_id": "emp-2002"})),
    ("attendance", "record_scan", lambda t: ((t["badge"],), {})),
    ("attendance", "correct_event", lambda t: ((t["event"], "out"), {})),
    ("attendance", "report", lambda t: ((t["day"].strftime("%Y-%m"),), {})),
    ("attendance", "enroll_face", lambda t: (("emp-2002", FACE), {"consent_by": "Budi Santoso"})),
    ("attendance", "face_roster", lambda t: ((), {})),
    ("attendance", "delete_face", lambda t: (("emp-2002",), {})),
    ("letters", "reject_request", lambda t: ((t["r3"], "Tidak datang memperbaiki"),
                                             {"staff_id": "emp-2002"})),
]
#: Three captures of a made-up face (128 floats each; tests/test_faces.py has real-like ones).
FACE = [[round(0.01 * (i + k), 4) for i in range(128)] for k in range(3)]
#: A letter request as Pak Budi makes it (tests/test_requests_sync.py has the same one).
SKU = {"applicant": {"nik": "6472085508950003", "kk": "6472081203150007", "name": "Budi Santoso",
                     "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
                     "address": "Jl. Pahlawan 3", "rt_rw": "3/5", "religion": "Islam",
                     "marital_status": "kawin", "occupation": "Wiraswasta"},
       "details": {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
                   "business_since": "2019-01-01", "purpose": "Pinjaman bank"}}


def test_the_scenario_covers_every_table():
    assert sorted((f, n) for f, n, _ in SCENARIO) == \
           sorted((f.name, op.name) for f in FEATURES for op in f.ops)


@pytest.fixture
def edge(runtime, monkeypatch):
    """A real LAN API over the edge's office, remembering what each domain call returned."""
    results: list[tuple[str, Any]] = []
    run = LocalFeature._run

    def recording(self, op, *args, **kwargs):
        result = run(self, op, *args, **kwargs)
        results.append((op.name, result))
        return result

    monkeypatch.setattr(LocalFeature, "_run", recording)
    office, reader = open_edge(runtime, FEATURES)
    try:
        with running(office, token=TOKEN, office_code=runtime.config.office.code,
                     reader=reader) as server:
            yield server, results
    finally:
        reader.rt.close()


def test_every_operation_round_trips_over_the_lan(edge, runtime):
    server, results = edge
    local = LocalOffice(runtime, FEATURES)
    queue = local.queue
    # Tickets the later steps need: "a" called twice at counter 1 (a no-show may follow),
    # "c" called at counter 3 (to transfer); "b" is issued over the LAN below.
    issued = queue.issue_ticket("svc-a")
    a = issued.ticket.id
    queue.set_counter("counter-1", service_ids=["svc-a"], staff_id=None, paused=False)
    assert queue.call_next("counter-1").id == a
    queue.recall(a)
    queue.recall(a)
    c = queue.issue_ticket("svc-c").ticket.id
    queue.set_counter("counter-3", service_ids=["svc-c"], staff_id=None, paused=False)
    assert queue.call_next("counter-3").id == c
    d = queue.issue_ticket("svc-c").ticket.number      # called by its number, over the LAN
    from kiosk.letters import issuing, operations as letter_ops

    r2, r3 = (letter_ops.submit_request(runtime, "SKU", SKU["applicant"], SKU["details"]).code
              for _ in range(2))
    ticks = {item: True for item in issuing.checklist_of(runtime, r2)}
    # a staff badge the office's keys know (the city's key comes down as a setting)
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk import badges
    from kiosk.db import write_tx

    key = Ed25519PrivateKey.generate()
    public = badges.public_bytes(key)
    with write_tx(runtime.db):
        runtime.db["settings"].upsert({"key": f"badge_key.{badges.key_id(public)}",
                                       "value": base64.b64encode(public).decode(),
                                       "updated_ms": 0}, pk="key")
    badge = badges.issue_badge(key, "emp-2002", runtime.config.office.code,
                               runtime.clock.now().wall_ms - 86_400_000)
    ids = {"a": a, "c": c, "d": d, "r2": r2, "r3": r3, "ticks": ticks, "badge": badge,
           "job": issued.print_job_id, "day": date.fromisoformat(
        queue.status()["business_day"])}

    with RemoteOffice(server.url, TOKEN, FEATURES) as remote:
        for feature, name, make_args in SCENARIO:
            args, kwargs = make_args(ids)
            results.clear()
            answer = getattr(getattr(remote, feature), name)(*args, **kwargs)
            on_edge = [result for fn, result in results if fn == name]
            # The feed's reads (events_since, last_event_id) are served by the edge's second
            # connection, not through the office: for them, only the local comparison below.
            assert on_edge == [answer] or (not on_edge and name in FEED_READS), name
            if name == "issue_ticket":
                ids["b"] = answer.ticket.id
            if name == "submit_request":
                ids["request"] = answer.code
            if name == "submit_complaint":
                ids["complaint"] = answer.code
            if name == "record_scan":
                ids["event"] = answer.event.id
            op = next(f for f in FEATURES if f.name == feature).op(name)
            if not op.writes:     # a read: the same as asking here
                assert answer == getattr(getattr(local, feature), name)(*args, **kwargs), name
