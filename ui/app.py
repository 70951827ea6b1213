"""Starting the app: the QApplication, the theme and language, the ScreenContext a role needs,
and the main window, full screen (kiosk mode) or windowed (development).

Which office client the screens get and which workers run is the composition root's
decision (kiosk.cli.compose), the same one ``kiosk edge serve`` makes: on the edge the print
worker (citizen role) and the sync worker, on a LAN client neither. Devices are optional
parts: the speaker (devices.speech) for the board. When one cannot start, the app still runs
and logs why: a kiosk without a printer still gives numbers on screen.

As a systemd service (deploy/kiosk.service) the app says READY, pings the watchdog from
its event loop and quits cleanly on SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import sdnotify
from kiosk.cli.compose import Composition, compose
from kiosk.runtime import Runtime
from ui import i18n, ops, theme
from ui.context import ScreenContext

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


def make_context(runtime: Runtime, role: str, *,
                 with_devices: bool = True) -> tuple[ScreenContext, Composition]:
    """The screens' context for one role, and what the composition root started for it
    (kiosk.cli.compose: the office client, and on the edge the workers: the citizen role
    prints, every role syncs). ``with_devices=False`` (screenshots) starts no printer,
    speaker or sync."""
    composition = compose(runtime, printing=role == "citizen", with_workers=with_devices)
    camera, qr = make_scanner(runtime, role) if with_devices else (None, None)
    ctx = ScreenContext(office=composition.office, config=runtime.config, clock=runtime.clock,
                        export_dir=runtime.data_dir / "exports",
                        speaker=make_speaker(role) if with_devices else None,
                        camera=camera, qr=qr,
                        face=make_face(runtime) if with_devices and role == "attendance"
                        and camera is not None else None,
                        device_reset=make_reset(runtime, composition) if with_devices else None)
    return ctx, composition


def make_face(runtime: Runtime) -> object | None:
    """The attendance terminal's face engine ([face] in config.toml), or None with a warning.
    Loading checks the detector's sha256 and reads its 230 kB (milliseconds); dlib's models
    (about 100 MB of memory) load only at the first face step, so a terminal whose office
    does not ask for faces never holds them."""
    try:
        from devices.face import FaceEngine, FaceModelError
    except ImportError as exc:
        log.warning("no face check on this terminal (%s); run scripts/setup", exc)
        return None
    try:
        return FaceEngine.load(runtime.config.face.detector_model or None)
    except FaceModelError as exc:
        log.warning("no face check on this terminal: %s", exc)
        return None


def make_reset(runtime: Runtime, composition: Composition):
    """The admin screen's factory reset (provisioning.reset): the workers stop before the
    wipe; afterwards the app quits with RESET_EXIT_CODE (75), which ``kiosk run`` returns,
    and the next start shows the setup page."""
    from provisioning.reset import ResetControl

    return ResetControl(runtime.data_dir, before_wipe=composition.workers.stop)


def make_scanner(runtime: Runtime, role: str) -> tuple[object | None, object | None]:
    """The camera and QR decoder ([camera] in config.toml) of the citizen kiosk, which reads
    receipts at the status check, and of the attendance terminal, which reads staff badges;
    (None, None) for other roles or when they cannot be made. The camera is opened only while
    a screen that reads shows; one that is missing then says so and is retried by itself."""
    if role not in ("citizen", "attendance") or not runtime.config.camera.source:
        return None, None
    try:
        from devices.camera import open_camera
        from devices.qr import open_decoder

        cfg = runtime.config.camera
        return (open_camera(cfg.source, width=cfg.width, height=cfg.height),
                open_decoder(cfg.qr_backend))
    except Exception as exc:  # noqa: BLE001 - codes can still be typed or scanned by USB
        log.warning("no camera for the status check (%s); codes are typed", exc)
        return None, None


def run_app(runtime: Runtime, role: str = "citizen", windowed: bool = False) -> int:
    """Run one role until the window closes; returns the exit code."""
    from ui.shell import Shell

    app = ensure_app()
    i18n.set_language(runtime.config.ui.language)
    ctx, composition = make_context(runtime, role)
    window = Shell(ctx, role)
    show_window(app, window, windowed or not runtime.config.ui.fullscreen,
                blank_cursor=role in BLANK_CURSOR_ROLES)
    systemd_heartbeat(window, f"showing the {role} screen")
    quit_on_sigterm(app)
    try:
        return app.exec()
    finally:
        sdnotify.stopping()
        ops.wait_idle(3000)
        composition.stop()


#: Roles on a touch screen or a TV: a mouse pointer in the middle of it only distracts.
BLANK_CURSOR_ROLES = ("citizen", "display", "attendance")


def show_window(app: QApplication, window: QWidget, windowed: bool, *,
                blank_cursor: bool) -> None:
    """Full screen and frameless on the kiosk (a window of WINDOW_SIZE when ``windowed``)."""
    if windowed:
        window.resize(*WINDOW_SIZE)
        window.show()
        return
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    # Without a window manager (a bare X server on a kiosk) full screen is only a hint:
    # cover the screen ourselves as well.
    window.setGeometry(app.primaryScreen().geometry())
    window.showFullScreen()
    if blank_cursor and app.overrideCursor() is None:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)


def systemd_heartbeat(owner: QObject, status: str) -> QTimer | None:
    """Under systemd (deploy/kiosk.service): READY once the event loop runs, then a watchdog
    ping from that loop every half WatchdogSec, for as long as ``owner`` lives. A hung loop
    (a frozen screen) stops the pings and systemd restarts the kiosk. A no-op outside
    systemd (kiosk.sdnotify)."""
    QTimer.singleShot(0, lambda: sdnotify.ready(status))
    interval = sdnotify.watchdog_interval_ms()
    if not interval:
        return None
    timer = QTimer(owner)
    timer.timeout.connect(sdnotify.watchdog)
    timer.start(interval)
    return timer


#: The SIGTERM wakeup sockets and their notifier, alive as long as the app.
_sigterm_wake: tuple[socket.socket, socket.socket, QSocketNotifier] | None = None


def quit_on_sigterm(app: QApplication) -> None:
    """``systemctl stop``, a restart after an update and a shutdown send SIGTERM. By default
    it kills the process at once; quitting the event loop instead lets run_app's cleanup
    run (pending operations finished, workers stopped). Python runs a signal handler only
    when it gets control, which Qt's event loop does not give: the wakeup fd wakes a
    QSocketNotifier, whose slot gives Python control."""
    global _sigterm_wake
    if _sigterm_wake is not None:
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    try:
        signal.set_wakeup_fd(writer.fileno())
    except ValueError:  # not the main thread (tests driving run_app): keep the default
        reader.close()
        writer.close()
        return
    # posted, so a SIGTERM that comes before the loop runs still ends it once it does
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, app.quit))
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        try:
            reader.recv(64)
        except BlockingIOError:
            pass

    notifier.activated.connect(drain)
    _sigterm_wake = (reader, writer, notifier)
