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
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from ui import i18n, ops
from ui.app import (BLANK_CURSOR_ROLES, ensure_app, make_context, quit_on_sigterm,
                    show_window, systemd_heartbeat)

log = logging.getLogger(__name__)

class _Configured(QObject):
    """Carries "configured" from the setup service's thread into the GUI thread (queued)."""

    happened = Signal()


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
    # (the laptop's list drops this kiosk at once, not when its records expire).
    quit_on_sigterm(app)
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
        show_window(app, page, windowed, blank_cursor=False)
        # on the app, not the page: the pings go on once the page gives way to the screen
        systemd_heartbeat(app, "showing the setup page")

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
            show_window(app, window, windowed or not runtime.config.ui.fullscreen,
                        blank_cursor=chosen in BLANK_CURSOR_ROLES)
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
        browser.stop()
        ops.wait_idle(3000)
        if "composition" in started:
            started["composition"].stop()
        if "runtime" in started:
            started["runtime"].close()
        if mode is not None:
            mode.stop()
