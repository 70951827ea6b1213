"""The technician's laptop side: its store of paired kiosks, pairing, and sealed calls.

The store is a directory (default: platformdirs' user config dir for
``kelurahan-kiosk-technician``; ``--store DIR`` or ``KIOSK_TECH_DIR`` overrides it), mode
0700, holding ``laptop.json`` (this laptop's random id and name, made on first use) and
``devices.json`` (per kiosk fingerprint: short id, last address, pairing key, the last
request counter), mode 0600. Whoever reads the store can act as this laptop towards those
kiosks: it is as private as an SSH key.

HTTP with httpx; every failure becomes :class:`TechnicianError` with a message the
technician can act on (the CLI prints it as is).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import platformdirs

from provisioning.channel import (ChannelError, next_counter, open_answer, read_json,
                                  seal_request, write_private)
from provisioning.device import _ALPHABET
from provisioning.pairing import LaptopPairing, PairingError, b64, unb64
from provisioning.service import SETUP_PORT

STORE_ENV = "KIOSK_TECH_DIR"
LAPTOP_FILE = "laptop.json"
DEVICES_FILE = "devices.json"


class TechnicianError(Exception):
    """``reason``: wrong_code, delayed, rogue_device, unreachable, not_paired, refused,
    not_found, bad_answer. ``retry_after``: seconds to wait (delayed)."""

    def __init__(self, reason: str, message: str, *, retry_after: float = 0.0,
                 status: int = 0, body: dict | None = None) -> None:
        super().__init__(message)
        self.reason, self.retry_after, self.status, self.body = reason, retry_after, status, body


def default_store_dir() -> Path:
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else Path(platformdirs.user_config_dir("kelurahan-kiosk-technician"))


def short_id_of(fingerprint: str) -> str:
    """The short id a kiosk shows, from its fingerprint (provisioning.device.short_id)."""
    bits = int(fingerprint[:10], 16)
    chars = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


def normal_id(text: str) -> str:
    """``7f3kq2ma`` and ``7F3K-Q2MA`` are the same kiosk."""
    return text.replace("-", "").upper()


def base_url(address: str) -> str:
    """``HOST:PORT``, ``HOST`` (port 8766), ``[::1]:PORT`` or an http:// URL."""
    address = address.strip().rstrip("/")
    if address.startswith(("http://", "https://")):
        return address
    if address.startswith("["):
        return f"http://{address}" if "]:" in address else f"http://{address}:{SETUP_PORT}"
    if address.count(":") == 1:
        return f"http://{address}"
    if ":" not in address:
        return f"http://{address}:{SETUP_PORT}"
    return f"http://[{address}]:{SETUP_PORT}"


def looks_like_address(text: str) -> bool:
    return ":" in text or text.startswith("http") or text.count(".") == 3


@dataclass
class PairedDevice:
    short_id: str
    fingerprint: str
    address: str
    key: str            # hex
    paired_ms: int
    counter: int = 0

    def public(self) -> dict[str, Any]:
        """What the CLI may print (no key)."""
        return {"id": self.short_id, "fingerprint": self.fingerprint, "address": self.address,
                "paired_ms": self.paired_ms}


class TechnicianStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_store_dir()
        self._lock = threading.Lock()

    def _ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def laptop(self) -> tuple[str, str]:
        """This laptop's id and name, made on first use."""
        with self._lock:
            data = self._read(LAPTOP_FILE)
            if not data.get("id"):
                self._ensure()
                data = {"id": secrets.token_urlsafe(16), "name": socket.gethostname()[:64]}
                write_private(self.root / LAPTOP_FILE, data)
            return str(data["id"]), str(data.get("name", ""))

    def devices(self) -> list[PairedDevice]:
        out = []
        for entry in self._read(DEVICES_FILE).values():
            try:
                out.append(PairedDevice(**entry))
            except TypeError:
                continue
        return out

    def save(self, device: PairedDevice) -> None:
        with self._lock:
            self._ensure()
            data = self._read(DEVICES_FILE)
            data[device.fingerprint] = asdict(device)
            write_private(self.root / DEVICES_FILE, data)

    def find(self, ref: str) -> PairedDevice | None:
        """By short id (with or without the dash), fingerprint, or address."""
        wanted = normal_id(ref)
        for device in self.devices():
            if wanted in (normal_id(device.short_id), device.fingerprint.upper()) or \
                    base_url(device.address) == (base_url(ref) if looks_like_address(ref) else None):
                return device
        return None

    def take_counter(self, fingerprint: str) -> int:
        """The next request number for this kiosk, saved before it is used."""
        with self._lock:
            data = self._read(DEVICES_FILE)
            entry = data[fingerprint]
            counter = next_counter(int(entry.get("counter", 0)))
            entry["counter"] = counter
            write_private(self.root / DEVICES_FILE, data)
            return counter

    def _read(self, name: str) -> dict[str, Any]:
        try:
            return read_json(self.root / name)
        except ChannelError as exc:
            raise TechnicianError("refused", f"{self.root / name} is damaged; move it away "
                                  "and pair the kiosks again") from exc


def _request(method: str, url: str, *, json: Any = None, timeout: float) -> httpx.Response:
    try:
        return httpx.request(method, url, json=json, timeout=timeout)
    except httpx.HTTPError as exc:
        raise TechnicianError("unreachable", f"no answer from the kiosk at {url} "
                              f"({type(exc).__name__}); is it on and on this network?") from exc


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TechnicianError("bad_answer", f"{response.url} did not answer like a kiosk "
                              f"(HTTP {response.status_code})")
    return body


def fetch_info(address: str, timeout: float = 10.0) -> dict[str, Any]:
    response = _request("GET", base_url(address) + "/setup/info", timeout=timeout)
    body = _json(response)
    fingerprint = body.get("fingerprint")
    if response.status_code != 200 or not isinstance(fingerprint, str) or len(fingerprint) != 64:
        raise TechnicianError("bad_answer", f"{address} is not a kiosk's setup service")
    return body


def pair(address: str, code: str, store: TechnicianStore, *, expect_id: str | None = None,
         fingerprint: str | None = None, timeout: float = 15.0) -> PairedDevice:
    """Pair with the kiosk at ``address`` over its setup code. ``expect_id``: the short id
    the technician sees on the kiosk's screen (checked against the fingerprint);
    ``fingerprint``: the one discovery announced (else ``/setup/info``'s)."""
    if not (len(code) == 6 and code.isdigit()):
        raise TechnicianError("wrong_code", f"{code!r}: the code is the 6 digits on the "
                              "kiosk's screen")
    url = base_url(address)
    if fingerprint is None:
        fingerprint = fetch_info(address, timeout)["fingerprint"]
    fingerprint = fingerprint.lower()
    if expect_id and normal_id(short_id_of(fingerprint)) != normal_id(expect_id):
        raise TechnicianError("rogue_device", f"the device at {address} is "
                              f"{short_id_of(fingerprint)}, not {expect_id}")
    laptop_id, laptop_name = store.laptop()
    side = LaptopPairing(code, laptop_id, fingerprint)
    started = _request("POST", url + "/pair/start", timeout=timeout,
                       json={"laptop_id": laptop_id, "laptop_name": laptop_name,
                             "message": b64(side.start())})
    body = _json(started)
    _raise_refusal(started.status_code, body)
    try:
        confirm = side.confirm(unb64(body["message"]))
        finished = _request("POST", url + "/pair/finish", timeout=timeout,
                            json={"session": body["session"], "confirm": b64(confirm)})
        answer = _json(finished)
        _raise_refusal(finished.status_code, answer)
        key = side.verify(unb64(answer["confirm"]), unb64(answer["public_key"]),
                          unb64(answer["signature"]))
    except PairingError as exc:
        raise TechnicianError(exc.reason, str(exc)) from exc
    except (KeyError, ValueError, TypeError) as exc:
        raise TechnicianError("rogue_device", f"{address} answered the pairing with "
                              "something that is not a kiosk's answer") from exc
    device = PairedDevice(short_id_of(fingerprint), fingerprint, address, key.hex(),
                          time.time_ns() // 1_000_000)
    store.save(device)
    return device


def _raise_refusal(status: int, body: dict[str, Any]) -> None:
    if status == 200:
        return
    retry = float(body.get("retry_after") or 0)
    if status == 403:
        message = "Kode salah/wrong code: a new code is on the kiosk's screen"
        if retry:
            message += f"; too many wrong codes: wait {retry:.0f} s before trying again"
        raise TechnicianError("wrong_code", message, retry_after=retry, status=status)
    if status == 429:
        raise TechnicianError("delayed", f"too many wrong codes: wait {retry:.0f} s, then try "
                              f"the new code on the kiosk's screen (tunggu {retry:.0f} detik)",
                              retry_after=retry, status=status)
    raise TechnicianError("refused", f"the kiosk refused the pairing (HTTP {status}): "
                          f"{body.get('detail', body)}", status=status)


def call(store: TechnicianStore, device: PairedDevice, path: str, payload: dict[str, Any], *,
         address: str | None = None, timeout: float = 60.0) -> dict[str, Any]:
    """One sealed request to a paired kiosk; its opened answer. A 4xx answer the kiosk
    sealed raises TechnicianError("refused") carrying the answer (``.body``)."""
    laptop_id, _ = store.laptop()
    counter = store.take_counter(device.fingerprint)
    key = bytes.fromhex(device.key)
    envelope = seal_request(key, laptop_id, counter, path, payload)
    response = _request("POST", base_url(address or device.address) + path, json=envelope,
                        timeout=timeout)
    body = _json(response)
    if response.status_code == 401 and "box" not in body:
        raise TechnicianError("not_paired", f"the kiosk {device.short_id} does not know this "
                              "laptop any more (reset, or paired with another key); pair again "
                              "with 'kiosk provision pair'", status=401)
    try:
        answer = open_answer(key, laptop_id, counter, path, response.status_code, body)
    except ChannelError as exc:
        raise TechnicianError("bad_answer", f"the answer from {device.short_id} is not sealed "
                              f"with the pairing key (HTTP {response.status_code}): another "
                              "device answered, or it was altered on the way") from exc
    if response.status_code != 200:
        raise TechnicianError("refused", f"the kiosk {device.short_id} refused: "
                              f"{answer.get('detail', answer)}; nothing was changed",
                              status=response.status_code, body=answer)
    return answer
