"""The admin screen's attendance page: the month per employee (working days, present, on
time, late, early leave, absent, times the edge did not believe), in the office's time zone,
from ``office.attendance.report`` (kiosk.attendance.reports), and the CSV of every day.

The same figures as ``kiosk attendance report --month``; on a staff PC they come from the
edge over the LAN. The CSV is written where the statistics' export goes (a USB stick can be
mounted there).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from kiosk.clock import local_time
from ui import theme
from ui.context import ScreenContext
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Coalesced, Screen

log = logging.getLogger(__name__)

#: The report's totals, in the table's order.
COLUMNS = ("working_days", "present", "on_time", "late", "early_leave", "absent",
           "time_uncertain")


def shift_month(month: str, by: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class AttendancePanel(Screen):
    back_requested = Signal()

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.month = self._this_month()
        self.data: dict[str, Any] | None = None
        self.last_export = None
        self._load = Coalesced(self, self._fetch, self._loaded, self._failed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 8, 24, 8)
        outer.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(theme.icon_label("badge", 40, theme.PRIMARY))
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        self.previous_button = theme.touch_button("", "secondary", "back")
        self.previous_button.clicked.connect(lambda: self.show_month(shift_month(self.month, -1)))
        head.addWidget(self.previous_button)
        self.month_label = theme.text_label("", "large")
        self.month_label.setWordWrap(False)
        head.addWidget(self.month_label)
        self.next_button = theme.touch_button("", "secondary", "next")
        self.next_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.next_button.clicked.connect(lambda: self.show_month(shift_month(self.month, 1)))
        head.addWidget(self.next_button)
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.clicked.connect(self.back_requested)
        head.addWidget(self.back_button)
        outer.addLayout(head)
        self.table = QTableWidget(0, 1 + len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(38)
        outer.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.message = theme.text_label("", "body")
        bottom.addWidget(self.message, 1)
        self.export_button = theme.touch_button("", "primary", "download")
        self.export_button.clicked.connect(self.export)
        bottom.addWidget(self.export_button)
        outer.addLayout(bottom)
        self.ready()

    def _this_month(self) -> str:
        today = local_time(self.ctx.clock.now(), self.ctx.config.office.timezone).date()
        return f"{today:%Y-%m}"

    # --- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._load()

    def show_month(self, month: str) -> None:
        self.month = month
        self.data = None
        self._fill()
        self.refresh()

    def _fetch(self):
        return self.ctx.office.attendance.report(self.month)

    def _loaded(self, data: dict[str, Any]) -> None:
        if data.get("month") == self.month:
            self.data = data
        self.message.setText("")
        self._fill()

    def _failed(self, exc: Exception) -> None:
        self.message.setText(error_text(exc))

    def export(self) -> None:
        """Every employee's every day of the month as CSV, in the export folder."""
        if self.data is None:
            return
        from kiosk.attendance.reports import to_csv

        data, path = self.data, self.ctx.export_dir / f"presensi_{self.month}.csv"

        def write():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".csv.tmp")
            tmp.write_text(to_csv(data), encoding="utf-8", newline="")
            tmp.replace(path)
            return path

        def done(written) -> None:
            self.last_export = written
            self.message.setText(self.tr("Diekspor ke %1").replace("%1", str(written)))

        run_op(self, write, done, lambda exc: self.message.setText(
            self.tr("Ekspor gagal: %1").replace("%1", str(exc))))

    # --- showing ---------------------------------------------------------------------------
    def _fill(self) -> None:
        year, number = (int(part) for part in self.month.split("-"))
        self.month_label.setText(f"{date(year, number, 1):%m-%Y}")
        employees = (self.data or {}).get("employees", [])
        self.table.setRowCount(len(employees))
        for row, employee in enumerate(employees):
            values = [employee.get("name") or employee["employee_id"],
                      *(employee["totals"].get(key, 0) for key in COLUMNS)]
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.export_button.setEnabled(self.data is not None)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Presensi bulanan"))
        self.previous_button.setText(self.tr("Sebelumnya"))
        self.next_button.setText(self.tr("Berikutnya"))
        self.back_button.setText(self.tr("Kembali"))
        self.export_button.setText(self.tr("Ekspor CSV"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Pegawai"), self.tr("Hari kerja"), self.tr("Hadir"), self.tr("Tepat waktu"),
            self.tr("Terlambat"), self.tr("Pulang awal"), self.tr("Tidak hadir"),
            self.tr("Jam tidak pasti")])
        self._fill()

    def reset(self) -> None:
        self.month = self._this_month()
        self.data = None
        self.message.setText("")
        self._fill()
