"""The local store: pragmas, migrations, the outbox written with its record."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from kiosk import outbox
from kiosk.clock import FakeClock
from kiosk.db import open_db, write_tx
from kiosk.errors import StoreError
from kiosk.migrations import SCHEMA_VERSION, STEPS, migrate, schema_version

outbox.syncable("test_notes")


def _notes(db: sqlite_utils.Database) -> None:
    if not db["test_notes"].exists():
        db["test_notes"].create({"id": str, "text": str}, pk="id")


def test_pragmas_are_set(tmp_path):
    db = open_db(tmp_path / "k.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_from_empty_record_the_version(tmp_path):
    db = open_db(tmp_path / "k.db")
    assert schema_version(db) == SCHEMA_VERSION == len(STEPS)
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    # Opening again applies nothing twice.
    db.close()
    db = open_db(tmp_path / "k.db")
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(STEPS)


@pytest.mark.parametrize("stop", range(1, len(STEPS) + 1))
def test_migrations_from_every_earlier_version(tmp_path, stop):
    db = open_db(tmp_path / "k.db", migrate=False)
    if stop < len(STEPS):
        migrate(db, stop_before=STEPS[stop].__name__)
    else:
        migrate(db)
    assert schema_version(db) == stop
    assert migrate(db) == SCHEMA_VERSION
    fresh = open_db(tmp_path / "fresh.db")
    assert set(db.table_names()) == set(fresh.table_names())
    for table in fresh.table_names():
        assert db[table].schema == fresh[table].schema, table
    triggers = "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"
    assert db.execute(triggers).fetchall() == fresh.execute(triggers).fetchall()


def test_queue_days_migration_keeps_numbers_and_waiting_counts(tmp_path):
    """m0005 merges ticket_sequences and queue_waiting: a kiosk upgraded in the middle of a
    day goes on with the next number, and its waiting counts are the old ones."""
    db = open_db(tmp_path / "k.db", migrate=False)
    migrate(db, stop_before="m0005_queue_days")
    with db.atomic():
        db.execute("INSERT INTO ticket_sequences VALUES ('svc-a', '2026-11-23', 7),"
                   " ('svc-a', '2026-11-22', 40)")
        # svc-b has waiting tickets only by transfer: no number of its own was given yet.
        db.execute("INSERT INTO queue_waiting VALUES ('svc-a', '2026-11-23', 3, 1),"
                   " ('svc-b', '2026-11-23', 1, 0)")
    migrate(db)
    assert db.execute("SELECT * FROM queue_days ORDER BY 1, 2").fetchall() == [
        ("svc-a", "2026-11-22", 40, 0, 0), ("svc-a", "2026-11-23", 7, 3, 1),
        ("svc-b", "2026-11-23", 0, 1, 0)]
    assert {"ticket_sequences", "queue_waiting"}.isdisjoint(db.table_names())


def test_checks_without_in_lists_keep_rows_rules_and_the_outbox_counter(tmp_path):
    """m0006 rebuilds outbox, tickets and queue_calls: the rows, indexes and triggers stay,
    the constraints accept and refuse the same values, and a fully pruned outbox still
    never gives a sequence number twice."""
    db = open_db(tmp_path / "k.db", migrate=False)
    migrate(db, stop_before="m0006_checks_without_in_lists")
    _notes(db)
    with write_tx(db):
        for i in range(3):
            outbox.save(db, "test_notes", {"id": f"n{i}", "text": "x"}, FakeClock())
        db.execute("INSERT INTO tickets (id, office_code, service_id, prefix, seq, number,"
                   " business_day, priority, status, arrival_ms, issued_ms, device_id,"
                   " updated_ms) VALUES ('t1', 'K', 'svc-a', 'A', 1, 'A-001', '2026-11-23',"
                   " 'lansia', 'waiting', 1, 1, 'd', 1)")
        db.execute("UPDATE outbox SET acked_ms = 1")
        assert outbox.prune_acked(db, 2) == 3                    # every row pruned
    indexes = ("SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger')"   # of the
               " AND tbl_name IN ('outbox', 'tickets', 'queue_calls') ORDER BY 1")   # rebuilt ones
    before = db.execute(indexes).fetchall()
    migrate(db)
    assert "IN (" not in db.execute("SELECT group_concat(sql) FROM sqlite_schema"
                                    " WHERE name IN ('outbox', 'tickets', 'queue_calls')"
                                    ).fetchone()[0]
    assert db.execute(indexes).fetchall() == before
    assert db.execute("SELECT id, priority FROM tickets").fetchall() == [("t1", "lansia")]
    assert db.execute("SELECT regular, priority FROM queue_days").fetchall() == [(0, 1)]
    with write_tx(db):                                          # the trigger still counts
        db.execute("UPDATE tickets SET status = 'done' WHERE id = 't1'")
    assert db.execute("SELECT regular, priority FROM queue_days").fetchall() == [(0, 0)]
    with write_tx(db):
        assert outbox.save(db, "test_notes", {"id": "n9", "text": "y"}, FakeClock()) == 4
    for column, value in (("status", "'lost'"), ("priority", "'vip'")):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            db.execute(f"UPDATE tickets SET {column} = {value} WHERE id = 't1'")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute("UPDATE outbox SET op = 'merge'")


def test_no_check_constraint_uses_an_in_list(tmp_path):
    """kiosk/schema/checks.py: an IN list in a CHECK costs every INSERT and UPDATE an
    ephemeral table; write the rule as an OR chain."""
    import re

    db = open_db(tmp_path / "k.db")
    offenders = [name for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL")
        if re.search(r"CHECK \(\w+ IN\b", sql)]
    assert offenders == []


def test_outbox_row_is_written_with_its_record(tmp_path):
    db = open_db(tmp_path / "k.db")
    _notes(db)
    clock = FakeClock()
    with write_tx(db):
        seq = outbox.save(db, "test_notes", {"id": "n1", "text": "halo"}, clock)
    assert seq == 1
    change = outbox.pending(db)[0]
    assert (change.table, change.record_id, change.payload) == ("test_notes", "n1", {"id": "n1", "text": "halo"})
    assert change.schema_version == SCHEMA_VERSION
    assert (change.wall_ms, change.boot_id) == (clock.wall_ms, "boot-test")


def test_outbox_row_is_rolled_back_with_its_record(tmp_path):
    db = open_db(tmp_path / "k.db")
    _notes(db)
    with pytest.raises(RuntimeError):
        with write_tx(db):
            outbox.save(db, "test_notes", {"id": "n1", "text": "halo"}, FakeClock())
            raise RuntimeError("power cut")
    assert db["test_notes"].count == 0
    assert outbox.pending_count(db) == 0
    # The sequence number went back with the transaction: still gapless.
    with write_tx(db):
        assert outbox.save(db, "test_notes", {"id": "n2", "text": "x"}, FakeClock()) == 1


def test_sequence_never_reused_after_pruning(tmp_path):
    db = open_db(tmp_path / "k.db")
    _notes(db)
    clock = FakeClock()
    with write_tx(db):
        seqs = [outbox.save(db, "test_notes", {"id": f"n{i}", "text": "x"}, clock) for i in range(3)]
    with write_tx(db):
        outbox.mark_acked(db, seqs, when_ms=1)
        assert outbox.prune_acked(db, older_than_ms=2) == 3
    with write_tx(db):
        assert outbox.save(db, "test_notes", {"id": "n9", "text": "x"}, clock) == 4


def test_outbox_refuses_writes_outside_a_transaction(tmp_path):
    db = open_db(tmp_path / "k.db")
    _notes(db)
    with pytest.raises(StoreError, match="write_tx"):
        outbox.append(db, "test_notes", "n1", {}, FakeClock().now())


def test_outbox_refuses_unknown_tables(tmp_path):
    db = open_db(tmp_path / "k.db")
    with write_tx(db), pytest.raises(StoreError, match="not syncable"):
        outbox.append(db, "services", "x", {}, FakeClock().now())


def test_write_tx_nests_as_savepoint(tmp_path):
    db = open_db(tmp_path / "k.db")
    _notes(db)
    with write_tx(db):
        outbox.save(db, "test_notes", {"id": "a", "text": "1"}, FakeClock())
        with pytest.raises(ValueError):
            with write_tx(db):
                outbox.save(db, "test_notes", {"id": "b", "text": "2"}, FakeClock())
                raise ValueError
    assert [r["id"] for r in db["test_notes"].rows] == ["a"]


def test_committed_write_survives_an_abrupt_close(tmp_path):
    path = tmp_path / "k.db"
    db = open_db(path)
    _notes(db)
    with write_tx(db):
        outbox.save(db, "test_notes", {"id": "a", "text": "1"}, FakeClock())
    # Reading through a separate connection, as another process would.
    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1


def test_a_full_disk_is_a_clear_error_and_changes_nothing(tmp_path):
    """SQLITE_FULL, provoked with max_page_count (the same error a full SD card gives)."""
    from kiosk.errors import DiskFullError

    db = open_db(tmp_path / "k.db")
    _notes(db)
    with write_tx(db):
        outbox.save(db, "test_notes", {"id": "before", "text": "x"}, FakeClock())
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(DiskFullError, match="disk is full; nothing was saved"):
        with write_tx(db):
            for i in range(200):
                outbox.save(db, "test_notes", {"id": f"n{i}", "text": "x" * 2000}, FakeClock())
    assert [r["id"] for r in db["test_notes"].rows] == ["before"]
    assert outbox.pending_count(db) == 1


def test_ids_are_uuid7_unique_and_sort_by_creation():
    import uuid

    from kiosk.ids import new_id

    ids = [new_id() for _ in range(20_000)]      # many within one millisecond
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert {uuid.UUID(i).version for i in ids[:10]} == {7}
