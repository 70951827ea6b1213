"""The attendance terminal by the staff door (Andi's journey): he holds his badge to the
camera and within a second reads "Selamat pagi, Andi — 07.28 tercatat", in green.

The live camera picture fills the left with a frame guide; each badge QR the camera reads
(ui.scanner over devices.camera and devices.qr) goes to ``office.attendance.record_scan`` on
the edge, which verifies the badge and records the event with honest times. A refusal is
said in words with what to do ("Kartu ini sudah dicabut. Minta kartu baru ke admin.").
Clock-in or clock-out is chosen by the time of day; one tap on "Sebenarnya pulang/masuk"
corrects it. After a few seconds nobody's name stays on the screen. A terminal whose clock
is not believed says so (its times are flagged on the edge, never shifted).

Faces: when the office asks for them (attendance.face = after_badge) the edge answers a good
badge of an enrolled employee with ``face_needed`` and a random ``challenge``; the screen
then says "Tolong tengok ke kiri" (or kanan) in big letters, draws a face guide and the face
it sees on the preview, runs the head-turn challenge (ui.face_check over ``ctx.face``, a
devices.face.FaceEngine) and calls record_scan again with the embedding of the most frontal
picture and whether the head turned. The edge matches and records; a still photo, which
never turns, is refused ("Gerakan kepala tidak terlihat"). No picture is kept.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
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
#: How long the employee has to turn the head when asked (devices.face.liveness.HeadTurn).
FACE_TIMEOUT_S = 6.0
#: The head-turn request is read from a step away: bigger than a greeting.
ASK_FONT = 48
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
    "face_mismatch": QT_TRANSLATE_NOOP("AttendanceScreen", "Wajah tidak cocok dengan kartu ini. "
                                                           "Coba lagi menghadap kamera; bila tetap "
                                                           "gagal, hubungi admin kantor."),
    "liveness_failed": QT_TRANSLATE_NOOP("AttendanceScreen", "Gerakan kepala tidak terlihat; coba "
                                                             "lagi: tunjukkan kartu, lalu tengok "
                                                             "sesuai petunjuk."),
}
#: The head-turn challenge, as the edge chose it: the person's own left or right.
CHALLENGES: dict[str, str] = {
    "left": QT_TRANSLATE_NOOP("AttendanceScreen", "Tolong tengok ke kiri"),
    "right": QT_TRANSLATE_NOOP("AttendanceScreen", "Tolong tengok ke kanan"),
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
        self._badge = ""                       # the badge text being checked
        self.face_check = None                 # ui.face_check.FaceCheck during the face step
        self._face_box: tuple[int, int, int, int] | None = None
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
        self._stop_face()
        if self.scanner is not None:
            self.scanner.stop()
        super().hideEvent(event)

    def _camera_state(self, state: str) -> None:
        self._camera_ok = state == "ok"
        if not self._camera_ok:
            self.preview.clear()
        self.retranslate()

    def _show_preview(self, image) -> None:
        if self.face_check is not None:
            image = self._with_face_guide(image)
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation))

    def _with_face_guide(self, image):
        """The picture with an oval where the face belongs and a box round the face seen."""
        image = image.copy()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = image.width(), image.height()
        pen = QPen(QColor(theme.SURFACE), max(3, w // 160), Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawEllipse(round(w * 0.32), round(h * 0.12), round(w * 0.36), round(h * 0.72))
        if self._face_box is not None:
            x, y, bw, bh = self._face_box
            painter.setPen(QPen(QColor(theme.SUCCESS), max(3, w // 128)))
            painter.drawRect(x, y, bw, bh)
        painter.end()
        return image

    # --- a badge ---------------------------------------------------------------------------
    def scanned(self, text: str) -> None:
        """A QR the camera read: verified and recorded on the edge (on the worker)."""
        if self._busy:
            return
        self._busy = True
        self._badge = text
        self.clear_timer.stop()
        attendance = self.ctx.office.attendance
        run_op(self, lambda: attendance.record_scan(text), self._recorded, self._failed)

    def _recorded(self, result: Any) -> None:
        if getattr(result, "result", None) == "face_needed":
            self._start_face(result)
            return
        self._busy = False
        self.result = result
        self._show_result()
        self.clear_timer.start(SHOWN_MS)

    # --- the face step ---------------------------------------------------------------------
    def _start_face(self, result: Any) -> None:
        """The badge is good and the office wants the face: the head-turn challenge."""
        self.result = None
        self.correct_button.hide()
        if self.ctx.face is None or self.ctx.camera is None:
            self._busy = False
            self._say(self.tr("Pemeriksaan wajah belum siap di perangkat ini. Hubungi teknisi."),
                      "error")
            self.clear_timer.start(SHOWN_MS)
            return
        from ui.face_check import FaceCheck

        direction = result.challenge if result.challenge in CHALLENGES else "left"
        self.face_check = FaceCheck(self.ctx.face, self.ctx.camera, direction, self,
                                    timeout_s=FACE_TIMEOUT_S,
                                    snapshot=(result.snapshot_days or 0) > 0)
        self.face_check.face_seen.connect(self._face_seen)
        self.face_check.finished.connect(self._face_finished)
        self._face_box = None
        # The arrow points to the person's side as they face the screen.
        words = _translated(CHALLENGES[direction])
        # A no-break space keeps the arrow on the line of the word it points with.
        self._say(f"←\u00a0{words}" if direction == "left" else f"{words}\u00a0→", "ask")
        self._face_hint()
        self.face_check.start()

    def _face_seen(self, face: Any) -> None:
        self._face_box = face.box if face is not None else None
        self._face_hint()

    def _face_hint(self) -> None:
        check = self.face_check
        if check is None:
            return
        if check.challenge.seen_frontal:
            self.guide.setText(self.tr("Bagus. Tengok pelan-pelan."))
        else:
            self.guide.setText(self.tr("Lihat lurus ke kamera, wajah di dalam bingkai."))

    def _face_finished(self, passed: bool, embedding: Any) -> None:
        check, self.face_check = self.face_check, None
        if check is not None:
            check.deleteLater()
        self._face_box = None
        self.retranslate_guide()
        if embedding is None:
            self._busy = False
            self._say(self.tr("Wajah tidak terlihat. Berdiri di depan kamera, lalu tunjukkan "
                              "kartu lagi."), "error")
            self.clear_timer.start(SHOWN_MS)
            return
        self._say(self.tr("Sebentar, wajah diperiksa..."), "ask")
        attendance, badge = self.ctx.office.attendance, self._badge
        face = {"embedding": list(embedding), "liveness": bool(passed)}
        if check is not None and check.snapshot_jpeg:       # the office keeps an audit picture
            face["snapshot"] = base64.b64encode(check.snapshot_jpeg).decode("ascii")
        run_op(self, lambda: attendance.record_scan(badge, face), self._recorded, self._failed)

    def _stop_face(self) -> None:
        if self.face_check is not None:
            self.face_check.stop()
            self.face_check.deleteLater()
            self.face_check = None
            self._face_box = None
            self._busy = False

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
        colour = {"ok": theme.SUCCESS, "ask": theme.PRIMARY}.get(kind, theme.DANGER)
        size = ASK_FONT if kind == "ask" else theme.FONT_TITLE
        self.feedback.setStyleSheet(f"color: {colour}; font-size: {size}px; font-weight: 800;")
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
        self.retranslate_guide()
        self.clock_warning.setText(self.tr("Jam perangkat belum dicocokkan: waktu dicatat bertanda "
                                      "tidak pasti. Hubungi teknisi."))
        self._show_result()

    def retranslate_guide(self) -> None:
        if self.face_check is not None:
            self._face_hint()
        elif self.scanner is None:
            self.guide.setText(self.tr("Kamera belum dipasang di perangkat ini. Hubungi teknisi."))
        elif self._camera_ok:
            self.guide.setText(self.tr("Tunjukkan QR kartu pegawai ke kamera"))
        else:
            self.guide.setText(self.tr("Kamera tidak terbaca. Periksa kabel kamera; perangkat "
                                  "mencoba lagi sendiri."))

    def reset(self) -> None:
        self._stop_face()
        self.clear_timer.stop()
        self.clear()
        self._tick()

    def stop(self) -> None:
        self._stop_face()
        self.timer.stop()
        self.clear_timer.stop()
        if self.scanner is not None:
            self.scanner.stop()
