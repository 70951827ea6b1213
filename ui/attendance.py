"""The attendance terminal by the staff door (Andi's journey): he holds his badge to the
camera and within a second reads "Selamat pagi, Andi — 07.28 tercatat", in green.

The live camera picture fills the left with a frame guide; each badge QR the camera reads
(ui.scanner over devices.camera and devices.qr) goes to ``office.attendance.record_scan`` on
the edge, which verifies the badge and records the event with honest times. A refusal is
said in words with what to do ("Kartu ini sudah dicabut. Minta kartu baru ke admin.").
Clock-in or clock-out is chosen by the time of day; one tap on "Sebenarnya pulang/masuk"
corrects it. After a few seconds nobody's name stays on the screen. A terminal whose clock
is not believed says so (its times are flagged on the edge, never shifted).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.clock import local_time
from ui import theme
from ui.context import ScreenContext
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Screen

log = logging.getLogger(__name__)

#: A greeting or a refusal stays this long, then the screen is anonymous again.
SHOWN_MS = 6000
CONTEXT = "AttendanceScreen"

#: Refusal reason (kiosk.badges, kiosk.attendance) -> what the employee reads.
REASON_WORDS: dict[str, str] = {
    "malformed": QT_TRANSLATE_NOOP("AttendanceScreen", "QR ini bukan kartu pegawai. Tunjukkan "
                                                       "kartu pegawai Anda."),
    "unknown_key": QT_TRANSLATE_NOOP("AttendanceScreen", "Kartu ini belum dikenal perangkat. "
                                                         "Minta admin menyinkronkan perangkat."),
    "forged": QT_TRANSLATE_NOOP("AttendanceScreen", "Kartu ini tidak sah. Hubungi admin kantor."),
    "another_office": QT_TRANSLATE_NOOP("AttendanceScreen", "Kartu ini untuk kantor lain."),
    "revoked": QT_TRANSLATE_NOOP("AttendanceScreen", "Kartu ini sudah dicabut. Minta kartu baru "
                                                     "ke admin."),
    "expired": QT_TRANSLATE_NOOP("AttendanceScreen", "Kartu ini sudah kedaluwarsa. Minta kartu "
                                                     "baru ke admin."),
    "inactive": QT_TRANSLATE_NOOP("AttendanceScreen", "Pegawai ini tidak aktif di kantor ini. "
                                                      "Hubungi admin."),
}
GREETINGS: dict[str, str] = {
    "pagi": QT_TRANSLATE_NOOP("AttendanceScreen", "Selamat pagi"),
    "siang": QT_TRANSLATE_NOOP("AttendanceScreen", "Selamat siang"),
    "sore": QT_TRANSLATE_NOOP("AttendanceScreen", "Selamat sore"),
    "malam": QT_TRANSLATE_NOOP("AttendanceScreen", "Selamat malam"),
}


def _translated(source: str) -> str:
    """A sentence of the tables above, in the current language."""
    return QCoreApplication.translate(CONTEXT, source)


class AttendanceScreen(Screen):
    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: Any | None = None
        self._busy = False
        self.scanner = None
        if ctx.camera is not None and ctx.qr is not None:
            from ui.scanner import QrScanner

            self.scanner = QrScanner(ctx.camera, ctx.qr, self)
            self.scanner.found.connect(self.scanned)
            self.scanner.preview.connect(self._show_preview)
            self.scanner.state.connect(self._camera_state)
        self._camera_ok = False

        root = QHBoxLayout(self)
        root.setContentsMargins(32, 24, 32, 24)
        root.setSpacing(32)
        left = QVBoxLayout()
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(560, 420)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet(f"background: {theme.TEXT}; color: {theme.SURFACE};"
                                   f" border: 6px solid {theme.PRIMARY}; border-radius: 18px;"
                                   f" font-size: {theme.FONT_BODY}px;")
        self.preview.setWordWrap(True)
        left.addWidget(self.preview)
        self.guide = theme.text_label("", "large")
        self.guide.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left.addWidget(self.guide)
        left.addStretch()
        root.addLayout(left)

        right = QVBoxLayout()
        right.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(theme.icon_label("badge", 56, theme.PRIMARY))
        self.title = theme.text_label("", "title")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        right.addLayout(head)
        self.time_label = theme.text_label("", "huge")
        right.addWidget(self.time_label)
        self.clock_warning = theme.text_label("", "body")
        self.clock_warning.setProperty("banner", "warning")
        self.clock_warning.hide()
        right.addWidget(self.clock_warning)
        right.addStretch()
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        self.feedback.setMinimumHeight(180)
        right.addWidget(self.feedback)
        self.correct_button = theme.touch_button("", "secondary", "sync")
        self.correct_button.clicked.connect(self.correct)
        self.correct_button.hide()
        right.addWidget(self.correct_button)
        right.addStretch()
        root.addLayout(right, 1)

        self.clear_timer = QTimer(self)
        self.clear_timer.setSingleShot(True)
        self.clear_timer.timeout.connect(self.clear)
        self.timer = QTimer(self)
        self.timer.setInterval(10_000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._tick()
        self.ready()

    # --- the camera ------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.scanner is not None:
            self.scanner.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.scanner is not None:
            self.scanner.stop()
        super().hideEvent(event)

    def _camera_state(self, state: str) -> None:
        self._camera_ok = state == "ok"
        if not self._camera_ok:
            self.preview.clear()
        self.retranslate()

    def _show_preview(self, image) -> None:
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))

    # --- a badge ---------------------------------------------------------------------------
    def scanned(self, text: str) -> None:
        """A QR the camera read: verified and recorded on the edge (on the worker)."""
        if self._busy:
            return
        self._busy = True
        attendance = self.ctx.office.attendance
        run_op(self, lambda: attendance.record_scan(text), self._recorded, self._failed)

    def _recorded(self, result: Any) -> None:
        self._busy = False
        self.result = result
        self._show_result()
        self.clear_timer.start(SHOWN_MS)

    def _failed(self, exc: Exception) -> None:
        self._busy = False
        self.result = None
        self._say(error_text(exc), "error")
        self.clear_timer.start(SHOWN_MS)

    def correct(self) -> None:
        """The one-tap correction: this was really the other of in and out."""
        result = self.result
        if result is None or result.event is None or self._busy:
            return
        kind = "out" if result.event.kind == "in" else "in"
        attendance, event_id = self.ctx.office.attendance, result.event.id
        self._busy = True

        def done(_event: Any) -> None:
            self._busy = False
            self._say(self.tr("Dibetulkan: %1 tercatat sebagai %2.").replace(
                "%1", result.local_time).replace("%2", self._kind_words(kind)), "ok")
            self.correct_button.hide()
            self.clear_timer.start(SHOWN_MS)

        run_op(self, lambda: attendance.correct_event(event_id, kind), done, self._failed)

    def _show_result(self) -> None:
        result = self.result
        if result is None:
            return
        # The edge judged its clock when it recorded: a time it does not believe is flagged.
        self.clock_warning.setVisible(bool(result.time_uncertain))
        if result.result != "accepted":
            self._say(_translated(REASON_WORDS[result.reason]) if result.reason in REASON_WORDS
                      else self.tr("Kartu tidak dapat dipakai. Hubungi admin kantor."), "error")
            self.correct_button.hide()
            return
        first = (result.name or "").split(" ")[0] or result.employee_id
        greeting = _translated(GREETINGS.get(result.part_of_day, GREETINGS["pagi"]))
        kind = result.event.kind if result.event is not None else "in"
        text = self.tr("%1, %2 — %3 tercatat (%4).").replace("%1", greeting).replace(
            "%2", first).replace("%3", result.local_time).replace("%4", self._kind_words(kind))
        if result.already_recorded:
            text = self.tr("%1, %2 — sudah tercatat %3.").replace("%1", greeting).replace(
                "%2", first).replace("%3", result.local_time)
        self._say(text, "ok")
        self.correct_button.setText(self.tr("Sebenarnya pulang") if kind == "in"
                                    else self.tr("Sebenarnya masuk"))
        self.correct_button.setVisible(not result.already_recorded)

    def _kind_words(self, kind: str) -> str:
        return self.tr("masuk") if kind == "in" else self.tr("pulang")

    def _say(self, text: str, kind: str) -> None:
        colour = theme.SUCCESS if kind == "ok" else theme.DANGER
        self.feedback.setStyleSheet(f"color: {colour}; font-size: {theme.FONT_TITLE}px;"
                                    " font-weight: 800;")
        self.feedback.setText(text)

    def clear(self) -> None:
        """Nobody's name stays on the door's screen."""
        self.result = None
        self.feedback.setText("")
        self.correct_button.hide()
        self.clock_warning.hide()

    # --- time and words --------------------------------------------------------------------
    def _tick(self) -> None:
        tz = self.ctx.config.office.timezone
        now = self.ctx.clock.now()
        self.time_label.setText(f"{local_time(now, tz):%H.%M}")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Presensi Pegawai"))
        if self.scanner is None:
            self.guide.setText(self.tr("Kamera belum dipasang di perangkat ini. Hubungi teknisi."))
        elif self._camera_ok:
            self.guide.setText(self.tr("Tunjukkan QR kartu pegawai ke kamera"))
        else:
            self.guide.setText(self.tr("Kamera tidak terbaca. Periksa kabel kamera; perangkat "
                                  "mencoba lagi sendiri."))
        self.clock_warning.setText(self.tr("Jam perangkat belum dicocokkan: waktu dicatat bertanda "
                                      "tidak pasti. Hubungi teknisi."))
        self._show_result()

    def reset(self) -> None:
        self.clear_timer.stop()
        self.clear()
        self._tick()

    def stop(self) -> None:
        self.timer.stop()
        self.clear_timer.stop()
        if self.scanner is not None:
            self.scanner.stop()
