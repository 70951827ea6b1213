"""The counter's "Permohonan" page: the office's letter requests, processed by its staff.

The list shows the open requests of one status, oldest first, with their age. Opening one
shows every answer (NIK and KK masked, as on every screen) and the documents to bring, each
with a tick: "Sudah diperiksa" (verified) needs all of them ticked, and a letter is approved
(numbered, sealed) only after that: it is checked before it is valid. Each step goes through the office client (``office.requests`` /
``office.letters``), so a staff PC across the LAN works as the edge does, and each is an
event written through the outbox on the edge. Staff PCs have a keyboard: the reason of a
refusal is typed there.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QGridLayout, QHBoxLayout,
                               QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ui import theme
from ui.context import ScreenContext
from ui.counter_sign_in import clear_layout
from ui.errors import error_text
from ui.input_parts import Bilingual
from ui.letters import shown_value
from ui.ops import run_op
from ui.screen import Coalesced, Screen

log = logging.getLogger(__name__)

#: The statuses the page lists, in the order of the work.
TABS = ("submitted", "checking", "awaiting_signature", "ready")
#: Rows shown at once (oldest first: the ones waiting longest).
LIST_ROWS = 8
#: The row of statuses: still a full touch target, with words that fit five across.
_COMPACT = (f"QPushButton {{ font-size: {theme.FONT_BODY}px; padding: 4px 10px; }}"
            f" QPushButton:checked {{ background: {theme.PRIMARY}; color: {theme.ON_PRIMARY}; }}")


class RequestsPanel(Screen):
    """``back`` when the staff member returns to the queue console."""

    back = Signal()
    #: a ticket was called from here (the console shows it)
    called = Signal(object)

    def __init__(self, ctx: ScreenContext, staff_id: Any = None, counter_id: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id            # a callable giving the signed-in staff id, or None
        self.counter_id = counter_id        # a callable giving this counter's id, or None
        self.status = TABS[0]
        self.rows: list[dict] = []
        self.request: Any | None = None
        self.letter_type: Any | None = None
        self.types: dict[str, Any] = {}
        self.busy = False
        self._load = Coalesced(self, self._fetch, self._loaded, self._failed)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 10, 24, 12)
        outer.setSpacing(8)
        # One row: the statuses to list, and the way back (the page's room is for the request).
        tabs = QHBoxLayout()
        tabs.setSpacing(10)
        self.tab_group = QButtonGroup(self)
        self.tab_buttons: dict[str, QPushButton] = {}
        for status in TABS:
            button = theme.touch_button("", "secondary")
            button.setStyleSheet(_COMPACT)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, s=status: self.show_status(s))
            self.tab_group.addButton(button)
            tabs.addWidget(button)
            self.tab_buttons[status] = button
        self.tab_buttons[self.status].setChecked(True)
        self.back_button = theme.touch_button("", "secondary", "back")
        self.back_button.setStyleSheet(_COMPACT)
        self.back_button.clicked.connect(self.back)
        tabs.addWidget(self.back_button)
        outer.addLayout(tabs)

        body = QHBoxLayout()
        body.setSpacing(16)
        self.list_layout = QVBoxLayout()
        self.list_layout.setSpacing(6)
        left = QWidget()
        left.setLayout(self.list_layout)
        left.setFixedWidth(380)
        body.addWidget(left, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.setSpacing(6)
        self.detail_title = theme.text_label("", "large")
        right.addWidget(self.detail_title)
        self.detail_status = theme.text_label("", "muted")
        right.addWidget(self.detail_status)
        self.checks_area = QScrollArea()
        self.checks_area.setWidgetResizable(True)
        checks = QWidget()
        self.checks_grid = QGridLayout(checks)
        self.checks_grid.setVerticalSpacing(4)
        # Ticks a finger can hit (a checkbox's own box is a mouse-sized 13 px).
        checks.setStyleSheet(f"QCheckBox {{ font-size: {theme.FONT_BODY}px; spacing: 12px; }}"
                             " QCheckBox::indicator { width: 30px; height: 30px; }")
        self.checks_area.setWidget(checks)
        right.addWidget(self.checks_area, 1)
        self.reason_edit = QLineEdit()
        self.reason_edit.setMinimumHeight(theme.TOUCH_MIN)
        self.reason_edit.setMaxLength(300)
        # The citizen came with a queue number: call exactly that one to this counter.
        call_row = QHBoxLayout()
        call_row.addWidget(self.reason_edit, 3)
        self.ticket_edit = QLineEdit()
        self.ticket_edit.setMinimumHeight(theme.TOUCH_MIN)
        self.ticket_edit.setMaxLength(8)
        self.ticket_edit.returnPressed.connect(self.call_citizen)
        call_row.addWidget(self.ticket_edit, 2)
        self.call_button = theme.touch_button("", "primary", "people")
        self.call_button.clicked.connect(self.call_citizen)
        call_row.addWidget(self.call_button)
        right.addLayout(call_row)
        self.message = theme.text_label("", "error")
        self.message.hide()
        right.addWidget(self.message)
        actions = QGridLayout()
        actions.setSpacing(8)
        self.action_buttons: dict[str, QPushButton] = {}
        for index, (action, kind, icon) in enumerate((("checking", "secondary", "document"),
                                                      ("approve", "success", "check"),
                                                      ("rejected", "danger", "warning"),
                                                      ("change", "secondary", "back"),
                                                      ("ready", "primary", "building"),
                                                      ("collected", "secondary", "people"))):
            button = theme.touch_button("", kind, icon)
            button.clicked.connect(lambda _=False, a=action: self.act(a))
            actions.addWidget(button, index // 3, index % 3)
            self.action_buttons[action] = button
        right.addLayout(actions)
        body.addLayout(right, 1)
        outer.addLayout(body, 1)
        self.checks: list[QCheckBox] = []
        self.ready()

    # --- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._load()

    def _fetch(self):
        requests = self.ctx.office.requests
        if not self.types:
            self.types = {t.code: t for t in requests.list_letter_types()}
        return requests.list_requests(self.status, LIST_ROWS)

    def _loaded(self, rows: list[dict]) -> None:
        self.rows = rows
        self._fill_list()
        self.message.hide()

    def _failed(self, exc: Exception) -> None:
        self._say(error_text(exc))

    def show_status(self, status: str) -> None:
        self.status = status
        self.tab_buttons[status].setChecked(True)
        self.request = None
        self._fill_detail()
        self.refresh()

    def open(self, code: str) -> None:
        requests = self.ctx.office.requests
        run_op(self, lambda: requests.get_request(code), self._opened, self._failed)

    def _opened(self, request: Any) -> None:
        self.request = request
        self.letter_type = self.types.get(request.type_code)
        self.reason_edit.clear()
        self._fill_detail()

    # --- steps -----------------------------------------------------------------------------
    def act(self, action: str) -> None:
        """One step of the request's life, on the edge; the list and the request follow."""
        if self.busy or self.request is None:
            return
        reason = self.reason_edit.text().strip() or None
        if action in ("rejected", "change") and not reason:
            self._say(self.tr("Tulis alasannya dulu; pemohon akan membacanya."))
            self.reason_edit.setFocus()
            return
        if action == "checking" and not all(box.isChecked() for box in self.checks):
            self._say(self.tr("Centang setiap isian dan dokumen yang sudah diperiksa dulu."))
            return
        letters, code = self.ctx.office.letters, self.request.code
        staff = self.staff_id() if callable(self.staff_id) else self.staff_id
        ticks = {box.property("item"): True for box in self.checks}

        def step():
            if action == "checking":          # verified: every answer and document ticked
                return letters.verify_request(code, ticks, staff_id=staff)
            if action == "approve":           # the letter is issued: number, seal, PDF
                return letters.approve_request(code, staff_id=staff)
            if action == "rejected":
                return letters.reject_request(code, reason, staff_id=staff)
            if action == "change":            # back to the citizen for a correction
                return letters.request_change(code, reason, staff_id=staff)
            if action == "ready":
                return letters.mark_ready(code, staff_id=staff)
            return letters.mark_collected(code, staff_id=staff)

        self.busy = True
        self._fill_actions()
        run_op(self, step, self._acted, self._act_failed)

    def _acted(self, _result: Any) -> None:
        self.busy = False
        code = self.request.code if self.request is not None else None
        self.refresh()
        if code is not None:
            self.open(code)

    def _act_failed(self, exc: Exception) -> None:
        self.busy = False
        self._fill_actions()
        self._say(error_text(exc))

    def call_citizen(self) -> None:
        """Call the ticket number the staff member typed (the citizen whose request is open)
        to this counter, out of turn; the console then shows it."""
        number = self.ticket_edit.text().strip()
        counter = self.counter_id() if callable(self.counter_id) else self.counter_id
        if not number or counter is None or self.busy:
            return
        queue = self.ctx.office.queue
        staff = self.staff_id() if callable(self.staff_id) else self.staff_id
        self.busy = True

        def done(ticket: Any) -> None:
            self.busy = False
            self.ticket_edit.clear()
            self._fill_actions()
            self.called.emit(ticket)

        def failed(exc: Exception) -> None:
            self.busy = False
            self._fill_actions()
            self._say(error_text(exc))

        run_op(self, lambda: queue.call_ticket(counter, number, staff), done, failed)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- showing ---------------------------------------------------------------------------
    def _fill_list(self) -> None:
        clear_layout(self.list_layout)
        now_ms = self.ctx.clock.now().wall_ms
        for row in self.rows:
            letter = self.types.get(row["type_code"])
            name = Bilingual(letter.name_id, letter.name_en).text() if letter else row["type_code"]
            age = self._age((now_ms - row["created_ms"]) / 1000)
            button = theme.touch_button(f"{row['code']} \u00b7 {row['name'] or ''}\n"
                                        f"{name} \u00b7 {age}", "secondary")
            button.setObjectName(f"request-{row['code']}")
            button.setStyleSheet(f"text-align: left; font-size: {theme.FONT_SMALL}px;"
                                 " padding: 6px 12px;")
            button.clicked.connect(lambda _=False, c=row["code"]: self.open(c))
            self.list_layout.addWidget(button)
        if not self.rows:
            self.list_layout.addWidget(theme.text_label(self.tr("Tidak ada permohonan."), "muted"))
        self.list_layout.addStretch()

    def _age(self, seconds: float) -> str:
        minutes = max(0, int(seconds // 60))
        if minutes < 60:
            return self.tr("%n menit", "", minutes)
        hours = minutes // 60
        if hours < 48:
            return self.tr("%n jam", "", hours)
        return self.tr("%n hari", "", hours // 24)

    def _fill_detail(self) -> None:
        clear_layout(self.checks_grid)
        self.checks = []
        request, letter = self.request, self.letter_type
        if request is None:
            self.detail_title.setText(self.tr("Pilih permohonan di kiri."))
            self.detail_status.setText("")
            self._fill_actions()
            return
        name = Bilingual(letter.name_id, letter.name_en).text() if letter else request.type_code
        self.detail_title.setText(f"{request.code} \u00b7 {name}")
        self.detail_status.setText(self._status_words(request.status))
        answers = {**request.applicant, **request.details}
        specs = letter.all_fields() if letter else ()
        row = 0
        for spec in specs:
            if spec.key not in answers or answers[spec.key] in (None, ""):
                continue
            box = QCheckBox(f"{Bilingual(spec.label_id, spec.label_en).text()}: "
                            f"{shown_value(spec, str(answers[spec.key]))}")
            box.setObjectName(f"check-{spec.key}")
            box.setProperty("item", spec.key)           # kiosk.letters.issuing.checklist_of
            self.checks_grid.addWidget(box, row, 0)
            self.checks.append(box)
            row += 1
        documents = (letter.documents_id if letter else ())
        for index, document in enumerate(documents):
            box = QCheckBox(self.tr("Dokumen: %1").replace("%1", document))
            box.setObjectName(f"check-document-{index}")
            box.setProperty("item", document)
            self.checks_grid.addWidget(box, row, 0)
            self.checks.append(box)
            row += 1
        self._fill_actions()

    def _fill_actions(self) -> None:
        from kiosk.letters.models import TRANSITIONS

        status = self.request.status if self.request is not None else None
        allowed = set(TRANSITIONS.get(status, ())) if status else set()
        for action, button in self.action_buttons.items():
            if action == "change":
                button.setEnabled(not self.busy and status in ("submitted", "checking"))
                continue
            wanted = "awaiting_signature" if action == "approve" else action
            button.setEnabled(not self.busy and wanted in allowed)

    def _status_words(self, status: str) -> str:
        words = {"submitted": self.tr("Baru masuk"), "checking": self.tr("Sedang diperiksa"),
                 "awaiting_signature": self.tr("Menunggu tanda tangan"),
                 "ready": self.tr("Siap diambil"), "collected": self.tr("Sudah diambil"),
                 "rejected": self.tr("Ditolak"), "cancelled": self.tr("Dibatalkan")}
        return words.get(status, status)

    # --- Screen ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.back_button.setText(self.tr("Kembali ke antrian"))
        for status, button in self.tab_buttons.items():
            button.setText(self._status_words(status))
        self.reason_edit.setPlaceholderText(self.tr("Alasan (wajib bila menolak atau meminta "
                                                    "perbaikan)"))
        self.ticket_edit.setPlaceholderText(self.tr("Nomor antrian, mis. B-014"))
        self.call_button.setText(self.tr("Panggil"))
        labels = {"checking": self.tr("Sudah diperiksa"), "approve": self.tr("Setujui"),
                  "rejected": self.tr("Tolak"), "change": self.tr("Minta perbaikan"),
                  "ready": self.tr("Siap diambil"),
                  "collected": self.tr("Sudah diambil")}
        for action, button in self.action_buttons.items():
            button.setText(labels[action])
        if self.rows:
            self._fill_list()
        self._fill_detail()

    def reset(self) -> None:
        """Idle: nothing of a citizen's request stays open on a counter left alone."""
        self.request = None
        self.reason_edit.clear()
        self.message.hide()
        self._fill_detail()
