"""The production store: PostgreSQL through psycopg 3, shared by several stateless workers.

Hot path (push), per batch and never per item: one query takes the device's advisory lock
and reads the epoch; COPY puts the batch into a session-local staging table; one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`` stores what is new; only when
something was not new, one more query reads the stored hashes to tell duplicates from
conflicts. Connections come from a psycopg_pool pool (the staging table is made the first time a
connection needs it).

Pull cursor: every server-owned change records the id of the transaction that wrote it
(``pg_current_xact_id()``); a page serves only changes whose transaction id is below the
reading snapshot's xmin, i.e. whose transaction has certainly finished, ordered by
(xid, seq). No transaction that is still running can later commit a row that sorts before
the cursor, which a plain ``seq > cursor`` cannot promise (sequence numbers are taken at
insert time, not at commit). See docs/SYNC.md.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from kiosk.ids import new_id
from sync import protocol
from sync.server import auth
from sync.server.store import (
    Conflict, Device, DeviceBusy, NotFound, Office, Overloaded, PreparedPush, PushPolicy,
    Unauthorized, checked_items, classify, is_enrollment_retry, parse_cursor, reference_payload,
    usable_sample,
)
from sync.server.store_sqlite import _stats
from sync.server.wire import ItemAnswer, WireBatch, encode_payload

#: First key of the two-key advisory locks this server takes (schema migration, pushes).
LOCK_SPACE = 0x6B696F  # "kio"
MIGRATION_LOCK = 1

MIGRATIONS: list[str] = [
    """
    CREATE TABLE server_meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE offices (id text PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL,
        timezone text NOT NULL, address text NOT NULL DEFAULT '', created_ms bigint NOT NULL);
    CREATE TABLE enroll_tokens (token_hash text PRIMARY KEY,
        office_id text NOT NULL REFERENCES offices(id), created_ms bigint NOT NULL,
        expires_ms bigint NOT NULL, used_ms bigint, device_id text);
    CREATE TABLE devices (id text PRIMARY KEY, office_id text NOT NULL REFERENCES offices(id),
        public_key text NOT NULL, enrolled_ms bigint NOT NULL, revoked_ms bigint);
    CREATE TABLE auth_nonces (nonce text PRIMARY KEY, device_id text NOT NULL,
        expires_ms bigint NOT NULL);
    CREATE TABLE boot_clocks (device_id text NOT NULL, boot_id text NOT NULL,
        mono_ns bigint NOT NULL, server_ms bigint NOT NULL, rtt_ms double precision NOT NULL,
        PRIMARY KEY (device_id, boot_id));
    CREATE TABLE changes (device_id text NOT NULL, device_seq bigint NOT NULL,
        office_id text NOT NULL, change_id text NOT NULL, table_name text NOT NULL,
        record_id text NOT NULL, op text NOT NULL, payload jsonb NOT NULL,
        schema_version integer NOT NULL, wall_ms bigint NOT NULL, mono_ns bigint NOT NULL,
        boot_id text NOT NULL, corrected_ms bigint NOT NULL, time_uncertain boolean NOT NULL,
        content_hash text NOT NULL, received_ms bigint NOT NULL,
        PRIMARY KEY (device_id, device_seq));
    CREATE TABLE ref_changes (seq bigserial PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(), scope text NOT NULL, office_id text,
        table_name text NOT NULL, record_id text NOT NULL, op text NOT NULL,
        payload jsonb NOT NULL, changed_ms bigint NOT NULL);
    CREATE INDEX ref_changes_cursor ON ref_changes (scope, xid, seq);
    """,
    # The sync session that last pushed for a device (X-Sync-Session): its batches may run
    # side by side; any other session's push waits until none of them is running (409).
    """
    CREATE TABLE push_sessions (device_id text PRIMARY KEY, session_id text NOT NULL);
    """,
    # Duplicates are found by comparing a replayed change with the stored one (it is rare),
    # not by a hash computed for every change pushed (bench/sync.py).
    """
    ALTER TABLE changes DROP COLUMN content_hash;
    """,
]

#: Columns of a push row, in COPY order (the staging table has exactly these).
STAGE_COLUMNS = ("device_seq", "change_id", "table_name", "record_id", "op", "payload",
                 "schema_version", "wall_ms", "mono_ns", "boot_id", "corrected_ms",
                 "time_uncertain")

STAGE_DDL = """CREATE TEMP TABLE IF NOT EXISTS push_stage (
    device_seq bigint, change_id text, table_name text, record_id text, op text, payload text,
    schema_version integer, wall_ms bigint, mono_ns bigint, boot_id text, corrected_ms bigint,
    time_uncertain boolean) ON COMMIT DELETE ROWS"""

_COLS = ", ".join(STAGE_COLUMNS)
COPY_SQL = f"COPY push_stage ({_COLS}) FROM STDIN"
COPY_DIRECT_SQL = f"COPY changes (device_id, office_id, received_ms, {_COLS}) FROM STDIN"
SAME_CONTENT_SQL = (
    "SELECT s.device_seq,"
    " c.change_id = s.change_id AND c.table_name = s.table_name AND c.record_id = s.record_id"
    " AND c.op = s.op AND c.schema_version = s.schema_version AND c.wall_ms = s.wall_ms"
    " AND c.mono_ns = s.mono_ns AND c.boot_id = s.boot_id AND c.payload = s.payload::jsonb"
    " FROM push_stage s JOIN changes c ON c.device_id = %s AND c.device_seq = s.device_seq"
    " WHERE NOT s.device_seq = ANY(%s)")
CLOCK_SQL = (
    "INSERT INTO boot_clocks SELECT * FROM (VALUES (%s, %s, %s::bigint, %s::bigint,"
    " %s::double precision)) AS v (device_id, boot_id, mono_ns, server_ms, rtt_ms)"
    " WHERE NOT EXISTS (SELECT 1 FROM boot_clocks b WHERE b.device_id = v.device_id"
    " AND b.boot_id = v.boot_id AND b.mono_ns = v.mono_ns AND b.server_ms = v.server_ms"
    " AND b.rtt_ms = v.rtt_ms)"
    " ON CONFLICT (device_id, boot_id) DO UPDATE SET mono_ns = excluded.mono_ns,"
    " server_ms = excluded.server_ms, rtt_ms = excluded.rtt_ms")
#: (may push, is the recorded session): the session recorded for the device needs only
#: the shared key; any other takes it exclusively, or gets 409.
OWNER_SQL = (
    "SELECT CASE WHEN s.owner THEN true ELSE pg_try_advisory_xact_lock(%s, hashtext(%s)) END,"
    " s.owner FROM (SELECT EXISTS (SELECT 1 FROM push_sessions WHERE device_id = %s"
    " AND session_id = %s) AS owner) s")
INSERT_SQL = (
    f"INSERT INTO changes (device_id, office_id, received_ms, {_COLS})"
    f" SELECT %s, %s, %s, {_COLS.replace('payload', 'payload::jsonb')} FROM push_stage"
    " ON CONFLICT (device_id, device_seq) DO NOTHING RETURNING device_seq")


class PgStore:
    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8,
                 timeout_s: float = 10.0) -> None:
        self.url = url
        self.schema_version = self._migrate()
        self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, timeout=timeout_s,
                                   open=True, name="kiosk-server",
                                   kwargs=({} if "application_name" in url
                                           else {"application_name": "kiosk-server"}))
        meta = dict(self._read("SELECT key, value FROM server_meta"))
        self.token_secret = meta["token_secret"]
        self.admin_token = meta["admin_token"]

    # -- connections and schema ----------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; commit on success, rollback on error (psycopg_pool).

        A lost or refused connection becomes :class:`Overloaded` (503 + Retry-After): every
        write here is idempotent, so the kiosk's retry is the right answer, and the pool
        replaces the broken connection.
        """
        try:
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise Overloaded(f"no database connection free in time ({exc}); retry") from exc
        except psycopg.OperationalError as exc:
            raise Overloaded(f"the server database is unreachable ({exc}); retry") from exc

    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Cursor]:
        with self._connection() as conn:
            yield conn.cursor()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """One read-only statement, without BEGIN/COMMIT round trips."""
        with self._connection() as conn:
            conn.autocommit = True
            rows = conn.execute(sql, params).fetchall()
            conn.autocommit = False
            return rows

    def close(self) -> None:
        self.pool.close()

    def _migrate(self) -> int:
        """Create or migrate the schema once, whichever worker starts first."""
        with psycopg.connect(self.url) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, MIGRATION_LOCK))
            conn.execute("CREATE TABLE IF NOT EXISTS server_migrations ("
                         "step integer PRIMARY KEY, applied_ms bigint NOT NULL)")
            done = {r[0] for r in conn.execute("SELECT step FROM server_migrations")}
            for step, sql in enumerate(MIGRATIONS, start=1):
                if step not in done:
                    conn.execute(sql)
                    conn.execute("INSERT INTO server_migrations VALUES"
                                 " (%s, (extract(epoch FROM now()) * 1000)::bigint)", (step,))
            for key, value in (("epoch", str(uuid.uuid4())), ("token_secret", auth.new_secret()),
                               ("admin_token", secrets.token_urlsafe(24))):
                conn.execute("INSERT INTO server_meta VALUES (%s, %s) ON CONFLICT DO NOTHING",
                             (key, value))
            fingerprint = _fingerprint(conn)
            row = conn.execute("SELECT value FROM server_meta WHERE key = 'fingerprint'").fetchone()
            if row is None:
                conn.execute("INSERT INTO server_meta VALUES ('fingerprint', %s)", (fingerprint,))
            elif row[0] != fingerprint:
                # Restored into another database or cluster, or a new timeline after
                # point-in-time recovery: what kiosks were told is stored may be gone.
                conn.execute("UPDATE server_meta SET value = %s WHERE key = 'epoch'",
                             (str(uuid.uuid4()),))
                conn.execute("UPDATE server_meta SET value = %s WHERE key = 'fingerprint'",
                             (fingerprint,))
        return len(MIGRATIONS)

    def current_epoch(self) -> str:
        return self._read("SELECT value FROM server_meta WHERE key = 'epoch'")[0][0]

    def new_epoch(self) -> str:
        epoch = str(uuid.uuid4())
        with self._tx() as cur:
            cur.execute("UPDATE server_meta SET value = %s WHERE key = 'epoch'", (epoch,))
        return epoch

    # -- offices, tokens, devices ---------------------------------------------------------
    def add_office(self, code: str, name: str, timezone: str, address: str,
                   now_ms: int) -> Office:
        office = Office(new_id(), code, name, timezone, address)
        with self._tx() as cur:
            cur.execute("INSERT INTO offices VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (code)"
                        " DO NOTHING RETURNING id",
                        (office.id, code, name, timezone, address, now_ms))
            if cur.fetchone() is None:
                raise Conflict(f"office {code} already exists")
            insert_reference(cur, office.id, "offices", office.id, "upsert",
                             office.as_reference(now_ms), now_ms)
        return office

    def offices(self) -> list[Office]:
        return [Office(*r) for r in self._read(
            "SELECT id, code, name, timezone, address FROM offices ORDER BY code")]

    @staticmethod
    def _office(cur: psycopg.Cursor, code: str) -> Office:
        row = cur.execute("SELECT id, code, name, timezone, address FROM offices WHERE code = %s",
                          (code,)).fetchone()
        if row is None:
            raise NotFound(f"no office {code!r}; add it with `kiosk server office add`")
        return Office(*row)

    def add_enroll_token(self, office_code: str, token_hash: str, expires_ms: int,
                         now_ms: int) -> Office:
        with self._tx() as cur:
            office = self._office(cur, office_code)
            cur.execute("INSERT INTO enroll_tokens (token_hash, office_id, created_ms,"
                        " expires_ms) VALUES (%s,%s,%s,%s)",
                        (token_hash, office.id, now_ms, expires_ms))
        return office

    def enroll(self, token_hash: str, device_id: str, public_key: str, now_ms: int) -> Device:
        with self._tx() as cur:
            tok = cur.execute("SELECT office_id, expires_ms, used_ms, device_id FROM enroll_tokens"
                              " WHERE token_hash = %s FOR UPDATE", (token_hash,)).fetchone()
            if tok is None:
                raise Unauthorized("unknown enrollment token")
            office_id = tok[0]
            existing = cur.execute("SELECT public_key, revoked_ms FROM devices WHERE id = %s",
                                   (device_id,)).fetchone()
            if is_enrollment_retry(tok, existing, device_id, public_key, now_ms):
                return self._device(cur, device_id)
            cur.execute("UPDATE enroll_tokens SET used_ms = %s, device_id = %s"
                        " WHERE token_hash = %s", (now_ms, device_id, token_hash))
            cur.execute("INSERT INTO devices (id, office_id, public_key, enrolled_ms)"
                        " VALUES (%s,%s,%s,%s)", (device_id, office_id, public_key, now_ms))
            return self._device(cur, device_id)

    @staticmethod
    def _device(cur: psycopg.Cursor, device_id: str) -> Device | None:
        return _device(cur.execute(DEVICE_SQL, (device_id,)).fetchone())

    def device(self, device_id: str) -> Device | None:
        rows = self._read(DEVICE_SQL, (device_id,))
        return _device(rows[0] if rows else None)

    def devices(self) -> list[dict[str, Any]]:
        rows = self._read("SELECT d.id, o.code, d.enrolled_ms, d.revoked_ms FROM devices d"
                          " JOIN offices o ON o.id = d.office_id ORDER BY o.code, d.id")
        return [{"device_id": r[0], "office_code": r[1], "enrolled_ms": r[2],
                 "revoked_ms": r[3]} for r in rows]

    def revoke(self, device_id: str, now_ms: int) -> None:
        with self._tx() as cur:
            cur.execute("UPDATE devices SET revoked_ms = COALESCE(revoked_ms, %s) WHERE id = %s",
                        (now_ms, device_id))
            if cur.rowcount == 0:
                raise NotFound(f"no device {device_id!r}")

    def add_nonce(self, device_id: str, nonce: str, expires_ms: int) -> None:
        with self._tx() as cur:
            cur.execute("DELETE FROM auth_nonces WHERE expires_ms < %s",
                        (expires_ms - 2 * protocol.NONCE_TTL_S * 1000,))
            cur.execute("INSERT INTO auth_nonces VALUES (%s,%s,%s)", (nonce, device_id, expires_ms))

    def take_nonce(self, device_id: str, nonce: str, now_ms: int) -> bool:
        with self._tx() as cur:
            cur.execute("DELETE FROM auth_nonces WHERE nonce = %s AND device_id = %s"
                        " AND expires_ms > %s", (nonce, device_id, now_ms))
            return cur.rowcount == 1

    # -- push (the hot path) --------------------------------------------------------------
    def push(self, device_id: str, batch: WireBatch, policy: PushPolicy,
             now_ms: int, session: str | None = None) -> tuple[list[ItemAnswer], str]:
        """Store one batch; ``session`` is the kiosk's sync session (X-Sync-Session).

        Concurrency (across workers, all with transaction-scoped advisory locks on the
        device's key, so a crashed worker never leaves one behind): every push holds the
        key *shared*. A push of the session recorded in ``push_sessions`` needs nothing more,
        so the batches of one session run side by side (the kiosk pipelines them). Any other
        push (a new session, or one without a session) must take the key *exclusively*,
        which succeeds only when no other push of the device is running (else 409), and
        then records its session. So pushes of two sessions never overlap in time.
        """
        try:
            return self._push(device_id, batch, policy, now_ms, session, direct=True)
        except psycopg.errors.UniqueViolation:
            # A batch straight into ``changes`` met rows of the same device committed by a
            # concurrent push of the same session (a kiosk re-sending a batch it had given
            # up on while the first copy was still being stored). Insert-if-absent instead.
            return self._push(device_id, batch, policy, now_ms, session, direct=False)

    def _push(self, device_id: str, batch: WireBatch, policy: PushPolicy, now_ms: int,
              session: str | None, direct: bool) -> tuple[list[ItemAnswer], str]:
        sample = usable_sample(batch.clock, now_ms)
        boots = sorted({item.boot_id for item in batch.items})
        with self._tx() as cur:
            conn = cur.connection
            # One round trip for everything before the COPY (pipeline mode); each statement
            # still runs after the one before it, with its own snapshot.
            with conn.pipeline():
                q_lock = conn.cursor()
                q_own = None
                if session is None:
                    # No session: the exclusive key alone. Taking the shared key first let
                    # two such pushes that arrived together refuse each other (both 409).
                    q_lock.execute("SELECT true, (SELECT value FROM server_meta"
                                   " WHERE key = 'epoch'), pg_try_advisory_xact_lock(%s,"
                                   " hashtext(%s)), false", (LOCK_SPACE, device_id))
                else:
                    q_lock.execute("SELECT pg_try_advisory_xact_lock_shared(%s, hashtext(%s)),"
                                   " (SELECT value FROM server_meta WHERE key = 'epoch')",
                                   (LOCK_SPACE, device_id))
                    # A later statement than the shared lock, so under READ COMMITTED it
                    # sees the owner that any push which ended meanwhile recorded.
                    q_own = conn.cursor()
                    q_own.execute(OWNER_SQL, (LOCK_SPACE, device_id, device_id, session))
                if sample is not None:
                    # Written only when it is news: every batch of a session carries the
                    # same sample, and an upsert would lock the row even when it changes
                    # nothing, making the session's batches wait for each other's commit.
                    cur.execute(CLOCK_SQL, (device_id, sample.boot_id, sample.mono_ns,
                                            sample.server_ms, sample.rtt_ms))
                # After the locks (a later statement: it sees the rows of every push of this
                # device that ended meanwhile) and after the clock sample: the device, its
                # highest stored seq and its boots' samples, in one statement.
                q_state = conn.cursor()
                q_state.execute(PUSH_STATE_SQL, (boots, device_id))
            state = q_state.fetchone()
            device = _device(state[:5] if state else None)
            if device is None:
                raise Unauthorized("unknown device; enroll again")
            if device.revoked:
                raise Unauthorized("device revoked")
            lock_row = q_lock.fetchone()
            shared, epoch = lock_row[0], lock_row[1]
            owned, already_owner = lock_row[2:] if q_own is None else q_own.fetchone()
            if not (shared and owned):
                raise DeviceBusy("a push of this device is already running; one sync session "
                                 "per device")
            if session is not None and not already_owner:
                cur.execute("INSERT INTO push_sessions VALUES (%s, %s) ON CONFLICT (device_id)"
                            " DO UPDATE SET session_id = excluded.session_id",
                            (device_id, session))
            max_seq = state[5]
            samples = {boot: (mono, server) for boot, mono, server in state[6]}
            prepared = PreparedPush()
            items = checked_items(batch, device, policy, prepared)  # a 403 rolls back
            if not batch.items:
                return prepared.results(), epoch
            if direct and min(item.device_seq for item in batch.items) > (max_seq or 0):
                # Everything is newer than what this device has stored: the normal case, so
                # COPY straight in. Only a concurrent push of the same session could hold
                # the same keys; the unique index then fails this transaction and
                # :meth:`push` does it again through the staging table.
                _copy_items(cur, COPY_DIRECT_SQL, items, (device.id, device.office_id, now_ms),
                            samples)
                inserted = set(prepared.seqs)
            else:
                # Made when first needed (replays are rare), not with every new connection:
                # a burst of kiosks opens connections, and DDL at connect slowed it down.
                cur.execute(STAGE_DDL)
                _copy_items(cur, COPY_SQL, items, (), samples)
                cur.execute(INSERT_SQL, (device.id, device.office_id, now_ms))
                inserted = {r[0] for r in cur.fetchall()}
            same: dict[int, bool] = {}
            if len(inserted) < len(prepared.seqs):
                # Only after a replay: compare with what is kept, in the database (jsonb
                # equality ignores key order and spacing), the staging rows still at hand.
                same = dict(cur.execute(SAME_CONTENT_SQL, (device.id, list(inserted))).fetchall())
            classify(prepared, inserted, same)
        return prepared.results(), epoch

    # -- pull and reference data ------------------------------------------------------------
    def put_reference(self, office_code: str | None,
                      changes: Sequence[protocol.ReferenceChange], now_ms: int) -> list[int]:
        with self._tx() as cur:
            office_id = self._office(cur, office_code).id if office_code else None
            return [insert_reference(cur, office_id, c.table, c.record_id, c.op,
                                     reference_payload(c.table, c.payload, office_id), now_ms)
                    for c in changes]

    def pull(self, office_id: str, scope: str, cursor: str, limit: int
             ) -> tuple[list[dict[str, Any]], str, bool, str]:
        after_xid, after_seq = parse_cursor(cursor)
        with self._tx() as cur:
            rows = cur.execute(
                "SELECT seq, xid::text, table_name, record_id, op, payload::text"
                " FROM ref_changes WHERE scope = %s AND (office_id = %s OR office_id IS NULL)"
                " AND xid < pg_snapshot_xmin(pg_current_snapshot())"
                " AND (xid, seq) > (%s::text::xid8, %s) ORDER BY xid, seq LIMIT %s",
                (scope, office_id, str(after_xid), after_seq, limit + 1)).fetchall()
            epoch = cur.execute("SELECT value FROM server_meta WHERE key = 'epoch'").fetchone()[0]
        has_more = len(rows) > limit
        rows = rows[:limit]
        changes = [{"table": t, "record_id": r, "op": op, "payload": p, "version": seq}
                   for seq, _, t, r, op, p in rows]
        next_cursor = f"{rows[-1][1]}:{rows[-1][0]}" if rows else (cursor or "0")
        return changes, next_cursor, has_more, epoch

    def stats(self) -> dict[str, Any]:
        with self._tx() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return _stats(cur.execute)


_DEVICE_COLUMNS = "d.id, d.office_id, o.code, d.public_key, d.revoked_ms IS NOT NULL"
_DEVICE_FROM = " FROM devices d JOIN offices o ON o.id = d.office_id WHERE d.id = %s"
DEVICE_SQL = f"SELECT {_DEVICE_COLUMNS}{_DEVICE_FROM}"
#: The device (as DEVICE_SQL), its highest stored device_seq and its boots' clock samples.
PUSH_STATE_SQL = (
    f"SELECT {_DEVICE_COLUMNS},"
    " (SELECT max(c.device_seq) FROM changes c WHERE c.device_id = d.id),"
    " (SELECT coalesce(json_agg(json_build_array(b.boot_id, b.mono_ns, b.server_ms)), '[]')"
    f"  FROM boot_clocks b WHERE b.device_id = d.id AND b.boot_id = ANY(%s)){_DEVICE_FROM}")


def _device(row: tuple | None) -> Device | None:
    return Device(*row) if row else None


def _copy_items(cur: psycopg.Cursor, sql: str, items, prefix: tuple,
                samples: dict[str, tuple[int, int]]) -> None:
    """COPY checked items as they come, correcting times on the way (store.correct_times)."""
    with cur.copy(sql) as copy:
        write = copy.write_row
        for item, raw in items:
            sample = samples.get(item.boot_id)
            if sample is None:
                corrected, uncertain = item.wall_ms, True
            else:
                corrected = sample[1] + (item.mono_ns - sample[0]) // 1_000_000
                uncertain = item.time_uncertain
            write((*prefix, item.device_seq, item.change_id, item.table, item.record_id, item.op,
                   raw.decode(), item.schema_version, item.wall_ms, item.mono_ns, item.boot_id,
                   corrected, uncertain))


def insert_reference(cur: psycopg.Cursor, office_id: str | None, table: str, record_id: str,
                     op: str, payload: dict, now_ms: int) -> int:
    """Append one server-owned change; its transaction id is recorded by the column default."""
    cur.execute("INSERT INTO ref_changes (scope, office_id, table_name, record_id, op, payload,"
                " changed_ms) VALUES (%s,%s,%s,%s,%s,%s::jsonb,%s) RETURNING seq",
                (protocol.scope_of(table), office_id, table, record_id, op,
                 encode_payload(payload).decode(), now_ms))
    return cur.fetchone()[0]


def _fingerprint(conn: psycopg.Connection) -> str:
    """What changes when this database is a restored copy: cluster, database, timeline."""
    parts = [str(conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
                 .fetchone()[0])]
    for sql in ("SELECT system_identifier::text FROM pg_control_system()",
                "SELECT timeline_id::text FROM pg_control_checkpoint()"):
        try:
            with conn.transaction():
                parts.append(conn.execute(sql).fetchone()[0])
        except psycopg.errors.InsufficientPrivilege:
            parts.append("?")
    return ":".join(parts)
