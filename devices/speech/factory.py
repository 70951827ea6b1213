"""Build the Speaker that fits this machine (called by the composition root for the board)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject

from devices.speech.chime import SilentChime, ToneChime, audio_output_available
from devices.speech.qt_voice import QtVoice, SpeechUnavailable
from devices.speech.recording import RecordingChime, RecordingVoice
from devices.speech.speaker import Speaker

log = logging.getLogger(__name__)


def make_speaker(engine: str | None = "speechd", *, record_to: Path | None = None,
                 chime: bool = True, parent: QObject | None = None) -> Speaker:
    """The best Speaker available.

    ``record_to``: write what would be spoken to this file instead of playing it.
    ``engine``: a QtTextToSpeech engine name, or None for a chime alone.
    Without an audio output the chime is silent; speech is still attempted, because
    speech-dispatcher may route sound itself.
    """
    if record_to is not None:
        return Speaker(RecordingVoice(path=record_to), RecordingChime(path=record_to), parent)
    voice = None
    if engine:
        try:
            voice = QtVoice(engine, require_indonesian=(engine != "mock"))
        except SpeechUnavailable as exc:
            log.warning("speech: %s; calls get a chime alone", exc)
    tone = None
    if chime:
        if audio_output_available():
            tone = ToneChime()
        else:
            log.warning("speech: no audio output device; the chime is silent")
            tone = SilentChime(pause_ms=300)
    speaker = Speaker(voice, tone, parent)
    for part in (voice, tone):
        if part is not None:
            part.setParent(speaker)
    return speaker
