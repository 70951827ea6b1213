"""Errors are worded from their code through one table (ui/errors.py), in the screen's
language: never str(exc), never a traceback; the LAN wire carries code and fields."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from kiosk import errors as kiosk_errors
from kiosk.queue import LocalQueue
from kiosk.queue import errors as queue_errors
from kiosk.queue.errors import InvalidTransition, QuotaExhausted
from sync.lan import errors as lan_errors
from sync.lan.wire import error_body, error_from_body
from ui import i18n, ops
from ui.counter import CounterScreen
from ui.errors import WORDS, error_text, word

from ui_support import back_to_indonesian, make_context

SAMPLE = {"key": "sync.server", "field": "priority", "service": "Surat Keterangan", "cap": 40,
          "number": "B-014", "recalls": 1, "needed": 2, "counter": "Loket 2"}


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


def error_classes() -> list[type]:
    found = []
    for module in (kiosk_errors, queue_errors, lan_errors):
        found += [v for v in vars(module).values()
                  if isinstance(v, type) and issubclass(v, kiosk_errors.KioskError)]
    return found


def test_every_code_has_indonesian_and_english_wording(qapp) -> None:
    for cls in error_classes():
        assert cls.code in WORDS, cls
    indonesian = {code: word(code, SAMPLE) for code in WORDS}
    i18n.set_language("en")
    english = {code: word(code, SAMPLE) for code in WORDS}
    for code in WORDS:
        assert indonesian[code] and "{" not in indonesian[code], code
        assert english[code] and "{" not in english[code], code
        assert english[code] != indonesian[code], f"{code} has no English translation"
    assert english["quota_exhausted"] == ("We are sorry, today's quota for Surat Keterangan is "
                                          "used up (40 tickets). Please come back tomorrow.")


def test_unknown_errors_get_their_kind_or_the_generic_sentence(qapp) -> None:
    odd = InvalidTransition("detail for the log", code="no_such_code", fields={"x": 1})
    assert error_text(odd) == word("invalid_step", {})
    assert error_text(ValueError("Traceback (most recent call last)")) == word("error", {})
    assert "Traceback" not in error_text(RuntimeError("Traceback"))


def test_the_lan_wire_carries_code_and_fields() -> None:
    sent = QuotaExhausted("Mohon maaf, kuota habis ...", fields={"service": "Pengaduan", "cap": 3})
    back = error_from_body(error_body(sent))
    assert type(back) is QuotaExhausted
    assert (back.code, back.fields) == ("quota_exhausted", {"service": "Pengaduan", "cap": 3})
    step = InvalidTransition("...", code="recall_first",
                             fields={"number": "C-001", "recalls": 0, "needed": 1})
    back = error_from_body(error_body(step))
    assert (back.code, back.fields) == (step.code, step.fields)


class RefusingQueue(LocalQueue):
    """The edge refuses the call with a domain error (as it would for a paused counter)."""

    def call_next(self, *args, **kwargs):
        raise InvalidTransition("Loket 2 sedang jeda: lanjutkan layanan dulu (counter-2 paused)",
                                code="counter_paused", fields={"counter": "Loket 2"})


def test_a_counter_in_english_shows_a_domain_error_in_english(qtbot, runtime) -> None:
    from PySide6.QtCore import Qt

    queue = RefusingQueue(runtime)
    queue.issue_ticket("svc-a")
    screen = CounterScreen(make_context(runtime, queue=queue))
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    try:
        def click(button) -> None:
            qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=3000)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

        i18n.set_language("en")
        qtbot.waitUntil(lambda: len(screen.sign_in.staff_buttons) == 4, timeout=5000)
        click(next(iter(screen.sign_in.staff_buttons.values())))
        click(screen.sign_in.counter_buttons["counter-2"])
        click(screen.sign_in.start_button)
        qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.console_page, timeout=3000)
        click(screen.call_button)
        qtbot.waitUntil(lambda: screen.message.isVisible() and bool(screen.message.text()), timeout=3000)
        assert screen.message.text() == "Loket 2 is paused. Resume service before calling."
    finally:
        screen.stop()
        QThreadPool.globalInstance().waitForDone(3000)
