"""The push pipeline: every pending outbox row to the city server, each acknowledged only
from its own answer (sync/PROTOCOL.md, push).

- Nothing is marked acknowledged until its answer has been read; an item without an answer
  stays pending and goes again next session (the server's insert-if-absent makes that safe).
- Rejected items go to the dead-letter table and are acknowledged there, so one bad record
  never blocks the queue. A whole batch refused for one bad item (403/400/413) is bisected
  down to the item; so is one the server fails on (5xx), with strikes across sessions.
- Acknowledgement times are the *server's* clock, so pruning the outbox (after
  ``sync.keep_acked_days``) is right even when the kiosk's clock reads 1970 or 2038.
- While batch *k* is on the wire, batch *k+1* is read and compressed (the send runs on a
  helper thread; all database work stays on the calling thread).
"""

from __future__ import annotations

import collections
import contextlib
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import sqlite_utils

from kiosk import outbox
from kiosk.db import write_tx
from sync import protocol
from sync.client import clock_check, state, wire
from sync.client.auth import DeviceHttp
from sync.client.epoch import DAY_MS, adopt_epoch
from sync.client.errors import LinkError
from sync.client.http import detail_of, json_of, raise_for

SLOW_BATCH_S = 1.0
#: How many sessions may push one item *alone* and get a server error (5xx, not 503) while
#: the same sessions' other pushes were answered, before the item goes to the dead letters.
#: A server that fails everything (down, database gone) never counts against an item.
MAX_ITEM_FAILURES = 5


class Pusher:
    """Pushes one device's outbox over ``conn``; one push at a time (the session lock)."""

    def __init__(self, db: sqlite_utils.Database, conn: DeviceHttp, device_id: str, *,
                 keep_acked_days: int = 14, codec: str = "zstd",
                 batch_items: int = wire.MAX_ITEMS, pipeline: bool = True, depth: int = 3,
                 max_item_failures: int = MAX_ITEM_FAILURES) -> None:
        self.db = db
        self.conn = conn
        self.device_id = device_id
        self.keep_acked_days = keep_acked_days
        self.codec = codec
        self.batch_items = min(batch_items, wire.MAX_ITEMS)
        self.pipeline = pipeline
        #: Batches of one push session on the wire at once (after the first is answered).
        self.depth = max(1, depth)
        self.session: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        #: The clock sample of the session's meta, sent with every batch (PROTOCOL.md, meta).
        self.clock_sample: dict[str, Any] | None = None
        self.slow_link = False
        self.max_item_failures = max(1, max_item_failures)
        #: A push of this session was answered: the server is not failing everything.
        self._answered = False

    def close(self) -> None:
        if self._pool:
            self._pool.shutdown(wait=True)

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
                                  self.clock_sample, codec, level=level)

    def _submit(self, batch: wire.Batch, after: _Flight | None = None,
                first: _Flight | None = None) -> _Flight:
        """Send ``batch`` on a helper thread once ``after`` (the flight ``depth`` places
        ahead of it) is answered, and only if ``first`` (the flight that opened the
        session) was answered 200; otherwise it is not sent (:class:`_NotSent`)."""
        flight = _Flight(batch)
        flight.pusher = self
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
                        f"the server took the others: {detail_of(alone)}",
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
        return self._halves(batch, totals, suspects)

    def _halves(self, batch: wire.Batch, totals: dict[str, int],
                suspects: list[tuple[int, httpx.Response]] | None) -> bool:
        """Send each half of ``batch``: apply what is answered, bisect a half refused as a
        whole; with ``suspects`` (isolating a server fault) split a half failed by a 5xx on
        as well. True if the server's epoch changed."""
        items = batch.items
        half = len(items) // 2
        for part in (items[:half], items[half:]):
            for sub in self._batches(part, batch.codec):
                sub_resp = self._send(sub)
                if suspects is not None and _server_fault(sub_resp.status_code):
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
        token = self.conn.token()
        started = time.monotonic()

        def on_headers(status: int) -> None:
            if flight is not None and status != 401:  # a 401 is renewed and sent again
                flight.status = status
                flight.answered.set()

        resp = self.conn.http.call("POST", "/sync/push", token=token, content=batch.body,
                                   headers=headers, on_headers=on_headers)
        # A batch that needs over a second on the wire: bytes cost more than CPU from now on.
        self.slow_link = time.monotonic() - started > SLOW_BATCH_S and len(batch.body) > 8192
        if resp.status_code == 401:
            self.conn.tokens.forget()
            resp = self.conn.http.call("POST", "/sync/push", token=self.conn.renew(),
                                       content=batch.body, headers=headers,
                                       on_headers=on_headers)
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
        return adopt_epoch(self.db, epoch, server_ms, self.keep_acked_days)

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
            return self._halves(batch, totals, None)
        retry = self._send(batch)  # a body cut in transit is refused once, not twice
        if retry.status_code not in (400, 403, 413, 422):
            raise_for(retry, "push")
            return self._apply_answer(batch, json_of(retry, "push"), totals)
        seq = items[0][0]
        server_ms = state.get_int(self.db, state.LAST_SERVER_MS) or 0
        with write_tx(self.db):
            self._dead_letter(seq, f"{retry.status_code}: {detail_of(retry)}",
                              state.get(self.db, state.EPOCH), server_ms)
            self._ack([seq], server_ms)
        totals["sent"] += 1
        totals["rejected"] += 1
        return False


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

    pusher: Pusher | None = None

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
            assert self.pusher is not None
            return self.pusher._send(self.batch)

    def settle(self, done: Future) -> None:
        exc = done.exception()
        if exc is not None:
            self.future.set_exception(exc)
        else:
            self.future.set_result(done.result())

