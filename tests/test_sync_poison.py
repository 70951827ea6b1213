"""One record the server keeps failing on (5xx) must not stall a kiosk's outbox (issue 10 item 1).

The server is real: the FastAPI app in-process for the step-by-step tests, and ``kiosk server``
as a process on 127.0.0.1 for the end-to-end one. Between them and the kiosk a
:class:`PoisonTransport` answers 500 to any push carrying one chosen record, as the PostgreSQL
server did for text with U+0000: the others arrive exactly once, the bad one ends in the dead
letters after MAX_ITEM_FAILURES sessions, and a server that fails everything dead-letters
nothing.
"""

from __future__ import annotations

import httpx
import pytest

from kiosk import outbox
from kiosk.clock import FakeClock
from sync.client import ServerRefused, SyncClient, status
from sync.client.push import MAX_ITEM_FAILURES
from tests.sync_support.faults import PoisonTransport
from tests.sync_support.harness import BASE, Server, kiosk_records
from tests.sync_support.records import write_jobs

START_MS = 1_795_000_000_000


@pytest.fixture
def world(tmp_path):
    srv = Server(tmp_path / "server.db", server_clock=FakeClock(wall_ms=START_MS)).start()
    srv.add_office("KLR1")
    kiosk = srv.new_kiosk(tmp_path, "k1", clock=FakeClock(wall_ms=START_MS, boot_id="boot-1"))
    yield srv, kiosk
    srv.stop()
    kiosk.db.close()


def _sync(kiosk, transport, **kw) -> dict:
    with SyncClient(kiosk.db, kiosk.data_dir, clock=kiosk.clock, transport=transport,
                    server=BASE, **kw) as client:
        return client.sync_once()


def _dead(kiosk) -> list[tuple[str, str]]:
    return kiosk.db.execute("SELECT record_id, reason FROM sync_dead_letters").fetchall()


def test_the_bound_is_a_named_setting():
    assert MAX_ITEM_FAILURES == 5


def test_a_poisoned_item_does_not_block_the_rest_and_ends_in_dead_letters(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 7)
    bad = write_jobs(kiosk.db, kiosk.clock, 1)[0]
    write_jobs(kiosk.db, kiosk.clock, 12)
    poison = PoisonTransport(srv.fault, bad)

    first = _sync(kiosk, poison)
    # The first session already delivers everything else, exactly once.
    assert first["pending"] == 1 and first["dead_letters"] == 0
    theirs = srv.changes(kiosk.device_id)
    mine = kiosk_records(kiosk)
    bad_seq = next(seq for seq, payload in mine.items() if payload["id"] == bad)
    assert set(theirs) == set(mine) - {bad_seq}
    assert status(kiosk.db, kiosk.clock)["suspect_items"] == {bad_seq: 1}

    for session in range(2, MAX_ITEM_FAILURES):
        write_jobs(kiosk.db, kiosk.clock, 2)  # new records keep flowing past it
        summary = _sync(kiosk, poison)
        assert summary["pending"] == 1 and summary["dead_letters"] == 0
        assert summary["suspect_items"] == {bad_seq: session}
    write_jobs(kiosk.db, kiosk.clock, 2)
    last = _sync(kiosk, poison)
    assert last["pending"] == 0 and last["dead_letters"] == 1 and last["suspect_items"] == {}
    [(record_id, reason)] = _dead(kiosk)
    assert record_id == bad and reason.startswith(f"500 on {MAX_ITEM_FAILURES} pushes")
    mine = kiosk_records(kiosk)
    theirs = srv.changes(kiosk.device_id)
    assert set(theirs) == set(mine) - {bad_seq}
    for seq in theirs:
        assert theirs[seq]["payload"] == mine[seq]
    assert srv.tc.get("/admin/stats", headers={"Authorization": "Bearer admin-secret"}
                      ).json()["duplicate_record_ids"] == 0


def test_strikes_survive_a_restart(world):
    srv, kiosk = world
    bad = write_jobs(kiosk.db, kiosk.clock, 1)[0]
    write_jobs(kiosk.db, kiosk.clock, 3)
    poison = PoisonTransport(srv.fault, bad)
    for _ in range(MAX_ITEM_FAILURES - 1):
        _sync(kiosk, poison)
        write_jobs(kiosk.db, kiosk.clock, 1)
        kiosk.crash()  # a new process: only what is in the database counts
    assert list(status(kiosk.db, kiosk.clock)["suspect_items"].values()) == [MAX_ITEM_FAILURES - 1]
    summary = _sync(kiosk, poison)
    assert summary["dead_letters"] == 1 and summary["pending"] == 0
    assert _dead(kiosk)[0][0] == bad


def test_a_server_failing_everything_dead_letters_nothing(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 300)
    down = PoisonTransport(srv.fault, "none", down=True)
    for _ in range(MAX_ITEM_FAILURES + 2):
        with pytest.raises(ServerRefused) as refused:
            _sync(kiosk, down)
        assert refused.value.retry and refused.value.status == 500
    assert len(down.pushes) <= (MAX_ITEM_FAILURES + 2) * 16  # a few probes, not a bisection
    assert _dead(kiosk) == [] and status(kiosk.db, kiosk.clock)["suspect_items"] == {}
    assert outbox.pending_count(kiosk.db) == 300
    summary = _sync(kiosk, srv.fault)  # the server is back: everything goes, nothing lost
    assert summary["pending"] == 0 and summary["push"]["accepted"] == 300


def test_a_lone_poisoned_item_waits_for_evidence(world):
    """The bad record alone in the outbox: nothing else was answered, so no strike (it may
    be the server failing everything); the next record that goes through gives the evidence."""
    srv, kiosk = world
    bad = write_jobs(kiosk.db, kiosk.clock, 1)[0]
    poison = PoisonTransport(srv.fault, bad)
    for _ in range(MAX_ITEM_FAILURES + 1):
        with pytest.raises(ServerRefused):
            _sync(kiosk, poison)
    assert status(kiosk.db, kiosk.clock)["suspect_items"] == {}
    write_jobs(kiosk.db, kiosk.clock, 1)
    bad_seq = kiosk.db.execute("SELECT seq FROM outbox WHERE record_id = ?", [bad]).fetchone()[0]
    summary = _sync(kiosk, poison)
    assert summary["suspect_items"] == {bad_seq: 1} and summary["pending"] == 1


def test_against_a_real_server_process_on_loopback(tmp_path):
    """``kiosk server`` as a process on 127.0.0.1 (SQLite), the kiosk over real sockets; only
    the one record's pushes are answered 500, by the poison in front of the real transport."""
    import sqlite3

    from kiosk.db import open_db
    from tests.sync_support.procs import ServerProcess, new_kiosk

    server = ServerProcess(f"sqlite:///{tmp_path / 'city.db'}", tmp_path / "srv").start()
    try:
        server.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan KLR1",
                                                 "timezone": "WITA"})
        data_dir = new_kiosk(tmp_path, "k1", server, "KLR1", records=6)
        db = open_db(data_dir / "kiosk.db")
        try:
            clock = FakeClock(wall_ms=START_MS, boot_id="boot-1")
            bad = write_jobs(db, clock, 1)[0]
            write_jobs(db, clock, 6)
            poison = PoisonTransport(httpx.HTTPTransport(), bad)
            for _ in range(MAX_ITEM_FAILURES):
                write_jobs(db, clock, 1)  # the office keeps working: others go past it
                with SyncClient(db, data_dir, clock=clock, transport=poison) as client:
                    summary = client.sync_once()
            assert summary["pending"] == 0 and summary["dead_letters"] == 1
            assert db.execute("SELECT record_id FROM sync_dead_letters").fetchone()[0] == bad
            mine = {seq: payload for seq, payload, record in db.execute(
                "SELECT seq, payload, record_id FROM outbox").fetchall() if record != bad}
        finally:
            db.close()
        conn = sqlite3.connect(tmp_path / "city.db")
        try:
            theirs = dict(conn.execute("SELECT device_seq, payload FROM changes").fetchall())
            rows = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        finally:
            conn.close()
        assert sorted(theirs) == sorted(mine) and rows == len(theirs) == 12 + MAX_ITEM_FAILURES
    finally:
        server.stop()


@pytest.mark.parametrize("position", [0, 9, 23])
def test_poison_in_pipelined_batches(world, position):
    """Small batches, several on the wire at once: the poisoned one is isolated wherever it
    sits (the session's first batch, one in the middle, the last)."""
    srv, kiosk = world
    ids = write_jobs(kiosk.db, kiosk.clock, 24)
    poison = PoisonTransport(srv.fault, ids[position])
    for _ in range(MAX_ITEM_FAILURES):
        write_jobs(kiosk.db, kiosk.clock, 1)
        summary = _sync(kiosk, poison, batch_items=4)
    assert summary["pending"] == 0 and summary["dead_letters"] == 1
    assert _dead(kiosk)[0][0] == ids[position]
    mine = kiosk_records(kiosk)
    theirs = srv.changes(kiosk.device_id)
    assert len(theirs) == len(mine) - 1 == 24 + MAX_ITEM_FAILURES - 1
    assert srv.tc.get("/admin/stats", headers={"Authorization": "Bearer admin-secret"}
                      ).json()["duplicate_record_ids"] == 0
