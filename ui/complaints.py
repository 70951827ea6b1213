"""A complaint (pengaduan) at the kiosk: category -> what happened, where, a phone number
if the citizen wants an answer (or none: anonymous is allowed) -> check -> send.

The complaint belongs to the city, which answers it; the kiosk takes it offline like any
other record. Once sent, its text never shows again on this shared screen: the page after
sending holds only the tracking code and what happens next. (A photo from the kiosk camera
comes with the camera pipeline of the attendance issue.)
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.errors import KioskError
from ui import taps, theme
from ui.context import ScreenContext
from ui.errors import error_text
from ui.input_parts import Bilingual
from ui.letters import SENT_HOME_MS, fill_cards
from ui.ops import run_op
from ui.request_form import FormSteps
from ui.screen import Screen

log = logging.getLogger(__name__)


class ComplaintFlow(Screen):
    """``finished`` when the citizen is done or leaves."""

    finished = Signal()

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.categories: list[Any] = []
        self.category: Any | None = None
        self.answers: dict[str, str] = {}
        self.sent: Any | None = None
        self.anonymous = False
        self._sending = False
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        taps.guard_page_changes(self.stack)
        root.addWidget(self.stack)

        # 1. category
        self.choose_page = QWidget()
        outer = QVBoxLayout(self.choose_page)
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
        self.choose_back = theme.touch_button("", "secondary", "back")
        self.choose_back.clicked.connect(self._leave)
        outer.addWidget(self.choose_back, alignment=Qt.AlignmentFlag.AlignLeft)
        self.card_buttons: dict[str, Any] = {}
        self.stack.addWidget(self.choose_page)

        # 2. the questions
        self.form = FormSteps()
        self.form.completed.connect(self._answered)
        self.form.left.connect(lambda: self.stack.setCurrentWidget(self.choose_page))
        self.stack.addWidget(self.form)

        # 3. check, with "anonymous"
        self.review_page = QWidget()
        outer = QVBoxLayout(self.review_page)
        outer.setContentsMargins(32, 12, 32, 16)
        outer.setSpacing(10)
        self.review_title = theme.text_label("", "title")
        outer.addWidget(self.review_title)
        self.review_category = theme.text_label("", "large")
        outer.addWidget(self.review_category)
        self.review_location = theme.text_label("", "body")
        outer.addWidget(self.review_location)
        self.review_text = theme.text_label("", "body")
        self.review_text.setObjectName("reviewText")
        outer.addWidget(self.review_text)
        self.anonymous_button = theme.touch_button("", "secondary", "lock")
        self.anonymous_button.setCheckable(True)
        self.anonymous_button.toggled.connect(self._set_anonymous)
        outer.addWidget(self.anonymous_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.anonymous_note = theme.text_label("", "muted")
        outer.addWidget(self.anonymous_note)
        outer.addStretch(1)
        self.review_message = theme.text_label("", "error")
        self.review_message.hide()
        outer.addWidget(self.review_message)
        row = QHBoxLayout()
        self.review_back = theme.touch_button("", "secondary", "back")
        self.review_back.clicked.connect(lambda: self.stack.setCurrentWidget(self.form))
        row.addWidget(self.review_back)
        row.addStretch()
        self.submit_button = theme.touch_button("", "primary", "check")
        self.submit_button.setMinimumWidth(320)
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button)
        outer.addLayout(row)
        self.stack.addWidget(self.review_page)

        # 4. sent: the code only
        self.sent_page = QWidget()
        outer = QVBoxLayout(self.sent_page)
        outer.setContentsMargins(40, 16, 40, 16)
        outer.setSpacing(12)
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
        self.next_label = theme.text_label("", "body")
        self.next_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.next_label)
        outer.addStretch(1)
        self.done_button = theme.touch_button("", "primary", "check")
        self.done_button.clicked.connect(self._leave)
        outer.addWidget(self.done_button, alignment=Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.sent_page)

        self.home_timer = QTimer(self)
        self.home_timer.setSingleShot(True)
        self.home_timer.timeout.connect(self._leave)
        self.ready()

    # --- steps -----------------------------------------------------------------------------
    def start(self) -> None:
        self.reset()
        complaints = self.ctx.office.complaints
        run_op(self, complaints.list_categories, self._loaded, self._load_failed)

    def _loaded(self, categories: list[Any]) -> None:
        self.categories = list(categories)
        self._fill_cards()
        self.choose_message.hide()

    def _load_failed(self, exc: Exception) -> None:
        log.error("complaints: categories could not be read: %s", exc)
        self.choose_message.setText(error_text(exc))
        self.choose_message.show()

    def _fill_cards(self) -> None:
        self.card_buttons = fill_cards(self.cards, self.categories, "category", self.choose,
                                       wide_from=7)

    def choose(self, category: Any) -> None:
        from kiosk.complaints.operations import COMPLAINT_FIELDS

        self.category = category
        self.form.start(Bilingual(category.name_id, category.name_en), COMPLAINT_FIELDS,
                        values=self.answers)
        self.stack.setCurrentWidget(self.form)

    def _answered(self, values: dict[str, str]) -> None:
        self.answers = values
        self._fill_review()
        self.review_message.hide()
        self.stack.setCurrentWidget(self.review_page)

    def _set_anonymous(self, on: bool) -> None:
        self.anonymous = on
        self._fill_review()

    def _fill_review(self) -> None:
        if self.category is None:
            return
        self.review_category.setText(Bilingual(self.category.name_id,
                                               self.category.name_en).text())
        self.review_location.setText(self.tr("Lokasi: %1").replace(
            "%1", self.answers.get("location", "")))
        self.review_text.setText(self.answers.get("description", ""))
        if self.anonymous:
            note = self.tr("Dikirim tanpa nama dan tanpa nomor HP: jawaban hanya bisa dilihat "
                           "dengan kode pelacakan.")
        elif self.answers.get("contact"):
            note = self.tr("Kota dapat menghubungi Anda di nomor yang Anda isi.")
        else:
            note = self.tr("Tanpa nomor HP: jawaban dapat dilihat dengan kode pelacakan.")
        self.anonymous_note.setText(note)

    def submit(self) -> None:
        if self._sending or self.category is None:
            return
        self._sending = True
        self.submit_button.setEnabled(False)
        complaints, answers = self.ctx.office.complaints, dict(self.answers)
        category, anonymous = self.category.code, self.anonymous
        contact = None if anonymous else (answers.get("contact") or None)
        run_op(self, lambda: complaints.submit_complaint(
            category, answers.get("description", ""), answers.get("location", ""),
            contact=contact, anonymous=anonymous), self._sent, self._send_failed)

    def _sent(self, sent: Any) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        self.sent = sent
        # The complaint's words leave the screen now: only the code stays.
        self.answers = {}
        self.form.reset()
        self.review_text.setText("")
        self.code_label.setText(sent.code)
        self.stack.setCurrentWidget(self.sent_page)
        self.home_timer.start(SENT_HOME_MS)

    def _send_failed(self, exc: Exception) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        if not isinstance(exc, KioskError):
            log.error("complaints: submitting failed: %r", exc)
        self.review_message.setText(error_text(exc))
        self.review_message.show()

    def _leave(self) -> None:
        self.reset()
        self.finished.emit()

    # --- Screen ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.choose_title.setText(self.tr("Pengaduan: tentang apa?"))
        self.choose_hint.setText(self.tr("Sentuh salah satu. Pengaduan diteruskan ke "
                                         "Pemerintah Kota."))
        self.choose_back.setText(self.tr("Kembali"))
        self.review_title.setText(self.tr("Periksa pengaduan Anda"))
        self.anonymous_button.setText(self.tr("Kirim tanpa nama"))
        self.review_back.setText(self.tr("Ubah"))
        self.submit_button.setText(self.tr("Kirim Pengaduan"))
        self.sent_title.setText(self.tr("Pengaduan Anda sudah kami terima"))
        self.code_caption.setText(self.tr("Kode pelacakan Anda:"))
        self.next_label.setText(self.tr("Tanda terima sedang dicetak. Cek jawaban kota di kiosk "
                                        "ini dengan kode pada tanda terima."))
        self.done_button.setText(self.tr("Selesai"))
        if self.categories:
            self._fill_cards()
        self._fill_review()

    def reset(self) -> None:
        self.home_timer.stop()
        self.category = None
        self.answers = {}
        self.sent = None
        self._sending = False
        self.anonymous_button.setChecked(False)
        self.anonymous = False
        self.submit_button.setEnabled(True)
        self.form.reset()
        for label in (self.review_text, self.review_location, self.review_category,
                      self.code_label):
            label.setText("")
        self.review_message.hide()
        self.stack.setCurrentWidget(self.choose_page)

    def stop(self) -> None:
        self.home_timer.stop()
