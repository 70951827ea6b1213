"""A tap that lands on a screen that just changed is not meant for it.

Elderly users double-tap: the first tap on a service card opens the service page, and the
second lands on whatever button now sits under the finger ("Ambil Nomor"), skipping the
priority choice. Every ``QStackedWidget`` that shows pages is handed to ``guard_page_changes``
once; for ``SETTLE_S`` after its page changes, presses and releases on that stack are dropped.
One helper for every screen change, so no button needs its own debounce.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

#: How long a just-changed screen ignores taps (a double tap's two halves are < 300 ms apart).
SETTLE_S = 0.4

_TAP_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
               QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin,
               QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd}

_clock: Callable[[], float] = time.monotonic


def set_clock(clock: Callable[[], float] | None) -> None:
    """Replace the monotonic clock (tests step it instead of sleeping); None restores it."""
    global _clock
    _clock = clock or time.monotonic


def now() -> float:
    return _clock()


class _PageGuard(QObject):
    """Application event filter of one stack: drops taps inside it while it settles."""

    def __init__(self, stack: QStackedWidget) -> None:
        super().__init__(stack)
        self._stack = stack
        self._changed_at: float | None = None
        stack.currentChanged.connect(self._changed)

    def _changed(self, _index: int) -> None:
        self._changed_at = now()

    def settling(self) -> bool:
        return self._changed_at is not None and 0 <= now() - self._changed_at < SETTLE_S

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (event.type() in _TAP_EVENTS and isinstance(watched, QWidget)
                and self.settling() and self._stack.isAncestorOf(watched)):
            return True
        return False


def guard_page_changes(stack: QStackedWidget) -> None:
    """Ignore taps on ``stack`` for ``SETTLE_S`` after each change of its current page."""
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(_PageGuard(stack))
