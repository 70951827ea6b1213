"""The attendance terminal's home screen, for now an honest placeholder: badge-and-face
clock-in comes with the attendance feature. Until then the screen says plainly that nothing
is recorded here, and shows the office time so it is still of some use by the staff door.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.clock import local_time
from ui import theme
from ui.context import ScreenContext
from ui.screen import Screen


class AttendanceScreen(Screen):
    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 32, 64, 48)
        layout.addStretch()
        head = QHBoxLayout()
        head.addStretch()
        head.addWidget(theme.icon_label("badge", 72, theme.PRIMARY))
        head.addSpacing(16)
        self.title = theme.text_label("", "title")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        layout.addLayout(head)
        self.time_label = theme.text_label("", "huge")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.time_label)
        self.notice = theme.text_label("", "large")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.notice)
        self.hint = theme.text_label("", "body")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)
        layout.addStretch()
        self.timer = QTimer(self)
        self.timer.setInterval(10_000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._tick()
        self.ready()

    def _tick(self) -> None:
        tz = self.ctx.config.office.timezone
        self.time_label.setText(f"{local_time(self.ctx.clock.now(), tz):%H.%M}")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Presensi Pegawai"))
        self.notice.setText(self.tr("Presensi dengan kartu pegawai belum aktif di perangkat ini."))
        self.hint.setText(self.tr("Tidak ada kehadiran yang dicatat di sini. Silakan gunakan cara "
                                  "presensi yang berlaku di kantor, dan hubungi admin bila perlu."))

    def reset(self) -> None:
        """No personal data is ever typed here yet; only the time is refreshed."""
        self._tick()
