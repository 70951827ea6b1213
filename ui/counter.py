"""The counter console: what a staff member at a loket works with all day.

One big "Panggil Berikutnya"; recall, start, finish, no-show and transfer one tap away; who
waits and for how long; the printer's state; and a clear banner when the edge is out of
reach. Every queue call runs on the worker (ui.ops.run_op) and the screen follows the change
feed (ui.queue_watch), so a counter on a staff PC behaves the same over the office LAN
(RemoteQueue) as on the edge itself (LocalQueue).

Two pages: sign in (ui/counter_sign_in.py: who, which counter, which services) and the
console. Transfer is an in-page picker rather than a dialog, so it works by touch and never
blocks the screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from kiosk.errors import KioskError
from kiosk.queue.errors import NotServedYet
from sync.lan.errors import EdgeUnreachable
from ui import taps, theme
from ui.errors import error_text
from ui.ops import run_op
from ui.context import ScreenContext
from ui.queue_watch import QueueWatcher
from ui.counter_requests import RequestsPanel
from ui.counter_sign_in import Employee, SignInPage, clear_layout, service_name
from ui.screen import Coalesced, Screen

log = logging.getLogger(__name__)

#: Recalls before "Tidak hadir" is offered (the domain's default queue.no_show_min_recalls;
#: if an office sets more, the domain refuses with a message that says so).
NO_SHOW_AFTER_RECALLS = 1
WAITING_SHOWN = 8
REFRESH_EVERY_MS = 15_000      # waiting minutes and the printer's state age even without events


def _button(text: str, kind: str, icon_name: str) -> QPushButton:
    """theme.touch_button, plus a muted icon for the disabled state (the theme's icon keeps
    its on-colour, which is near invisible on a disabled grey button)."""
    button = theme.touch_button(text, kind, icon_name)
    icon = button.icon()
    icon.addPixmap(theme.icon_pixmap(icon_name, theme.ICON, theme.MUTED), QIcon.Mode.Disabled)
    button.setIcon(icon)
    return button


class CounterScreen(Screen):
    """The counter console. ``ctx.office.queue`` is a QueueClient."""

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.queue = ctx.office.queue
        self._clock = ctx.clock
        # Session
        self.staff: Employee | None = None
        self.counter: dict | None = None
        self.service_ids: list[str] = []
        self.paused = False
        # What the screen shows
        self.ticket = None
        self.waiting: list = []
        self.printer: dict | None = None
        self.connected = True
        self.busy = False
        self._refresh = Coalesced(self, self._fetch, self._on_refreshed, self._on_refresh_failed)

        self.stack = QStackedWidget(self)
        taps.guard_page_changes(self.stack)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.stack)
        self.sign_in = SignInPage(ctx, self._error_text)
        self.sign_in.start.connect(self._start_shift)
        self.stack.addWidget(self.sign_in)
        self._build_console()
        self._build_transfer()
        self.requests_page = RequestsPanel(
            ctx, staff_id=lambda: self.staff.id if self.staff else None,
            counter_id=lambda: self.counter["id"] if self.counter else None)
        self.requests_page.back.connect(lambda: self.stack.setCurrentWidget(self.console_page))
        self.requests_page.called.connect(self._called_from_requests)
        self.stack.addWidget(self.requests_page)
        self.stack.setCurrentWidget(self.sign_in)
        self.ready()

        self.watcher = QueueWatcher(self.queue, self)
        self.watcher.event.connect(self._on_event)
        self.watcher.connection.connect(self.set_connected)
        self.watcher.start()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_EVERY_MS)
        self.sign_in.load()

    # === sign-in ==========================================================================
    def _start_shift(self, staff: Employee, counter: dict, services: list[str]) -> None:
        """The sign-in page's choice: open the counter's session on the edge."""
        self._set_busy(True)

        def done(_result) -> None:
            self.staff, self.counter, self.service_ids = staff, counter, services
            self.paused = False
            self._set_busy(False)
            self.message.hide()
            self._show_header()
            self._show_ticket()
            self.stack.setCurrentWidget(self.console_page)
            self.refresh()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            self.sign_in.show_error(self._error_text(exc))

        run_op(self, lambda: self.queue.set_counter(counter["id"], service_ids=services,
                                                    staff_id=staff.id or None, paused=False),
               done, failed)

    def _called_from_requests(self, ticket) -> None:
        """A citizen called by number from the Permohonan page: back to the console with it."""
        self._set_ticket(ticket)
        self.stack.setCurrentWidget(self.console_page)
        self.refresh()

    def open_requests(self) -> None:
        """The office's letter requests ("Permohonan"), processed from this counter."""
        self.requests_page.refresh()
        self.stack.setCurrentWidget(self.requests_page)

    @property
    def service_list(self) -> list:
        """The office's services, as the sign-in page last read them."""
        return self.sign_in.service_list

    # === console page =====================================================================
    def _build_console(self) -> None:
        page = QWidget()
        self.console_page = page
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 12, 24, 16)
        layout.setSpacing(10)

        self.banner = QFrame()
        self.banner.setProperty("banner", "warning")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(16, 8, 16, 8)
        banner_row.addWidget(theme.icon_label("warning", 36, theme.ON_WARNING))
        self.banner_text = theme.text_label("", "large")
        self.banner_text.setWordWrap(False)
        banner_row.addWidget(self.banner_text, 1)
        self.banner.hide()
        layout.addWidget(self.banner)

        header = QHBoxLayout()
        header.setSpacing(16)
        self.header_label = theme.text_label("", "large")
        self.header_label.setWordWrap(False)
        self.header_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header.addWidget(self.header_label, 1)
        self.sign_out_button = _button("", "flat", "exit")
        # A secondary action on a crowded screen: exactly the 60 px touch minimum (the
        # stylesheet's min-height counts inside the padding, hence 44 + 2 x 8).
        self.sign_out_button.setStyleSheet("min-height: 44px; padding: 8px 16px;")
        self.sign_out_button.setMinimumHeight(theme.TOUCH_MIN)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.requests_button = _button("", "secondary", "document")
        self.requests_button.setStyleSheet("min-height: 44px; padding: 8px 16px;")
        self.requests_button.setMinimumHeight(theme.TOUCH_MIN)
        self.requests_button.clicked.connect(self.open_requests)
        header.addWidget(self.requests_button)
        header.addWidget(self.sign_out_button)
        layout.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(20)
        left = QVBoxLayout()
        left.setSpacing(12)
        ticket_card = theme.card()
        card = QVBoxLayout(ticket_card)
        card.setContentsMargins(24, 10, 24, 12)
        card.setSpacing(0)
        self.ticket_status = theme.text_label("", "large")
        self.ticket_status.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.ticket_number = theme.text_label("—", "huge")
        self.ticket_number.setObjectName("ticketNumber")
        # Staff sit an arm's length away: smaller than the kiosk's ticket, still unmissable,
        # and the console fits a 1280x800 screen under the shell's header bar.
        self.ticket_number.setStyleSheet("font-size: 112px;")
        self.ticket_number.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.ticket_detail = theme.text_label("", "muted")
        self.ticket_detail.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        card.addWidget(self.ticket_status)
        card.addStretch(1)
        card.addWidget(self.ticket_number)
        card.addWidget(self.ticket_detail)
        # What just went wrong (or a note) sits in the card, next to the ticket it is about.
        self.message = theme.text_label("", "error")
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.message.hide()
        card.addWidget(self.message)
        self._build_not_served(card)
        card.addStretch(1)
        left.addWidget(ticket_card, 1)

        actions = QGridLayout()
        actions.setSpacing(10)
        self.recall_button = _button("", "secondary", "sync")
        self.start_service_button = _button("", "secondary", "clock")
        self.finish_button = _button("", "success", "check")
        self.no_show_button = _button("", "danger", "warning")
        self.transfer_button = _button("", "secondary", "back")
        self.pause_button = _button("", "secondary", "lock")
        for i, button in enumerate((self.recall_button, self.start_service_button,
                                    self.finish_button, self.no_show_button,
                                    self.transfer_button, self.pause_button)):
            # Six actions share the width: slightly smaller type than the big button, so
            # "Panggil Ulang (2)" fits; still well above the 60 px target.
            button.setStyleSheet("font-size: 24px; padding: 8px 10px;")
            button.setIconSize(QSize(30, 30))
            actions.addWidget(button, i // 3, i % 3)
        self.recall_button.clicked.connect(self.recall)
        self.start_service_button.clicked.connect(self.start_service)
        self.finish_button.clicked.connect(self.finish)
        self.no_show_button.clicked.connect(self.no_show)
        self.transfer_button.clicked.connect(self.open_transfer)
        self.pause_button.clicked.connect(self.toggle_pause)
        left.addLayout(actions)

        self.call_button = _button("", "primary", "people")
        self.call_button.setObjectName("callNext")
        self.call_button.setStyleSheet("font-size: 36px; font-weight: 800;")
        self.call_button.clicked.connect(self.call_next)
        left.addWidget(self.call_button)
        body.addLayout(left, 64)

        waiting_card = theme.card()
        waiting = QVBoxLayout(waiting_card)
        waiting.setContentsMargins(20, 16, 20, 16)
        waiting.setSpacing(6)
        self.waiting_title = theme.text_label("", "large")
        waiting.addWidget(self.waiting_title)
        self.waiting_rows = QVBoxLayout()
        self.waiting_rows.setSpacing(2)
        waiting.addLayout(self.waiting_rows)
        waiting.addStretch(1)
        self.printer_box = QFrame()
        self.printer_box.setObjectName("printerBox")
        printer_row = QHBoxLayout(self.printer_box)
        printer_row.setContentsMargins(14, 8, 14, 8)
        printer_row.setSpacing(10)
        self.printer_icon = QLabel()
        self.printer_icon.setFixedSize(30, 30)
        printer_row.addWidget(self.printer_icon)
        self.printer_chip = QLabel()
        self.printer_chip.setObjectName("printerChip")
        self.printer_chip.setWordWrap(True)
        printer_row.addWidget(self.printer_chip, 1)
        waiting.addWidget(self.printer_box)
        body.addWidget(waiting_card, 36)
        layout.addLayout(body, 1)
        self.stack.addWidget(page)

    def _build_transfer(self) -> None:
        page = QWidget()
        self.transfer_page = page
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 28, 40, 28)
        layout.setSpacing(16)
        self.transfer_title = theme.text_label("", "title")
        layout.addWidget(self.transfer_title)
        self.transfer_hint = theme.text_label("", "muted")
        layout.addWidget(self.transfer_hint)
        self.transfer_options = QVBoxLayout()
        self.transfer_options.setSpacing(12)
        layout.addLayout(self.transfer_options)
        layout.addStretch(1)
        self.transfer_cancel = _button("", "secondary", "back")
        self.transfer_cancel.clicked.connect(self.close_transfer)
        layout.addWidget(self.transfer_cancel)
        self.transfer_buttons: dict[str, QPushButton] = {}
        self.stack.addWidget(page)

    # === texts ============================================================================
    def retranslate(self) -> None:
        self.banner_text.setText(self.tr("Koneksi ke server kantor terputus. Menyambung "
                                         "kembali…"))
        self.sign_out_button.setText(self.tr("Selesai Bertugas"))
        self.requests_button.setText(self.tr("Permohonan"))
        self.call_button.setText(self.tr("Panggil Berikutnya"))
        self.start_service_button.setText(self.tr("Mulai Layani"))
        self.finish_button.setText(self.tr("Selesai"))
        self.no_show_button.setText(self.tr("Tidak Hadir"))
        self.transfer_button.setText(self.tr("Alihkan"))
        self.transfer_title.setText(self.tr("Alihkan ke layanan lain"))
        self.transfer_cancel.setText(self.tr("Batal"))
        for sid, button in self.transfer_buttons.items():
            service = next((s for s in self.service_list if s.id == sid), None)
            if service is not None:
                button.setText(f"{service.prefix} · {service_name(service)}")
        self._show_header()
        self._show_ticket()
        self._show_waiting()
        self._show_printer()

    def _error_text(self, exc: Exception) -> str:
        """Worded from the error's code through ui/errors.py, in the screen's language."""
        if _unreachable(exc):
            return error_text(EdgeUnreachable())
        if not isinstance(exc, KioskError):
            log.error("counter: unexpected failure: %r", exc)
        return error_text(exc)

    # === showing ==========================================================================
    def _show_header(self) -> None:
        if self.counter is None or self.staff is None:
            self.header_label.setText("")
            return
        prefixes = ", ".join(s.prefix for s in self.service_list if s.id in self.service_ids)
        name = self.counter.get("name") or self.tr("Loket {n}").format(n=self.counter["number"])
        self.header_label.setText(f"{name} · {self.staff.name} · "
                                  + self.tr("Layanan {list}").format(list=prefixes))

    def _show_ticket(self) -> None:
        ticket = self.ticket
        recalls = ticket.recalls if ticket is not None else 0
        self.recall_button.setText(self.tr("Panggil Ulang") +
                                   (f" ({recalls})" if recalls else ""))
        self.pause_button.setText(self.tr("Lanjutkan") if self.paused else self.tr("Jeda"))
        self.pause_button.setProperty("kind", "priority" if self.paused else "secondary")
        theme.restyle(self.pause_button)
        now = self._clock.now().wall_ms
        if self.paused:
            self.ticket_status.setText(self.tr("Loket sedang jeda"))
        elif ticket is None:
            self.ticket_status.setText(self.tr("Belum ada nomor dipanggil"))
        elif ticket.status == "called":
            self.ticket_status.setText(self.tr("Sedang dipanggil"))
        else:
            self.ticket_status.setText(self.tr("Sedang dilayani"))
        if ticket is None:
            self.ticket_number.setText("—")
            self.ticket_detail.setText(self.tr("Tekan “Panggil Berikutnya” untuk memanggil "
                                               "warga berikutnya.") if not self.paused else
                                       self.tr("Tekan “Lanjutkan” untuk melayani lagi."))
        else:
            self.ticket_number.setText(ticket.number)
            service = next((x for x in self.service_list if x.id == ticket.service_id), None)
            parts = [service_name(service)] if service is not None else []
            parts += [self.tr("menunggu {t}").format(
                t=self._minutes((ticket.called_ms or now) - ticket.arrival_ms))]
            if ticket.status == "called":
                since = now - (ticket.called_ms or now)
                parts.append(self.tr("baru dipanggil") if since < 60_000 else
                             self.tr("dipanggil {t}").format(t=self._minutes(since)))
                if recalls:
                    parts.append(self.tr("dipanggil ulang {n}×").format(n=recalls))
            elif ticket.started_ms:
                parts.append(self.tr("dilayani {t}").format(
                    t=self._minutes(now - ticket.started_ms)))
            if ticket.priority:
                parts.append(self._priority_text(ticket.priority))
            self.ticket_detail.setText(" · ".join(parts))
        self._update_actions()

    def _minutes(self, ms: int) -> str:
        """How long, as staff say it: "baru saja", "12 mnt", "1 j 5 mnt"."""
        minutes = max(0, ms) // 60_000
        if minutes < 1:
            return self.tr("baru saja")
        if minutes < 60:
            return self.tr("{m} mnt").format(m=minutes)
        return self.tr("{h} j {m} mnt").format(h=minutes // 60, m=minutes % 60)

    def _priority_text(self, kind: str) -> str:
        return {"lansia": self.tr("Prioritas: lansia"),
                "disabilitas": self.tr("Prioritas: disabilitas"),
                "hamil": self.tr("Prioritas: ibu hamil / membawa balita")}.get(
                    kind, self.tr("Prioritas"))

    def _update_actions(self) -> None:
        ticket = self.ticket
        ready = self.connected and not self.busy and self.counter is not None
        called = ticket is not None and ticket.status == "called"
        serving = ticket is not None and ticket.status == "serving"
        self.call_button.setEnabled(ready and not self.paused)
        self.recall_button.setEnabled(ready and called)
        self.start_service_button.setEnabled(ready and called)
        self.finish_button.setEnabled(ready and (called or serving))
        self.no_show_button.setEnabled(ready and called
                                       and ticket.recalls >= NO_SHOW_AFTER_RECALLS)
        self.transfer_button.setEnabled(ready and (called or serving))
        self.pause_button.setEnabled(ready and not (called or serving))

    def _show_waiting(self) -> None:
        clear_layout(self.waiting_rows)
        self.waiting_title.setText(self.tr("Menunggu ({n})").format(n=len(self.waiting)))
        now = self._clock.now().wall_ms
        if not self.waiting:
            label = theme.text_label(self.tr("Tidak ada yang menunggu."), "muted")
            self.waiting_rows.addWidget(label)
            return
        for ticket in self.waiting[:WAITING_SHOWN]:
            row = QHBoxLayout()
            number = theme.text_label(ticket.number, "large")
            number.setObjectName("waitingNumber")
            row.addWidget(number)
            if ticket.priority:
                row.addWidget(theme.icon_label(
                    {"lansia": "elderly", "disabilitas": "wheelchair", "hamil": "baby"}.get(
                        ticket.priority, "people"), 30, theme.PRIORITY))
            row.addStretch(1)
            row.addWidget(theme.text_label(self._minutes(now - ticket.arrival_ms),
                                           "body"))
            holder = QWidget()
            holder.setStyleSheet("background: transparent;")
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.waiting_rows.addWidget(holder)
        if len(self.waiting) > WAITING_SHOWN:
            self.waiting_rows.addWidget(theme.text_label(
                self.tr("dan {n} lainnya").format(n=len(self.waiting) - WAITING_SHOWN), "muted"))

    _PRINTER_OK = {"online"}
    _PRINTER_WARN = {"paper_near_end", "unknown"}

    def _show_printer(self) -> None:
        state = (self.printer or {}).get("state", "unknown")
        texts = {
            "online": self.tr("Printer siap"),
            "paper_near_end": self.tr("Kertas hampir habis"),
            "paper_out": self.tr("Kertas printer habis"),
            "cover_open": self.tr("Tutup printer terbuka"),
            "offline": self.tr("Printer tidak tersambung"),
            "no_answer": self.tr("Printer tidak menjawab"),
            "unknown": self.tr("Status printer belum diketahui"),
        }
        text = texts.get(state, texts["unknown"])
        pending = int((self.printer or {}).get("pending_jobs") or 0)
        if pending and state != "online":
            text += " · " + self.tr("{n} menunggu cetak").format(n=pending)
        if state in self._PRINTER_OK:
            fg, bg = theme.ON_SUCCESS, theme.SUCCESS
        elif state in self._PRINTER_WARN:
            fg, bg = theme.ON_WARNING, theme.WARNING_BG
        else:
            fg, bg = theme.ON_DANGER, theme.DANGER
        self.printer_chip.setText(text)
        self.printer_chip.setProperty("state", state)
        self.printer_icon.setPixmap(theme.icon_pixmap("printer", 30, fg))
        self.printer_box.setStyleSheet(
            f"#printerBox {{ background: {bg}; border-radius: 12px; }}"
            f" #printerChip {{ color: {fg}; background: transparent;"
            f" font-size: {theme.FONT_SMALL}px; font-weight: 600; }}")

    # === data =============================================================================
    def refresh(self) -> None:
        """Fetch the counter's ticket, who waits, and the printer, on the worker."""
        if self.counter is not None:
            self._refresh()

    def _fetch(self):
        """On the worker: the counter as it is when the fetch starts (a later sign-in or
        service change asks again); None when the staff signed out meanwhile."""
        counter, service_ids = self.counter, list(self.service_ids)
        if counter is None:
            return None
        return (self.queue.current_ticket(counter["id"]), self.queue.waiting(service_ids),
                self.ctx.office.printing.printer_state())

    def _on_refreshed(self, data) -> None:
        if data is None:
            return
        self.ticket, self.waiting, self.printer = data
        self._show_ticket()
        self._show_waiting()
        self._show_printer()

    def _on_refresh_failed(self, exc: Exception) -> None:
        log.warning("counter: refresh failed: %s", exc)
        if _unreachable(exc):
            self.set_connected(False)

    def _on_event(self, event) -> None:
        if not self.connected:
            self.set_connected(True)
        self.refresh()

    def set_connected(self, up: bool) -> None:
        self.connected = bool(up)
        self.banner.setVisible(not self.connected)
        self._update_actions()
        if up:
            self.refresh()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_actions()
        self.sign_in.set_busy(busy)

    def _act(self, fn, on_done=None, on_error=None) -> None:
        """Run one counter step on the worker; the screen shows the result or the error
        (``on_error(exc)`` may take care of an error itself by returning True)."""
        if self.busy:
            return
        self._set_busy(True)
        self.message.hide()

        def done(result) -> None:
            self._set_busy(False)
            if on_done is not None:
                on_done(result)
            self.refresh()

        def failed(exc: Exception) -> None:
            self._set_busy(False)
            if on_error is not None and on_error(exc):
                self.refresh()
                return
            self._say(self._error_text(exc))
            if _unreachable(exc):
                self.set_connected(False)
            self.refresh()

        run_op(self, fn, done, failed)

    def _say(self, text: str, role: str = "error") -> None:
        """A line under the buttons: an error (what happened, what to do) or a plain note."""
        if self.message.property("role") != role:
            self.message.setProperty("role", role)
            theme.restyle(self.message)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # === actions ==========================================================================
    def call_next(self) -> None:
        counter_id, services = self.counter["id"], list(self.service_ids)
        staff = self.staff.id or None
        self._hide_not_served()

        def not_served(exc: Exception) -> bool:
            # The office asks first (queue.next_when_called = ask): never record a service
            # that did not happen.
            if isinstance(exc, NotServedYet):
                # across the LAN the error may come back without its fields: the counter's
                # own current ticket is the one meant
                current = self.ticket
                self._ask_not_served(exc.ticket_id or (current.id if current else ""),
                                     exc.number or (current.number if current else ""))
                return True
            return False

        self._act(lambda: self.queue.call_next(counter_id, services, staff), self._called,
                  not_served)

    # --- "next" over a ticket that was only called (issue 10, item 7) -----------------------
    def _build_not_served(self, card: QVBoxLayout) -> None:
        """The question "Nomor A-012 belum dilayani. Tandai tidak hadir?", asked in the card
        (like the transfer picker, not a modal dialog: it works by touch and never blocks
        the screen)."""
        self.not_served_panel = QWidget()
        box = QVBoxLayout(self.not_served_panel)
        box.setContentsMargins(0, 0, 0, 0)
        self.not_served_label = theme.text_label("", "body")
        self.not_served_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.not_served_label.setWordWrap(True)
        row = QHBoxLayout()
        self.not_served_yes = theme.touch_button("", "danger")
        self.not_served_yes.setObjectName("notServedNoShow")
        self.not_served_no = theme.touch_button("", "secondary")
        self.not_served_no.setObjectName("notServedCancel")
        self.not_served_yes.clicked.connect(self._no_show_and_call_next)
        self.not_served_no.clicked.connect(self._hide_not_served)
        row.addWidget(self.not_served_yes)
        row.addWidget(self.not_served_no)
        box.addWidget(self.not_served_label)
        box.addLayout(row)
        self.not_served_panel.hide()
        card.addWidget(self.not_served_panel)
        self._not_served_id: str | None = None

    def _ask_not_served(self, ticket_id: str, number: str) -> None:
        self._not_served_id = ticket_id
        self.message.hide()
        self.not_served_label.setText(self.tr("Nomor {number} belum dilayani. Tandai tidak "
                                              "hadir?").format(number=number))
        self.not_served_yes.setText(self.tr("Tandai tidak hadir"))
        self.not_served_no.setText(self.tr("Batal"))
        self.not_served_panel.show()

    def _hide_not_served(self) -> None:
        self._not_served_id = None
        self.not_served_panel.hide()

    def _no_show_and_call_next(self) -> None:
        """The staff says the citizen did not come: no-show (the domain still asks for the
        office's recalls first), then call the next one."""
        ticket_id = self._not_served_id
        self._hide_not_served()
        if ticket_id is None:
            return
        counter_id, services = self.counter["id"], list(self.service_ids)
        staff = self.staff.id or None

        def step():
            self.queue.no_show(ticket_id)
            return self.queue.call_next(counter_id, services, staff)

        self._act(step, self._called)

    def _called(self, ticket) -> None:
        self.ticket = ticket
        if ticket is None:
            self._say(self.tr("Tidak ada warga yang menunggu untuk layanan loket ini."))
        self._show_ticket()

    def recall(self) -> None:
        ticket_id = self.ticket.id
        self._act(lambda: self.queue.recall(ticket_id), self._set_ticket)

    def start_service(self) -> None:
        ticket_id = self.ticket.id
        self._act(lambda: self.queue.start_service(ticket_id), self._set_ticket)

    def finish(self) -> None:
        ticket_id = self.ticket.id
        self._act(lambda: self.queue.finish(ticket_id), self._clear_ticket)

    def no_show(self) -> None:
        ticket_id = self.ticket.id
        self._act(lambda: self.queue.no_show(ticket_id), self._clear_ticket)

    def toggle_pause(self) -> None:
        paused = not self.paused
        counter_id, services = self.counter["id"], list(self.service_ids)
        staff = self.staff.id or None

        def done(_result) -> None:
            self.paused = paused
            self._show_ticket()

        self._act(lambda: self.queue.set_counter(counter_id, service_ids=services,
                                                 staff_id=staff, paused=paused), done)

    def open_transfer(self) -> None:
        if self.ticket is None:
            return
        clear_layout(self.transfer_options)
        self.transfer_buttons.clear()
        self.transfer_hint.setText(self.tr("Nomor {number} tetap dengan waktu datang "
                                           "semula, jadi tidak kehilangan giliran.").format(
                                               number=self.ticket.number))
        for service in self.service_list:
            if service.id == self.ticket.service_id:
                continue
            button = theme.touch_button(f"{service.prefix} · {service_name(service)}",
                                        "secondary")
            button.setObjectName(f"transfer-{service.id}")
            button.clicked.connect(lambda _=False, sid=service.id: self.transfer(sid))
            self.transfer_options.addWidget(button)
            self.transfer_buttons[service.id] = button
        self.stack.setCurrentWidget(self.transfer_page)

    def close_transfer(self) -> None:
        if self.stack.currentWidget() is self.transfer_page:
            self.stack.setCurrentWidget(self.console_page)

    def transfer(self, service_id: str) -> None:
        ticket_id = self.ticket.id
        self.close_transfer()

        def moved(ticket) -> None:
            self._clear_ticket(None)
            self._say(self.tr("Nomor {number} dialihkan ke layanan lain dan menunggu di "
                              "sana.").format(number=ticket.number), "large")

        self._act(lambda: self.queue.transfer(ticket_id, service_id), moved)

    def _set_ticket(self, ticket) -> None:
        self.ticket = ticket
        self._show_ticket()

    def _clear_ticket(self, _result) -> None:
        self.ticket = None
        self._show_ticket()

    def sign_out(self) -> None:
        """End the shift: the counter's session closes (statistics know who served when)."""
        counter, services = self.counter, list(self.service_ids)

        def done(_result) -> None:
            self.staff = self.counter = None
            self.ticket = None
            self.waiting = []
            self.paused = False
            self._show_header()
            self.stack.setCurrentWidget(self.sign_in)
            self.sign_in.load()

        if counter is None:
            done(None)
            return
        self._act(lambda: self.queue.set_counter(counter["id"], service_ids=services,
                                                 staff_id=None, paused=True), done)

    # === lifecycle ========================================================================
    def reset(self) -> None:
        """The idle timer. A counter's shift is not a citizen's visit: staying signed in is
        expected, so only transient things go (the transfer picker, an old message)."""
        self.close_transfer()
        self.message.hide()
        self.requests_page.reset()

    def stop(self) -> None:
        self.watcher.stop()
        self._timer.stop()


def _unreachable(exc: Exception) -> bool:
    """The edge did not answer (as opposed to refusing a step): the banner, not a message."""
    return isinstance(exc, (EdgeUnreachable, OSError))
