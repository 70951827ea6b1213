"""The counter's sign-in page: who is on duty, at which counter, serving which services.

Its own widget so the console (ui/counter.py) is only the console: the page reads the roster,
the counters and the services from the office (over the LAN on a staff PC), lets the staff
member choose by touch, and says :attr:`SignInPage.start` with the choice; the console opens
the counter's session on the edge and shows an error back here if that fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui import theme
from ui.context import ScreenContext
from ui.ops import run_op
from ui.screen import Screen

#: The sign-in choice when no employee list is available; signs in with staff_id None.
UNNAMED = ""
#: A failed read of the roster is tried again after this long.
RETRY_MS = 3000


@dataclass(frozen=True)
class Employee:
    id: str
    name: str
    nip: str


def load_employees(ctx: ScreenContext) -> list[Employee]:
    """Active employees, for the sign-in page (from the edge when across the LAN)."""
    return [Employee(e["id"], e["name"], e.get("nip") or "") for e in ctx.office.queue.employees()]


def choice_button(text: str, parent: QWidget | None = None) -> QPushButton:
    """A checkable touch button that looks chosen when checked."""
    button = theme.touch_button(text, "secondary", parent=parent)
    button.setCheckable(True)

    def on_toggle(checked: bool) -> None:
        button.setProperty("kind", "primary" if checked else "secondary")
        theme.restyle(button)

    button.toggled.connect(on_toggle)
    return button


def clear_layout(layout) -> None:
    """Remove and delete every widget (and nested layout) of ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class SignInPage(Screen):
    """Three choices and "Mulai Bertugas". ``error_text`` words a failure the way the console
    does (an unreachable edge, a refused step)."""

    #: (Employee, counter dict, [service ids]) when the staff member starts the shift.
    start = Signal(object, object, list)

    def __init__(self, ctx: ScreenContext, error_text: Callable[[Exception], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._error_text = error_text
        self.employees: list[Employee] = []
        self.counters: list[dict] = []
        self.service_list: list = []
        self.busy = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        layout.setSpacing(10)
        self.sign_in_title = theme.text_label("", "title")
        layout.addWidget(self.sign_in_title)
        self.staff_heading = theme.text_label("", "large")
        layout.addWidget(self.staff_heading)
        self.staff_grid = QGridLayout()
        self.staff_grid.setSpacing(12)
        layout.addLayout(self.staff_grid)
        self.counter_heading = theme.text_label("", "large")
        layout.addWidget(self.counter_heading)
        self.counter_row = QHBoxLayout()
        self.counter_row.setSpacing(12)
        layout.addLayout(self.counter_row)
        self.services_heading = theme.text_label("", "large")
        layout.addWidget(self.services_heading)
        self.services_row = QGridLayout()
        self.services_row.setSpacing(12)
        layout.addLayout(self.services_row)
        layout.addStretch(1)
        self.sign_in_error = theme.text_label("", "error")
        self.sign_in_error.hide()
        layout.addWidget(self.sign_in_error)
        self.start_button = theme.touch_button("", "primary", "check")
        icon = self.start_button.icon()
        icon.addPixmap(theme.icon_pixmap("check", theme.ICON, theme.MUTED), QIcon.Mode.Disabled)
        self.start_button.setIcon(icon)
        self.start_button.setObjectName("startShift")
        self.start_button.clicked.connect(self._start)
        layout.addWidget(self.start_button)
        self.staff_group = QButtonGroup(self)
        self.staff_group.setExclusive(True)
        self.counter_group = QButtonGroup(self)
        self.counter_group.setExclusive(True)
        self.staff_buttons: dict[str, QPushButton] = {}
        self.counter_buttons: dict[str, QPushButton] = {}
        self.service_buttons: dict[str, QPushButton] = {}
        self.ready()

    def retranslate(self) -> None:
        self.sign_in_title.setText(self.tr("Masuk Loket"))
        self.staff_heading.setText(self.tr("1. Siapa yang bertugas?"))
        self.counter_heading.setText(self.tr("2. Di loket mana?"))
        self.services_heading.setText(self.tr("3. Layanan yang dilayani"))
        self.start_button.setText(self.tr("Mulai Bertugas"))

    def load(self) -> None:
        """Read the roster, counters and services on the worker."""
        queue = self.ctx.office.queue

        def fetch():
            return load_employees(self.ctx), queue.counters(), queue.list_services()

        run_op(self, fetch, self._show, self._load_failed)

    def _show(self, data) -> None:
        self.employees, self.counters, self.service_list = data
        for layout in (self.staff_grid, self.counter_row, self.services_row):
            clear_layout(layout)
        for group in (self.staff_group, self.counter_group):
            for button in group.buttons():
                group.removeButton(button)
        self.staff_buttons.clear()
        self.counter_buttons.clear()
        self.service_buttons.clear()
        if not self.employees:
            # No roster reachable (e.g. a console across the LAN whose edge does not share
            # it): staff can still work, unnamed, rather than be locked out of the queue.
            self.employees = [Employee(UNNAMED, self.tr("Petugas loket"), "")]
        # Columns grow with the roster so a larger office still fits on one screen.
        columns = 2 if len(self.employees) <= 4 else 3 if len(self.employees) <= 9 else 4
        for i, employee in enumerate(self.employees):
            button = choice_button(employee.name)
            button.setObjectName(f"staff-{employee.id}")
            button.toggled.connect(self._update_start_button)
            self.staff_group.addButton(button)
            self.staff_grid.addWidget(button, i // columns, i % columns)
            self.staff_buttons[employee.id] = button
        for counter in self.counters:
            button = choice_button(counter.get("name") or
                                   self.tr("Loket {n}").format(n=counter["number"]))
            button.setObjectName(f"counter-{counter['id']}")
            button.toggled.connect(self._update_start_button)
            self.counter_group.addButton(button)
            self.counter_row.addWidget(button)
            self.counter_buttons[counter["id"]] = button
        for i, service in enumerate(self.service_list):
            button = choice_button(f"{service.prefix} · {service_name(service)}")
            button.setObjectName(f"service-{service.id}")
            button.setChecked(True)           # a counter usually serves everything
            button.toggled.connect(self._update_start_button)
            self.services_row.addWidget(button, i // 3, i % 3)
            self.service_buttons[service.id] = button
        self.sign_in_error.hide()
        self._update_start_button()

    def _load_failed(self, exc: Exception) -> None:
        self.show_error(self._error_text(exc))
        QTimer.singleShot(RETRY_MS, self, self.load)

    def show_error(self, text: str) -> None:
        self.sign_in_error.setText(text)
        self.sign_in_error.show()

    def chosen(self) -> tuple[Employee | None, dict | None, list[str]]:
        staff = next((e for e in self.employees if self.staff_buttons[e.id].isChecked()), None)
        counter = next((c for c in self.counters if self.counter_buttons[c["id"]].isChecked()),
                       None)
        services = [sid for sid, b in self.service_buttons.items() if b.isChecked()]
        return staff, counter, services

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_start_button()

    def _update_start_button(self, *_args) -> None:
        staff, counter, services = self.chosen()
        self.start_button.setEnabled(bool(staff and counter and services) and not self.busy)

    def _start(self) -> None:
        staff, counter, services = self.chosen()
        if staff and counter and services and not self.busy:
            self.start.emit(staff, counter, services)


def service_name(service) -> str:
    """A service's name in the screen's language."""
    from ui.i18n import current_language

    return service.name_en if current_language() == "en" and service.name_en \
        else service.name_id
