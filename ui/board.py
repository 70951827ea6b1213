"""The display board on the waiting-room TV: who is called to which counter, read across
the room and heard over the chatter.

The newest call fills most of the screen (the number and "Loket 3" in very large type); the
calls before it, what each counter serves and how many wait per service sit beside it; the
office's running text scrolls at the bottom. The board follows the queue's change feed on a
worker (ui.queue_watch) and shows a call from the event itself at once, then refreshes the
rest with ``board_state()`` off the GUI thread. Each call and recall is queued on the
Speaker (chime, then the Indonesian phrase; devices.speech keeps them from overlapping).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy,
                               QVBoxLayout, QWidget)

from kiosk.announce import phrase_for
from kiosk.clock import local_time
from ui import theme
from ui.context import ScreenContext
from ui.queue_watch import QueueWatcher
from ui.screen import Coalesced, Screen

log = logging.getLogger(__name__)

#: Events after which the board's numbers change.
REFRESH_KINDS = {"issued", "called", "recalled", "started", "finished", "no_show",
                 "transferred", "counter"}
RECENT_SHOWN = 5

FONT_NUMBER = 300     # the called number: legible from ~15 m on a 43" TV
FONT_COUNTER = 150
FONT_SECTION = 40
FONT_ROW = 50
FONT_SMALL_ROW = 44
FONT_TICKER = 46
FONT_HEADER = 40
FLASH_MS = 4000       # a new call is highlighted this long
PANEL = "#16213A"     # panels on the board background; every board text colour reads on it
#: (what, foreground, background) on the board beyond theme.CONTRAST_PAIRS; a test keeps
#: each at WCAG contrast >= 4.5:1.
CONTRAST_PAIRS = [
    ("text on panel", theme.BOARD_TEXT, PANEL),
    ("accent on panel", theme.BOARD_ACCENT, PANEL),
    ("secondary on panel", theme.BOARD_MUTED, PANEL),
    ("flashing call", theme.BOARD_BG, theme.BOARD_ACCENT),
    ("running text", theme.BOARD_BG, theme.BOARD_ACCENT),
    ("lost banner", theme.ON_WARNING, theme.WARNING_BG),
]


#: The screen the FONT_* sizes were drawn for; other screens scale them (see ``board_scale``).
DESIGN_SIZE = (1920, 1080)


def board_scale(width: int, height: int) -> float:
    """How much to scale the FONT_* sizes for a board of this size (never above 1, so a
    bigger TV keeps the design sizes; never so small that the board turns to dust)."""
    scale = min(width / DESIGN_SIZE[0], height / DESIGN_SIZE[1])
    if scale >= 1.0:
        return 1.0
    # Margins and paddings keep their pixels, so a smaller board scales its texts a bit more.
    return max(0.3, scale * 0.9)


def _label(text: str = "", size: int = FONT_ROW, colour: str = theme.BOARD_TEXT,
           weight: int = 600, align=Qt.AlignmentFlag.AlignLeft, scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    label.setProperty("base_px", size)
    label.setProperty("px", max(8, round(size * scale)))
    label.setProperty("weight", weight)
    _colour(label, colour)
    label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    # Never let a long text push the board past the TV's edge: the layout decides widths.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _colour(label: QLabel, colour: str) -> None:
    """(Re)style a board label; the size lives in the stylesheet, because the application
    stylesheet's font-size would override a QFont set on the widget."""
    label.setProperty("colour", colour)
    label.setStyleSheet(f"color: {colour}; background: transparent;"
                        f" font-size: {label.property('px')}px;"
                        f" font-weight: {label.property('weight')};")


class RunningText(QWidget):
    """One line of text moving right to left, repeating; painted, so it never wraps."""

    SPEED_PX = 3
    TICK_MS = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._offset = 0.0
        self.set_scale(1.0)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(self.TICK_MS)

    def set_scale(self, scale: float) -> None:
        font = QFont(theme.FONT_FAMILY)
        font.setPixelSize(max(8, round(FONT_TICKER * scale)))
        font.setWeight(QFont.Weight.DemiBold)
        self.setFont(font)
        self.setFixedHeight(int(font.pixelSize() * 1.8))

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        text = " ".join((text or "").split())
        if text != self._text:
            self._text = text
            self._offset = 0.0
            self.update()

    def _span(self) -> float:
        return QFontMetricsF(self.font()).horizontalAdvance(self._text + "     •     ")

    def _tick(self) -> None:
        if not self._text:
            return
        self._offset = (self._offset + self.SPEED_PX) % max(1.0, self._span())
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.BOARD_ACCENT))
        if not self._text:
            return
        painter.setPen(QColor(theme.BOARD_BG))
        painter.setFont(self.font())
        span = self._span()
        x = -self._offset
        while x < self.width():
            painter.drawText(QRectF(x, 0, span, self.height()),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             self._text + "     •")
            x += span
        painter.end()


class _Panel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardPanel")
        self.setStyleSheet(f"#boardPanel {{ background: {PANEL}; border-radius: 18px; }}")


class BoardScreen(Screen):
    """The TV board. ``ctx.office.queue`` is a QueueClient; ``ctx.speaker`` may be None."""

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.queue = ctx.office.queue
        self.speaker = ctx.speaker
        self._clock = ctx.clock
        self._tz = ctx.config.office.timezone
        self.state = None                 # the last BoardState shown
        self.connected = True
        self.announced: list[str] = []    # phrases handed to the speaker, in order
        self.serving_shown: dict[int, str] = {}   # counter number -> ticket, as on screen
        self.refresh = Coalesced(self, lambda: self.queue.board_state(), self._on_state,
                                 self._on_state_failed)
        self._flash_left = 0

        self.setObjectName("board")
        # A plain QWidget subclass paints a stylesheet background only with this attribute;
        # without it the board relied on the shell's dark window.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"#board {{ background: {theme.BOARD_BG}; }}")
        self.scale = 1.0
        self._build()
        # The board takes its screen's size and scales its texts to it: the design sizes of
        # its labels must not make the window (the Shell around it) bigger than the screen.
        self.setMinimumSize(QSize(640, 360))
        self.ready()

        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._show_time)
        self._clock_timer.start(1000)
        self._flash_timer = QTimer(self)
        self._flash_timer.timeout.connect(self._flash_step)

        self.watcher = QueueWatcher(self.queue, self)
        self.watcher.event.connect(self._on_event)
        self.watcher.connection.connect(self.set_connected)
        self.watcher.start()
        self.refresh()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        # The window takes the screen's size and the texts scale to it (resizeEvent), not
        # the other way round: the design sizes must not set a minimum window size.
        root.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)

        self.banner = QLabel()
        self.banner.setObjectName("lostBanner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(
            f"#lostBanner {{ background: {theme.WARNING_BG}; color: {theme.ON_WARNING};"
            f" font-size: {FONT_HEADER}px; font-weight: 700; padding: 14px; }}")
        self.banner.hide()
        root.addWidget(self.banner)

        # The banner takes the header's place, so the board never grows past the screen.
        self.header = QWidget()
        header = QHBoxLayout(self.header)
        header.setContentsMargins(40, 18, 40, 6)
        self.office_label = _label(self.ctx.config.office.name, FONT_HEADER,
                                   theme.BOARD_MUTED, 600)
        self.time_label = _label("", FONT_HEADER, theme.BOARD_TEXT, 700,
                                 Qt.AlignmentFlag.AlignRight)
        self.time_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.time_label.setMinimumWidth(260)
        header.addWidget(self.office_label, 1)
        header.addWidget(self.time_label)
        root.addWidget(self.header)

        body = QHBoxLayout()
        self.body_layout = body
        body.setContentsMargins(40, 10, 40, 20)
        body.setSpacing(30)

        # The current call: most of the screen.
        self.current_panel = _Panel()
        current = QVBoxLayout(self.current_panel)
        current.setContentsMargins(30, 24, 30, 30)
        current.setSpacing(0)
        self.current_title = _label("", FONT_SECTION + 8, theme.BOARD_MUTED, 700,
                                    Qt.AlignmentFlag.AlignHCenter)
        self.current_number = _label("—", FONT_NUMBER, theme.BOARD_ACCENT, 900,
                                     Qt.AlignmentFlag.AlignHCenter)
        self.current_number.setObjectName("currentNumber")
        self.current_counter = _label("", FONT_COUNTER, theme.BOARD_TEXT, 800,
                                      Qt.AlignmentFlag.AlignHCenter)
        self.current_counter.setObjectName("currentCounter")
        for big in (self.current_number, self.current_counter):
            # Their 300 px design size must not keep the window from fitting a smaller
            # screen: they take the room left and their text is fitted to it (``_fit``).
            big.setMinimumSize(1, 1)
        current.addWidget(self.current_title)
        current.addStretch(1)
        current.addWidget(self.current_number)
        current.addWidget(self.current_counter)
        current.addStretch(1)
        body.addWidget(self.current_panel, 62)

        side = QVBoxLayout()
        side.setSpacing(24)
        recent_panel = _Panel()
        recent = QVBoxLayout(recent_panel)
        recent.setContentsMargins(28, 20, 28, 20)
        self.recent_title = _label("", FONT_SECTION, theme.BOARD_MUTED, 700)
        recent.addWidget(self.recent_title)
        self.recent_grid = QGridLayout()
        self.recent_grid.setHorizontalSpacing(30)
        self.recent_grid.setVerticalSpacing(0)
        self.recent_rows: list[tuple[QLabel, QLabel]] = []
        for row in range(RECENT_SHOWN):
            number = _label("", FONT_ROW, theme.BOARD_TEXT, 800)
            counter = _label("", FONT_ROW - 8, theme.BOARD_MUTED, 600,
                             Qt.AlignmentFlag.AlignRight)
            self.recent_grid.addWidget(number, row, 0)
            self.recent_grid.addWidget(counter, row, 1)
            self.recent_rows.append((number, counter))
        recent.addLayout(self.recent_grid)
        recent.addStretch(1)
        side.addWidget(recent_panel, 3)

        waiting_panel = _Panel()
        waiting = QVBoxLayout(waiting_panel)
        waiting.setContentsMargins(28, 20, 28, 20)
        self.waiting_title = _label("", FONT_SECTION, theme.BOARD_MUTED, 700)
        waiting.addWidget(self.waiting_title)
        self.waiting_box = QGridLayout()
        self.waiting_box.setHorizontalSpacing(30)
        waiting.addLayout(self.waiting_box)
        waiting.addStretch(1)
        side.addWidget(waiting_panel, 2)
        body.addLayout(side, 38)
        root.addLayout(body, 1)

        # What each counter serves: one tile per counter across the bottom.
        serving_row = QHBoxLayout()
        self.serving_row = serving_row
        serving_row.setContentsMargins(40, 0, 40, 20)
        serving_row.setSpacing(20)
        self.serving_title = _label("", FONT_SECTION, theme.BOARD_MUTED, 700)
        self.serving_title.setSizePolicy(QSizePolicy.Policy.Preferred,
                                         QSizePolicy.Policy.Preferred)
        serving_row.addWidget(self.serving_title)
        self.serving_tiles = QHBoxLayout()
        self.serving_tiles.setSpacing(20)
        serving_row.addLayout(self.serving_tiles, 1)
        root.addLayout(serving_row)

        self.ticker = RunningText()
        root.addWidget(self.ticker)

    def retranslate(self) -> None:
        self.current_title.setText(self.tr("Nomor Antrian"))
        self.recent_title.setText(self.tr("Panggilan sebelumnya"))
        self.waiting_title.setText(self.tr("Menunggu"))
        self.serving_title.setText(self.tr("Sedang dilayani"))
        self.banner.setText(self.tr("Koneksi ke server kantor terputus. Papan ini mencoba "
                                    "menyambung kembali…"))
        self._show_time()
        if self.state is not None:
            self._show_state(self.state)
        else:
            self._show_no_call()

    # --- data -----------------------------------------------------------------------------
    # ``self.refresh()`` (a Coalesced, built in __init__) fetches the board state on the
    # worker; a burst of events becomes one more fetch, not one each.
    def _on_state(self, state) -> None:
        self.state = state
        self._show_state(state)

    def _on_state_failed(self, exc: Exception) -> None:
        log.warning("board: could not read the board state: %s", exc)
        self.set_connected(False)
        QTimer.singleShot(2000, self, self.refresh)

    def _on_event(self, event) -> None:
        if not self.connected:
            self.set_connected(True)
        if event.kind in ("called", "recalled") and event.call:
            call = event.call
            self._show_current(call["number"], call["counter_number"])
            self._flash()
            self._announce(call)
        if event.kind in REFRESH_KINDS:
            self.refresh()

    def _announce(self, call: dict) -> None:
        try:
            phrase = phrase_for(call["kind"], call["number"], int(call["counter_number"]))
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("board: cannot build the phrase for %r: %s", call, exc)
            return
        self.announced.append(phrase)
        if self.speaker is not None:
            self.speaker.announce(phrase)

    def set_connected(self, up: bool) -> None:
        self.connected = bool(up)
        self.banner.setVisible(not self.connected)
        self.header.setVisible(self.connected)
        if up:
            self.refresh()

    # --- showing --------------------------------------------------------------------------
    def _show_current(self, number: str, counter_number: int) -> None:
        self.current_number.setText(number)
        self._fit(self.current_number)
        self._set_counter_line(self.tr("Loket {n}").format(n=counter_number), FONT_COUNTER)

    def _show_no_call(self) -> None:
        """Before the first call of the day: a calm line that fits, not the counter's 150 px."""
        self.current_number.setText("—")
        self._fit(self.current_number)
        self._set_counter_line(self.tr("Silakan menunggu"), FONT_SECTION * 2)

    def _set_counter_line(self, text: str, px: int) -> None:
        self.current_counter.setProperty("base_px", px)
        self.current_counter.setText(text)
        self._fit(self.current_counter)

    # --- size ----------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Lay out from the screen's size: every text scales with the board, and the called
        number shrinks further if it would not fit its panel (a long number, a narrow TV)."""
        super().resizeEvent(event)
        scale = board_scale(self.width(), self.height())
        if scale != self.scale:
            self.scale = scale
            for label in self.findChildren(QLabel):
                if label.property("base_px") is not None:
                    self._fit(label)
            self.ticker.set_scale(scale)
            self._restyle_margins()
        self._fit(self.current_number)
        self._fit(self.current_counter)

    def _restyle_margins(self) -> None:
        m = round(40 * self.scale)
        for layout, top, bottom in ((self.body_layout, 10, 20), (self.serving_row, 0, 20)):
            layout.setContentsMargins(m, round(top * self.scale), m, round(bottom * self.scale))
        self.banner.setStyleSheet(
            f"#lostBanner {{ background: {theme.WARNING_BG}; color: {theme.ON_WARNING};"
            f" font-size: {round(FONT_HEADER * self.scale)}px; font-weight: 700; padding: 14px; }}")

    def _fit(self, label: QLabel) -> None:
        """Set the label's size from its design size and the board's scale; the number and
        the counter line also shrink until their text fits the label's width and height."""
        px = max(8, round(label.property("base_px") * self.scale))
        if label in (self.current_number, self.current_counter) and label.text():
            room_w, room_h = label.width(), label.height()
            font = QFont(label.font())
            while px > 12:
                font.setPixelSize(px)
                font.setWeight(QFont.Weight(min(900, int(label.property("weight")))))
                metrics = QFontMetricsF(font)
                if (room_w <= 0 or metrics.horizontalAdvance(label.text()) <= room_w) and (
                        room_h <= 0 or metrics.height() <= room_h or label is self.current_counter):
                    break
                px -= 4
        if label.property("px") != px:
            label.setProperty("px", px)
            _colour(label, label.property("colour"))

    def _show_state(self, state) -> None:
        if state.current is not None:
            self._show_current(state.current.number, state.current.counter_number)
        else:
            self._show_no_call()
        recent = [c for c in state.recent
                  if state.current is None or c.ticket_id != state.current.ticket_id]
        for i, (number, counter) in enumerate(self.recent_rows):
            if i < len(recent):
                number.setText(recent[i].number)
                counter.setText(self.tr("Loket {n}").format(n=recent[i].counter_number))
            else:
                number.setText("")
                counter.setText("")
        self._fill_waiting(state.waiting)
        self._fill_serving(state.serving)
        self.ticker.setText(state.running_text)
        self.ticker.setVisible(bool(self.ticker.text()))   # no empty yellow bar

    @staticmethod
    def _clear(layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _fill_waiting(self, waiting: dict[str, int]) -> None:
        self._clear(self.waiting_box)
        # One column for up to four services, two side by side beyond that.
        per_column = 4 if len(waiting) <= 4 else (len(waiting) + 1) // 2
        for i, (prefix, count) in enumerate(sorted(waiting.items())):
            row, col = i % per_column, (i // per_column) * 2
            self.waiting_box.addWidget(_label(prefix, FONT_SMALL_ROW, theme.BOARD_ACCENT, 800,
                                              scale=self.scale), row, col)
            self.waiting_box.addWidget(
                _label(self.tr("{n} orang").format(n=count), FONT_SMALL_ROW, theme.BOARD_TEXT,
                       600, Qt.AlignmentFlag.AlignRight, scale=self.scale), row, col + 1)

    def _fill_serving(self, serving: dict[int, str]) -> None:
        self._clear(self.serving_tiles)
        self.serving_shown = {int(k): v for k, v in serving.items()}
        for counter_number in sorted(serving, key=int):
            tile = QLabel(self.tr("Loket {n}").format(n=counter_number)
                          + f"   <b style='color:{theme.BOARD_ACCENT}'>"
                          f"{serving[counter_number]}</b>")
            tile.setTextFormat(Qt.TextFormat.RichText)
            tile.setObjectName("servingTile")
            tile.setProperty("counter", int(counter_number))
            tile.setStyleSheet(f"#servingTile {{ background: {PANEL}; color: {theme.BOARD_TEXT};"
                               f" border-radius: 14px; padding: 10px 22px;"
                               f" font-size: {max(8, round(FONT_SMALL_ROW * self.scale))}px;"
                               f" font-weight: 600; }}")
            self.serving_tiles.addWidget(tile)
        self.serving_tiles.addStretch(1)

    def _show_time(self) -> None:
        now = local_time(self._clock.now(), self._tz)
        self.time_label.setText(f"{now:%H:%M} {self._tz}")

    def _flash(self) -> None:
        self._flash_left = FLASH_MS // 500
        self._flash_timer.start(500)
        self._flash_step()

    def _flash_step(self) -> None:
        on = self._flash_left % 2 == 0 and self._flash_left > 0
        colour = theme.BOARD_ACCENT if on else PANEL
        self.current_panel.setStyleSheet(f"#boardPanel {{ background: {colour};"
                                         f" border-radius: 18px; }}")
        _colour(self.current_number, theme.BOARD_BG if on else theme.BOARD_ACCENT)
        _colour(self.current_counter, theme.BOARD_BG if on else theme.BOARD_TEXT)
        _colour(self.current_title, theme.BOARD_BG if on else theme.BOARD_MUTED)
        if self._flash_left <= 0:
            self._flash_timer.stop()
        self._flash_left -= 1

    # --- lifecycle ------------------------------------------------------------------------
    def reset(self) -> None:
        """The idle timer: a board holds no personal data, so nothing to clear."""

    def stop(self) -> None:
        """Stop following the queue (the board is closing). The Speaker belongs to the app
        and finishes what it was saying."""
        self.watcher.stop()
        self._clock_timer.stop()
