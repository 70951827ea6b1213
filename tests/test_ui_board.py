"""The display board: shows calls as they happen, speaks each call and recall in order, shows
counters, waiting counts and the running text, and says when it lost the edge."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtTextToSpeech import QTextToSpeech
from ui_support import FlakyQueue, make_context

from devices.speech import QtVoice, RecordingChime, RecordingVoice, Speaker
from devices.speech.recording import CHIME_MARK
from kiosk.queue import LocalQueue
from ui import ops
from ui.board import BoardScreen

MOCK = "mock" in QTextToSpeech.availableEngines()


@pytest.fixture
def open_board(qtbot):
    boards: list[BoardScreen] = []

    def _open(ctx) -> BoardScreen:
        board = BoardScreen(ctx)
        qtbot.addWidget(board)
        board.resize(1920, 1080)
        board.show()
        boards.append(board)
        qtbot.waitUntil(lambda: board.state is not None and board.watcher.following,
                        timeout=5000)
        return board

    yield _open
    for board in boards:
        board.stop()
        if board.speaker is not None:
            board.speaker.clear()
    QThreadPool.globalInstance().waitForDone(3000)
    ops.wait_idle()


def test_board_shows_a_call_and_queues_the_phrase(qtbot, runtime, open_board) -> None:
    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log), RecordingChime(log=log), gap_ms=10)
    services = make_context(runtime, speaker=speaker)
    queue = services.office.queue
    for _ in range(12):
        queue.issue_ticket("svc-a")
    for _ in range(11):                           # A-001..A-011 served earlier today
        ticket = queue.call_next("counter-2", ["svc-a"])
        queue.finish(ticket.id)
    board = open_board(services)
    assert board.announced == []                  # earlier calls are not announced again

    called = queue.call_next("counter-3", ["svc-a"])
    assert called.number == "A-012"
    expected = "Nomor antrian A dua belas, silakan menuju loket tiga"
    # The state refresh may show the number a moment before the call event announces it.
    qtbot.waitUntil(lambda: board.announced != [], timeout=2000)
    assert board.announced == [expected]
    assert board.current_number.text() == "A-012"
    assert board.current_counter.text() == "Loket 3"
    qtbot.waitUntil(lambda: speaker.history == [expected], timeout=3000)
    assert log == [CHIME_MARK, expected]
    qtbot.waitUntil(lambda: board.serving_shown == {3: "A-012"}, timeout=2000)
    assert board.recent_rows[0][0].text() == "A-011"
    assert board.recent_rows[0][1].text() == "Loket 2"


@pytest.mark.skipif(not MOCK, reason="QtTextToSpeech mock engine not in this PySide6 build")
def test_quick_calls_and_a_recall_are_spoken_in_order_with_the_mock_engine(
        qtbot, runtime, open_board) -> None:
    voice = QtVoice("mock", require_indonesian=False, rate=1.0)
    heard: list[str] = []
    voice.tts.sayingWord.connect(lambda word, *_: heard.append(word))
    speaker = Speaker(voice, RecordingChime(log=heard, duration_ms=20), gap_ms=20)
    services = make_context(runtime, speaker=speaker)
    queue = services.office.queue
    queue.issue_ticket("svc-a")
    queue.issue_ticket("svc-b")
    board = open_board(services)

    first = queue.call_next("counter-1", ["svc-a"])    # two counters call at nearly once
    second = queue.call_next("counter-2", ["svc-b"])
    queue.recall(first.id)                             # and the first citizen is called again
    phrases = [
        "Nomor antrian A satu, silakan menuju loket satu",
        "Nomor antrian B satu, silakan menuju loket dua",
        "Panggilan ulang. Nomor antrian A satu, silakan menuju loket satu",
    ]
    qtbot.waitUntil(lambda: speaker.history == phrases, timeout=10_000)
    assert voice.spoken == phrases
    expected_heard: list[str] = []
    for phrase in phrases:
        expected_heard += [CHIME_MARK, *phrase.replace(",", "").replace(".", "").split()]
    assert heard == expected_heard                     # every word of each: none cut off
    assert board.announced == phrases
    assert second.number == "B-001"
    qtbot.waitUntil(lambda: board.current_number.text() == "A-001", timeout=2000)


def test_board_shows_waiting_counts_serving_and_running_text(qtbot, runtime, open_board) -> None:
    services = make_context(runtime)
    queue = services.office.queue
    for service in ("svc-a", "svc-a", "svc-b", "svc-c", "svc-c", "svc-c"):
        queue.issue_ticket(service)
    board = open_board(services)
    assert board.current_number.text() == "—"
    assert board.ticker.text().startswith("Selamat datang di Kantor Kelurahan")
    waiting = {board.waiting_box.itemAtPosition(r, 0).widget().text():
               board.waiting_box.itemAtPosition(r, 1).widget().text()
               for r in range(board.waiting_box.rowCount())
               if board.waiting_box.itemAtPosition(r, 0) is not None}
    assert waiting == {"A": "2 orang", "B": "1 orang", "C": "3 orang"}

    queue.call_next("counter-1", ["svc-c"])
    queue.call_next("counter-2", ["svc-a"])
    qtbot.waitUntil(lambda: board.serving_shown == {1: "C-001", 2: "A-001"}, timeout=3000)
    # A new ticket at the kiosk changes the waiting count without any call.
    queue.issue_ticket("svc-b")
    qtbot.waitUntil(lambda: board.state.waiting.get("B") == 2, timeout=3000)


def test_lost_connection_banner(qtbot, runtime, open_board) -> None:
    queue = FlakyQueue(runtime)
    board = open_board(make_context(runtime, queue=queue))
    assert not board.banner.isVisible()
    queue.down.set()
    qtbot.waitUntil(lambda: board.banner.isVisible(), timeout=2000)
    assert "terputus" in board.banner.text()
    queue.down.clear()
    qtbot.waitUntil(lambda: not board.banner.isVisible(), timeout=2000)


def test_reset_is_harmless(qtbot, runtime, open_board) -> None:
    services = make_context(runtime)
    services.office.queue.issue_ticket("svc-a")
    services.office.queue.call_next("counter-1")
    board = open_board(services)
    qtbot.waitUntil(lambda: board.current_number.text() == "A-001", timeout=2000)
    board.reset()
    assert board.current_number.text() == "A-001"
    assert board.watcher.running


def test_counter_calls_next_and_the_board_shows_and_speaks_it(qtbot, runtime, open_board) -> None:
    """The journey end to end: Rina taps "Panggil Berikutnya" at loket 2; the board shows
    B-014 and queues "Nomor antrian B empat belas, silakan menuju loket dua"; her recall is
    spoken again."""
    from PySide6.QtCore import Qt

    from ui.counter import CounterScreen

    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log, duration_ms=30), RecordingChime(log=log),
                      gap_ms=10)
    services = make_context(runtime, speaker=speaker)
    queue = services.office.queue
    for _ in range(14):
        queue.issue_ticket("svc-b")
    for _ in range(13):
        queue.finish(queue.call_next("counter-1", ["svc-b"]).id)
    board = open_board(services)

    counter = CounterScreen(make_context(runtime, queue=LocalQueue(runtime)))
    qtbot.addWidget(counter)
    counter.resize(1280, 800)
    counter.show()
    try:
        def tap(button) -> None:
            qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=3000)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: "emp-2002" in counter.sign_in.staff_buttons, timeout=3000)
        tap(counter.sign_in.staff_buttons["emp-2002"])
        tap(counter.sign_in.counter_buttons["counter-2"])
        tap(counter.sign_in.start_button)
        tap(counter.call_button)
        qtbot.waitUntil(lambda: board.current_number.text() == "B-014", timeout=3000)
        assert board.current_counter.text() == "Loket 2"
        call = "Nomor antrian B empat belas, silakan menuju loket dua"
        qtbot.waitUntil(lambda: speaker.history == [call], timeout=3000)
        tap(counter.recall_button)
        recall = "Panggilan ulang. " + call
        qtbot.waitUntil(lambda: speaker.history == [call, recall], timeout=3000)
        assert log == [CHIME_MARK, call, CHIME_MARK, recall]
        assert board.announced == [call, recall]
    finally:
        counter.stop()


@pytest.mark.slow
def test_over_the_office_lan(qtbot, runtime, open_board) -> None:
    """A counter console and a board on other machines, both over the real LAN API (uvicorn
    on loopback): the counter's call reaches the board and is spoken; when the edge goes
    away the board says so."""
    from PySide6.QtCore import Qt

    from sync.lan.client import RemoteQueue
    from tests.lan_support import TOKEN, edge_in_thread
    from ui.counter import CounterScreen
    from ui.counter_sign_in import UNNAMED

    log: list[str] = []
    speaker = Speaker(RecordingVoice(log=log), RecordingChime(log=log), gap_ms=10)
    LocalQueue(runtime).issue_ticket("svc-c")
    with edge_in_thread(runtime) as edge:
        board_queue = RemoteQueue(edge.url, TOKEN, stream_silence=1.0, backoff=(0.05, 0.2))
        counter_queue = RemoteQueue(edge.url, TOKEN)
        board = open_board(make_context(runtime, queue=board_queue, speaker=speaker))
        counter = CounterScreen(make_context(runtime, queue=counter_queue))
        qtbot.addWidget(counter)
        counter.resize(1280, 800)
        counter.show()
        try:
            def tap(button) -> None:
                qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=5000)
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

            # The employee list comes from the edge across the LAN.
            qtbot.waitUntil(lambda: "emp-2002" in counter.sign_in.staff_buttons, timeout=5000)
            assert counter.sign_in.staff_buttons["emp-2002"].text() == "Rina Wulandari"
            assert UNNAMED not in counter.sign_in.staff_buttons
            tap(counter.sign_in.staff_buttons["emp-2002"])
            tap(counter.sign_in.counter_buttons["counter-3"])
            tap(counter.sign_in.start_button)
            tap(counter.call_button)
            qtbot.waitUntil(lambda: board.current_number.text() == "C-001", timeout=3000)
            assert board.current_counter.text() == "Loket 3"
            qtbot.waitUntil(lambda: speaker.history == [
                "Nomor antrian C satu, silakan menuju loket tiga"], timeout=3000)
            assert not board.banner.isVisible()
        finally:
            counter.stop()
    # The edge is gone (its server stopped): the board says so and keeps what it showed.
    qtbot.waitUntil(lambda: board.banner.isVisible(), timeout=5000)
    assert board.current_number.text() == "C-001"
    board.stop()
    board_queue.close()
    counter_queue.close()


def test_translations_complete_and_board_switches_to_english(qtbot, runtime, open_board) -> None:
    import xml.etree.ElementTree as ET
    from pathlib import Path

    import ui
    from ui.i18n import set_language

    ts = Path(ui.__file__).parent / "translations" / "counter_board_en.ts"
    messages = list(ET.parse(ts).getroot().iter("message"))
    assert len(messages) >= 50
    for message in messages:
        translation = message.find("translation")
        assert translation.text and translation.get("type") is None, message.find("source").text

    services = make_context(runtime)
    services.office.queue.issue_ticket("svc-a")
    services.office.queue.call_next("counter-3")
    board = open_board(services)
    qtbot.waitUntil(lambda: board.current_counter.text() == "Loket 3", timeout=3000)
    try:
        set_language("en")
        qtbot.waitUntil(lambda: board.current_counter.text() == "Counter 3", timeout=2000)
        assert board.current_title.text() == "Queue Number"
    finally:
        set_language("id")
    qtbot.waitUntil(lambda: board.current_title.text() == "Nomor Antrian", timeout=2000)


def test_board_colours_read_across_the_room() -> None:
    from ui import board as board_mod
    from ui.theme import contrast_ratio

    for what, fg, bg in board_mod.CONTRAST_PAIRS:
        assert contrast_ratio(fg, bg) >= 4.5, what


def test_before_the_first_call_the_board_says_wait_in_a_size_that_fits(qtbot, runtime,
                                                                        open_board) -> None:
    services = make_context(runtime)
    board = open_board(services)
    assert board.current_number.text() == "—"
    assert board.current_counter.text() == "Silakan menunggu"
    width = board.current_counter.fontMetrics().horizontalAdvance("Silakan menunggu")
    assert width <= board.current_counter.width(), "the waiting line is clipped"
    ticket = services.office.queue.issue_ticket("svc-b").ticket
    services.office.queue.call_next("counter-1", ["svc-b"])
    qtbot.waitUntil(lambda: board.current_number.text() == ticket.number, timeout=3000)
    assert board.current_counter.text() == "Loket 1"
    assert board.current_counter.property("px") == 150     # the counter in its big size again


@pytest.fixture
def silent_speech_dispatcher(tmp_path, monkeypatch):
    """A speech-dispatcher socket that accepts and never answers (a hung daemon): the real
    libspeechd behind QtTextToSpeech's "speechd" engine waits on it with no time limit."""
    import socket

    path = tmp_path / "speechd.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
    monkeypatch.setenv("SPEECHD_SOCK", str(path))
    yield path
    server.close()                                # the waiting client gets EOF and gives up


@pytest.mark.timeout(15, method="thread")
@pytest.mark.skipif("speechd" not in QTextToSpeech.availableEngines(),
                    reason="QtTextToSpeech speechd engine not in this PySide6 build")
def test_board_shows_and_updates_while_speech_dispatcher_never_answers(
        qtbot, runtime, open_board, silent_speech_dispatcher) -> None:
    from devices.speech import make_speaker

    speaker = make_speaker("speechd", chime=False)   # must return although the engine hangs
    board = open_board(make_context(runtime, speaker=speaker))
    qtbot.waitExposed(board)
    assert speaker.voice is not None and not speaker.voice.ready
    queue = board.ctx.office.queue
    queue.issue_ticket("svc-b")
    queue.call_next("counter-1", ["svc-b"])
    qtbot.waitUntil(lambda: board.current_number.text() == "B-001", timeout=5000)
    qtbot.waitUntil(lambda: speaker.history != [], timeout=5000)   # the call moved on unspoken
    assert not speaker.voice.ready


@pytest.mark.parametrize("size", [(1280, 720), (1280, 800), (1920, 1080)])
def test_board_lays_out_from_its_screen_size(qtbot, runtime, open_board, tmp_path, size) -> None:
    """On a 1280x800 screen the board once opened 1280x1024 and "B-001" read "3-001": the
    window must fit the screen and the called number must fit its label, at each size."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QFontMetrics

    services = make_context(runtime)
    board = open_board(services)
    board.resize(*size)
    queue = services.office.queue
    for _ in range(3):
        queue.issue_ticket("svc-b")
    queue.call_next("counter-3", ["svc-b"])
    qtbot.waitUntil(lambda: board.current_number.text() == "B-001", timeout=3000)
    qtbot.waitUntil(lambda: board.size() == QSize(*size), timeout=3000)
    hint = board.minimumSizeHint()
    assert hint.width() <= size[0] and hint.height() <= size[1], hint

    def number_and_counter_fit() -> None:
        for label in (board.current_number, board.current_counter):
            metrics = QFontMetrics(label.font())
            assert metrics.horizontalAdvance(label.text()) <= label.width(), (label.text(), size)
            assert metrics.height() <= label.height(), (label.text(), size)
            assert label.visibleRegion().boundingRect().height() >= metrics.height()

    # The layout settles on the event loop after the resize (slower on a busy machine).
    qtbot.waitUntil(number_and_counter_fit, timeout=3000)
    from PySide6.QtWidgets import QLabel

    for label in board.findChildren(QLabel):      # no title or row cut at the bottom
        if label.isVisible() and label.text() and label.property("base_px") is not None:
            assert QFontMetrics(label.font()).height() <= label.height() + 2, (label.text(), size)
    if size == (1920, 1080):
        assert board.current_number.property("px") == 300      # the full size on a big TV
    board.grab().save(str(tmp_path / f"board-{size[0]}x{size[1]}.id.png"))


def test_the_display_window_fits_a_1280x720_screen(qtbot, runtime) -> None:
    """The whole window of the display role (board and the PIN pad behind it), not only the
    board, may be as small as the smallest TV the office uses."""
    from ui_support import open_shell

    shell = open_shell(qtbot, make_context(runtime), role="display")
    shell.resize(1280, 720)
    qtbot.waitUntil(lambda: shell.height() == 720, timeout=3000)
    hint = shell.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint
    shell.role_screen.stop()
    ops.wait_idle()
