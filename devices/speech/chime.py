"""The attention tone before each call: a soft two-note "ding-dong".

The WAV is generated with the standard library's ``wave`` module (no binary file in the
repository, and its length is known exactly). QSoundEffect plays short uncompressed sounds
with low latency, which is what a chime needs.
"""

from __future__ import annotations

import logging
import math
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl

log = logging.getLogger(__name__)

SAMPLE_RATE = 22_050
#: (frequency Hz, seconds): E5 then C5, the familiar public-address interval.
NOTES = ((659.25, 0.45), (523.25, 0.75))


def chime_samples(volume: float = 0.6) -> list[int]:
    """16-bit mono samples: each note a sine with its overtone, fading out like a bell."""
    samples: list[int] = []
    for freq, seconds in NOTES:
        count = int(SAMPLE_RATE * seconds)
        for i in range(count):
            t = i / SAMPLE_RATE
            attack = min(1.0, i / (SAMPLE_RATE * 0.01))
            envelope = attack * math.exp(-3.2 * t / seconds)
            value = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(max(-1.0, min(1.0, volume * envelope * value / 1.3)) * 32767))
    return samples


def chime_duration_ms() -> int:
    return int(sum(seconds for _, seconds in NOTES) * 1000)


def write_chime_wav(path: Path) -> Path:
    path = Path(path)
    samples = chime_samples()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


def audio_output_available() -> bool:
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())


class ToneChime(QObject):
    """Plays the chime on the default audio output through QSoundEffect."""

    def __init__(self, wav: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QSoundEffect

        if wav is None:
            wav = Path(tempfile.gettempdir()) / "kiosk-chime.wav"
            write_chime_wav(wav)
        self.wav = Path(wav)
        self.effect = QSoundEffect(self)
        self.effect.setSource(QUrl.fromLocalFile(str(self.wav)))
        self.effect.setVolume(0.9)
        self._done: Callable[[], None] | None = None
        self._fallback = QTimer(self)   # if the device never reports the end of the tone
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._finish)
        self.effect.playingChanged.connect(self._on_playing)
        self.effect.statusChanged.connect(self._on_status)

    def play(self, done: Callable[[], None]) -> None:
        self._done = done
        self.effect.play()
        self._fallback.start(chime_duration_ms() + 1500)

    def stop(self) -> None:
        self._done = None
        self._fallback.stop()
        self.effect.stop()

    def _on_playing(self) -> None:
        if not self.effect.isPlaying():
            self._finish()

    def _on_status(self) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        if self.effect.status() == QSoundEffect.Status.Error:
            log.warning("chime: cannot play %s on this audio output", self.wav)
            self._finish()

    def _finish(self) -> None:
        self._fallback.stop()
        if self._done is not None:
            done, self._done = self._done, None
            done()


class SilentChime(QObject):
    """No audio device: keep the chime's pause (so pacing stays the same) without a sound."""

    def __init__(self, pause_ms: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pause_ms = pause_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._done: Callable[[], None] | None = None
        self._timer.timeout.connect(self._finish)

    def play(self, done: Callable[[], None]) -> None:
        self._done = done
        self._timer.start(self.pause_ms)

    def stop(self) -> None:
        self._done = None
        self._timer.stop()

    def _finish(self) -> None:
        if self._done is not None:
            done, self._done = self._done, None
            done()
