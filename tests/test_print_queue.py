"""The print queue's rows and the printer state, at the database level (no printer)."""

from __future__ import annotations

import json

import pytest

from kiosk import outbox
from kiosk import print_queue as pq
from kiosk.db import open_db, write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.receipt import Receipt, sample_receipt


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "kiosk.db")
    yield database
    database.close()


def _enqueue(db, clock, number="A-001", ref="t1"):
    with write_tx(db):
        return pq.enqueue(db, Receipt("Kelurahan Contoh", "NOMOR ANTRIAN", big_number=number),
                          clock.now(), kind="ticket", ref_id=ref)


def test_jobs_print_in_commit_order_even_when_the_wall_clock_jumps_back(db, clock):
    first = _enqueue(db, clock, "A-001")
    clock.advance(-3600)            # an RTC-less Pi corrected its clock backwards
    second = _enqueue(db, clock, "A-002")
    assert [j.id for j in pq.pending_jobs(db)] == [first, second]
    assert pq.next_pending(db).receipt.big_number == "A-001"


def test_state_changes_reach_the_outbox_as_whole_rows(db, clock):
    job = _enqueue(db, clock)
    pq.mark_attempt(db, job, clock.now())
    assert pq.mark_done(db, job, clock.now()) is True
    payloads = [c.payload for c in outbox.pending(db) if c.record_id == job]
    assert [p["status"] for p in payloads] == ["pending", "pending", "done"]
    assert payloads[-1]["attempts"] == 1 and payloads[-1]["kind"] == "ticket"
    assert json.loads(payloads[-1]["receipt"])["big_number"] == "A-001"


def test_done_is_final_and_never_marked_twice(db, clock):
    job = _enqueue(db, clock)
    assert pq.mark_done(db, job, clock.now()) is True
    assert pq.mark_done(db, job, clock.now()) is False
    assert pq.job_status(db, job) == "done"
    assert pq.pending_jobs(db) == []


def test_reprint_is_a_new_marked_job_pointing_at_the_original(db, clock):
    job = _enqueue(db, clock)
    pq.mark_done(db, job, clock.now())
    copy = pq.reprint(db, job, clock.now())
    assert copy != job
    new = pq.get_job(db, copy)
    assert (new.status, new.reprint_of, new.ref_id) == ("pending", job, "t1")
    assert new.receipt.copy_note == "CETAK ULANG"
    assert [j.id for j in pq.jobs_for(db, "t1")] == [job, copy]


def test_unknown_job_is_a_clear_error(db, clock):
    with pytest.raises(NotFoundError, match="print job 'nope' does not exist"):
        pq.job_status(db, "nope")
    with pytest.raises(NotFoundError):
        pq.reprint(db, "nope", clock.now())


def test_cancel_only_pending(db, clock):
    job = _enqueue(db, clock)
    pq.cancel(db, job, clock.now())
    assert pq.job_status(db, job) == "cancelled"
    done = _enqueue(db, clock, "A-002", "t2")
    pq.mark_done(db, done, clock.now())
    with pytest.raises(ValidationError, match="already done"):
        pq.cancel(db, done, clock.now())
    assert pq.job_status(db, done) == "done"


def test_printer_state_before_and_after_a_check(db, clock):
    _enqueue(db, clock)
    assert pq.printer_state(db) == {"state": "unknown", "checked_ms": None, "pending_jobs": 1,
                                    "detail": "the printer has not been checked yet"}
    assert pq.record_printer_state(db, "paper_out", "kertas habis", clock.now(), uri="tcp://p")
    state = pq.printer_state(db)
    assert state == {"state": "paper_out", "detail": "kertas habis",
                     "checked_ms": clock.now().wall_ms, "pending_jobs": 1}


def test_unchanged_state_is_not_rewritten_every_poll(db, clock):
    assert pq.record_printer_state(db, "online", "ok", clock.now())
    clock.advance(5)
    assert not pq.record_printer_state(db, "online", "ok", clock.now())
    clock.advance(60)
    assert pq.record_printer_state(db, "online", "ok", clock.now())
    assert pq.record_printer_state(db, "no_answer", "silent", clock.now())


def test_bad_state_is_refused(db, clock):
    with pytest.raises(ValidationError, match="not a printer state"):
        pq.record_printer_state(db, "on fire", "", clock.now())
    assert pq.printer_state(db)["state"] == "unknown"


def test_receipt_round_trips_and_ignores_unknown_keys():
    r = sample_receipt()
    data = r.to_dict() | {"added_by_a_newer_version": 1}
    assert Receipt.from_dict(data) == r
