"""Running a kiosk that nobody has configured yet: the setup page full screen, the setup
service and the LAN announcement behind it, and, once the technician has configured the
device, the role's screen in the same process (``kiosk run`` on a data dir without
config.toml; docs/PROVISIONING.md "First boot").

Like ui/app.py this composes a process (it opens the office once configured), so it is no
screen (tests/test_ui_layering.py). The role's screen replaces the page in place rather than
by re-executing the process: the setup service and the announcement (now "provisioned")
keep running for diagnostics and reset, and the screen does not go dark in between.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from ui import i18n, ops
from ui.app import WINDOW_SIZE, ensure_app, make_context

log = logging.getLogger(__name__)

#: How often Python gets control in the event loop (a SIGTERM handler runs only then).
WAKE_MS = 500


class _Configured(QObject):
    """Carries "configured" from the setup service's thread into the GUI thread (queued)."""

    happened = Signal()


def _show(app: QApplication, window: QWidget, windowed: bool, *, blank_cursor: bool) -> None:
    """As ui.app.run_app shows its window: full screen and frameless on the kiosk."""
    if windowed:
        window.resize(*WINDOW_SIZE)
        window.show()
        return
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    # Without a window manager full screen is only a hint: cover the screen ourselves too.
    window.setGeometry(app.primaryScreen().geometry())
    window.showFullScreen()
    if blank_cursor and app.overrideCursor() is None:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)


def _systemd(app: QApplication) -> None:
    """Under systemd (deploy's Type=notify unit with a watchdog): READY once the loop runs
    and a watchdog ping from the loop, for the whole life of the app (page, then screen).
    kiosk.sdnotify comes with the deployment work; without it, nothing to do."""
    try:
        from kiosk import sdnotify  # type: ignore[attr-defined]
    except ImportError:
        return
    QTimer.singleShot(0, lambda: sdnotify.ready("showing the setup page"))
    interval = sdnotify.watchdog_interval_ms()
    if interval:
        timer = QTimer(app)
        timer.timeout.connect(sdnotify.watchdog)
        timer.start(interval)


def run_setup_app(data_dir: Path, role: str | None = None, windowed: bool = False, *,
                  interfaces: list[str] | None = None, port: int | None = None) -> int:
    """The setup page until the device is configured, then ``role``'s screen (the first of
    the new config's device.roles when None) until the window closes; the exit code."""
    from kiosk.errors import KioskError
    from kiosk.runtime import open_runtime
    from provisioning.advertise import SETUP_PORT
    from provisioning.first_boot import run_setup_mode
    from provisioning.reset import restart_after_reset
    from ui.device_browser import DeviceBrowser, DeviceList
    from ui.setup_page import SetupPage
    from ui.shell import Shell

    app = ensure_app()
    i18n.set_language("id")
    # systemd stops the kiosk with SIGTERM: quit the loop so the announcement says goodbye
    # (the laptop's list drops this kiosk at once, not when its records expire). The quit
    # is posted, so a SIGTERM that comes before the loop runs still ends it.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = (signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, app.quit))
                if main_thread else None)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(WAKE_MS)
    browser = DeviceBrowser()
    started: dict = {}
    mode = None
    try:
        mode = run_setup_mode(data_dir, interfaces=interfaces,
                              port=SETUP_PORT if port is None else port,
                              after_reset=restart_after_reset)
        browser.start(interfaces)
        page = SetupPage(mode.identity, mode.code, mode.address,
                         device_list=DeviceList(browser, mode.identity.short_id))
        page.setWindowTitle("Kios Layanan Kelurahan")
        page.setup_mode = mode  # the handle: tests call configured() as the service does
        _show(app, page, windowed, blank_cursor=False)
        _systemd(app)

        def leave_setup() -> None:
            try:
                runtime = open_runtime(Path(data_dir))
            except KioskError as exc:
                log.error("configured, but the configuration cannot be used: %s", exc)
                page.countdown.setText(str(exc))
                return
            roles = runtime.config.device.roles
            chosen = role or (roles[0] if roles else "citizen")
            i18n.set_language(runtime.config.ui.language)
            ctx, composition = make_context(runtime, chosen)
            started.update(runtime=runtime, composition=composition)
            window = Shell(ctx, chosen)
            _show(app, window, windowed or not runtime.config.ui.fullscreen,
                  blank_cursor=chosen in ("citizen", "display", "attendance"))
            started["shell"] = window
            page.close()
            # the list of kiosks went with the page: stop browsing (off the GUI thread, as
            # closing waits for a resolve in progress)
            threading.Thread(target=browser.stop, name="setup-browser-stop", daemon=True).start()

        relay = _Configured()
        relay.happened.connect(leave_setup, Qt.ConnectionType.QueuedConnection)
        mode.on_configured(relay.happened.emit)
        return app.exec()
    finally:
        wake.stop()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        browser.stop()
        ops.wait_idle(3000)
        if "composition" in started:
            started["composition"].stop()
        if "runtime" in started:
            started["runtime"].close()
        if mode is not None:
            mode.stop()
