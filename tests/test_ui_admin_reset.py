"""The admin screen's factory reset, driven like a person: "Atur ulang pabrik", the admin
PIN again, the confirmation that names the unsent records, then a data directory with
nothing left and the app quitting with the reset's exit code."""

from __future__ import annotations

import pytest

from kiosk import queue
from provisioning.reset import RESET_EXIT_CODE, ResetControl, pending_records
from ui import i18n, ops

from ui_support import back_to_indonesian, five_taps, make_context, open_shell, tap, type_pin


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


def open_reset(qtbot, runtime, control):
    ctx = make_context(runtime)
    ctx.device_reset = control
    shell = open_shell(qtbot, ctx)
    five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    admin = shell.admin_screen
    quits: list[int] = []
    admin.quit_app = quits.append
    assert admin.reset_button.isVisible()
    hint = shell.minimumSizeHint()           # with both extra buttons it still fits a kiosk
    assert hint.width() <= 1280 and hint.height() <= 800, hint
    tap(qtbot, admin.reset_button)
    panel = admin.reset_panel
    assert admin.pages.currentWidget() is panel
    assert panel.steps.currentWidget() is panel.pin_pad
    return shell, admin, panel, quits


def type_reset_pin(qtbot, panel, pin: str) -> None:
    for digit in pin:
        tap(qtbot, panel.pin_pad.digit_buttons[digit])
    tap(qtbot, panel.pin_pad.ok_button)


def test_factory_reset_asks_the_pin_again_names_the_unsent_count_then_wipes(qtbot, runtime):
    for service in ("svc-a", "svc-b"):
        queue.issue_ticket(runtime, service)
    unsent = pending_records(runtime.data_dir)
    stopped = []
    control = ResetControl(runtime.data_dir, before_wipe=lambda: stopped.append(True))
    shell, admin, panel, quits = open_reset(qtbot, runtime, control)

    type_reset_pin(qtbot, panel, "9999")   # the wrong PIN: nothing happens
    qtbot.waitUntil(lambda: panel.pin_pad.message.text() == "PIN salah. Silakan coba lagi.",
                    timeout=5000)
    assert panel.steps.currentWidget() is panel.pin_pad and not stopped

    type_reset_pin(qtbot, panel, "1234")
    qtbot.waitUntil(lambda: panel.steps.currentWidget() is panel.confirm_page, timeout=10000)
    assert panel.count_label.text() == \
        f"{unsent} catatan belum terkirim ke server kota dan akan hilang."
    assert "kembali ke halaman penyiapan" in panel.explain_label.text()
    assert (runtime.data_dir / "config.toml").exists()   # nothing gone yet

    tap(qtbot, panel.confirm_button)
    qtbot.waitUntil(lambda: quits == [RESET_EXIT_CODE], timeout=10000)
    assert panel.steps.currentWidget() is panel.done_page
    assert stopped == [True]
    assert list(runtime.data_dir.iterdir()) == []   # no key, no config, no record


def test_cancel_keeps_everything_and_the_next_try_starts_at_the_pin(qtbot, runtime):
    queue.issue_ticket(runtime, "svc-a")
    control = ResetControl(runtime.data_dir)
    shell, admin, panel, quits = open_reset(qtbot, runtime, control)
    type_reset_pin(qtbot, panel, "1234")
    qtbot.waitUntil(lambda: panel.steps.currentWidget() is panel.confirm_page, timeout=10000)
    tap(qtbot, panel.cancel_button)
    assert admin.pages.currentWidget() is admin.stats_page
    assert quits == [] and (runtime.data_dir / "config.toml").exists()
    tap(qtbot, admin.reset_button)
    assert panel.steps.currentWidget() is panel.pin_pad   # the PIN again, every time


def test_records_written_after_the_count_are_named_before_anything_goes(qtbot, runtime):
    control = ResetControl(runtime.data_dir)
    shell, admin, panel, quits = open_reset(qtbot, runtime, control)
    type_reset_pin(qtbot, panel, "1234")
    qtbot.waitUntil(lambda: panel.steps.currentWidget() is panel.confirm_page, timeout=10000)
    assert panel.count_label.text() == "Semua catatan sudah terkirim ke server kota."
    queue.issue_ticket(runtime, "svc-a")   # another counter's citizen, meanwhile
    now = pending_records(runtime.data_dir)
    tap(qtbot, panel.confirm_button)
    qtbot.waitUntil(lambda: panel.problem_label.isVisible(), timeout=10000)
    assert panel.count_label.text() == f"{now} catatan belum terkirim ke server kota dan akan hilang."
    assert quits == [] and (runtime.data_dir / "config.toml").exists()


def test_in_english_and_without_a_reset_control(qtbot, runtime):
    shell, admin, panel, quits = open_reset(qtbot, runtime, ResetControl(runtime.data_dir))
    i18n.set_language("en")
    qtbot.waitUntil(lambda: admin.reset_button.text() == "Factory reset", timeout=5000)
    assert panel.title.text() == "Factory reset"
    assert panel.confirm_button.text() == "Reset now"
    back_to_indonesian()
    from ui.admin import AdminScreen

    other = AdminScreen(make_context(runtime))   # no control: no button
    qtbot.addWidget(other)
    assert other.reset_panel is None
    assert not other.reset_button.isVisibleTo(other)
