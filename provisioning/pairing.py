"""Pairing a technician's laptop with a kiosk over the 6-digit setup code (docs/PROVISIONING.md).

Library: PyPI ``spake2`` 0.9 (pure Python, MIT, Ed25519 group; depends only on
``cryptography``, so it installs on a Raspberry Pi without a compiler). SPAKE2 is a PAKE:
both sides mix the short code into a Diffie-Hellman exchange, so someone who watches or even
runs one side learns nothing they could check guesses against offline. An active attacker
gets exactly one guess per protocol run, and the kiosk spends one code per run
(:class:`~provisioning.setup_code.SetupCode`), so a guess costs a whole code.

What is bound into the exchange (SPAKE2's ``idA`` / ``idB``):

- ``idA``: the laptop's id from its technician store (random, stable per laptop);
- ``idB``: the kiosk's identity key fingerprint (provisioning.device), the one the laptop
  expects (from discovery, the setup page, or ``/setup/info``). A man in the middle who tells
  the laptop another fingerprint makes the two sides derive different keys.

Then explicit key confirmation, laptop first: ``HMAC-SHA256`` over the transcript hash with
keys from HKDF. The kiosk confirms only after the laptop proved the code, and also signs the
transcript with its Ed25519 identity key, so the laptop knows it paired with the holder of
that key and not merely with someone who read the code off the screen. The long-term
**pairing key** (32 bytes) comes from the same HKDF; provisioning.channel derives the
channel's keys from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from spake2 import SPAKE2_A, SPAKE2_B
from spake2.spake2 import SPAKEError

from provisioning.device import fingerprint as fingerprint_of
from provisioning.setup_code import SetupCode

PROTOCOL = "1"
LABEL = b"kelurahan-kiosk/pairing/v1"
#: A run the laptop started and did not finish within this is abandoned (and counts as a
#: wrong code: its code is spent either way).
SESSION_TIMEOUT_S = 60.0
#: The size of a SPAKE2 message on the Ed25519 group: the side byte and a 32-byte point.
MESSAGE_SIZE = 33


class PairingError(Exception):
    """The pairing failed; ``reason`` is one of ``wrong_code``, ``delayed``, ``rogue_device``,
    ``no_session``, ``bad_message``."""

    def __init__(self, reason: str, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


def laptop_id_bytes(laptop_id: str) -> bytes:
    return b"laptop:" + laptop_id.encode()


def device_id_bytes(fingerprint: str) -> bytes:
    return b"device:" + fingerprint.lower().encode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    """Strict url-safe base64 without padding; ValueError on anything else."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64") from exc


def _framed(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


@dataclass(frozen=True)
class SessionKeys:
    """What one successful exchange yields (all 32 bytes)."""

    transcript: bytes
    confirm_laptop: bytes
    confirm_device: bytes
    pairing_key: bytes


def derive_keys(spake_key: bytes, laptop_id: str, fingerprint: str, msg_a: bytes,
                msg_b: bytes) -> SessionKeys:
    """HKDF-SHA256 over the SPAKE2 key, salted with the transcript hash (both ids, both
    messages), split into the two confirmation keys and the pairing key."""
    transcript = hashlib.sha256(LABEL + _framed(laptop_id_bytes(laptop_id),
                                                device_id_bytes(fingerprint), msg_a, msg_b)).digest()
    okm = HKDF(hashes.SHA256(), 96, salt=transcript, info=LABEL + b"/keys").derive(spake_key)
    return SessionKeys(transcript, okm[:32], okm[32:64], okm[64:])


def confirmation(key: bytes, transcript: bytes, side: bytes) -> bytes:
    return hmac.new(key, LABEL + b"/confirm/" + side + transcript, hashlib.sha256).digest()


def proof_message(transcript: bytes) -> bytes:
    """What the kiosk signs with its identity key."""
    return LABEL + b"/device-proof" + transcript


class LaptopPairing:
    """The laptop's side (SPAKE2 side A): ``start`` -> message to send; ``confirm(msg_b)``
    -> the laptop's confirmation; ``verify(...)`` -> the pairing key, or PairingError when
    the kiosk is not the one expected."""

    def __init__(self, code: str, laptop_id: str, fingerprint: str) -> None:
        self.laptop_id, self.fingerprint = laptop_id, fingerprint.lower()
        self._spake = SPAKE2_A(code.encode(), idA=laptop_id_bytes(laptop_id),
                               idB=device_id_bytes(fingerprint))
        self._msg_a = b""
        self.keys: SessionKeys | None = None

    def start(self) -> bytes:
        self._msg_a = self._spake.start()
        return self._msg_a

    def confirm(self, msg_b: bytes) -> bytes:
        try:
            spake_key = self._spake.finish(msg_b)
        except (SPAKEError, ValueError, AssertionError) as exc:
            raise PairingError("rogue_device", "the kiosk's answer is not a pairing message; "
                               "is this really a kiosk?") from exc
        self.keys = derive_keys(spake_key, self.laptop_id, self.fingerprint, self._msg_a, msg_b)
        return confirmation(self.keys.confirm_laptop, self.keys.transcript, b"laptop")

    def verify(self, confirm_b: bytes, public_key: bytes, signature: bytes) -> bytes:
        """The kiosk's confirmation and its identity proof; returns the pairing key."""
        keys = self.keys
        if keys is None:
            raise PairingError("no_session", "confirm() first")
        expected = confirmation(keys.confirm_device, keys.transcript, b"device")
        if not hmac.compare_digest(expected, confirm_b):
            raise PairingError("rogue_device", "the kiosk could not confirm the pairing key: "
                               "another device answered in its place (check the short id on "
                               "its screen and the network)")
        if fingerprint_of(public_key) != self.fingerprint:
            raise PairingError("rogue_device", "the kiosk's identity key does not match the "
                               "fingerprint it announced: another device answered in its place")
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature,
                                                                  proof_message(keys.transcript))
        except (InvalidSignature, ValueError) as exc:
            raise PairingError("rogue_device", "the kiosk did not prove it holds its identity "
                               "key: another device answered in its place") from exc
        return keys.pairing_key


@dataclass
class _Session:
    laptop_id: str
    laptop_name: str
    keys: SessionKeys
    started: float


@dataclass
class Paired:
    """A finished pairing on the kiosk's side: the answer for the laptop and what to store."""

    laptop_id: str
    laptop_name: str
    pairing_key: bytes
    confirm: bytes
    public_key: bytes
    signature: bytes


@dataclass
class DevicePairing:
    """The kiosk's side (SPAKE2 side B): at most one run at a time, one code per run.

    ``start`` takes the current code and answers the laptop's message; ``finish`` checks the
    laptop's confirmation. Every run ends with ``code.attempt_finished``, right or wrong, so
    the code is spent; a run started while another is open ends the open one as a failure
    (its code was spent on it). While ``code.delay_s()`` > 0 nothing starts (PairingError
    ``delayed``: the service answers 429 with Retry-After)."""

    code: SetupCode
    fingerprint: str
    identity_key: Callable[[], Ed25519PrivateKey]
    monotonic: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sessions: dict[str, _Session] = field(default_factory=dict)

    def start(self, laptop_id: str, laptop_name: str, msg_a: bytes) -> tuple[str, bytes]:
        with self._lock:
            self._check_delay()
            if self._sessions:           # an open run: its code is spent, a failure
                self._sessions.clear()
                self.code.attempt_finished(False)
                self._check_delay()
            code = self.code.current()
            spake = SPAKE2_B(code.encode(), idA=laptop_id_bytes(laptop_id),
                             idB=device_id_bytes(self.fingerprint))
            msg_b = spake.start()
            try:
                if len(msg_a) != MESSAGE_SIZE:
                    raise ValueError("size")
                spake_key = spake.finish(msg_a)
            except (SPAKEError, ValueError, AssertionError) as exc:
                self.code.attempt_finished(False)
                raise PairingError("bad_message", "not a SPAKE2 message from a laptop "
                                   "(side A, 33 bytes)") from exc
            session_id = secrets.token_urlsafe(16)
            keys = derive_keys(spake_key, laptop_id, self.fingerprint, msg_a, msg_b)
            self._sessions[session_id] = _Session(laptop_id, laptop_name, keys, self.monotonic())
            return session_id, msg_b

    def finish(self, session_id: str, confirm_a: bytes) -> Paired:
        with self._lock:
            session = self._sessions.pop(session_id, None) if isinstance(session_id, str) else None
            if session is None:
                raise PairingError("no_session", "no pairing in progress with this id (another "
                                   "attempt replaced it, or it took too long); start again")
            if self.monotonic() - session.started > SESSION_TIMEOUT_S:
                self.code.attempt_finished(False)
                raise PairingError("no_session", "the pairing took too long; start again with "
                                   "the new code on the kiosk's screen")
            keys = session.keys
            expected = confirmation(keys.confirm_laptop, keys.transcript, b"laptop")
            if not hmac.compare_digest(expected, confirm_a):
                self.code.attempt_finished(False)
                delay = self.code.delay_s()
                raise PairingError("wrong_code", "wrong code: a new code is on the kiosk's screen",
                                   retry_after=delay)
            self.code.attempt_finished(True)
            signature = self.identity_key().sign(proof_message(keys.transcript))
            public = self.identity_key().public_key().public_bytes_raw()
            return Paired(session.laptop_id, session.laptop_name, keys.pairing_key,
                          confirmation(keys.confirm_device, keys.transcript, b"device"),
                          public, signature)

    def _check_delay(self) -> None:
        delay = self.code.delay_s()
        if delay > 0:
            raise PairingError("delayed", f"too many wrong codes: wait {delay:.0f} s before "
                               "trying again", retry_after=delay)
