"""A big numeric keypad and the field it types into, for NIK, KK, RT/RW, phone numbers and
PINs.

- ``Keypad``: the keys only (0-9, Hapus (backspace), Hapus semua (clear), an optional OK
  row). It types into whatever ``DigitTarget`` it is bound to, so one keypad can fill the
  day, month and year boxes of a date in turn (ui/form_field.DateInput).
- ``NumberField``: the box that shows the number in very large digits, grouped for reading
  back (``6472 0412 0485 0003``) with the slots still to fill shown as ``_``, so a person sees
  how many digits are left; or as dots for a PIN.
- ``NumberEntry``: field + message line + keypad, with an optional live validator
  ``str -> (state, message)`` supplied by the caller (the domain's NIK check plugs in here).
  It runs after every key on the digits so far: it must answer ``error`` only when no way of
  finishing the number could make it valid, so a typo is caught at the digit where it
  happened, not after sixteen.

The admin PIN pad in ui/shell.py could be a ``NumberEntry(max_length=8, min_length=1,
masked=True, ok_text=...)`` whose ``submitted`` runs the PIN check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from ui import theme
from ui.input_parts import (ERROR, MONO_FAMILY, OK, WARNING, KeyBounce, MessageLine, Text,
                            key_button, set_key_icon, text_of, tr)

#: A live check of the digits typed so far: (state, message) with state ok|warning|error and
#: the message already in the current language (it is asked again on a language change).
Validator = Callable[[str], tuple[str, str]]

KEYPAD_KEY_HEIGHT = 72
KEYPAD_KEY_WIDTH = 190
#: "Hapus semua" and its icon fit a 190 px key at 22 px (theme.FONT_SMALL is the floor).
EDIT_KEY_FONT = theme.FONT_SMALL + 2
DIGIT_FONT = theme.FONT_TITLE
SLOT = "_"
DOT = "\u25cf"


def group_digits(digits: str, size: int = 4) -> str:
    """``"6472041234560003"`` -> ``"6472 0412 3456 0003"``; ``size`` 0 leaves it whole."""
    if size <= 0:
        return digits
    return " ".join(digits[i:i + size] for i in range(0, len(digits), size))


class DigitTarget(Protocol):
    """What a keypad types into."""

    def type_digit(self, digit: str) -> None: ...

    def backspace(self) -> None: ...

    def clear(self) -> None: ...


class NumberField(QFrame):
    """The number being typed, large. Holds the digits; a keypad types into it. A tap on
    the box emits ``tapped`` (a date's day/month/year boxes are chosen that way)."""

    changed = Signal(str)
    full = Signal()
    tapped = Signal()
    emptied_backspace = Signal()   # backspace on an empty box: a date moves back a box

    def __init__(self, max_length: int = 16, group: int = 4, masked: bool = False,
                 font_px: int = DIGIT_FONT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if max_length < 1:
            raise ValueError(f"max_length {max_length}: a number has at least one digit")
        self.max_length = max_length
        self.group = group
        self.masked = masked
        self._digits = ""
        self.setObjectName("numberField")
        self.setProperty("state", OK)
        self.setProperty("active", True)
        self.setStyleSheet(
            f"QFrame#numberField {{ background: {theme.SURFACE}; border: 3px solid {theme.BORDER};"
            f" border-radius: 14px; }}"
            f'QFrame#numberField[active="true"] {{ border: 4px solid {theme.PRIMARY}; }}'
            f'QFrame#numberField[state="warning"] {{ border: 4px solid {theme.ON_WARNING}; }}'
            f'QFrame#numberField[state="error"] {{ border: 4px solid {theme.DANGER}; }}')
        self.setMinimumHeight(font_px + 40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet(f"font-family: {MONO_FAMILY}; font-size: {font_px}px;"
                                 f" font-weight: 700; color: {theme.TEXT};")
        row.addWidget(self.label)
        self._render()

    # --- DigitTarget -----------------------------------------------------------------------
    def type_digit(self, digit: str) -> None:
        if not (len(digit) == 1 and digit.isdigit()):
            raise ValueError(f"type_digit({digit!r}): one digit 0-9")
        if len(self._digits) >= self.max_length:
            return
        self.set_value(self._digits + digit)
        if len(self._digits) == self.max_length:
            self.full.emit()

    def backspace(self) -> None:
        if not self._digits:
            self.emptied_backspace.emit()
            return
        self.set_value(self._digits[:-1])

    def clear(self) -> None:
        self.set_value("")

    # --- value -----------------------------------------------------------------------------
    def value(self) -> str:
        return self._digits

    def set_value(self, digits: str) -> None:
        digits = "".join(c for c in digits if c.isdigit())[:self.max_length]
        if digits == self._digits:
            return
        self._digits = digits
        self._render()
        self.changed.emit(digits)

    def set_state(self, state: str) -> None:
        self.setProperty("state", state)
        theme.restyle(self)

    def set_active(self, active: bool) -> None:
        self.setProperty("active", active)
        theme.restyle(self)

    def shown_text(self) -> str:
        """What the box shows, as plain text (typed digits grouped, empty slots as ``_``)."""
        return self._shown

    def _render(self) -> None:
        if self.masked:
            self._shown = " ".join(DOT for _ in self._digits)
            self.label.setText(self._shown or "&nbsp;")
            self.setAccessibleName(tr("%n angka", len(self._digits)))
            return
        grouped = group_digits(self._digits + SLOT * (self.max_length - len(self._digits)),
                               self.group)
        cut = seen = 0        # where the typed digits end in the grouped text
        for index, char in enumerate(grouped):
            if seen == len(self._digits):
                break
            seen += char != " "
            cut = index + 1
        typed, rest = grouped[:cut], grouped[cut:]
        self._shown = grouped
        html = typed.replace(" ", "&nbsp;")
        if rest:
            html += f'<span style="color:{theme.MUTED}">{rest.replace(" ", "&nbsp;")}</span>'
        self.label.setText(html)
        self.setAccessibleName(group_digits(self._digits, self.group))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.tapped.emit()
        super().mousePressEvent(event)


class Keypad(QWidget):
    """Keys 1-9, then Hapus semua / 0 / Hapus; with ``ok_text`` a wide OK key below. Types
    into the bound target; OK emits ``ok_pressed`` (the owner decides what it means)."""

    ok_pressed = Signal()
    key_pressed = Signal(str)   # "0".."9", "backspace", "clear": after the target got it

    def __init__(self, target: DigitTarget | None = None, ok_text: Text | None = None,
                 key_width: int = KEYPAD_KEY_WIDTH, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target = target
        self._ok_text = ok_text
        self._bounce = KeyBounce()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("1234567890"):
            button = key_button(digit, "secondary", DIGIT_FONT, height=KEYPAD_KEY_HEIGHT,
                                width=key_width)
            button.clicked.connect(lambda _=False, d=digit: self._press(d))
            self.digit_buttons[digit] = button
            row, col = (3, 1) if digit == "0" else divmod(index, 3)
            grid.addWidget(button, row, col)
        self.clear_button = key_button("", "secondary", EDIT_KEY_FONT, "clear",
                                       KEYPAD_KEY_HEIGHT, key_width)
        self.clear_button.clicked.connect(lambda: self._press("clear"))
        grid.addWidget(self.clear_button, 3, 0)
        self.backspace_button = key_button("", "secondary", EDIT_KEY_FONT, "backspace",
                                           KEYPAD_KEY_HEIGHT, key_width)
        self.backspace_button.clicked.connect(lambda: self._press("backspace"))
        grid.addWidget(self.backspace_button, 3, 2)
        self.ok_button: QPushButton | None = None
        if ok_text is not None:
            self.ok_button = key_button("", "primary", theme.FONT_LARGE, "next",
                                        KEYPAD_KEY_HEIGHT)
            self.ok_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # arrow after words
            self.ok_button.clicked.connect(self._ok)
            grid.addWidget(self.ok_button, 4, 0, 1, 3)
        self.retranslate()

    def bind(self, target: DigitTarget | None) -> None:
        self._target = target

    def target(self) -> DigitTarget | None:
        return self._target

    def set_ok_text(self, text: Text) -> None:
        self._ok_text = text
        self.retranslate()

    def retranslate(self) -> None:
        self.clear_button.setText(tr("Hapus semua"))
        self.backspace_button.setText(tr("Hapus"))
        self.backspace_button.setAccessibleName(tr("Hapus satu angka"))
        if self.ok_button is not None and self._ok_text is not None:
            self.ok_button.setText(text_of(self._ok_text))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _press(self, key: str) -> None:
        if self._target is None or not self._bounce.accept(key):
            return
        if key == "backspace":
            self._target.backspace()
        elif key == "clear":
            self._target.clear()
        else:
            self._target.type_digit(key)
        self.key_pressed.emit(key)

    def _ok(self) -> None:
        if self._bounce.accept("ok"):
            self.ok_pressed.emit()


class NumberEntry(QWidget):
    """A number typed on the keypad below it, checked as it is typed.

    ``submitted(digits)`` comes on OK when the number has at least ``min_length`` digits
    (default: all ``max_length``) and the validator does not say ``error``; a warning does
    not block. Too few digits on OK says how many are missing."""

    changed = Signal(str)
    submitted = Signal(str)

    def __init__(self, max_length: int = 16, *, min_length: int | None = None, group: int = 4,
                 masked: bool = False, validator: Validator | None = None,
                 ok_text: Text | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_length = max_length
        self.min_length = max_length if min_length is None else min_length
        self.validator = validator
        self._missing_shown = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.field = NumberField(max_length, group, masked)
        layout.addWidget(self.field)
        self.message = MessageLine()
        layout.addWidget(self.message)
        self.keypad = Keypad(self.field, ok_text)
        pad_row = QHBoxLayout()
        pad_row.addStretch()
        pad_row.addWidget(self.keypad)
        pad_row.addStretch()
        layout.addLayout(pad_row)
        self.field.changed.connect(self._changed)
        self.keypad.ok_pressed.connect(self.submit)

    def value(self) -> str:
        return self.field.value()

    def set_value(self, digits: str) -> None:
        self.field.set_value(digits)

    def clear(self) -> None:
        self._missing_shown = False
        self.field.clear()
        self._show(OK, "")

    def check(self) -> tuple[str, str]:
        """The number as it stands, for OK or a form's Lanjut: the validator's error first,
        then too few digits."""
        digits = self.value()
        state, text = self._validate(digits)
        if state != ERROR and len(digits) < self.min_length:
            return ERROR, self._missing_text(digits)
        return state, text

    def state(self) -> str:
        return self.message.state()

    def submit(self) -> None:
        state, text = self.check()
        self._missing_shown = (state == ERROR and len(self.value()) < self.min_length
                               and self._validate(self.value())[0] != ERROR)
        self._show(state, text)
        if state != ERROR:
            self.submitted.emit(self.value())

    def _missing_text(self, digits: str) -> str:
        if self.min_length == self.max_length:
            return tr("Baru %1 dari %2 angka. Silakan lengkapi.").replace(
                "%1", str(len(digits))).replace("%2", str(self.max_length))
        return tr("Paling sedikit %n angka.", self.min_length)

    def _validate(self, digits: str) -> tuple[str, str]:
        if self.validator is None or not digits:
            return OK, ""
        state, text = self.validator(digits)
        if state not in (OK, WARNING, ERROR):
            raise ValueError(f"validator answered state {state!r}: use ok, warning or error")
        return state, text

    def _changed(self, digits: str) -> None:
        state, text = self._validate(digits)
        if self._missing_shown and state != ERROR and len(digits) < self.min_length:
            state, text = ERROR, self._missing_text(digits)   # keep counting until complete
        elif len(digits) >= self.min_length:
            self._missing_shown = False
        self._show(state, text)
        self.changed.emit(digits)

    def _show(self, state: str, text: str) -> None:
        self.field.set_state(state if text else OK)
        self.message.show_message(state, text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange and self.message.text():
            # Messages are not stored as text: ask again, in the new language.
            if self._missing_shown:
                self._show(ERROR, self._missing_text(self.value()))
            else:
                self._show(*self._validate(self.value()))
        super().changeEvent(event)
