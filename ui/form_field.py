"""One question of a form, the way a kiosk asks it: a big label, the answer, and one line
under it that says what is wrong and what to do. Plus the answers a keyboard is wrong for:

- ``FormField``: label (words from code, or ``Bilingual`` words from a letter catalogue) +
  an input + the message line. The input is a large QLineEdit (typed on the on-screen
  keyboard) unless another is given: a ``NumberEntry`` (ui/keypad.py), a ``DateInput`` or
  a ``ChoiceInput``. ``validate()`` is the check of "Lanjut": required, the input's own
  check, then the caller's validator ``str -> (state, message)``; a warning never blocks.
- ``DateInput``: day, month and year boxes filled from the numeric keypad, no calendar
  popup (a month grid is a maze of small targets). The month's name shows under its box so
  "02" reads as "Februari"; an impossible date (31-02, month 13) is said at once.
- ``ChoiceInput``: two to eight big toggle buttons (sex, religion, marital status).
- ``FieldChain``: "Lanjut" moves to the next field only when this one is answered; a form
  screen with one field per page follows its ``moved`` signal.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from ui import theme
from ui.input_parts import (ERROR, OK, WARNING, MessageLine, Text, key_icon, text_of, tr)
from ui.keyboard import CAPS_PROPERTY
from ui.keypad import Keypad, NumberEntry, NumberField

#: A check of the answer: (state, message) with state ok|warning|error, the message in the
#: current language (asked again when the language changes).
Validator = Callable[[str], tuple[str, str]]

#: Month names, translated when shown (each is in ui/translations/input_en.ts).
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
LINE_HEIGHT = 72
CHOICE_HEIGHT = 96


def month_name(month: int) -> str:
    return tr(MONTHS[month - 1])


class DateInput(QWidget):
    """Day / month / year on the keypad. After a full box the next one takes the digits; a
    first digit that can only be a one-digit day (4-9) or month (2-9) finishes that box at
    once ("5" -> "05"). Backspace in an empty box goes back into the one before."""

    changed = Signal(str)     # the ISO date, or "" while incomplete or impossible
    submitted = Signal(str)

    def __init__(self, *, earliest: date = date(1900, 1, 1), latest: date | None = None,
                 ok_text: Text | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.earliest = earliest
        self.latest = latest
        # Landscape: the boxes and their message on the left, the keypad on the right, so a
        # date and its keys fit under a question on an 800 px high screen.
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(32)
        left = QVBoxLayout()
        left.setSpacing(10)
        boxes = QHBoxLayout()
        boxes.setSpacing(12)
        self.day = NumberField(2, 0)
        self.month = NumberField(2, 0)
        self.year = NumberField(4, 0)
        self.parts = [self.day, self.month, self.year]
        self.captions: list[QLabel] = []
        self.month_label = theme.text_label("", "body")
        for index, (part, width) in enumerate(zip(self.parts, (130, 130, 200))):
            column = QVBoxLayout()
            column.setSpacing(4)
            caption = theme.text_label("", "body")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.captions.append(caption)
            column.addWidget(caption)
            part.setFixedWidth(width)
            part.tapped.connect(lambda i=index: self.activate(i, replace=True))
            part.changed.connect(self._changed)
            column.addWidget(part)
            under = self.month_label if part is self.month else QLabel()
            under.setAlignment(Qt.AlignmentFlag.AlignCenter)
            under.setMinimumHeight(34)
            column.addWidget(under)
            boxes.addLayout(column)
            if index < 2:
                slash = theme.text_label("/", "title")
                slash.setStyleSheet(f"color: {theme.MUTED};")
                boxes.addWidget(slash)
        boxes.addStretch()
        left.addLayout(boxes)
        self.message = MessageLine()
        left.addWidget(self.message)
        left.addStretch()
        layout.addLayout(left, 1)
        self.keypad = Keypad(self, ok_text)
        self.keypad.ok_pressed.connect(self.submit)
        layout.addWidget(self.keypad, 0, Qt.AlignmentFlag.AlignTop)
        self.active = 0
        self._replace = False
        self.activate(0)
        self.retranslate()

    # --- typing: the keypad's DigitTarget --------------------------------------------------
    def activate(self, index: int, replace: bool = False) -> None:
        """Type into box ``index`` next; ``replace``: the next digit starts it afresh (a box
        tapped to be corrected)."""
        self.active = index
        self._replace = replace and bool(self.parts[index].value())
        for i, part in enumerate(self.parts):
            part.set_active(i == index)

    def type_digit(self, digit: str) -> None:
        part = self.parts[self.active]
        if self._replace:
            self._replace = False
            part.clear()
        part.type_digit(digit)
        digits = part.value()
        single = {0: "3", 1: "1"}.get(self.active)    # a first digit above this is a whole day/month
        if single is not None and len(digits) == 1 and digits > single:
            part.set_value("0" + digits)
            digits = part.value()
        if len(digits) == part.max_length and self.active < 2 \
                and self.message.state() != ERROR:
            self.activate(self.active + 1)

    def backspace(self) -> None:
        """Backspace; in an empty box, go back into the one before."""
        self._replace = False
        part = self.parts[self.active]
        if not part.value() and self.active > 0:
            self.activate(self.active - 1)
            part = self.parts[self.active]
        part.backspace()

    def clear(self) -> None:
        """"Hapus semua": the whole date, from the day again."""
        for part in self.parts:
            part.clear()
        self.message.show_message(OK, "")
        self.activate(0)

    def _changed(self, _digits: str) -> None:
        state, text = self._live_check()
        self.message.show_message(state, text)
        for part in self.parts:
            part.set_state(OK)
        if state == ERROR:
            self.parts[self._culprit].set_state(ERROR)
        self.changed.emit(self.value())

    # --- value -----------------------------------------------------------------------------
    def date(self) -> date | None:
        d, m, y = (part.value() for part in self.parts)
        if len(d) < 1 or len(m) < 1 or len(y) < 4:
            return None
        try:
            return date(int(y), int(m), int(d))
        except ValueError:
            return None

    def value(self) -> str:
        found = self.date()
        return found.isoformat() if found and self.check()[0] != ERROR else ""

    def set_value(self, value: date | str | None) -> None:
        if isinstance(value, str):
            value = date.fromisoformat(value) if value else None
        self.day.set_value(f"{value.day:02d}" if value else "")
        self.month.set_value(f"{value.month:02d}" if value else "")
        self.year.set_value(f"{value.year:04d}" if value else "")
        self.activate(0)

    def is_empty(self) -> bool:
        return not any(part.value() for part in self.parts)

    # --- checks ----------------------------------------------------------------------------
    def _live_check(self) -> tuple[str, str]:
        """What can already be said about the boxes typed so far (``_culprit``: which box)."""
        d, m, y = (part.value() for part in self.parts)
        self._culprit = 0
        self.month_label.setText(month_name(int(m)) if len(m) == 2 and 1 <= int(m) <= 12 else "")
        if len(d) == 2 and not 1 <= int(d) <= 31:
            return ERROR, tr("Tanggal hanya dari 1 sampai 31. Silakan periksa lagi.")
        self._culprit = 1
        if len(m) == 2 and not 1 <= int(m) <= 12:
            return ERROR, tr("Bulan hanya dari 1 sampai 12. Silakan periksa lagi.")
        self._culprit = 2
        last_year = self.latest.year if self.latest else 9999
        if len(y) == 4 and not self.earliest.year <= int(y) <= last_year:
            return ERROR, tr("Tahun harus antara %1 dan %2.").replace(
                "%1", str(self.earliest.year)).replace("%2", str(last_year))
        if len(d) == 2 and len(m) == 2:
            month = int(m)
            longest = calendar.monthrange(int(y) if len(y) == 4 else 2000, month)[1]
            if int(d) > longest:
                self._culprit = 0
                if month == 2 and int(d) == 29:
                    return ERROR, tr("Tahun %1 tidak punya tanggal 29 Februari. Silakan periksa "
                                     "lagi.").replace("%1", y)
                return ERROR, tr("Tanggal %1 %2 tidak ada. Silakan periksa lagi.").replace(
                    "%1", str(int(d))).replace("%2", month_name(month))
            found = self.date()
            if found is not None and found < self.earliest:
                return ERROR, tr("Tanggal ini terlalu jauh ke belakang. Silakan periksa tahunnya.")
            if found is not None and self.latest is not None and found > self.latest:
                return ERROR, tr("Tanggal ini belum terjadi. Silakan periksa tahunnya.")
        return OK, ""

    def check(self) -> tuple[str, str]:
        """The Lanjut check: as the live one, and all three boxes must be filled."""
        state, text = self._live_check()
        if state == OK and (len(self.day.value()) < 1 or len(self.month.value()) < 1
                            or len(self.year.value()) < 4):
            return ERROR, tr("Tanggal belum lengkap. Isi tanggal, bulan, dan tahun.")
        return state, text

    def submit(self) -> None:
        state, text = self.check()
        self.message.show_message(state, text)
        if state != ERROR:
            self.submitted.emit(self.value())

    # --- words -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        for caption, words in zip(self.captions, (tr("Tanggal"), tr("Bulan"), tr("Tahun"))):
            caption.setText(words)
        if self.message.text():
            self.message.show_message(*self.check())
        else:
            self._live_check()      # the month's name

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ChoiceInput(QWidget):
    """Big toggle buttons, one answer. Choosing does not move on by itself: a wrong tap is
    put right with another tap, and Lanjut stays the one way forward."""

    changed = Signal(str)

    def __init__(self, options: Sequence[tuple[str, Text]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not 2 <= len(options) <= 8:
            raise ValueError(f"ChoiceInput takes 2 to 8 options, got {len(options)}")
        self.options = list(options)
        columns = {4: 2, 5: 3, 6: 3, 7: 4, 8: 4}.get(len(options), len(options))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(14)
        for column in range(columns):
            grid.setColumnStretch(column, 1)      # equal buttons, whatever their words
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for index, (value, _words) in enumerate(self.options):
            button = theme.touch_button("", "secondary")
            button.setCheckable(True)
            button.setIconSize(QSize(theme.ICON, theme.ICON))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setStyleSheet(
                f"QPushButton {{ min-height: {CHOICE_HEIGHT}px; max-height: {CHOICE_HEIGHT}px;"
                f" font-size: {theme.FONT_LARGE}px; border: 3px solid {theme.BORDER}; }}"
                f"QPushButton:checked {{ background: {theme.PRIMARY}; color: {theme.ON_PRIMARY};"
                f" border: 3px solid {theme.PRIMARY_PRESSED}; }}")
            button.toggled.connect(lambda on, v=value: self._toggled(v, on))
            self.group.addButton(button)
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[value] = button
        self.retranslate()

    def _toggled(self, value: str, on: bool) -> None:
        button = self.buttons[value]
        button.setIcon(key_icon("check", theme.ON_PRIMARY) if on else QIcon())
        if on:
            self.changed.emit(value)

    def value(self) -> str:
        return next((v for v, b in self.buttons.items() if b.isChecked()), "")

    def set_value(self, value: str) -> None:
        if value and value not in self.buttons:
            raise ValueError(f"choice {value!r}: use one of {', '.join(self.buttons)}")
        if value:
            self.buttons[value].setChecked(True)
        else:
            self.clear()

    def clear(self) -> None:
        self.group.setExclusive(False)
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)

    def retranslate(self) -> None:
        for value, words in self.options:
            self.buttons[value].setText(text_of(words))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class FormField(QFrame):
    """A labelled answer with its message line. ``next_requested`` comes when the person
    asks to go on from this field (Return / the keyboard's Lanjut in the line, the OK of a
    keypad); a FieldChain, or the screen, then calls ``validate``."""

    next_requested = Signal()

    def __init__(self, label: Text, input_widget: QWidget | None = None, *,
                 required: bool = True, validator: Validator | None = None, hint: Text = "",
                 max_length: int | None = None, caps: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._hint = hint
        self.required = required
        self.validator = validator
        self._field_message = False     # the line shows validate()'s words (re-worded on a switch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.label = QLabel()
        self.label.setStyleSheet(f"font-size: {theme.FONT_LARGE + 4}px; font-weight: 700;")
        self.label.setWordWrap(True)
        head.addWidget(self.label, 1)
        self.hint = theme.text_label("", "muted")
        self.hint.setWordWrap(False)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.hint)
        layout.addLayout(head)
        if input_widget is None:
            input_widget = QLineEdit()
            input_widget.setMinimumHeight(LINE_HEIGHT)
            input_widget.setStyleSheet(
                f"QLineEdit {{ font-size: {theme.FONT_LARGE + 4}px; font-weight: 600;"
                f" border: 3px solid {theme.BORDER}; border-radius: 14px; padding: 4px 16px; }}"
                f"QLineEdit:focus {{ border: 4px solid {theme.PRIMARY}; }}")
            input_widget.returnPressed.connect(self.next_requested)
        if isinstance(input_widget, QLineEdit):
            if max_length is not None:
                input_widget.setMaxLength(max_length)
            if caps is not None:
                input_widget.setProperty(CAPS_PROPERTY, caps)
            input_widget.textChanged.connect(self._edited)
        else:
            getattr(input_widget, "changed").connect(self._edited)
            submitted = getattr(input_widget, "submitted", None)
            if submitted is not None:
                submitted.connect(lambda _value: self.next_requested.emit())
        self.input = input_widget
        layout.addWidget(input_widget)
        own = getattr(input_widget, "message", None)
        self.message: MessageLine = own if isinstance(own, MessageLine) else MessageLine()
        self._own_line = self.message is own
        if not self._own_line:
            layout.addWidget(self.message)
        self.retranslate()

    # --- the answer ------------------------------------------------------------------------
    def value(self) -> str:
        if isinstance(self.input, QLineEdit):
            return self.input.text().strip()
        return self.input.value()

    def set_value(self, value: str) -> None:
        if isinstance(self.input, QLineEdit):
            self.input.setText(value)
        else:
            self.input.set_value(value)

    def is_empty(self) -> bool:
        is_empty = getattr(self.input, "is_empty", None)
        return is_empty() if callable(is_empty) else not self.value()

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        self.input.clear()
        self._field_message = False
        self.message.show_message(OK, "")

    # --- checks ----------------------------------------------------------------------------
    def check(self) -> tuple[str, str]:
        if self.is_empty():
            if not self.required:
                return OK, ""
            if isinstance(self.input, ChoiceInput):
                return ERROR, tr("Silakan pilih salah satu.")
            return ERROR, tr("Bagian ini perlu diisi.")
        own_check = getattr(self.input, "check", None)
        state, text = own_check() if callable(own_check) else (OK, "")
        if state != ERROR and self.validator is not None:
            v_state, v_text = self.validator(self.value())
            if v_state not in (OK, WARNING, ERROR):
                raise ValueError(f"validator answered state {v_state!r}: use ok, warning or error")
            if v_state != OK or v_text:
                state, text = v_state, v_text
        return state, text

    def validate(self) -> bool:
        """Show what is wrong (or the warning); True when the form may go on."""
        state, text = self.check()
        self._field_message = bool(text)
        self.message.show_message(state, text)
        return state != ERROR

    def state(self) -> str:
        return self.message.state()

    def _edited(self, *_args) -> None:
        if self._field_message and self._own_line:
            self._field_message = False     # the input's live check has the line now
        elif self._field_message:
            # The words were about the answer before this edit: check again as it is now,
            # so a fixed answer loses its red at once; an error stays until it is fixed.
            state, text = self.check()
            if self.is_empty() or state == OK:
                state, text = OK, ""
            self._field_message = bool(text)
            self.message.show_message(state, text)

    # --- words -----------------------------------------------------------------------------
    def set_label(self, label: Text, hint: Text | None = None) -> None:
        self._label = label
        if hint is not None:
            self._hint = hint
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(text_of(self._label))
        self.hint.setText(text_of(self._hint))
        self.hint.setVisible(bool(self.hint.text()))
        self.input.setAccessibleName(self.label.text())
        if self._field_message:
            self.validate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class FieldChain(QObject):
    """The order of a form's fields and the one way forward: ``advance`` validates the
    current field and moves on (``moved(index)``), or says ``completed`` after the last."""

    moved = Signal(int)
    completed = Signal()

    def __init__(self, fields: Sequence[FormField], parent: QObject | None = None) -> None:
        super().__init__(parent)
        if not fields:
            raise ValueError("FieldChain needs at least one field")
        self.fields = list(fields)
        self.index = 0
        for field in self.fields:
            field.next_requested.connect(lambda f=field: self._asked(f))

    def current(self) -> FormField:
        return self.fields[self.index]

    def _asked(self, field: FormField) -> None:
        if field is self.current():
            self.advance()

    def advance(self) -> bool:
        if not self.current().validate():
            return False
        if self.index == len(self.fields) - 1:
            self.completed.emit()
        else:
            self.go_to(self.index + 1)
        return True

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.go_to(self.index - 1)
        return True

    def go_to(self, index: int) -> None:
        self.index = index
        self.moved.emit(index)
        self.current().focus_input()

    def values(self) -> list[str]:
        return [field.value() for field in self.fields]

    def reset(self) -> None:
        """Wipe every answer (the idle timer's reset) and start at the first field."""
        for field in self.fields:
            field.clear()
        self.go_to(0)
