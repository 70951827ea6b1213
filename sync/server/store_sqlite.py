"""The embedded store: one SQLite file (WAL), the default for a small city or a test bench.

Each thread keeps its own connection; every write takes the write lock up front
(``BEGIN IMMEDIATE``), so writers are serialized in commit order. That is also why the pull
cursor can be a plain sequence here: no row with a smaller ``seq`` can commit after a larger
one is visible. (PostgreSQL cannot promise that; see store_pg.)
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kiosk.ids import new_id
from sync import protocol
from sync.server import auth
from sync.server import admin_sql, faces, public_sql
from sync.server.errors import Conflict, Overloaded, Unauthorized
from sync.server.rules import (
    Device, Office, PushPolicy, classify, correct_times, is_enrollment_retry, parse_cursor,
    prepare_push, reference_payload, same_content, usable_sample, validate_office,
)
from sync.server.wire import ItemAnswer, WireBatch, encode_payload

BUSY_TIMEOUT_S = 10
#: A pushed complaint's tracking code (the expression of its index: queries spell it so).
SQLITE_CODE = "json_extract(payload, '$.code')"


def sqlite_field(key: str) -> str:
    """A payload field of the changes row ``c`` (sync.server.public_sql)."""
    return f"json_extract(c.payload, '$.{key}')"

MIGRATIONS: list[str] = [
    """
    CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE offices (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        timezone TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL);
    CREATE TABLE enroll_tokens (token_hash TEXT PRIMARY KEY,
        office_id TEXT NOT NULL REFERENCES offices(id), created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL, used_ms INTEGER, device_id TEXT);
    CREATE TABLE devices (id TEXT PRIMARY KEY, office_id TEXT NOT NULL REFERENCES offices(id),
        public_key TEXT NOT NULL, enrolled_ms INTEGER NOT NULL, revoked_ms INTEGER);
    CREATE TABLE auth_nonces (nonce TEXT PRIMARY KEY, device_id TEXT NOT NULL,
        expires_ms INTEGER NOT NULL);
    CREATE TABLE boot_clocks (device_id TEXT NOT NULL, boot_id TEXT NOT NULL,
        mono_ns INTEGER NOT NULL, server_ms INTEGER NOT NULL, rtt_ms REAL NOT NULL,
        PRIMARY KEY (device_id, boot_id));
    CREATE TABLE changes (device_id TEXT NOT NULL, device_seq INTEGER NOT NULL,
        office_id TEXT NOT NULL, change_id TEXT NOT NULL, table_name TEXT NOT NULL,
        record_id TEXT NOT NULL, op TEXT NOT NULL, payload TEXT NOT NULL,
        schema_version INTEGER NOT NULL, wall_ms INTEGER NOT NULL, mono_ns INTEGER NOT NULL,
        boot_id TEXT NOT NULL, corrected_ms INTEGER NOT NULL, time_uncertain INTEGER NOT NULL,
        content_hash TEXT NOT NULL, received_ms INTEGER NOT NULL,
        PRIMARY KEY (device_id, device_seq)) WITHOUT ROWID;
    CREATE TABLE ref_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL,
        office_id TEXT, table_name TEXT NOT NULL, record_id TEXT NOT NULL, op TEXT NOT NULL,
        payload TEXT NOT NULL, changed_ms INTEGER NOT NULL);
    CREATE INDEX ref_changes_scope ON ref_changes (scope, seq);
    """,
    # Duplicates are found by comparing a replayed change with the stored one (it is rare),
    # not by a hash computed for every change pushed (bench/sync.py).
    """
    ALTER TABLE changes DROP COLUMN content_hash;
    """,
    # Citizens' requests and complaints (docs/REQUESTS.md): listed per office, a complaint
    # found by its tracking code, its city status by its id. Partial indexes: the tickets
    # that make up most pushes do not pay for them.
    f"""
    CREATE INDEX changes_citizen ON changes (table_name, office_id, record_id, device_seq)
        WHERE {admin_sql.CITIZEN_TERM};
    CREATE INDEX changes_complaint_code ON changes ({SQLITE_CODE})
        WHERE table_name = 'complaints';
    CREATE INDEX ref_changes_record ON ref_changes (table_name, record_id, seq);
    """,
    # The public pages (docs/PUBLIC.md): a letter by its id, a request by its tracking code,
    # a ticket by its id. Partial, so other tables' pushes do not pay for them; the tickets'
    # one costs each ticket push one more index entry.
    """
    CREATE INDEX changes_letter ON changes (json_extract(payload, '$.letter_id'))
        WHERE table_name = 'issued_letters';
    CREATE INDEX changes_request_code ON changes (json_extract(payload, '$.code'))
        WHERE table_name = 'requests';
    CREATE INDEX changes_ticket ON changes (record_id) WHERE table_name = 'tickets';
    """,
    # faces (docs/FACES.md): a sealed enrolment found by its employee, to erase it.
    f"""
    CREATE INDEX changes_face ON changes ({faces.SQLITE_EMPLOYEE})
        WHERE table_name = '{faces.SEALED}';
    """,
    # Step "device_health": each device's last health report (provisioning.health, sent
    # by the kiosk's sync worker; `kiosk server devices` lists them). Text, not parsed
    # here: the fleet view reads a few fields of it (admin_sql.device_health).
    """
    CREATE TABLE device_health (device_id TEXT PRIMARY KEY REFERENCES devices(id),
        received_ms INTEGER NOT NULL, status TEXT NOT NULL, reasons TEXT NOT NULL,
        report TEXT NOT NULL);
    """,
]


CHANGE_COLUMNS = ("device_id", "device_seq", "office_id", "change_id", "table_name", "record_id",
                  "op", "payload", "schema_version", "wall_ms", "mono_ns", "boot_id",
                  "corrected_ms", "time_uncertain", "received_ms")


class SqliteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self.schema_version = self._migrate()
        meta = dict(self._conn().execute("SELECT key, value FROM server_meta"))
        self.token_secret = meta["token_secret"]
        self.admin_token = meta["admin_token"]
        self.badge_key = meta["badge_key"]
        self.face_key = meta["face_key"]

    # -- connections -------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise Overloaded(f"the server database is busy ({exc}); retry shortly") from exc
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def open_async(self) -> None:
        """Nothing: one SQLite connection, used from the store's threads only."""

    async def close_async(self) -> None:
        pass

    async def push_async(self, device_id: str, batch: WireBatch, policy: PushPolicy,
                         now_ms: int, session: str | None = None) -> None:
        return None  # always :meth:`push`, in a thread

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._local = threading.local()

    def _migrate(self) -> int:
        with self._write() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS server_migrations ("
                         "step INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)")
            done = {r[0] for r in conn.execute("SELECT step FROM server_migrations")}
            for step, sql in enumerate(MIGRATIONS, start=1):
                if step in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    conn.execute(statement)
                conn.execute("INSERT INTO server_migrations VALUES (?, strftime('%s')*1000)",
                             (step,))
            for key, make in (("epoch", lambda: str(uuid.uuid4())),
                              ("token_secret", auth.new_secret),
                              ("admin_token", lambda: secrets.token_urlsafe(24)),
                              ("badge_key", auth.new_badge_key),
                              ("face_key", faces.new_face_key)):
                conn.execute("INSERT OR IGNORE INTO server_meta VALUES (?, ?)", (key, make()))
        return len(MIGRATIONS)

    def new_epoch(self) -> str:
        """After restoring this file from a backup: kiosks re-send what it may have lost."""
        epoch = str(uuid.uuid4())
        with self._write() as conn:
            conn.execute("UPDATE server_meta SET value = ? WHERE key = 'epoch'", (epoch,))
        return epoch

    def current_epoch(self) -> str:
        return _epoch(self._conn())

    # -- offices, tokens, devices -----------------------------------------------------------
    def add_office(self, code: str, name: str, timezone: str, address: str,
                   now_ms: int) -> Office:
        validate_office(code, name, timezone, address)
        office = Office(new_id(), code, name, timezone, address)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM offices WHERE code = ?", (code,)).fetchone():
                raise Conflict(f"office {code} already exists")
            conn.execute("INSERT INTO offices VALUES (?,?,?,?,?,?)",
                         (office.id, code, name, timezone, address, now_ms))
            self._append_ref(conn, office.id, "offices", office.id, "upsert",
                             office.as_reference(now_ms), now_ms)
        return office

    def offices(self) -> list[Office]:
        return admin_sql.offices(self._conn().execute)

    def _office(self, conn: sqlite3.Connection, code: str) -> Office:
        return admin_sql.office(conn.execute, code)

    def add_enroll_token(self, office_code: str, token_hash: str, expires_ms: int,
                         now_ms: int) -> Office:
        with self._write() as conn:
            office = self._office(conn, office_code)
            conn.execute("INSERT INTO enroll_tokens (token_hash, office_id, created_ms,"
                         " expires_ms) VALUES (?,?,?,?)",
                         (token_hash, office.id, now_ms, expires_ms))
        return office

    def enroll(self, token_hash: str, device_id: str, public_key: str, now_ms: int) -> Device:
        with self._write() as conn:
            tok = conn.execute("SELECT office_id, expires_ms, used_ms, device_id FROM"
                               " enroll_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
            if tok is None:
                raise Unauthorized("unknown enrollment token")
            office_id = tok[0]
            existing = conn.execute("SELECT public_key, revoked_ms FROM devices WHERE id = ?",
                                    (device_id,)).fetchone()
            if is_enrollment_retry(tok, existing, device_id, public_key, now_ms):
                return self._device(conn, device_id)
            conn.execute("UPDATE enroll_tokens SET used_ms = ?, device_id = ? WHERE token_hash = ?",
                         (now_ms, device_id, token_hash))
            conn.execute("INSERT INTO devices (id, office_id, public_key, enrolled_ms)"
                         " VALUES (?,?,?,?)", (device_id, office_id, public_key, now_ms))
            return self._device(conn, device_id)

    def _device(self, conn: sqlite3.Connection, device_id: str) -> Device | None:
        return admin_sql.device(conn.execute, device_id)

    def device(self, device_id: str) -> Device | None:
        return self._device(self._conn(), device_id)

    def devices(self) -> list[dict[str, Any]]:
        return admin_sql.devices(self._conn().execute)

    def revoke(self, device_id: str, now_ms: int) -> None:
        with self._write() as conn:
            admin_sql.revoke(conn.execute, device_id, now_ms)

    def add_nonce(self, device_id: str, nonce: str, expires_ms: int) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM auth_nonces WHERE expires_ms < ?",
                         (expires_ms - 2 * protocol.NONCE_TTL_S * 1000,))
            conn.execute("INSERT INTO auth_nonces VALUES (?,?,?)", (nonce, device_id, expires_ms))

    def take_nonce(self, device_id: str, nonce: str, now_ms: int) -> bool:
        with self._write() as conn:
            cur = conn.execute("DELETE FROM auth_nonces WHERE nonce = ? AND device_id = ?"
                               " AND expires_ms > ?", (nonce, device_id, now_ms))
            return cur.rowcount == 1

    # -- push ----------------------------------------------------------------------------
    def push(self, device_id: str, batch: WireBatch, policy: PushPolicy,
             now_ms: int, session: str | None = None) -> tuple[list[ItemAnswer], str]:
        """One process only: the app's in-process guard keeps sessions apart and the write
        lock serializes the batches of one session (``session`` is not needed here)."""
        sample = usable_sample(batch.clock, now_ms)
        with self._write() as conn:
            device = self._device(conn, device_id)
            if device is None:
                raise Unauthorized("unknown device; enroll again")
            if device.revoked:
                raise Unauthorized("device revoked")
            prepared = prepare_push(batch, device, policy)
            epoch = _epoch(conn)
            if sample is not None:
                conn.execute("INSERT OR REPLACE INTO boot_clocks VALUES (?,?,?,?,?)",
                             (device.id, sample.boot_id, sample.mono_ns, sample.server_ms,
                              sample.rtt_ms))
            if prepared.rows:
                boots = sorted({r.boot_id for r in prepared.rows})
                samples = {b: (m, s) for b, m, s in conn.execute(
                    f"SELECT boot_id, mono_ns, server_ms FROM boot_clocks WHERE device_id = ?"
                    f" AND boot_id IN ({','.join('?' * len(boots))})", (device.id, *boots))}
                correct_times(prepared.rows, samples)
                seqs = [r.device_seq for r in prepared.rows]
                stored = {r[0]: r[1:] for r in conn.execute(
                    "SELECT device_seq, change_id, table_name, record_id, op,"
                    " payload, schema_version, wall_ms, mono_ns, boot_id FROM changes"
                    " WHERE device_id = ? AND device_seq IN (SELECT value FROM json_each(?))",
                    (device.id, encode_payload(seqs).decode()))}
                new = [r for r in prepared.rows if r.device_seq not in stored]
                conn.executemany(
                    f"INSERT INTO changes ({', '.join(CHANGE_COLUMNS)})"
                    f" VALUES ({','.join('?' * len(CHANGE_COLUMNS))})",
                    [(device.id, r.device_seq, device.office_id, r.change_id, r.table,
                      r.record_id, r.op, r.payload, r.schema_version, r.wall_ms, r.mono_ns,
                      r.boot_id, r.corrected_ms, int(r.time_uncertain), now_ms)
                     for r in new])
                same = {r.device_seq: same_content(r, stored[r.device_seq])
                        for r in prepared.rows if r.device_seq in stored}
                classify(prepared, {r.device_seq for r in new}, same)
            if faces.has_face_items(batch.items):
                faces.erase_after_push(conn.execute, faces.SQLITE_EMPLOYEE, device.id,
                                       device.office_id, faces.stored_items(batch, prepared))
        return prepared.results(), epoch

    # -- pull and reference data ----------------------------------------------------------
    def _append_ref(self, conn: sqlite3.Connection, office_id: str | None, table: str,
                    record_id: str, op: str, payload: dict, now_ms: int) -> int:
        cur = conn.execute(
            "INSERT INTO ref_changes (scope, office_id, table_name, record_id, op, payload,"
            " changed_ms) VALUES (?,?,?,?,?,?,?)",
            (protocol.scope_of(table), office_id, table, record_id, op,
             encode_payload(payload).decode(), now_ms))
        return int(cur.lastrowid)

    def reference_row(self, table: str, record_id: str
                      ) -> tuple[str | None, dict[str, Any]] | None:
        return admin_sql.reference_row(self._conn().execute, table, record_id)

    def put_reference(self, office_code: str | None,
                      changes: Sequence[protocol.ReferenceChange], now_ms: int) -> list[int]:
        with self._write() as conn:
            office_id = self._office(conn, office_code).id if office_code else None
            seqs = [self._append_ref(conn, office_id, c.table, c.record_id, c.op,
                                     reference_payload(c.table, c.payload, office_id), now_ms)
                    for c in changes]
            for employee in faces.dropped_employees(changes):
                faces.erase_employee(conn.execute, faces.SQLITE_EMPLOYEE, employee)
            return seqs

    def pull(self, office_id: str, scope: str, cursor: str, limit: int
             ) -> tuple[list[dict[str, Any]], str, bool, str]:
        _, after = parse_cursor(cursor)
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            rows = conn.execute(
                "SELECT seq, table_name, record_id, op, payload FROM ref_changes WHERE scope = ?"
                " AND (office_id = ? OR office_id IS NULL) AND seq > ? ORDER BY seq LIMIT ?",
                (scope, office_id, after, limit + 1)).fetchall()
            epoch = _epoch(conn)
        finally:
            conn.execute("COMMIT")
        has_more = len(rows) > limit
        rows = rows[:limit]
        changes = [{"table": t, "record_id": r, "op": op, "payload": p, "version": seq}
                   for seq, t, r, op, p in rows]
        next_cursor = f"0:{rows[-1][0]}" if rows else (cursor or "0")
        return changes, next_cursor, has_more, epoch

    # -- device health ------------------------------------------------------------------------
    def put_device_health(self, device_id: str, status: str, reasons: str, report: str,
                          now_ms: int) -> None:
        with self._write() as conn:
            admin_sql.put_device_health(conn.execute, device_id, status, reasons, report,
                                        now_ms)

    def device_health(self, office_code: str | None, now_ms: int,
                      device_id: str | None = None) -> list[dict[str, Any]]:
        return admin_sql.device_health(self._conn().execute, office_code, now_ms, device_id)

    # -- citizens' requests and complaints ---------------------------------------------------
    def citizen_records(self, table: str, office_code: str | None,
                        limit: int) -> list[dict[str, Any]]:
        return admin_sql.citizen_records(self._conn().execute, table, office_code, limit)

    def set_complaint_status(self, code: str, office_code: str | None, status: str,
                             answer: str | None, note: str | None, staff: str | None,
                             now_ms: int) -> dict[str, Any]:
        with self._write() as conn:
            office_id, complaint_id, payload = admin_sql.complaint_status_change(
                conn.execute, SQLITE_CODE, code, office_code, status, answer, note, staff,
                now_ms)
            self._append_ref(conn, office_id, "complaint_status", complaint_id, "upsert",
                             payload, now_ms)
        return payload

    # -- the public pages (sync.server.public) ---------------------------------------------
    def issued_letter(self, letter_id: str) -> dict[str, Any] | None:
        return public_sql.issued_letter(self._conn().execute, sqlite_field, letter_id)

    def public_status(self, kind: str, code: str) -> dict[str, Any] | None:
        return public_sql.public_status(self._conn().execute, sqlite_field, kind, code)

    def open311(self, since_ms: int) -> dict[str, Any]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            return public_sql.open311(conn.execute, since_ms)
        finally:
            conn.execute("COMMIT")

    # -- stats -------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            return admin_sql.stats(conn.execute)
        finally:
            conn.execute("COMMIT")


def _epoch(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT value FROM server_meta WHERE key = 'epoch'").fetchone()[0]
