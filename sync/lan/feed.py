"""Wakes the edge's event streams the moment the queue changes.

Each open stream (one per board or counter console) waits on its own asyncio.Event with a
short timeout. An operation done through the LAN API wakes every stream at once (so a call
reaches the board in milliseconds); the timeout is the ~100 ms poll that catches writes made
by other processes on the edge (the citizen kiosk, ``kiosk queue call``), which cannot wake us.
"""

from __future__ import annotations

import asyncio
import contextlib


class Feed:
    def __init__(self, poll_seconds: float = 0.1) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[asyncio.Event] = set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the server's event loop at start-up: notify() comes from worker threads."""
        self._loop = loop

    def subscribe(self) -> asyncio.Event:
        wake = asyncio.Event()
        self._waiters.add(wake)
        return wake

    def unsubscribe(self, wake: asyncio.Event) -> None:
        self._waiters.discard(wake)

    @property
    def listeners(self) -> int:
        return len(self._waiters)

    async def wait(self, wake: asyncio.Event) -> None:
        """Until notified or one poll interval has passed, whichever is first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), self.poll_seconds)
        wake.clear()

    def notify(self) -> None:
        """Thread-safe: wake every stream to read the change feed now."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(self._wake_all)

    def stop(self) -> None:
        """Streams end at their next wake-up, so a shutting-down server is not held open."""
        self.stopping = True
        self.notify()

    def _wake_all(self) -> None:
        for wake in self._waiters:
            wake.set()
