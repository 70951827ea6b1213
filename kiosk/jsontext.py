"""The one JSON text format the kiosk stores: compact, keys sorted, UTF-8 (not ``\\u``
escapes). Outbox payloads, queue events and receipts are written with it, and the city
server writes the rows it owns the same way (sync/server/wire.py).

Library: msgspec's encoder (C). On a ticket row it takes 2 us where
``json.dumps(sort_keys=True)`` takes 14 us, and a ticket encodes four such objects inside
its write transaction (bench/tickets.py). Sorted keys keep the text of the same content the
same, which the server's duplicate check relies on; dataclasses encode as objects.
"""

from __future__ import annotations

from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder(order="sorted")


def encode(value: Any) -> bytes:
    return _ENCODER.encode(value)


def dumps(value: Any) -> str:
    return _ENCODER.encode(value).decode()
