"""The file/replay drivers: write down what would be heard instead of playing it.

Used by tests, by ``kiosk`` runs on machines without audio, and to review a day's calls
afterwards. Each takes time like the real thing (``duration_ms``), so the Speaker's queue
is exercised exactly as with a voice, and can share one ``log`` list with the other, so a
test sees the true order: ``["<chime>", "Nomor antrian ...", "<chime>", ...]``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

CHIME_MARK = "<chime>"


class _Recorder(QObject):
    def __init__(self, log: list[str] | None, path: Path | None, duration_ms: int,
                 parent: QObject | None) -> None:
        super().__init__(parent)
        self.log: list[str] = log if log is not None else []
        self.path = Path(path) if path is not None else None
        self.duration_ms = duration_ms
        self.active: str | None = None      # what is "playing" now
        self.overlaps = 0                   # times asked to start while still playing
        self._done: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._finish)

    def _start(self, text: str, done: Callable[[], None]) -> None:
        if self.active is not None:
            self.overlaps += 1
        self.active = text
        self.log.append(text)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(text + "\n")
        self._done = done
        self._timer.start(self.duration_ms)

    def stop(self) -> None:
        self._timer.stop()
        self._done = None
        self.active = None

    def _finish(self) -> None:
        self.active = None
        if self._done is not None:
            done, self._done = self._done, None
            done()


class RecordingVoice(_Recorder):
    """A Voice that records each phrase (to ``log`` and, if given, a line in ``path``)."""

    def __init__(self, log: list[str] | None = None, path: Path | None = None,
                 duration_ms: int = 0, parent: QObject | None = None) -> None:
        super().__init__(log, path, duration_ms, parent)

    def speak(self, text: str, done: Callable[[], None]) -> None:
        self._start(text, done)


class RecordingChime(_Recorder):
    """A Chime that records ``<chime>``."""

    def __init__(self, log: list[str] | None = None, path: Path | None = None,
                 duration_ms: int = 0, parent: QObject | None = None) -> None:
        super().__init__(log, path, duration_ms, parent)

    def play(self, done: Callable[[], None]) -> None:
        self._start(CHIME_MARK, done)
