"""Operations: domain work on a worker thread, results back on the GUI thread (the Anki
pattern: aqt/operations). The GUI thread never waits on the disk or the network.

``run_op`` runs on one dedicated single-thread pool: the runtime shares one SQLite
connection, so domain operations run one after another, in the order the screens asked
for them, and never interleave inside a transaction. Long-running loops (the queue's
``watch``) use ``run_loop`` on Qt's global pool instead, so they never block operations.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

T = TypeVar("T")
log = logging.getLogger(__name__)

_DOMAIN_POOL: QThreadPool | None = None
#: Relays of operations still running; kept here so Python does not collect them early.
_PENDING: set[_Relay] = set()
_LOOPS: set[_Relay] = set()


def domain_pool() -> QThreadPool:
    global _DOMAIN_POOL
    if _DOMAIN_POOL is None:
        _DOMAIN_POOL = QThreadPool()
        _DOMAIN_POOL.setMaxThreadCount(1)
        _DOMAIN_POOL.setExpiryTimeout(-1)
    return _DOMAIN_POOL


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call back to the GUI thread."""

    finished = Signal(bool, object)

    def __init__(self, parent: QObject | None, on_success: Callable[[Any], None],
                 on_failure: Callable[[Exception], None] | None) -> None:
        super().__init__()
        self._parent = parent
        self._on_success = on_success
        self._on_failure = on_failure
        self.finished.connect(self._deliver)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        _PENDING.discard(self)
        _LOOPS.discard(self)
        if self._parent is not None and not shiboken6.isValid(self._parent):
            return  # the screen that asked is gone: nobody to tell
        if ok:
            self._on_success(value)
        elif self._on_failure is not None:
            self._on_failure(value)  # type: ignore[arg-type]
        else:
            log.error("operation failed with nobody listening: %r", value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the screen
            log.debug("operation failed:\n%s", traceback.format_exc())
            self._report(False, exc)
        else:
            self._report(True, result)

    def _report(self, ok: bool, value: object) -> None:
        try:
            self._relay.finished.emit(ok, value)
        except RuntimeError:
            # The application is shutting down and took the relay with it: nobody to tell.
            log.debug("operation finished after its relay was deleted: %r", value)


def run_op(parent: QObject | None, fn: Callable[[], T], on_success: Callable[[T], None],
           on_failure: Callable[[Exception], None] | None = None) -> None:
    """Run ``fn`` on the domain worker; call ``on_success(result)`` or ``on_failure(exc)``
    on the GUI thread. Callbacks are skipped when ``parent`` was deleted meanwhile."""
    relay = _Relay(parent, on_success, on_failure)
    _PENDING.add(relay)
    domain_pool().start(_Job(fn, relay))


def run_loop(fn: Callable[[], None], on_failure: Callable[[Exception], None] | None = None) -> None:
    """Run a blocking loop (e.g. ``queue.watch(..., stop=event)``) on Qt's global pool.

    The loop must return when its stop event is set; its callbacks run on the worker
    thread, so they should only emit signals (Qt queues those to the GUI thread)."""
    def noop(_: object) -> None:
        return None

    relay = _Relay(None, noop, on_failure)
    _LOOPS.add(relay)
    QThreadPool.globalInstance().start(_Job(fn, relay))


def pending() -> int:
    """How many operations have not yet reported back (for tests and screenshots)."""
    return len(_PENDING)


def wait_idle(timeout_ms: int = 5000) -> bool:
    """Block until queued operations ran and their callbacks were delivered.

    Only for tests, screenshots and shutdown: screens never wait."""
    ok = domain_pool().waitForDone(timeout_ms)
    app = QCoreApplication.instance()
    if app is not None:
        for _ in range(5):
            app.processEvents()
    return ok
