"""The admin screen's factory reset ("Atur ulang pabrik"), a page of ui.admin.

Three steps, so a tap by mistake or a passer-by at an unlocked admin screen cannot wipe a
kiosk: the admin PIN again (the pad of ui.shell); then the records are pushed to the city
and counted, and a confirmation names what would be lost ("5 catatan belum terkirim ke
server kota dan akan hilang"); only "Atur ulang sekarang" there resets. The work runs on the
worker (ui.ops.run_op) through ``control``, a :class:`provisioning.reset.ResetControl` built
by the composition root: the screen never sees the data directory or the database.

When the reset is done the page says so and ``finished`` carries the exit code
(:data:`provisioning.reset.RESET_EXIT_CODE`); the admin screen quits the app with it and the
next start shows the setup page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ui import theme
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Screen

log = logging.getLogger(__name__)

#: The count could not be read (shown as such); confirming then accepts any count.
UNKNOWN = -1
ANY_COUNT = 2**62


class ResetPanel(Screen):
    """PIN, then flush and count, then the confirmation naming the count, then reset."""

    back_requested = Signal()
    #: The reset is done: the app should quit with this exit code.
    finished = Signal(int)

    def __init__(self, control: Any, check_pin: Callable[[str], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.shell import PinPad   # ui.shell builds the admin screen: import when used

        self.control = control
        self.unsent: int | None = None
        self.result: dict | None = None
        self._problem = ""
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 8, 24, 8)
        root.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(theme.icon_label("warning", 40, theme.DANGER))
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        root.addLayout(head)
        self.steps = QStackedWidget()
        root.addWidget(self.steps, 1)

        self.pin_pad = PinPad(check_pin)
        self.pin_pad.title.hide()
        self.pin_pad.accepted.connect(self._pin_accepted)
        self.pin_pad.cancelled.connect(self.back_requested)
        self.steps.addWidget(self.pin_pad)

        self.wait_page, self.wait_label = self._message_page()
        self.steps.addWidget(self.wait_page)

        self.confirm_page = QWidget()
        box = QVBoxLayout(self.confirm_page)
        box.setSpacing(16)
        box.addStretch()
        self.count_label = theme.text_label("", "title")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.count_label)
        self.explain_label = theme.text_label("", "body")
        self.explain_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.explain_label)
        self.problem_label = theme.text_label("", "error")
        self.problem_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem_label.hide()
        box.addWidget(self.problem_label)
        buttons = QHBoxLayout()
        buttons.addStretch()
        self.cancel_button = theme.touch_button("", "secondary", "back")
        self.cancel_button.clicked.connect(self._cancel)
        buttons.addWidget(self.cancel_button)
        self.confirm_button = theme.touch_button("", "danger", "warning")
        self.confirm_button.clicked.connect(self._confirm)
        buttons.addWidget(self.confirm_button)
        buttons.addStretch()
        box.addLayout(buttons)
        box.addStretch()
        self.steps.addWidget(self.confirm_page)

        self.done_page, self.done_label = self._message_page()
        self.steps.addWidget(self.done_page)
        self.ready()

    @staticmethod
    def _message_page() -> tuple[QWidget, Any]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.addStretch()
        label = theme.text_label("", "title")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(label)
        box.addStretch()
        return page, label

    # --- words -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Atur ulang pabrik"))
        self.cancel_button.setText(self.tr("Batal"))
        self.confirm_button.setText(self.tr("Atur ulang sekarang"))
        self.done_label.setText(self.tr("Perangkat sudah diatur ulang. Aplikasi dimulai ulang "
                                        "ke halaman penyiapan\u2026"))
        self._fill()

    def _fill(self) -> None:
        step = self.steps.currentWidget()
        if step is self.wait_page:
            self.wait_label.setText(self.tr("Mengirim catatan ke server kota\u2026")
                                    if self.result is None else
                                    self.tr("Menghapus data perangkat\u2026"))
        if self.unsent is None:
            return
        if self.unsent < 0:
            self.count_label.setText(self.tr("Jumlah catatan yang belum terkirim tidak dapat "
                                             "dibaca; semua yang belum terkirim akan hilang."))
        elif self.unsent:
            self.count_label.setText(self.tr(
                "%n catatan belum terkirim ke server kota dan akan hilang.", "", self.unsent))
        else:
            self.count_label.setText(self.tr("Semua catatan sudah terkirim ke server kota."))
        self.explain_label.setText(self.tr(
            "Semua data, kunci dan pengaturan perangkat ini akan dihapus. Perangkat kembali ke "
            "halaman penyiapan dan harus disiapkan lagi oleh teknisi. Lanjutkan?"))
        problem = self._problem
        if problem == "more":
            self.problem_label.setText(self.tr("Ada catatan baru sejak tadi; periksa jumlahnya "
                                               "lagi."))
        elif problem:
            self.problem_label.setText(self.tr("Atur ulang gagal: %1").replace("%1", problem))
        self.problem_label.setVisible(bool(problem))

    # --- steps -------------------------------------------------------------------------------
    def start(self) -> None:
        """Shown: from the PIN again, every time."""
        self.unsent = None
        self.result = None
        self._problem = ""
        self.pin_pad.reset()
        self.steps.setCurrentWidget(self.pin_pad)
        self.confirm_button.setEnabled(True)
        self._fill()

    def _pin_accepted(self) -> None:
        self.steps.setCurrentWidget(self.wait_page)
        self._fill()
        run_op(self, self.control.unsent, self._counted, self._count_failed)

    def _counted(self, unsent: int) -> None:
        self.unsent = int(unsent)
        self.steps.setCurrentWidget(self.confirm_page)
        self._fill()

    def _count_failed(self, exc: Exception) -> None:
        log.error("factory reset: counting unsent records failed: %s", exc)
        # A broken device is when a reset is wanted: it stays possible, with the words that
        # whatever was not sent is lost.
        self._problem = error_text(exc)
        self.unsent = UNKNOWN
        self.steps.setCurrentWidget(self.confirm_page)
        self._fill()

    def _confirm(self) -> None:
        if self.unsent is None:
            return
        self.confirm_button.setEnabled(False)
        shown = self.unsent if self.unsent >= 0 else ANY_COUNT
        self._problem = ""
        run_op(self, lambda: self.control.reset(shown), self._reset_done, self._reset_failed)

    def _reset_done(self, result: dict) -> None:
        self.confirm_button.setEnabled(True)
        if not result.get("reset"):
            # records written since the count: show the new count, ask again
            self.unsent = int(result.get("pending") or 0)
            self._problem = "more"
            self._fill()
            return
        self.result = result
        self.steps.setCurrentWidget(self.done_page)
        self._fill()
        self.finished.emit(int(result.get("exit_code", getattr(self.control, "exit_code", 0))))

    def _reset_failed(self, exc: Exception) -> None:
        log.error("factory reset failed: %s", exc)
        self.confirm_button.setEnabled(True)
        self._problem = error_text(exc)
        self._fill()

    def _cancel(self) -> None:
        self.start()
        self.back_requested.emit()

    def reset(self) -> None:
        """The idle timer: back to the PIN (a half-confirmed reset never waits on screen)."""
        if self.result is None:
            self.start()
