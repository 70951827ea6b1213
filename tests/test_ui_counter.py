"""The counter console, driven through its real buttons against a LocalQueue on the demo office."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QThreadPool
from ui_support import FlakyQueue, make_context

from kiosk.queue import LocalQueue
from ui import ops
from ui.counter import CounterScreen

RINA = "emp-2002"


def click(qtbot, button) -> None:
    # Widgets added to a shown layout appear on the next event-loop turn.
    qtbot.waitUntil(button.isVisible, timeout=2000)
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def open_counter(qtbot):
    screens: list[CounterScreen] = []

    def _open(runtime, queue=None) -> CounterScreen:
        screen = CounterScreen(make_context(runtime, queue=queue))
        qtbot.addWidget(screen)
        screen.resize(1280, 800)
        screen.show()
        screens.append(screen)
        qtbot.waitUntil(lambda: len(screen.sign_in.staff_buttons) == 4 and all(
            b.isVisible() for b in screen.sign_in.staff_buttons.values())
            and screen.watcher.following, timeout=5000)
        return screen

    yield _open
    for screen in screens:
        screen.stop()
    QThreadPool.globalInstance().waitForDone(3000)
    ops.wait_idle()


def sign_in(qtbot, screen: CounterScreen, counter: str = "counter-2",
            services: tuple[str, ...] | None = None) -> None:
    click(qtbot, screen.sign_in.staff_buttons[RINA])
    click(qtbot, screen.sign_in.counter_buttons[counter])
    if services is not None:
        for sid, button in screen.sign_in.service_buttons.items():
            if button.isChecked() != (sid in services):
                click(qtbot, button)
    click(qtbot, screen.sign_in.start_button)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.console_page, timeout=3000)


def wait_status(qtbot, screen: CounterScreen, text: str) -> None:
    qtbot.waitUntil(lambda: screen.ticket_status.text() == text and not screen.busy,
                    timeout=3000)


def test_sign_in_lists_staff_counters_and_services(qtbot, runtime, open_counter) -> None:
    screen = open_counter(runtime)
    names = sorted(b.text() for b in screen.sign_in.staff_buttons.values())
    assert names == ["Andi Pratama", "Budi Santoso", "Rina Wulandari", "Sari Lestari"]
    assert [b.text() for b in screen.sign_in.counter_buttons.values()] == ["Loket 1", "Loket 2", "Loket 3"]
    assert all(b.isChecked() for b in screen.sign_in.service_buttons.values())
    assert not screen.sign_in.start_button.isEnabled()          # nobody chosen yet
    click(qtbot, screen.sign_in.staff_buttons[RINA])
    click(qtbot, screen.sign_in.counter_buttons["counter-2"])
    assert screen.sign_in.start_button.isEnabled()
    for button in screen.sign_in.service_buttons.values():      # a counter serving nothing: refused
        click(qtbot, button)
    assert not screen.sign_in.start_button.isEnabled()
    click(qtbot, screen.sign_in.service_buttons["svc-b"])
    click(qtbot, screen.sign_in.start_button)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.console_page, timeout=3000)
    assert screen.header_label.text() == "Loket 2 · Rina Wulandari · Layanan B"
    counter = next(c for c in screen.queue.counters() if c["id"] == "counter-2")
    assert counter["staff_id"] == RINA and counter["service_ids"] == ["svc-b"]
    assert counter["paused"] is False


def test_call_recall_start_finish(qtbot, runtime, open_counter, clock) -> None:
    queue = LocalQueue(runtime)
    first = queue.issue_ticket("svc-a").ticket
    clock.advance(600)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    qtbot.waitUntil(lambda: screen.waiting_title.text() == "Menunggu (2)", timeout=3000)
    assert screen.ticket_number.text() == "—"
    assert not screen.recall_button.isEnabled() and not screen.finish_button.isEnabled()

    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    assert screen.ticket_number.text() == "A-001"
    assert screen.ticket_detail.text() == ("Administrasi Kependudukan · menunggu 10 mnt · "
                                           "baru dipanggil")
    qtbot.waitUntil(lambda: screen.waiting_title.text() == "Menunggu (1)", timeout=3000)
    assert not screen.no_show_button.isEnabled()       # offered only after a recall

    click(qtbot, screen.recall_button)
    qtbot.waitUntil(lambda: screen.recall_button.text() == "Panggil Ulang (1)", timeout=3000)
    qtbot.waitUntil(lambda: not screen.busy, timeout=3000)
    click(qtbot, screen.recall_button)
    qtbot.waitUntil(lambda: screen.recall_button.text() == "Panggil Ulang (2)", timeout=3000)
    assert "dipanggil ulang 2×" in screen.ticket_detail.text()
    assert queue.current_ticket("counter-2").recalls == 2

    qtbot.waitUntil(lambda: not screen.busy, timeout=3000)
    click(qtbot, screen.start_service_button)
    wait_status(qtbot, screen, "Sedang dilayani")
    assert queue.current_ticket("counter-2").status == "serving"
    assert not screen.recall_button.isEnabled() and not screen.pause_button.isEnabled()

    click(qtbot, screen.finish_button)
    wait_status(qtbot, screen, "Belum ada nomor dipanggil")
    assert screen.ticket_number.text() == "—"
    assert queue.current_ticket("counter-2") is None
    done = [t for t in queue.status()["waiting"]]
    assert [t["number"] for t in done] == ["A-002"]
    row = runtime.db.execute("SELECT status, staff_id FROM tickets WHERE id = ?",
                             [first.id]).fetchone()
    assert row == ("done", RINA)


def test_no_show_after_a_recall(qtbot, runtime, open_counter) -> None:
    queue = LocalQueue(runtime)
    ticket = queue.issue_ticket("svc-c").ticket
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    assert not screen.no_show_button.isEnabled()
    click(qtbot, screen.recall_button)
    qtbot.waitUntil(lambda: screen.no_show_button.isEnabled(), timeout=3000)
    click(qtbot, screen.no_show_button)
    wait_status(qtbot, screen, "Belum ada nomor dipanggil")
    status = runtime.db.execute("SELECT status FROM tickets WHERE id = ?", [ticket.id]).fetchone()
    assert status == ("no_show",)


def test_transfer_through_the_picker(qtbot, runtime, open_counter, clock) -> None:
    queue = LocalQueue(runtime)
    original = queue.issue_ticket("svc-a").ticket
    clock.advance(300)
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    click(qtbot, screen.transfer_button)
    assert screen.stack.currentWidget() is screen.transfer_page
    assert sorted(screen.transfer_buttons) == ["svc-b", "svc-c"]   # not its own service
    click(qtbot, screen.transfer_cancel)
    assert screen.stack.currentWidget() is screen.console_page
    click(qtbot, screen.transfer_button)
    click(qtbot, screen.transfer_buttons["svc-b"])
    qtbot.waitUntil(lambda: "dialihkan" in screen.message.text() and not screen.busy,
                    timeout=3000)
    assert screen.ticket_number.text() == "—"
    waiting = queue.waiting(["svc-b"])
    assert [(t.number, t.arrival_ms) for t in waiting] == [("A-001", original.arrival_ms)]
    # The transferred ticket is waiting in B, which this counter also serves: call it again.
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    assert screen.ticket.service_id == "svc-b" and screen.ticket_number.text() == "A-001"


def test_pause_and_resume(qtbot, runtime, open_counter) -> None:
    queue = LocalQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    assert screen.pause_button.text() == "Jeda"
    click(qtbot, screen.pause_button)
    wait_status(qtbot, screen, "Loket sedang jeda")
    assert not screen.call_button.isEnabled()
    assert screen.pause_button.text() == "Lanjutkan"
    assert next(c for c in queue.counters() if c["id"] == "counter-2")["paused"] is True
    click(qtbot, screen.pause_button)
    wait_status(qtbot, screen, "Belum ada nomor dipanggil")
    assert screen.call_button.isEnabled()
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")


def test_nobody_waiting_says_so(qtbot, runtime, open_counter) -> None:
    screen = open_counter(runtime)
    sign_in(qtbot, screen)
    assert screen.waiting_title.text() == "Menunggu (0)"
    click(qtbot, screen.call_button)
    qtbot.waitUntil(lambda: screen.message.isVisible(), timeout=3000)
    assert "Tidak ada warga yang menunggu" in screen.message.text()
    assert screen.ticket_number.text() == "—"


def test_waiting_list_and_printer_state(qtbot, runtime, open_counter, clock) -> None:
    queue = LocalQueue(runtime)
    queue.issue_ticket("svc-a")
    clock.advance(125 * 60)
    queue.issue_ticket("svc-b", "lansia")
    clock.advance(60)
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen, services=("svc-a", "svc-b"))
    qtbot.waitUntil(lambda: screen.waiting_title.text() == "Menunggu (2)", timeout=3000)
    numbers = [w.text() for w in screen.findChildren(type(screen.waiting_title), "waitingNumber")]
    assert numbers == ["A-001", "B-001"]
    texts = [w.text() for w in screen.findChildren(type(screen.waiting_title))]
    assert "2 j 6 mnt" in texts and "1 mnt" in texts
    state = screen.ctx.office.printing.printer_state()["state"]
    assert screen.printer_chip.property("state") == state
    assert screen.printer_chip.text()


def test_connection_lost_banner(qtbot, runtime, open_counter) -> None:
    queue = FlakyQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    assert not screen.banner.isVisible()
    queue.down.set()
    qtbot.waitUntil(lambda: screen.banner.isVisible(), timeout=2000)
    assert "terputus" in screen.banner_text.text()
    assert not screen.call_button.isEnabled()
    queue.down.clear()
    qtbot.waitUntil(lambda: not screen.banner.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: screen.call_button.isEnabled(), timeout=2000)


def test_screen_follows_changes_made_elsewhere(qtbot, runtime, open_counter) -> None:
    queue = LocalQueue(runtime)
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    queue.issue_ticket("svc-a")                   # a citizen at the kiosk
    qtbot.waitUntil(lambda: screen.waiting_title.text() == "Menunggu (1)", timeout=3000)


def test_reset_and_sign_out(qtbot, runtime, open_counter) -> None:
    queue = LocalQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    click(qtbot, screen.transfer_button)
    screen.reset()
    assert screen.stack.currentWidget() is screen.console_page
    click(qtbot, screen.finish_button)
    wait_status(qtbot, screen, "Belum ada nomor dipanggil")
    click(qtbot, screen.sign_out_button)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.sign_in, timeout=3000)
    counter = next(c for c in queue.counters() if c["id"] == "counter-2")
    assert counter["staff_id"] is None


def test_english_on_the_switch(qtbot, runtime, open_counter) -> None:
    from ui.i18n import set_language

    screen = open_counter(runtime)
    sign_in(qtbot, screen)
    try:
        set_language("en")
        qtbot.waitUntil(lambda: screen.call_button.text() == "Call Next", timeout=2000)
        assert screen.ticket_status.text() == "No number called yet"
        assert screen.header_label.text() == "Loket 2 · Rina Wulandari · Services A, B, C"
    finally:
        set_language("id")
    qtbot.waitUntil(lambda: screen.call_button.text() == "Panggil Berikutnya", timeout=2000)


class UnreachableQueue(LocalQueue):
    """The edge stops answering between two taps (its feed has not noticed yet)."""

    def __init__(self, rt) -> None:
        super().__init__(rt)
        self.unreachable = False

    def call_next(self, *args, **kwargs):
        if self.unreachable:
            from sync.lan.errors import EdgeUnreachable

            raise EdgeUnreachable("edge at http://192.0.2.1:8765 did not answer")
        return super().call_next(*args, **kwargs)


def test_a_failed_tap_says_what_to_do(qtbot, runtime, open_counter) -> None:
    queue = UnreachableQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    queue.unreachable = True
    click(qtbot, screen.call_button)
    qtbot.waitUntil(lambda: screen.message.isVisible(), timeout=3000)
    assert screen.message.text().startswith("Tidak dapat menghubungi server kantor.")
    assert screen.banner.isVisible()
    assert screen.ticket_number.text() == "—"
    assert queue.waiting() and queue.current_ticket("counter-2") is None   # nothing changed
