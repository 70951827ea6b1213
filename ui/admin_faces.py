"""The admin screen's face page (docs/FACES.md): who has an enrolled face and whose consent
was recorded, "Rekam wajah" and "Hapus data wajah".

Recording a face is three steps, in this order, because a face is biometric personal data
(UU 27/2022) and may only be taken with the employee's consent:

1. the consent: the text (version ``kiosk.attendance.faces.CONSENT_VERSION``) is read out
   to the employee, the admin ticks that the employee agreed and picks who recorded it
   (from the roster: no keyboard needed on a touch terminal);
2. the captures: the employee looks at the camera; each "Ambil foto" takes the newest
   picture, finds exactly one face in it and computes its embedding on the face worker
   (devices.face through ui.face_check's one thread: the engine is not thread-safe); the
   progress reads "3 dari 5";
3. ``office.attendance.enroll_face`` with the captures and the consent. Nothing is stored
   before this step; a cancelled recording leaves nothing behind, and no picture is kept.

"Hapus data wajah" asks first, then ``office.attendance.delete_face`` (the edge deletes
the embeddings and tells the city to erase its sealed copy).

The camera and the face engine are the terminal's (``ctx.camera``, ``ctx.face``); where
they are missing (an admin screen on a staff PC), the page says to record faces at the
attendance terminal, and the list and the deletion still work.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout,
                               QHeaderView, QLabel, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from kiosk.attendance.faces import CONSENT_VERSION, MIN_CAPTURES
from kiosk.clock import local_time
from ui import theme
from ui.context import ScreenContext
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Screen

log = logging.getLogger(__name__)

#: Pictures taken per enrolment (the domain needs at least MIN_CAPTURES).
CAPTURES = 5
PREVIEW_MS = 100


class _Capture(QObject):
    """One picture's embedding, computed on the face worker; ``done`` carries the 128
    floats, or a reason word: ``no_face``, ``many_faces``, ``no_picture``, ``failed``."""

    done = Signal(object)

    def __init__(self, engine: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine

    def take(self, image: Any) -> None:
        from ui.face_check import face_worker

        face_worker().submit(self._run, image)

    def _run(self, image: Any) -> None:
        try:
            faces = self.engine.detect(image)
            if not faces:
                value: Any = "no_face"
            elif len(faces) > 1:
                value = "many_faces"
            else:
                value = self.engine.embed(image, faces[0])
        except Exception:  # noqa: BLE001 - said as "coba lagi", logged for the technician
            log.exception("face capture failed")
            value = "failed"
        try:
            self.done.emit(value)
        except RuntimeError:        # the page went away meanwhile
            pass


class FacesPanel(Screen):
    back_requested = Signal()

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.roster: list[dict[str, Any]] = []
        self.employee: dict[str, Any] | None = None     # the one being recorded
        self.captures: list[list[float]] = []
        self._capturing = False
        self._message = ("", None)
        self._camera_on = False
        self._seq: int | None = None
        self.capture = _Capture(ctx.face, self) if ctx.face is not None else None
        if self.capture is not None:
            self.capture.done.connect(self._captured)

        root = QVBoxLayout(self)
        root.setContentsMargins(24, 8, 24, 8)
        root.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(theme.icon_label("people", 40, theme.PRIMARY))
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.clicked.connect(self._back)
        head.addWidget(self.back_button)
        root.addLayout(head)
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        self.message = theme.text_label("", "body")
        root.addWidget(self.message)

        # -- the list ----------------------------------------------------------------------
        self.list_page = QWidget()
        box = QVBoxLayout(self.list_page)
        box.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 3)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(52)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        box.addWidget(self.table, 1)
        self.no_camera = theme.text_label("", "muted")
        box.addWidget(self.no_camera)
        actions = QHBoxLayout()
        actions.addStretch()
        self.delete_button = theme.touch_button("", "danger")
        self.delete_button.clicked.connect(self.ask_delete)
        actions.addWidget(self.delete_button)
        self.record_button = theme.touch_button("", "primary", "badge")
        self.record_button.clicked.connect(self.start_consent)
        actions.addWidget(self.record_button)
        box.addLayout(actions)
        self.pages.addWidget(self.list_page)

        # -- the confirmation of a deletion --------------------------------------------------
        self.delete_page = QWidget()
        box = QVBoxLayout(self.delete_page)
        self.delete_question = theme.text_label("", "large")
        box.addWidget(self.delete_question)
        self.delete_detail = theme.text_label("", "body")
        box.addWidget(self.delete_detail)
        box.addStretch()
        actions = QHBoxLayout()
        actions.addStretch()
        self.keep_button = theme.touch_button("", "secondary")
        self.keep_button.clicked.connect(self.show_list)
        actions.addWidget(self.keep_button)
        self.confirm_delete_button = theme.touch_button("", "danger")
        self.confirm_delete_button.clicked.connect(self.delete)
        actions.addWidget(self.confirm_delete_button)
        box.addLayout(actions)
        self.pages.addWidget(self.delete_page)

        # -- the consent ---------------------------------------------------------------------
        self.consent_page = QWidget()
        box = QVBoxLayout(self.consent_page)
        box.setSpacing(10)
        self.consent_who = theme.text_label("", "large")
        box.addWidget(self.consent_who)
        self.consent_text = theme.text_label("", "body")
        self.consent_text.setObjectName("consentText")
        self.consent_text.setStyleSheet(f"background: {theme.SURFACE}; border-radius: 12px;"
                                        " padding: 14px;")
        box.addWidget(self.consent_text)
        self.consent_version = theme.text_label("", "muted")
        box.addWidget(self.consent_version)
        self.agreed = QCheckBox()
        self.agreed.setStyleSheet(f"QCheckBox {{ font-size: {theme.FONT_BODY}px; }}"
                                  " QCheckBox::indicator { width: 40px; height: 40px; }")
        self.agreed.setMinimumHeight(theme.TOUCH_MIN)
        self.agreed.toggled.connect(self._consent_state)
        box.addWidget(self.agreed)
        row = QHBoxLayout()
        self.recorder_label = theme.text_label("", "body")
        self.recorder_label.setWordWrap(False)
        row.addWidget(self.recorder_label)
        self.recorder = QComboBox()
        self.recorder.setMinimumHeight(theme.TOUCH_MIN)
        self.recorder.setStyleSheet(f"font-size: {theme.FONT_BODY}px;")
        self.recorder.currentIndexChanged.connect(self._consent_state)
        row.addWidget(self.recorder, 1)
        box.addLayout(row)
        box.addStretch()
        actions = QHBoxLayout()
        actions.addStretch()
        self.cancel_consent_button = theme.touch_button("", "secondary")
        self.cancel_consent_button.clicked.connect(self.show_list)
        actions.addWidget(self.cancel_consent_button)
        self.to_camera_button = theme.touch_button("", "primary", "next")
        self.to_camera_button.clicked.connect(self.start_captures)
        actions.addWidget(self.to_camera_button)
        box.addLayout(actions)
        self.pages.addWidget(self.consent_page)

        # -- the captures --------------------------------------------------------------------
        self.capture_page = QWidget()
        row = QHBoxLayout(self.capture_page)
        row.setSpacing(24)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(560, 420)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet(f"background: {theme.TEXT}; color: {theme.SURFACE};"
                                   f" border: 6px solid {theme.PRIMARY}; border-radius: 18px;")
        row.addWidget(self.preview)
        side = QVBoxLayout()
        self.capture_who = theme.text_label("", "large")
        side.addWidget(self.capture_who)
        self.capture_hint = theme.text_label("", "body")
        side.addWidget(self.capture_hint)
        self.progress = theme.text_label("", "title")
        self.progress.setObjectName("captureProgress")
        side.addWidget(self.progress)
        self.capture_feedback = theme.text_label("", "body")
        side.addWidget(self.capture_feedback)
        side.addStretch()
        self.take_button = theme.touch_button("", "primary", "check")
        self.take_button.clicked.connect(self.take)
        side.addWidget(self.take_button)
        self.cancel_capture_button = theme.touch_button("", "secondary")
        self.cancel_capture_button.clicked.connect(self.show_list)
        side.addWidget(self.cancel_capture_button)
        row.addLayout(side, 1)
        self.pages.addWidget(self.capture_page)

        self.preview_timer = QTimer(self)
        self.preview_timer.setInterval(PREVIEW_MS)
        self.preview_timer.timeout.connect(self._show_preview)
        self.ready()

    # --- data ------------------------------------------------------------------------------
    @property
    def can_record(self) -> bool:
        return self.ctx.camera is not None and self.capture is not None

    def refresh(self) -> None:
        run_op(self, self.ctx.office.attendance.face_roster, self._loaded, self._failed)

    def _loaded(self, roster: list[dict[str, Any]]) -> None:
        self.roster = roster
        self._fill()

    def _failed(self, exc: Exception) -> None:
        self._say("error", error_text(exc))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.roster):
            return None
        return self.roster[rows[0].row()]

    # --- the list --------------------------------------------------------------------------
    def show_list(self) -> None:
        self._camera(False)
        self.captures = []
        self.employee = None
        self.pages.setCurrentWidget(self.list_page)
        self._selection_changed()

    def _back(self) -> None:
        if self.pages.currentWidget() is self.list_page:
            self.back_requested.emit()
        else:
            self.show_list()

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.record_button.setEnabled(chosen is not None and self.can_record)
        self.delete_button.setEnabled(chosen is not None and chosen["enrolled"])

    def _when(self, ms: int | None) -> str:
        if ms is None:
            return ""
        from kiosk.clock import Stamp

        at = local_time(Stamp(ms, 0, ""), self.ctx.config.office.timezone)
        return at.strftime("%d-%m-%Y %H.%M")

    def _fill(self) -> None:
        chosen = self.selected()
        self.table.setRowCount(len(self.roster))
        for r, row in enumerate(self.roster):
            if row["enrolled"]:
                state = self.tr("Terekam (%1 foto)").replace("%1", str(row["captures"]))
                consent = self.tr("%1, dicatat oleh %2").replace(
                    "%1", self._when(row["consent_ms"])).replace("%2", row["consent_by"] or "")
            else:
                state, consent = self.tr("Belum direkam"), "\u2014"
            for c, value in enumerate((row["name"] or row["employee_id"], state, consent)):
                self.table.setItem(r, c, QTableWidgetItem(value))
        if chosen is not None:
            for r, row in enumerate(self.roster):
                if row["employee_id"] == chosen["employee_id"]:
                    self.table.selectRow(r)
        self._selection_changed()

    # --- deleting --------------------------------------------------------------------------
    def ask_delete(self) -> None:
        chosen = self.selected()
        if chosen is None or not chosen["enrolled"]:
            return
        self.employee = chosen
        self.delete_question.setText(self.tr("Hapus data wajah %1?").replace(
            "%1", chosen["name"] or chosen["employee_id"]))
        self.pages.setCurrentWidget(self.delete_page)

    def delete(self) -> None:
        employee = self.employee
        if employee is None:
            return
        self.confirm_delete_button.setEnabled(False)
        attendance = self.ctx.office.attendance

        def done(_: dict) -> None:
            self.confirm_delete_button.setEnabled(True)
            self._say("deleted", employee["name"] or employee["employee_id"])
            self.show_list()
            self.refresh()

        def failed(exc: Exception) -> None:
            self.confirm_delete_button.setEnabled(True)
            self._say("error", error_text(exc))
            self.show_list()

        run_op(self, lambda: attendance.delete_face(employee["employee_id"]), done, failed)

    # --- recording: consent ----------------------------------------------------------------
    def start_consent(self) -> None:
        chosen = self.selected()
        if chosen is None or not self.can_record:
            return
        self.employee = chosen
        self.captures = []
        self.agreed.setChecked(False)
        self.recorder.blockSignals(True)
        self.recorder.clear()
        self.recorder.addItem(self.tr("Pilih pegawai yang mencatat"), None)
        for row in self.roster:
            if row["employee_id"] != chosen["employee_id"]:
                self.recorder.addItem(row["name"] or row["employee_id"], row)
        self.recorder.blockSignals(False)
        self._say("", None)
        self._word_consent()
        self.pages.setCurrentWidget(self.consent_page)
        self._consent_state()

    def _consent_state(self) -> None:
        self.to_camera_button.setEnabled(self.agreed.isChecked()
                                         and self.recorder.currentData() is not None)

    def consent_by(self) -> str | None:
        who = self.recorder.currentData()
        if who is None:
            return None
        return f"{who['name'] or who['employee_id']} ({who['employee_id']})"

    # --- recording: captures ---------------------------------------------------------------
    def start_captures(self) -> None:
        if not (self.agreed.isChecked() and self.consent_by()):
            return
        self.captures = []
        self.capture_feedback.setText("")
        self.pages.setCurrentWidget(self.capture_page)
        self._word_captures()
        self._camera(True)

    def take(self) -> None:
        """Look at the newest picture for exactly one face (on the face worker)."""
        if self._capturing or self.capture is None or self.ctx.camera is None:
            return
        frame = self.ctx.camera.latest()
        if frame is None:
            self._capture_said("no_picture")
            return
        self._capturing = True
        self.take_button.setEnabled(False)
        self.capture.take(frame.image)

    def _captured(self, value: Any) -> None:
        self._capturing = False
        self.take_button.setEnabled(True)
        if self.pages.currentWidget() is not self.capture_page:
            return              # cancelled meanwhile: the capture is dropped
        if isinstance(value, str):
            self._capture_said(value)
            return
        self.captures.append(list(value))
        self.capture_feedback.setText(self.tr("Foto diambil."))
        self._word_captures()
        if len(self.captures) >= CAPTURES:
            self.enroll()

    def _capture_said(self, reason: str) -> None:
        words = {"no_face": self.tr("Wajah tidak terlihat. Hadapkan wajah ke kamera, lalu "
                                    "coba lagi."),
                 "many_faces": self.tr("Ada lebih dari satu wajah. Hanya pegawai yang direkam "
                                       "boleh terlihat di kamera."),
                 "no_picture": self.tr("Kamera belum memberi gambar. Tunggu sebentar, lalu "
                                       "coba lagi.")}
        self.capture_feedback.setText(words.get(reason, self.tr("Foto gagal diolah. Coba "
                                                                "lagi.")))

    def enroll(self) -> None:
        employee, captures, by = self.employee, list(self.captures), self.consent_by()
        if employee is None or len(captures) < MIN_CAPTURES or by is None:
            return
        self._camera(False)
        self.take_button.setEnabled(False)
        attendance = self.ctx.office.attendance

        def done(_: dict) -> None:
            self.take_button.setEnabled(True)
            self._say("enrolled", employee["name"] or employee["employee_id"])
            self.show_list()
            self.refresh()

        def failed(exc: Exception) -> None:
            self.take_button.setEnabled(True)
            self._say("error", error_text(exc))
            self.show_list()

        run_op(self, lambda: attendance.enroll_face(employee["employee_id"], captures,
                                                    consent_by=by), done, failed)

    # --- the camera ------------------------------------------------------------------------
    def _camera(self, on: bool) -> None:
        camera = self.ctx.camera
        if camera is None or on == self._camera_on:
            return
        self._camera_on = on
        if on:
            self._seq = None
            camera.start()
            self.preview_timer.start()
        else:
            self.preview_timer.stop()
            camera.stop()
            self.preview.clear()        # no picture of anyone stays on screen

    def _show_preview(self) -> None:
        frame = self.ctx.camera.latest() if self.ctx.camera is not None else None
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        from devices.camera.qimage import to_qimage

        inner = self.preview.contentsRect().size()
        pixmap = QPixmap.fromImage(to_qimage(frame)).scaled(
            inner, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)

    # --- words -----------------------------------------------------------------------------
    def _say(self, kind: str, detail: str | None) -> None:
        self._message = (kind, detail)
        self._word_message()

    def _word_message(self) -> None:
        kind, detail = self._message
        text = {"deleted": self.tr("Data wajah %1 sudah dihapus."),
                "enrolled": self.tr("Wajah %1 sudah direkam."),
                "error": "%1"}.get(kind, "")
        self.message.setText(text.replace("%1", detail or ""))

    def _word_consent(self) -> None:
        name = (self.employee or {}).get("name") or (self.employee or {}).get("employee_id", "")
        self.consent_who.setText(self.tr("Persetujuan %1").replace("%1", name))
        self.consent_text.setText(self.tr(
            "Bacakan kepada pegawai: \u201cWajah Anda akan direkam untuk memastikan bahwa "
            "presensi dengan kartu Anda dilakukan oleh Anda sendiri. Yang disimpan hanya "
            "ciri-ciri wajah berupa angka, bukan foto. Data ini hanya dipakai untuk presensi, "
            "dapat dihapus kapan saja atas permintaan Anda, dan dihapus bila Anda tidak lagi "
            "bekerja di kantor ini (UU 27/2022 tentang Pelindungan Data Pribadi).\u201d"))
        self.consent_version.setText(self.tr("Versi naskah persetujuan: %1")
                                     .replace("%1", CONSENT_VERSION))

    def _word_captures(self) -> None:
        name = (self.employee or {}).get("name") or ""
        self.capture_who.setText(self.tr("Rekam wajah %1").replace("%1", name))
        self.progress.setText(self.tr("%1 dari %2").replace("%1", str(len(self.captures)))
                              .replace("%2", str(CAPTURES)))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Data wajah pegawai"))
        self.back_button.setText(self.tr("Kembali"))
        self.table.setHorizontalHeaderLabels([self.tr("Pegawai"), self.tr("Wajah"),
                                              self.tr("Persetujuan")])
        self.record_button.setText(self.tr("Rekam wajah"))
        self.delete_button.setText(self.tr("Hapus data wajah"))
        self.no_camera.setText("" if self.can_record else self.tr(
            "Kamera wajah tidak tersedia di perangkat ini. Rekam wajah di terminal presensi."))
        self.no_camera.setVisible(not self.can_record)
        self.delete_detail.setText(self.tr(
            "Data wajah pegawai ini dihapus dari perangkat ini dan dari server kota. Setelah "
            "itu presensi hanya dengan kartu sampai wajahnya direkam lagi."))
        self.keep_button.setText(self.tr("Batal"))
        self.confirm_delete_button.setText(self.tr("Ya, hapus"))
        self.agreed.setText(self.tr("Pegawai sudah mendengar naskah ini dan setuju"))
        self.recorder_label.setText(self.tr("Dicatat oleh"))
        if self.recorder.count():
            self.recorder.setItemText(0, self.tr("Pilih pegawai yang mencatat"))
        self.cancel_consent_button.setText(self.tr("Batal"))
        self.to_camera_button.setText(self.tr("Lanjut ke kamera"))
        self.capture_hint.setText(self.tr("Minta pegawai menatap kamera, tanpa masker atau "
                                          "kacamata gelap. Ambil beberapa foto dengan sedikit "
                                          "gerakan kepala."))
        self.take_button.setText(self.tr("Ambil foto"))
        self.cancel_capture_button.setText(self.tr("Batal"))
        if self.employee is not None:
            self._word_consent()
            self._word_captures()
        self._word_message()
        self._fill()

    def reset(self) -> None:
        """Leaving admin: the camera off, nothing of a recording kept."""
        self._message = ("", None)
        self.show_list()
        self._word_message()

    def stop(self) -> None:
        self._camera(False)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Out of sight (admin left, the idle timer, the window closed): the camera off."""
        self._camera(False)
        super().hideEvent(event)
