"""The counter's steps and their errors, the ticket's times, the one-transaction issue, the
change feed, the board, and LocalQueue."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import pytest

from kiosk import outbox, print_ops, print_queue
from kiosk import queue as q
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.queue.client import LocalQueue, QueueClient


def _snapshot(db) -> dict:
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("tickets", "outbox", "print_jobs", "queue_events", "queue_calls",
                      "counter_sessions", "queue_days")}


def _set(db, key: str, value) -> None:
    with write_tx(db):
        db["settings"].upsert({"key": key, "value": str(value), "updated_ms": 0}, pk="key")


# -- issue: one transaction --------------------------------------------------------------------

def test_issue_commits_ticket_event_outbox_and_print_job_together(runtime, clock):
    runtime.config.office.timezone = "WITA"
    clock.set_wall(datetime(2026, 11, 23, 0, 15, tzinfo=timezone.utc))   # 08:15 in Samarinda
    issued = q.issue_ticket(runtime, "svc-b", "lansia")
    t = issued.ticket
    assert (t.number, t.status, t.priority, t.arrival_ms, t.issued_ms) == (
        "B-001", "waiting", "lansia", clock.wall_ms, clock.wall_ms)
    db = runtime.db
    changes = outbox.pending(db)
    assert [(c.table, c.record_id) for c in changes] == [("tickets", t.id), ("print_jobs", issued.print_job_id)]
    assert changes[0].payload["number"] == "B-001" and changes[0].payload["status"] == "waiting"
    job = print_queue.get_job(db, issued.print_job_id)
    assert (job.kind, job.ref_id, job.status) == ("ticket", t.id, "pending")
    r = job.receipt
    assert (r.office_name, r.title, r.big_number, r.service) == (
        "Kelurahan Sungai Pinang Dalam", "NOMOR ANTRIAN", "B-001", "Surat Keterangan")
    assert r.local_time == "23-11-2026 08:15 WITA"
    assert r.people_ahead == 0
    assert r.footer == ["Terima kasih. Mohon menunggu panggilan."]
    assert "Prioritas: Lansia" in r.lines
    events = q.events_since(runtime, 0)
    assert [(e.kind, e.ticket["id"]) for e in events] == [("issued", t.id)]


def test_issue_rolls_back_everything_when_the_print_job_fails(runtime):
    q.issue_ticket(runtime, "svc-a")
    before = _snapshot(runtime.db)
    # A real failure inside SQLite, not a mock: a trigger refuses the print job row.
    runtime.db.execute("CREATE TEMP TRIGGER no_paper BEFORE INSERT ON print_jobs "
                       "BEGIN SELECT RAISE(ABORT, 'print job refused'); END")
    with pytest.raises(Exception, match="print job refused"):
        q.issue_ticket(runtime, "svc-a")
    assert _snapshot(runtime.db) == before
    runtime.db.execute("DROP TRIGGER no_paper")
    assert q.issue_ticket(runtime, "svc-a").ticket.number == "A-002"   # no gap


def test_people_ahead_and_estimated_wait(runtime, clock):
    assert q.issue_ticket(runtime, "svc-a").estimated_wait_min == 0
    second = q.issue_ticket(runtime, "svc-a")
    # No service history today: the default of 5 minutes per person, one counter.
    assert (second.people_ahead, second.estimated_wait_min) == (1, 5)
    # A priority ticket goes first at the start of the day.
    assert q.issue_ticket(runtime, "svc-a", "disabilitas").people_ahead == 0
    # Today's service times take over: two tickets served in 2 and 4 minutes.
    for minutes in (2, 4):
        t = q.call_next(runtime, "counter-1")
        q.start_service(runtime, t.id)
        clock.advance(minutes * 60)
        q.finish(runtime, t.id)
    fourth = q.issue_ticket(runtime, "svc-a")
    assert fourth.people_ahead == 1
    assert fourth.estimated_wait_min == 3
    # Two open counters for the service halve it.
    for c in ("counter-1", "counter-2"):
        q.set_counter(runtime, c, service_ids=["svc-a"], staff_id=None, paused=False)
    fifth = q.issue_ticket(runtime, "svc-a")
    assert (fifth.people_ahead, fifth.estimated_wait_min) == (2, 3)


# -- the counter's steps -----------------------------------------------------------------------

def test_full_life_records_every_time_counter_and_staff(runtime, clock):
    t = q.issue_ticket(runtime, "svc-a").ticket
    clock.advance(300)
    called = q.call_next(runtime, "counter-2", staff_id="emp-2002")
    assert called.id == t.id
    assert (called.status, called.counter_id, called.counter_number, called.staff_id) == (
        "called", "counter-2", 2, "emp-2002")
    clock.advance(30)
    started = q.start_service(runtime, t.id)
    clock.advance(240)
    done = q.finish(runtime, t.id)
    assert done.status == "done"
    assert (done.called_ms - done.issued_ms, done.started_ms - done.called_ms,
            done.finished_ms - done.started_ms) == (300_000, 30_000, 240_000)
    assert started.started_ms == done.started_ms
    assert [e.kind for e in q.events_since(runtime, 0)] == ["issued", "called", "started", "finished"]
    payloads = [c.payload["status"] for c in outbox.pending(runtime.db) if c.table == "tickets"]
    assert payloads == ["waiting", "called", "serving", "done"]
    assert [c.table for c in outbox.pending(runtime.db)].count("queue_calls") == 1


@pytest.mark.parametrize("step,status", [
    (q.finish, "waiting"), (q.start_service, "waiting"), (q.recall, "waiting"),
    (q.no_show, "waiting"),
])
def test_steps_on_an_uncalled_ticket_are_refused_and_change_nothing(runtime, step, status):
    t = q.issue_ticket(runtime, "svc-a").ticket
    before = _snapshot(runtime.db)
    with pytest.raises(q.InvalidTransition, match=f"berstatus '{status}'"):
        step(runtime, t.id)
    assert _snapshot(runtime.db) == before


def test_finished_ticket_cannot_be_recalled_transferred_or_finished_again(runtime):
    t = q.issue_ticket(runtime, "svc-a").ticket
    q.call_next(runtime, "counter-1")
    q.finish(runtime, t.id)
    before = _snapshot(runtime.db)
    for step in (q.finish, q.recall, q.start_service, q.no_show):
        with pytest.raises(q.InvalidTransition):
            step(runtime, t.id)
    with pytest.raises(q.InvalidTransition):
        q.transfer(runtime, t.id, "svc-b")
    with pytest.raises(NotFoundError):
        q.finish(runtime, "no-such-ticket")
    assert _snapshot(runtime.db) == before


def test_recall_counts_and_no_show_needs_a_recall(runtime, clock):
    t = q.issue_ticket(runtime, "svc-c").ticket
    q.call_next(runtime, "counter-3")
    with pytest.raises(q.InvalidTransition, match="panggil ulang dulu"):
        q.no_show(runtime, t.id)
    assert q.recall(runtime, t.id).recalls == 1
    clock.advance(60)
    assert q.recall(runtime, t.id).recalls == 2
    board = q.board_state(runtime)
    assert (board.current.kind, board.current.number, board.current.counter_number) == ("recall", "C-001", 3)
    gone = q.no_show(runtime, t.id)
    assert (gone.status, gone.recalls, gone.finished_ms) == ("no_show", 2, clock.wall_ms)
    assert [e.kind for e in q.events_since(runtime, 0)] == [
        "issued", "called", "recalled", "recalled", "no_show"]
    recalls = [e.call for e in q.events_since(runtime, 0) if e.kind == "recalled"]
    assert all(c["kind"] == "recall" and c["counter_number"] == 3 for c in recalls)


def test_no_show_recalls_setting(runtime):
    _set(runtime.db, "queue.no_show_min_recalls", 0)
    t = q.issue_ticket(runtime, "svc-a").ticket
    q.call_next(runtime, "counter-1")
    assert q.no_show(runtime, t.id).status == "no_show"


def test_next_closes_the_ticket_being_served_as_done(runtime, clock):
    a = q.issue_ticket(runtime, "svc-a").ticket
    b = q.issue_ticket(runtime, "svc-a").ticket
    q.call_next(runtime, "counter-1")
    q.start_service(runtime, a.id)
    clock.advance(300)
    assert q.call_next(runtime, "counter-1").id == b.id
    closed = q.store.ticket_from_row(q.store.get_ticket_row(runtime.db, a.id))
    assert closed.status == "done" and closed.finished_ms - closed.started_ms == 300_000
    q.start_service(runtime, b.id)
    assert q.call_next(runtime, "counter-1") is None
    assert q.current_ticket(runtime, "counter-1") is None


def test_next_over_a_ticket_only_called_asks_and_changes_nothing(runtime, clock):
    """Issue 10, item 7: "next" never records a service that did not happen. By default
    (queue.next_when_called = ask) it refuses with NotServedYet, so the counter can ask."""
    a = q.issue_ticket(runtime, "svc-a").ticket
    q.issue_ticket(runtime, "svc-a")
    q.call_next(runtime, "counter-1")
    clock.advance(1)
    before = _snapshot(runtime.db)
    with pytest.raises(q.NotServedYet, match="A-001 belum dilayani") as info:
        q.call_next(runtime, "counter-1")
    assert (info.value.ticket_id, info.value.number) == (a.id, "A-001")
    assert isinstance(info.value, q.InvalidTransition)
    assert _snapshot(runtime.db) == before
    # The staff answers "yes, not here": no-show (after the recall the office requires), next.
    q.recall(runtime, a.id)
    q.no_show(runtime, a.id)
    assert q.call_next(runtime, "counter-1").number == "A-002"
    assert q.store.get_ticket_row(runtime.db, a.id)["status"] == "no_show"
    assert runtime.db.execute("SELECT count(*) FROM tickets WHERE status = 'done'"
                              ).fetchone()[0] == 0


def test_next_over_a_ticket_only_called_marks_it_no_show_when_the_office_says_so(runtime,
                                                                                   clock):
    _set(runtime.db, "queue.next_when_called", "no_show")
    a = q.issue_ticket(runtime, "svc-a").ticket
    q.issue_ticket(runtime, "svc-a")
    q.call_next(runtime, "counter-1")
    with pytest.raises(q.InvalidTransition, match="panggil ulang dulu"):   # recalls first
        q.call_next(runtime, "counter-1")
    q.recall(runtime, a.id)
    clock.advance(1)
    assert q.call_next(runtime, "counter-1").number == "A-002"
    gone = q.store.get_ticket_row(runtime.db, a.id)
    assert (gone["status"], gone["started_ms"]) == ("no_show", None)
    assert [e.kind for e in q.events_since(runtime, 0)][-2:] == ["no_show", "called"]


def test_next_when_called_setting_is_checked(runtime):
    q.issue_ticket(runtime, "svc-a")
    _set(runtime.db, "queue.next_when_called", "selesai")
    with pytest.raises(ValidationError, match="queue.next_when_called"):
        q.call_next(runtime, "counter-1")


def test_transfer_keeps_number_and_arrival_for_fairness(runtime, clock):
    first = q.issue_ticket(runtime, "svc-a").ticket
    clock.advance(60)
    later_b = [q.issue_ticket(runtime, "svc-b").ticket for _ in range(3)]
    q.call_next(runtime, "counter-1", ["svc-a"])
    q.start_service(runtime, first.id)
    clock.advance(120)
    moved = q.transfer(runtime, first.id, "svc-b")
    assert (moved.number, moved.service_id, moved.status, moved.arrival_ms) == (
        "A-001", "svc-b", "waiting", first.arrival_ms)
    assert moved.transferred_from == first.id and moved.id != first.id
    old = q.store.get_ticket_row(runtime.db, first.id)
    assert (old["status"], old["finished_ms"]) == ("transferred", clock.wall_ms)
    # It arrived before everyone waiting for B, so it is called first there.
    assert [t.number for t in q.waiting(runtime, ["svc-b"])] == ["A-001"] + [t.number for t in later_b]
    assert q.call_next(runtime, "counter-2", ["svc-b"]).id == moved.id
    assert q.current_ticket(runtime, "counter-1") is None
    assert [e.kind for e in q.events_since(runtime, 0)][-2:] == ["transferred", "called"]
    with pytest.raises(q.InvalidTransition):
        q.transfer(runtime, moved.id, "svc-b")
    with pytest.raises(NotFoundError):
        q.transfer(runtime, moved.id, "svc-nope")


def test_pause_stops_calls_and_resume_allows_them(runtime):
    q.issue_ticket(runtime, "svc-a")
    q.set_counter(runtime, "counter-1", service_ids=["svc-a"], staff_id="emp-2002", paused=True)
    before = _snapshot(runtime.db)
    with pytest.raises(q.InvalidTransition, match="jeda"):
        q.call_next(runtime, "counter-1")
    assert _snapshot(runtime.db) == before
    q.set_counter(runtime, "counter-1", service_ids=["svc-a"], staff_id="emp-2002", paused=False)
    assert q.call_next(runtime, "counter-1").staff_id == "emp-2002"
    counter_events = [e.counter for e in q.events_since(runtime, 0) if e.kind == "counter"]
    assert [c["paused"] for c in counter_events] == [True, False]
    info = {c["id"]: c for c in q.counters(runtime)}["counter-1"]
    assert (info["number"], info["name"], info["paused"], info["service_ids"], info["current"]) == (
        1, "Loket 1", False, ["svc-a"], "A-001")


def test_counter_serves_only_its_services(runtime):
    q.issue_ticket(runtime, "svc-a")
    b = q.issue_ticket(runtime, "svc-b").ticket
    q.set_counter(runtime, "2", service_ids=["B"], staff_id=None, paused=False)
    assert q.call_next(runtime, "2").id == b.id
    q.start_service(runtime, b.id)
    assert q.call_next(runtime, "2") is None


def test_new_staff_opens_a_new_session(runtime):
    q.set_counter(runtime, "counter-1", service_ids=["svc-a"], staff_id="emp-1001", paused=False)
    q.set_counter(runtime, "counter-1", service_ids=["svc-a"], staff_id="emp-2002", paused=False)
    rows = runtime.db.execute("SELECT staff_id, closed_ms IS NULL FROM counter_sessions"
                              " ORDER BY opened_ms, rowid").fetchall()
    assert rows == [("emp-1001", 0), ("emp-2002", 1)]
    assert {c.table for c in outbox.pending(runtime.db)} == {"counter_sessions"}


def test_set_counter_rejects_unknown_things(runtime):
    before = _snapshot(runtime.db)
    with pytest.raises(NotFoundError):
        q.set_counter(runtime, "counter-9", service_ids=[], staff_id=None, paused=False)
    with pytest.raises(NotFoundError):
        q.set_counter(runtime, "counter-1", service_ids=["svc-x"], staff_id=None, paused=False)
    with pytest.raises(ValidationError):
        q.set_counter(runtime, "counter-1", service_ids=["svc-a"], staff_id="emp-x", paused=False)
    assert _snapshot(runtime.db) == before


def test_bad_setting_is_a_clear_error(runtime):
    _set(runtime.db, "queue.priority_ratio", "dua")
    with pytest.raises(ValidationError, match="queue.priority_ratio"):
        q.issue_ticket(runtime, "svc-a")
    assert runtime.db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_reprint_copies_the_original_receipt(runtime):
    issued = q.issue_ticket(runtime, "svc-a")
    moved = q.transfer(runtime, issued.ticket.id, "svc-b")
    job_id = q.reprint_ticket(runtime, moved.id)
    job = print_queue.get_job(runtime.db, job_id)
    assert (job.reprint_of, job.ref_id, job.receipt.big_number) == (
        issued.print_job_id, issued.ticket.id, "A-001")


# -- board and feed ----------------------------------------------------------------------------

def test_board_state(runtime, clock):
    tickets = [q.issue_ticket(runtime, s).ticket for s in ("svc-a", "svc-a", "svc-b", "svc-c", "svc-a")]
    for counter in ("counter-1", "counter-2", "counter-3"):
        q.call_next(runtime, counter)
        clock.advance(10)
    q.recall(runtime, tickets[0].id)
    board = q.board_state(runtime)
    assert (board.current.number, board.current.kind, board.current.counter_number) == ("A-001", "recall", 1)
    assert [c.number for c in board.recent] == ["B-001", "A-002"]
    assert board.serving == {1: "A-001", 2: "A-002", 3: "B-001"}
    assert board.waiting == {"A": 1, "B": 0, "C": 1}
    assert board.running_text.startswith("Selamat datang")


def test_events_are_gapless_and_increasing(runtime):
    q.issue_ticket(runtime, "svc-a")
    with pytest.raises(q.InvalidTransition):
        q.finish(runtime, q.waiting(runtime)[0].id)
    q.issue_ticket(runtime, "svc-b")
    q.call_next(runtime, "counter-1")
    events = q.events_since(runtime, 0)
    assert [e.id for e in events] == list(range(events[0].id, events[0].id + len(events)))
    assert [e.id for e in q.events_since(runtime, events[1].id)] == [e.id for e in events[2:]]
    assert len(q.events_since(runtime, 0, limit=2)) == 2
    called = events[-1]
    assert called.call["number"] == called.ticket["number"] == "A-001"
    assert q.Ticket(**called.ticket).status == "called" and q.Call(**called.call).kind == "call"


def test_status_is_json(runtime):
    q.issue_ticket(runtime, "svc-a", "hamil")
    q.issue_ticket(runtime, "svc-a")
    status = json.loads(json.dumps(q.status(runtime)))
    assert [w["number"] for w in status["waiting"]] == ["A-001", "A-002"]
    assert status["services"][0]["issued_today"] == 2
    assert status["office"]["timezone"] == "WITA"
    assert status["printer"]["state"] in print_queue.STATES


# -- LocalQueue --------------------------------------------------------------------------------

def test_local_queue_is_a_queue_client_and_watch_delivers_events(runtime):
    client = LocalQueue(runtime)
    assert isinstance(client, QueueClient)
    seen: list[q.QueueEvent] = []
    connection: list[bool] = []
    stop = threading.Event()
    got_two = threading.Event()

    def on_event(event):
        seen.append(event)
        if len(seen) == 2:
            got_two.set()

    watcher = threading.Thread(target=client.watch, args=(on_event, connection.append, stop))
    watcher.start()
    try:
        issued = client.issue_ticket("svc-a")
        called = client.call_next("counter-1")
        assert got_two.wait(5)
    finally:
        stop.set()
        watcher.join(5)
    assert not watcher.is_alive()
    assert connection == [True]
    assert [(e.kind, e.ticket["id"]) for e in seen] == [("issued", issued.ticket.id), ("called", called.id)]
    assert [c["number"] for c in client.counters()] == [1, 2, 3]
    assert print_ops.printer_state(runtime)["state"] in print_queue.STATES
    assert client.board_state().current.number == "A-001"
    assert [s.prefix for s in client.list_services()] == ["A", "B", "C"]


def test_waiting_counts_kept_by_triggers_match_the_tickets(runtime, clock):
    for i in range(12):
        q.issue_ticket(runtime, ("svc-a", "svc-b")[i % 2], "lansia" if i % 3 == 0 else None)
    first = q.call_next(runtime, "counter-1")
    q.transfer(runtime, first.id, "svc-c")
    q.transfer(runtime, q.waiting(runtime, ["svc-b"])[-1].id, "svc-a")
    q.call_next(runtime, "counter-2")
    clock.advance(24 * 3600)
    q.issue_ticket(runtime, "svc-a", "hamil")
    kept = runtime.db.execute("SELECT service_id, business_day, regular, priority FROM queue_days"
                              " WHERE regular + priority > 0 ORDER BY 1, 2").fetchall()
    actual = runtime.db.execute(
        "SELECT service_id, business_day, sum(priority IS NULL), sum(priority IS NOT NULL)"
        " FROM tickets WHERE status = 'waiting' GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    assert kept == actual and len(actual) == 4


def test_watch_reports_an_unreadable_database_and_recovers(demo_dir, runtime):
    from kiosk.db import open_db
    from kiosk.config import db_path

    client = LocalQueue(runtime)
    q.issue_ticket(runtime, "svc-a")
    states: list[bool] = []
    seen: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(target=client.watch, args=(lambda e: seen.append(e.id), states.append, stop))
    watcher.start()
    try:
        assert _wait(lambda: seen == [1])
        with client._lock:                 # the storage goes away under the board ...
            runtime.db.close()
        assert _wait(lambda: states == [True, False])
        with client._lock:                 # ... and comes back
            runtime.db = open_db(db_path(demo_dir))
        q.issue_ticket(runtime, "svc-b")
        assert _wait(lambda: states == [True, False, True] and seen == [1, 2])
    finally:
        stop.set()
        watcher.join(5)
    assert not watcher.is_alive()


def _wait(condition, timeout: float = 5.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_call_ticket_calls_one_waiting_number_out_of_turn(runtime):
    """The counter's "Permohonan" page calls the citizen whose request is open, by the number
    on their ticket: out of the fairness order, announced like any call."""
    first = q.issue_ticket(runtime, "svc-b").ticket
    second = q.issue_ticket(runtime, "svc-b").ticket
    called = q.call_ticket(runtime, "counter-1", second.number.lower(), "emp-2002")
    assert (called.id, called.status, called.counter_number) == (second.id, "called", 1)
    assert [t.id for t in q.waiting(runtime)] == [first.id]
    assert q.board_state(runtime).current.number == second.number
    with pytest.raises(NotFoundError) as missing:
        q.call_ticket(runtime, "counter-2", second.number)   # no longer waiting
    assert missing.value.code == "ticket_not_waiting"
    with pytest.raises(NotFoundError):
        q.call_ticket(runtime, "counter-2", "Z-999")
    assert q.waiting(runtime)[0].id == first.id                # nothing changed by a refusal
