"""The paired channel: requests from a paired laptop and the kiosk's answers, sealed.

After pairing (provisioning.pairing) both sides hold a 32-byte pairing key. Each direction
has its own key from it (HKDF-SHA256), and every message is sealed with ChaCha20-Poly1305
(``cryptography``; fast in software on a Pi, which has no AES instructions on the Pi 4).

Against replay the laptop numbers its requests: the 96-bit nonce is the request's
**counter**, which must be larger than any the kiosk accepted before from that laptop (the
kiosk keeps the last one per laptop on disk). The laptop takes ``max(last + 1, now in µs)``,
so a laptop that lost its counter still moves forward, and the kiosk needs no clock of its
own (a fresh Pi has no battery-backed clock). The answer is sealed with the other
direction's key over the same counter, and its associated data names the request's path,
laptop, counter and status, so an old answer cannot be passed off as the answer to a new
request. What goes in clear: the laptop's id, the counter and the HTTP status.

The kiosk keeps its paired laptops in ``paired-laptops.json`` in the data directory, mode
0600 from the first byte (a factory reset deletes it with the rest of the data).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from provisioning.pairing import LABEL, b64, unb64

PAIRED_FILE = "paired-laptops.json"
MAX_COUNTER = 2**63 - 1
#: The largest sealed body the kiosk opens (a configuration is a few hundred bytes).
MAX_BOX_CHARS = 65536


class ChannelError(Exception):
    """A sealed message that does not open: not from a paired laptop, altered, or replayed.
    One message for all of them (no oracle); ``reason`` is for logs and tests."""

    def __init__(self, reason: str) -> None:
        super().__init__("not a request from a paired laptop (pair again with "
                         "'kiosk provision pair')" if reason != "replay" else
                         "this request was already received (replayed)")
        self.reason = reason


def _key(pairing_key: bytes, direction: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None,
                info=LABEL + b"/channel/" + direction).derive(pairing_key)


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(12, "big")


def _aad(*parts: Any) -> bytes:
    return json.dumps(list(parts), separators=(",", ":")).encode()


def seal_request(pairing_key: bytes, laptop_id: str, counter: int, path: str,
                 payload: dict[str, Any]) -> dict[str, Any]:
    box = ChaCha20Poly1305(_key(pairing_key, b"request")).encrypt(
        _nonce(counter), json.dumps(payload).encode(), _aad("request", path, laptop_id, counter))
    return {"laptop": laptop_id, "counter": counter, "box": b64(box)}


def open_request(pairing_key: bytes, laptop_id: str, counter: int, path: str,
                 box: str) -> dict[str, Any]:
    return _open(_key(pairing_key, b"request"), counter, box,
                 _aad("request", path, laptop_id, counter))


def seal_answer(pairing_key: bytes, laptop_id: str, counter: int, path: str, status: int,
                body: dict[str, Any]) -> dict[str, Any]:
    box = ChaCha20Poly1305(_key(pairing_key, b"answer")).encrypt(
        _nonce(counter), json.dumps(body).encode(), _aad("answer", path, laptop_id, counter, status))
    return {"counter": counter, "box": b64(box)}


def open_answer(pairing_key: bytes, laptop_id: str, counter: int, path: str, status: int,
                envelope: Any) -> dict[str, Any]:
    if not isinstance(envelope, dict) or envelope.get("counter") != counter:
        raise ChannelError("answer")
    return _open(_key(pairing_key, b"answer"), counter, envelope.get("box", ""),
                 _aad("answer", path, laptop_id, counter, status))


def _open(key: bytes, counter: int, box: Any, aad: bytes) -> dict[str, Any]:
    if not (isinstance(counter, int) and 0 < counter <= MAX_COUNTER):
        raise ChannelError("counter")
    try:
        plain = ChaCha20Poly1305(key).decrypt(_nonce(counter), unb64(box), aad)
        value = json.loads(plain)
    except (InvalidTag, ValueError) as exc:
        raise ChannelError("tag") from exc
    if not isinstance(value, dict):
        raise ChannelError("payload")
    return value


def next_counter(last: int) -> int:
    """The laptop's next request number: above the last one, and above the time in µs."""
    return max(last + 1, time.time_ns() // 1000)


def write_private(path: Path, data: dict[str, Any]) -> None:
    """JSON written atomically, mode 0600 from the first byte (temp file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(data, indent=1, sort_keys=True).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, OSError) as exc:
        raise ChannelError("store") from exc
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class PairedLaptop:
    laptop_id: str
    name: str
    key: bytes
    paired_ms: int
    counter: int


class PairedLaptops:
    """The kiosk's list of paired laptops (``paired-laptops.json``): thread-safe; the
    counter check and its update are one step, saved before the request is carried out."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / PAIRED_FILE
        self._lock = threading.Lock()

    def _all(self) -> dict[str, Any]:
        return read_json(self.path)

    def add(self, laptop_id: str, name: str, key: bytes) -> None:
        with self._lock:
            laptops = self._all()
            laptops[laptop_id] = {"name": name, "key": key.hex(),
                                  "paired_ms": time.time_ns() // 1_000_000, "counter": 0}
            write_private(self.path, laptops)

    def get(self, laptop_id: str) -> PairedLaptop | None:
        entry = self._all().get(laptop_id) if isinstance(laptop_id, str) else None
        if not isinstance(entry, dict):
            return None
        try:
            return PairedLaptop(laptop_id, str(entry.get("name", "")), bytes.fromhex(entry["key"]),
                                int(entry.get("paired_ms", 0)), int(entry.get("counter", 0)))
        except (KeyError, ValueError, TypeError):
            return None

    def list(self) -> list[dict[str, Any]]:
        """Who is paired, without the keys."""
        return [{"laptop_id": k, "name": v.get("name", ""), "paired_ms": v.get("paired_ms")}
                for k, v in self._all().items() if isinstance(v, dict)]

    def open(self, envelope: dict[str, Any], path: str) -> tuple[PairedLaptop, dict[str, Any]]:
        """The request's payload, after checking it is sealed by a paired laptop and newer
        than every request accepted before (the new counter is saved first)."""
        laptop_id, counter = envelope.get("laptop"), envelope.get("counter")
        with self._lock:
            laptop = self.get(laptop_id)   # type: ignore[arg-type]
            if laptop is None:
                raise ChannelError("unknown")
            payload = open_request(laptop.key, laptop.laptop_id, counter, path,   # type: ignore[arg-type]
                                   envelope.get("box", ""))
            if counter <= laptop.counter:   # type: ignore[operator]
                raise ChannelError("replay")
            laptops = self._all()
            laptops[laptop.laptop_id]["counter"] = counter
            write_private(self.path, laptops)
        return laptop, payload
