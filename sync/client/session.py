"""One sync session against the city server: meta, push, pull (sync/PROTOCOL.md).

:class:`SyncClient` is synchronous and takes an injectable httpx transport and clock, so tests
wrap the real server in-process and inject faults between the two. What it keeps itself:

- Meta first: the protocol version, a clock sample (sent with every pushed batch), and the
  server's epoch (:mod:`sync.client.epoch`: a new one resets the pull cursors and re-sends
  every outbox row still kept).
- The push is :class:`sync.client.push.Pusher`'s (pipelined, acknowledged only from answers);
  the pull applies each page and moves its cursor in one transaction.
- One session at a time per device: a thread lock plus an ``fcntl`` lock on a file in the
  data directory (the app's worker and ``kiosk sync --once`` may run side by side).
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from kiosk.clock import Clock, SystemClock
from kiosk.db import write_tx
from sync import protocol
from sync.client import clock_check, reference, state, wire
from sync.client.auth import DeviceHttp
from sync.client.epoch import adopt_epoch
from sync.client.errors import AuthError, LinkError, SyncBusy, SyncError, UpgradeRequired
from sync.client.http import Http, check_server_url, json_of, raise_for
from sync.client.push import MAX_ITEM_FAILURES, Pusher
from sync.client.sync_status import record_error, status

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


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
        self.conn = DeviceHttp(self.http, self.device_id, self.data_dir, self.clock)
        self.keep_acked_days = keep_acked_days
        self.scopes = scopes
        self.pusher = Pusher(db, self.conn, self.device_id, keep_acked_days=keep_acked_days,
                             codec=codec, batch_items=batch_items, pipeline=pipeline,
                             depth=depth, max_item_failures=max_item_failures)

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self.http.close()
        self.pusher.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        self.pusher.clock_sample = clock_check.sample(before, after, body["server_time_ms"])
        clock_check.record_sample(self.db, self.pusher.clock_sample)
        adopt_epoch(self.db, body["epoch"], body["server_time_ms"], self.keep_acked_days)
        return body

    # -- push -------------------------------------------------------------------------------

    def push(self) -> dict[str, Any]:
        """Push every pending change; returns counts. Raises SyncError when the link fails."""
        return self.pusher.push()

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
                resp = self.conn.call("GET", "/sync/pull", f"pull {scope}", params=params)
                body = json_of(resp, f"pull {scope}")
                try:
                    changes, next_cursor = body["changes"], body["next_cursor"]
                    has_more, epoch = bool(body["has_more"]), body["epoch"]
                except (KeyError, TypeError) as exc:
                    raise LinkError(f"pull {scope}: the answer is not a page ({exc!r})") from exc
                server_ms = state.get_int(self.db, state.LAST_SERVER_MS) or 0
                if adopt_epoch(self.db, epoch, server_ms, self.keep_acked_days):
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

