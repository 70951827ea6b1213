"""Spoken calls for the display board: a chime, then the Indonesian phrase, one at a time.

    Speaker            queues announcements; never starts one before the last one ended
    ├── Voice          speaks a phrase: QtVoice (QtTextToSpeech, "speechd" with espeak-ng's
    │                  Indonesian voice; "mock" in tests) or RecordingVoice (list/file)
    └── Chime          the attention tone before each phrase: ToneChime (QSoundEffect with a
                       generated WAV), SilentChime (no audio device), RecordingChime

``make_speaker()`` picks the real parts that work on this machine: speech when an engine
with an Indonesian voice is there, a chime alone when not, and silence without an audio
device (the board still shows every call).
"""

from devices.speech.chime import SilentChime, ToneChime, write_chime_wav
from devices.speech.factory import make_speaker
from devices.speech.qt_voice import QtVoice, SpeechUnavailable
from devices.speech.recording import RecordingChime, RecordingVoice
from devices.speech.speaker import Chime, Speaker, Voice

__all__ = [
    "Chime", "QtVoice", "RecordingChime", "RecordingVoice", "SilentChime", "Speaker",
    "SpeechUnavailable", "ToneChime", "Voice", "make_speaker", "write_chime_wav",
]
