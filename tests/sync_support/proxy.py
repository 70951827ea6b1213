"""A TCP fault proxy on loopback: what a kiosk's link in remote Kalimantan does to bytes.

Runs an asyncio server on its own thread, forwarding 127.0.0.1:<port> to a target. Settings
can change while it runs (a link comes and goes):

- ``latency_s``: one-way delay added to every chunk, each direction (RTT = 2x). Chunks are
  delayed in a queue, so the delay pipelines like a real long link instead of adding up.
- ``rate_bps``: bandwidth cap in bits per second, per direction, shared by all connections.
- ``cut_after``: a one-shot budget: after this many more bytes (both directions), the
  connection carrying them is reset and the budget is cleared.
- ``black_hole``: accept and read, forward nothing, answer nothing.

Standard library only (asyncio): no proxy package does all four and runs in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time


class _Pacer:
    """A shared token bucket for one direction."""

    def __init__(self) -> None:
        self.next_free = 0.0

    async def pace(self, nbytes: int, rate_bps: float | None) -> None:
        if not rate_bps:
            return
        now = time.monotonic()
        start = max(now, self.next_free)
        self.next_free = start + nbytes * 8 / rate_bps
        await asyncio.sleep(self.next_free - now)


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", *,
                 latency_s: float = 0.0, rate_bps: float | None = None,
                 cut_after: int | None = None, black_hole: bool = False) -> None:
        self.target = (target_host, target_port)
        self.latency_s = latency_s
        self.rate_bps = rate_bps
        self.cut_after = cut_after
        self.black_hole = black_hole
        self.port = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.connections = 0
        self.cuts = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._pacers = {"up": _Pacer(), "down": _Pacer()}
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None

    def reset_all(self) -> None:
        """Reset every open connection (a link that drops)."""
        if self._loop:
            self._loop.call_soon_threadsafe(self._abort_all)

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _handle(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(c_writer)
        if self.black_hole:
            with contextlib.suppress(Exception):
                while await c_reader.read(65536):
                    pass
            self._writers.discard(c_writer)
            c_writer.close()
            return
        try:
            s_reader, s_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._writers.discard(c_writer)
            c_writer.transport.abort()
            return
        self._writers.add(s_writer)
        conn = {"writers": (c_writer, s_writer)}
        await asyncio.gather(self._pump(c_reader, s_writer, "up", conn),
                             self._pump(s_reader, c_writer, "down", conn),
                             return_exceptions=True)
        for w in (c_writer, s_writer):
            self._writers.discard(w)
            w.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: str, conn: dict) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while True:
                item = await queue.get()
                if item is None:
                    with contextlib.suppress(Exception):
                        writer.write_eof()
                    return
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                step = max(256, int((self.rate_bps or 0) / 8 / 20)) if self.rate_bps else len(data)
                for i in range(0, len(data), step):
                    piece = data[i:i + step]
                    if self.black_hole:
                        continue
                    await self._pacers[direction].pace(len(piece), self.rate_bps)
                    if self.cut_after is not None:
                        if len(piece) >= self.cut_after:
                            piece = piece[: self.cut_after]
                            writer.write(piece)
                            self.cut_after = None
                            self.cuts += 1
                            for w in conn["writers"]:
                                w.transport.abort()
                            return
                        self.cut_after -= len(piece)
                    writer.write(piece)
                    if direction == "up":
                        self.bytes_up += len(piece)
                    else:
                        self.bytes_down += len(piece)
                    await writer.drain()

        task = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await queue.put((time.monotonic() + self.latency_s, data))
        finally:
            await queue.put(None)
            await asyncio.wait([task], timeout=max(60.0, self.latency_s * 4))
