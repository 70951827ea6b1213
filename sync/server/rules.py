"""The rules of the city server, shared by both engines: which pushed items are stored or
rejected and why, what counts as the same content, corrected time, enrollment, office
codes, cursors. The engines (store_sqlite, store_pg) differ only in how they write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kiosk.migrations import SCHEMA_VERSION as KIOSK_SCHEMA_VERSION
from sync import protocol
from sync.server.errors import Conflict, Forbidden, Invalid, Unauthorized
from sync.server.wire import (
    ItemAnswer, WireBatch, WireClock, WireItem, decode_payload, offices_of, payload_problem,
    text_problem,
)


#: Longest office code (it is printed on tickets and typed by technicians).
OFFICE_CODE_MAX = 32


def validate_office(code: str, name: str, timezone: str, address: str = "") -> None:
    """The rule for a new office, in the store so every way in (admin API, ``kiosk server
    office add``) follows it: a code of 1..32 printable characters without surrounding
    space, a printable name, a known time zone, and text the database can keep."""
    from zoneinfo import ZoneInfoNotFoundError

    from kiosk.clock import zone

    for label, value in (("code", code), ("name", name), ("timezone", timezone),
                         ("address", address)):
        if problem := text_problem(value):
            raise Invalid(f"office {label} {problem}")
    if not 1 <= len(code) <= OFFICE_CODE_MAX or not code.isprintable() or code != code.strip():
        raise Invalid(f"office code {code!r}: 1..{OFFICE_CODE_MAX} printable characters, no "
                      "control characters and no surrounding spaces")
    if not name.strip() or not name.isprintable():
        raise Invalid(f"office name {name!r} must not be empty or hold control characters")
    try:
        zone(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise Invalid(f"timezone {timezone!r} is not WIB, WITA, WIT or an IANA time "
                      "zone") from exc


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
    kiosk_uncertain: bool
    corrected_ms: int = 0
    time_uncertain: bool = True


@dataclass
class PreparedPush:
    """A batch split into rows to insert and items already answered (rejected)."""

    rows: list[Row] = field(default_factory=list)
    answers: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # every item, in the order sent
    seqs: list[int] = field(default_factory=list)   # the items to store

    def results(self) -> list[ItemAnswer]:
        answers = self.answers
        return [ItemAnswer(seq, *answers[seq]) for seq in self.order]


def prepare_push(batch: WireBatch, device: Device, policy: PushPolicy) -> PreparedPush:
    """Check every item against the device and the policy, before any write.

    A payload naming another office (by ``office_id`` or ``office_code``) is a 403 for the
    whole batch (nothing is stored); an item this server cannot store is answered
    ``rejected`` and the rest go on.
    """
    prepared = PreparedPush()
    for item, raw in checked_items(batch, device, policy, prepared):
        prepared.rows.append(Row(
            item.device_seq, item.change_id, item.table, item.record_id, item.op, raw.decode(),
            item.schema_version, item.wall_ms, item.mono_ns, item.boot_id,
            item.time_uncertain))
    return prepared


def checked_items(batch: WireBatch, device: Device, policy: PushPolicy, prepared: PreparedPush
                  ) -> Iterator[tuple[WireItem, bytes]]:
    """The items to store, each with its payload bytes, one at a time.

    A generator, so the PostgreSQL store streams rows into COPY while the next ones are
    checked (the database works on the other core meanwhile). Raising :class:`Forbidden`
    mid-way is safe: the caller's transaction rolls back. Rejected items go straight into
    ``prepared.answers``.
    """
    for item in batch.items:
        raw = bytes(item.payload)
        check_payload_office(item, raw, device)
        if admit(item, policy, prepared, raw):
            yield item, raw


def check_payload_office(item: WireItem, raw: bytes, device: Device) -> None:
    """Forbidden unless every office field the payload carries names the device's office."""
    office_id, office_code = offices_of(raw)
    for field_name, value, own in (("office_id", office_id, device.office_id),
                                   ("office_code", office_code, device.office_code)):
        if value is not None and value != own:
            raise Forbidden(f"{item.table} {item.record_id} (device_seq {item.device_seq})"
                            f" belongs to office {value!r} (its {field_name}); this device "
                            f"writes only for office {device.office_code} ({device.office_id})")


def admit(item: WireItem, policy: PushPolicy, prepared: PreparedPush,
          raw: bytes | None = None) -> bool:
    """Whether this server stores ``item`` (table, op, schema version, text it can keep); a
    rejected item is answered in ``prepared`` at once. The office is checked apart
    (:func:`check_payload_office`)."""
    prepared.order.append(item.device_seq)
    if (item.table in policy.tables and item.op in protocol.OPS
            and policy.min_schema_version <= item.schema_version <= policy.max_schema_version):
        problem = _text_reason(item, bytes(item.payload) if raw is None else raw)
        if problem is None:
            prepared.seqs.append(item.device_seq)
            return True
    else:
        problem = _reject_reason(item.table, item.op, item.schema_version, policy)
    prepared.answers[item.device_seq] = (protocol.REJECTED, problem)
    return False


def _text_reason(item: WireItem, raw: bytes) -> str | None:
    """Why an item's text cannot be stored (a reason for ``rejected``), or None. Refused per
    item, so one bad record never blocks the kiosk's outbox behind it."""
    for name in ("change_id", "record_id", "boot_id"):
        if problem := text_problem(getattr(item, name)):
            return f"{name} {problem}"
    if problem := payload_problem(raw):
        return f"payload {problem}"
    return None


def _reject_reason(table: str, op: str, schema_version: int, policy: PushPolicy) -> str:
    if table not in policy.tables:
        owner = ("the server owns it" if protocol.scope_of(table)
                 else "this server does not store it")
        return f"unknown table {table!r}: {owner}"
    if op not in protocol.OPS:
        return f"unknown op {op!r}; expected one of {', '.join(protocol.OPS)}"
    if not policy.min_schema_version <= schema_version <= policy.max_schema_version:
        return (f"schema_version {schema_version} cannot be read by this server (it reads "
                f"{policy.min_schema_version}..{policy.max_schema_version}); upgrade the server")
    return "rejected"


def is_enrollment_retry(token: tuple, existing: tuple | None, device_id: str,
                        public_key: str, now_ms: int) -> bool:
    """The enrollment rule, for both engines. ``token`` is (office_id, expires_ms, used_ms,
    used_by); ``existing`` the device's (public_key, revoked_ms) or None.

    True: the same kiosk retrying after a lost answer (give it its enrollment again);
    False: enroll it now; otherwise raises why not."""
    _office_id, expires_ms, used_ms, used_by = token
    if used_ms is not None:
        if used_by == device_id and existing and existing[0] == public_key \
                and existing[1] is None:
            return True
        raise Unauthorized("enrollment token already used; make a new one")
    if expires_ms <= now_ms:
        raise Unauthorized("enrollment token expired; make a new one")
    if existing is not None:
        raise Conflict(f"device {device_id} is already enrolled; enroll with a new device id")
    return False


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


def classify(prepared: PreparedPush, inserted: set[int], same: dict[int, bool]) -> None:
    """Answer every row: inserted now, stored before with the same content, or a conflict.

    ``same`` maps each row that was already stored to whether its content is the same.
    """
    answers = prepared.answers
    for seq in prepared.seqs:
        if seq in inserted:
            answers[seq] = (protocol.ACCEPTED, None)
        elif same.get(seq):
            answers[seq] = (protocol.DUPLICATE, None)
        else:
            answers[seq] = (protocol.REJECTED,
                            f"device_seq {seq} is already stored with different content "
                            "(was the kiosk database restored or copied to another device?)")


def same_content(row: Row, stored: tuple) -> bool:
    """``stored``: (change_id, table, record_id, op, payload text, schema_version, wall_ms,
    mono_ns, boot_id) of the change already kept. Asked only for a change whose key is
    already stored (a replay), so nothing is hashed on the way in: the payloads are
    compared as JSON, key order and spacing aside."""
    return (tuple(stored[0:4]) == (row.change_id, row.table, row.record_id, row.op)
            and tuple(stored[5:9]) == (row.schema_version, row.wall_ms, row.mono_ns,
                                       row.boot_id)
            and decode_payload(stored[4]) == decode_payload(row.payload))


def reference_payload(table: str, payload: dict[str, Any], office_id: str | None) -> dict:
    """Server-owned rows of one office carry its id, as the kiosk's tables expect."""
    if office_id and table in ("services", "counters", "employees") and "office_id" not in payload:
        return {**payload, "office_id": office_id}
    return payload


def complaint_step(current: str, status: str, answer: str | None) -> None:
    """The city's step of a complaint's life (kiosk.complaints.models): a known status, a
    step the life allows (Conflict otherwise), and an answer when it is answered."""
    from kiosk.complaints.models import NEEDS_ANSWER, STATUSES, TRANSITIONS

    if status not in STATUSES:
        raise Invalid(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if status in NEEDS_ANSWER and not (answer or "").strip():
        raise Invalid(f"a complaint that is {status} needs the answer the citizen is given")
    if status not in TRANSITIONS.get(current, ()):
        allowed = ", ".join(TRANSITIONS.get(current, ())) or "none: it is closed"
        raise Conflict(f"the complaint is {current}; it cannot become {status} "
                       f"(allowed: {allowed})")


def parse_cursor(cursor: str | None) -> tuple[int, int]:
    """Cursors are opaque to the kiosk: ``"<xid>:<seq>"`` ("" or "0" is the beginning)."""
    if not cursor or cursor == "0":
        return 0, 0
    try:
        xid, seq = cursor.split(":")
        out = int(xid), int(seq)
    except ValueError:
        raise ValueError(f"cursor {cursor!r} is not one this server made; reset it to 0") from None
    if not (0 <= out[0] < 2**63 and 0 <= out[1] < 2**63):  # both engines store 64-bit
        raise ValueError(f"cursor {cursor!r} is not one this server made; reset it to 0")
    return out
