"""The real voice: QtTextToSpeech.

On the board's Raspberry Pi the engine is "speechd" (speech-dispatcher) with espeak-ng's
Indonesian voice, installed by scripts/setup. QtTextToSpeech was chosen over calling
espeak-ng directly because it reports when a sentence has been spoken (``stateChanged``),
which is what the Speaker needs to keep announcements from overlapping, and because its
"mock" engine lets the tests run the very same code path without an audio device.

Starting the "speechd" engine connects to speech-dispatcher and waits for its answer with no
time limit, holding Python's GIL; a daemon that hangs would keep the board from ever showing.
So the engine is first started in a short-lived child process (``PROBE_TIMEOUT_S``), from a
thread; only when that answered is it opened here, which is then quick (the daemon runs).
Until then the voice is not ``ready`` and each phrase is skipped at once (the board shows
calls, the chime still rings). The in-process "mock" engine starts at once, as tests expect.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QLocale, QObject, Signal
from PySide6.QtTextToSpeech import QTextToSpeech

log = logging.getLogger(__name__)

#: How long the child process may take to start the engine before the board gives up on speech.
PROBE_TIMEOUT_S = 20.0
_PROBE = ("import sys\n"
          "from PySide6.QtCore import QCoreApplication\n"
          "app = QCoreApplication([])\n"
          "from PySide6.QtTextToSpeech import QTextToSpeech\n"
          "print(QTextToSpeech(sys.argv[1]).state().name)\n")

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
    ``background``: start the engine on its own thread (default: every engine but "mock").
    A refusal found there is logged and leaves the voice silent (``failed``).
    """

    #: the engine answered (True) or refused (False); emitted on the GUI thread
    started = Signal(bool)
    _probed = Signal(str)

    def __init__(self, engine: str = "speechd", *, require_indonesian: bool = True,
                 rate: float = -0.15, volume: float = 1.0, background: bool | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if engine not in engines():
            raise SpeechUnavailable(
                f"text-to-speech engine {engine!r} is not installed (have: {engines() or 'none'}); "
                "run scripts/setup (speech-dispatcher, espeak-ng)")
        self.engine = engine
        self.require_indonesian = require_indonesian
        self.rate = rate
        self.volume = volume
        self.tts: QTextToSpeech | None = None
        self.indonesian = False
        self.failed: str | None = None
        self.spoken: list[str] = []       # phrases handed to the engine, in order
        self._done: Callable[[], None] | None = None
        self._waiting_text: str | None = None  # asked to speak before the engine was ready
        self._started = False
        if background is None:
            background = engine != "mock"
        if not background:
            tts, problem = self._open()
            if problem:
                raise SpeechUnavailable(problem)
            self._adopt(tts, "")
            return
        self._probed.connect(self._after_probe)
        threading.Thread(target=self._probe, name=f"tts-probe-{engine}", daemon=True).start()

    def _probe(self) -> None:
        """On a thread: start the engine in a child process, with a time limit."""
        try:
            done = subprocess.run([sys.executable, "-c", _PROBE, self.engine], text=True,
                                  capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
            state = done.stdout.strip().splitlines()[-1:] or [""]
            problem = "" if state == ["Ready"] else (
                f"text-to-speech engine {self.engine!r} did not start "
                f"(state {state[0] or 'unknown'}, exit {done.returncode})")
        except subprocess.TimeoutExpired:
            problem = (f"text-to-speech engine {self.engine!r} gave no answer within "
                       f"{PROBE_TIMEOUT_S:g} s; is speech-dispatcher hung? (systemctl --user "
                       "restart speech-dispatcher)")
        except OSError as exc:
            problem = f"text-to-speech engine {self.engine!r} could not be tried: {exc}"
        try:
            self._probed.emit(problem)
        except RuntimeError:
            log.debug("speech probe finished after its voice was deleted")

    def _after_probe(self, problem: str) -> None:
        if problem:
            self._adopt(None, problem)
        else:
            self._adopt(*self._open())

    @property
    def ready(self) -> bool:
        """Whether the engine has started and can speak."""
        return self.tts is not None

    def _open(self) -> tuple[QTextToSpeech | None, str]:
        """Start the engine here (blocks on a hung speech-dispatcher: probe first);
        returns (engine, "") or (None, why not)."""
        try:
            tts = QTextToSpeech(self.engine)
            if tts.state() == QTextToSpeech.State.Error:
                return None, (f"text-to-speech engine {self.engine!r} failed to start: "
                              f"{tts.errorString() or 'no reason given'}")
            self.indonesian = self._choose_indonesian(tts)
            if self.require_indonesian and not self.indonesian:
                return None, (f"text-to-speech engine {self.engine!r} has no Indonesian voice; "
                              "install espeak-ng (scripts/setup) or use a chime alone")
            tts.setRate(self.rate)
            tts.setVolume(self.volume)
            return tts, ""
        except Exception as exc:  # noqa: BLE001 - a broken engine must leave the board running
            return None, f"text-to-speech engine {self.engine!r} failed to start: {exc}"

    def _adopt(self, tts: QTextToSpeech | None, problem: str) -> None:
        if tts is None:
            self.failed = problem
            log.warning("speech: %s; calls get a chime alone", problem)
            self.started.emit(False)
            return
        tts.setParent(self)
        self.tts = tts
        tts.stateChanged.connect(self._on_state)
        self.started.emit(True)

    @staticmethod
    def _choose_indonesian(tts: QTextToSpeech) -> bool:
        if not any(loc.language() == QLocale.Language.Indonesian
                   for loc in tts.availableLocales()):
            return False
        tts.setLocale(INDONESIAN)
        voices = [v for v in tts.availableVoices()
                  if v.locale().language() == QLocale.Language.Indonesian]
        if voices:
            tts.setVoice(voices[0])
        return True

    def speak(self, text: str, done: Callable[[], None]) -> None:
        if self.tts is None:
            log.info("speech engine not started (%s); not speaking %r",
                     self.failed or "still waiting for it", text)
            done()
            return
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
        if self.tts is not None:
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
