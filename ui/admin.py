"""The admin screen (behind the PIN): today's queue in numbers, waiting and service times per
service and counter with a chart, CSV export for a date range, the printer's state, and a line on sync with a button to the
sync page (ui.admin_sync: pending changes, last push and pull, errors, dead letters, the
clock, "Sinkronkan sekarang").

Statistics come from ``kiosk.queue.stats`` and need this machine's database (the edge); on a
device that reaches the queue over the LAN the screen says so instead of showing zeros.
Chart: QtCharts (part of PySide6), so nothing else is needed on the kiosk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView,
                              QValueAxis)
from PySide6.QtCore import QCoreApplication, QDate, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QDateEdit, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QStackedWidget, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from kiosk.clock import business_day
from kiosk.errors import KioskError
from ui import i18n, taps, theme
from ui.admin_attendance import AttendancePanel
from ui.admin_faces import FacesPanel
from ui.admin_reset import ResetPanel
from ui.admin_sync import HEADER_BUTTON, SyncPanel
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Screen
from ui.context import ScreenContext

log = logging.getLogger(__name__)


def minutes(seconds: float | None) -> str:
    """Seconds as the minutes a person reads ("4,5 mnt"); an em dash when nothing was measured."""
    if seconds is None:
        return "\u2014"
    value = seconds / 60
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text


class AdminScreen(Screen):
    """Statistics, export, printer and sync for the office's administrator; and the factory
    reset (ui.admin_reset) where the app gives one (``ctx.device_reset``)."""

    #: A factory reset is done; the app quits with this code (provisioning.reset).
    factory_reset_done = Signal(int)

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stats: dict | None = None
        self.printer: dict | None = None
        self.sync_info: dict | None = None
        self.last_export: Path | None = None
        self._export_state: tuple[str, object] = ("", None)
        self.export_dir: Path = ctx.export_dir

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        taps.guard_page_changes(self.pages)
        root.addWidget(self.pages)
        self.stats_page = QWidget()
        outer = QVBoxLayout(self.stats_page)
        outer.setContentsMargins(24, 8, 24, 8)
        outer.setSpacing(8)

        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(theme.icon_label("chart", 40, theme.PRIMARY))
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        self.from_label = theme.text_label("", "body")
        self.from_edit = self._date_edit()
        self.to_label = theme.text_label("", "body")
        self.to_edit = self._date_edit()
        self.refresh_button = theme.touch_button("", "secondary")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = theme.touch_button("", "primary")
        self.export_button.clicked.connect(self.export)
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit,
                       self.refresh_button, self.export_button):
            head.addWidget(widget)
        outer.addLayout(head)
        self.export_label = theme.text_label("", "muted")
        self.export_label.hide()
        outer.addWidget(self.export_label)

        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        for key in ("issued", "served", "no_show", "waiting_now"):
            frame, value, caption = theme.stat_tile()
            tiles.addWidget(frame)
            self.tiles[key] = (value, caption)
        outer.addLayout(tiles)

        self.service_table = self._table(8)
        outer.addWidget(self.service_table)
        lower = QHBoxLayout()
        lower.setSpacing(12)
        self.counter_table = self._table(4)
        self.counter_table.setMaximumWidth(600)
        lower.addWidget(self.counter_table, 1)
        self.chart = QChart()
        self.chart.setBackgroundRoundness(12)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        # 170: the bottom rows hold two rows of buttons (faces, reset) in 800 px
        self.chart_view.setMinimumHeight(170)
        self.chart_view.setStyleSheet("background: transparent; border: none;")
        lower.addWidget(self.chart_view, 1)
        outer.addLayout(lower, 1)

        bottom = QGridLayout()
        bottom.setHorizontalSpacing(12)
        bottom.setVerticalSpacing(2)
        bottom.addWidget(theme.icon_label("printer", 32, theme.TEXT), 0, 0)
        self.printer_label = theme.text_label("", "body")
        bottom.addWidget(self.printer_label, 0, 1)
        bottom.addWidget(theme.icon_label("sync", 32, theme.TEXT), 1, 0)
        self.sync_label = theme.text_label("", "body")
        bottom.addWidget(self.sync_label, 1, 1)
        self.units_label = theme.text_label("", "muted")
        self.units_label.setWordWrap(False)
        self.units_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bottom.addWidget(self.units_label, 0, 2)
        self.sync_button = theme.touch_button("", "secondary", "sync")
        self.sync_button.setStyleSheet(HEADER_BUTTON)
        self.sync_button.clicked.connect(self.show_sync)
        bottom.addWidget(self.sync_button, 1, 2, Qt.AlignmentFlag.AlignRight)
        self.attendance_button = theme.touch_button("", "secondary", "badge")
        self.attendance_button.setStyleSheet(HEADER_BUTTON)
        self.attendance_button.clicked.connect(self.show_attendance)
        bottom.addWidget(self.attendance_button, 1, 3, Qt.AlignmentFlag.AlignRight)
        self.faces_button = theme.touch_button("", "secondary", "people")
        self.faces_button.setStyleSheet(HEADER_BUTTON)
        self.faces_button.clicked.connect(self.show_faces)
        bottom.addWidget(self.faces_button, 0, 3, Qt.AlignmentFlag.AlignRight)
        self.reset_button = theme.touch_button("", "danger", "warning")
        self.reset_button.setStyleSheet(HEADER_BUTTON)
        self.reset_button.clicked.connect(self.show_reset)
        bottom.addWidget(self.reset_button, 0, 4, Qt.AlignmentFlag.AlignRight)
        bottom.setColumnStretch(1, 1)
        outer.addLayout(bottom)

        self.sync_panel = SyncPanel(ctx)
        self.sync_panel.back_requested.connect(self.show_stats)
        self.sync_panel.loaded.connect(self._sync_loaded)
        self.attendance_panel = AttendancePanel(ctx)
        self.attendance_panel.back_requested.connect(self.show_stats)
        self.faces_panel = FacesPanel(ctx)
        self.faces_panel.back_requested.connect(self.show_stats)
        self.pages.addWidget(self.stats_page)
        self.pages.addWidget(self.sync_panel)
        self.pages.addWidget(self.attendance_panel)
        self.pages.addWidget(self.faces_panel)
        #: How the app ends after a factory reset (replaceable in tests: they have no loop).
        self.quit_app: Callable[[int], None] = QCoreApplication.exit
        self.reset_panel: ResetPanel | None = None
        control = getattr(ctx, "device_reset", None)
        if control is not None:
            self.reset_panel = ResetPanel(control, ctx.config.check_pin)
            self.reset_panel.back_requested.connect(self.show_stats)
            self.reset_panel.finished.connect(self._factory_reset_done)
            self.pages.addWidget(self.reset_panel)
        self.reset_button.setVisible(self.reset_panel is not None)

        self.ready()

    # --- widgets -----------------------------------------------------------------------------
    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd-MM-yyyy")
        edit.setMinimumHeight(theme.TOUCH_MIN)
        edit.setMinimumWidth(190)
        edit.setDate(self._today())
        return edit

    def _today(self) -> QDate:
        day = business_day(self.ctx.clock.now(), self.ctx.config.office.timezone)
        return QDate(day.year, day.month, day.day)

    def _table(self, columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setDefaultSectionSize(38)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return table

    @staticmethod
    def _fit_height(table: QTableWidget, max_rows: int = 6) -> None:
        """Tall enough for every row (up to ``max_rows``): no scrolling for a handful."""
        rows = min(table.rowCount(), max_rows) or 1
        height = table.horizontalHeader().sizeHint().height() + rows * 38 + 2 * table.frameWidth()
        table.setFixedHeight(height)

    # --- language ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Admin kantor"))
        self.units_label.setText(self.tr("Semua waktu dalam menit"))
        self.from_label.setText(self.tr("Dari"))
        self.to_label.setText(self.tr("Sampai"))
        self.refresh_button.setText(self.tr("Perbarui"))
        self.export_button.setText(self.tr("Ekspor CSV"))
        self.sync_button.setText(self.sync_panel.tr("Detail sinkronisasi"))
        self.attendance_button.setText(self.tr("Presensi"))
        self.faces_button.setText(self.tr("Data wajah"))
        self.reset_button.setText(self.tr("Atur ulang pabrik"))
        captions = {"issued": self.tr("Nomor diambil"), "served": self.tr("Selesai dilayani"),
                    "no_show": self.tr("Tidak hadir"), "waiting_now": self.tr("Menunggu sekarang")}
        for key, (_, caption) in self.tiles.items():
            caption.setText(captions[key])
        self.service_table.setHorizontalHeaderLabels([
            self.tr("Layanan"), self.tr("Diambil"), self.tr("Dilayani"), self.tr("Tidak\nhadir"),
            self.tr("Tunggu\nrata-rata"), self.tr("Tunggu\np90"), self.tr("Dilayani\nrata-rata"),
            self.tr("Dilayani\np90")])
        self.counter_table.setHorizontalHeaderLabels([
            self.tr("Loket"), self.tr("Dilayani"), self.tr("Lama layanan\nrata-rata"),
            self.tr("Lama layanan\np90")])
        self._fill()

    # --- pages -------------------------------------------------------------------------------
    def show_sync(self) -> None:
        self.pages.setCurrentWidget(self.sync_panel)
        self.sync_panel.refresh()

    def show_attendance(self) -> None:
        self.pages.setCurrentWidget(self.attendance_panel)
        self.attendance_panel.refresh()

    def show_faces(self) -> None:
        self.pages.setCurrentWidget(self.faces_panel)
        self.faces_panel.show_list()
        self.faces_panel.refresh()

    def show_stats(self) -> None:
        self.faces_panel.stop()
        self.pages.setCurrentWidget(self.stats_page)

    def show_reset(self) -> None:
        if self.reset_panel is not None:
            self.reset_panel.start()
            self.pages.setCurrentWidget(self.reset_panel)

    def _factory_reset_done(self, exit_code: int) -> None:
        log.warning("factory reset done; quitting with exit code %d", exit_code)
        self.factory_reset_done.emit(exit_code)
        self.quit_app(exit_code)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Each entry into admin reads the numbers again (not only "Perbarui"): a staff
        member coming back after a while must not read the morning's figures."""
        self.sync_panel.watch(True)
        if not event.spontaneous():
            self.refresh()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.sync_panel.watch(False)
        super().hideEvent(event)

    # --- data --------------------------------------------------------------------------------
    def _range(self) -> tuple[date, date]:
        a, b = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        return (a, b) if a <= b else (b, a)

    def refresh(self) -> None:
        """Load statistics, printer state and sync facts on the worker."""
        day_from, day_to = self._range()
        office = self.ctx.office

        def load() -> tuple[dict | None, dict | None, dict | None]:
            stats = office.reports.stats(day_from, day_to)
            try:
                names = {s.id: (s.name_id, s.name_en) for s in office.queue.list_services()}
            except Exception:  # noqa: BLE001 - the names are a nicety; stats carry name_id
                names = {}
            stats = dict(stats, names=names)
            try:
                printer = office.printing.printer_state()
            except Exception as exc:  # noqa: BLE001 - show what failed instead of nothing
                printer = {"state": "error", "detail": error_text(exc), "pending_jobs": None}
            try:
                sync = office.sync_status.facts()
            except Exception as exc:  # noqa: BLE001 - statistics still show; the page says why
                sync = {"load_error": error_text(exc)}
            return stats, printer, sync

        run_op(self, load, self._loaded, self._load_failed)

    def _loaded(self, result) -> None:
        self.stats, self.printer, self.sync_info = result
        self._load_error = None
        self.sync_panel.show_facts(self.sync_info)
        self._fill()

    def _sync_loaded(self, facts: dict | None) -> None:
        """The sync page re-read its facts (after a round): the summary line follows."""
        self.sync_info = facts
        self._fill_sync()

    def _load_failed(self, exc: Exception) -> None:
        log.error("admin statistics failed: %s", exc)
        self._load_error = error_text(exc)
        self._fill()

    def _fill(self) -> None:
        stats = self.stats
        if stats is None:
            for value, _ in self.tiles.values():
                value.setText("\u2014")
        else:
            per_service = stats.get("per_service", [])
            totals = {"issued": sum(r.get("issued", 0) for r in per_service),
                      "served": sum(r.get("served", 0) for r in per_service),
                      "no_show": sum(r.get("no_show", 0) for r in per_service),
                      "waiting_now": stats.get("waiting_now", 0)}
            for key, (value, _) in self.tiles.items():
                value.setText(str(totals[key]))
            self._fill_tables(stats)
            self._fill_chart(stats)
        self._fill_printer()
        self._fill_sync()
        kind, detail = self._export_state
        if kind == "done":
            rows, path = detail
            self.export_label.setText(self.tr("%n baris diekspor ke %1", "", rows).replace("%1", str(path)))
        elif kind == "failed":
            said = error_text(detail) if isinstance(detail, KioskError) else str(detail)
            self.export_label.setText(self.tr("Ekspor gagal: %1").replace("%1", said))
        elif getattr(self, "_load_error", None):
            self.export_label.setText(self.tr("Statistik tidak dapat dimuat: %1")
                                      .replace("%1", self._load_error))
        else:
            self.export_label.setText("")
        self.export_label.setVisible(bool(self.export_label.text()))

    def _fill_tables(self, stats: dict) -> None:
        rows = stats.get("per_service", [])
        self.service_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            name_id, name_en = stats.get("names", {}).get(row.get("service_id"), (row.get("name", ""), ""))
            name = name_en if i18n.current_language() == "en" and name_en else name_id
            values = [f"{row.get('prefix', '')} \u00b7 {name}", row.get("issued", 0),
                      row.get("served", 0), row.get("no_show", 0), minutes(row.get("wait_mean_s")),
                      minutes(row.get("wait_p90_s")), minutes(row.get("service_mean_s")),
                      minutes(row.get("service_p90_s"))]
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.service_table.setItem(r, c, item)
        counters = stats.get("per_counter", [])
        self.counter_table.setRowCount(len(counters))
        for r, row in enumerate(counters):
            values = [self.tr("Loket %1").replace("%1", str(row.get("counter_number", ""))),
                      row.get("served", 0), minutes(row.get("service_mean_s")),
                      minutes(row.get("service_p90_s"))]
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.counter_table.setItem(r, c, item)
        self._fit_height(self.service_table)
        self._fit_height(self.counter_table, max_rows=4)

    def _fill_chart(self, stats: dict) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in list(chart.axes()):
            chart.removeAxis(axis)
        chart.setTitle(self.tr("Waktu tunggu per layanan (menit)"))
        font = QFont(theme.FONT_FAMILY)
        font.setPixelSize(theme.FONT_SMALL - 2)
        chart.setTitleFont(font)
        rows = stats.get("per_service", [])
        mean = QBarSet(self.tr("Rata-rata"))
        p90 = QBarSet(self.tr("p90"))
        mean.setColor(QColor(theme.PRIMARY))
        p90.setColor(QColor(theme.PRIORITY))
        top = 1.0
        for row in rows:
            a = (row.get("wait_mean_s") or 0) / 60
            b = (row.get("wait_p90_s") or 0) / 60
            mean.append(a)
            p90.append(b)
            top = max(top, a, b)
        series = QBarSeries()
        series.append(mean)
        series.append(p90)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([row.get("prefix", "?") for row in rows] or ["\u2014"])
        x_axis.setLabelsFont(font)
        y_axis = QValueAxis()
        y_axis.setRange(0, top * 1.15)
        y_axis.setLabelFormat("%.0f")
        y_axis.setTickCount(3)
        y_axis.setLabelsFont(font)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().setFont(font)

    def _fill_printer(self) -> None:
        printer = self.printer
        if printer is None:
            self.printer_label.setText(self.tr("Printer: memeriksa\u2026"))
            return
        names = {"online": self.tr("siap"), "paper_near_end": self.tr("kertas hampir habis"),
                 "paper_out": self.tr("kertas habis"), "cover_open": self.tr("tutup printer terbuka"),
                 "offline": self.tr("tidak tersambung"), "no_answer": self.tr("tidak menjawab"),
                 "unknown": self.tr("belum diperiksa"), "error": self.tr("tidak dapat dibaca")}
        state = printer.get("state", "unknown")
        text = self.tr("Printer: %1").replace("%1", names.get(state, state))
        pending = printer.get("pending_jobs")
        if pending is not None:
            text += " \u00b7 " + self.tr("%n tiket menunggu dicetak", "", int(pending))
        if printer.get("detail") and state not in ("online", "unknown"):
            text += f" ({printer['detail']})"
        self.printer_label.setText(text)

    def _fill_sync(self) -> None:
        info = self.sync_info
        if info is None:
            self.sync_label.setText(self.tr("Sinkronisasi: status belum tersedia di perangkat ini."))
            return
        if "load_error" in info:
            _, words = self.sync_panel.state(info)
            self.sync_label.setText(words)
            return
        if info.get("configured"):
            state = self.sync_panel.summary(info)
        else:
            state = self.tr("server kota belum diatur")
        text = (self.tr("Sinkronisasi: %1 \u00b7 %n perubahan belum terkirim", "", int(info.get("pending") or 0))
                .replace("%1", state))
        dead = int(info.get("dead_letters") or 0)
        if dead:
            text += " \u00b7 " + self.sync_panel.tr("%n ditolak server", "", dead)
        self.sync_label.setText(text)

    # --- export ------------------------------------------------------------------------------
    def export(self) -> None:
        """Write the date range's tickets to a CSV file in ``export_dir`` (a USB stick can be
        mounted there), on the worker."""
        reports = self.ctx.office.reports
        day_from, day_to = self._range()
        path = self.export_dir / f"antrian_{day_from:%Y-%m-%d}_{day_to:%Y-%m-%d}.csv"

        def write() -> tuple[int, Path]:
            export = reports.export_text(day_from, day_to)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".csv.tmp")
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                out.write(export["csv"])
            tmp.replace(path)
            return export["rows"], path

        self.export_button.setEnabled(False)
        run_op(self, write, self._exported, self._export_failed)

    def _exported(self, result: tuple[int, Path]) -> None:
        self.export_button.setEnabled(True)
        self.last_export = result[1]
        self._export_state = ("done", result)
        self._fill()

    def _export_failed(self, exc: Exception) -> None:
        self.export_button.setEnabled(True)
        self._export_state = ("failed", exc)
        self._fill()

    def stop(self) -> None:
        """The window is closing: the face page's camera off."""
        self.faces_panel.stop()

    def reset(self) -> None:
        """Leaving admin: forget the last export message; dates back to today."""
        self._export_state = ("", None)
        self.show_stats()
        self.sync_panel.reset()
        self.attendance_panel.reset()
        self.faces_panel.reset()
        if self.reset_panel is not None:
            self.reset_panel.reset()
        self.from_edit.setDate(self._today())
        self.to_edit.setDate(self._today())
        self._fill()
