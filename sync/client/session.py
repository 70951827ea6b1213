"""One sync session against the city server: meta, push, pull (sync/PROTOCOL.md).

:class:`SyncClient` is synchronous and takes an injectable httpx transport and clock, so tests
wrap the real server in-process and inject faults between the two. The rules it keeps:

- Nothing is marked acknowledged until its answer has been read; an item without an answer
  stays pending and goes again next session (the server's insert-if-absent makes that safe).
- Rejected items go to the dead-letter table and are acknowledged there, so one bad record
  never blocks the queue. A whole batch refused for one bad item (403/400/413) is bisected
  down to the item.
- Acknowledgement times are the *server's* clock, so pruning the outbox (after
  ``sync.keep_acked_days``) is right even when the kiosk's clock reads 1970 or 2038.
- A new server epoch (a restored or re-created server) resets the pull cursors and re-sends
  every outbox row still kept.
- One session at a time per device: a thread lock plus an ``fcntl`` lock on a file in the
  data directory (the app's worker and ``kiosk sync --once`` may run side by side).
- While batch *k* is on the wire, batch *k+1* is read and compressed (the send runs on a
  helper thread; all database work stays on the calling thread).
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec
import sqlite_utils

from kiosk import outbox
from kiosk.clock import Clock, SystemClock
from kiosk.db import write_tx
from sync import protocol
from sync.client import clock_check, identity, reference, state, wire
from sync.client.auth import TokenKeeper
from sync.client.errors import (
    AuthError,
    LinkError,
    ServerBusy,
    ServerRefused,
    SyncBusy,
    SyncError,
    UpgradeRequired,
)

DAY_MS = 86_400_000
SLOW_BATCH_S = 1.0
#: How many sessions may push one item *alone* and get a server error (5xx, not 503) while
#: the same sessions' other pushes were answered, before the item goes to the dead letters.
#: A server that fails everything (down, database gone) never counts against an item.
MAX_ITEM_FAILURES = 5
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def check_server_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SyncError(f"server address {url!r} must look like http://HOST:PORT or https://HOST")
    return url.rstrip("/")


class Http:
    """httpx with the protocol header, error mapping and one token renewal on 401."""

    def __init__(self, server: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        base_url = check_server_url(server)
        self.client = httpx.Client(
            base_url=base_url, transport=transport,
            # Plain http never uses TLS: skip loading the CA bundle (~20 ms per session,
            # more on a Pi). https keeps full verification.
            verify=not base_url.startswith("http://"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(keepalive_expiry=protocol.KIOSK_KEEP_ALIVE_S),
            headers={protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
                     "Accept-Encoding": "zstd, gzip"})

    def call(self, method: str, path: str, *, token: str | None = None,
             json_body: Any = None, content: bytes | None = None,
             headers: dict[str, str] | None = None, params: dict | None = None,
             on_headers: Callable[[int], None] | None = None) -> httpx.Response:
        """One request, body read. ``on_headers(status)`` runs as soon as the status line and
        headers are in, before the body (on a slow link the body can take seconds)."""
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            request = self.client.build_request(method, path, json=json_body, content=content,
                                                headers=hdrs, params=params)
            resp = self.client.send(request, stream=True)
            try:
                if on_headers is not None:
                    on_headers(resp.status_code)
                resp.read()
            finally:
                resp.close()
        except httpx.TransportError as exc:
            raise LinkError(f"{method} {path}: no answer from the server "
                            f"({type(exc).__name__}: {exc or 'connection lost'}); will retry") from exc
        return resp

    def close(self) -> None:
        self.client.close()


def raise_for(resp: httpx.Response, what: str) -> None:
    code = resp.status_code
    if code < 400:
        return
    detail = _detail(resp)
    if code == 426:
        raise UpgradeRequired(f"{what}: the server needs a newer kiosk: {detail}")
    if code == 401:
        raise AuthError(f"{what}: not authorised ({detail}); if the device was revoked, "
                        "enroll it again with a new token")
    if code in (429, 503):
        raise ServerBusy(f"{what}: server busy ({code}); backing off",
                         retry_after=_retry_after(resp))
    raise ServerRefused(f"{what}: server answered {code}: {detail}", code)


def json_of(resp: httpx.Response, what: str) -> Any:
    """The answer's JSON, decoded by msgspec (a push answer is 500 small objects: ~3x
    faster than ``resp.json()``, on the kiosk's side of bench/sync.py)."""
    try:
        return msgspec.json.decode(resp.content)
    except ValueError as exc:
        raise LinkError(f"{what}: the answer was cut off or is not JSON; will retry") from exc


def _detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return str(body.get("detail", body)) if isinstance(body, dict) else str(body)
    except ValueError:
        return resp.text[:200] or resp.reason_phrase


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@contextlib.contextmanager
def session_lock(data_dir: Path) -> Iterator[None]:
    """One sync session per device: this process's threads, and other processes."""
    key = str(Path(data_dir).resolve())
    with _process_locks_guard:
        lock = _process_locks.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise SyncBusy("another sync session of this kiosk is running; try again when it ends")
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with open(Path(data_dir) / "sync.lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise SyncBusy("another process is syncing this kiosk (sync.lock is held); "
                               "try again when it ends") from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        lock.release()


class SyncClient:
    """Sync one kiosk database with one server. Not thread-safe: one session at a time."""

    def __init__(self, db: sqlite_utils.Database, data_dir: Path, *, server: str | None = None,
                 device_id: str | None = None, clock: Clock | None = None,
                 transport: httpx.BaseTransport | None = None, keep_acked_days: int = 14,
                 scopes: tuple[str, ...] = ("reference", "requests"), codec: str = "zstd",
                 batch_items: int = wire.MAX_ITEMS, timeout: float = 30.0,
                 pipeline: bool = True, depth: int = 3,
                 max_item_failures: int = MAX_ITEM_FAILURES) -> None:
        self.db = db
        self.data_dir = Path(data_dir)
        self.clock = clock or SystemClock()
        creds = state.credentials(db)
        if creds is None:
            raise AuthError("this kiosk is not enrolled; run "
                            "'kiosk enroll --server URL --token T' with a token from the city office")
        self.creds = creds
        self.device_id = device_id or creds.device_id
        self.server = check_server_url(server or creds.server)
        self.http = Http(self.server, transport=transport, timeout=timeout)
        self.tokens = TokenKeeper(self.clock)
        self.keep_acked_days = keep_acked_days
        self.scopes = scopes
        self.codec = codec
        self.batch_items = min(batch_items, wire.MAX_ITEMS)
        self.pipeline = pipeline
        #: Batches of one push session on the wire at once (after the first is answered).
        self.depth = max(1, depth)
        self.session: str | None = None
        self._key = None
        self._pool: ThreadPoolExecutor | None = None
        self.last_sample: dict[str, Any] | None = None
        self.slow_link = False
        self.max_item_failures = max(1, max_item_failures)
        #: A push of this session was answered: the server is not failing everything.
        self._answered = False

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()
        if self._pool:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _renew(self) -> str:
        if self._key is None:
            self._key = identity.load(self.data_dir)
        resp = self.http.call("POST", "/auth/challenge", json_body={"device_id": self.device_id})
        raise_for(resp, "auth challenge")
        nonce = json_of(resp, "auth challenge")["nonce"]
        resp = self.http.call("POST", "/auth/token", json_body={
            "device_id": self.device_id, "nonce": nonce,
            "signature": identity.sign_b64(self._key, nonce.encode())})
        raise_for(resp, "auth token")
        body = json_of(resp, "auth token")
        self.tokens.store(body["access_token"], float(body["expires_in"]))
        return body["access_token"]

    def _authed(self, method: str, path: str, what: str, **kw: Any) -> httpx.Response:
        """An authenticated call; on 401 renew the token once and try again."""
        token = self.tokens.current() or self._renew()
        resp = self.http.call(method, path, token=token, **kw)
        if resp.status_code == 401:
            self.tokens.forget()
            resp = self.http.call(method, path, token=self._renew(), **kw)
        raise_for(resp, what)
        return resp

    # -- meta and epoch ---------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        before = self.clock.now()
        resp = self.http.call("GET", "/sync/meta")
        after = self.clock.now()
        raise_for(resp, "meta")
        body = json_of(resp, "meta")
        if protocol.PROTOCOL_VERSION not in body.get("protocol_versions", []):
            raise UpgradeRequired(f"the server speaks protocol {body.get('protocol_versions')}, "
                                  f"this kiosk {protocol.PROTOCOL_VERSION}: update the kiosk software")
        self.last_sample = clock_check.sample(before, after, body["server_time_ms"])
        clock_check.record_sample(self.db, self.last_sample)
        self.check_epoch(body["epoch"], body["server_time_ms"])
        return body

    def check_epoch(self, epoch: str, server_ms: int) -> bool:
        """Adopt the server's epoch; on a change, reset cursors and re-send what is kept.

        Returns True when the epoch changed (the caller restarts what it was doing).
        """
        with write_tx(self.db):
            known = state.get(self.db, state.EPOCH)
            if known == epoch:
                return False
            if known is not None:
                horizon = server_ms + 1 - self.keep_acked_days * DAY_MS
                outbox.prune_acked(self.db, horizon)
                self.db.conn.execute("UPDATE outbox SET acked_ms = NULL WHERE acked_ms IS NOT NULL")
                self.db.conn.execute("DELETE FROM sync_cursors")
            state.put(self.db, state.EPOCH, epoch)
            return known is not None

    # -- push -------------------------------------------------------------------------------

    def push(self) -> dict[str, Any]:
        """Push every pending change; returns counts. Raises SyncError when the link fails."""
        totals = {"sent": 0, "accepted": 0, "duplicate": 0, "rejected": 0, "unanswered": 0,
                  "batches": 0, "wire_bytes": 0, "raw_bytes": 0, "epoch_resets": 0}
        # The server lets the batches of one session overlap (PROTOCOL.md, Backpressure).
        self.session = secrets.token_hex(8)
        self._answered = False
        with _acks_not_flushed(self.db):
            for _ in range(3):  # a new epoch mid-push restarts from the first pending row
                if not self._push_pass(totals):
                    break
                totals["epoch_resets"] += 1
        server_ms = state.get_int(self.db, state.LAST_SERVER_MS)
        if server_ms is not None:
            with write_tx(self.db):
                state.put(self.db, state.LAST_PUSH_MS, server_ms)
                outbox.prune_acked(self.db, server_ms + 1 - self.keep_acked_days * DAY_MS)
        return totals

    def _prepare(self, after_seq: int) -> list[wire.Batch]:
        items = wire.read_items(self.db, self.device_id, after_seq, self.batch_items,
                                clock_check.last_good(self.db))
        if not items:
            return []
        return self._batches(items, self.codec)

    def _batches(self, items: list[wire.Item], codec: str) -> list[wire.Batch]:
        level = wire.SLOW_LEVEL if self.slow_link else wire.FAST_LEVEL
        return wire.build_batches(items, self.device_id, state.get(self.db, state.EPOCH),
                                  self.last_sample, codec, level=level)

    def _submit(self, batch: wire.Batch, after: _Flight | None = None,
                first: _Flight | None = None) -> _Flight:
        """Send ``batch`` on a helper thread once ``after`` (the flight ``depth`` places
        ahead of it) is answered, and only if ``first`` (the flight that opened the
        session) was answered 200; otherwise it is not sent (:class:`_NotSent`)."""
        flight = _Flight(batch)
        flight.client = self
        if not self.pipeline:
            try:
                flight.future.set_result(self._send(batch, flight))
            except BaseException as exc:
                flight.future.set_exception(exc)
            finally:
                flight.answered.set()
            return flight
        if self._pool is None:
            self._pool = ThreadPoolExecutor(2 * self.depth + 2, thread_name_prefix="sync-send")

        def run() -> httpx.Response:
            try:
                if first is not None:
                    first.answered.wait()
                    if first.status != 200:
                        raise _NotSent()
                if after is not None:
                    after.answered.wait()
                return self._send(batch, flight)
            finally:
                flight.answered.set()

        self._pool.submit(run).add_done_callback(flight.settle)
        return flight

    def _push_pass(self, totals: dict[str, int]) -> bool:
        """One pass over the outbox; True if the server's epoch changed underway.

        Pipelined: the first batch of the session goes alone (the server records the
        session with it); once it is answered 200, up to ``depth`` batches are on the wire
        at once, so the server stores one while it reads the next, and the kiosk reads,
        compresses and acknowledges meanwhile. A batch counts as on the wire until its
        status and headers are in (the server has committed it; on a slow link its body may
        still be downloading while the next uploads). Batches are read and handed to the
        sender threads ahead, each waiting for the one ``depth`` places before it to be
        answered, so a slot is refilled at once and in order, whatever this thread is
        doing. Answers are applied strictly in the order sent, each item acknowledged only
        from its own answer; all database work stays on this thread.
        """
        ready = self._prepare(0)
        next_after: int | None = ready[-1].last_seq if ready else None
        flights: collections.deque[_Flight] = collections.deque()
        sent: collections.deque[_Flight] = collections.deque(maxlen=self.depth)
        opener: _Flight | None = None
        ahead = 2 * self.depth

        def top_up() -> None:
            nonlocal ready, next_after, opener
            while True:
                while ready and len(flights) < ahead:
                    after = sent[0] if len(sent) == self.depth else None
                    flight = self._submit(ready.pop(0), after, opener)
                    opener = opener or flight
                    flights.append(flight)
                    sent.append(flight)
                if ready or next_after is None or len(flights) >= ahead:
                    return
                ready = self._prepare(next_after)  # read ahead while on the wire
                next_after = ready[-1].last_seq if ready else None

        try:
            while True:
                top_up()
                if not flights:
                    return False
                current = flights.popleft()
                changed = self._handle(current.batch, current.response(), totals)
                if changed:
                    while flights:  # answers already on their way are still good answers
                        follower = flights.popleft()
                        self._handle(follower.batch, follower.response(), totals)
                    return True
                if current.status == 415 and current.batch.codec != "gzip":
                    self.codec = "gzip"
                    _settle(flights)  # refused as well (zstd); nothing of them is applied
                    sent.clear()
                    opener = None
                    ready = self._prepare(current.batch.items[0][0] - 1)
                    next_after = ready[-1].last_seq if ready else None
        except BaseException:
            _settle(flights)  # never leave a request running behind our back
            raise

    def _handle(self, batch: wire.Batch, resp: httpx.Response, totals: dict[str, int]) -> bool:
        totals["batches"] += 1
        totals["wire_bytes"] += len(batch.body)
        totals["raw_bytes"] += batch.raw_size
        if resp.status_code == 409:
            # Sent right after the previous batch's answer began: the server may not have
            # let go of the device's push lock yet. Nothing else is in flight now; once more.
            resp = self._send(batch)
        if resp.status_code in (400, 403, 413, 422):
            return self._bisect(batch, resp, totals)
        if resp.status_code == 415 and batch.codec != "gzip":
            return False  # the caller re-reads and sends gzip
        if _server_fault(resp.status_code):
            return self._isolate_fault(batch, resp, totals)
        raise_for(resp, "push")
        return self._apply_answer(batch, json_of(resp, "push"), totals)

    def _isolate_fault(self, batch: wire.Batch, resp: httpx.Response,
                       totals: dict[str, int]) -> bool:
        """A batch the server failed on (5xx): find the item(s) it fails on, push the rest.

        Bisects like :meth:`_bisect`. An item that fails alone is a *suspect*; each session
        in which it failed alone while other pushes were answered is one strike, kept in
        sync_state (a restart does not forget them), and after ``max_item_failures`` strikes
        it goes to the dead letters. When nothing is answered (two parts fail before any
        succeeds) the server is failing everything: raise, count nothing (a few requests,
        not the whole bisection).
        """
        suspects: list[tuple[int, httpx.Response]] = []
        changed = self._split_fault(batch, resp, totals, suspects)
        if not self._answered:
            raise_for(resp, "push")  # a 5xx: ServerRefused, retried later
        for seq, alone in suspects:
            strikes = state.add_strike(self.db, seq)
            totals["suspect"] = totals.get("suspect", 0) + 1
            if strikes >= self.max_item_failures:
                server_ms = state.get_int(self.db, state.LAST_SERVER_MS) or 0
                with write_tx(self.db):
                    self._dead_letter(
                        seq, f"{alone.status_code} on {strikes} pushes of this item alone while "
                        f"the server took the others: {_detail(alone)}",
                        state.get(self.db, state.EPOCH), server_ms)
                    self._ack([seq], server_ms)
                    state.clear_strikes(self.db, seq)
                totals["sent"] += 1
                totals["rejected"] += 1
        return changed

    def _split_fault(self, batch: wire.Batch, resp: httpx.Response, totals: dict[str, int],
                     suspects: list[tuple[int, httpx.Response]]) -> bool:
        items = batch.items
        if len(items) == 1:
            suspects.append((items[0][0], resp))
            return False
        if suspects and not self._answered:
            raise_for(resp, "push")  # a second failing part and no success: not one item
        half = len(items) // 2
        for part in (items[:half], items[half:]):
            for sub in self._batches(part, batch.codec):
                sub_resp = self._send(sub)
                if _server_fault(sub_resp.status_code):
                    if self._split_fault(sub, sub_resp, totals, suspects):
                        return True
                    continue
                if sub_resp.status_code in (400, 403, 413, 422):
                    if self._bisect(sub, sub_resp, totals):
                        return True
                    continue
                raise_for(sub_resp, "push")
                if self._apply_answer(sub, json_of(sub_resp, "push"), totals):
                    return True
        return False

    def _send(self, batch: wire.Batch, flight: _Flight | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if self.session is not None:
            headers[protocol.SESSION_HEADER] = self.session
        if batch.codec != "identity":
            headers["Content-Encoding"] = batch.codec
        token = self.tokens.current() or self._renew()
        started = time.monotonic()

        def on_headers(status: int) -> None:
            if flight is not None and status != 401:  # a 401 is renewed and sent again
                flight.status = status
                flight.answered.set()

        resp = self.http.call("POST", "/sync/push", token=token, content=batch.body,
                              headers=headers, on_headers=on_headers)
        # A batch that needs over a second on the wire: bytes cost more than CPU from now on.
        self.slow_link = time.monotonic() - started > SLOW_BATCH_S and len(batch.body) > 8192
        if resp.status_code == 401:
            self.tokens.forget()
            resp = self.http.call("POST", "/sync/push", token=self._renew(), content=batch.body,
                                  headers=headers, on_headers=on_headers)
        return resp

    def _apply_answer(self, batch: wire.Batch, body: dict[str, Any], totals: dict[str, int]) -> bool:
        """Acknowledge what the server answered for; True if its epoch changed."""
        try:
            answers = body["results"]
            server_ms = int(body["server_time_ms"])
            epoch = body["epoch"]
            seqs = batch.seqs
            # The usual answer: every item, in order, stored now or before. Checked as a
            # whole in C (list equality, count) rather than item by item.
            statuses = [a["status"] for a in answers]
            plain = ([a["device_seq"] for a in answers] == seqs
                     and protocol.REJECTED not in statuses)
            results = {} if plain else {int(r["device_seq"]): r for r in answers}
        except (KeyError, TypeError, ValueError) as exc:
            raise LinkError(f"push: the answer is not a push result ({exc!r}); will retry") from exc
        self._answered = True
        with write_tx(self.db):
            if plain:
                accepted = statuses.count(protocol.ACCEPTED)
                duplicate = statuses.count(protocol.DUPLICATE)
                totals["sent"] += len(seqs)
                totals[protocol.ACCEPTED] += accepted
                totals[protocol.DUPLICATE] += duplicate
                totals["unanswered"] += len(seqs) - accepted - duplicate
                acked = seqs if accepted + duplicate == len(seqs) else [
                    a["device_seq"] for a in answers
                    if a["status"] in (protocol.ACCEPTED, protocol.DUPLICATE)]
            else:
                acked = []
                for seq in seqs:
                    result = results.get(seq)
                    totals["sent"] += 1
                    status = result.get("status") if result else None
                    if status in (protocol.ACCEPTED, protocol.DUPLICATE):
                        totals[status] += 1
                        acked.append(seq)
                    elif status == protocol.REJECTED:
                        totals["rejected"] += 1
                        self._dead_letter(seq, str(result.get("reason") or "rejected"), epoch,
                                          server_ms)
                        acked.append(seq)
                    else:
                        totals["unanswered"] += 1
            self._ack(acked, server_ms)
            state.put_max(self.db, state.LAST_SERVER_MS, server_ms)
        return self.check_epoch(epoch, server_ms)

    def _ack(self, seqs: list[int], server_ms: int) -> None:
        """Mark acknowledged, one statement per batch; with ``keep_acked_days`` 0 the rows
        are deleted at once (what the prune after the push would do), not marked first."""
        if not seqs:
            return
        if self.keep_acked_days > 0:
            outbox.mark_acked(self.db, seqs, server_ms)
            return
        if seqs[-1] - seqs[0] == len(seqs) - 1 and seqs == sorted(seqs):
            # The usual answer acknowledges a run of consecutive seqs: one range, no list.
            self.db.conn.execute("DELETE FROM outbox WHERE seq BETWEEN ? AND ?",
                                 (seqs[0], seqs[-1]))
            return
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            self.db.conn.execute(
                f"DELETE FROM outbox WHERE seq IN ({','.join('?' * len(chunk))})", chunk)

    def _dead_letter(self, seq: int, reason: str, epoch: str | None, server_ms: int) -> None:
        self.db.conn.execute(
            "INSERT OR REPLACE INTO sync_dead_letters (seq, change_id, table_name, record_id,"
            " reason, payload, epoch, created_ms) SELECT seq, change_id, table_name, record_id,"
            " ?, payload, ?, ? FROM outbox WHERE seq = ?", [reason, epoch, server_ms, seq])

    def _bisect(self, batch: wire.Batch, resp: httpx.Response, totals: dict[str, int]) -> bool:
        """A batch refused as a whole: split it to find the item(s) at fault.

        A single item refused twice goes to the dead letters, so the queue moves on.
        """
        items = batch.items
        if len(items) > 1:
            half = len(items) // 2
            for part in (items[:half], items[half:]):
                for sub in self._batches(part, batch.codec):
                    sub_resp = self._send(sub)
                    if sub_resp.status_code in (400, 403, 413, 422):
                        if self._bisect(sub, sub_resp, totals):
                            return True
                        continue
                    raise_for(sub_resp, "push")
                    if self._apply_answer(sub, json_of(sub_resp, "push"), totals):
                        return True
            return False
        retry = self._send(batch)  # a body cut in transit is refused once, not twice
        if retry.status_code not in (400, 403, 413, 422):
            raise_for(retry, "push")
            return self._apply_answer(batch, json_of(retry, "push"), totals)
        seq = items[0][0]
        server_ms = state.get_int(self.db, state.LAST_SERVER_MS) or 0
        with write_tx(self.db):
            self._dead_letter(seq, f"{retry.status_code}: {_detail(retry)}",
                              state.get(self.db, state.EPOCH), server_ms)
            self._ack([seq], server_ms)
        totals["sent"] += 1
        totals["rejected"] += 1
        return False

    # -- pull -------------------------------------------------------------------------------

    def pull(self, limit: int = protocol.DEFAULT_PULL_LIMIT) -> dict[str, Any]:
        totals = {"pages": 0, "applied": 0, "ignored": 0, "epoch_resets": 0}
        for scope in self.scopes:
            restarts = 0
            while True:
                params = {"scope": scope, "limit": limit}
                cur = state.cursor(self.db, scope)
                if cur is not None:
                    params["cursor"] = cur
                resp = self._authed("GET", "/sync/pull", f"pull {scope}", params=params)
                body = json_of(resp, f"pull {scope}")
                try:
                    changes, next_cursor = body["changes"], body["next_cursor"]
                    has_more, epoch = bool(body["has_more"]), body["epoch"]
                except (KeyError, TypeError) as exc:
                    raise LinkError(f"pull {scope}: the answer is not a page ({exc!r})") from exc
                server_ms = state.get_int(self.db, state.LAST_SERVER_MS) or 0
                if self.check_epoch(epoch, server_ms):
                    restarts += 1
                    totals["epoch_resets"] += 1
                    if restarts > 2:
                        raise SyncError(f"pull {scope}: the server's epoch keeps changing")
                    continue
                with write_tx(self.db):
                    applied, ignored = reference.apply_changes(self.db, changes)
                    state.set_cursor(self.db, scope, str(next_cursor), epoch, server_ms)
                totals["pages"] += 1
                totals["applied"] += applied
                totals["ignored"] += ignored
                if not has_more or (not changes and next_cursor == cur):
                    break
        server_ms = state.get_int(self.db, state.LAST_SERVER_MS)
        if server_ms is not None:
            state.put(self.db, state.LAST_PULL_MS, server_ms)
        return totals

    # -- one round --------------------------------------------------------------------------

    def sync_once(self) -> dict[str, Any]:
        """meta, push, pull under the session lock; returns the summary (errors raise)."""
        with session_lock(self.data_dir):
            try:
                self.meta()
                pushed = self.push()
                pulled = self.pull()
            except SyncError as exc:
                record_error(self.db, exc, self.clock)
                raise
            state.put(self.db, state.LAST_ERROR, None)
            return {"ok": True, "server": self.server, "push": pushed, "pull": pulled,
                    **status(self.db, self.clock)}


@contextlib.contextmanager
def _acks_not_flushed(db: sqlite_utils.Database) -> Iterator[None]:
    """``synchronous=NORMAL`` on this connection while a push writes acknowledgements.

    The kiosk's own records are written with ``synchronous=FULL`` (kiosk.db) and stay so;
    what a push writes is only *that the server has something*. In WAL mode NORMAL never
    corrupts the database; a power cut can at worst forget the last acknowledgements, and
    those items are sent again and answered ``duplicate``: nothing is lost or doubled. It
    saves the WAL fsync of every batch (~2 ms on this machine, more on an SD card), which
    sits on the thread that also reads the next batches.
    """
    if db.conn.in_transaction:  # SQLite refuses to change it inside one; keep FULL
        yield
        return
    previous = db.conn.execute("PRAGMA synchronous").fetchone()[0]
    db.conn.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        db.conn.execute(f"PRAGMA synchronous={int(previous)}")


def _server_fault(code: int) -> bool:
    """A server error that may be one item's fault. 503 is "busy, come back" (backoff);
    507 and the others are 5xx answers the server gives per request."""
    return code >= 500 and code != 503


def _settle(flights: collections.deque) -> None:
    """Wait for every request still out (their answers are dropped: nothing is acked)."""
    while flights:
        with contextlib.suppress(BaseException):
            flights.popleft().future.result()


class _NotSent(Exception):
    """A pipelined batch held back because the session's first batch was not answered 200."""


class _Flight:
    """One push on the wire: ``answered`` is set when its status is known (or it failed)."""

    client: SyncClient | None = None

    def __init__(self, batch: wire.Batch) -> None:
        self.batch = batch
        self.status: int | None = None
        self.answered = threading.Event()
        self.future: Future = Future()

    def response(self) -> httpx.Response:
        """The answer (waiting for it); a batch held back is sent now, on this thread."""
        try:
            return self.future.result()
        except _NotSent:
            assert self.client is not None
            return self.client._send(self.batch)

    def settle(self, done: Future) -> None:
        exc = done.exception()
        if exc is not None:
            self.future.set_exception(exc)
        else:
            self.future.set_result(done.result())


def record_error(db: sqlite_utils.Database, exc: Exception, clock: Clock) -> None:
    state.put(db, state.LAST_ERROR, {
        "kind": getattr(exc, "kind", "error"), "message": str(exc),
        "server_ms": state.get_int(db, state.LAST_SERVER_MS), "kiosk_ms": clock.now().wall_ms})


def status(db: sqlite_utils.Database, clock: Clock) -> dict[str, Any]:
    """What the admin screen shows; reads only the local database (works offline)."""
    now = clock.now()
    pending = outbox.pending_count(db)
    oldest = db.execute("SELECT wall_ms, mono_ns, boot_id FROM outbox WHERE acked_ms IS NULL"
                        " ORDER BY seq LIMIT 1").fetchone()
    age_s = None
    if oldest:
        # The monotonic clock when the oldest change is from this boot (immune to clock jumps).
        age_s = ((now.mono_ns - oldest[1]) / 1e9 if oldest[2] == now.boot_id
                 else max(0.0, (now.wall_ms - oldest[0]) / 1000))
    creds = state.credentials(db)
    return {
        "enrolled": creds is not None,
        "server": creds.server if creds else None,
        "device_id": creds.device_id if creds else None,
        "office_code": creds.office_code if creds else None,
        "epoch": state.get(db, state.EPOCH),
        "pending": pending,
        "oldest_pending_age_s": round(age_s, 3) if age_s is not None else None,
        "last_push_ms": state.get_int(db, state.LAST_PUSH_MS),
        "last_pull_ms": state.get_int(db, state.LAST_PULL_MS),
        "last_error": state.get_json(db, state.LAST_ERROR),
        "dead_letters": state.dead_letter_count(db),
        # Items the server failed on alone: seq -> strikes, of MAX_ITEM_FAILURES before the
        # dead letters.
        "suspect_items": state.strikes(db),
        "max_item_failures": MAX_ITEM_FAILURES,
        "cursors": state.cursors(db),
        "clock": clock_check.clock_state(db, now),
    }
