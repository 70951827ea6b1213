"""Cek Status: a citizen types the code on the receipt and reads where the letter or the
complaint stands, from the office's own data (no network needed).

The answer says the status in plain words, when it last changed ("diperbarui 5 Des 14.02")
and what to do next ("Siap diambil di loket 1, bawa KTP asli"). A complaint's text and the
city's answer never show on this shared screen; the citizen hears that there is an answer
and asks for it at the counter. Scanning the receipt's QR with the kiosk camera comes with
the camera pipeline (attendance issue); until then the code is typed, or read by a USB QR
scanner, which types the receipt's link into the code box and presses Enter.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from ui import taps, theme
from ui.context import ScreenContext
from ui.errors import error_text
from ui.form_field import MONTHS
from ui.input_parts import ERROR, OK, MessageLine
from ui.keyboard import OnScreenKeyboard
from ui.ops import run_op
from ui.screen import Screen

log = logging.getLogger(__name__)

#: The answer stays this long, then home (a status is no secret, but the next person's turn).
ANSWER_HOME_MS = 30_000
CONTEXT = "StatusCheck"

#: next-step code (kiosk.letters.operations.next_step, kiosk.complaints) -> words; {fields}.
NEXT_STEP_WORDS: dict[str, str] = {
    "request_submitted": QT_TRANSLATE_NOOP("StatusCheck", "Permohonan sudah diterima dan menunggu "
                                                          "diperiksa petugas."),
    "request_checking": QT_TRANSLATE_NOOP("StatusCheck", "Petugas sedang memeriksa permohonan "
                                                         "Anda."),
    "request_awaiting_signature": QT_TRANSLATE_NOOP("StatusCheck", "Surat sedang menunggu tanda "
                                                                   "tangan Lurah."),
    "request_ready": QT_TRANSLATE_NOOP("StatusCheck", "Siap diambil di loket {counter}, bawa "
                                                      "{bring_id}."),
    "request_collected": QT_TRANSLATE_NOOP("StatusCheck", "Surat sudah diambil."),
    "request_change_requested": QT_TRANSLATE_NOOP("StatusCheck", "Perlu perbaikan: {reason}. "
                                                                 "Silakan datang ke loket dengan "
                                                                 "tanda terima ini."),
    "request_rejected": QT_TRANSLATE_NOOP("StatusCheck", "Permohonan tidak dapat diproses: "
                                                         "{reason}. Silakan tanyakan ke petugas."),
    "request_cancelled": QT_TRANSLATE_NOOP("StatusCheck", "Permohonan dibatalkan: {reason}."),
    "complaint_received": QT_TRANSLATE_NOOP("StatusCheck", "Pengaduan sudah diterima dan akan "
                                                           "diteruskan ke Pemerintah Kota."),
    "complaint_forwarded": QT_TRANSLATE_NOOP("StatusCheck", "Pengaduan sudah diteruskan ke "
                                                            "Pemerintah Kota."),
    "complaint_in_progress": QT_TRANSLATE_NOOP("StatusCheck", "Pengaduan sedang ditangani "
                                                              "Pemerintah Kota."),
    "complaint_answered": QT_TRANSLATE_NOOP("StatusCheck", "Pemerintah Kota sudah menjawab. "
                                                           "Minta jawabannya di loket dengan "
                                                           "tanda terima ini."),
    "complaint_closed": QT_TRANSLATE_NOOP("StatusCheck", "Pengaduan sudah selesai ditangani."),
}


def next_step_text(step: Any) -> str:
    """The next step's sentence in the current language; a code this build does not know
    gets a plain sentence rather than nothing."""
    source = NEXT_STEP_WORDS.get(step.code)
    if source is None:
        log.warning("status check: no words for next step %r", step.code)
        return QCoreApplication.translate(CONTEXT, "Silakan tanyakan ke petugas.")
    text = QCoreApplication.translate(CONTEXT, source)
    fields = {k: ("\u2014" if v is None else v) for k, v in dict(step.fields).items()}
    try:
        return text.format(**fields)
    except (KeyError, IndexError):
        return text


def updated_text(iso: str) -> str:
    """``diperbarui 5 Des 14.02`` from the office-local ISO time of the last change."""
    when = datetime.fromisoformat(iso)
    month = QCoreApplication.translate("input", MONTHS[when.month - 1])[:3]
    return QCoreApplication.translate(CONTEXT, "diperbarui %1").replace(
        "%1", f"{when.day} {month} {when.hour:02d}.{when.minute:02d}")


class StatusCheck(Screen):
    """Type the code, see the answer. ``finished`` when the citizen leaves."""

    finished = Signal()

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: Any | None = None
        self._asking = False
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        taps.guard_page_changes(self.stack)
        root.addWidget(self.stack)

        self.ask_page = QWidget()
        outer = QVBoxLayout(self.ask_page)
        outer.setContentsMargins(32, 4, 32, 8)
        outer.setSpacing(4)
        self.title = theme.text_label("", "large")
        outer.addWidget(self.title)
        self.hint = theme.text_label("", "body")
        outer.addWidget(self.hint)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("statusCode")
        # Long enough for the receipt QR's whole link: a USB QR scanner (a keyboard to the
        # kiosk) types it here and presses Enter; code_from_scan takes the code out of it.
        self.code_edit.setMaxLength(300)
        self.code_edit.setMinimumHeight(72)
        self.code_edit.setStyleSheet(
            f"QLineEdit {{ font-size: {theme.FONT_TITLE}px; font-weight: 700; letter-spacing: 3px;"
            f" border: 3px solid {theme.BORDER}; border-radius: 14px; padding: 4px 16px; }}")
        self.code_edit.returnPressed.connect(self.check)
        outer.addWidget(self.code_edit)
        self.message = MessageLine()     # fixed height: a message never moves the keys
        outer.addWidget(self.message)
        self.keyboard = OnScreenKeyboard(self.code_edit, caps=True)
        self.keyboard.setFixedHeight(self.keyboard.minimumSizeHint().height())  # see FormSteps
        outer.addWidget(self.keyboard)
        row = QHBoxLayout()
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.clicked.connect(self._leave)
        row.addWidget(self.back_button)
        row.addStretch()
        self.check_button = theme.touch_button("", "primary", "check")
        self.check_button.setMinimumWidth(280)
        self.check_button.clicked.connect(self.check)
        row.addWidget(self.check_button)
        outer.addLayout(row)
        self.stack.addWidget(self.ask_page)

        self.answer_page = QWidget()
        outer = QVBoxLayout(self.answer_page)
        outer.setContentsMargins(40, 24, 40, 16)
        outer.setSpacing(14)
        self.answer_code = QLabel()
        self.answer_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer_code.setStyleSheet(f"font-size: {theme.FONT_TITLE}px; font-weight: 800;"
                                       f" color: {theme.PRIMARY};")
        outer.addWidget(self.answer_code)
        self.answer_status = theme.text_label("", "title")
        self.answer_status.setObjectName("answerStatus")
        self.answer_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.answer_status)
        self.answer_updated = theme.text_label("", "muted")
        self.answer_updated.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.answer_updated)
        outer.addStretch(1)
        self.answer_done = theme.touch_button("", "primary", "check")
        self.answer_done.clicked.connect(self._leave)
        self.answer_again = theme.touch_button("", "secondary", "back")
        self.answer_again.clicked.connect(self._ask_again)
        row = QHBoxLayout()
        row.addWidget(self.answer_again)
        row.addStretch()
        row.addWidget(self.answer_done)
        outer.addLayout(row)
        self.stack.addWidget(self.answer_page)

        self.home_timer = QTimer(self)
        self.home_timer.setSingleShot(True)
        self.home_timer.timeout.connect(self._leave)
        self.ready()

    def start(self) -> None:
        self.reset()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        # The code box has the keys: the on-screen keyboard's and a USB QR scanner's.
        self.code_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def check(self) -> None:
        """Look the typed code up (on the worker; local data, well inside a second)."""
        code = self.code_edit.text().strip()
        if not code:
            self._say(self.tr("Ketik kode pada tanda terima, misalnya S-7K3M9QX."))
            return
        if self._asking:
            return
        self._asking = True
        requests = self.ctx.office.requests
        run_op(self, lambda: requests.lookup_status(code), self._answered, self._failed)

    def _answered(self, view: Any) -> None:
        self._asking = False
        self.view = view
        self.message.show_message(OK, "")
        self._fill_answer()
        self.stack.setCurrentWidget(self.answer_page)
        self.home_timer.start(ANSWER_HOME_MS)

    def _failed(self, exc: Exception) -> None:
        self._asking = False
        self._say(error_text(exc))

    def _say(self, text: str) -> None:
        self.message.show_message(ERROR, text)

    def _fill_answer(self) -> None:
        view = self.view
        if view is None:
            return
        self.answer_code.setText(view.code)
        self.answer_status.setText(next_step_text(view.next_step))
        self.answer_updated.setText(updated_text(view.updated))

    def _ask_again(self) -> None:
        self.reset()

    def _leave(self) -> None:
        self.reset()
        self.finished.emit()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Cek status surat atau pengaduan"))
        self.hint.setText(self.tr("Ketik kode pada tanda terima Anda (huruf dan angka)."))
        self.back_button.setText(self.tr("Kembali"))
        self.check_button.setText(self.tr("Cek"))
        self.answer_done.setText(self.tr("Selesai"))
        self.answer_again.setText(self.tr("Cek kode lain"))
        self._fill_answer()

    def reset(self) -> None:
        self.home_timer.stop()
        self.view = None
        self._asking = False
        self.code_edit.clear()
        self.message.show_message(OK, "")
        self.answer_code.setText("")
        self.answer_status.setText("")
        self.answer_updated.setText("")
        self.stack.setCurrentWidget(self.ask_page)

    def stop(self) -> None:
        self.home_timer.stop()
