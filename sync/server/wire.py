"""Reading a push off the wire: size limits, Content-Encoding, decoding, whole-batch checks.

Everything here runs before the database is touched, so a body that fails any check is
answered 4xx and changes nothing. Library: msgspec decodes the batch straight into typed
structs in C (several times faster than building pydantic models for 500 items; payloads
stay raw JSON bytes), and its errors name the JSON path of the bad field.
"""

from __future__ import annotations

import zlib
from typing import Annotated, Any

import msgspec
import zstandard

from kiosk import jsontext
from sync import protocol
from sync.server.errors import BadBody

Str = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class WireItem(msgspec.Struct, frozen=True):
    change_id: Str
    table: Str
    record_id: Str
    op: Str
    #: Kept as the bytes sent (msgspec checks it is JSON): no dict is built and nothing is
    #: re-encoded on the hot path; PostgreSQL's jsonb normalizes it when stored.
    payload: msgspec.Raw
    device_id: Str
    device_seq: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    schema_version: int
    wall_ms: Annotated[int, msgspec.Meta(ge=-(2**62), le=2**62)]
    mono_ns: Annotated[int, msgspec.Meta(ge=-(2**62), le=2**62)]
    boot_id: Str
    time_uncertain: bool = False


class WireClock(msgspec.Struct, frozen=True):
    boot_id: Str
    mono_ns: Annotated[int, msgspec.Meta(ge=-(2**62), le=2**62)]
    wall_ms: Annotated[int, msgspec.Meta(ge=-(2**62), le=2**62)]
    server_ms: Annotated[int, msgspec.Meta(ge=0, le=2**62)]
    rtt_ms: float


class WireBatch(msgspec.Struct, frozen=True):
    device_id: Str
    items: list[WireItem]
    epoch: str | None = None
    clock: WireClock | None = None


class ItemAnswer(msgspec.Struct, frozen=True, omit_defaults=True):
    """One entry of a push answer (protocol.ItemResult; ``reason`` only when rejected)."""

    device_seq: int
    status: str
    reason: str | None = None


class _OfficeProbe(msgspec.Struct):
    """Only the payload's top-level office fields (``office_id``; ``office_code``, which
    tickets carry): msgspec skips every other field without building it (~0.3 us a payload,
    cheaper than searching its bytes, and exact: keys written with escapes match, and of
    duplicate keys the last wins, as in PostgreSQL's jsonb)."""

    office_id: Any = None
    office_code: Any = None


_decoder = msgspec.json.Decoder(WireBatch)
_office_probe = msgspec.json.Decoder(_OfficeProbe)


def offices_of(payload: bytes) -> tuple[Any, Any]:
    """The payload's top-level ``office_id`` and ``office_code`` (None when absent)."""
    probe = _office_probe.decode(payload)
    return probe.office_id, probe.office_code


#: Deepest nesting of a payload this server stores. A kiosk row is flat (depth 1); the
#: bound keeps PostgreSQL's jsonb parser and Python's recursion far from their limits.
MAX_PAYLOAD_DEPTH = 32


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None. Neither engine can keep every
    Python string: PostgreSQL's text and jsonb have no U+0000, and a lone UTF-16 surrogate
    is not UTF-8 (SQLite and psycopg fail to encode it)."""
    if "\x00" in value:
        return "contains U+0000 (NUL), which the server cannot store"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone UTF-16 surrogate (not valid Unicode text)"
    return None


def value_problem(value: Any, depth: int = 0) -> str | None:
    """:func:`text_problem` of every string (keys too) in a decoded JSON value, and its
    nesting bounded by MAX_PAYLOAD_DEPTH."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, (dict, list)):
        if depth >= MAX_PAYLOAD_DEPTH:
            return f"is nested deeper than {MAX_PAYLOAD_DEPTH} levels"
        pairs = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        for key, item in pairs:
            problem = (key is not None and text_problem(key)) or value_problem(item, depth + 1)
            if problem:
                return problem
    return None


def payload_problem(payload: bytes) -> str | None:
    """Why a pushed payload (JSON bytes msgspec already checked) cannot be stored, or None.

    The hot path only counts bytes: without an escape (``\\u``) no string can hold U+0000
    or a surrogate (raw ones are not valid JSON), and with fewer brackets than the bound the
    nesting cannot exceed it. Otherwise the payload is decoded and walked.
    """
    if b"\\u" not in payload and payload.count(b"{") + payload.count(b"[") < MAX_PAYLOAD_DEPTH:
        return None
    try:
        return value_problem(msgspec.json.decode(payload))
    except RecursionError:
        return f"is nested deeper than {MAX_PAYLOAD_DEPTH} levels"
    except msgspec.DecodeError as exc:
        return f"is not valid JSON text ({exc})"


def decompress(body: bytes, encoding: str | None) -> bytes:
    """The body as sent, decompressed, refusing anything that grows past the limit."""
    encoding = (encoding or "identity").strip().lower()
    limit = protocol.MAX_DECOMPRESSED_BYTES
    if encoding == "identity":
        return body
    if encoding == "zstd":
        return _one_zstd_frame(body, limit)
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(wbits=31)
        try:
            out = inflater.decompress(body, limit + 1)
        except zlib.error as exc:
            raise BadBody(400, f"body is not valid gzip: {exc}") from exc
        if len(out) > limit or inflater.unconsumed_tail:
            raise BadBody(413, f"decompressed body is larger than {limit} bytes")
        if not inflater.eof:
            raise BadBody(400, "body is a truncated gzip stream")
        return out
    raise BadBody(415, f"Content-Encoding {encoding!r} is not supported; use zstd or gzip")


def _one_zstd_frame(body: bytes, limit: int) -> bytes:
    """The content of ``body``, which must be exactly one zstd frame (PROTOCOL.md): a
    second frame or trailing bytes are refused (400), not silently dropped."""
    try:
        size = zstandard.frame_content_size(body)
    except zstandard.ZstdError as exc:
        raise BadBody(400, f"body is not valid zstd: {exc}") from exc
    if size > limit:
        raise BadBody(413, f"decompressed body would be {size} bytes; at most {limit}")
    dctx = zstandard.ZstdDecompressor()
    try:
        if size < 0:
            # No size in the frame header: max_output_size caps what it may grow to first.
            dctx.decompress(body, max_output_size=limit)
        # Bounded now (zstd checks a frame against the size its header declares); the
        # streaming object stops at the end of the first frame and keeps what follows.
        frame = dctx.decompressobj(read_across_frames=False)
        out = frame.decompress(body)
    except zstandard.ZstdError as exc:
        raise BadBody(400, f"body is not one complete zstd frame of at most {limit} "
                           f"bytes: {exc}") from exc
    if not frame.eof:
        raise BadBody(400, "body is a truncated zstd frame")
    if frame.unused_data:
        raise BadBody(400, f"body has {len(frame.unused_data)} bytes after its zstd frame; "
                           "send exactly one frame")
    return out


def decode_batch(raw: bytes) -> WireBatch:
    try:
        batch = _decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise BadBody(400, f"push body does not match the protocol: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise BadBody(400, f"push body is not JSON: {exc}") from exc
    except RecursionError:
        raise BadBody(400, "push body is nested too deeply; a payload is one flat row") from None
    if batch.clock is not None and (problem := text_problem(batch.clock.boot_id)):
        raise BadBody(400, f"clock.boot_id {problem}")
    if len(batch.items) > protocol.MAX_BATCH_ITEMS:
        raise BadBody(413, f"{len(batch.items)} items in one push; at most "
                           f"{protocol.MAX_BATCH_ITEMS} per batch")
    seen: set[int] = set()
    for i, item in enumerate(batch.items):
        if item.device_id != batch.device_id:
            raise BadBody(400, f"items[{i}].device_id {item.device_id!r} is not the batch's "
                               f"device {batch.device_id!r}")
        if item.device_seq in seen:
            raise BadBody(400, f"device_seq {item.device_seq} appears twice in one batch")
        if bytes(memoryview(item.payload)[:1]) != b"{":
            raise BadBody(400, f"items[{i}].payload must be a JSON object (the whole row)")
        seen.add(item.device_seq)
    return batch


def encode_payload(payload: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, compact): how the server writes server-owned rows, the
    same text the kiosk stores (kiosk.jsontext)."""
    return jsontext.encode(payload)


def decode_payload(payload: bytes | str) -> dict[str, Any]:
    return msgspec.json.decode(payload)
