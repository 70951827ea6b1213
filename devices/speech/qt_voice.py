"""The real voice: QtTextToSpeech.

On the board's Raspberry Pi the engine is "speechd" (speech-dispatcher) with espeak-ng's
Indonesian voice, installed by scripts/setup. QtTextToSpeech was chosen over calling
espeak-ng directly because it reports when a sentence has been spoken (``stateChanged``),
which is what the Speaker needs to keep announcements from overlapping, and because its
"mock" engine lets the tests run the very same code path without an audio device.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QLocale, QObject
from PySide6.QtTextToSpeech import QTextToSpeech

log = logging.getLogger(__name__)

INDONESIAN = QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)


class SpeechUnavailable(RuntimeError):
    """No usable text-to-speech engine here; the board falls back to a chime alone."""


def engines() -> list[str]:
    return list(QTextToSpeech.availableEngines())


class QtVoice(QObject):
    """A Voice over one QTextToSpeech engine.

    ``require_indonesian``: refuse an engine that has no Indonesian voice, rather than read
    Indonesian numbers with English rules ("dua belas" spelt out by an English voice is
    worse than a chime). The mock engine has no Indonesian and is used with False.
    """

    def __init__(self, engine: str = "speechd", *, require_indonesian: bool = True,
                 rate: float = -0.15, volume: float = 1.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if engine not in engines():
            raise SpeechUnavailable(
                f"text-to-speech engine {engine!r} is not installed (have: {engines() or 'none'}); "
                "run scripts/setup (speech-dispatcher, espeak-ng)")
        self.engine = engine
        self.tts = QTextToSpeech(engine, self)
        if self.tts.state() == QTextToSpeech.State.Error:
            raise SpeechUnavailable(f"text-to-speech engine {engine!r} failed to start: "
                                    f"{self.tts.errorString() or 'no reason given'}")
        self.indonesian = self._choose_indonesian()
        if require_indonesian and not self.indonesian:
            raise SpeechUnavailable(
                f"text-to-speech engine {engine!r} has no Indonesian voice; install "
                "espeak-ng (scripts/setup) or use a chime alone")
        self.tts.setRate(rate)
        self.tts.setVolume(volume)
        self.spoken: list[str] = []       # phrases handed to the engine, in order
        self._done: Callable[[], None] | None = None
        self._waiting_text: str | None = None  # asked to speak before the engine was ready
        self._started = False
        self.tts.stateChanged.connect(self._on_state)

    def _choose_indonesian(self) -> bool:
        if not any(loc.language() == QLocale.Language.Indonesian
                   for loc in self.tts.availableLocales()):
            return False
        self.tts.setLocale(INDONESIAN)
        voices = [v for v in self.tts.availableVoices()
                  if v.locale().language() == QLocale.Language.Indonesian]
        if voices:
            self.tts.setVoice(voices[0])
        return True

    def speak(self, text: str, done: Callable[[], None]) -> None:
        if self.tts.state() == QTextToSpeech.State.Error:
            log.warning("speech engine in error (%s); not speaking %r",
                        self.tts.errorString(), text)
            done()
            return
        self._done = done
        self._started = False
        self.spoken.append(text)
        if self.tts.state() == QTextToSpeech.State.Ready:
            self.tts.say(text)
        else:  # still starting up (speechd may initialise late): say it once ready
            self._waiting_text = text

    def stop(self) -> None:
        self._done = None
        self._waiting_text = None
        self.tts.stop()

    def _on_state(self, state: QTextToSpeech.State) -> None:
        if state == QTextToSpeech.State.Speaking:
            self._started = True
            return
        if state == QTextToSpeech.State.Ready and self._waiting_text is not None:
            text, self._waiting_text = self._waiting_text, None
            self.tts.say(text)
            return
        finished = state == QTextToSpeech.State.Ready and self._started
        failed = state == QTextToSpeech.State.Error
        if (finished or failed) and self._done is not None:
            if failed:
                log.warning("speech engine error: %s", self.tts.errorString())
            done, self._done = self._done, None
            done()
