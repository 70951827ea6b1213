"""Starting the app: the QApplication, the theme and language, the Services a role needs,
and the main window, full screen (kiosk mode) or windowed (development).

Devices are optional parts: the speaker (devices.speech) for the board, the print worker
(devices.printer) for the citizen kiosk. When one cannot start, the app still runs and logs
why: a kiosk without a printer still gives numbers on screen.

The edge (the machine that holds the office database) also runs the background sync worker
(sync.client.SyncWorker, a plain thread with its own database connection) when ``[sync]
server`` is set and the device is enrolled; a screen that reaches the queue over the LAN
does not sync: the edge does it for the whole office.
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk.cli.compose import (  # noqa: F401  (edge_url, start_sync_worker: used by tests)
    Workers,
    edge_url,
    is_edge,
    make_queue,
    start_sync_worker,
    start_workers,
)
from kiosk.runtime import Runtime
from ui import i18n, ops, theme
from ui.services import Services

log = logging.getLogger(__name__)

#: A 10-inch touch kiosk's usual resolution; the windowed mode opens at this size.
WINDOW_SIZE = (1280, 800)


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, themed. Off-screen when there is no display (CI, screenshots)."""
    app = QApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(argv if argv is not None else [sys.argv[0]])
        app.setApplicationName("kelurahan-kiosk")
        app.setApplicationDisplayName("Kios Layanan Kelurahan")
    theme.apply(app)
    return app


def make_speaker(role: str):
    if role != "display":
        return None
    try:
        from devices.speech import make_speaker as make
    except ImportError as exc:
        log.warning("speech not available (%s); the board shows calls without sound", exc)
        return None
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - no sound is better than no board
        log.warning("speech could not start (%s); the board shows calls without sound", exc)
        return None


def make_services(runtime: Runtime, role: str, *, with_devices: bool = True) -> Services:
    """Services for one role. When the queue lives on another machine, screens get no
    runtime: this machine's database is not the office's (statistics and print jobs are
    on the edge). ``with_devices=False`` (screenshots) starts no printer, speaker or sync."""
    queue = make_queue(runtime)
    local = is_edge(runtime)
    # What runs here is decided by the composition root (kiosk.cli.compose): the citizen
    # role prints; every role on the edge syncs.
    workers = (start_workers(runtime, printing=role == "citizen") if with_devices
               else Workers())
    return Services(runtime=runtime if local else None, config=runtime.config, queue=queue,
                    speaker=make_speaker(role) if with_devices else None,
                    printer_worker=workers.printer, sync_worker=workers.sync)


def stop_workers(services: Services, timeout_s: float = 5.0) -> None:
    """On quit: stop the print and sync workers this app started. A sync round on a slow
    link is not waited for beyond ``timeout_s`` (its thread is a daemon; what it sent
    and did not see acknowledged goes again next time)."""
    if services.printer_worker is not None:
        services.printer_worker.stop()
    if services.sync_worker is not None:
        services.sync_worker.stop(timeout_s)


def run_app(runtime: Runtime, role: str = "citizen", windowed: bool = False) -> int:
    """Run one role until the window closes; returns the exit code."""
    from ui.shell import Shell

    app = ensure_app()
    i18n.set_language(runtime.config.ui.language)
    services = make_services(runtime, role)
    window = Shell(services, role)
    if windowed or not runtime.config.ui.fullscreen:
        window.resize(*WINDOW_SIZE)
        window.show()
    else:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        # Without a window manager (a bare X server on a kiosk) full screen is only a hint:
        # cover the screen ourselves as well.
        window.setGeometry(app.primaryScreen().geometry())
        window.showFullScreen()
        if role in ("citizen", "display", "attendance"):
            # a touch screen or a TV: a mouse pointer in the middle of it only distracts
            app.setOverrideCursor(Qt.CursorShape.BlankCursor)
    try:
        return app.exec()
    finally:
        stop_workers(services)
        ops.wait_idle(3000)
