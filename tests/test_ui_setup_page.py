"""The first-boot setup page as Dewi and a passing citizen see it, the list of kiosks on the
network (real zeroconf on loopback, results into Qt through queued signals), and ``kiosk run``
on a data dir without config.toml: the setup page, then the role's screen once configured."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from click.testing import CliRunner
from PySide6.QtCore import QThread, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from provisioning import device
from provisioning.advertise import SetupAdvertisement
from provisioning.discover import FoundDevice
from provisioning.first_boot import qr_text
from provisioning.setup_code import MAX_FAILURES, SetupCode
from tests.test_lan_discovery import needs_mdns
from ui import i18n, theme

LOOPBACK = ["127.0.0.1"]


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _page(qtbot, tmp_path, code=None, device_list=None):
    from ui.setup_page import SetupPage

    theme.apply(QApplication.instance())
    ident = device.load(tmp_path / "kiosk")
    page = SetupPage(ident, code or SetupCode(), "192.168.1.23:8766", device_list=device_list)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page


def _decode_qr(page) -> list[str]:
    from devices.qr.decoders import decode

    image = page.qr_label.pixmap().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return decode(pixels.reshape(height, stride)[:, :width].copy())


def test_the_page_shows_the_current_code_big_and_a_qr_a_camera_reads(qtbot, tmp_path):
    code = SetupCode()
    page = _page(qtbot, tmp_path, code)
    assert page.code_label.text().replace(" ", "") == code.current()
    assert page.id_label.text() == page.identity.short_id
    assert "192.168.1.23:8766" in page.address_label.text()
    assert page.title.text() == "Kios ini sedang disiapkan petugas"
    assert "5:00" in page.countdown.text() or "4:5" in page.countdown.text()
    assert page.code_label.font().pixelSize() >= 100 or "120px" in page.code_label.styleSheet()
    assert _decode_qr(page) == [qr_text(page.identity, "192.168.1.23:8766", code.current())]


def test_after_an_attempt_on_the_service_thread_the_page_shows_the_new_code(qtbot, tmp_path):
    code = SetupCode()
    page = _page(qtbot, tmp_path, code)
    before = code.current()
    # the setup service finishes a pairing attempt on its own thread
    worker = threading.Thread(target=code.attempt_finished, args=(False,))
    worker.start()
    worker.join()
    new = code.current()
    assert new != before or len(new) == 6  # a fresh random code (a repeat is 1 in a million)
    qtbot.waitUntil(lambda: page.shown_code == new, timeout=3000)
    assert page.code_label.text().replace(" ", "") == new
    assert _decode_qr(page) == [qr_text(page.identity, page.address, new)]


def test_the_countdown_runs_out_into_a_new_code(qtbot, tmp_path):
    clock = Ticking()
    code = SetupCode(lifetime_s=300, monotonic=clock)
    page = _page(qtbot, tmp_path, code)
    first = page.shown_code
    clock.t += 61
    page.tick()
    assert page.countdown.text() == "Kode baru dalam 3:59"
    clock.t += 240
    page.tick()   # the timer's tick: the old code has expired
    qtbot.waitUntil(lambda: page.shown_code == code.current(), timeout=3000)
    assert page.code_label.text().replace(" ", "") == code.current()
    assert page.countdown.text() == "Kode baru dalam 5:00"
    assert first != page.shown_code or len(first) == 6


def test_too_many_wrong_codes_make_the_page_say_how_long_to_wait(qtbot, tmp_path):
    clock = Ticking()
    code = SetupCode(monotonic=clock)
    page = _page(qtbot, tmp_path, code)
    for _ in range(MAX_FAILURES):
        code.attempt_finished(False)
    qtbot.waitUntil(lambda: page.shown_code == code.current(), timeout=3000)
    page.tick()
    assert page.countdown.text() == "Terlalu banyak kode salah. Coba lagi dalam 0:30"


def test_the_page_speaks_english_on_the_switch(qtbot, tmp_path):
    page = _page(qtbot, tmp_path)
    try:
        i18n.set_language("en")
        qtbot.waitUntil(lambda: page.title.text() == "This kiosk is being set up by staff",
                        timeout=3000)
        assert page.code_caption.text() == "Setup code"
        assert page.countdown.text().startswith("New code in ")
    finally:
        i18n.set_language("id")
    qtbot.waitUntil(lambda: page.title.text() == "Kios ini sedang disiapkan petugas",
                    timeout=3000)


def test_the_device_list_marks_this_kiosk_and_says_each_state(qtbot, tmp_path):
    from ui.device_browser import DeviceBrowser, DeviceList

    browser = DeviceBrowser()
    page = _page(qtbot, tmp_path)
    listing = DeviceList(browser, page.identity.short_id)
    qtbot.addWidget(listing)
    assert listing.title.text() == "Perangkat di jaringan"
    assert listing.empty.isVisibleTo(listing)
    ours = FoundDevice(page.identity.short_id, page.identity.fingerprint, "unprovisioned",
                       "Raspberry Pi 4", "0.1.0", "192.168.1.23", 8766)
    other = FoundDevice("0000-0001", "ab" * 32, "provisioned", "Raspberry Pi 5", "0.1.0",
                        "192.168.1.40", 8766)
    browser._emit_found(other)          # as the resolver thread does: queued
    browser._emit_found(ours)
    qtbot.waitUntil(lambda: len(listing.rows) == 2, timeout=3000)
    texts = [row.text() for row in listing.rows]
    assert texts == [f"{ours.short_id} (perangkat ini) \u00b7 belum disiapkan \u00b7 192.168.1.23",
                     "0000-0001 \u00b7 siap \u00b7 192.168.1.40"]
    assert not listing.empty.isVisibleTo(listing)
    browser._emit_removed("0000-0001")
    qtbot.waitUntil(lambda: len(listing.rows) == 1, timeout=3000)
    for n in range(2, 7):   # a busy office: four shown, the count in the title
        browser._emit_found(FoundDevice(f"0000-000{n}", "ab" * 32, "provisioned", "Pi", "1",
                                        f"192.168.1.{40 + n}", 8766))
    qtbot.waitUntil(lambda: listing.title.text() == "Perangkat di jaringan (6)", timeout=3000)
    assert len(listing.rows) == 4 and "perangkat ini" in listing.rows[0].text()


@needs_mdns
def test_the_qt_bridge_brings_real_zeroconf_results_into_the_gui_thread(qtbot, tmp_path):
    from ui.device_browser import DeviceBrowser

    gui = QApplication.instance().thread()
    threads: list[bool] = []
    seen: dict[str, list] = {"found": [], "updated": [], "removed": []}
    browser = DeviceBrowser()
    for name in seen:
        getattr(browser, name).connect(
            lambda value, name=name: (seen[name].append(value),
                                      threads.append(QThread.currentThread() is gui)))
    ident = device.load(tmp_path / "other")
    browser.start(LOOPBACK)
    try:
        advert = SetupAdvertisement(ident, port=18780, interfaces=LOOPBACK)
        try:
            qtbot.waitUntil(lambda: bool(seen["found"]), timeout=10_000)
            assert seen["found"][0].short_id == ident.short_id
            assert browser.devices[ident.short_id].state == "unprovisioned"
            advert.set_state("provisioned")
            qtbot.waitUntil(lambda: bool(seen["updated"]), timeout=10_000)
            assert browser.devices[ident.short_id].state == "provisioned"
        finally:
            advert.close()
        qtbot.waitUntil(lambda: bool(seen["removed"]), timeout=10_000)
        assert seen["removed"] == [ident.short_id] and ident.short_id not in browser.devices
    finally:
        browser.stop()
    assert threads and all(threads)


@pytest.mark.timeout(120)
def test_kiosk_run_on_an_empty_data_dir_shows_the_setup_page_then_the_role(qtbot, tmp_path):
    """No config.toml: ``kiosk run`` (no --role) shows the setup page; once configured (as
    the setup service does, from its thread) the citizen screen replaces it in the same
    process and the advertisement says "provisioned"."""
    from kiosk.cli import main
    from kiosk.demo import init_demo

    data = tmp_path / "fresh"
    seen: dict = {}

    def watch() -> None:
        pages = [w for w in QApplication.topLevelWidgets()
                 if type(w).__name__ == "SetupPage" and w.isVisible()]
        shells = [w for w in QApplication.topLevelWidgets()
                  if type(w).__name__ == "Shell" and w.isVisible()]
        if pages and "page" not in seen:
            page = pages[0]
            seen["page"] = (page.title.text(), page.code_label.text().replace(" ", ""),
                            page.code.current(), page.id_label.text(), page.address)
            mode = page.setup_mode
            seen["mode"] = mode
            init_demo(data)                                   # what configure writes
            threading.Thread(target=mode.configured).start()  # the service's thread
        elif shells and "shell" not in seen:
            seen["shell"] = shells[0].role
            seen["state"] = seen["mode"].advertisement.state
            seen["pages_left"] = len(pages)
            timer.stop()
            for shell in shells:
                shell.close()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(watch)
    timer.start()
    result = CliRunner().invoke(main, ["--data-dir", str(data), "run", "--windowed",
                                       "--setup-interface", "127.0.0.1", "--setup-port", "0"])
    timer.stop()
    assert result.exit_code == 0, result.output
    title, shown, current, short_id, address = seen["page"]
    assert title == "Kios ini sedang disiapkan petugas"
    assert shown == current and len(shown) == 6
    assert short_id == device.load(data).short_id
    assert address.startswith("127.0.0.1:")
    assert seen["shell"] == "citizen" and seen["state"] == "provisioned"
    assert seen["pages_left"] == 0


def test_the_setup_page_screenshot_is_rendered_in_both_languages(qtbot, tmp_path):
    """``kiosk screenshots`` includes setup-home.<language>.png (render_all calls this)."""
    import inspect

    from ui import screenshots

    assert "render_setup_page(language, out)" in inspect.getsource(screenshots.render_all)
    try:
        for language in ("id", "en"):
            i18n.set_language(language)
            path = screenshots.render_setup_page(language, tmp_path)
            assert path == tmp_path / f"setup-home.{language}.png"
            image = QImage(str(path))
            assert (image.width(), image.height()) == (1280, 800)
    finally:
        i18n.set_language("id")
    # the same scene in both languages: the same code and QR, different words
    assert QImage(str(tmp_path / "setup-home.id.png")) != \
        QImage(str(tmp_path / "setup-home.en.png"))


@needs_mdns
@pytest.mark.timeout(120)
def test_kiosk_run_on_a_configured_kiosk_keeps_it_listed_with_its_health(qtbot, demo_dir):
    """After a reboot a configured kiosk shows its role's screen, and beside it the setup
    service and the "provisioned" announcement: the laptop's status still lists it."""
    from kiosk.cli import main
    from provisioning.discover import discover

    seen: dict = {}

    def laptop() -> None:
        seen["found"] = discover(3, LOOPBACK)

    def watch() -> None:
        shells = [w for w in QApplication.topLevelWidgets()
                  if type(w).__name__ == "Shell" and w.isVisible()]
        pages = [w for w in QApplication.topLevelWidgets()
                 if type(w).__name__ == "SetupPage" and w.isVisible()]
        seen["pages"] = seen.get("pages", 0) + len(pages)
        if shells and "worker" not in seen:
            seen["role"] = shells[0].role
            seen["worker"] = threading.Thread(target=laptop)
            seen["worker"].start()
        if "found" in seen or time.monotonic() > deadline:
            timer.stop()
            for shell in shells:
                shell.close()

    import time

    deadline = time.monotonic() + 60
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(watch)
    timer.start()
    result = CliRunner().invoke(main, ["--data-dir", str(demo_dir), "run", "--windowed",
                                       "--role", "admin", "--setup-interface", "127.0.0.1",
                                       "--setup-port", "0"])
    timer.stop()
    assert result.exit_code == 0, result.output
    assert seen["role"] == "admin" and seen["pages"] == 0
    seen["worker"].join(10)
    [kiosk] = seen["found"]
    assert kiosk.state == "provisioned" and kiosk.short_id == device.load(demo_dir).short_id
    import httpx

    # the process has ended: its setup service with it
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{kiosk.setup_url}/health", timeout=2)


def test_no_setup_on_an_unconfigured_kiosk_is_refused_plainly(tmp_path):
    from kiosk.cli import main

    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "fresh"), "run",
                                       "--no-setup"])
    assert result.exit_code == 2 and "config.toml" in result.output
    assert not (tmp_path / "fresh" / "config.toml").exists()
