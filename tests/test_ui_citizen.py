"""The citizen kiosk, tapped like Ibu Sari would: service, then number; the ticket on screen,
its print job, the printer-problem words, kuota habis, and back home by itself."""

from __future__ import annotations

import pytest

from devices.printer import ReplayPrinter, start_print_worker
from kiosk import print_queue, queue
from kiosk.db import write_tx
from ui import ops

from ui_support import back_to_indonesian, person_clock, make_context, open_shell, tap, wait_services

PROBLEM = "Printer sedang bermasalah. Nomor Anda: {}. Silakan sampaikan ke petugas."


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


@pytest.fixture
def worker_for(runtime):
    started = []

    def start(printer):
        worker = start_print_worker(runtime, printer, runtime.clock, poll_s=0.2, retry_s=0.2)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def citizen(qtbot, services):
    shell = open_shell(qtbot, services)
    wait_services(qtbot, shell)
    return shell, shell.role_screen


def button_for(screen, prefix):
    return next(b for b in screen.service_buttons if b.service.prefix == prefix)


def on_ticket_page(screen):
    return screen.stack.currentWidget() is screen.ticket_page


def test_two_taps_give_a_ticket_with_a_pending_print_job(qtbot, runtime):
    queue.issue_ticket(runtime, "svc-b")          # someone is already waiting for B
    shell, screen = citizen(qtbot, make_context(runtime))
    tap(qtbot, button_for(screen, "B"))
    assert screen.stack.currentWidget() is screen.service_page
    assert screen.service_title.text() == "Surat Keterangan"
    with qtbot.waitSignal(screen.ticket_shown, timeout=5000) as shown:
        tap(qtbot, screen.take_button)
    assert shown.args == ["B-002"]
    assert on_ticket_page(screen)
    assert screen.ticket_number.text() == "B-002"
    assert screen.ticket_number.isVisible()
    assert screen.ticket_wait.text().startswith("1 orang di depan Anda")
    assert screen.ticket_service.text() == "Surat Keterangan"
    assert not screen.ticket_priority.isVisible()
    job_id = screen.ticket.issued.print_job_id
    assert print_queue.job_status(runtime.db, job_id) == "pending"
    row = runtime.db.execute("SELECT number, status, priority FROM tickets WHERE number = 'B-002'").fetchone()
    assert row == ("B-002", "waiting", None)
    ops.wait_idle()


def test_priority_lane_is_one_tap_too(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    tap(qtbot, button_for(screen, "B"))
    tap(qtbot, screen.priority_buttons["lansia"])
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    assert screen.ticket_number.text() == "B-001"
    assert screen.ticket_priority.text() == "Prioritas: Lansia"
    assert screen.ticket_wait.text() == "Tidak ada antrian di depan Anda. Mohon tunggu panggilan."
    priority = runtime.db.execute("SELECT priority FROM tickets WHERE number = 'B-001'").fetchone()[0]
    assert priority == "lansia"


def test_a_double_tap_issues_one_ticket(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    tap(qtbot, button_for(screen, "A"))
    tap(qtbot, screen.take_button)
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    ops.wait_idle()
    assert runtime.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1


def test_printed_ticket_says_to_take_it(qtbot, runtime, worker_for):
    printer = ReplayPrinter()
    services = make_context(runtime, printer_worker=worker_for(printer))
    shell, screen = citizen(qtbot, services)
    tap(qtbot, button_for(screen, "C"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    qtbot.waitUntil(lambda: screen.ticket.print_state == "printed", timeout=8000)
    assert screen.print_label.text() == "Silakan ambil tiket Anda di bawah layar. Terima kasih."
    assert not screen.problem_banner.isVisible()
    assert print_queue.job_status(runtime.db, screen.ticket.issued.print_job_id) == "done"
    assert len(printer.jobs) == 1 and b"C-001" in printer.jobs[0]


def test_printer_problem_still_shows_the_number_and_what_to_do(qtbot, runtime, worker_for):
    printer = ReplayPrinter()
    printer.set_state("paper_out", "paper end sensor")
    services = make_context(runtime, printer_worker=worker_for(printer))
    shell, screen = citizen(qtbot, services)
    tap(qtbot, button_for(screen, "B"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    qtbot.waitUntil(lambda: screen.problem_banner.isVisible(), timeout=8000)
    assert screen.problem_label.text() == PROBLEM.format("B-001")
    assert screen.ticket_number.text() == "B-001" and screen.ticket_number.isVisible()
    assert not screen.print_row.isVisible()
    # the job waits for the paper, it is not lost
    assert print_queue.job_status(runtime.db, screen.ticket.issued.print_job_id) == "pending"
    assert printer.jobs == []


def test_a_print_that_never_comes_is_a_problem_after_a_few_seconds(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))   # no print worker at all
    screen.print_wait_ms = 800
    tap(qtbot, button_for(screen, "A"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    assert screen.print_label.text() == "Tiket Anda sedang dicetak\u2026"
    qtbot.waitUntil(lambda: screen.problem_banner.isVisible(), timeout=5000)
    assert screen.problem_label.text() == PROBLEM.format("A-001")


def test_printer_problem_in_english(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    screen.print_wait_ms = 400
    tap(qtbot, shell.language_switch.buttons["en"])
    tap(qtbot, button_for(screen, "A"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: screen.problem_banner.isVisible(), timeout=5000)
    assert screen.problem_label.text() == ("The printer has a problem. Your number: A-001. "
                                           "Please tell a staff member.")
    assert screen.ticket_caption.text() == "Your queue number"


def _set_cap(runtime, service_id, cap):
    with write_tx(runtime.db):
        runtime.db.execute("UPDATE services SET daily_cap = ? WHERE id = ?", [cap, service_id])


def test_a_full_service_says_kuota_habis_at_once(qtbot, runtime):
    _set_cap(runtime, "svc-c", 1)
    queue.issue_ticket(runtime, "svc-c")
    shell, screen = citizen(qtbot, make_context(runtime))
    card = button_for(screen, "C")
    assert card.side_label.text() == "Kuota hari ini\nsudah habis"
    tap(qtbot, card)
    assert screen.stack.currentWidget() is screen.message_page
    assert screen.message_title.text() == "Maaf, kuota habis"
    assert "Pengaduan" in screen.message_body.text()
    tap(qtbot, screen.message_button)
    assert screen.stack.currentWidget() is screen.home_page


def test_kuota_habis_when_the_last_number_went_meanwhile(qtbot, runtime):
    _set_cap(runtime, "svc-c", 1)
    shell, screen = citizen(qtbot, make_context(runtime))
    tap(qtbot, button_for(screen, "C"))
    queue.issue_ticket(runtime, "svc-c")          # another kiosk took the last one
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.message_page, timeout=5000)
    assert screen.message_title.text() == "Maaf, kuota habis"
    assert runtime.db.execute("SELECT COUNT(*) FROM tickets WHERE service_id = 'svc-c'").fetchone()[0] == 1


def test_the_ticket_screen_goes_home_by_itself(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    screen.home_after_ms = 300
    tap(qtbot, button_for(screen, "A"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.home_page, timeout=5000)
    assert screen.ticket is None and screen.ticket_number.text() == ""


def test_done_button_goes_home_and_waiting_counts_update(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    tap(qtbot, button_for(screen, "A"))
    tap(qtbot, screen.take_button)
    qtbot.waitUntil(lambda: on_ticket_page(screen), timeout=5000)
    tap(qtbot, screen.done_button)
    assert screen.stack.currentWidget() is screen.home_page
    qtbot.waitUntil(lambda: button_for(screen, "A").side_label.text() == "1 orang\nmenunggu",
                    timeout=5000)


def test_wait_text_in_both_languages(qtbot, runtime):
    shell, screen = citizen(qtbot, make_context(runtime))
    assert screen.wait_text(5, 20) == "5 orang di depan Anda, perkiraan 20 menit"
    assert screen.wait_text(3, None) == "3 orang di depan Anda"
    tap(qtbot, shell.language_switch.buttons["en"])
    assert screen.wait_text(5, 20) == "5 people ahead of you, about 20 minutes"
    assert screen.wait_text(1, 4) == "1 person ahead of you, about 4 minutes"


def test_an_unreachable_edge_is_said_plainly_with_a_way_to_retry(qtbot, runtime):
    from ui.app import make_context as app_services

    runtime.config.lan.edge_url = "http://127.0.0.1:9"      # nothing listens there
    services, composition = app_services(runtime, "citizen", with_devices=False)
    assert type(services.office).__name__ == "RemoteOffice"
    shell = open_shell(qtbot, services)
    screen = shell.role_screen
    qtbot.waitUntil(lambda: screen.retry_button.isVisible(), timeout=15_000)
    assert screen.home_status.text() == ("Daftar layanan belum dapat ditampilkan. Silakan coba "
                                         "lagi atau tanyakan ke petugas.")
    assert screen.service_buttons == []
    composition.stop()


def test_a_double_tap_on_a_service_card_does_not_issue_a_ticket(qtbot, runtime):
    """Elderly users double-tap: the second tap lands where "Ambil Nomor" now is. It is
    ignored, so the priority choice is not skipped; a deliberate tap later still works."""
    from ui import taps

    shell, screen = citizen(qtbot, make_context(runtime))
    now = [person_clock() + 10]                    # the clock stands still: no pause at all
    taps.set_clock(lambda: now[0])
    try:
        tap(qtbot, button_for(screen, "B"))
        assert screen.stack.currentWidget() is screen.service_page
        tap(qtbot, screen.take_button)            # the double tap's second half, at once
        ops.wait_idle()
        assert screen.stack.currentWidget() is screen.service_page
        assert runtime.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
        now[0] += taps.SETTLE_S + 0.05            # she reads, then taps deliberately
        with qtbot.waitSignal(screen.ticket_shown, timeout=5000):
            tap(qtbot, screen.priority_buttons["lansia"])
    finally:
        taps.set_clock(person_clock)
