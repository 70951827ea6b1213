"""A letter request at the kiosk, with no account and no PIN (Pak Budi's journey).

Choose the letter (big cards) -> the applicant's and the letter's own questions, one per
page (ui.request_form.FormSteps: NIK on the keypad, checked digit by digit) -> review (NIK
and KK masked) -> submit. The receipt prints with the tracking code, what to bring and a
QR; the screen shows the code and what to bring, and goes home by itself. The idle timer
wipes the form (the shell calls :meth:`LetterFlow.reset`).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QStackedWidget, QVBoxLayout, QWidget)

from kiosk.errors import KioskError
from ui import i18n, taps, theme
from ui.context import ScreenContext
from ui.errors import error_text, word
from ui.input_parts import Bilingual
from ui.ops import run_op
from ui.request_form import FormSteps
from ui.screen import Screen

log = logging.getLogger(__name__)

#: After the receipt: home by itself after this long (the code is on the paper).
SENT_HOME_MS = 45_000
#: Keys whose answers are shown masked on every screen.
MASKED = ("nik", "kk")
#: The card's icon when the catalogue names one the theme does not draw.
DEFAULT_ICON = "document"


def mask(value: str) -> str:
    from kiosk.nik import mask as mask_number

    return mask_number(value)


def shown_value(spec: Any, value: str) -> str:
    """An answer as the review page shows it: NIK and KK masked, a date as on the KTP, a
    choice by its words."""
    if spec.key in MASKED or spec.kind in MASKED:
        return mask(value)
    if spec.kind == "date" and len(value) == 10:
        return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"     # as on a KTP: 15-08-1995
    if spec.kind == "choice":
        choice = next((c for c in spec.choices if c.value == value), None)
        if choice is not None:
            return Bilingual(choice.label_id, choice.label_en).text()
    return value


def nik_warnings(answers: dict[str, str]) -> list[str]:
    """Kind warnings before sending: the NIK's birth date or sex differs from what was typed
    (one of them has a typo; only the citizen can say which, so it never blocks)."""
    from datetime import date

    from kiosk import nik

    try:
        info = nik.parse_nik(answers.get("nik", ""))
        typed = date.fromisoformat(answers["birth_date"]) if answers.get("birth_date") else None
    except (KioskError, ValueError):
        return []          # the form's own checks already said what is wrong
    return [word(w.code, w.fields) for w in
            nik.compare_with_typed(info, birth_date=typed, sex=answers.get("sex") or None)]


def card_button(words: str, detail: str, icon: str) -> QPushButton:
    """A big card for a letter type or a complaint category."""
    button = theme.touch_button("", "secondary")
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setMinimumHeight(96)
    layout = QHBoxLayout(button)
    layout.setContentsMargins(16, 8, 16, 8)
    layout.setSpacing(12)
    layout.addWidget(theme.icon_label(icon if icon in theme.ICONS else DEFAULT_ICON, 40,
                                      theme.PRIMARY))
    text = QVBoxLayout()
    text.setSpacing(2)
    name = QLabel(words)
    name.setWordWrap(True)
    name.setStyleSheet(f"font-size: {theme.FONT_BODY + 2}px; font-weight: 700;")
    text.addWidget(name)
    if detail:
        sub = QLabel(detail)
        sub.setWordWrap(True)
        sub.setStyleSheet(f"font-size: {theme.FONT_SMALL}px; color: {theme.MUTED};")
        text.addWidget(sub)
    layout.addLayout(text, 1)
    for child in button.findChildren(QLabel):
        child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return button


def fill_cards(grid: QGridLayout, entries: list[Any], kind: str, choose,
               wide_from: int) -> dict[str, QPushButton]:
    """The grid of cards for ``entries`` (letter types or complaint categories: ``code``,
    ``name_id``/``name_en``, ``icon``), three columns from ``wide_from`` entries on, else two;
    a card's tap calls ``choose(entry)``. Returns the cards by code."""
    from ui.counter_sign_in import clear_layout

    clear_layout(grid)
    columns = 3 if len(entries) >= wide_from else 2
    buttons = {}
    for index, entry in enumerate(entries):
        button = card_button(Bilingual(entry.name_id, entry.name_en).text(), "", entry.icon)
        button.setObjectName(f"{kind}-{entry.code}")
        button.clicked.connect(lambda _=False, e=entry: choose(e))
        grid.addWidget(button, index // columns, index % columns)
        buttons[entry.code] = button
    return buttons


class LetterFlow(Screen):
    """The whole request, from choosing the letter to the receipt. ``finished`` when the
    citizen is done or leaves (the citizen screen goes home)."""

    finished = Signal()

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.letter_types: list[Any] = []
        self.letter: Any | None = None
        self.answers: dict[str, str] = {}
        self.sent: Any | None = None
        self._sending = False
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        taps.guard_page_changes(self.stack)
        root.addWidget(self.stack)
        self._build_choose()
        self.form = FormSteps()
        self.form.completed.connect(self._answered)
        self.form.left.connect(self.show_choose)
        self.stack.addWidget(self.form)
        self._build_review()
        self._build_sent()
        self.home_timer = QTimer(self)
        self.home_timer.setSingleShot(True)
        self.home_timer.timeout.connect(self._leave)
        self.ready()

    # --- pages -----------------------------------------------------------------------------
    def _build_choose(self) -> None:
        page = QWidget()
        self.choose_page = page
        outer = QVBoxLayout(page)
        outer.setContentsMargins(32, 12, 32, 16)
        outer.setSpacing(10)
        self.choose_title = theme.text_label("", "title")
        outer.addWidget(self.choose_title)
        self.choose_hint = theme.text_label("", "body")
        outer.addWidget(self.choose_hint)
        self.cards = QGridLayout()
        self.cards.setSpacing(12)
        outer.addLayout(self.cards, 1)
        self.choose_message = theme.text_label("", "error")
        self.choose_message.hide()
        outer.addWidget(self.choose_message)
        row = QHBoxLayout()
        self.choose_back = theme.touch_button("", "secondary", "back")
        self.choose_back.clicked.connect(self._leave)
        row.addWidget(self.choose_back)
        row.addStretch()
        outer.addLayout(row)
        self.card_buttons: dict[str, QPushButton] = {}
        self.stack.addWidget(page)

    def _build_review(self) -> None:
        page = QWidget()
        self.review_page = page
        outer = QVBoxLayout(page)
        outer.setContentsMargins(32, 12, 32, 16)
        outer.setSpacing(8)
        self.review_title = theme.text_label("", "title")
        outer.addWidget(self.review_title)
        self.review_hint = theme.text_label("", "body")
        outer.addWidget(self.review_hint)
        self.review_warning = theme.text_label("", "body")
        self.review_warning.setObjectName("reviewWarning")
        self.review_warning.setProperty("banner", "warning")
        self.review_warning.hide()
        outer.addWidget(self.review_warning)
        self.review_grid = QGridLayout()
        self.review_grid.setHorizontalSpacing(24)
        self.review_grid.setVerticalSpacing(4)
        outer.addLayout(self.review_grid)
        outer.addStretch(1)
        self.review_message = theme.text_label("", "error")
        self.review_message.hide()
        outer.addWidget(self.review_message)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.review_back = theme.touch_button("", "secondary", "back")
        self.review_back.clicked.connect(self._edit_again)
        row.addWidget(self.review_back)
        row.addStretch()
        self.submit_button = theme.touch_button("", "primary", "check")
        self.submit_button.setMinimumWidth(320)
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button)
        outer.addLayout(row)
        self.stack.addWidget(page)

    def _build_sent(self) -> None:
        page = QWidget()
        self.sent_page = page
        outer = QVBoxLayout(page)
        outer.setContentsMargins(40, 16, 40, 16)
        outer.setSpacing(10)
        self.sent_title = theme.text_label("", "title")
        self.sent_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.sent_title)
        self.code_caption = theme.text_label("", "body")
        self.code_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.code_caption)
        self.code_label = QLabel()
        self.code_label.setObjectName("trackingCode")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet(f"font-size: {theme.FONT_TITLE * 2}px; font-weight: 800;"
                                      f" color: {theme.PRIMARY}; letter-spacing: 4px;")
        outer.addWidget(self.code_label)
        self.warning_label = theme.text_label("", "body")
        self.warning_label.setProperty("banner", "warning")
        self.warning_label.hide()
        outer.addWidget(self.warning_label)
        self.bring_label = theme.text_label("", "large")
        outer.addWidget(self.bring_label)
        self.documents_label = theme.text_label("", "body")
        outer.addWidget(self.documents_label)
        outer.addStretch(1)
        self.receipt_label = theme.text_label("", "body")
        self.receipt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.receipt_label)
        self.done_button = theme.touch_button("", "primary", "check")
        self.done_button.clicked.connect(self._leave)
        outer.addWidget(self.done_button, alignment=Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(page)

    # --- choose ----------------------------------------------------------------------------
    def start(self) -> None:
        """From the citizen's home: the letters, read afresh (the city may have changed them)."""
        self.reset()
        requests = self.ctx.office.requests
        run_op(self, requests.list_letter_types, self._types_loaded, self._types_failed)

    def show_choose(self) -> None:
        self.stack.setCurrentWidget(self.choose_page)

    def _types_loaded(self, types: list[Any]) -> None:
        self.letter_types = list(types)
        self._fill_cards()
        self.choose_message.hide()

    def _types_failed(self, exc: Exception) -> None:
        log.error("letters: the catalogue could not be read: %s", exc)
        self.choose_message.setText(error_text(exc))
        self.choose_message.show()

    def _fill_cards(self) -> None:
        self.card_buttons = fill_cards(self.cards, self.letter_types, "letter", self.choose,
                                       wide_from=9)

    def choose(self, letter: Any) -> None:
        self.letter = letter
        self.form.start(Bilingual(letter.name_id, letter.name_en), letter.all_fields(),
                        today=self._today(), values=self.answers)
        self.stack.setCurrentWidget(self.form)

    def _today(self):
        from kiosk.clock import local_time

        return local_time(self.ctx.clock.now(), self.ctx.config.office.timezone).date()

    # --- review and submit -----------------------------------------------------------------
    def _answered(self, values: dict[str, str]) -> None:
        self.answers = values
        self._fill_review()
        self.review_message.hide()
        self.stack.setCurrentWidget(self.review_page)

    def _edit_again(self) -> None:
        self.stack.setCurrentWidget(self.form)

    def _fill_review(self) -> None:
        warnings = nik_warnings(self.answers)
        if warnings:
            warnings.append(self.tr("Sentuh Ubah untuk memperbaiki, atau kirim bila sudah "
                                    "sesuai KTP."))
        self.review_warning.setText(" ".join(warnings))
        self.review_warning.setVisible(bool(warnings))
        while self.review_grid.count():
            item = self.review_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        specs = [s for s in self.letter.all_fields() if s.key in self.answers]
        # Two columns of answers; three for the longest letters (a birth has 26 questions),
        # so the page never scrolls.
        columns = 2 if len(specs) <= 18 else 3
        rows = -(-len(specs) // columns)
        for index, spec in enumerate(specs):
            column, row = divmod(index, rows) if rows else (0, index)
            caption = QLabel(Bilingual(spec.label_id, spec.label_en).text())
            caption.setStyleSheet(f"font-size: {theme.FONT_SMALL}px; color: {theme.MUTED};")
            value = QLabel(shown_value(spec, self.answers[spec.key]))
            value.setObjectName(f"review-{spec.key}")
            value.setStyleSheet(f"font-size: {theme.FONT_BODY}px; font-weight: 600;")
            value.setWordWrap(True)
            self.review_grid.addWidget(caption, row, column * 2)
            self.review_grid.addWidget(value, row, column * 2 + 1)

    def submit(self) -> None:
        """Send the request (on the worker); the receipt prints on the edge."""
        if self._sending or self.letter is None:
            return
        self._sending = True
        self.submit_button.setEnabled(False)
        keys = {s.key for s in self.letter.fields}
        applicant = {k: v for k, v in self.answers.items() if k not in keys}
        details = {k: v for k, v in self.answers.items() if k in keys}
        requests, code = self.ctx.office.requests, self.letter.code
        run_op(self, lambda: requests.submit_request(code, applicant, details), self._sent,
               self._send_failed)

    def _sent(self, submitted: Any) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        self.sent = submitted
        self._fill_sent()
        self.stack.setCurrentWidget(self.sent_page)
        self.home_timer.start(SENT_HOME_MS)

    def _send_failed(self, exc: Exception) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        if not isinstance(exc, KioskError):
            log.error("letters: submitting failed: %r", exc)
        self.review_message.setText(error_text(exc))
        self.review_message.show()

    def _fill_sent(self) -> None:
        sent, letter = self.sent, self.letter
        if sent is None or letter is None:
            return
        self.code_label.setText(sent.code)
        words = [word(w.code, {**w.fields, "field": w.field}) for w in sent.warnings
                 if w.code in _known_codes()]
        self.warning_label.setText("\n".join(words))
        self.warning_label.setVisible(bool(words))
        english = i18n.current_language() == "en"
        documents = (letter.documents_en if english and letter.documents_en
                     else letter.documents_id)
        self.documents_label.setText("\n".join(f"\u2022 {d}" for d in documents))

    def _leave(self) -> None:
        self.reset()
        self.finished.emit()

    # --- Screen ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.choose_title.setText(self.tr("Surat apa yang Anda perlukan?"))
        self.choose_hint.setText(self.tr("Sentuh salah satu. Tidak perlu akun atau PIN."))
        self.choose_back.setText(self.tr("Kembali"))
        self.review_title.setText(self.tr("Periksa kembali data Anda"))
        self.review_hint.setText(self.tr("Bila ada yang salah, sentuh Ubah. Bila sudah benar, "
                                         "sentuh Kirim Permohonan."))
        self.review_back.setText(self.tr("Ubah"))
        self.submit_button.setText(self.tr("Kirim Permohonan"))
        self.sent_title.setText(self.tr("Permohonan Anda sudah kami terima"))
        self.code_caption.setText(self.tr("Kode pelacakan Anda:"))
        self.bring_label.setText(self.tr("Bawa saat mengambil surat:"))
        self.receipt_label.setText(self.tr("Tanda terima sedang dicetak. Simpan untuk cek "
                                           "status di kiosk ini."))
        self.done_button.setText(self.tr("Selesai"))
        if self.letter_types:
            self._fill_cards()
        if self.letter is not None and self.answers and self.stack.currentWidget() is self.review_page:
            self._fill_review()
        if self.sent is not None:
            self._fill_sent()

    def reset(self) -> None:
        """Idle or done: nothing of this citizen stays (answers, code, the form's pages)."""
        self.home_timer.stop()
        self.letter = None
        self.answers = {}
        self.sent = None
        self._sending = False
        self.submit_button.setEnabled(True)
        self.form.reset()
        self.code_label.setText("")
        self.documents_label.setText("")
        self.warning_label.hide()
        self.review_message.hide()
        while self.review_grid.count():
            item = self.review_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.show_choose()

    def stop(self) -> None:
        self.home_timer.stop()


def _known_codes() -> set[str]:
    from ui.errors import WORDS

    return set(WORDS)
