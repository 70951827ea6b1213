"""Tracking codes: what a citizen's receipt carries to find a letter request or a complaint
again, the status link its QR holds, and reading either back from a scan or from typing.

The code is a kind letter, a hyphen and seven symbols: ``S-7K3M9QX`` (S = surat, a letter
request; P = pengaduan, a complaint), so the code alone says which kind it is.

Alphabet: Crockford's Base32 (https://www.crockford.com/base32.html) without the digits 0
and 1: the digits 2-9 and the letters without I, L, O and U. The issue asked for codes with
no 0/O and no 1/I pair to confuse, read aloud at a counter or copied from a crumpled receipt:
none of the four is ever printed, so none can be misread. Case does not matter, and spaces
and hyphens are ignored when reading back. 30 symbols, seven of them: 2.2e10 codes. An office
gives out tens of thousands a year, so a code typed with a wrong symbol almost never lands
on someone else's (under 1 in 200,000), and a new code that happens to exist already is
drawn again (the ``code`` columns are UNIQUE). Across a city two offices may draw the same
code; the city server asks for the office then (``kiosk server complaint answer --office``).
Eight characters to type, short enough for a keypad, long enough not to be guessed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 7
#: The kind letter of each kind of code.
KIND_PREFIX = {"request": "S", "complaint": "P"}
PREFIX_KIND = {v: k for k, v in KIND_PREFIX.items()}
_SYMBOLS = set(ALPHABET)
_JUNK = re.compile(r"[\s\-_.]")


@dataclass(frozen=True)
class NextStep:
    """What the citizen does next, as a stable ``code`` and the facts its sentence needs;
    the screen words it (e.g. ``request_ready`` with ``{"counter": 1, "bring_id": "KTP
    asli"}`` -> "Siap diambil di loket 1, bawa KTP asli")."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusView:
    """The answer to "how far is my letter / my complaint?", from local data.

    ``updated`` is the last change in the office's time zone (ISO 8601 with offset, e.g.
    ``2026-12-05T14:02:00+08:00``; the screen says "diperbarui 5 Des 14.02"). ``type_code``
    is the letter type or the complaint category. ``answer`` is the city's answer to a
    complaint: print it or tell it to the citizen at the counter, but never show it on the
    shared kiosk screen (it may repeat what the complaint said)."""

    code: str
    kind: str               # "request" | "complaint"
    type_code: str
    status: str
    updated: str
    updated_ms: int
    next_step: NextStep
    reason: str | None = None
    answer: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StatusView":
        """Rebuild from JSON (dataclasses.asdict), nested NextStep included."""
        step = data.get("next_step") or {}
        return cls(**{**{k: v for k, v in data.items() if k in cls.__dataclass_fields__},
                      "next_step": NextStep(step.get("code", ""), dict(step.get("fields") or {}))})


def new_code(kind: str, taken: Callable[[str], bool]) -> str:
    """A fresh code of ``kind`` that ``taken`` says is not in use (drawn again if it is;
    the caller's write transaction makes the check and the insert atomic)."""
    prefix = KIND_PREFIX[kind]
    while True:
        code = f"{prefix}-{''.join(secrets.choice(ALPHABET) for _ in range(LENGTH))}"
        if not taken(code):
            return code


def kind_of(code: str) -> str | None:
    """``request`` or ``complaint`` for a code in canonical form, else None."""
    return PREFIX_KIND.get(code[:1]) if len(code) == LENGTH + 2 and code[1:2] == "-" else None


def normalize(text: str) -> str | None:
    """A code as typed (``s 7k3m-9qx``, ``S7K3M9QX``) in canonical form
    (``S-7K3M9QX``), or None when it cannot be one."""
    compact = _JUNK.sub("", text.strip().upper())
    if len(compact) != LENGTH + 1 or compact[0] not in PREFIX_KIND:
        return None
    body = compact[1:]
    if not set(body) <= _SYMBOLS:
        return None
    return f"{compact[0]}-{body}"


def status_link(config, code: str, *, server: str | None = None) -> str:
    """What the receipt's QR says: the city server's public status page of the code
    (``{server}/s/{code}``, the same page a ticket's QR opens), so a phone can follow it
    too; the bare code when the office has no server (the kiosk reads either).
    ``server``: the server to use instead of ``config.sync.server`` (the one the kiosk
    enrolled with: :func:`status_server`)."""
    base = (server if server is not None else config.sync.server).strip().rstrip("/")
    return f"{base}/s/{code}" if base else code


def status_server(rt) -> str:
    """The city server the status links point at: ``sync.server`` of config.toml, else the
    server this kiosk enrolled with; "" when there is none. (The ticket receipt asks the
    same question: kiosk.queue.operations._status_server.)"""
    if rt.config.sync.server:
        return rt.config.sync.server
    row = rt.db.conn.execute("SELECT server FROM sync_credentials WHERE id = 1").fetchone()
    return row[0] if row else ""


def code_from_scan(text: str) -> str | None:
    """The tracking code in what the camera read or a person typed: a status link
    (``https://.../s/S-7K3M9QX``, any host, query and fragment ignored) or a bare code, any
    case, spaces and hyphens ignored. None when it holds no code (e.g. a ticket's QR)."""
    if not text:
        return None
    text = text.strip()
    if "/" in text:
        try:
            path = urlsplit(text).path if "://" in text else text.split("?")[0].split("#")[0]
        except ValueError:
            return None
        text = path.rstrip("/").rsplit("/", 1)[-1]
    if len(text) > 32:
        return None
    return normalize(text)
