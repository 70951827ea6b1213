"""The admin screen's sync page: what the city server has and has not yet got from this office.

The facts come from ``office.sync_status.facts()`` (sync.client.office_ops), read on the
domain worker (never the GUI thread): the edge's database, which its background worker
updates at every round, so the backlog shows offline too and a ticket issued a second ago
already counts as pending, plus the worker's own snapshot (whether it runs, the last
round's counts, when it tries again). On a staff PC the same facts come from the edge over
the LAN. "Sinkronkan sekarang" only pokes the edge's worker; the round runs on its thread.

Words are for the office's technician: each error says what to check or run next.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHBoxLayout, QHeaderView,
                               QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from kiosk.clock import zone
from ui import theme
from ui.errors import error_text
from ui.ops import run_op
from ui.screen import Coalesced, Screen
from ui.context import ScreenContext

log = logging.getLogger(__name__)

#: How often the page looks at the worker's snapshot (a lock and a copy of a small dict).
POLL_MS = 500
#: While the page is visible, the local facts are re-read this often even without a round.
RELOAD_S = 5.0
#: The worker's judgement of a good clock (sync.client.clock_check.TOLERANCE_MS).
CLOCK_TOLERANCE_MS = 120_000
#: Compact touch buttons (60 px high) for the page header.
HEADER_BUTTON = f"min-height: {theme.TOUCH_MIN}px; max-height: {theme.TOUCH_MIN}px; padding: 2px 18px;"


def local_text(ms: int | None, tz: str) -> str | None:
    """A time in milliseconds as the office reads it: ``23-11-2026 14.05 WITA``."""
    if ms is None:
        return None
    when = datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone(tz))
    return f"{when:%d-%m-%Y %H.%M} {tz}"


class SyncPanel(Screen):
    """Pending changes, the oldest one's age, last good push and pull, the last error, the
    clock, the dead letters, and "Sinkronkan sekarang"."""

    back_requested = Signal()
    #: the facts just loaded (or None away from the edge), for the admin screen's summary line
    loaded = Signal(object)

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.facts: dict[str, Any] | None = None
        self.loads = 0                      # completed loads (tests wait on it)
        self._polling = False
        self._load = Coalesced(self, lambda: self.ctx.office.sync_status.facts(), self._loaded,
                               self._failed)
        self._last_load = 0.0
        self._seen: tuple | None = None     # (rounds, running) of the worker last shown
        self._asked_at_round: int | None = None   # "Sinkronkan sekarang" pressed at this round

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 8, 24, 8)
        outer.setSpacing(8)

        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(theme.icon_label("sync", 40, theme.PRIMARY))
        self.title = theme.text_label("", "large")
        self.title.setWordWrap(False)
        head.addWidget(self.title)
        head.addStretch()
        self.sync_now_button = theme.touch_button("", "primary", "sync")
        self.sync_now_button.setStyleSheet(HEADER_BUTTON)
        self.sync_now_button.clicked.connect(self.sync_now)
        head.addWidget(self.sync_now_button)
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.setStyleSheet(HEADER_BUTTON)
        self.back_button.clicked.connect(self.back_requested.emit)
        head.addWidget(self.back_button)
        outer.addLayout(head)

        self.state_banner = QFrame()
        self.state_banner.setProperty("card", True)
        banner = QHBoxLayout(self.state_banner)
        banner.setContentsMargins(14, 6, 14, 6)
        self.state_label = theme.text_label("", "body")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner.addWidget(self.state_label, 1)
        outer.addWidget(self.state_banner)

        middle = QHBoxLayout()
        middle.setSpacing(12)
        tiles = QVBoxLayout()
        tiles.setSpacing(8)
        self.tiles: dict[str, tuple[QLabel, QLabel]] = {}
        for key in ("pending", "oldest", "dead"):
            frame, value, caption = theme.stat_tile()
            frame.setMinimumWidth(260)
            tiles.addWidget(frame)
            self.tiles[key] = (value, caption)
        middle.addLayout(tiles)

        facts = QFrame()
        facts.setProperty("card", True)
        grid = QGridLayout(facts)
        grid.setContentsMargins(14, 6, 14, 6)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(("push", "pull", "round", "clock", "error")):
            caption = theme.text_label("", "muted")
            caption.setWordWrap(False)
            value = theme.text_label("", "body")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.captions[key], self.values[key] = caption, value
        self.error_detail = theme.text_label("", "muted")
        self.error_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.error_detail, 5, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(6, 1)
        middle.addWidget(facts, 1)
        outer.addLayout(middle)

        self.dead_title = theme.text_label("", "body")
        self.dead_title.setStyleSheet("font-weight: 700;")
        outer.addWidget(self.dead_title)
        self.dead_table = QTableWidget(0, 4)
        self.dead_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dead_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.dead_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dead_table.verticalHeader().hide()
        self.dead_table.verticalHeader().setDefaultSectionSize(36)
        header = self.dead_table.horizontalHeader()
        for column in (0, 1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.dead_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dead_table.setWordWrap(False)
        outer.addWidget(self.dead_table, 1)

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self._poll)
        self.ready()

    # --- language ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Sinkronisasi"))
        self.sync_now_button.setText(self.tr("Sinkronkan sekarang"))
        self.back_button.setText(self.tr("Kembali"))
        captions = {"pending": self.tr("Belum terkirim"), "oldest": self.tr("Tertua menunggu"),
                    "dead": self.tr("Ditolak server")}
        for key, (_, caption) in self.tiles.items():
            caption.setText(captions[key])
        rows = {"push": self.tr("Kirim terakhir berhasil"), "pull": self.tr("Ambil terakhir berhasil"),
                "round": self.tr("Putaran terakhir"), "clock": self.tr("Jam perangkat"),
                "error": self.tr("Kesalahan terakhir")}
        for key, caption in self.captions.items():
            caption.setText(rows[key])
        self.dead_table.setHorizontalHeaderLabels([
            self.tr("Tabel"), self.tr("ID rekaman"), self.tr("Alasan"), self.tr("Waktu")])
        self._fill()

    # --- data --------------------------------------------------------------------------------
    def watch(self, on: bool) -> None:
        """Follow the worker while the admin screen is open (its snapshot after each round)."""
        if on:
            self.poll_timer.start()
        else:
            self.poll_timer.stop()

    def refresh(self) -> None:
        self._load()

    def show_facts(self, facts: dict[str, Any] | None) -> None:
        """Facts the admin screen loaded with its statistics."""
        self.facts = facts
        self._last_load = time.monotonic()
        self._fill()

    def _loaded(self, facts: dict[str, Any] | None) -> None:
        self.loads += 1
        self.show_facts(facts)
        self.loaded.emit(facts)

    def _failed(self, exc: Exception) -> None:
        log.error("sync status could not be read: %s", exc)
        self.facts = {"load_error": error_text(exc)}
        self._fill()

    def _poll(self) -> None:
        """Look at the worker's snapshot (on the domain worker); reload the facts when a round
        ended, or when they are older than RELOAD_S."""
        if self._polling or self._load.running:
            return
        self._polling = True
        run_op(self, self.ctx.office.sync_status.worker_snapshot, self._polled,
               self._poll_failed)

    def _polled(self, snap: dict[str, Any] | None) -> None:
        self._polling = False
        seen = (snap.get("rounds"), snap.get("running")) if snap is not None else None
        stale = self.isVisible() and time.monotonic() - self._last_load >= RELOAD_S
        if seen != self._seen or stale:
            self._seen = seen
            self.refresh()

    def _poll_failed(self, exc: Exception) -> None:
        self._polling = False
        log.warning("sync worker snapshot could not be read: %s", exc)

    def _worker_runs(self) -> bool:
        return bool((self.facts or {}).get("worker"))

    def sync_now(self) -> None:
        """Ask the edge's worker for a round now; the round runs on the worker's own thread."""
        if not self._worker_runs():
            return
        self._asked_at_round = int(self.facts["worker"].get("rounds") or 0)
        run_op(self, self.ctx.office.sync_status.sync_now, lambda poked: self._fill(),
               self._failed)
        self._fill()

    # --- words -------------------------------------------------------------------------------
    def duration(self, seconds: float) -> str:
        s = max(0, round(seconds))
        if s < 60:
            return self.tr("%n detik", "", s)
        m = s // 60
        if m < 60:
            return self.tr("%n menit", "", m)
        h, m = divmod(m, 60)
        if h < 24:
            return self.tr("%n jam", "", h) + (" " + self.tr("%n menit", "", m) if m else "")
        d, h = divmod(h, 24)
        return self.tr("%n hari", "", d) + (" " + self.tr("%n jam", "", h) if h else "")

    def _when(self, ms: int | None) -> str:
        return local_text(ms, self.ctx.config.office.timezone) or self.tr("belum pernah")

    def error_words(self, kind: str | None) -> str:
        words = {
            "link": self.tr("Server kota tidak dapat dihubungi. Periksa jaringan (kabel atau "
                            "Wi-Fi) dan alamat server. Data tetap tersimpan dan terkirim otomatis."),
            "busy": self.tr("Server kota sedang sibuk. Dicoba lagi otomatis; tidak perlu tindakan."),
            "auth": self.tr("Server kota menolak perangkat ini (belum terdaftar atau dicabut). "
                            "Daftarkan ulang dengan token baru: kiosk enroll --server URL --token TOKEN."),
            "upgrade": self.tr("Perangkat lunak kios ini terlalu lama untuk server kota. "
                               "Perbarui perangkat lunak kios."),
            "refused": self.tr("Server kota menolak permintaan. Catat rincian di bawah dan "
                               "hubungi pengelola server kota."),
            "locked": self.tr("Sinkronisasi lain sedang berjalan di perangkat ini (misalnya "
                              "kiosk sync --once). Tunggu sampai selesai."),
        }
        return words.get(kind or "", self.tr("Sinkronisasi gagal. Catat rincian di bawah dan "
                                             "hubungi teknisi."))

    def clock_words(self, clock: dict[str, Any]) -> tuple[str, bool]:
        """(text, whether it needs attention)."""
        offset = clock.get("offset_ms")
        last_good = clock.get("last_good_ms")
        kiosk_ms = clock.get("kiosk_ms")
        if clock.get("time_uncertain"):
            parts = []
            if last_good is not None and kiosk_ms is not None and kiosk_ms < last_good:
                parts.append(self.tr("jam perangkat mundur dari waktu baik terakhir (%1)")
                             .replace("%1", self._when(last_good)))
            if offset is not None and abs(offset) > CLOCK_TOLERANCE_MS:
                parts.append(self.offset_words(offset))
            if not parts and last_good is None:
                parts.append(self.tr("belum pernah dicocokkan dengan server kota"))
            if not parts:
                parts.append(str(clock.get("reason") or ""))
            return (self.tr("tidak pasti: %1. Periksa jam perangkat; waktu dicatat bertanda "
                            "tidak pasti.").replace("%1", "; ".join(parts)),
                    True)
        if offset is None:
            return self.tr("tepat menurut pemeriksaan terakhir (belum diperiksa sejak dinyalakan)"), False
        if abs(offset) < 1000:
            return self.tr("tepat \u00b7 selisih kurang dari 1 detik dengan server"), False
        return self.tr("tepat \u00b7 %1").replace("%1", self.offset_words(offset)), False

    def offset_words(self, offset_ms: int) -> str:
        """``offset_ms`` is server minus kiosk: positive means the kiosk's clock is behind."""
        amount = self.duration(abs(offset_ms) / 1000)
        if offset_ms > 0:
            return self.tr("jam perangkat terlambat %1 dari server").replace("%1", amount)
        return self.tr("jam perangkat lebih cepat %1 dari server").replace("%1", amount)

    def state(self, facts: dict[str, Any] | None) -> tuple[str, str]:
        """(kind, words) of the sync as a whole: loading, unconfigured, unenrolled, stopped,
        starting, ok, failing, error."""
        if facts is None:
            return "loading", self.tr("Memuat status sinkronisasi\u2026")
        if "load_error" in facts:
            return "error", self.tr("Status sinkronisasi tidak dapat dibaca: %1").replace(
                "%1", facts["load_error"])
        if not facts.get("configured"):
            return "unconfigured", self.tr(
                "Sinkronisasi belum diatur: alamat server kota ([sync] server) masih kosong. "
                "Semua data tetap tersimpan di perangkat ini dan terkirim setelah diatur.")
        if not facts.get("enrolled"):
            return "unenrolled", self.tr(
                "Perangkat ini belum terdaftar di server kota, jadi belum ada yang dikirim. "
                "Teknisi: jalankan kiosk enroll --server URL --token TOKEN dengan token dari "
                "kantor kota, lalu mulai ulang aplikasi.")
        worker = facts.get("worker")
        server = facts.get("server") or facts.get("configured_server") or ""
        if worker is None:
            return "stopped", self.tr("Sinkronisasi latar belakang tidak berjalan di aplikasi ini. "
                                      "Mulai ulang aplikasi; bila tetap begitu, hubungi teknisi.")
        if not worker.get("rounds"):
            return "starting", self.tr("Menghubungi server kota %1\u2026").replace("%1", server)
        if worker.get("ok"):
            return "ok", self.tr("Berjalan di latar belakang \u00b7 tersambung ke %1").replace("%1", server)
        wait = worker.get("next_round_s")
        text = self.tr("Berjalan di latar belakang \u00b7 putaran terakhir gagal")
        if wait is not None and wait >= 60:
            text += " \u00b7 " + self.tr("dicoba lagi dalam sekitar %1").replace("%1", self.duration(wait))
        else:
            text += " \u00b7 " + self.tr("segera dicoba lagi")
        return "failing", text

    def summary(self, facts: dict[str, Any]) -> str:
        """A few words for the statistics page's sync line (after the server's address)."""
        kind, _ = self.state(facts)
        if kind == "unenrolled":
            return self.tr("belum terdaftar di server kota")
        if kind in ("failing",) or (kind == "stopped" and facts.get("last_error")):
            return self.tr("%1 (bermasalah, lihat Detail)").replace("%1", facts.get("server") or "")
        if kind == "stopped":
            return self.tr("%1 (tidak berjalan)").replace("%1", facts.get("server") or "")
        return facts.get("server") or facts.get("configured_server") or ""

    # --- filling -----------------------------------------------------------------------------
    def _fill(self) -> None:
        facts = self.facts
        kind, words = self.state(facts)
        worker_facts = (facts or {}).get("worker") or {}
        if (self._asked_at_round is not None
                and int(worker_facts.get("rounds") or 0) <= self._asked_at_round
                and self._worker_runs()):
            words = self.tr("Sedang menyinkronkan\u2026") + " " + words
        else:
            self._asked_at_round = None
        self.state_label.setText(words)
        warn = kind in ("unconfigured", "unenrolled", "stopped", "failing", "error")
        self.state_banner.setProperty("card", not warn)
        self.state_banner.setProperty("banner", "warning" if warn else "")
        theme.restyle(self.state_banner)
        self.sync_now_button.setEnabled(self._worker_runs()
                                        and kind not in ("loading", "unconfigured", "unenrolled"))
        usable = facts is not None and "load_error" not in facts
        f = facts if usable else {}
        pending = f.get("pending")
        self.tiles["pending"][0].setText(str(pending) if pending is not None else "\u2014")
        age = f.get("oldest_pending_age_s")
        self.tiles["oldest"][0].setText(self.duration(age) if age is not None else "\u2014")
        dead = f.get("dead_letters")
        self.tiles["dead"][0].setText(str(dead) if dead is not None else "\u2014")
        self.tiles["dead"][0].setStyleSheet(
            f"font-size: {theme.FONT_LARGE + 4}px; font-weight: 800;"
            f" color: {theme.DANGER if dead else theme.PRIMARY};")
        dash = "\u2014"
        self.values["push"].setText(self._when(f.get("last_push_ms")) if usable else dash)
        self.values["pull"].setText(self._when(f.get("last_pull_ms")) if usable else dash)
        self.values["round"].setText(self._round_words(worker_facts) if usable else dash)
        if kind in ("unconfigured", "unenrolled"):
            clock_text, clock_bad = self.tr("belum dicocokkan (sinkronisasi belum berjalan)"), False
        elif usable:
            clock_text, clock_bad = self.clock_words(f.get("clock") or {})
        else:
            clock_text, clock_bad = dash, False
        self.values["clock"].setText(clock_text)
        self.values["clock"].setProperty("role", "error" if clock_bad else "body")
        self.values["clock"].setStyleSheet(f"font-size: {theme.FONT_BODY}px;" if clock_bad else "")
        theme.restyle(self.values["clock"])
        error = f.get("last_error")
        if error:
            text = self.error_words(error.get("kind"))
            at = error.get("kiosk_ms")
            if at is not None:
                text = f"{self._when(at)}: {text}"
            self.values["error"].setText(text)
            self.values["error"].setStyleSheet(f"color: {theme.DANGER};")
            self.error_detail.setText(self.tr("Rincian teknis: %1").replace("%1", str(error.get("message", ""))))
        else:
            self.values["error"].setText(self.tr("tidak ada") if usable else dash)
            self.values["error"].setStyleSheet("")
            self.error_detail.setText("")
        self.error_detail.setVisible(bool(self.error_detail.text()))
        self._fill_dead(f.get("dead_letter_rows") or [], dead or 0)

    def _round_words(self, worker: dict[str, Any]) -> str:
        if not worker.get("rounds"):
            return self.tr("belum ada di aplikasi ini")
        push, pull = worker.get("push"), worker.get("pull")
        if not worker.get("ok") or not isinstance(push, dict) or not isinstance(pull, dict):
            return self.tr("gagal (lihat kesalahan terakhir)")
        return (self.tr("%1 terkirim, %2 ditolak; %3 perubahan dari server")
                .replace("%1", str(push.get("accepted", 0) + push.get("duplicate", 0)))
                .replace("%2", str(push.get("rejected", 0)))
                .replace("%3", str(pull.get("applied", 0))))

    def _fill_dead(self, rows: list[dict[str, Any]], count: int) -> None:
        if count:
            self.dead_title.setText(self.tr("Ditolak server, tidak dikirim ulang (%1). Catat dan "
                                            "sampaikan ke pengelola server kota.").replace("%1", str(count)))
        else:
            self.dead_title.setText(self.tr("Tidak ada data yang ditolak server."))
        self.dead_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = [row.get("table_name", ""), row.get("record_id", ""), row.get("reason", ""),
                      self._when(row.get("created_ms")) if row.get("created_ms") else "\u2014"]
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setToolTip(str(value))
                self.dead_table.setItem(r, c, item)
        self.dead_table.setVisible(bool(rows))

    def reset(self) -> None:
        self._asked_at_round = None
