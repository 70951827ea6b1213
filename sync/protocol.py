"""The shapes and limits of sync protocol version 1, shared by the kiosk and the city server.

sync/PROTOCOL.md says what they mean; this module is the one place their names and numbers
live. Standard library only (dataclasses), so the kiosk imports it without the server extra;
the server decodes the hot path (push) with msgspec straight into its own structs and uses
these for everything else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
PROTOCOL_HEADER = "X-Kiosk-Protocol"
#: Optional on POST /sync/push: the kiosk's sync session (1..64 printable ASCII). Pushes of
#: one session may overlap (a pipelining kiosk); a push of any other session (or without
#: one) overlapping them gets 409. See PROTOCOL.md, Backpressure.
SESSION_HEADER = "X-Sync-Session"

#: Push batch limits (a larger batch is answered 413 and changes nothing).
MAX_BATCH_ITEMS = 500
MAX_BATCH_BYTES = 256 * 1024  # as sent (compressed, when Content-Encoding says so)
#: Guard against compression bombs: the decompressed body may be at most this large.
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500

#: Lifetimes, all judged by the server's clock.
#: The city server keeps an idle HTTP connection open this long; a kiosk drops its own idle
#: connections sooner (KIOSK_KEEP_ALIVE_S), so it never sends a push on a connection the
#: server is closing at that moment ("Server disconnected without sending a response"). On
#: a slow link a pipelined session leaves each of its connections idle for seconds between
#: batches; with both sides at 5 s (uvicorn's and httpx's defaults) that race was seen.
SERVER_KEEP_ALIVE_S = 30
KIOSK_KEEP_ALIVE_S = 20

ACCESS_TOKEN_TTL_S = 15 * 60
ENROLL_TOKEN_TTL_S = 24 * 60 * 60
NONCE_TTL_S = 5 * 60

#: Content-Encoding values a server accepts on request bodies.
ENCODINGS = ("zstd", "gzip", "identity")

# Per-item answers of a push.
ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"
STATUSES = (ACCEPTED, DUPLICATE, REJECTED)

OPS = ("upsert", "delete")

#: Tables the kiosk owns and pushes. An item for any other table is rejected ("unknown
#: table"). A feature that adds a kiosk-owned table adds its name here, so the server that
#: ships with it stores it.
#: tests/test_server_api.py checks that every table kiosk/ declares with
#: ``outbox.syncable()`` is listed.
PUSH_TABLES: frozenset[str] = frozenset({
    "tickets", "queue_calls", "counter_sessions", "ticket_events", "print_jobs", "attendance",
    "requests", "request_events", "letter_requests", "feedback", "complaints",
    "complaint_events", "issued_letters",
    # Faces (docs/FACES.md): the consent, an enrolment sealed to the city's key (never the
    # raw embedding), an erasure (the server then hard-deletes the sealed rows).
    "face_consents", "face_sealed", "face_erasures",
})

#: Pull scopes and the server-owned tables each one carries.
SCOPE_TABLES: dict[str, frozenset[str]] = {
    "reference": frozenset({"offices", "services", "counters", "employees", "settings",
                            "letter_types", "complaint_categories",
                            "letter_templates"}),
    # A letter request's status is the office's (it is processed on the edge); a complaint's
    # status and answer are the city's, sent to the office that took the complaint.
    "requests": frozenset({"complaint_status"}),
}
SCOPES = tuple(SCOPE_TABLES)


def scope_of(table: str) -> str | None:
    """The pull scope a server-owned table travels in (None: not server-owned)."""
    for scope, tables in SCOPE_TABLES.items():
        if table in tables:
            return scope
    return None


@dataclass(frozen=True)
class Meta:
    """GET /sync/meta. ``schema_version`` is the newest item schema the server reads."""

    protocol_versions: list[int]
    server_time_ms: int
    epoch: str
    schema_version: int
    store_schema_version: int = 0


@dataclass(frozen=True)
class ClockSample:
    """One round trip to /sync/meta, measured by the kiosk (see PROTOCOL.md, Time)."""

    boot_id: str
    mono_ns: int
    wall_ms: int
    server_ms: int
    rtt_ms: float


@dataclass(frozen=True)
class EnrollRequest:
    token: str
    device_id: str
    public_key: str  # raw 32-byte Ed25519 public key, standard base64


@dataclass(frozen=True)
class EnrollResponse:
    device_id: str
    office_code: str
    office_id: str
    epoch: str
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class ChallengeRequest:
    device_id: str


@dataclass(frozen=True)
class ChallengeResponse:
    nonce: str


@dataclass(frozen=True)
class TokenRequest:
    device_id: str
    nonce: str
    signature: str  # Ed25519 signature of the nonce's UTF-8 bytes, standard base64


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class PushItem:
    change_id: str
    table: str
    record_id: str
    op: str
    payload: dict[str, Any]
    device_id: str
    device_seq: int
    schema_version: int
    wall_ms: int
    mono_ns: int
    boot_id: str
    #: The kiosk's own doubt about its wall clock (it read earlier than the last known
    #: good time). The server ORs it into the stored ``time_uncertain``.
    time_uncertain: bool = False


@dataclass(frozen=True)
class PushRequest:
    device_id: str
    items: list[PushItem]
    epoch: str | None = None
    clock: ClockSample | None = None


@dataclass(frozen=True)
class ItemResult:
    device_seq: int
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class PushResponse:
    results: list[ItemResult]
    epoch: str
    server_time_ms: int


@dataclass(frozen=True)
class PullChange:
    table: str
    record_id: str
    op: str
    payload: dict[str, Any]
    version: int


@dataclass(frozen=True)
class PullResponse:
    changes: list[PullChange]
    next_cursor: str
    has_more: bool
    epoch: str


def to_json(obj: Any) -> dict[str, Any]:
    """A protocol dataclass as the JSON object that goes on the wire."""
    return asdict(obj)


@dataclass(frozen=True)
class ReferenceChange:
    """An admin's change to server-owned data (PUT /admin/reference)."""

    table: str
    record_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    op: str = "upsert"
