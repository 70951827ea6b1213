"""The announcement queue: a chime, then the phrase; the next one only after that ended.

Speech engines (QtTextToSpeech included) cut off the current sentence when asked to say a
new one, so two counters calling within a second would leave the waiting room hearing
half a number. The Speaker therefore owns the order: each announcement waits for the
previous one's "done" from its voice. A watchdog moves on if a voice never reports back
(a hung speech-dispatcher must not silence the board for the rest of the day).

Lives on the GUI thread; call ``announce`` there (the board does, from its signals).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)


class Voice(Protocol):
    def speak(self, text: str, done: Callable[[], None]) -> None:
        """Start speaking ``text``; call ``done()`` once it was spoken (or failed)."""

    def stop(self) -> None: ...


class Chime(Protocol):
    def play(self, done: Callable[[], None]) -> None:
        """Start the tone; call ``done()`` once it ended (or could not play)."""

    def stop(self) -> None: ...


class Speaker(QObject):
    """Speaks announcements one after another: chime, phrase, short pause, next."""

    #: an announcement began (its chime started); the phrase
    started = Signal(str)
    #: an announcement ended (its phrase was spoken, or the voice gave up); the phrase
    finished = Signal(str)
    #: nothing left to say
    idle = Signal()

    def __init__(self, voice: Voice | None, chime: Chime | None, parent: QObject | None = None,
                 *, gap_ms: int = 400, watchdog_ms: int = 30_000) -> None:
        """``watchdog_ms`` caps how long one announcement may take; shorter phrases get
        less (see ``_allowance``), so a silent, stuck engine delays the next call by
        seconds, not half a minute."""
        super().__init__(parent)
        self.voice = voice
        self.chime = chime
        self.gap_ms = gap_ms
        self.watchdog_ms = watchdog_ms
        self._queue: deque[str] = deque()
        self._current: str | None = None
        self._step = 0          # bumps at every step, so a late or repeated done() is ignored
        self.history: list[str] = []   # every phrase finished, oldest first
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._gap = QTimer(self)
        self._gap.setSingleShot(True)
        self._gap.timeout.connect(self._next)

    @property
    def speaks(self) -> bool:
        """Whether phrases are spoken (False: chime alone, or silent)."""
        return self.voice is not None

    @property
    def busy(self) -> bool:
        return self._current is not None or self._gap.isActive()

    @property
    def current(self) -> str | None:
        return self._current

    def pending(self) -> list[str]:
        return list(self._queue)

    def announce(self, phrase: str) -> None:
        """Queue ``phrase``; it is spoken after everything queued before it."""
        phrase = phrase.strip()
        if not phrase:
            return
        self._queue.append(phrase)
        if not self.busy:
            self._next()

    def clear(self) -> None:
        """Drop what is queued and stop what is playing (e.g. the board closes)."""
        self._queue.clear()
        self._step += 1
        self._watchdog.stop()
        self._gap.stop()
        for part in (self.chime, self.voice):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - stopping must never raise into the UI
                    log.exception("could not stop %r", part)
        self._current = None

    # --- the steps ------------------------------------------------------------------------
    def _next(self) -> None:
        if self._current is not None or not self._queue:
            if not self._queue and self._current is None:
                self.idle.emit()
            return
        self._current = self._queue.popleft()
        self.started.emit(self._current)
        self._watchdog.start(self._allowance(self._current))
        if self.chime is None:
            self._after_chime()
            return
        step = self._new_step()
        self._call(lambda: self.chime.play(self._once(step, self._after_chime)),
                   self._after_chime)

    def _after_chime(self) -> None:
        if self._current is None:
            return
        if self.voice is None:
            self._after_phrase()
            return
        step = self._new_step()
        phrase = self._current
        self._call(lambda: self.voice.speak(phrase, self._once(step, self._after_phrase)),
                   self._after_phrase)

    def _after_phrase(self) -> None:
        phrase = self._current
        if phrase is None:
            return
        self._new_step()
        self._watchdog.stop()
        self._current = None
        self.history.append(phrase)
        self.finished.emit(phrase)
        if self._queue:
            self._gap.start(self.gap_ms)
        else:
            self.idle.emit()

    def _on_watchdog(self) -> None:
        log.warning("speech: %r took longer than %d ms; moving on", self._current,
                    self._allowance(self._current or ""))
        for part in (self.chime, self.voice):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001
                    log.exception("could not stop %r", part)
        self._after_phrase()

    # --- helpers --------------------------------------------------------------------------
    def _allowance(self, phrase: str) -> int:
        """Time for chime + phrase: a slow voice reads ~10 characters a second; add the
        chime and slack for a speech-dispatcher that starts up on the first call."""
        return min(self.watchdog_ms, 5000 + 150 * len(phrase))

    def _new_step(self) -> int:
        self._step += 1
        return self._step

    def _once(self, step: int, then: Callable[[], None]) -> Callable[[], None]:
        """A done() callback that counts only once, and only for the step it was made for.
        Queued, so a driver calling done() inside play()/speak() does not recurse."""
        def done() -> None:
            if step == self._step:
                self._step += 1
                QTimer.singleShot(0, self, then)
        return done

    def _call(self, start: Callable[[], None], on_error: Callable[[], None]) -> None:
        try:
            start()
        except Exception:  # noqa: BLE001 - a broken device must not stop the queue
            log.exception("speech device failed; skipping this part of the announcement")
            self._new_step()
            QTimer.singleShot(0, self, on_error)
