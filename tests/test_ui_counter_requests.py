"""The counter's "Permohonan" page, tapped as staff would: the open requests by status and
age, one opened with its answers masked and ticked, the steps of its life (and a refusal
needs its reason), on the edge and across the LAN."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.cli.compose import office_features
from kiosk.letters import operations as letters
from sync.lan.client import RemoteOffice
from tests.lan_support import TOKEN, edge_in_thread
from ui import ops
from ui.counter import CounterScreen
from ui_support import make_context, tap
from test_ui_letters import _applicant, _details


@pytest.fixture
def open_counter(qtbot):
    screens = []

    def _open(ctx) -> CounterScreen:
        screen = CounterScreen(ctx)
        qtbot.addWidget(screen)
        screen.resize(1280, 720)
        screen.show()
        screens.append(screen)
        qtbot.waitUntil(lambda: len(screen.sign_in.staff_buttons) == 4, timeout=5000)
        tap(qtbot, screen.sign_in.staff_buttons["emp-2002"])
        tap(qtbot, screen.sign_in.counter_buttons["counter-1"])
        tap(qtbot, screen.sign_in.start_button)
        qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.console_page, timeout=5000)
        return screen

    yield _open
    for screen in screens:
        screen.stop()
    ops.wait_idle()


def _requests(runtime, n: int = 2) -> list[str]:
    return [letters.submit_request(runtime, "SKU", _applicant(), _details()).code for _ in range(n)]


def _process(qtbot, screen, runtime, first: str, staff: str = "emp-2002") -> None:
    tap(qtbot, screen.requests_button)
    panel = screen.requests_page
    qtbot.waitUntil(lambda: f"request-{first}" in [b.objectName() for b in _list(panel)],
                    timeout=5000)
    assert [b.objectName() for b in _list(panel)][0] == f"request-{first}"  # oldest first
    tap(qtbot, next(b for b in _list(panel) if b.objectName() == f"request-{first}"))
    qtbot.waitUntil(lambda: panel.request is not None and panel.request.code == first,
                    timeout=5000)
    texts = [box.text() for box in panel.checks]
    assert "NIK: 6472********0003" in texts                      # masked for staff too
    assert not any("6472081508950003" in t for t in texts)
    assert any(t.startswith("Dokumen: KTP asli") for t in texts)
    assert not panel.action_buttons["ready"].isEnabled()          # not before it is approved
    tap(qtbot, panel.action_buttons["checking"])                  # nothing ticked yet
    assert panel.message.text().startswith("Centang setiap isian")
    for box in panel.checks:
        box.setChecked(True)
    tap(qtbot, panel.action_buttons["checking"])
    qtbot.waitUntil(lambda: panel.request.status == "checking", timeout=5000)
    tap(qtbot, panel.action_buttons["rejected"])                  # no reason: refused here
    assert panel.message.text().startswith("Tulis alasannya dulu")
    assert letters.request_status(runtime, first).status == "checking"
    panel.reason_edit.setText("Fotokopi KK tidak terbaca")
    tap(qtbot, panel.action_buttons["rejected"])
    qtbot.waitUntil(lambda: panel.request.status == "rejected", timeout=5000)
    view = letters.request_status(runtime, first)
    assert view.status == "rejected" and view.reason == "Fotokopi KK tidak terbaca"
    history = letters.request_history(runtime, first)
    assert [(e.to_status, e.staff_id) for e in history][-2:] == [("checking", staff),
                                                                 ("rejected", staff)]


def _list(panel):
    from PySide6.QtWidgets import QPushButton

    return [w for w in panel.findChildren(QPushButton) if w.objectName().startswith("request-")
            and w.isVisible()]


def test_staff_check_and_refuse_a_request_on_the_edge(qtbot, runtime, open_counter):
    first, _ = _requests(runtime)
    screen = open_counter(make_context(runtime))
    _process(qtbot, screen, runtime, first)


def test_the_same_from_a_staff_pc_across_the_lan(qtbot, runtime, open_counter):
    first, _ = _requests(runtime)
    with edge_in_thread(runtime) as edge:
        office = RemoteOffice(edge.url, TOKEN, office_features())
        try:
            screen = open_counter(make_context(runtime, office=office))
            _process(qtbot, screen, runtime, first)
        finally:
            screen.stop()
            ops.wait_idle()
            office.close()


def test_verified_approved_ready_collected(qtbot, runtime, open_counter):
    """The whole life from the counter: verification needs every tick; approval issues the
    letter (its number, sealed); ready; collected."""
    from kiosk.letters import issuing

    (code,) = _requests(runtime, 1)
    screen = open_counter(make_context(runtime))
    tap(qtbot, screen.requests_button)
    panel = screen.requests_page
    qtbot.waitUntil(lambda: len(_list(panel)) == 1, timeout=5000)
    tap(qtbot, _list(panel)[0])
    qtbot.waitUntil(lambda: panel.request is not None, timeout=5000)
    for box in panel.checks[:-1]:
        box.setChecked(True)
    tap(qtbot, panel.action_buttons["checking"])
    assert panel.message.text().startswith("Centang setiap isian")
    assert letters.request_status(runtime, code).status == "submitted"
    panel.checks[-1].setChecked(True)
    tap(qtbot, panel.action_buttons["checking"])
    qtbot.waitUntil(lambda: panel.request.status == "checking", timeout=5000)
    for action, status in (("approve", "awaiting_signature"), ("ready", "ready"),
                           ("collected", "collected")):
        qtbot.waitUntil(lambda: panel.action_buttons[action].isEnabled(), timeout=5000)
        tap(qtbot, panel.action_buttons[action])
        qtbot.waitUntil(lambda s=status: panel.request.status == s, timeout=5000)
    letter = issuing.issued_letter(runtime, code)
    assert letter.number and letter.staff_id == "emp-2002"
    assert [e.to_status for e in letters.request_history(runtime, code)] == [
        "submitted", "checking", "awaiting_signature", "ready", "collected"]


def test_the_citizen_with_a_queue_number_is_called_from_the_request(qtbot, runtime, open_counter):
    from kiosk import queue

    (code,) = _requests(runtime, 1)
    earlier = queue.issue_ticket(runtime, "svc-b").ticket      # waits first
    mine = queue.issue_ticket(runtime, "svc-b").ticket         # Pak Budi's number
    screen = open_counter(make_context(runtime))
    tap(qtbot, screen.requests_button)
    panel = screen.requests_page
    qtbot.waitUntil(lambda: len(_list(panel)) == 1, timeout=5000)
    tap(qtbot, _list(panel)[0])
    qtbot.waitUntil(lambda: panel.request is not None, timeout=5000)
    panel.ticket_edit.setText("Z-404")
    tap(qtbot, panel.call_button)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=5000)
    assert panel.message.text() == "Nomor Z-404 tidak sedang menunggu hari ini. Periksa nomor pada tiket."
    panel.ticket_edit.setText(mine.number)
    tap(qtbot, panel.call_button)
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.console_page, timeout=5000)
    assert screen.ticket_number.text() == mine.number
    assert [t.id for t in queue.waiting(runtime)] == [earlier.id]


def test_a_change_asked_goes_back_to_the_citizen_and_shows_at_the_kiosk(qtbot, runtime,
                                                                        open_counter):
    from ui.status_check import next_step_text

    (code,) = _requests(runtime, 1)
    screen = open_counter(make_context(runtime))
    tap(qtbot, screen.requests_button)
    panel = screen.requests_page
    qtbot.waitUntil(lambda: len(_list(panel)) == 1, timeout=5000)
    tap(qtbot, _list(panel)[0])
    qtbot.waitUntil(lambda: panel.request is not None, timeout=5000)
    tap(qtbot, panel.action_buttons["change"])                 # no reason: refused here
    assert panel.message.text().startswith("Tulis alasannya dulu")
    panel.reason_edit.setText("Bawa surat pengantar RT yang sudah ditandatangani")
    tap(qtbot, panel.action_buttons["change"])
    qtbot.waitUntil(lambda: panel.request.status_reason is not None, timeout=5000)
    view = letters.request_status(runtime, code)
    assert (view.status, view.next_step.code) == ("submitted", "request_change_requested")
    assert next_step_text(view.next_step) == (
        "Perlu perbaikan: Bawa surat pengantar RT yang sudah ditandatangani. Silakan datang "
        "ke loket dengan tanda terima ini.")
    assert letters.request_history(runtime, code)[-1].reason.startswith("Bawa surat")
