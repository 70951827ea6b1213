"""The citizen kiosk: pick a service, take a number. Two taps from home to ticket.

Home (service buttons) -> service (one big "Ambil Nomor", or one of the priority lanes)
-> ticket (the number, very large; people ahead; estimated wait; whether it printed).
A full service says "kuota habis" in plain words. If the receipt has not printed within a
few seconds, or the printer reports a problem, the number stays on screen with the words to
say to the staff: the ticket exists in the database either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from kiosk.queue.errors import QuotaExhausted
from ui import i18n, taps, theme
from ui.ops import run_op
from ui.complaints import ComplaintFlow
from ui.context import ScreenContext
from ui.letters import LetterFlow
from ui.screen import Screen
from ui.status_check import StatusCheck

log = logging.getLogger(__name__)

#: Printer states in which a receipt can come out (kiosk.print_queue.PRINTABLE_STATES).
PRINTABLE = ("online", "paper_near_end")
#: States that tell us right away the receipt will not come out.
BROKEN = ("paper_out", "cover_open", "offline", "no_answer")
PRIORITY_ICONS = {"lansia": "elderly", "disabilitas": "wheelchair", "hamil": "baby"}


def service_icon(name_id: str) -> str:
    """An icon for a service from its (Indonesian) name; the service table has no icon."""
    lowered = name_id.lower()
    if "penduduk" in lowered or "ktp" in lowered or "kk" in lowered.split():
        return "id-card"
    if "surat" in lowered:
        return "document"
    if "aduan" in lowered or "keluhan" in lowered or "saran" in lowered:
        return "chat"
    return "ticket"


class ServiceButton(QPushButton):
    """A large card-like button: icon, the service's name, its short description."""

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setProperty("kind", "secondary")
        self.setMinimumHeight(128)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(f"QPushButton {{ background: {theme.SURFACE}; border: 3px solid {theme.PRIMARY};"
                           f" border-radius: 18px; padding: 12px 20px; text-align: left; }}"
                           f"QPushButton:pressed {{ background: {theme.SECONDARY}; }}")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(24)
        row.addWidget(theme.icon_label(service_icon(service.name_id), 64, theme.PRIMARY))
        texts = QVBoxLayout()
        texts.setSpacing(4)
        self.name_label = QLabel()
        self.name_label.setStyleSheet(f"font-size: {theme.FONT_LARGE + 4}px; font-weight: 700;"
                                      f" color: {theme.TEXT};")
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setStyleSheet(f"font-size: {theme.FONT_BODY}px; color: {theme.MUTED};")
        texts.addStretch()
        texts.addWidget(self.name_label)
        texts.addWidget(self.description_label)
        texts.addStretch()
        row.addLayout(texts, 1)
        self.side_label = QLabel()
        self.side_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.side_label.setStyleSheet(f"font-size: {theme.FONT_SMALL}px; color: {theme.MUTED};")
        row.addWidget(self.side_label)
        for label in (self.name_label, self.description_label, self.side_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.retranslate()

    @property
    def full(self) -> bool:
        s = self.service
        return s.daily_cap is not None and s.issued_today >= s.daily_cap

    def retranslate(self) -> None:
        s = self.service
        english = i18n.current_language() == "en"
        self.name_label.setText(s.name_en if english and s.name_en else s.name_id)
        self.description_label.setText(s.description_en if english and s.description_en
                                       else s.description_id)
        if self.full:
            self.side_label.setText(self.tr("Kuota hari ini\nsudah habis"))
            self.side_label.setStyleSheet(f"font-size: {theme.FONT_SMALL}px; color: {theme.DANGER};"
                                          " font-weight: 700;")
        else:
            self.side_label.setText(self.tr("%n orang\nmenunggu", "", s.waiting) if s.waiting else "")
        self.setAccessibleName(self.name_label.text())


@dataclass
class _TicketView:
    issued: object               # kiosk.queue.Issued
    service: object              # kiosk.queue.Service
    print_state: str = "printing"   # printing | printed | problem


class CitizenScreen(Screen):
    """The citizen kiosk's screens. ``print_wait_ms`` and ``home_after_ms`` are the waits."""

    ticket_shown = Signal(str)    # the ticket number, once it is on screen

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services_list: list = []
        self.service_buttons: list[ServiceButton] = []
        self.current_service = None
        self.ticket: _TicketView | None = None
        self._issuing = False
        self.print_wait_ms = 5000
        self.home_after_ms = 20_000
        self.problem_home_after_ms = 45_000
        self._print_deadline = 0

        self.stack = QStackedWidget(self)
        taps.guard_page_changes(self.stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.home_page = self._build_home()
        self.service_page = self._build_service_page()
        self.ticket_page = self._build_ticket_page()
        self.message_page = self._build_message_page()
        for page in (self.home_page, self.service_page, self.ticket_page, self.message_page):
            self.stack.addWidget(page)
        # Letters, complaints and the status check: their own flows, home when they finish.
        self.letters = LetterFlow(ctx)
        self.complaints = ComplaintFlow(ctx)
        self.status_check = StatusCheck(ctx)
        for flow in (self.letters, self.complaints, self.status_check):
            flow.finished.connect(self.show_home)
            self.stack.addWidget(flow)

        self.home_timer = QTimer(self)
        self.home_timer.setSingleShot(True)
        self.home_timer.timeout.connect(self.reset)
        self.print_timer = QTimer(self)
        self.print_timer.setInterval(400)
        self.print_timer.timeout.connect(self._check_print)
        self._print_elapsed = 0

        self.ready()
        self.load_services()

    # --- building ----------------------------------------------------------------------------
    def _build_home(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(16)
        self.welcome = theme.text_label("", "title")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_hint = theme.text_label("", "large")
        self.choose_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.welcome)
        layout.addWidget(self.choose_hint)
        layout.addSpacing(8)
        self.services_grid = QGridLayout()
        self.services_grid.setSpacing(20)
        layout.addLayout(self.services_grid, 1)
        self.home_status = theme.text_label("", "large")
        self.home_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.home_status)
        self.retry_button = theme.touch_button("", "primary", "sync")
        self.retry_button.clicked.connect(self.load_services)
        self.retry_button.hide()
        layout.addWidget(self.retry_button, alignment=Qt.AlignmentFlag.AlignCenter)
        # Beside the queue: a letter, a complaint, the status of either (no number needed).
        entries = QHBoxLayout()
        entries.setSpacing(20)
        self.letters_button = theme.touch_button("", "secondary", "document")
        self.complaint_button = theme.touch_button("", "secondary", "chat")
        self.status_button = theme.touch_button("", "secondary", "check")
        for button, opened in ((self.letters_button, self.open_letters),
                               (self.complaint_button, self.open_complaints),
                               (self.status_button, self.open_status_check)):
            button.setFixedHeight(96)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setStyleSheet(f"font-size: {theme.FONT_LARGE}px; font-weight: 700;")
            button.clicked.connect(opened)
            entries.addWidget(button)
        layout.addLayout(entries)
        return page

    # --- letters, complaints, status -----------------------------------------------------------
    def open_letters(self) -> None:
        self.letters.start()
        self.stack.setCurrentWidget(self.letters)

    def open_complaints(self) -> None:
        self.complaints.start()
        self.stack.setCurrentWidget(self.complaints)

    def open_status_check(self) -> None:
        self.status_check.start()
        self.stack.setCurrentWidget(self.status_check)

    def _build_service_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 16, 48, 32)
        layout.setSpacing(16)
        top = QHBoxLayout()
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.clicked.connect(self.show_home)
        top.addWidget(self.back_button)
        top.addStretch()
        layout.addLayout(top)
        head = QHBoxLayout()
        head.addStretch()
        self.service_icon = QLabel()
        head.addWidget(self.service_icon)
        head.addSpacing(12)
        self.service_title = theme.text_label("", "title")
        self.service_title.setWordWrap(False)
        head.addWidget(self.service_title)
        head.addStretch()
        layout.addLayout(head)
        self.service_description = theme.text_label("", "body")
        self.service_description.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.service_description)
        layout.addSpacing(8)
        self.take_button = theme.touch_button("", "primary", "ticket")
        self.take_button.setFixedHeight(130)
        self.take_button.setIconSize(theme.icon_pixmap("ticket", 56).size())
        self.take_button.setStyleSheet(f"font-size: {theme.FONT_TITLE}px; font-weight: 800;")
        self.take_button.clicked.connect(lambda: self.take_number(None))
        layout.addWidget(self.take_button)
        layout.addSpacing(12)
        self.priority_hint = theme.text_label("", "large")
        self.priority_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.priority_hint)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.priority_buttons: dict[str, QPushButton] = {}
        for kind in ("lansia", "disabilitas", "hamil"):
            button = theme.touch_button("", "priority", PRIORITY_ICONS[kind])
            button.setFixedHeight(110)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setStyleSheet(f"font-size: {theme.FONT_BODY + 2}px; padding: 8px 12px;")
            button.clicked.connect(lambda _=False, k=kind: self.take_number(k))
            row.addWidget(button)
            self.priority_buttons[kind] = button
        layout.addLayout(row)
        self.service_status = theme.text_label("", "large")
        self.service_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.service_status)
        layout.addStretch()
        return page

    def _build_ticket_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 16, 48, 24)
        layout.setSpacing(10)
        card = theme.card()
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 16, 32, 16)
        inner.setSpacing(4)
        self.ticket_caption = theme.text_label("", "large")
        self.ticket_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_number = theme.text_label("", "huge")
        self.ticket_number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_number.setAccessibleName("ticket-number")
        self.ticket_service = theme.text_label("", "large")
        self.ticket_service.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_priority = theme.text_label("", "body")
        self.ticket_priority.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ticket_priority.setStyleSheet(f"color: {theme.PRIORITY}; font-weight: 700;")
        for widget in (self.ticket_caption, self.ticket_number, self.ticket_service,
                       self.ticket_priority):
            inner.addWidget(widget)
        layout.addWidget(card)
        wait_row = QHBoxLayout()
        wait_row.addStretch()
        wait_row.addWidget(theme.icon_label("people", 44, theme.TEXT))
        wait_row.addSpacing(8)
        self.ticket_wait = theme.text_label("", "large")
        self.ticket_wait.setWordWrap(False)
        wait_row.addWidget(self.ticket_wait)
        wait_row.addStretch()
        layout.addLayout(wait_row)
        # Printing: a quiet line while it prints, a clear banner when it does not.
        self.print_row = QWidget()
        print_layout = QHBoxLayout(self.print_row)
        print_layout.addStretch()
        print_layout.addWidget(theme.icon_label("printer", 40, theme.MUTED))
        self.print_label = theme.text_label("", "body")
        self.print_label.setWordWrap(False)
        print_layout.addWidget(self.print_label)
        print_layout.addStretch()
        layout.addWidget(self.print_row)
        self.problem_banner = QFrame()
        self.problem_banner.setProperty("banner", "warning")
        banner = QHBoxLayout(self.problem_banner)
        banner.setContentsMargins(20, 12, 20, 12)
        banner.addWidget(theme.icon_label("warning", 56, theme.ON_WARNING))
        banner.addSpacing(12)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"font-size: {theme.FONT_LARGE - 2}px; font-weight: 700;")
        banner.addWidget(self.problem_label, 1)
        self.problem_banner.hide()
        layout.addWidget(self.problem_banner)
        layout.addStretch()
        self.done_button = theme.touch_button("", "primary", "check")
        self.done_button.setMinimumWidth(360)
        self.done_button.clicked.connect(self.reset)
        layout.addWidget(self.done_button, alignment=Qt.AlignmentFlag.AlignCenter)
        return page

    def _build_message_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(64, 32, 64, 48)
        layout.addStretch()
        layout.addWidget(theme.icon_label("warning", 96, theme.DANGER),
                         alignment=Qt.AlignmentFlag.AlignCenter)
        self.message_title = theme.text_label("", "title")
        self.message_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_body = theme.text_label("", "large")
        self.message_body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message_title)
        layout.addWidget(self.message_body)
        layout.addSpacing(24)
        self.message_button = theme.touch_button("", "primary", "home")
        self.message_button.setMinimumWidth(420)
        self.message_button.clicked.connect(self.reset)
        layout.addWidget(self.message_button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()
        self._message_kind = ""
        return page

    # --- language ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.welcome.setText(self.tr("Selamat datang"))
        self.choose_hint.setText(self.tr("Silakan sentuh layanan yang Anda perlukan."))
        self.retry_button.setText(self.tr("Coba lagi"))
        self.letters_button.setText(self.tr("Surat"))
        self.complaint_button.setText(self.tr("Pengaduan"))
        self.status_button.setText(self.tr("Cek Status"))
        self.back_button.setText(self.tr("Kembali"))
        self.take_button.setText(self.tr("Ambil Nomor"))
        self.priority_hint.setText(self.tr("Perlu didahulukan? Sentuh salah satu:"))
        self.priority_buttons["lansia"].setText(self.tr("Lansia"))
        self.priority_buttons["disabilitas"].setText(self.tr("Disabilitas"))
        self.priority_buttons["hamil"].setText(self.tr("Ibu hamil atau\nmembawa balita"))
        self.ticket_caption.setText(self.tr("Nomor antrian Anda"))
        self.done_button.setText(self.tr("Selesai"))
        self.message_button.setText(self.tr("Kembali ke awal"))
        for button in self.service_buttons:
            button.retranslate()
        self._show_home_status(self.home_status.property("why") or "")
        if self.current_service is not None:
            self._fill_service_page()
        if self.ticket is not None:
            self._fill_ticket_page()
        if self._message_kind:
            self._fill_message(self._message_kind)

    def _name(self, service) -> str:
        if i18n.current_language() == "en" and service.name_en:
            return service.name_en
        return service.name_id

    # --- home --------------------------------------------------------------------------------
    def load_services(self) -> None:
        self._show_home_status("loading" if not self.service_buttons else "")
        run_op(self, self.ctx.office.queue.list_services, self._services_loaded, self._services_failed)

    def _services_loaded(self, services: list) -> None:
        self.services_list = list(services)
        for button in self.service_buttons:
            self.services_grid.removeWidget(button)
            button.deleteLater()
        self.service_buttons = []
        columns = 1 if len(services) <= 4 else 2
        for index, service in enumerate(services):
            button = ServiceButton(service)
            button.clicked.connect(lambda _=False, s=service: self.choose_service(s))
            self.services_grid.addWidget(button, index // columns, index % columns)
            self.service_buttons.append(button)
        self._show_home_status("" if services else "empty")

    def _services_failed(self, exc: Exception) -> None:
        log.error("could not list services: %s", exc)
        self._show_home_status("error")

    def _show_home_status(self, why: str) -> None:
        self.home_status.setProperty("why", why)
        texts = {
            "loading": self.tr("Mohon tunggu sebentar\u2026"),
            "empty": self.tr("Belum ada layanan yang dibuka hari ini. Silakan tanyakan ke petugas."),
            "error": self.tr("Daftar layanan belum dapat ditampilkan. Silakan coba lagi "
                             "atau tanyakan ke petugas."),
        }
        self.home_status.setText(texts.get(why, ""))
        self.home_status.setVisible(bool(why))
        self.retry_button.setVisible(why == "error")

    def show_home(self) -> None:
        """Home, with the service list read again: services the city changed (pulled by
        the sync worker into the database) show on the next return, without a restart."""
        self.current_service = None
        self.service_status.setText("")
        self.stack.setCurrentWidget(self.home_page)
        self.load_services()

    # --- service -----------------------------------------------------------------------------
    def choose_service(self, service) -> None:
        self.current_service = service
        if service.daily_cap is not None and service.issued_today >= service.daily_cap:
            self._show_message("quota")  # say it at once rather than after a second tap
            return
        self._issuing = False
        self.service_status.setText("")
        self._set_issue_buttons_enabled(True)
        self._fill_service_page()
        self.stack.setCurrentWidget(self.service_page)

    def _fill_service_page(self) -> None:
        s = self.current_service
        self.service_icon.setPixmap(theme.icon_pixmap(service_icon(s.name_id), 64, theme.PRIMARY))
        self.service_title.setText(self._name(s))
        english = i18n.current_language() == "en"
        self.service_description.setText(s.description_en if english and s.description_en
                                         else s.description_id)
        if self._issuing:
            self.service_status.setText(self.tr("Mohon tunggu, nomor Anda sedang dibuat\u2026"))

    def _set_issue_buttons_enabled(self, enabled: bool) -> None:
        self.take_button.setEnabled(enabled)
        self.back_button.setEnabled(enabled)
        for button in self.priority_buttons.values():
            button.setEnabled(enabled)

    def take_number(self, priority: str | None) -> None:
        """The second tap: issue the ticket on the worker; never twice for one tap."""
        if self._issuing or self.current_service is None:
            return
        self._issuing = True
        self._set_issue_buttons_enabled(False)
        self._fill_service_page()
        service = self.current_service
        run_op(self, lambda: self.ctx.office.queue.issue_ticket(service.id, priority),
               lambda issued: self._issued(issued, service), self._issue_failed)

    def _issued(self, issued, service) -> None:
        self._issuing = False
        self._set_issue_buttons_enabled(True)
        self.ticket = _TicketView(issued, service)
        self._fill_ticket_page()
        self.stack.setCurrentWidget(self.ticket_page)
        self.ticket_shown.emit(issued.ticket.number)
        self._print_elapsed = 0
        self.print_timer.start()
        self.home_timer.start(self.home_after_ms)

    def _issue_failed(self, exc: Exception) -> None:
        self._issuing = False
        self._set_issue_buttons_enabled(True)
        if isinstance(exc, QuotaExhausted):
            self._show_message("quota")
        else:
            log.error("could not issue a ticket: %s", exc)
            self._show_message("error")

    # --- messages ----------------------------------------------------------------------------
    def _show_message(self, kind: str) -> None:
        self._message_kind = kind
        self._fill_message(kind)
        self.stack.setCurrentWidget(self.message_page)
        self.home_timer.start(self.home_after_ms)

    def _fill_message(self, kind: str) -> None:
        name = self._name(self.current_service) if self.current_service is not None else ""
        if kind == "quota":
            self.message_title.setText(self.tr("Maaf, kuota habis"))
            self.message_body.setText(
                self.tr("Kuota layanan %1 untuk hari ini sudah habis. Silakan datang kembali "
                        "besok, atau tanyakan ke petugas.").replace("%1", name))
        else:
            self.message_title.setText(self.tr("Maaf, nomor belum dapat dibuat"))
            self.message_body.setText(self.tr("Silakan coba sekali lagi. Jika masih gagal, "
                                              "silakan sampaikan ke petugas."))

    # --- ticket ------------------------------------------------------------------------------
    def _fill_ticket_page(self) -> None:
        view = self.ticket
        issued = view.issued
        ticket = issued.ticket
        self.ticket_number.setText(ticket.number)
        self.ticket_service.setText(self._name(view.service))
        priority_names = {"lansia": self.tr("Lansia"), "disabilitas": self.tr("Disabilitas"),
                          "hamil": self.tr("Ibu hamil atau membawa balita")}
        if ticket.priority:
            self.ticket_priority.setText(self.tr("Prioritas: %1").replace(
                "%1", priority_names.get(ticket.priority, ticket.priority)))
        self.ticket_priority.setVisible(bool(ticket.priority))
        self.ticket_wait.setText(self.wait_text(issued.people_ahead, issued.estimated_wait_min))
        printing = {"printing": self.tr("Tiket Anda sedang dicetak\u2026"),
                    "printed": self.tr("Silakan ambil tiket Anda di bawah layar. Terima kasih."),
                    "problem": ""}
        self.print_label.setText(printing[view.print_state])
        self.print_row.setVisible(view.print_state != "problem")
        self.problem_label.setText(
            self.tr("Printer sedang bermasalah. Nomor Anda: %1. Silakan sampaikan ke petugas.")
            .replace("%1", ticket.number))
        self.problem_banner.setVisible(view.print_state == "problem")

    def wait_text(self, people_ahead: int, minutes: int | None) -> str:
        if people_ahead <= 0:
            return self.tr("Tidak ada antrian di depan Anda. Mohon tunggu panggilan.")
        ahead = self.tr("%n orang di depan Anda", "", people_ahead)
        if minutes is None:
            return ahead
        if minutes <= 1:
            return self.tr("%1, perkiraan kurang dari 1 menit").replace("%1", ahead)
        return self.tr("%1, perkiraan %n menit", "", minutes).replace("%1", ahead)

    def _check_print(self) -> None:
        view = self.ticket
        if view is None or view.print_state != "printing":
            self.print_timer.stop()
            return
        self._print_elapsed += self.print_timer.interval()
        job_id = view.issued.print_job_id
        run_op(self, lambda: self._print_status(job_id),
               lambda result: self._print_checked(view, result), lambda exc: None)

    def _print_status(self, job_id: str) -> tuple[str, str]:
        """(job status, printer state), read on the worker."""
        printing = self.ctx.office.printing
        return printing.job_status(job_id), printing.printer_state().get("state", "unknown")

    def _print_checked(self, view: _TicketView, result: tuple[str, str]) -> None:
        if view is not self.ticket or view.print_state != "printing":
            return
        job, state = result
        if job == "done":
            view.print_state = "printed"
        elif state in BROKEN or job == "cancelled" or self._print_elapsed >= self.print_wait_ms:
            view.print_state = "problem"
            self.home_timer.start(self.problem_home_after_ms)
        else:
            return
        self.print_timer.stop()
        self._fill_ticket_page()

    # --- idle --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the service list, with nothing of the last person left on screen."""
        self.home_timer.stop()
        self.print_timer.stop()
        self.ticket = None
        self._issuing = False
        self._message_kind = ""
        self.ticket_number.setText("")
        self.ticket_wait.setText("")
        self.problem_label.setText("")
        for flow in (self.letters, self.complaints, self.status_check):
            flow.reset()
        self.show_home()
