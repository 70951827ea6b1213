"""A citizen's form, one question per page: the letter's fields and a complaint's, from the
catalogue's FieldSpecs (kiosk.letters.models).

Each question is a ``ui.form_field.FormField`` with the input its kind needs: the numeric
keypad for numbers (NIK and KK checked digit by digit, so a typo is caught at the digit
where it happened), day/month/year boxes for a date, big buttons for a choice, and our own
on-screen keyboard for text. One "Lanjut" moves on only when the answer is right (the
domain's own check, kiosk.letters.validation, worded through ui/errors.py); "Kembali" goes
back a question, and from the first one out of the form. Nothing scrolls: a page holds one
question and its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLineEdit, QSizePolicy, QStackedWidget, QVBoxLayout,
                               QWidget)

from kiosk.errors import KioskError
from ui import taps, theme
from ui.errors import error_text, word
from ui.form_field import ChoiceInput, DateInput, FormField
from ui.input_parts import ERROR, OK, WARNING, Bilingual
from ui.keyboard import OnScreenKeyboard
from ui.keypad import NumberEntry
from ui.screen import Screen

#: kind -> (max digits, min digits, digits per group on screen) for the kinds typed on the keypad.
KEYPAD_KINDS: dict[str, tuple[int, int, int]] = {
    "nik": (16, 16, 4), "kk": (16, 16, 4), "phone": (13, 9, 4), "number": (3, 1, 0),
    "rt_rw": (6, 6, 3), "time": (4, 4, 2),
}
#: Text kinds typed in capitals by default (names and places on official forms are).
CAPS_KINDS = ("text",)


def wire_value(kind: str, raw: str) -> str:
    """The answer as the domain reads it: RT/RW ``003005`` as ``003/005``, a time ``1430``
    as ``14:30``; every other kind as typed."""
    if kind == "rt_rw" and len(raw) == 6:
        return f"{raw[:3]}/{raw[3:]}"
    if kind == "time" and len(raw) == 4:
        return f"{raw[:2]}:{raw[2:]}"
    return raw


def screen_value(kind: str, value: str) -> str:
    """The inverse of :func:`wire_value`: what the input shows for a stored answer."""
    if kind in ("rt_rw", "time"):
        return "".join(ch for ch in value if ch.isdigit())
    return value


def domain_check(spec: Any, today: date | None = None) -> Callable[[str], tuple[str, str]]:
    """The domain's rule for one field (kiosk.letters.validation.validate_value) as a form
    validator: the error worded for a person, in the screen's language."""
    from kiosk.letters.validation import validate_value

    def check(raw: str) -> tuple[str, str]:
        try:
            validate_value(spec, wire_value(spec.kind, raw), today=today)
        except KioskError as exc:
            return ERROR, error_text(exc)
        return OK, ""

    return check


def partial_number_check(kind: str) -> Callable[[str], tuple[str, str]]:
    """NIK or KK digits as they are typed: an error as soon as the digits so far cannot begin
    a valid number (kiosk.nik.check_partial); a complete one is checked in full."""
    from kiosk import nik

    def check(digits: str) -> tuple[str, str]:
        problem = nik.check_partial(digits, kind)
        if problem is None:
            return OK, ""
        if isinstance(problem, nik.FieldWarning):
            return WARNING, word(problem.code, problem.fields)
        return ERROR, error_text(problem)

    return check


def make_field(spec: Any, today: date | None = None) -> FormField:
    """The question for one FieldSpec, with the input its kind needs."""
    label = Bilingual(spec.label_id, spec.label_en)
    hint = "" if spec.required else QCoreApplication.translate("FormSteps", "boleh dikosongkan")
    kind = spec.kind
    validator = domain_check(spec, today)
    if kind in KEYPAD_KINDS:
        most, least, group = KEYPAD_KINDS[kind]
        live = partial_number_check(kind) if kind in ("nik", "kk") else None
        entry = NumberEntry(most, min_length=least, group=group, validator=live)
        return FormField(label, entry, required=spec.required, validator=validator, hint=hint)
    if kind == "date":
        return FormField(label, DateInput(latest=today), required=spec.required,
                         validator=validator, hint=hint)
    if kind == "choice":
        options = [(c.value, Bilingual(c.label_id, c.label_en)) for c in spec.choices]
        return FormField(label, ChoiceInput(options), required=spec.required,
                         validator=validator, hint=hint)
    from kiosk.letters.validation import MAX_LENGTH

    return FormField(label, None, required=spec.required, validator=validator, hint=hint,
                     max_length=spec.max_length or MAX_LENGTH.get(kind, 100),
                     caps=kind in CAPS_KINDS)


class _QuestionPages(QStackedWidget):
    """The question takes the room the keys and buttons leave (the kiosk's screen is fixed).
    Its word-wrapped label would otherwise put the layout in height-for-width mode, which
    gives the question its wrapped height first and squeezes the keyboard under it."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return False


class FormSteps(Screen):
    """The questions of ``specs`` one page at a time. ``completed(values)`` (key -> answer as
    the domain reads it) after the last; ``left`` when "Kembali" is pressed on the first."""

    completed = Signal(dict)
    left = Signal()
    #: the index of the question now shown (tests and the idle timer follow it)
    moved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs: list[Any] = []
        self.fields: list[FormField | None] = []   # built on first show (see start)
        self._pages: dict[int, QWidget] = {}
        self._given: dict[str, str] = {}
        self._today: date | None = None
        self.index = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 4, 32, 8)
        outer.setSpacing(4)
        head = QHBoxLayout()
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title, 1)
        self.progress = theme.text_label("", "muted")
        self.progress.setWordWrap(False)
        self.progress.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.progress)
        outer.addLayout(head)
        self.pages = _QuestionPages()
        taps.guard_page_changes(self.pages)
        outer.addWidget(self.pages, 1)
        self.keyboard = OnScreenKeyboard()
        # Its own height, always: the word-wrapped labels above make the layout trade height
        # for width, and a keyboard given less than its keys need draws them over each other.
        self.keyboard.setFixedHeight(self.keyboard.minimumSizeHint().height())
        outer.addWidget(self.keyboard)
        nav = QHBoxLayout()
        nav.setSpacing(16)
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.clicked.connect(self.back)
        nav.addWidget(self.back_button)
        nav.addStretch()
        self.next_button = theme.touch_button("", "primary", "next")
        self.next_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.next_button.setMinimumWidth(280)
        self.next_button.clicked.connect(self.advance)
        nav.addWidget(self.next_button)
        outer.addLayout(nav)
        self._title_words: Bilingual | str = ""
        self.ready()

    # --- the form --------------------------------------------------------------------------
    def start(self, title: Bilingual | str, specs: Sequence[Any], today: date | None = None,
              values: dict[str, str] | None = None) -> None:
        """Ask ``specs`` from the first question (answers in ``values`` filled in). A
        question's page is built when it is first shown: a birth certificate has 26, and
        building them all at the tap on its card made that one tap slow."""
        self._clear_pages()
        self._title_words = title
        self._today = today
        self._given = dict(values or {})
        self.specs = list(specs)
        self.fields = [None] * len(self.specs)
        self.go_to(0)

    def _field(self, index: int) -> FormField:
        """The question at ``index``, built on first use."""
        field = self.fields[index]
        if field is None:
            spec = self.specs[index]
            field = make_field(spec, self._today)
            field.next_requested.connect(lambda f=field: self._asked(f))
            if spec.key in self._given:
                field.set_value(screen_value(spec.kind, self._given[spec.key]))
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(field)
            layout.addStretch()
            self.pages.addWidget(page)
            self.fields[index] = field
            self._pages[index] = page
        return field

    def values(self) -> dict[str, str]:
        """Every answer so far, as the domain reads it (empty optional ones left out)."""
        answers = {}
        for spec, field in zip(self.specs, self.fields):
            value = (wire_value(spec.kind, field.value()) if field is not None
                     else self._given.get(spec.key, ""))
            if value:
                answers[spec.key] = value
        return answers

    def go_to(self, index: int) -> None:
        self.index = index
        # Only the page on screen claims room: a keypad page must not make a keyboard page
        # (which has the keyboard below the stack) taller than the screen.
        field = self._field(index)
        for number, page in self._pages.items():
            policy = (QSizePolicy.Policy.Preferred if number == index
                      else QSizePolicy.Policy.Ignored)
            page.setSizePolicy(policy, policy)
        self.pages.setCurrentWidget(self._pages[index])
        typed = isinstance(field.input, QLineEdit)
        self.keyboard.bind(field.input if typed else None)
        self.keyboard.setVisible(typed)
        field.focus_input()
        self.retranslate()
        self.moved.emit(index)

    def current(self) -> FormField:
        return self.fields[self.index]

    def _asked(self, field: FormField) -> None:
        if self.specs and field is self.current():
            self.advance()

    def advance(self) -> None:
        """Lanjut: on only when this answer is right (a warning does not stop)."""
        if not self.specs or not self.current().validate():
            return
        if self.index == len(self.specs) - 1:
            self.completed.emit(self.values())
        else:
            self.go_to(self.index + 1)

    def back(self) -> None:
        if self.index == 0:
            self.left.emit()
        else:
            self.go_to(self.index - 1)

    def _clear_pages(self) -> None:
        self.keyboard.bind(None)
        for field in self.fields:
            if field is not None:
                field.clear()    # now, not when Qt gets round to deleting the page
        while self.pages.count():
            page = self.pages.widget(0)
            self.pages.removeWidget(page)
            page.deleteLater()
        self.fields = []
        self._pages = {}
        self._given = {}
        self.specs = []
        self.index = 0

    # --- Screen ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        title = self._title_words
        self.title.setText(title.text() if isinstance(title, Bilingual) else title)
        total = len(self.specs)
        self.progress.setText(self.tr("Langkah %1 dari %2").replace("%1", str(self.index + 1))
                              .replace("%2", str(total)) if total else "")
        self.back_button.setText(self.tr("Kembali"))
        last = total and self.index == total - 1
        self.next_button.setText(self.tr("Periksa") if last else self.tr("Lanjut"))

    def reset(self) -> None:
        """The idle timer: every answer goes (the next person must not see them)."""
        self._clear_pages()
        self.retranslate()
