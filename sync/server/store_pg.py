"""The production store: PostgreSQL through psycopg 3, shared by several stateless workers.

Hot path (push), per batch and never per item: one call of the ``kiosk_push`` function
(PUSH_FUNCTION) takes the device's advisory lock, checks the device, records the clock
sample and the session, and reads what the rest needs; a small batch (most pushes) is stored
by that same call, so it costs one round trip. A large one is then COPYed straight into
``changes`` (or, for a replay, through a session-local staging table and ``INSERT ... ON
CONFLICT DO NOTHING RETURNING``). Only when something was not new, one more query compares
it with what is kept, to tell duplicates from conflicts. Connections come from a psycopg_pool
pool. docs/SYNC.md explains each step.

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

import msgspec
import psycopg
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from kiosk.ids import new_id
from sync import protocol
from sync.server import auth
from sync.server import admin_sql, faces, public_sql
from sync.server.errors import Conflict, DeviceBusy, Overloaded, Unauthorized
from sync.server.rules import (
    Device, Office, PreparedPush, PushPolicy, admit, checked_items, classify,
    is_enrollment_retry, parse_cursor, reference_payload, usable_sample, validate_office,
)
from sync.server.wire import ItemAnswer, WireBatch, encode_payload, offices_of, text_problem

#: A pushed complaint's tracking code (the expression of its index: queries spell it so).
PG_CODE = "payload->>'code'"


def pg_field(key: str) -> str:
    """A payload field of the changes row ``c`` (sync.server.public_sql)."""
    return f"c.payload->>'{key}'"

#: First key of the two-key advisory locks this server takes (schema migration, pushes).
LOCK_SPACE = 0x6B696F  # "kio"
MIGRATION_LOCK = 1

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
#: Whether a change already kept has the same content as the one sent again: compared in
#: the database (jsonb equality ignores key order and spacing). ``{rows}`` is the batch as
#: rows named ``i``, the staging table or ITEM_ROWS.
_SAME_CONTENT = (
    "SELECT i.device_seq,"
    " c.change_id = i.change_id AND c.table_name = i.{table} AND c.record_id = i.record_id"
    " AND c.op = i.op AND c.schema_version = i.schema_version AND c.wall_ms = i.wall_ms"
    " AND c.mono_ns = i.mono_ns AND c.boot_id = i.boot_id AND c.payload = i.payload{cast}"
    " FROM {rows} JOIN changes c ON c.device_id = %s AND c.device_seq = i.device_seq"
    " WHERE NOT i.device_seq = ANY(%s)")
SAME_CONTENT_SQL = _SAME_CONTENT.format(table="table_name", cast="::jsonb",
                                        rows="push_stage i")
INSERT_SQL = (
    f"INSERT INTO changes (device_id, office_id, received_ms, {_COLS})"
    f" SELECT %s, %s, %s, {_COLS.replace('payload', 'payload::jsonb')} FROM push_stage"
    " ON CONFLICT (device_id, device_seq) DO NOTHING RETURNING device_seq")


#: A batch's items as the kiosk sent them (WireItems encoded by msgspec), as rows ``i``.
ITEM_ROWS = (
    'jsonb_to_recordset({items}) AS i (device_seq bigint, change_id text, "table" text,'
    " record_id text, op text, payload jsonb, schema_version integer, wall_ms bigint,"
    " mono_ns bigint, boot_id text, time_uncertain boolean)")
ITEMS_SAME_CONTENT_SQL = _SAME_CONTENT.format(table='"table"', cast="",
                                              rows=ITEM_ROWS.format(items="%s::jsonb"))

#: The start of every push, as one statement (one round trip), in the order the rules need
#: (created or replaced whenever the server opens the database):
#: the device's advisory key; the recorded session (a later query than the shared key, so it
#: sees the owner that any push which ended meanwhile recorded); the device, read after the
#: locks; the clock sample and the session, only for a push that may go on; the highest seq
#: stored and the samples of the batch's boots; and, given items, the insert-if-absent of
#: them with corrected times. In a VOLATILE function under READ COMMITTED every query takes
#: a new snapshot, so each step sees what every push that ended before it committed, as the
#: separate statements it replaces did. A refused push (unknown or revoked device, the key
#: taken, a record of another office) returns before writing anything; the caller tells
#: which from the columns and answers 401, 409 or 403.
PUSH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kiosk_push(p_device text, p_session text, p_offices text[],
    p_codes text[], p_boots text[], p_boot text, p_mono bigint, p_server bigint, p_rtt double precision,
    p_received bigint, p_items jsonb,
    OUT locked boolean, OUT epoch text, OUT device_id text, OUT office_id text,
    OUT office_code text, OUT public_key text, OUT revoked boolean, OUT office_ok boolean,
    OUT max_seq bigint, OUT samples json, OUT inserted bigint[])
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    k integer := hashtext(p_device);
    owner boolean := false;
BEGIN
    SELECT m.value INTO epoch FROM server_meta m WHERE m.key = 'epoch';
    IF p_session IS NULL THEN
        -- No session: the exclusive key alone. Taking the shared key first let two such
        -- pushes that arrived together refuse each other (both 409).
        locked := pg_try_advisory_xact_lock({LOCK_SPACE}, k);
    ELSE
        locked := pg_try_advisory_xact_lock_shared({LOCK_SPACE}, k);
        owner := EXISTS (SELECT 1 FROM push_sessions s
                         WHERE s.device_id = p_device AND s.session_id = p_session);
        IF locked AND NOT owner THEN
            locked := pg_try_advisory_xact_lock({LOCK_SPACE}, k);
        END IF;
    END IF;
    SELECT d.id, d.office_id, o.code, d.public_key, d.revoked_ms IS NOT NULL,
           coalesce(d.office_id = ALL(p_offices) AND o.code = ALL(p_codes), false)
      INTO device_id, office_id, office_code, public_key, revoked, office_ok
      FROM devices d JOIN offices o ON o.id = d.office_id WHERE d.id = p_device;
    IF device_id IS NULL OR revoked OR NOT locked OR NOT office_ok THEN
        RETURN;
    END IF;
    IF p_boot IS NOT NULL THEN
        -- Written only when it is news: every batch of a session carries the same sample,
        -- and an upsert would lock the row even when it changes nothing, making the
        -- session's batches wait for each other's commit.
        INSERT INTO boot_clocks SELECT p_device, p_boot, p_mono, p_server, p_rtt
         WHERE NOT EXISTS (SELECT 1 FROM boot_clocks c WHERE c.device_id = p_device
                           AND c.boot_id = p_boot AND c.mono_ns = p_mono
                           AND c.server_ms = p_server AND c.rtt_ms = p_rtt)
        ON CONFLICT ON CONSTRAINT boot_clocks_pkey DO UPDATE SET mono_ns = excluded.mono_ns,
            server_ms = excluded.server_ms, rtt_ms = excluded.rtt_ms;
    END IF;
    IF p_session IS NOT NULL AND NOT owner THEN
        INSERT INTO push_sessions VALUES (p_device, p_session)
        ON CONFLICT ON CONSTRAINT push_sessions_pkey
        DO UPDATE SET session_id = excluded.session_id;
    END IF;
    SELECT max(c.device_seq) INTO max_seq FROM changes c WHERE c.device_id = p_device;
    SELECT coalesce(json_agg(json_build_array(b.boot_id, b.mono_ns, b.server_ms)), '[]')
      INTO samples FROM boot_clocks b WHERE b.device_id = p_device AND b.boot_id = ANY(p_boots);
    IF p_items IS NULL THEN
        RETURN;
    END IF;
    -- Corrected time as rules.correct_times computes it (floor division, in numeric so
    -- that no difference of two monotonic times overflows).
    WITH stored AS (
        INSERT INTO changes AS c (device_id, office_id, received_ms, {_COLS})
        SELECT p_device, office_id, p_received, i.device_seq, i.change_id, i."table",
               i.record_id, i.op, i.payload, i.schema_version, i.wall_ms, i.mono_ns, i.boot_id,
               CASE WHEN b.boot_id IS NULL THEN i.wall_ms
                    ELSE b.server_ms + floor((i.mono_ns::numeric - b.mono_ns) / 1000000)::bigint
               END,
               b.boot_id IS NULL OR i.time_uncertain
          FROM {ITEM_ROWS.format(items="p_items")}
          LEFT JOIN boot_clocks b ON b.device_id = p_device AND b.boot_id = i.boot_id
        ON CONFLICT ON CONSTRAINT changes_pkey DO NOTHING RETURNING c.device_seq)
    SELECT coalesce(array_agg(stored.device_seq), '{{}}') INTO inserted FROM stored;
END
$fn$
"""
#: kiosk_push as servers before the office-code check defined it (another argument list is
#: another function in PostgreSQL; left behind it would only confuse a reader of the schema).
DROP_OLD_PUSH_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS kiosk_push(text, text, text[], text[], text, bigint, bigint,"
    " double precision, bigint, jsonb)")
PUSH_SQL = ("SELECT locked, epoch, device_id, office_id, office_code, public_key, revoked,"
            " office_ok, max_seq, samples, inserted FROM kiosk_push(%s, %s, %s::text[],"
            " %s::text[], %s::text[], %s, %s::bigint, %s::bigint, %s::double precision, %s::bigint,"
            " %s::jsonb)")
#: Batches of at most this many items are stored by kiosk_push itself, in the one statement
#: (PgStore.push_async; a round trip costs about 0.1 ms of the server's CPU here, and a COPY
#: needs three more); larger ones are COPYed, which costs PostgreSQL less per row (500
#: receipts: 9.5 ms as COPY, 11.6 ms through jsonb_to_recordset; docs/PERFORMANCE.md).
SMALL_BATCH_ITEMS = 100

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
    # Citizens' requests and complaints (docs/REQUESTS.md), as in store_sqlite.
    f"""
    CREATE INDEX changes_citizen ON changes (table_name, office_id, record_id, device_seq)
        WHERE {admin_sql.CITIZEN_TERM};
    CREATE INDEX changes_complaint_code ON changes (({PG_CODE}))
        WHERE table_name = 'complaints';
    CREATE INDEX ref_changes_record ON ref_changes (table_name, record_id, seq);
    """,
    # The public pages (docs/PUBLIC.md), as in store_sqlite.
    """
    CREATE INDEX changes_letter ON changes ((payload->>'letter_id'))
        WHERE table_name = 'issued_letters';
    CREATE INDEX changes_request_code ON changes ((payload->>'code'))
        WHERE table_name = 'requests';
    CREATE INDEX changes_ticket ON changes (record_id) WHERE table_name = 'tickets';
    """,
    # faces (docs/FACES.md), as in store_sqlite.
    f"""
    CREATE INDEX changes_face ON changes ({faces.PG_EMPLOYEE})
        WHERE table_name = '{faces.SEALED}';
    """,
    # Step "device_health", as in store_sqlite: each device's last health report.
    """
    CREATE TABLE device_health (device_id text PRIMARY KEY REFERENCES devices(id),
        received_ms bigint NOT NULL, status text NOT NULL, reasons text NOT NULL,
        report text NOT NULL);
    """,
]


class PgStore:
    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8,
                 timeout_s: float = 10.0) -> None:
        self.url = url
        self.schema_version = self._migrate()
        self._pool_args = {"min_size": min_size, "max_size": max_size, "timeout": timeout_s}
        self._conn_args = {} if "application_name" in url else {"application_name": "kiosk-server"}
        self.pool = ConnectionPool(url, **self._pool_args, open=True, name="kiosk-server",
                                   kwargs=self._conn_args)
        #: The event loop's own connections, for small pushes (:meth:`push_async`); opened by
        #: the app's lifespan, so only a server process has them.
        self.apool: AsyncConnectionPool | None = None
        meta = dict(self._read("SELECT key, value FROM server_meta"))
        self.token_secret = meta["token_secret"]
        self.admin_token = meta["admin_token"]
        self.badge_key = meta["badge_key"]
        self.face_key = meta["face_key"]

    # -- connections and schema ----------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; commit on success, rollback on error (psycopg_pool); a lost
        one is :class:`Overloaded`."""
        with _overloaded_on_lost_connection(), self.pool.connection() as conn:
            yield conn

    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Cursor]:
        with self._connection() as conn:
            yield conn.cursor()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """One read-only statement, without BEGIN/COMMIT round trips."""
        with self._reading() as execute:
            return execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[admin_sql.Execute]:
        """Read-only statements in autocommit (no BEGIN/COMMIT round trips), through the
        admin_sql adapter."""
        with self._connection() as conn:
            conn.autocommit = True
            try:
                yield admin_sql.pg_execute(conn)
            finally:
                conn.autocommit = False

    def close(self) -> None:
        self.pool.close()

    async def open_async(self) -> None:
        """Open the pool of connections used on the event loop (autocommit: they run only
        single statements)."""
        self.apool = AsyncConnectionPool(self.url, **self._pool_args, open=False,
                                         name="kiosk-server-loop",
                                         kwargs={**self._conn_args, "autocommit": True})
        await self.apool.open()

    async def close_async(self) -> None:
        if self.apool is not None:
            await self.apool.close()
            self.apool = None

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
                               ("admin_token", secrets.token_urlsafe(24)),
                               ("badge_key", auth.new_badge_key()),
                               ("face_key", faces.new_face_key())):
                conn.execute("INSERT INTO server_meta VALUES (%s, %s) ON CONFLICT DO NOTHING",
                             (key, value))
            # Code more than schema: defined anew on every start, so it always matches the
            # server that calls it.
            conn.execute(DROP_OLD_PUSH_FUNCTIONS)
            conn.execute(PUSH_FUNCTION)
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
        validate_office(code, name, timezone, address)
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
        with self._reading() as execute:
            return admin_sql.offices(execute)

    @staticmethod
    def _office(cur: psycopg.Cursor, code: str) -> Office:
        return admin_sql.office(admin_sql.pg_execute(cur), code)

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
        return admin_sql.device(admin_sql.pg_execute(cur), device_id)

    def device(self, device_id: str) -> Device | None:
        with self._reading() as execute:
            return admin_sql.device(execute, device_id)

    def devices(self) -> list[dict[str, Any]]:
        with self._reading() as execute:
            return admin_sql.devices(execute)

    def revoke(self, device_id: str, now_ms: int) -> None:
        with self._tx() as cur:
            admin_sql.revoke(admin_sql.pg_execute(cur), device_id, now_ms)

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
        ``kiosk_push`` (PUSH_FUNCTION) does all of that in one statement.
        """
        try:
            return self._push(device_id, batch, policy, now_ms, session, direct=True)
        except psycopg.errors.UniqueViolation:
            # A batch straight into ``changes`` met rows of the same device committed by a
            # concurrent push of the same session (a kiosk re-sending a batch it had given
            # up on while the first copy was still being stored). Insert-if-absent instead.
            return self._push(device_id, batch, policy, now_ms, session, direct=False)

    async def push_async(self, device_id: str, batch: WireBatch, policy: PushPolicy,
                         now_ms: int, session: str | None = None
                         ) -> tuple[list[ItemAnswer], str] | None:
        """:meth:`push` of a small batch on the event loop, in one statement: ``kiosk_push``
        with the items, its own transaction. None when this batch is for :meth:`push` (too
        large, or no loop pool: not in a server process).

        Why on the loop: a store call handed to a thread and its pool costs about 0.3 ms of
        CPU more per call under a burst (GIL hand-offs, locks, wake-ups) than the same
        statement awaited here, and a small push is nearly all that one statement. Only a
        replay (an item not inserted) costs one statement more, to tell duplicates from
        conflicts.
        """
        if self.apool is None or len(batch.items) > SMALL_BATCH_ITEMS \
                or faces.has_face_items(batch.items):
            # Faces erase in the push's own transaction (sync.server.faces): :meth:`push`.
            return None
        prepared = PreparedPush()
        keep: list = []
        # Named by payloads; a value that is not a string PostgreSQL can hold: "".
        offices: set[str] = set()
        codes: set[str] = set()
        for item in batch.items:
            raw = bytes(item.payload)
            for named, into in zip(offices_of(raw), (offices, codes)):
                if named is not None:
                    into.add(named if isinstance(named, str) and not text_problem(named)
                             else "")
            if admit(item, policy, prepared, raw):
                keep.append(item)
        rows = msgspec.json.encode(keep).decode()
        args = _push_args(device_id, session, list(offices), list(codes), batch, now_ms, rows)
        with _overloaded_on_lost_connection():
            async with self.apool.connection() as conn:
                state = await (await conn.execute(PUSH_SQL, args)).fetchone()
                device, epoch = _admitted(state)
                if not state[7]:
                    for _ in checked_items(batch, device, policy, PreparedPush()):
                        pass  # raises Forbidden, naming the first record of another office
                    raise AssertionError("the office checks in SQL and in Python disagree")
                inserted = set(state[10])
                same: dict[int, bool] = {}
                if len(inserted) < len(prepared.seqs):
                    cur = await conn.execute(ITEMS_SAME_CONTENT_SQL,
                                             (rows, device.id, list(inserted)))
                    same = dict(await cur.fetchall())
        classify(prepared, inserted, same)
        return prepared.results(), epoch

    def _push(self, device_id: str, batch: WireBatch, policy: PushPolicy, now_ms: int,
              session: str | None, direct: bool) -> tuple[list[ItemAnswer], str]:
        """``kiosk_push`` without items takes the locks and reads the state, then the items
        are checked while they stream into COPY, in the same transaction."""
        with self._tx() as cur:
            state = cur.execute(PUSH_SQL, _push_args(device_id, session, [], [], batch, now_ms,
                                                     None)).fetchone()
            device, epoch = _admitted(state)
            max_seq = state[8]
            samples = {boot: (mono, server) for boot, mono, server in state[9]}
            prepared = PreparedPush()
            items = checked_items(batch, device, policy, prepared)  # a 403 rolls back
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
                # Only after a replay: compare with what is kept, the staging rows at hand.
                same = dict(cur.execute(SAME_CONTENT_SQL, (device.id, list(inserted))).fetchall())
            classify(prepared, inserted, same)
            if faces.has_face_items(batch.items):
                faces.erase_after_push(admin_sql.pg_execute(cur), faces.PG_EMPLOYEE, device.id,
                                       device.office_id, faces.stored_items(batch, prepared))
        return prepared.results(), epoch

    # -- pull and reference data ------------------------------------------------------------
    def reference_row(self, table: str, record_id: str
                      ) -> tuple[str | None, dict[str, Any]] | None:
        with self._reading() as execute:
            return admin_sql.reference_row(execute, table, record_id)

    def put_reference(self, office_code: str | None,
                      changes: Sequence[protocol.ReferenceChange], now_ms: int) -> list[int]:
        with self._tx() as cur:
            office_id = self._office(cur, office_code).id if office_code else None
            seqs = [insert_reference(cur, office_id, c.table, c.record_id, c.op,
                                     reference_payload(c.table, c.payload, office_id), now_ms)
                    for c in changes]
            for employee in faces.dropped_employees(changes):
                faces.erase_employee(admin_sql.pg_execute(cur), faces.PG_EMPLOYEE, employee)
            return seqs

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

    def put_device_health(self, device_id: str, status: str, reasons: str, report: str,
                          now_ms: int) -> None:
        with self._tx() as cur:
            admin_sql.put_device_health(admin_sql.pg_execute(cur), device_id, status, reasons,
                                        report, now_ms)

    def device_health(self, office_code: str | None, now_ms: int,
                      device_id: str | None = None) -> list[dict[str, Any]]:
        with self._reading() as execute:
            return admin_sql.device_health(execute, office_code, now_ms, device_id)

    def citizen_records(self, table: str, office_code: str | None,
                        limit: int) -> list[dict[str, Any]]:
        with self._reading() as execute:
            return admin_sql.citizen_records(execute, table, office_code, limit)

    def set_complaint_status(self, code: str, office_code: str | None, status: str,
                             answer: str | None, note: str | None, staff: str | None,
                             now_ms: int) -> dict[str, Any]:
        with self._tx() as cur:
            office_id, complaint_id, payload = admin_sql.complaint_status_change(
                admin_sql.pg_execute(cur), PG_CODE, code, office_code, status, answer, note,
                staff, now_ms)
            insert_reference(cur, office_id, "complaint_status", complaint_id, "upsert",
                             payload, now_ms)
        return payload

    # -- the public pages (sync.server.public) ---------------------------------------------
    def issued_letter(self, letter_id: str) -> dict[str, Any] | None:
        with self._reading() as execute:
            return public_sql.issued_letter(execute, pg_field, letter_id)

    def public_status(self, kind: str, code: str) -> dict[str, Any] | None:
        with self._reading() as execute:
            return public_sql.public_status(execute, pg_field, kind, code)

    def open311(self, since_ms: int) -> dict[str, Any]:
        with self._tx() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return public_sql.open311(admin_sql.pg_execute(cur), since_ms)

    def stats(self) -> dict[str, Any]:
        with self._tx() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return admin_sql.stats(admin_sql.pg_execute(cur))


@contextlib.contextmanager
def _overloaded_on_lost_connection() -> Iterator[None]:
    """A lost or refused connection becomes :class:`Overloaded` (503 + Retry-After), for
    both pools: every write here is idempotent, so the kiosk's retry is the right answer,
    and the pool replaces the broken connection."""
    try:
        yield
    except PoolTimeout as exc:
        raise Overloaded(f"no database connection free in time ({exc}); retry") from exc
    except psycopg.OperationalError as exc:
        raise Overloaded(f"the server database is unreachable ({exc}); retry") from exc


def _device(row: tuple | None) -> Device | None:
    return Device(*row) if row else None


def _push_args(device_id: str, session: str | None, offices: list[str], codes: list[str],
               batch: WireBatch, now_ms: int, rows: str | None) -> tuple:
    """The parameters of PUSH_SQL, in order (boots PostgreSQL cannot hold as text are
    left out: their items are rejected anyway)."""
    sample = usable_sample(batch.clock, now_ms)
    boots = sorted({item.boot_id for item in batch.items if not text_problem(item.boot_id)})
    clock = ((sample.boot_id, sample.mono_ns, sample.server_ms, sample.rtt_ms)
             if sample is not None else (None, None, None, None))
    return (device_id, session, offices, codes, boots, *clock, now_ms, rows)


def _admitted(state: tuple) -> tuple[Device, str]:
    """The device and the epoch of a push that kiosk_push let go on; else 401 or 409."""
    locked, epoch = state[0], state[1]
    device = _device(state[2:7] if state[2] is not None else None)
    if device is None:
        raise Unauthorized("unknown device; enroll again")
    if device.revoked:
        raise Unauthorized("device revoked")
    if not locked:
        raise DeviceBusy("a push of this device is already running; one sync session per device")
    return device, epoch


def _copy_items(cur: psycopg.Cursor, sql: str, items, prefix: tuple,
                samples: dict[str, tuple[int, int]]) -> None:
    """COPY checked items as they come, correcting times on the way (rules.correct_times)."""
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
