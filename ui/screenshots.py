"""Render every screen of every role off-screen to PNG files (``kiosk screenshots``).

The screens are driven on a scratch demo office in a temporary folder, never on the user's
data directory: rendering works before ``kiosk init``, never touches a real office, and each
language is rendered from the same fixed scene (a FakeClock at ``SCENE_START`` and the same
short morning of tickets issued, called and served), so the pictures in both languages show
the same numbers and a used office's history (or a wrong clock) cannot make them odd.

File names: ``<role>-<state>.<language>.png``, e.g. ``citizen-home.id.png``.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.runtime import Runtime, open_runtime

log = logging.getLogger(__name__)

#: Screens the board is checked at (docs/screenshots/board-<w>x<h>.<language>.png).
BOARD_SIZES = [(1280, 720), (1280, 800), (1920, 1080)]
SIZES = {"citizen": (1280, 800), "admin": (1280, 800), "attendance": (1280, 800),
         "counter": (1366, 768), "display": (1920, 1080)}


#: When the scene's morning ends: Monday 2 March 2026, 10:30 WITA (the demo office's zone).
SCENE_END_MS = 1_772_418_600_000
#: The morning's first ticket, an hour and a half earlier.
SCENE_START_MS = SCENE_END_MS - 90 * 60 * 1000


@contextmanager
def demo_scene() -> Iterator[Runtime]:
    """A scratch demo office in a temporary folder with a FakeClock and a fixed morning."""
    from kiosk.demo import init_demo

    with tempfile.TemporaryDirectory(prefix="kiosk-screens-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        init_demo(data)
        scratch = open_runtime(data, clock=FakeClock(wall_ms=SCENE_START_MS, boot_id="screens"))
        try:
            populate(scratch)
            yield scratch
        finally:
            scratch.close()


def populate(rt: Runtime) -> None:
    """A plausible morning: a dozen tickets, some served, one being served, some waiting."""
    from kiosk import queue
    from kiosk import print_queue

    clock: FakeClock = rt.clock  # type: ignore[assignment]
    services = queue.list_services(rt)
    counters = queue.counters(rt)
    if not services or not counters:
        return
    ids = [s.id for s in services]
    for index, counter in enumerate(counters):
        queue.set_counter(rt, counter["id"], service_ids=ids, staff_id=None, paused=False)
    priorities = [None, None, "lansia", None, None, None, "hamil", None, None, None, None, None]
    for n, priority in enumerate(priorities):
        queue.issue_ticket(rt, services[n % len(services)].id, priority)
        clock.advance(90)
    for step in range(7):
        counter = counters[step % len(counters)]
        ticket = queue.call_next(rt, counter["id"])
        if ticket is None:
            break
        clock.advance(40)
        queue.start_service(rt, ticket.id)
        clock.advance(240 + 60 * (step % 3))
        if step < 5:
            queue.finish(rt, ticket.id)
    clock.advance((SCENE_END_MS - clock.wall_ms) / 1000)   # only forward: never negative times
    print_queue.record_printer_state(rt.db, "online", "ready", clock.now())


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns about window hints it ignores; keep the output to paths."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            log.warning("qt: %s", message)

    qInstallMessageHandler(handler)


def _wait() -> None:
    from ui import ops

    ops.wait_idle(10_000)


def render_all(out: Path, languages: list[str] | None = None) -> list[Path]:
    """Render every role's screens in each language, each from a fresh copy of the same
    scene; returns the files written."""
    from ui import i18n
    from ui.app import ensure_app

    ensure_app()
    _quiet_offscreen_warnings()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for language in languages or ["id"]:
        i18n.set_language(language)
        for role in ("citizen", "counter", "display", "attendance", "admin"):
            with demo_scene() as rt:      # the citizen's steps issue tickets: a fresh scene
                for _state, path in _render_role(rt, role, language, out):
                    written.append(path)
        with demo_scene() as rt:
            written += render_board_sizes(rt, language, out)
        written.append(render_setup_page(language, out))
    i18n.set_language("id")
    return written


#: The setup page's scene: a fixed identity key (so a fixed short id and QR), code and peers.
SETUP_KEY = bytes(range(1, 33))
SETUP_ADDRESS = "192.168.1.23:8766"


def render_setup_page(language: str, out: Path) -> Path:
    """The first-boot setup page (ui.setup_page) at 1280x800 as ``setup-home.<language>.png``,
    with a fixed code and two kiosks in its network list; no network is used."""
    from PySide6.QtCore import Qt

    from kiosk.identity import KEY_FILE
    from provisioning import device
    from provisioning.discover import FoundDevice
    from provisioning.setup_code import SetupCode
    from ui.device_browser import DeviceBrowser, DeviceList
    from ui.setup_page import SetupPage

    class SceneCode(SetupCode):
        def current(self) -> str:
            return "482913"

        def seconds_left(self) -> float:
            return 272.0

    with tempfile.TemporaryDirectory(prefix="kiosk-setup-") as tmp:
        (Path(tmp) / KEY_FILE).write_bytes(SETUP_KEY)
        (Path(tmp) / KEY_FILE).chmod(0o600)
        ident = device.load(Path(tmp))
    browser = DeviceBrowser()
    for found in (FoundDevice(ident.short_id, ident.fingerprint, "unprovisioned",
                              "Raspberry Pi 4 Model B Rev 1.5", "0.1.0", "192.168.1.23", 8766),
                  FoundDevice("9QK2-7MZA", "0" * 64, "provisioned", "Raspberry Pi 5 Model B",
                              "0.1.0", "192.168.1.40", 8766)):
        browser.devices[found.short_id] = found
    page = SetupPage(ident, SceneCode(), SETUP_ADDRESS,
                     device_list=DeviceList(browser, ident.short_id))
    page.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    page.setFixedSize(1280, 800)
    page.show()
    _wait()
    path = out / f"setup-home.{language}.png"
    page.grab().save(str(path))
    page.close()
    page.deleteLater()
    browser.deleteLater()
    _wait()
    return path


def render_board_sizes(rt: Runtime, language: str, out: Path) -> list[Path]:
    """The display board at each of BOARD_SIZES, as board-<w>x<h>.<language>.png."""
    from PySide6.QtCore import Qt

    from ui.app import make_context
    from ui.shell import Shell

    written = []
    for width, height in BOARD_SIZES:
        shell = Shell(make_context(rt, "display", with_devices=False)[0], "display")
        shell.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        shell.resize(width, height)
        shell.show()
        shell.set_language(language)
        _wait()
        path = out / f"board-{width}x{height}.{language}.png"
        shell.grab().save(str(path))
        written.append(path)
        shell.close()
        _wait()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(5000)
        shell.deleteLater()
        _wait()
    return written


def _render_role(rt: Runtime, role: str, language: str, out: Path) -> list[tuple[str, Path]]:
    from PySide6.QtCore import Qt

    from ui.app import make_context
    from ui.shell import Shell

    ctx, _ = make_context(rt, role, with_devices=False)
    shell = Shell(ctx, role)
    shell.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    shell.setFixedSize(*SIZES[role])   # the kiosk's screen: what does not fit is cut, as there
    shell.show()
    shell.set_language(language)
    _wait()
    shots: list[tuple[str, Path]] = []

    def shot(state: str) -> None:
        _wait()
        path = out / f"{role}-{state}.{language}.png"
        shell.grab().save(str(path))
        shots.append((state, path))

    cleanups: list[Callable[[], None]] = []
    try:
        steps: dict[str, list[tuple[str, Callable[[], None]]]] = {
            "citizen": _citizen_steps(rt, shell, cleanups),
            "admin": [("home", lambda: None), ("stats", shell.open_admin),
                      ("sync", lambda: shell.admin_screen.show_sync())],
            "counter": _counter_steps(shell),
        }
        for state, action in steps.get(role, [("home", lambda: None)]):
            action()
            shot(state)
    finally:
        from PySide6.QtCore import QThreadPool

        for cleanup in cleanups:
            cleanup()
        shell.close()
        _wait()
        QThreadPool.globalInstance().waitForDone(5000)  # watch loops end after close
        shell.deleteLater()
        _wait()
    return shots


def _counter_steps(shell) -> list[tuple[str, Callable[[], None]]]:
    """Sign-in, then the console of Loket 2 with a ticket called, as Rina sees it."""
    screen = shell.role_screen

    def serve() -> None:
        _wait()
        staff = next((e for e in screen.sign_in.employees if e.name.startswith("Rina")), None)
        counter = next((c for c in screen.sign_in.counters if c["number"] == 2), None)
        if staff is None or counter is None:
            return
        screen.sign_in.staff_buttons[staff.id].setChecked(True)
        screen.sign_in.counter_buttons[counter["id"]].setChecked(True)
        screen.sign_in.start_button.click()
        _wait()
        screen.call_button.click()
        _wait()

    return [("home", lambda: None), ("serving", serve)]


def _citizen_steps(rt: Runtime, shell, cleanups: list[Callable[[], None]]
                   ) -> list[tuple[str, Callable[[], None]]]:
    from kiosk import print_queue
    from kiosk.db import write_tx

    screen = shell.role_screen

    def pick_service() -> None:
        screen.choose_service(screen.services_list[min(1, len(screen.services_list) - 1)])

    def take() -> None:
        screen.take_number("lansia")

    def printer_down() -> None:
        screen.reset()
        _wait()
        print_queue.record_printer_state(rt.db, "paper_out", "paper out", rt.clock.now())
        pick_service()
        screen.take_number(None)
        _wait()
        screen._check_print()
        _wait()

    def set_cap(service_id: str, cap: int | None) -> None:
        with write_tx(rt.db):
            rt.db.execute("UPDATE services SET daily_cap = ? WHERE id = ?", [cap, service_id])

    def quota() -> None:
        screen.reset()
        _wait()
        print_queue.record_printer_state(rt.db, "online", "ready", rt.clock.now())
        last = screen.services_list[-1]
        set_cap(last.id, last.issued_today)
        cleanups.append(lambda: set_cap(last.id, last.daily_cap))
        screen.load_services()
        _wait()
        screen.choose_service(screen.services_list[-1])
        screen.take_number(None)

    if not getattr(screen, "services_list", None):
        return [("home", lambda: None)]
    return [("home", lambda: None), ("service", pick_service), ("ticket", take),
            ("printer-problem", printer_down), ("quota-full", quota),
            *_letter_steps(screen)]


#: Pak Budi's answers for the letter screenshots (the form's own shapes: keypad digits).
_BUDI = {"nik": "6472081508950003", "kk": "6472081203150007", "name": "BUDI SANTOSO",
         "birth_place": "SAMARINDA", "birth_date": "1995-08-15", "sex": "L",
         "address": "JL PAHLAWAN 3", "rt_rw": "003005", "religion": "Islam",
         "marital_status": "kawin", "occupation": "WIRASWASTA", "phone": "",
         "business_name": "WARUNG BUDI", "business_address": "JL PAHLAWAN 3",
         "business_since": "2019-01-01", "purpose": "Pinjaman bank"}


def _letter_steps(screen) -> list[tuple[str, Callable[[], None]]]:
    """The letter request (choose, NIK with a typo, a name on the keyboard, review, code),
    the status check and a complaint's categories."""
    flow = screen.letters

    def choose() -> None:
        screen.reset()
        _wait()
        screen.open_letters()

    def nik_typo() -> None:
        flow.choose(next(t for t in flow.letter_types if t.code == "SKU"))
        entry = flow.form.current().input
        for digit in "64720875":
            entry.keypad.digit_buttons[digit].click()

    def answer_until(key: str) -> None:
        form = flow.form
        form.current().input.clear()
        while form.specs[form.index].key != key:
            value = _BUDI[form.specs[form.index].key]
            if value:
                form.current().set_value(value)
            form.advance()

    def name() -> None:
        answer_until("name")
        flow.form.current().set_value("BUDI SANTOSO")

    def review() -> None:
        while flow.stack.currentWidget() is flow.form:
            value = _BUDI[flow.form.specs[flow.form.index].key]
            if value:
                flow.form.current().set_value(value)
            flow.form.advance()

    def sent() -> None:
        flow.submit()

    def status() -> None:
        code = flow.sent.code if flow.sent is not None else "S-2222222"
        screen.reset()
        _wait()
        screen.open_status_check()
        screen.status_check.code_edit.setText(code)
        screen.status_check.check()

    def complaint() -> None:
        screen.reset()
        _wait()
        screen.open_complaints()

    return [("letters", choose), ("letters-nik", nik_typo), ("letters-name", name),
            ("letters-review", review), ("letters-code", sent), ("status", status),
            ("complaint", complaint)]
