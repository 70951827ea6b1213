"""Issue 10, item 7, on the counter screen: "Panggil Berikutnya" while the current ticket was
only called asks "Nomor A-001 belum dilayani. Tandai tidak hadir?" and never records a service
that did not happen. Driven with qtbot like a person, against a real database."""

from __future__ import annotations

from kiosk.db import write_tx
from kiosk.queue import LocalQueue
from tests.test_ui_counter import click, open_counter, sign_in, wait_status  # noqa: F401

__all__ = ["open_counter"]


def _status(runtime, ticket_id: str) -> str:
    return runtime.db.execute("SELECT status FROM tickets WHERE id = ?", [ticket_id]).fetchone()[0]


def test_next_over_an_unstarted_call_asks_and_cancel_changes_nothing(qtbot, runtime,
                                                                     open_counter) -> None:
    queue = LocalQueue(runtime)
    first = queue.issue_ticket("svc-a").ticket
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")

    click(qtbot, screen.call_button)                 # the citizen has not come to the desk
    qtbot.waitUntil(screen.not_served_panel.isVisible, timeout=3000)
    assert screen.not_served_label.text() == "Nomor A-001 belum dilayani. Tandai tidak hadir?"
    assert _status(runtime, first.id) == "called"    # nothing recorded while asking

    click(qtbot, screen.not_served_no)               # "Batal"
    qtbot.waitUntil(lambda: not screen.not_served_panel.isVisible(), timeout=3000)
    assert _status(runtime, first.id) == "called"
    assert screen.ticket_number.text() == "A-001"


def test_next_over_an_unstarted_call_marks_no_show_when_the_staff_says_so(qtbot, runtime,
                                                                          open_counter) -> None:
    queue = LocalQueue(runtime)
    first = queue.issue_ticket("svc-a").ticket
    second = queue.issue_ticket("svc-a").ticket
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    click(qtbot, screen.recall_button)               # the office's one recall first
    qtbot.waitUntil(lambda: screen.recall_button.text() == "Panggil Ulang (1)", timeout=3000)
    qtbot.waitUntil(lambda: not screen.busy, timeout=3000)

    click(qtbot, screen.call_button)
    qtbot.waitUntil(screen.not_served_panel.isVisible, timeout=3000)
    click(qtbot, screen.not_served_yes)              # "Tandai tidak hadir"
    qtbot.waitUntil(lambda: screen.ticket_number.text() == "A-002" and not screen.busy,
                    timeout=3000)
    assert _status(runtime, first.id) == "no_show"
    assert _status(runtime, second.id) == "called"
    assert runtime.db.execute("SELECT count(*) FROM tickets WHERE status = 'done'"
                              ).fetchone()[0] == 0


def test_office_setting_no_show_marks_it_without_asking(qtbot, runtime, open_counter) -> None:
    with write_tx(runtime.db):
        runtime.db.execute("INSERT INTO settings (key, value, updated_ms) VALUES"
                           " ('queue.next_when_called', 'no_show', 0),"
                           " ('queue.no_show_min_recalls', '0', 0)")
    queue = LocalQueue(runtime)
    first = queue.issue_ticket("svc-a").ticket
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    click(qtbot, screen.call_button)
    qtbot.waitUntil(lambda: screen.ticket_number.text() == "A-002" and not screen.busy,
                    timeout=3000)
    assert not screen.not_served_panel.isVisible()
    assert _status(runtime, first.id) == "no_show"


def test_the_question_is_asked_in_english_on_an_english_screen(qtbot, runtime,
                                                              open_counter) -> None:
    from ui.i18n import set_language

    queue = LocalQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = open_counter(runtime, queue)
    sign_in(qtbot, screen)
    click(qtbot, screen.call_button)
    wait_status(qtbot, screen, "Sedang dipanggil")
    set_language("en")
    try:
        click(qtbot, screen.call_button)
        qtbot.waitUntil(screen.not_served_panel.isVisible, timeout=3000)
        assert screen.not_served_label.text() == "Number A-001 has not been served. Mark as no-show?"
        assert (screen.not_served_yes.text(), screen.not_served_no.text()) == (
            "Mark no-show", "Cancel")
    finally:
        set_language("id")
