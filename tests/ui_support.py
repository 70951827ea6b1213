"""Helpers shared by the UI tests: a themed app, a ScreenContext over the test runtime, and the
person-like gestures (five taps on the office name, typing a PIN)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from kiosk.cli.compose import office_features
from kiosk.office import LocalOffice
from kiosk.queue.client import LocalQueue
from ui import i18n, taps, theme
from ui.context import ScreenContext


class PersonClock:
    """The clock of ``ui.taps`` in tests: every reading is a second later, as if the person
    read the screen before each tap, so a just-changed screen never swallows a test's tap.
    The double-tap test replaces it with a clock it steps itself."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


person_clock = PersonClock()
taps.set_clock(person_clock)


def make_office(runtime, printer_worker=None, queue=None) -> LocalOffice:
    """The edge's office client over the test runtime; its writes wake ``printer_worker``
    (as the composition root wakes the edge's workers); ``queue`` replaces its queue (a
    test's LocalQueue that fails on purpose, or a RemoteQueue)."""
    office = LocalOffice(runtime, office_features(),
                         on_change=printer_worker.wake if printer_worker is not None else None)
    if queue is not None:
        office.queue = queue
    return office


def make_context(runtime, printer_worker=None, queue=None, speaker=None,
                 office=None) -> ScreenContext:
    """What a screen is handed on the edge (or, with ``office``, on a LAN client)."""
    return ScreenContext(office=office or make_office(runtime, printer_worker, queue),
                         config=runtime.config, clock=runtime.clock,
                         export_dir=runtime.data_dir / "exports", speaker=speaker)


def open_shell(qtbot, ctx, role="citizen", **kwargs):
    from PySide6.QtWidgets import QApplication

    from ui.shell import Shell

    theme.apply(QApplication.instance())
    shell = Shell(ctx, role, **kwargs)
    qtbot.addWidget(shell)
    shell.resize(1280, 800)
    shell.show()
    return shell


def wait_services(qtbot, shell, count=3) -> None:
    qtbot.waitUntil(lambda: len(shell.role_screen.service_buttons) == count, timeout=5000)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def five_taps(qtbot, shell) -> None:
    for _ in range(5):
        tap(qtbot, shell.escape_corner)


def type_pin(qtbot, shell, pin: str) -> None:
    for digit in pin:
        tap(qtbot, shell.pin_pad.digit_buttons[digit])
    tap(qtbot, shell.pin_pad.ok_button)


def back_to_indonesian() -> None:
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is not None:   # a test that only ran a subprocess made none
        i18n.set_language("id")


class FlakyQueue(LocalQueue):
    """A LocalQueue whose watch loop reports the edge lost while ``down`` is set, as
    RemoteQueue does when the LAN drops."""

    def __init__(self, rt) -> None:
        super().__init__(rt)
        self.down = threading.Event()

    def watch(self, on_event, on_connection, stop, after_id=0) -> None:
        up = True
        on_connection(True)
        while not stop.is_set():
            if self.down.is_set() == up:
                up = not up
                on_connection(up)
            if up:
                for event in self.events_since(after_id):
                    after_id = event.id
                    on_event(event)
            stop.wait(0.05)
