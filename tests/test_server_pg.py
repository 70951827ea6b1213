"""What only PostgreSQL can show: the pull cursor under concurrent writers that commit out of
order, the per-device push lock across workers, the epoch of a restored database, pool
exhaustion. Each test uses its own schema on the real server at 127.0.0.1:5432."""

from __future__ import annotations

import concurrent.futures
import threading
import time
import uuid
import warnings

import psycopg
import pytest

from server_support import ADMIN, add_office, admin_headers, enrolled_device, pg_schema_url, stats
from sync.server import create_app
from sync.server.errors import Overloaded
from sync.server.store_pg import LOCK_SPACE, SMALL_BATCH_ITEMS, PgStore, insert_reference

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def pg_url():
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def store(pg_url):
    s = PgStore(pg_url)
    yield s
    s.close()


def _write(conn: psycopg.Connection, office_id: str, record_id: str) -> None:
    with conn.cursor() as cur:
        insert_reference(cur, office_id, "services", record_id, "upsert",
                         {"id": record_id, "prefix": "A", "name_id": record_id}, 0)


def _pull_ids(store: PgStore, office_id: str, cursor: str) -> tuple[list[str], str]:
    changes, next_cursor, has_more, _ = store.pull(office_id, "reference", cursor, 100)
    assert not has_more
    return [c["record_id"] for c in changes], next_cursor


def _pull_until(store: PgStore, office_id: str, cursor: str, count: int,
                timeout: float = 15.0) -> tuple[list[str], str]:
    """Pull until ``count`` changes came. The database is shared: a transaction of anyone
    else in the cluster that is older than ours delays our rows (never skips them)."""
    ids: list[str] = []
    deadline = time.monotonic() + timeout
    while len(ids) < count and time.monotonic() < deadline:
        more, cursor = _pull_ids(store, office_id, cursor)
        ids += more
        if len(ids) < count:
            time.sleep(0.02)
    return ids, cursor


def test_cursor_never_skips_a_transaction_that_started_first_and_commits_last(store, pg_url):
    office = store.add_office("K1", "Satu", "WIB", "", 0)
    _, cursor = _pull_until(store, office.id, "0", 1)     # past the office row
    early = psycopg.connect(pg_url)                       # starts first ...
    late = psycopg.connect(pg_url)
    try:
        _write(early, office.id, "early")                 # takes a sequence number first
        _write(late, office.id, "late")
        late.commit()                                     # ... the later one commits first
        # A plain "seq > cursor" reader would now serve "late" and move past "early":
        naive = [r[0] for r in late.execute(
            "SELECT record_id FROM ref_changes WHERE seq > (SELECT max(seq) FROM ref_changes"
            " WHERE table_name = 'offices') ORDER BY seq")]
        late.commit()
        assert naive == ["late"]
        # Ours serves nothing until the earlier transaction has finished.
        ids, cursor_during = _pull_ids(store, office.id, cursor)
        assert ids == [] and cursor_during == cursor
        early.commit()
        ids, cursor_after = _pull_until(store, office.id, cursor_during, 2)
        assert ids == ["early", "late"]
        assert _pull_ids(store, office.id, cursor_after)[0] == []
    finally:
        early.close()
        late.close()


def test_cursor_with_transaction_ids_and_sequence_numbers_in_opposite_order(store, pg_url):
    office = store.add_office("K1", "Satu", "WIB", "", 0)
    _, cursor = _pull_until(store, office.id, "0", 1)
    first = psycopg.connect(pg_url)
    second = psycopg.connect(pg_url)
    try:
        first.execute("SELECT pg_current_xact_id()")     # gets its transaction id first
        _write(second, office.id, "second")              # ... but this row gets the lower seq
        second.commit()
        ids, cursor = _pull_ids(store, office.id, cursor)
        assert ids == []
        _write(first, office.id, "first")
        first.commit()
        ids, cursor = _pull_until(store, office.id, cursor, 2)
        assert ids == ["first", "second"]
    finally:
        first.close()
        second.close()


def test_many_concurrent_writers_are_each_pulled_exactly_once(store, pg_url):
    office = store.add_office("K1", "Satu", "WIB", "", 0)
    _, cursor = _pull_until(store, office.id, "0", 1)
    seen: list[str] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        with psycopg.connect(pg_url) as conn:
            for i in range(15):
                _write(conn, office.id, f"w{n}-{i}")
                time.sleep(0.001 * ((n + i) % 4))     # commits land out of order
                conn.commit()

    def reader() -> None:
        nonlocal cursor
        while not stop.is_set():
            ids, cursor = _pull_ids(store, office.id, cursor)
            seen.extend(ids)

    r = threading.Thread(target=reader)
    r.start()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(writer, range(6)))
    stop.set()
    r.join()
    seen.extend(_pull_until(store, office.id, cursor, 90 - len(seen))[0])
    assert sorted(seen) == sorted(f"w{n}-{i}" for n in range(6) for i in range(15))


def test_second_concurrent_push_of_a_device_gets_409_across_workers(pg_url):
    app = create_app(pg_url, admin_token=ADMIN)
    with TestClient(app) as client:
        add_office(client)
        device = enrolled_device(client)
        other_worker = psycopg.connect(pg_url, autocommit=True)
        try:
            other_worker.execute("SELECT pg_advisory_lock(%s, hashtext(%s))",
                                 (LOCK_SPACE, device.id))
            r = device.push([device.item()])
            assert r.status_code == 409 and "already running" in r.json()["detail"]
            assert stats(client)["changes"] == 0
            other_worker.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))",
                                 (LOCK_SPACE, device.id))
            assert device.push([device.item()]).status_code == 200
        finally:
            other_worker.close()


def test_one_sync_session_runs_side_by_side_across_workers_another_gets_409(pg_url):
    app = create_app(pg_url, admin_token=ADMIN)
    lock = "SELECT pg_advisory_{}(%s, hashtext(%s))"
    with TestClient(app) as client:
        add_office(client)
        device = enrolled_device(client)
        s1, s2 = {"X-Sync-Session": "s1"}, {"X-Sync-Session": "s2"}
        assert device.push([device.item()], headers=s1).status_code == 200  # s1 recorded
        other_worker = psycopg.connect(pg_url, autocommit=True)
        try:
            # a push of s1 running on another worker: it holds the device's key shared
            other_worker.execute(lock.format("lock_shared"), (LOCK_SPACE, device.id))
            assert device.push([device.item()], headers=s1).status_code == 200
            for other in (s2, {}):
                r = device.push([device.item()], headers=other)
                assert r.status_code == 409 and "already running" in r.json()["detail"]
            other_worker.execute(lock.format("unlock_shared"), (LOCK_SPACE, device.id))
            assert device.push([device.item()], headers=s2).status_code == 200  # s2 now
            other_worker.execute(lock.format("lock_shared"), (LOCK_SPACE, device.id))
            r = device.push([device.item()], headers=s1)
            assert r.status_code == 409 and "already running" in r.json()["detail"]
            assert device.push([device.item()], headers=s2).status_code == 200
            other_worker.execute(lock.format("unlock_shared"), (LOCK_SPACE, device.id))
        finally:
            other_worker.close()
        assert stats(client)["changes"] == 4


def test_overlapping_batches_of_one_session_from_two_workers_store_each_once(pg_url):
    """Same-session pushes run side by side; two holding the same rows (a re-sent batch)
    both straight into ``changes`` meet in the unique index, and the later one is done
    again insert-if-absent: all 200, each item accepted once, nothing stored twice."""
    apps = [create_app(pg_url, admin_token=ADMIN) for _ in range(2)]
    with TestClient(apps[0]) as c0, TestClient(apps[1]) as c1:
        add_office(c0)
        device = enrolled_device(c0)
        session = {**device.headers, "X-Sync-Session": "s1"}
        first = device.item()
        assert c0.post("/sync/push", json={"device_id": device.id, "items": [first]},
                       headers=session).status_code == 200
        items = [device.item() for _ in range(400)]
        windows = [items[:300], items[100:], items[:300], items[100:]]
        barrier = threading.Barrier(4)

        def push(n: int):
            barrier.wait()
            return (c0, c1)[n % 2].post("/sync/push", json={"device_id": device.id,
                                                             "items": windows[n]},
                                        headers=session)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(push, range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        accepted: dict[int, int] = {}
        for a in answers:
            for res in a.json()["results"]:
                assert res["status"] in ("accepted", "duplicate")
                accepted[res["device_seq"]] = (accepted.get(res["device_seq"], 0)
                                               + (res["status"] == "accepted"))
        assert sorted(accepted) == [i["device_seq"] for i in items]
        assert set(accepted.values()) == {1}
        s = stats(c1)
        assert s["changes"] == 401 and s["duplicate_record_ids"] == 0


def test_two_workers_racing_the_same_batch_store_it_once(pg_url):
    apps = [create_app(pg_url, admin_token=ADMIN) for _ in range(2)]
    with TestClient(apps[0]) as c0, TestClient(apps[1]) as c1:
        add_office(c0)
        device = enrolled_device(c0)
        items = [device.item() for _ in range(300)]
        barrier = threading.Barrier(4)

        first: list[int] = []

        def push(client):
            device.client = client
            barrier.wait()
            # 409 is "another push of this device is running": a kiosk tries again later.
            for attempt in range(50):
                answer = client.post("/sync/push", json={"device_id": device.id,
                                                         "items": items},
                                     headers=device.headers)
                if attempt == 0:
                    first.append(answer.status_code)
                if answer.status_code != 409:
                    return answer
                time.sleep(0.02)
            return answer

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(push, [c0, c1, c0, c1]))
        # Of pushes arriving together one always wins (without a session header a push
        # takes only the exclusive key; with a shared key first, all could refuse).
        assert set(first) <= {200, 409} and 200 in first
        assert sorted(a.status_code for a in answers) == [200] * 4
        accepted_per_seq: dict[int, int] = {}
        for a in answers:
            if a.status_code == 200:
                for res in a.json()["results"]:
                    assert res["status"] in ("accepted", "duplicate")
                    accepted_per_seq[res["device_seq"]] = (
                        accepted_per_seq.get(res["device_seq"], 0) + (res["status"] == "accepted"))
        assert all(n <= 1 for n in accepted_per_seq.values())
        s = stats(c1)
        assert s["changes"] == 300 and s["duplicate_record_ids"] == 0


def test_overlapping_batches_of_one_device_hammered_from_two_workers(pg_url):
    """Every answer is 200 or 409, never a 500 from a key the direct COPY did not expect."""
    apps = [create_app(pg_url, admin_token=ADMIN) for _ in range(2)]
    with TestClient(apps[0]) as c0, TestClient(apps[1]) as c1:
        add_office(c0)
        device = enrolled_device(c0)
        items = [device.item() for _ in range(120)]
        windows = [items[start:start + 40] for start in range(0, 100, 10)]

        def push(n: int) -> list[int]:
            client = (c0, c1)[n % 2]
            codes = []
            for window in windows[n % 3::3]:
                r = client.post("/sync/push", json={"device_id": device.id, "items": window},
                                headers=device.headers)
                codes.append(r.status_code)
                if r.status_code == 200:
                    assert {x["status"] for x in r.json()["results"]} <= {"accepted",
                                                                          "duplicate"}
            return codes

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            codes = [c for cs in pool.map(push, range(12)) for c in cs]
        assert set(codes) <= {200, 409} and 200 in codes
        for window in windows:      # afterwards, everything is there exactly once
            r = c1.post("/sync/push", json={"device_id": device.id, "items": window},
                        headers=device.headers)
            assert r.status_code == 200
        stored = stats(c0)["changes"]
        assert stored == len({i["device_seq"] for w in windows for i in w})


def test_a_restored_database_gets_a_new_epoch(pg_url):
    first = PgStore(pg_url)
    epoch = first.current_epoch()
    first.close()
    again = PgStore(pg_url)
    assert again.current_epoch() == epoch      # restarting is not restoring
    again.close()
    with psycopg.connect(pg_url) as conn:      # as if restored into another database
        conn.execute("UPDATE server_meta SET value = 'another-cluster' WHERE key = 'fingerprint'")
    restored = PgStore(pg_url)
    try:
        assert restored.current_epoch() != epoch
    finally:
        restored.close()


def test_an_exhausted_pool_is_overloaded_not_stuck(pg_url):
    store = PgStore(pg_url, min_size=1, max_size=1, timeout_s=0.3)
    try:
        with store.pool.connection():
            t0 = time.monotonic()
            with pytest.raises(Overloaded):
                store.device("anything")
            assert time.monotonic() - t0 < 5
        assert store.device("anything") is None
    finally:
        store.close()


def test_a_lost_database_connection_is_503_then_recovers(pg_url):
    name = f"kiosk-test-{uuid.uuid4().hex[:10]}"   # only this test's connections are cut
    with TestClient(create_app(f"{pg_url}&application_name={name}", admin_token=ADMIN)) as client:
        add_office(client)
        device = enrolled_device(client)
        assert device.push([device.item()]).status_code == 200
        with psycopg.connect(pg_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s", (name,)).fetchone()[0]
        assert killed >= 1
        answers = [device.push([device.item()]) for _ in range(3)]
        codes = [a.status_code for a in answers]
        assert 503 in codes and set(codes) <= {200, 503} and codes[-1] == 200
        for a in answers:
            if a.status_code == 503:
                assert a.headers["Retry-After"] and "unreachable" in a.json()["detail"]
        # The threads' pool lost its connections too: each is a 503 once, then replaced.
        for _ in range(8):
            r = client.get("/admin/stats", headers=admin_headers())
            if r.status_code != 503:
                break
        assert r.status_code == 200 and r.json()["changes"] == 1 + codes.count(200)


def test_admin_reference_change_reaches_only_its_office(pg_url):
    with TestClient(create_app(pg_url, admin_token=ADMIN)) as client:
        add_office(client, "K1")
        add_office(client, "K2")
        d1, d2 = enrolled_device(client, "K1"), enrolled_device(client, "K2")
        r = client.put("/admin/reference", json={"office_code": "K2", "changes": [
            {"table": "employees", "record_id": "e1", "payload": {"id": "e1", "name": "Rina"}}]},
            headers=admin_headers())
        assert r.status_code == 200
        k2 = {c["record_id"] for c in d2.pull_all(at_least=2)[0]}
        k1 = {c["record_id"] for c in d1.pull_all(at_least=1)[0]}
        assert "e1" in k2 and "e1" not in k1


@pytest.mark.parametrize("size", [12, SMALL_BATCH_ITEMS + 30], ids=["small", "large"])
def test_small_and_large_batches_store_and_answer_alike(pg_url, size):
    """A small batch is stored by one statement (kiosk_push with its items), a large one is
    COPYed: both store the same columns (corrected times included, before and after the
    clock sample and for a boot never measured) and answer replays, conflicts, rejected
    items and another office's records the same way."""
    with TestClient(create_app(pg_url, admin_token=ADMIN)) as client:
        add_office(client)
        add_office(client, "K2", "Kelurahan Dua")
        device = enrolled_device(client)
        middle = size // 2
        sample = {"boot_id": "boot-1", "mono_ns": 10**12 + middle * 10**6 + 400_000,
                  "wall_ms": 1_700_000_000_000, "server_ms": 1_750_000_000_000, "rtt_ms": 3.5}
        items = [device.item() for _ in range(size - 3)]
        items.append(device.item(boot_id="boot-unmeasured"))
        items.append(device.item(time_uncertain=True))
        items.append(device.item(table="services"))          # server-owned: rejected
        r = device.push(items, clock=sample)
        assert r.status_code == 200, r.text
        statuses = [x["status"] for x in r.json()["results"]]
        assert statuses == ["accepted"] * (size - 1) + ["rejected"]
        rows = _query_rows(pg_url, "SELECT device_seq, corrected_ms, time_uncertain, payload"
                           " FROM changes WHERE device_id = %s ORDER BY device_seq", device.id)
        assert len(rows) == size - 1
        for (seq, corrected, uncertain, payload), item in zip(rows, items):
            assert seq == item["device_seq"] and payload == item["payload"]
            if item["boot_id"] == "boot-unmeasured":
                assert (corrected, uncertain) == (item["wall_ms"], True)
            else:
                # floor division, as store.correct_times: items before the sample too
                assert corrected == sample["server_ms"] + (
                    item["mono_ns"] - sample["mono_ns"]) // 1_000_000
                assert uncertain is bool(item.get("time_uncertain"))
        assert rows[middle - 1][1] == sample["server_ms"] - 1    # 0.4 ms before: floor
        # A replay with new items and one changed item: duplicate, accepted, rejected.
        changed = dict(items[1], payload={"n": "changed"})
        again = [items[0], changed, *items[2:-1], device.item()]
        r = device.push(again, clock=sample)
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x["status"] for x in results] == (
            ["duplicate", "rejected"] + ["duplicate"] * (size - 3) + ["accepted"])
        assert "different content" in results[1]["reason"]
        # Another office's record: 403 and nothing stored, also from the same batch.
        before = stats(client)["changes"]
        foreign = device.item(payload={"id": "x", "office_id": "someone-else"})
        r = device.push([device.item() for _ in range(size - 1)] + [foreign])
        assert r.status_code == 403 and "belongs to office 'someone-else'" in r.json()["detail"]
        r = device.push([device.item(payload={"office_id": 7})])
        assert r.status_code == 403
        assert stats(client)["changes"] == before
        # A revoked device: 401 and nothing stored.
        assert client.post(f"/admin/devices/{device.id}/revoke",
                           headers=admin_headers()).status_code == 200
        r = device.push([device.item() for _ in range(size)])
        assert r.status_code == 401 and r.json()["detail"] == "device revoked"
        assert stats(client)["changes"] == before


def _query_rows(pg_url: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute(sql, params).fetchall()
