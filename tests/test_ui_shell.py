"""The app shell, driven like a person would: language switch, idle reset, admin escape,
every role's screen, the touch-first theme, and the screenshots command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from ui import i18n, ops, theme
from ui.shell import ROLE_SCREENS, screen_class

from ui_support import (back_to_indonesian, five_taps, make_context, open_shell, tap, type_pin,
                        wait_services)


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


def test_language_switch_retranslates_live_and_back(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    wait_services(qtbot, shell)
    citizen = shell.role_screen
    assert citizen.welcome.text() == "Selamat datang"
    assert citizen.service_buttons[0].name_label.text() == "Administrasi Kependudukan"
    assert shell.windowTitle() == "Kios Layanan Kelurahan"

    tap(qtbot, shell.language_switch.buttons["en"])
    assert i18n.current_language() == "en"
    qtbot.waitUntil(lambda: citizen.welcome.text() == "Welcome", timeout=3000)
    assert citizen.choose_hint.text() == "Please touch the service you need."
    assert citizen.service_buttons[0].name_label.text() == "Population Administration"
    assert citizen.service_buttons[1].description_label.text() == "Residence, business, low income"
    assert shell.windowTitle() == "Kelurahan Service Kiosk"
    assert shell.language_switch.buttons["en"].property("kind") == "primary"

    # the service screen and the PIN pad follow too
    tap(qtbot, citizen.service_buttons[1])
    assert citizen.take_button.text() == "Take a Number"
    assert citizen.priority_buttons["lansia"].text() == "Elderly"
    assert shell.pin_pad.ok_button.text() == "Sign in"

    tap(qtbot, shell.language_switch.buttons["id"])
    qtbot.waitUntil(lambda: citizen.take_button.text() == "Ambil Nomor", timeout=3000)
    assert citizen.service_title.text() == "Surat Keterangan"
    assert citizen.priority_buttons["lansia"].text() == "Lansia"
    assert shell.pin_pad.ok_button.text() == "Masuk"
    assert shell.language_switch.buttons["id"].property("kind") == "primary"


def test_idle_resets_a_half_filled_form_and_returns_home(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime), idle_ms=700)
    wait_services(qtbot, shell)
    citizen = shell.role_screen
    # a citizen switched to English, picked a service and walked away
    tap(qtbot, shell.language_switch.buttons["en"])
    tap(qtbot, citizen.service_buttons[0])
    assert citizen.stack.currentWidget() is citizen.service_page
    qtbot.waitUntil(lambda: citizen.stack.currentWidget() is citizen.home_page, timeout=3000)
    assert citizen.current_service is None
    assert i18n.current_language() == "id"
    qtbot.waitUntil(lambda: citizen.welcome.text() == "Selamat datang", timeout=3000)

    # someone started typing the admin PIN and walked away: the digits are gone
    five_taps(qtbot, shell)
    assert shell.current_page() is shell.pin_pad
    for digit in "12":
        tap(qtbot, shell.pin_pad.digit_buttons[digit])
    assert shell.pin_pad.dots.text() == "\u25cf \u25cf"
    qtbot.waitUntil(lambda: shell.current_page() is shell.role_screen, timeout=3000)
    assert shell.pin_pad._pin == ""
    assert shell.pin_pad.dots.text().strip() == ""


def test_idle_locks_an_open_admin_screen(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime), idle_ms=60_000)
    five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    shell.idle_timer.setInterval(300)
    shell.idle_timer.start()
    qtbot.waitUntil(lambda: shell.current_page() is shell.role_screen, timeout=3000)
    assert not shell.exit_admin_button.isVisible()


def test_admin_escape_needs_the_pin(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    wait_services(qtbot, shell)
    # four taps are not the gesture
    for _ in range(4):
        tap(qtbot, shell.escape_corner)
    assert shell.current_page() is shell.role_screen
    # five taps spread over more than three seconds are not either
    now = [100.0]
    shell.escape_corner.now = lambda: now[0]
    for _ in range(5):
        tap(qtbot, shell.escape_corner)
        now[0] += 0.9
    assert shell.current_page() is shell.role_screen
    now[0] += 10
    five_taps(qtbot, shell)
    assert shell.current_page() is shell.pin_pad

    type_pin(qtbot, shell, "9999")
    qtbot.waitUntil(lambda: shell.pin_pad.message.text() == "PIN salah. Silakan coba lagi.",
                    timeout=5000)
    assert shell.current_page() is shell.pin_pad
    assert shell.admin_screen is None
    assert shell.pin_pad.dots.text().strip() == ""

    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    assert shell.exit_admin_button.isVisible()
    tap(qtbot, shell.exit_admin_button)
    assert shell.current_page() is shell.role_screen
    assert not shell.exit_admin_button.isVisible()


def test_pin_pad_cancel_returns_home(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    five_taps(qtbot, shell)
    tap(qtbot, shell.pin_pad.digit_buttons["5"])
    tap(qtbot, shell.pin_pad.cancel_button)
    assert shell.current_page() is shell.role_screen
    assert shell.pin_pad._pin == ""


def test_admin_role_opens_on_the_pin_pad(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime), role="admin")
    assert shell.current_page() is shell.pin_pad
    type_pin(qtbot, shell, "0000")
    qtbot.waitUntil(lambda: shell.pin_pad.message.text() != "", timeout=5000)
    assert shell.admin_screen is None
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)


@pytest.mark.parametrize("role", list(ROLE_SCREENS))
def test_every_role_opens_its_screen(qtbot, runtime, role):
    shell = open_shell(qtbot, make_context(runtime), role=role)
    expected = screen_class(role)
    page = shell.current_page()
    if role == "admin":
        assert page is shell.pin_pad
    else:
        assert isinstance(page, expected)
    assert shell.top_bar.isHidden() == (role == "display")
    ops.wait_idle()
    shell.close()


def test_attendance_without_a_camera_says_so(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime), role="attendance")
    screen = shell.role_screen
    assert screen.title.text() == "Presensi Pegawai"
    assert screen.guide.text() == "Kamera belum dipasang di perangkat ini. Hubungi teknisi."
    assert screen.feedback.text() == ""


@pytest.mark.parametrize("name,fg,bg", theme.CONTRAST_PAIRS)
def test_palette_contrast_is_at_least_4_5(name, fg, bg):
    assert theme.contrast_ratio(fg, bg) >= 4.5, name


def test_contrast_formula_matches_wcag_reference_values():
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_touch_targets_are_at_least_60_px(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    wait_services(qtbot, shell)
    tap(qtbot, shell.role_screen.service_buttons[0])
    five_taps(qtbot, shell)
    qtbot.wait(50)
    from PySide6.QtWidgets import QPushButton

    checked = 0
    for page in (shell.role_screen.service_page, shell.pin_pad, shell.top_bar):
        for button in page.findChildren(QPushButton):
            if button.isVisibleTo(page):
                size = button.sizeHint().expandedTo(button.minimumSize())
                assert size.height() >= theme.TOUCH_MIN and size.width() >= theme.TOUCH_MIN, button.text()
                checked += 1
    assert checked >= 15


def test_screenshots_command_writes_a_png_per_role(tmp_path):
    """Works before `kiosk init` (a newcomer's first try) and never touches the data dir."""
    kiosk = Path(sys.executable).parent / "kiosk"
    data, out = tmp_path / "data", tmp_path / "shots"
    result = subprocess.run([str(kiosk), "--data-dir", str(data), "screenshots", "--out", str(out)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    listed = {Path(line).name for line in result.stdout.split()}
    for role in ROLE_SCREENS:
        name = f"{role}-home.id.png"
        assert name in listed
        image = QImage(str(out / name))
        assert not image.isNull() and image.width() >= 1280, name
    for state in ("service", "ticket", "printer-problem", "quota-full"):
        assert (out / f"citizen-{state}.id.png").exists()
    assert (out / "admin-stats.id.png").exists()
    assert not (data / "kiosk.db").exists()       # rendered from a scratch demo office


def test_screenshot_scene_is_fixed_and_has_no_negative_times():
    """Both languages are rendered from the same scene: two scenes give the same numbers."""
    from datetime import date

    from kiosk.queue import stats
    from ui.screenshots import demo_scene

    def numbers():
        with demo_scene() as rt:
            day = date(2026, 3, 2)
            result = stats(rt, day, day)
            rows = rt.db.execute("SELECT number, status FROM tickets ORDER BY number").fetchall()
            return result, [tuple(r) for r in rows]

    first, second = numbers(), numbers()
    assert first == second
    result, rows = first
    assert len(rows) == 12
    assert sum(row["served"] for row in result["per_service"]) == 5
    for row in result["per_service"] + result["per_counter"]:
        for key, value in row.items():
            if key.endswith("_s"):
                assert value is None or value >= 0, (key, value)


def test_every_page_fits_a_1280x800_kiosk_screen(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    wait_services(qtbot, shell)
    five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    ops.wait_idle()
    hint = shell.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800, hint


def test_the_display_board_opens_admin_from_a_keyboard_and_hides_the_bar_again(qtbot, runtime):
    """A TV has no top bar to tap: Ctrl+Alt+A opens the PIN pad, the bar (with its exit
    button) shows for admin, and the board gets the whole screen back afterwards."""
    from PySide6.QtCore import Qt

    shell = open_shell(qtbot, make_context(runtime), role="display")
    assert not shell.top_bar.isVisible()
    with qtbot.waitActive(shell):
        shell.activateWindow()
    qtbot.keyClick(shell, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shell.current_page() is shell.pin_pad, timeout=3000)
    assert shell.top_bar.isVisible()
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    tap(qtbot, shell.exit_admin_button)
    assert shell.current_page() is shell.role_screen
    assert not shell.top_bar.isVisible()


def test_pin_pad_locks_for_a_growing_delay_after_five_wrong_pins(qtbot, runtime):
    """Guessing is slowed down: after five wrong PINs the pad says how long to wait and
    ignores even the right PIN until then; each further wrong PIN doubles the wait."""
    from ui.shell import PIN_FREE_TRIES, PIN_LOCK_FIRST_S

    shell = open_shell(qtbot, make_context(runtime))
    wait_services(qtbot, shell)
    pad = shell.pin_pad
    now = [500.0]
    pad.now = lambda: now[0]
    shell.open_pin_pad()
    for attempt in range(PIN_FREE_TRIES):
        type_pin(qtbot, shell, "9999")
        qtbot.waitUntil(lambda: pad.failures == attempt + 1, timeout=5000)
    assert pad.locked_for() == PIN_LOCK_FIRST_S
    wait = f"Terlalu banyak PIN salah. Silakan tunggu {PIN_LOCK_FIRST_S} detik."
    assert pad.message.text() == wait

    type_pin(qtbot, shell, "1234")                # the right PIN, but too soon
    ops.wait_idle()
    assert shell.current_page() is pad
    assert shell.admin_screen is None
    assert pad.dots.text().strip() == ""
    now[0] += 10
    pad.refresh_lock()                            # what the pad's one-second timer does
    assert pad.message.text() == wait.replace(str(PIN_LOCK_FIRST_S), str(PIN_LOCK_FIRST_S - 10))

    now[0] += PIN_LOCK_FIRST_S                     # waited: one more wrong try locks longer
    type_pin(qtbot, shell, "9999")
    qtbot.waitUntil(lambda: pad.failures == PIN_FREE_TRIES + 1, timeout=5000)
    assert pad.locked_for() == 2 * PIN_LOCK_FIRST_S

    i18n.set_language("en")
    qtbot.waitUntil(lambda: pad.message.text()
                    == f"Too many wrong PINs. Please wait {2 * PIN_LOCK_FIRST_S} seconds.", timeout=3000)
    now[0] += 2 * PIN_LOCK_FIRST_S
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    assert pad.failures == 0
