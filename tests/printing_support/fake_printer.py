"""A fake ESC/POS network printer on loopback: records what it prints and answers DLE EOT.

Modes (set any time with ``set_mode``): ``online``, ``paper_near_end``, ``paper_out``,
``cover_open``, ``offline`` (answers that it is offline), ``silent`` (connects, reads, never
answers, prints nothing). Print data received while the printer cannot print is kept in
``discarded``, not ``printed``: the worst case, a printer that loses what it was sent.

``paper_out_after(n)``: after n cuts the paper runs out as the next receipt starts.
``stall_after(n)``: after n bytes of print data the printer stops reading and answering
(a printer that hangs in the middle of a job); ``unstall()`` is its power cycle: the
connections open during the hang are dropped with whatever they had not read.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from tests.printing_support.escpos_decode import Incomplete, next_token

ANSWERS = {
    #                 DLE EOT 1, DLE EOT 2, DLE EOT 4
    "online":         (0x12, 0x12, 0x12),
    "paper_near_end": (0x12, 0x12, 0x1E),
    "paper_out":      (0x1A, 0x32, 0x72),
    "cover_open":     (0x1A, 0x16, 0x12),
    "offline":        (0x1A, 0x12, 0x12),
}
PRINTING_MODES = ("online", "paper_near_end")


class FakePrinter:
    def __init__(self, mode: str = "online") -> None:
        self.mode = mode
        self.printed = bytearray()
        self.discarded = bytearray()
        self.queries: list[int] = []
        self.connections = 0
        self.cuts = 0
        self.stalled = False
        self._generation = 0
        self._paper_after: int | None = None
        self._stall_after: int | None = None
        self._print_bytes = 0
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="fake-printer", daemon=True)

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def __enter__(self) -> "FakePrinter":
        self._accept.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        self._accept.join(2)
        self._server.close()
        for t in self._threads:
            t.join(2)

    # -- control ----------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        if mode not in ANSWERS and mode != "silent":
            raise ValueError(mode)
        with self._lock:
            self.mode = mode
            self._lock.notify_all()

    def paper_out_after(self, cuts: int) -> None:
        with self._lock:
            self._paper_after = cuts

    def stall_after(self, nbytes: int) -> None:
        with self._lock:
            self._stall_after = nbytes

    def unstall(self) -> None:
        with self._lock:
            self._stall_after = None
            self.stalled = False
            self._generation += 1
            self._lock.notify_all()

    def wait_for(self, predicate: Callable[["FakePrinter"], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
            return True

    def printed_bytes(self) -> bytes:
        with self._lock:
            return bytes(self.printed)

    # -- serving ----------------------------------------------------------------------------

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        buf = b""
        generation = self._generation
        with conn:
            while not self._stop.is_set():
                with self._lock:
                    if self._generation != generation:
                        return          # power-cycled: unread data is gone
                    if self.stalled:
                        self._lock.wait(0.05)
                        continue
                try:
                    chunk = conn.recv(4096)
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                i = 0
                while i < len(buf):
                    try:
                        token, end = next_token(buf, i)
                    except Incomplete:
                        break
                    raw = buf[i:end]
                    i = end
                    if token.name == "DLE EOT":
                        self._answer(conn, token.args[0])
                    else:
                        self._take(raw, token.name)
                        if self.stalled:
                            break
                buf = buf[i:]

    def _answer(self, conn: socket.socket, n: int) -> None:
        with self._lock:
            self.queries.append(n)
            if self.mode == "silent" or self.stalled:
                return
            answers = ANSWERS[self.mode]
            byte = {1: answers[0], 2: answers[1], 3: 0x12, 4: answers[2]}.get(n, 0x12)
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            pass

    def _take(self, raw: bytes, name: str) -> None:
        with self._lock:
            if self._paper_after is not None and self.cuts >= self._paper_after \
                    and self.mode == "online":
                self.mode = "paper_out"
                self._paper_after = None
            if self.mode in PRINTING_MODES:
                self.printed += raw
                self._print_bytes += len(raw)
                if name == "GS V":
                    self.cuts += 1
            else:
                self.discarded += raw
            if self._stall_after is not None and self._print_bytes >= self._stall_after:
                self.stalled = True
            self._lock.notify_all()
