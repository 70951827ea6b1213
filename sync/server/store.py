"""What the city server keeps, independent of the database engine.

Two engines implement :class:`Store`: ``store_sqlite`` (embedded default) and ``store_pg``
(production, several stateless workers on one PostgreSQL). The rules every push follows
(which items are rejected and why, the content hash, corrected time) live here once, so the
engines differ only in how they write.

Errors a handler turns into an HTTP answer::

    StoreError
    ├── NotFound        an office or device that does not exist       (404)
    ├── Conflict        an office code taken, a device already enrolled (409)
    ├── DeviceBusy      a second concurrent push of one device        (409)
    ├── Forbidden       a record of another office                    (403)
    ├── Unauthorized    unknown/used/expired token, revoked device    (401)
    └── Overloaded      no database connection free in time           (503)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.migrations import SCHEMA_VERSION as KIOSK_SCHEMA_VERSION
from sync import protocol
from sync.server.wire import ItemAnswer, WireBatch, WireClock, encode_payload


class StoreError(Exception):
    status = 500


class NotFound(StoreError):
    status = 404


class Conflict(StoreError):
    status = 409


class DeviceBusy(Conflict):
    pass


class Forbidden(StoreError):
    status = 403


class Unauthorized(StoreError):
    status = 401


class Overloaded(StoreError):
    status = 503


#: A clock sample whose server time is further than this in the future is a lie; ignored.
SAMPLE_FUTURE_SLACK_MS = 5_000


@dataclass(frozen=True)
class Device:
    id: str
    office_id: str
    office_code: str
    public_key: str
    revoked: bool


@dataclass(frozen=True)
class Office:
    id: str
    code: str
    name: str
    timezone: str
    address: str = ""

    def as_reference(self, now_ms: int) -> dict[str, Any]:
        """The office row as the kiosk's ``offices`` table holds it."""
        return {"id": self.id, "code": self.code, "name": self.name, "timezone": self.timezone,
                "address": self.address, "updated_ms": now_ms}


@dataclass(frozen=True)
class PushPolicy:
    """What this server stores: the tables and the item schema versions it reads."""

    tables: frozenset[str] = protocol.PUSH_TABLES
    min_schema_version: int = 1
    max_schema_version: int = KIOSK_SCHEMA_VERSION


@dataclass(slots=True)
class Row:
    """One push item, checked and ready to insert."""

    device_seq: int
    change_id: str
    table: str
    record_id: str
    op: str
    payload: str
    schema_version: int
    wall_ms: int
    mono_ns: int
    boot_id: str
    content_hash: str
    kiosk_uncertain: bool
    corrected_ms: int = 0
    time_uncertain: bool = True


@dataclass
class PreparedPush:
    """A batch split into rows to insert and items already answered (rejected)."""

    rows: list[Row] = field(default_factory=list)
    answers: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)

    def results(self) -> list[ItemAnswer]:
        answers = self.answers
        return [ItemAnswer(seq, *answers[seq]) for seq in self.order]


def content_hash(change_id: str, table: str, record_id: str, op: str, payload: str,
                 schema_version: int, wall_ms: int, mono_ns: int, boot_id: str) -> str:
    """"The same content" for a duplicate: every field the kiosk stored for the change."""
    text = "\x1f".join((change_id, table, record_id, op, payload, str(schema_version),
                        str(wall_ms), str(mono_ns), boot_id))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def prepare_push(batch: WireBatch, device: Device, policy: PushPolicy) -> PreparedPush:
    """Check every item against the device and the policy, before any write.

    A payload naming another office is a 403 for the whole batch (nothing is stored); an
    item this server cannot store is answered ``rejected`` and the rest go on.
    """
    prepared = PreparedPush()
    for _ in iter_rows(batch, device, policy, prepared):
        pass
    return prepared


def iter_rows(batch: WireBatch, device: Device, policy: PushPolicy, prepared: PreparedPush,
              samples: dict[str, tuple[int, int]] | None = None) -> Iterator[Row]:
    """:func:`prepare_push` as a generator, so the PostgreSQL store can stream rows into COPY
    while the next ones are prepared (the database works on the other core meanwhile).
    Raising :class:`Forbidden` mid-way is safe: the caller's transaction rolls back. With
    ``samples``, times are corrected on the way (see :func:`correct_times`)."""
    encode, blake2b, sep = encode_payload, hashlib.blake2b, "\x1f"
    tables, ops = policy.tables, protocol.OPS
    low, high = policy.min_schema_version, policy.max_schema_version
    office_id = device.office_id
    order, answers, rows = prepared.order, prepared.answers, prepared.rows
    for item in batch.items:
        office = item.payload.get("office_id")
        if office is not None and office != office_id:
            raise Forbidden(f"{item.table} {item.record_id} (device_seq {item.device_seq}) "
                            f"belongs to office {office!r}; this device writes only for office "
                            f"{device.office_code} ({device.office_id})")
        order.append(item.device_seq)
        if not (item.table in tables and item.op in ops and low <= item.schema_version <= high):
            answers[item.device_seq] = (protocol.REJECTED, _reject_reason(
                item.table, item.op, item.schema_version, policy))
            continue
        payload = encode(item.payload).decode()
        # content_hash(), inlined: this loop runs for every pushed item.
        digest = blake2b(sep.join((
            item.change_id, item.table, item.record_id, item.op, payload,
            str(item.schema_version), str(item.wall_ms), str(item.mono_ns), item.boot_id,
        )).encode(), digest_size=16).hexdigest()
        row = Row(item.device_seq, item.change_id, item.table, item.record_id, item.op, payload,
                  item.schema_version, item.wall_ms, item.mono_ns, item.boot_id, digest,
                  item.time_uncertain)
        if samples is not None:
            sample = samples.get(item.boot_id)
            if sample is None:
                row.corrected_ms, row.time_uncertain = item.wall_ms, True
            else:
                row.corrected_ms = sample[1] + (item.mono_ns - sample[0]) // 1_000_000
                row.time_uncertain = item.time_uncertain
        rows.append(row)
        yield row


def _reject_reason(table: str, op: str, schema_version: int, policy: PushPolicy) -> str:
    if table not in policy.tables:
        owner = "the server owns it" if protocol.scope_of(table) else "this server does not store it"
        return f"unknown table {table!r}: {owner}"
    if op not in protocol.OPS:
        return f"unknown op {op!r}; expected one of {', '.join(protocol.OPS)}"
    if not policy.min_schema_version <= schema_version <= policy.max_schema_version:
        return (f"schema_version {schema_version} cannot be read by this server (it reads "
                f"{policy.min_schema_version}..{policy.max_schema_version}); upgrade the server")
    return "rejected"


def usable_sample(clock: WireClock | None, now_ms: int) -> WireClock | None:
    if clock is None or clock.server_ms > now_ms + SAMPLE_FUTURE_SLACK_MS:
        return None
    return clock


def correct_times(rows: Iterable[Row], samples: dict[str, tuple[int, int]]) -> None:
    """corrected = server time of the boot's sample + monotonic time elapsed since it.

    ``samples`` maps boot_id to (mono_ns, server_ms). A boot the server never measured
    keeps the kiosk's wall time and is flagged uncertain.
    """
    for row in rows:
        sample = samples.get(row.boot_id)
        if sample is None:
            row.corrected_ms, row.time_uncertain = row.wall_ms, True
        else:
            row.corrected_ms = sample[1] + (row.mono_ns - sample[0]) // 1_000_000
            row.time_uncertain = row.kiosk_uncertain


def classify(prepared: PreparedPush, inserted: set[int],
             stored_hashes: dict[int, str]) -> None:
    """Answer every row: inserted now, stored before with the same hash, or a conflict."""
    for row in prepared.rows:
        if row.device_seq in inserted:
            prepared.answers[row.device_seq] = (protocol.ACCEPTED, None)
        elif stored_hashes.get(row.device_seq) == row.content_hash:
            prepared.answers[row.device_seq] = (protocol.DUPLICATE, None)
        else:
            prepared.answers[row.device_seq] = (
                protocol.REJECTED,
                f"device_seq {row.device_seq} is already stored with different content "
                "(was the kiosk database restored or copied to another device?)")


def reference_payload(table: str, payload: dict[str, Any], office_id: str | None) -> dict:
    """Server-owned rows of one office carry its id, as the kiosk's tables expect."""
    if office_id and table in ("services", "counters", "employees") and "office_id" not in payload:
        return {**payload, "office_id": office_id}
    return payload


def parse_cursor(cursor: str | None) -> tuple[int, int]:
    """Cursors are opaque to the kiosk: ``"<xid>:<seq>"`` ("" or "0" is the beginning)."""
    if not cursor or cursor == "0":
        return 0, 0
    try:
        xid, seq = cursor.split(":")
        out = int(xid), int(seq)
    except ValueError:
        raise ValueError(f"cursor {cursor!r} is not one this server made; reset it to 0") from None
    if out[0] < 0 or out[1] < 0:
        raise ValueError(f"cursor {cursor!r} is not one this server made; reset it to 0")
    return out


class Store(Protocol):
    """The engine-specific half. All methods are blocking; the app calls them in threads."""

    token_secret: str
    admin_token: str
    schema_version: int

    def close(self) -> None: ...
    def add_office(self, code: str, name: str, timezone: str, address: str,
                   now_ms: int) -> Office: ...
    def offices(self) -> list[Office]: ...
    def add_enroll_token(self, office_code: str, token_hash: str, expires_ms: int,
                         now_ms: int) -> Office: ...
    def enroll(self, token_hash: str, device_id: str, public_key: str,
               now_ms: int) -> Device: ...
    def device(self, device_id: str) -> Device | None: ...
    def devices(self) -> list[dict[str, Any]]: ...
    def revoke(self, device_id: str, now_ms: int) -> None: ...
    def add_nonce(self, device_id: str, nonce: str, expires_ms: int) -> None: ...
    def take_nonce(self, device_id: str, nonce: str, now_ms: int) -> bool: ...
    def push(self, device_id: str, batch: WireBatch, policy: PushPolicy,
             now_ms: int) -> tuple[list[ItemAnswer], str]: ...
    def pull(self, office_id: str, scope: str, cursor: str, limit: int
             ) -> tuple[list[dict[str, Any]], str, bool, str]: ...
    def put_reference(self, office_code: str | None,
                      changes: Sequence[protocol.ReferenceChange], now_ms: int) -> list[int]: ...
    def stats(self) -> dict[str, Any]: ...
    def new_epoch(self) -> str: ...
    def current_epoch(self) -> str: ...


def open_store(db_url: str) -> Store:
    """``sqlite:///path.db`` (embedded) or ``postgresql://...`` (production)."""
    if db_url.startswith("sqlite:"):
        from sync.server.store_sqlite import SqliteStore

        return SqliteStore(sqlite_path(db_url))
    if db_url.startswith(("postgresql:", "postgres:")):
        from sync.server.store_pg import PgStore

        return PgStore(db_url)
    raise ValueError(f"--db {db_url!r}: expected sqlite:///path.db or postgresql://user@host/db")


def sqlite_path(db_url: str) -> str:
    """``sqlite:///rel.db`` is relative, ``sqlite:////abs.db`` absolute (as SQLAlchemy)."""
    path = db_url[len("sqlite:"):]
    if path.startswith("///"):
        path = path[3:]
    elif path.startswith("//"):
        path = path[2:]
    if not path:
        raise ValueError(f"--db {db_url!r}: no file name (sqlite:///path/to/server.db)")
    return path
