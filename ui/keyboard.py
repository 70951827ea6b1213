"""Our own on-screen keyboard (Qt Virtual Keyboard is GPL-3): large keys, QWERTY letters (the
layout Indonesian keyboards and phones use), a digits row, space, backspace, one "Huruf
besar" (capitals) toggle and the punctuation addresses need (``/ . , - '``: "Jl. Merdeka
No. 5, RT 003/RW 002", "Ma'ruf").

It types into the field it is bound to (``bind``) or, with ``follow_focus``, into the
QLineEdit / QPlainTextEdit that has the keyboard focus; its keys never take the focus, so
the field keeps its cursor. It keeps the field's length limit: QLineEdit's ``maxLength``,
or a ``maxLength`` property on a QPlainTextEdit.

Capitals: one toggle rather than a one-shot shift, because a mode that switches itself off
after a letter surprises a first-time user; the key faces always show the letter that will
be typed. Official forms take names in capitals, so the toggle starts on (``caps=True``); a
field can ask for its own default with the ``keyboardCaps`` property (read when it is bound
or gets the focus). Taps: see ui/input_parts.py for why a same-key repeat is dropped only
within 120 ms (so "AA" types as two letters).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QApplication, QGridLayout, QLineEdit, QPlainTextEdit,
                               QPushButton, QWidget)

from ui import theme
from ui.input_parts import KeyBounce, Text, key_button, key_icon, set_key_icon, text_of, tr

#: A field's own default for the capitals toggle (bool dynamic property).
CAPS_PROPERTY = "keyboardCaps"
#: The length limit of a QPlainTextEdit (int dynamic property); QLineEdit has maxLength.
MAX_LENGTH_PROPERTY = "maxLength"

COLUMNS = 12
#: Five rows of keys under a question must leave the question on an 800 px screen: 62 px
#: keys (above theme.TOUCH_MIN) instead of the keypad's 72, rows 6 px apart.
KEY_HEIGHT = 62
#: (row, column, text, column span) of each character key on the 12-column grid.
LAYOUT: list[tuple[int, int, str, int]] = (
    [(0, c, d, 1) for c, d in enumerate("1234567890")]
    + [(1, c, ch, 1) for c, ch in enumerate("QWERTYUIOP-/")]
    + [(2, c, ch, 1) for c, ch in enumerate("ASDFGHJKL'.,")]
    + [(3, 2 + c, ch, 1) for c, ch in enumerate("ZXCVBNM")]
)
BACKSPACE_AT = (0, 10, 2)     # row, column, span
CAPS_AT = (3, 0, 2)
ENTER_AT = (3, 9, 3)
SPACE_AT = (4, 2, 8)

Target = QLineEdit | QPlainTextEdit


class OnScreenKeyboard(QWidget):
    """Large-key keyboard. ``enter_text`` adds a wide key (e.g. "Lanjut") that presses
    Return in the field (a QLineEdit then emits returnPressed) and emits ``enter_pressed``."""

    typed = Signal(str)            # a character went into the field
    enter_pressed = Signal()
    caps_changed = Signal(bool)

    def __init__(self, target: Target | None = None, *, caps: bool = True,
                 follow_focus: bool = False, enter_text: Text | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target: Target | None = None
        self._default_caps = caps
        self._caps = caps
        self._enter_text = enter_text
        self._bounce = KeyBounce()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)
        self.char_buttons: dict[str, QPushButton] = {}
        for row, column, char, span in LAYOUT:
            button = key_button(char, "secondary", height=KEY_HEIGHT)
            button.clicked.connect(lambda _=False, c=char: self.press(c))
            grid.addWidget(button, row, column, 1, span)
            self.char_buttons[char] = button
        self.backspace_button = key_button("", "secondary", theme.FONT_BODY, "backspace", KEY_HEIGHT)
        self.backspace_button.clicked.connect(lambda: self.press("backspace"))
        grid.addWidget(self.backspace_button, BACKSPACE_AT[0], BACKSPACE_AT[1], 1, BACKSPACE_AT[2])
        self.caps_button = key_button("", "secondary", theme.FONT_BODY, "caps", KEY_HEIGHT)
        self.caps_button.setCheckable(True)
        self._caps_style = self.caps_button.styleSheet()
        self.caps_button.clicked.connect(lambda: self.press("caps"))
        grid.addWidget(self.caps_button, CAPS_AT[0], CAPS_AT[1], 1, CAPS_AT[2])
        self.space_button = key_button("", "secondary", theme.FONT_BODY, "space", KEY_HEIGHT)
        self.space_button.clicked.connect(lambda: self.press(" "))
        grid.addWidget(self.space_button, SPACE_AT[0], SPACE_AT[1], 1, SPACE_AT[2])
        self.enter_button: QPushButton | None = None
        if enter_text is not None:
            self.enter_button = key_button("", "primary", theme.FONT_BODY, "next", KEY_HEIGHT)
            self.enter_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            self.enter_button.clicked.connect(lambda: self.press("enter"))
            grid.addWidget(self.enter_button, ENTER_AT[0], ENTER_AT[1], 1, ENTER_AT[2])
        self._follow = follow_focus
        if follow_focus and (app := QApplication.instance()) is not None:
            app.focusChanged.connect(self._focus_changed)
        if target is not None:
            self.bind(target)
        self._show_caps()
        self.retranslate()

    # --- the field -------------------------------------------------------------------------
    def bind(self, target: Target | None) -> None:
        """Type into ``target`` from now on; its ``keyboardCaps`` property, if any, sets the
        capitals toggle."""
        self._target = target
        wanted = target.property(CAPS_PROPERTY) if target is not None else None
        self.set_caps(self._default_caps if wanted is None else bool(wanted))

    def target(self) -> Target | None:
        return self._target

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, (QLineEdit, QPlainTextEdit)) and not new.isReadOnly() \
                and new is not self._target and new.window() is self.window():
            self.bind(new)

    # --- capitals --------------------------------------------------------------------------
    def caps(self) -> bool:
        return self._caps

    def set_caps(self, on: bool) -> None:
        changed = on != self._caps
        self._caps = on
        self._show_caps()
        if changed:
            self.caps_changed.emit(on)

    def _show_caps(self) -> None:
        # On: outlined in the primary colour, not filled, so it never looks like Lanjut.
        self.caps_button.setChecked(self._caps)
        self.caps_button.setIcon(key_icon("caps", theme.PRIMARY if self._caps else theme.TEXT))
        self.caps_button.setStyleSheet(
            self._caps_style + (f"QPushButton {{ background: {theme.SURFACE}; color: {theme.PRIMARY};"
                                f" border: 4px solid {theme.PRIMARY}; }}" if self._caps else ""))
        for char, button in self.char_buttons.items():
            button.setText(char if self._caps else char.lower())

    # --- keys ------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """A key was tapped: a character (as on the key's face in capitals), " ",
        "backspace", "caps" or "enter"."""
        if not self._bounce.accept(key):
            if key == "caps":
                self._show_caps()     # a dropped tap must not leave the button toggled
            return
        if key == "caps":
            self.set_caps(not self._caps)
            return
        target = self._target
        if target is None or target.isReadOnly():
            return
        if key == "backspace":
            if isinstance(target, QLineEdit):
                target.backspace()
            else:
                target.textCursor().deletePreviousChar()
        elif key == "enter":
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QCoreApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_Return,
                                                             Qt.KeyboardModifier.NoModifier, "\r"))
            self.enter_pressed.emit()
        else:
            char = key if self._caps else key.lower()
            if self._insert(target, char):
                self.typed.emit(char)

    def _insert(self, target: Target, char: str) -> bool:
        if isinstance(target, QLineEdit):
            before = target.text()
            target.insert(char)              # keeps maxLength and the field's validator
            return target.text() != before
        limit = target.property(MAX_LENGTH_PROPERTY)
        cursor = target.textCursor()
        if limit is not None and not cursor.hasSelection() \
                and len(target.toPlainText()) >= int(limit):
            return False
        cursor.insertText(char)
        target.setTextCursor(cursor)
        return True

    # --- words -----------------------------------------------------------------------------
    def set_enter_text(self, text: Text) -> None:
        self._enter_text = text
        self.retranslate()

    def retranslate(self) -> None:
        self.backspace_button.setText(tr("Hapus"))
        self.backspace_button.setAccessibleName(tr("Hapus satu huruf"))
        self.caps_button.setText(tr("Huruf besar"))
        self.space_button.setText(tr("Spasi"))
        if self.enter_button is not None and self._enter_text is not None:
            self.enter_button.setText(text_of(self._enter_text))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
