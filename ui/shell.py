"""The main window: one role's screen, the language switch, the idle timer and the admin escape.

- Language: two buttons, each named in its own language, switch every screen live.
- Idle: after ``ui.idle_seconds`` without a touch, the screen is reset (back to its home,
  personal data cleared), an open admin screen is locked, and the language returns to the
  office default, so the next citizen starts fresh.
- Admin escape: five taps on the office name (top left) within three seconds open a large
  PIN pad; the admin screen opens only for the right PIN. Nothing else on a citizen screen
  leads out of kiosk mode. The display board has no top bar (a TV is not touched): there a
  technician's keyboard gives Ctrl+Alt+A, which opens the same PIN pad on every role.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFrame, QGridLayout, QHBoxLayout, QSizePolicy,
                               QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from kiosk.clock import local_time
from ui import i18n, taps, theme
from ui.context import ScreenContext
from ui.ops import run_op
from ui.screen import Screen

log = logging.getLogger(__name__)

#: role -> (module, class) of its screen; imported when the role starts.
ROLE_SCREENS: dict[str, tuple[str, str]] = {
    "citizen": ("ui.citizen", "CitizenScreen"),
    "display": ("ui.board", "BoardScreen"),
    "counter": ("ui.counter", "CounterScreen"),
    "attendance": ("ui.attendance", "AttendanceScreen"),
    "admin": ("ui.admin", "AdminScreen"),
}

#: Top-bar buttons: still a full touch target (60 px), with less padding, so the bar leaves
#: the screen to the role's own page.
TOP_BAR_BUTTON = f"min-height: {theme.TOUCH_MIN}px; padding: 2px 18px;"
ESCAPE_TAPS = 5
ESCAPE_WINDOW_S = 3.0
PIN_MAX = 8
#: Wrong PINs allowed before the pad locks; the first lock lasts PIN_LOCK_FIRST_S and each
#: further wrong PIN doubles it, up to PIN_LOCK_MAX_S (slows a guesser, not an admin's typo).
PIN_FREE_TRIES = 5
PIN_LOCK_FIRST_S = 30
PIN_LOCK_MAX_S = 15 * 60
_USER_INPUT = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress,
               QEvent.Type.Wheel}


def screen_class(role: str) -> type[QWidget]:
    """The screen class of a role, imported when the role starts (a board never loads the
    admin screen's charts). A module or class that is missing fails loudly: every role's
    screen is part of every build."""
    module_name, class_name = ROLE_SCREENS[role]
    return getattr(importlib.import_module(module_name), class_name)


#: Opens the admin PIN pad from a keyboard (the only way in on the display board).
ADMIN_SHORTCUT = "Ctrl+Alt+A"

class EscapeCorner(QPushButton):
    """The office name, top left. Looks like a title; five quick taps open the PIN pad."""

    triggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "flat")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(theme.TOUCH_MIN * 2, theme.TOUCH_MIN)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setIcon(theme.icon("building", theme.PRIMARY))
        self.setIconSize(theme.icon_pixmap("building").size())
        self.setStyleSheet(f"text-align: left; padding: 2px 8px; font-size: {theme.FONT_BODY}px;"
                           f" color: {theme.TEXT}; font-weight: 700;")
        self._taps: list[float] = []
        self.now = time.monotonic  # replaceable in tests
        self._full_text = ""
        self.clicked.connect(self._tap)

    def set_office_name(self, name: str) -> None:
        self._full_text = name
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        """A long office name ends in an ellipsis instead of being cut mid-letter."""
        room = self.width() - self.iconSize().width() - 40
        self.setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideRight,
                                                   max(room, 40)))
        self.setToolTip(self._full_text)

    def _tap(self) -> None:
        now = self.now()
        self._taps = [t for t in self._taps if 0 <= now - t <= ESCAPE_WINDOW_S] + [now]
        if len(self._taps) >= ESCAPE_TAPS:
            self._taps.clear()
            self.triggered.emit()


def pin_lock_seconds(failures: int) -> int:
    """How long the pad stays locked after ``failures`` wrong PINs in a row."""
    if failures < PIN_FREE_TRIES:
        return 0
    return min(PIN_LOCK_FIRST_S * 2 ** (failures - PIN_FREE_TRIES), PIN_LOCK_MAX_S)


class PinPad(Screen):
    """A big numeric keypad for the admin PIN. The PIN is checked on the worker (scrypt).

    Wrong PINs in a row are counted for the life of the app (cancel and idle do not clear
    them); after ``PIN_FREE_TRIES`` the pad ignores input for a growing delay and says how
    long to wait. ``now`` is the monotonic clock, replaceable in tests."""

    accepted = Signal()
    cancelled = Signal()

    def __init__(self, check: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check
        self._pin = ""
        self._busy = False
        self.failures = 0
        self._locked_until = 0.0
        self.now = time.monotonic  # replaceable in tests
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(1000)
        self.lock_timer.timeout.connect(self.refresh_lock)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 8, 24, 8)
        outer.setSpacing(8)
        head = QHBoxLayout()
        head.addStretch()
        head.addWidget(theme.icon_label("lock", 48, theme.PRIMARY))
        self.title = theme.text_label("", "title")
        head.addWidget(self.title)
        head.addStretch()
        outer.addLayout(head)
        self.prompt = theme.text_label("", "body")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.prompt)
        self.dots = theme.text_label("", "large")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(40)
        self.dots.setAccessibleName("pin")
        outer.addWidget(self.dots)
        self.message = theme.text_label("", "error")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMinimumHeight(36)
        outer.addWidget(self.message)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            button = self._key(digit)
            grid.addWidget(button, index // 3, index % 3)
        self.clear_button = theme.touch_button("", "secondary", "back")
        self.clear_button.clicked.connect(self._backspace)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        self.ok_button = theme.touch_button("", "primary", "check")
        self.ok_button.clicked.connect(self._submit)
        grid.addWidget(self.ok_button, 3, 2)
        # Sizes in the style sheet: a widget's own style sheet overrides setFixedSize.
        size = ("min-width: 200px; max-width: 200px; min-height: 64px; max-height: 64px;"
                " padding: 4px 8px;")
        for button in self.digit_buttons.values():
            button.setStyleSheet(f"font-size: {theme.FONT_TITLE}px; {size}")
        for button in (self.clear_button, self.ok_button):
            button.setStyleSheet(size)
        pad = QHBoxLayout()
        pad.addStretch()
        pad.addLayout(grid)
        pad.addStretch()
        outer.addLayout(pad)
        self.cancel_button = theme.touch_button("", "flat")
        self.cancel_button.clicked.connect(self._cancel)
        outer.addWidget(self.cancel_button, alignment=Qt.AlignmentFlag.AlignCenter)
        outer.addStretch()
        self.ready()
        self._show_dots()

    def _key(self, digit: str) -> QPushButton:
        button = theme.touch_button(digit, "secondary")
        button.clicked.connect(lambda: self._press(digit))
        self.digit_buttons[digit] = button
        return button

    def retranslate(self) -> None:
        self.title.setText(self.tr("Masuk Admin"))
        self.prompt.setText(self.tr("Masukkan PIN admin, lalu tekan Masuk."))
        self.clear_button.setText(self.tr("Hapus"))
        self.ok_button.setText(self.tr("Masuk"))
        self.cancel_button.setText(self.tr("Batal"))
        self._set_message(self.message.property("why") or "")

    def _show_dots(self) -> None:
        self.dots.setText(" ".join("\u25cf" for _ in self._pin) or " ")

    def locked_for(self) -> int:
        """Whole seconds left before the pad takes a PIN again (0: open)."""
        left = self._locked_until - self.now()
        return max(0, int(left + 0.999))

    def refresh_lock(self) -> None:
        """Count the wait down on screen; reopen the pad when it is over."""
        if self.locked_for() > 0:
            self._set_message("locked")
        else:
            self.lock_timer.stop()
            if self.message.property("why") == "locked":
                self._set_message("")

    def _press(self, digit: str) -> None:
        if self.locked_for() > 0:
            self.refresh_lock()
            return
        if len(self._pin) < PIN_MAX and not self._busy:
            self._pin += digit
            self._set_message("")
            self._show_dots()

    def _backspace(self) -> None:
        self._pin = self._pin[:-1]
        self._show_dots()

    def _set_message(self, why: str) -> None:
        self.message.setProperty("why", why)
        if why == "wrong":
            self.message.setText(self.tr("PIN salah. Silakan coba lagi."))
        elif why == "locked":
            self.message.setText(self.tr("Terlalu banyak PIN salah. Silakan tunggu %n detik.", "",
                                         self.locked_for()))
        else:
            self.message.setText("")

    def _submit(self) -> None:
        if self.locked_for() > 0:
            self._pin = ""
            self._show_dots()
            self.refresh_lock()
            return
        if self._busy or not self._pin:
            return
        self._busy = True
        pin = self._pin
        run_op(self, lambda: self._check(pin), self._checked, self._failed)

    def _checked(self, ok: bool) -> None:
        self._busy = False
        self._pin = ""
        self._show_dots()
        if ok:
            self.failures = 0
            self._set_message("")
            self.accepted.emit()
            return
        self.failures += 1
        lock = pin_lock_seconds(self.failures)
        if lock:
            self._locked_until = self.now() + lock
            self._set_message("locked")
            self.lock_timer.start()
        else:
            self._set_message("wrong")

    def _failed(self, exc: Exception) -> None:
        log.error("PIN check failed: %s", exc)
        self._checked(False)

    def _cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def reset(self) -> None:
        self._pin = ""
        self._set_message("locked" if self.locked_for() > 0 else "")
        self._show_dots()


class LanguageSwitch(QWidget):
    """Two buttons, each in its own language, so a reader of either finds theirs."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for code, label in (("id", "Bahasa Indonesia"), ("en", "English")):
            button = theme.touch_button(label, "secondary", "globe")
            button.setStyleSheet(TOP_BAR_BUTTON)
            button.clicked.connect(lambda _=False, c=code: self.chosen.emit(c))
            layout.addWidget(button)
            self.buttons[code] = button
        self.mark(i18n.current_language())

    def mark(self, language: str) -> None:
        for code, button in self.buttons.items():
            button.setProperty("kind", "primary" if code == language else "secondary")
            button.setIcon(theme.icon("globe", theme.ON_PRIMARY if code == language else theme.TEXT))
            theme.restyle(button)


class _IdleWatch(QObject):
    """Every touch or key anywhere in the app restarts the idle timer. Parented to the
    window, so Qt drops the filter when the window is deleted."""

    def __init__(self, timer: QTimer, enabled: bool, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = timer
        self.enabled = enabled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if self.enabled and event.type() in _USER_INPUT:
            self._timer.start()
        return False


class Shell(QMainWindow):
    """One role on one screen. ``idle_ms`` overrides ``ui.idle_seconds`` (tests)."""

    def __init__(self, ctx: ScreenContext, role: str, *, idle_ms: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if role not in ROLE_SCREENS:
            raise ValueError(f"role {role!r}: use one of {', '.join(ROLE_SCREENS)}")
        self.ctx = ctx
        self.role = role
        self.admin_screen: QWidget | None = None
        self.setObjectName("shell")

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.top_bar = QFrame()
        self.top_bar.setObjectName("topBar")
        self.top_bar.setStyleSheet(f"QFrame#topBar {{ background: {theme.SURFACE}; "
                                   f"border-bottom: 2px solid {theme.SECONDARY}; }}")
        self.top_bar.setFixedHeight(theme.TOUCH_MIN + 4 + 16)
        bar = QHBoxLayout(self.top_bar)
        bar.setContentsMargins(12, 8, 12, 8)
        self.escape_corner = EscapeCorner()
        self.escape_corner.setMinimumWidth(theme.TOUCH_MIN * 2)
        self.escape_corner.set_office_name(ctx.config.office.name)
        self.escape_corner.triggered.connect(self.open_pin_pad)
        bar.addWidget(self.escape_corner, 1)
        self.clock_label = theme.text_label("", "muted")
        self.clock_label.setWordWrap(False)
        bar.addWidget(self.clock_label)
        bar.addSpacing(16)
        self.exit_admin_button = theme.touch_button("", "danger", "exit")
        self.exit_admin_button.setStyleSheet(TOP_BAR_BUTTON)
        self.exit_admin_button.clicked.connect(self.close_admin)
        self.exit_admin_button.hide()
        bar.addWidget(self.exit_admin_button)
        self.language_switch = LanguageSwitch()
        self.language_switch.chosen.connect(self.set_language)
        bar.addWidget(self.language_switch)
        root.addWidget(self.top_bar)

        self.pages = QStackedWidget()
        taps.guard_page_changes(self.pages)
        root.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.pin_pad = PinPad(ctx.config.check_pin)
        self.pin_pad.accepted.connect(self.open_admin)
        self.pin_pad.cancelled.connect(self.show_home)
        if role == "admin":
            self.role_screen: QWidget = self.pin_pad
        else:
            self.role_screen = screen_class(role)(ctx)
            self.pages.addWidget(self.role_screen)
        self.pages.addWidget(self.pin_pad)
        self.pages.setCurrentWidget(self.role_screen)
        self.role = role
        self.admin_shortcut = QShortcut(QKeySequence(ADMIN_SHORTCUT), self, self.open_pin_pad)
        self.admin_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        if role == "display":
            self.top_bar.hide()  # a TV across the room: every pixel for the board

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(idle_ms if idle_ms is not None
                                    else ctx.config.ui.idle_seconds * 1000)
        self.idle_timer.timeout.connect(self.on_idle)
        self._idle_watch = _IdleWatch(self.idle_timer, enabled=role != "display", parent=self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._idle_watch)
        if role != "display":
            self.idle_timer.start()

        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(15_000)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start()
        self._tick()
        self.retranslate()

    # --- language --------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        i18n.set_language(language)
        self.language_switch.mark(language)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kios Layanan Kelurahan"))
        self.exit_admin_button.setText(self.tr("Keluar Admin"))
        self.escape_corner.setAccessibleName(self.tr("Nama kantor"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.language_switch.mark(i18n.current_language())
        super().changeEvent(event)

    def _tick(self) -> None:
        tz = self.ctx.config.office.timezone
        self.clock_label.setText(f"{local_time(self.ctx.clock.now(), tz):%H.%M} {tz}")

    # --- admin escape ----------------------------------------------------------------------
    def open_pin_pad(self) -> None:
        self.pin_pad.reset()
        self.top_bar.show()          # the board hides it; admin needs its exit button
        self.pages.setCurrentWidget(self.pin_pad)

    def open_admin(self) -> None:
        if self.admin_screen is None:
            self.admin_screen = screen_class("admin")(self.ctx)
            self.pages.addWidget(self.admin_screen)
        self.pages.setCurrentWidget(self.admin_screen)
        self.exit_admin_button.show()

    def close_admin(self) -> None:
        if self.admin_screen is not None:
            self.admin_screen.reset()
        self.exit_admin_button.hide()
        self.show_home()

    def show_home(self) -> None:
        self.pin_pad.reset()
        self.top_bar.setVisible(self.role != "display")
        self.pages.setCurrentWidget(self.role_screen)

    def current_page(self) -> QWidget:
        return self.pages.currentWidget()

    # --- idle ------------------------------------------------------------------------------
    def on_idle(self) -> None:
        """Nobody touched the screen for a while: make it ready for the next person."""
        if self.pages.currentWidget() is self.admin_screen:
            self.close_admin()
        self.show_home()
        reset = getattr(self.role_screen, "reset", None)
        if callable(reset):
            reset()
        if i18n.current_language() != self.ctx.config.ui.language:
            self.set_language(self.ctx.config.ui.language)
        if self.role != "display":
            self.idle_timer.start()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._idle_watch)
        self.idle_timer.stop()
        self.clock_timer.stop()
        for screen in (self.role_screen, self.admin_screen):
            stop = getattr(screen, "stop", None)
            if callable(stop):
                stop()  # screens that follow the queue end their watch loops
        super().closeEvent(event)
