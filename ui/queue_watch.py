"""Follow the queue's change feed on a worker thread and hand each event to the GUI thread.

``QueueClient.watch`` is a blocking loop (LocalQueue polls, RemoteQueue reads server-sent
events and reconnects by itself). It runs on Qt's global pool through ``ui.ops.run_loop``;
its callbacks only emit signals, which Qt queues to the GUI thread. Used by the board and
the counter console.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ui.ops import run_loop

log = logging.getLogger(__name__)

#: Bridges of running (or finished) loops. A bridge is never parented to a screen and never
#: freed while its loop might still emit: a worker emitting on a deleted QObject crashes.
_BRIDGES: list[_Bridge] = []

RETRY_SECONDS = 2.0


class _Bridge(QObject):
    event = Signal(object)
    connection = Signal(bool)
    ready = Signal()


def latest_event_id(queue) -> int:
    """The id of the newest event, so a screen starting now does not replay (or re-announce)
    the day's earlier calls."""
    return int(queue.last_event_id())


class QueueWatcher(QObject):
    """``event(QueueEvent)`` and ``connection(bool)`` on the GUI thread until ``stop()``."""

    event = Signal(object)
    connection = Signal(bool)
    #: the feed is followed from here on (the starting point is known); for tests and logs
    ready = Signal()

    def __init__(self, queue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self._stop = threading.Event()
        self._bridge = _Bridge()
        _BRIDGES.append(self._bridge)
        self._bridge.event.connect(self.event)
        self._bridge.connection.connect(self.connection)
        self._bridge.ready.connect(self._on_ready)
        self.running = False
        self.following = False
        # The loop must end when its screen goes away or the app quits: Qt's global pool
        # waits for its threads at exit, and a loop nobody stops would hang the shutdown.
        stop = self._stop
        self.destroyed.connect(lambda *_: stop.set())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop.set)

    def start(self, after_id: int | None = None) -> None:
        """Start following; ``after_id`` None: only what happens from now on."""
        if self.running:
            return
        self.running = True
        stop, bridge, queue = self._stop, self._bridge, self.queue

        seen = {"after": after_id}

        def emit_event(ev) -> None:
            seen["after"] = max(seen["after"] or 0, ev.id)
            if not stop.is_set():
                bridge.event.emit(ev)

        def emit_connection(up: bool) -> None:
            if not stop.is_set():
                bridge.connection.emit(bool(up))

        def loop() -> None:
            while seen["after"] is None and not stop.is_set():
                try:
                    seen["after"] = latest_event_id(queue)
                except Exception as exc:  # noqa: BLE001 - the edge may be unreachable: retry
                    log.warning("queue feed: cannot reach the queue (%s); retrying", exc)
                    emit_connection(False)
                    stop.wait(RETRY_SECONDS)
            if not stop.is_set():
                bridge.ready.emit()
            while not stop.is_set():
                try:
                    queue.watch(emit_event, emit_connection, stop, seen["after"] or 0)
                    return
                except Exception as exc:  # noqa: BLE001 - keep following, say so on screen
                    log.warning("queue feed stopped (%s); restarting", exc)
                    emit_connection(False)
                    stop.wait(RETRY_SECONDS)

        run_loop(loop)

    def _on_ready(self) -> None:
        self.following = True
        self.ready.emit()

    def stop(self) -> None:
        self._stop.set()
        self.running = False
