"""Sync under faults, deterministically: the real server in-process, a fault-injecting
transport between it and the kiosk, FakeClocks on both sides.

Every test ends on the same check: each change the kiosk committed is on the server exactly
once with identical content, and the kiosk's outbox has drained.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import httpx
import pytest

from kiosk import outbox
from kiosk.clock import FakeClock
from kiosk.db import write_tx
from sync.client import (
    AuthError,
    LinkError,
    ServerBusy,
    ServerRefused,
    SyncBusy,
    SyncWorker,
    UpgradeRequired,
    status,
)
from sync.client import push as push_mod, session as session_mod
from sync.client.backoff import Backoff
from tests.sync_support.harness import Server, kiosk_records
from tests.sync_support.records import write_jobs

START_MS = 1_795_000_000_000
outbox.syncable("sync_test_unknown")  # a kiosk table this server does not store


@pytest.fixture
def world(tmp_path):
    server_clock = FakeClock(wall_ms=START_MS, boot_id="server")
    srv = Server(tmp_path / "server.db", server_clock=server_clock).start()
    srv.add_office("KLR1")
    srv.add_office("KLR2")
    kiosk = srv.new_kiosk(tmp_path, "k1", clock=FakeClock(wall_ms=START_MS, boot_id="boot-1"))
    yield srv, kiosk
    srv.stop()
    kiosk.db.close()


def tick(srv: Server, kiosk, seconds: float) -> None:
    srv.server_clock.advance(seconds)
    kiosk.clock.advance(seconds)


def assert_exactly_once(srv: Server, kiosk) -> None:
    mine = kiosk_records(kiosk)
    theirs = srv.changes(kiosk.device_id)
    dead = {r[0] for r in kiosk.db.execute("SELECT seq FROM sync_dead_letters")}
    assert set(theirs) == set(mine) - dead, "server and kiosk disagree on which changes exist"
    for seq, payload in mine.items():
        if seq not in dead:
            assert theirs[seq]["payload"] == payload, f"change {seq} differs on the server"
    assert outbox.pending_count(kiosk.db) == 0
    assert srv.tc.get("/admin/stats", headers={"Authorization": "Bearer admin-secret"}
                      ).json()["duplicate_record_ids"] == 0


def test_round_trip_and_reference_data_without_restart(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 1200)
    summary = kiosk.sync()
    assert summary["push"]["accepted"] == 1200 and summary["push"]["batches"] == 3
    assert_exactly_once(srv, kiosk)
    # the city adds a service: it reaches the open kiosk database at the next round
    srv.admin("PUT", "/admin/reference", {"office_code": "KLR1", "changes": [
        {"table": "services", "record_id": "svc-d", "payload": {
            "id": "svc-d", "prefix": "D", "name_id": "Legalisir", "name_en": "Legalisation",
            "active": 1, "sort_order": 9}},
        {"table": "settings", "record_id": "running_text", "payload": {
            "key": "running_text", "value": "Kantor tutup Jumat sore"}}]})
    cursor_before = status(kiosk.db, kiosk.clock)["cursors"]["reference"]
    summary = kiosk.sync()
    assert summary["pull"]["applied"] == 2
    assert kiosk.db["services"].get("svc-d")["name_id"] == "Legalisir"
    assert kiosk.db["settings"].get("running_text")["value"] == "Kantor tutup Jumat sore"
    assert summary["cursors"]["reference"] != cursor_before


def test_dropped_request_changes_nothing_and_goes_again(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 10)
    srv.fault.add("drop_request")
    with pytest.raises(LinkError):
        kiosk.sync()
    assert srv.changes(kiosk.device_id) == {}
    assert outbox.pending_count(kiosk.db) == 10
    assert status(kiosk.db, kiosk.clock)["last_error"]["kind"] == "link"
    kiosk.sync()
    assert_exactly_once(srv, kiosk)
    assert status(kiosk.db, kiosk.clock)["last_error"] is None


@pytest.mark.parametrize("fault", ["drop_response", "truncate_response", "late"])
def test_answer_lost_after_commit_is_resent_and_answered_duplicate(world, fault):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 10)
    srv.fault.add(fault)
    with pytest.raises(LinkError):
        kiosk.sync()
    assert outbox.pending_count(kiosk.db) == 10  # no answer read: nothing acknowledged
    summary = kiosk.sync()
    expected_dup = 0 if fault == "late" else 10  # a late request lands after the resend
    assert summary["push"]["duplicate"] == expected_dup
    assert summary["push"]["accepted"] == 10 - expected_dup
    assert_exactly_once(srv, kiosk)
    if fault == "late":
        assert ("/sync/push", "late-delivered", None) in srv.fault.log


def test_duplicated_and_reordered_batches(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 700)
    srv.fault.add("duplicate").add("reorder")
    summary = kiosk.sync()
    # first batch: the server saw it twice and the kiosk read the second answer
    assert summary["push"]["duplicate"] == 500 and summary["push"]["accepted"] == 200
    assert_exactly_once(srv, kiosk)


def test_truncated_request_is_refused_whole_then_goes_through(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 40)
    srv.fault.add("truncate_request")
    summary = kiosk.sync()
    assert summary["push"]["accepted"] == 40 and summary["dead_letters"] == 0
    assert_exactly_once(srv, kiosk)


def test_injected_401_renews_the_token_once(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 5)
    srv.fault.add("status", status=401)
    kiosk.sync()
    paths = [p for p, kind, _ in srv.fault.log]
    assert paths.count("/auth/token") == 2  # first token, then the renewal after the 401
    assert_exactly_once(srv, kiosk)


def test_revoked_device_gets_auth_error_and_keeps_its_records(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 5)
    srv.admin("POST", f"/admin/devices/{kiosk.device_id}/revoke")
    with pytest.raises(AuthError, match="revoked"):
        kiosk.sync()
    assert outbox.pending_count(kiosk.db) == 5
    assert srv.changes(kiosk.device_id) == {}


@pytest.mark.parametrize("code", [429, 503])
def test_busy_server_backs_off_honouring_retry_after(world, code):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 5)
    srv.fault.add("status", status=code, retry_after="42")
    with pytest.raises(ServerBusy) as info:
        kiosk.sync()
    assert info.value.retry_after == 42
    assert Backoff().next_delay(info.value.retry_after) >= 42
    assert outbox.pending_count(kiosk.db) == 5
    kiosk.sync()
    assert_exactly_once(srv, kiosk)


def test_outdated_kiosk_gets_a_clear_upgrade_error(world):
    srv, kiosk = world
    srv.fault.add("status", path="/sync/meta", status=426)
    with pytest.raises(UpgradeRequired, match="newer kiosk"):
        kiosk.sync()


@pytest.mark.parametrize("jump", ["1970", "2038", "backwards"])
def test_clock_jumps(world, jump):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 3)
    kiosk.sync()  # meets the server: last known good time
    tick(srv, kiosk, 60)
    if jump == "1970":
        kiosk.clock.set_wall(datetime(1970, 1, 1, 0, 5, tzinfo=UTC))
    elif jump == "2038":
        kiosk.clock.set_wall(datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC))
    else:
        kiosk.clock.wall_ms -= 3 * 3600 * 1000
    new_ids = write_jobs(kiosk.db, kiosk.clock, 3)
    st = status(kiosk.db, kiosk.clock)["clock"]
    assert st["time_uncertain"] is (jump != "2038")  # earlier than last known good
    summary = kiosk.sync()
    assert summary["clock"]["time_uncertain"] is True  # far off the server either way
    assert_exactly_once(srv, kiosk)
    stored = {c["record_id"]: c for c in srv.changes(kiosk.device_id).values()}
    for rid in new_ids:
        # corrected from the monotonic clock: the server's time, not the kiosk's wrong one
        assert abs(stored[rid]["corrected_ms"] - srv.server_clock.wall_ms) < 1000
        assert stored[rid]["time_uncertain"] is (jump != "2038")
    # acknowledgements are in server time: a kiosk clock in 2038 prunes nothing early
    assert kiosk.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 6


def test_server_restored_from_an_older_backup(world, tmp_path):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 20)
    kiosk.sync()
    backup = srv.backup(tmp_path / "backup.db")
    write_jobs(kiosk.db, kiosk.clock, 30)
    kiosk.sync()
    epoch_before = status(kiosk.db, kiosk.clock)["epoch"]
    new_epoch = srv.restore(backup)  # the last 30 changes are gone from the server
    assert len(srv.changes(kiosk.device_id)) == 20
    summary = kiosk.sync()
    assert summary["epoch"] == new_epoch != epoch_before
    assert summary["push"]["accepted"] == 30 and summary["push"]["duplicate"] == 20
    assert_exactly_once(srv, kiosk)


def test_restore_detected_mid_push_restarts_the_pass(world, tmp_path):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 10)
    kiosk.sync()
    backup = srv.backup(tmp_path / "backup.db")
    write_jobs(kiosk.db, kiosk.clock, 10)
    kiosk.sync()
    srv.restore(backup)
    write_jobs(kiosk.db, kiosk.clock, 600)
    with kiosk.client() as client:
        client.conn.tokens.store("stale", 1)  # skip meta: the push answer carries the new epoch
        totals = client.push()
    assert totals["epoch_resets"] == 1
    assert_exactly_once(srv, kiosk)


def test_rejected_and_foreign_items_go_to_dead_letters_without_blocking(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 5)
    with write_tx(kiosk.db):
        kiosk.db["sync_test_unknown"].insert({"id": "u1", "v": 1}, pk="id")
        outbox.append(kiosk.db, "sync_test_unknown", "u1", {"id": "u1", "v": 1}, kiosk.clock.now())
    write_jobs(kiosk.db, kiosk.clock, 1, extra={"ref_id": "x"})
    # a record claiming another office: the server refuses the whole batch (403)
    other = srv.admin("GET", "/admin/offices").json()
    other_id = next(o["id"] for o in other if o["code"] == "KLR2")
    with write_tx(kiosk.db):
        outbox.append(kiosk.db, "print_jobs", "foreign", {"id": "foreign", "office_id": other_id},
                      kiosk.clock.now())
    write_jobs(kiosk.db, kiosk.clock, 5)
    summary = kiosk.sync()
    assert summary["dead_letters"] == 2 and summary["pending"] == 0
    reasons = {r[0]: r[1] for r in kiosk.db.execute(
        "SELECT record_id, reason FROM sync_dead_letters")}
    assert "unknown table" in reasons["u1"] and "403" in reasons["foreign"]
    assert_exactly_once(srv, kiosk)


def test_oversized_record_is_dead_lettered_not_retried_forever(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 1, size=600_000, noise=True)
    write_jobs(kiosk.db, kiosk.clock, 3)
    summary = kiosk.sync()
    assert summary["dead_letters"] == 1 and summary["push"]["accepted"] == 3
    assert "413" in kiosk.db.execute("SELECT reason FROM sync_dead_letters").fetchone()[0]
    assert_exactly_once(srv, kiosk)


class _Recorder(httpx.BaseTransport):
    """Pass-through that notes each push's session header and how many were in flight."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.lock = inner, threading.Lock()
        self.inflight, self.pushes = 0, []  # (session, pushes in flight as it started)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/sync/push":
            return self.inner.handle_request(request)
        with self.lock:
            self.inflight += 1
            self.pushes.append((request.headers.get("X-Sync-Session"), self.inflight))
        try:
            return self.inner.handle_request(request)
        finally:
            with self.lock:
                self.inflight -= 1


def test_a_push_session_pipelines_its_batches_after_the_first(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 4000)
    kiosk.transport = recorder = _Recorder(srv.fault)
    summary = kiosk.sync()
    assert summary["push"]["accepted"] == 4000 and summary["push"]["batches"] == 8
    sessions = {session for session, _ in recorder.pushes}
    assert len(sessions) == 1 and None not in sessions  # one session id on every batch
    assert recorder.pushes[0][1] == 1 and recorder.pushes[1][1] == 1  # the first goes alone
    assert max(n for _, n in recorder.pushes) > 1  # then several are on the wire at once
    assert max(n for _, n in recorder.pushes) <= 3  # at most ``depth``
    write_jobs(kiosk.db, kiosk.clock, 10)
    kiosk.sync()
    assert len({session for session, _ in recorder.pushes}) == 2  # a new session per push
    assert_exactly_once(srv, kiosk)


def test_acks_are_written_without_fsync_and_full_sync_comes_back(world):
    srv, kiosk = world
    assert kiosk.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL (kiosk.db)
    seen = []
    original = push_mod.Pusher._apply_answer

    def spy(self, *args):
        seen.append(self.db.execute("PRAGMA synchronous").fetchone()[0])
        return original(self, *args)

    push_mod.Pusher._apply_answer = spy
    try:
        write_jobs(kiosk.db, kiosk.clock, 600)
        srv.fault.add("status", status=503, times=1)
        with pytest.raises(ServerBusy):
            kiosk.sync()
        assert kiosk.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # also after errors
        kiosk.sync()
    finally:
        push_mod.Pusher._apply_answer = original
    assert seen and set(seen) == {1}  # NORMAL while acknowledging
    assert kiosk.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert_exactly_once(srv, kiosk)


def test_pipelined_batches_held_back_when_the_first_is_refused_go_later(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 2000)
    srv.fault.add("status", status=409)  # the first batch: another session seemed to run
    assert kiosk.sync()["push"]["accepted"] == 2000
    assert_exactly_once(srv, kiosk)


def test_one_session_at_a_time(world):
    srv, kiosk = world
    with session_mod.session_lock(kiosk.data_dir):
        with pytest.raises(SyncBusy):
            kiosk.sync()
    kiosk.sync()


def test_worker_thread_syncs_backs_off_and_reports(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 50)
    srv.fault.add("status", status=503, retry_after="0")
    rounds = []
    done = threading.Event()

    def on_round(snap):
        rounds.append(snap)
        if snap.get("ok") and snap["pending"] == 0:
            done.set()

    worker = SyncWorker(kiosk.data_dir, clock=kiosk.clock, server="http://city.test",
                        transport=srv.fault, interval_s=0.05, on_round=on_round,
                        backoff=Backoff(base_s=0.01)).start()
    try:
        assert done.wait(20), rounds[-1:]
    finally:
        worker.stop()
    assert rounds[0]["ok"] is False and rounds[0]["last_error"]["kind"] == "busy"
    snap = worker.snapshot()
    assert snap["pending"] == 0 and snap["last_push_ms"] and snap["running"] is False
    assert {"oldest_pending_age_s", "last_pull_ms", "dead_letters", "clock"} <= set(snap)
    assert_exactly_once(srv, kiosk)


def test_crash_between_commit_and_ack_loses_nothing(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 30)
    srv.fault.add("drop_response")
    with pytest.raises(LinkError):
        kiosk.sync()
    kiosk.crash()
    kiosk.sync()
    assert_exactly_once(srv, kiosk)
    assert json.loads(kiosk.db.execute("SELECT payload FROM outbox LIMIT 1").fetchone()[0])


# -- bad input on the kiosk side: what the kiosk sends or receives is wrong -----------------

class _Rewrite(httpx.BaseTransport):
    """Pass requests to ``inner``; let ``rewrite(path, body_json)`` change the answer."""

    def __init__(self, inner, rewrite):
        self.inner, self.rewrite = inner, rewrite

    def handle_request(self, request):
        resp = self.inner.handle_request(request)
        body = self.rewrite(request.url.path, resp.json())
        return httpx.Response(resp.status_code, json=body, request=request)


def _without(path, key):
    """A rewrite for :class:`_Rewrite`: the answers to ``path`` lose ``key``."""
    def rewrite(p, body):
        if p == path:
            body.pop(key, None)
        return body
    return rewrite


def test_enroll_with_a_used_token_changes_nothing(world, tmp_path):
    from kiosk.db import open_db
    from kiosk.demo import init_demo
    from sync.client import enroll

    srv, kiosk = world
    token = srv.enroll_token("KLR1")
    init_demo(tmp_path / "k3")
    db = open_db(tmp_path / "k3" / "kiosk.db")
    enroll(db, tmp_path / "k3", "http://city.test", token, "dev-k3", transport=srv.fault)
    db4_dir = tmp_path / "k4"
    init_demo(db4_dir)
    db4 = open_db(db4_dir / "kiosk.db")
    with pytest.raises(AuthError, match="already used"):
        enroll(db4, db4_dir, "http://city.test", token, "dev-k4", transport=srv.fault)
    assert db4.execute("SELECT count(*) FROM sync_credentials").fetchone()[0] == 0
    db.close()
    db4.close()


def test_partial_push_answer_leaves_the_rest_pending(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 10)

    def drop_half(path, body):
        if path == "/sync/push":
            body["results"] = [r for r in body["results"] if r["device_seq"] % 2]
        return body

    kiosk.transport = _Rewrite(srv.fault, drop_half)
    summary = kiosk.sync()
    assert summary["push"]["unanswered"] == 5 and summary["pending"] == 5
    kiosk.transport = srv.fault
    summary = kiosk.sync()
    assert summary["push"]["duplicate"] == 5
    assert_exactly_once(srv, kiosk)


def test_push_answer_that_is_not_a_push_result_acknowledges_nothing(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 10)
    kiosk.transport = _Rewrite(srv.fault, _without("/sync/push", "results"))
    with pytest.raises(LinkError, match="not a push result"):
        kiosk.sync()
    assert status(kiosk.db, kiosk.clock)["pending"] == 10
    kiosk.transport = srv.fault
    assert kiosk.sync()["push"]["duplicate"] == 10  # the server had them; now acknowledged
    assert_exactly_once(srv, kiosk)


def test_malformed_pull_page_changes_nothing(world):
    srv, kiosk = world
    kiosk.sync()
    before = status(kiosk.db, kiosk.clock)["cursors"]
    services = kiosk.db.execute("SELECT count(*) FROM services").fetchone()[0]
    srv.admin("PUT", "/admin/reference", {"office_code": "KLR1", "changes": [
        {"table": "services", "record_id": "svc-x", "payload": {"id": "svc-x", "prefix": "X",
                                                               "name_id": "X"}}]})
    kiosk.transport = _Rewrite(srv.fault, _without("/sync/pull", "next_cursor"))
    with pytest.raises(LinkError, match="not a page"):
        kiosk.sync()
    assert status(kiosk.db, kiosk.clock)["cursors"] == before
    assert kiosk.db.execute("SELECT count(*) FROM services").fetchone()[0] == services
    kiosk.transport = srv.fault
    kiosk.sync()
    assert kiosk.db["services"].get("svc-x")["prefix"] == "X"


def test_pull_never_overwrites_what_the_kiosk_owns(world):
    srv, kiosk = world
    ids = write_jobs(kiosk.db, kiosk.clock, 1)

    def smuggle(path, body):
        if path == "/sync/pull" and body["changes"] is not None:
            body["changes"].append({"table": "print_jobs", "record_id": ids[0], "op": "delete",
                                    "payload": {}, "version": 1})
        return body

    kiosk.transport = _Rewrite(srv.fault, smuggle)
    summary = kiosk.sync()
    assert summary["pull"]["ignored"] >= 1
    assert kiosk.db.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 1


def test_server_without_zstd_gets_gzip(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 600)
    srv.fault.add("status", status=415)
    with kiosk.client() as client:
        client.meta()
        totals = client.push()
        assert client.pusher.codec == "gzip"
    assert totals["accepted"] == 600
    assert_exactly_once(srv, kiosk)


def test_a_409_from_the_pipelined_race_is_sent_once_more(world):
    srv, kiosk = world
    write_jobs(kiosk.db, kiosk.clock, 1000)
    srv.fault.add("status", status=409)
    summary = kiosk.sync()
    assert summary["push"]["accepted"] == 1000
    srv.fault.add("status", status=409, times=2)  # twice in a row: a real second session
    write_jobs(kiosk.db, kiosk.clock, 1)
    with pytest.raises(ServerRefused) as info:
        kiosk.sync()
    assert info.value.status == 409 and info.value.retry
    kiosk.sync()
    assert_exactly_once(srv, kiosk)
