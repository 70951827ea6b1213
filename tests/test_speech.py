"""The Speaker: chime then phrase, queued, never overlapping; with QtTextToSpeech's mock engine."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from PySide6.QtTextToSpeech import QTextToSpeech

from devices.speech import (QtVoice, RecordingChime, RecordingVoice, SilentChime, Speaker,
                            SpeechUnavailable, make_speaker, write_chime_wav)
from devices.speech.chime import chime_duration_ms
from devices.speech.recording import CHIME_MARK
from kiosk.announce import call_phrase, recall_phrase

needs_mock = pytest.mark.skipif("mock" not in QTextToSpeech.availableEngines(),
                                reason="QtTextToSpeech mock engine not in this PySide6 build")

P1 = call_phrase("A-012", 3)
P2 = call_phrase("B-014", 2)
P3 = recall_phrase("A-012", 3)


def words(text: str) -> list[str]:
    """How the mock engine splits text into spoken words (on runs of non-word characters)."""
    import re

    return [w for w in re.split(r"\W+", text) if w]


@pytest.fixture
def mock_speaker(qtbot):
    """A Speaker over the mock engine; ``heard`` gets each chime and each word as spoken."""
    voice = QtVoice("mock", require_indonesian=False, rate=1.0)
    heard: list[str] = []
    chime = RecordingChime(log=heard, duration_ms=30)
    voice.tts.sayingWord.connect(lambda word, _id, _start, _length: heard.append(word))
    speaker = Speaker(voice, chime, gap_ms=50)
    yield speaker, voice, heard
    speaker.clear()


@needs_mock
def test_mock_engine_speaks_exact_phrases_in_order(qtbot, mock_speaker) -> None:
    speaker, voice, heard = mock_speaker
    speaker.announce(P1)
    assert speaker.busy
    qtbot.waitUntil(lambda: speaker.history == [P1], timeout=5000)
    assert voice.spoken == [P1]
    assert heard == [CHIME_MARK, *words(P1)]


@needs_mock
def test_two_quick_calls_are_spoken_one_after_another(qtbot, mock_speaker) -> None:
    speaker, voice, heard = mock_speaker
    states: list[QTextToSpeech.State] = []
    voice.tts.stateChanged.connect(states.append)
    speaker.announce(P1)
    speaker.announce(P2)             # a second counter calls at once
    assert speaker.pending() == [P2]
    qtbot.waitUntil(lambda: len(speaker.history) == 2, timeout=8000)
    assert speaker.history == [P1, P2]
    assert voice.spoken == [P1, P2]
    # Every word of both phrases was heard, chime first each time: nothing was cut off.
    assert heard == [CHIME_MARK, *words(P1), CHIME_MARK, *words(P2)]
    # The engine went back to Ready before each new sentence: never asked to talk over itself.
    speaking = QTextToSpeech.State.Speaking
    ready = QTextToSpeech.State.Ready
    assert [s for s in states if s in (speaking, ready)] == [speaking, ready, speaking, ready]


@needs_mock
def test_recall_is_spoken_again(qtbot, mock_speaker) -> None:
    speaker, voice, heard = mock_speaker
    finished: list[str] = []
    speaker.finished.connect(finished.append)
    speaker.announce(P1)
    speaker.announce(P3)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=8000)
    assert finished == [P1, "Panggilan ulang. Nomor antrian A dua belas, silakan menuju loket tiga"]
    assert heard.count(CHIME_MARK) == 2
    assert heard[-len(words(P3)):] == words(P3)


def test_recording_drivers_never_overlap(qtbot) -> None:
    log: list[str] = []
    voice = RecordingVoice(log=log, duration_ms=40)
    chime = RecordingChime(log=log, duration_ms=20)
    speaker = Speaker(voice, chime, gap_ms=10)
    with qtbot.waitSignal(speaker.idle, timeout=5000):
        for phrase in (P1, P2, P3):
            speaker.announce(phrase)
    assert log == [CHIME_MARK, P1, CHIME_MARK, P2, CHIME_MARK, P3]
    assert voice.overlaps == 0 and chime.overlaps == 0
    assert not speaker.busy


def test_chime_alone_when_no_voice(qtbot) -> None:
    log: list[str] = []
    speaker = Speaker(None, RecordingChime(log=log), gap_ms=10)
    assert not speaker.speaks
    with qtbot.waitSignal(speaker.idle, timeout=3000):
        speaker.announce(P1)
        speaker.announce(P2)
    assert log == [CHIME_MARK, CHIME_MARK]
    assert speaker.history == [P1, P2]


def test_blank_phrase_is_ignored(qtbot) -> None:
    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log), None)
    speaker.announce("   ")
    assert not speaker.busy and log == []


class HungVoice:
    """A voice that never reports back, like a stuck speech-dispatcher."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.stopped = 0

    def speak(self, text, done) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stopped += 1


def test_watchdog_moves_on_when_voice_hangs(qtbot) -> None:
    voice = HungVoice()
    speaker = Speaker(voice, None, gap_ms=10, watchdog_ms=150)
    with qtbot.waitSignal(speaker.idle, timeout=3000):
        speaker.announce(P1)
        speaker.announce(P2)
    assert voice.said == [P1, P2]
    assert voice.stopped >= 2
    assert speaker.history == [P1, P2]


class BrokenChime:
    def play(self, done) -> None:
        raise OSError("audio device gone")

    def stop(self) -> None:
        pass


def test_broken_chime_does_not_stop_the_phrase(qtbot) -> None:
    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log), BrokenChime(), gap_ms=10)
    with qtbot.waitSignal(speaker.idle, timeout=3000):
        speaker.announce(P1)
    assert log == [P1]


def test_clear_drops_what_is_queued(qtbot) -> None:
    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log, duration_ms=200), None, gap_ms=10)
    speaker.announce(P1)
    speaker.announce(P2)
    speaker.clear()
    qtbot.wait(300)
    assert log == [P1] and speaker.history == [] and not speaker.busy


def test_record_to_file(qtbot, tmp_path: Path) -> None:
    out = tmp_path / "spoken.txt"
    speaker = make_speaker(record_to=out)
    with qtbot.waitSignal(speaker.idle, timeout=3000):
        speaker.announce(P1)
        speaker.announce(P3)
    assert out.read_text(encoding="utf-8").splitlines() == [CHIME_MARK, P1, CHIME_MARK, P3]


@needs_mock
def test_make_speaker_with_mock_engine(qtbot) -> None:
    speaker = make_speaker("mock")
    assert speaker.speaks
    with qtbot.waitSignal(speaker.idle, timeout=5000):
        speaker.announce("Tes satu dua")
    assert speaker.history == ["Tes satu dua"]


def test_make_speaker_without_engine_is_chime_alone(qtbot) -> None:
    speaker = make_speaker(None)
    assert not speaker.speaks and speaker.chime is not None


@needs_mock
def test_missing_engine_is_a_clear_error(qtbot) -> None:
    with pytest.raises(SpeechUnavailable, match="not installed"):
        QtVoice("no-such-engine")
    with pytest.raises(SpeechUnavailable, match="no Indonesian voice"):
        QtVoice("mock", require_indonesian=True)


def test_silent_chime_keeps_the_pause(qtbot) -> None:
    chime = SilentChime(pause_ms=50)
    done: list[int] = []
    chime.play(lambda: done.append(1))
    assert done == []
    qtbot.waitUntil(lambda: done == [1], timeout=1000)


def test_chime_wav_is_a_real_sound(tmp_path: Path) -> None:
    path = write_chime_wav(tmp_path / "chime.wav")
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert abs(seconds * 1000 - chime_duration_ms()) < 5
    assert max(frames) > 0  # not silence


def test_tone_chime_reports_done_even_without_an_audio_device(qtbot, tmp_path: Path) -> None:
    from devices.speech import ToneChime

    chime = ToneChime(write_chime_wav(tmp_path / "chime.wav"))
    done: list[int] = []
    chime.play(lambda: done.append(1))
    qtbot.waitUntil(lambda: done == [1], timeout=chime_duration_ms() + 3000)
    qtbot.wait(50)
    assert done == [1]          # once, not again when the effect later stops
