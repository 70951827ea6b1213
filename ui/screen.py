"""What every screen repeats, written once: :class:`Screen` (words again on a language change,
back to its start on the idle timer, an end when it closes) and :class:`Coalesced` (one
fetch at a time, however many refreshes were asked for meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from ui.ops import run_op


class Screen(QWidget):
    """A screen or a panel of one. Subclasses build their widgets, then call :meth:`ready`
    (which words them); Qt's LanguageChange reaches :meth:`retranslate` only after that, so a
    language switched while a screen is being built never finds half a screen."""

    _ready = False

    def ready(self) -> None:
        """The widgets exist: word them now and on every language change."""
        self._ready = True
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible word in the current language."""

    def reset(self) -> None:
        """The idle timer fired: nothing of the last person may stay on screen."""

    def stop(self) -> None:
        """The screen is closing: stop its timers and loops."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._ready:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)


class Coalesced:
    """A refresh that runs ``fetch`` on the domain worker (ui.ops.run_op) and hands the result
    to ``done`` (or the error to ``failed``) on the GUI thread. Asked again while a fetch
    runs, it fetches once more after it, not once per ask: a burst of queue events costs two
    reads, not fifty."""

    def __init__(self, owner: QObject, fetch: Callable[[], Any], done: Callable[[Any], None],
                 failed: Callable[[Exception], None]) -> None:
        self._owner = owner
        self._fetch = fetch
        self._done = done
        self._failed = failed
        self.running = False
        self._again = False

    def __call__(self) -> None:
        if self.running:
            self._again = True
            return
        self.running = True
        run_op(self._owner, self._fetch, self._succeeded, self._broke)

    def _succeeded(self, result: Any) -> None:
        self.running = False
        self._done(result)
        if self._again:
            self._again = False
            self()

    def _broke(self, exc: Exception) -> None:
        self.running = False
        self._again = False      # whoever handles the failure decides when to try again
        self._failed(exc)
