"""Cek Status: a citizen types the code on the receipt and reads where the letter or the
complaint stands, from the office's own data (no network needed).

The answer says the status in plain words, when it last changed ("diperbarui 5 Des 14.02")
and what to do next ("Siap diambil di loket 1, bawa KTP asli"). A complaint's text and the
city's answer never show on this shared screen; the citizen hears that there is an answer
and asks for it at the counter. The code comes three ways: the receipt's QR held up to the
kiosk's camera (when it has one: ui.scanner), a USB QR scanner (a keyboard to the kiosk: it
types the link into the code box and presses Enter), or typed on the on-screen keyboard.
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
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        # With a camera: the receipt's QR held up to it is read (ui.scanner).
        self.preview = QLabel()
        self.preview.setFixedSize(128, 96)
        self.preview.setStyleSheet(f"background: {theme.TEXT}; border-radius: 8px;")
        self.preview.hide()                   # shown while the camera gives pictures
        code_row.addWidget(self.preview)
        outer.addLayout(code_row)
        self.scanner = None
        if ctx.camera is not None and ctx.qr is not None:
            from ui.scanner import QrScanner

            self.scanner = QrScanner(ctx.camera, ctx.qr, self)
            self.scanner.found.connect(self._scanned)
            self.scanner.preview.connect(self._show_preview)
            self.scanner.state.connect(self._camera_state)
        self._camera_ok = False
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
        if self.scanner is not None:
            self.scanner.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.scanner is not None:
            self.scanner.stop()
        super().hideEvent(event)

    def _scanned(self, text: str) -> None:
        """A QR held up to the camera: a receipt's link or code is looked up at once."""
        from kiosk.tracking import code_from_scan

        code = code_from_scan(text)
        if code is None or self.stack.currentWidget() is not self.ask_page:
            return
        self.code_edit.setText(code)
        self.check()

    def _camera_state(self, state: str) -> None:
        """Ask for the receipt at the camera only while the camera really gives pictures (a
        missing one is retried by the camera itself; meanwhile the code is typed)."""
        self._camera_ok = state == "ok"
        self.preview.setVisible(self._camera_ok)
        self.retranslate()

    def _show_preview(self, image) -> None:
        from PySide6.QtGui import QPixmap

        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

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
        self.hint.setText(self.tr("Tunjukkan QR tanda terima ke kamera, atau ketik kodenya.")
                          if self._camera_ok else
                          self.tr("Ketik kode pada tanda terima Anda (huruf dan angka)."))
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
        if self.scanner is not None:
            self.scanner.stop()
