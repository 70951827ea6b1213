"""Kiosks on the office LAN, as Qt sees them: :class:`DeviceBrowser` (the bridge) and
:class:`DeviceList` ("Perangkat di jaringan", the small list in the setup page's footer).

provisioning.discover.SetupBrowser calls back on its own resolver thread. A widget may only
be touched on the GUI thread, so the bridge re-emits every result through a signal connected
with ``Qt.QueuedConnection``: the value crosses into the GUI thread's event loop and only
there updates the bridge's table and the public signals ``found``, ``updated``, ``removed``.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from provisioning.discover import FoundDevice, SetupBrowser
from ui import theme
from ui.screen import Screen

#: How many devices the footer lists (it is a hint for the technician, not a fleet view).
MAX_SHOWN = 4


class DeviceBrowser(QObject):
    """Emits ``found(FoundDevice)``, ``updated(FoundDevice)``, ``removed(str short_id)`` on
    the GUI thread while started."""

    found = Signal(object)
    updated = Signal(object)
    removed = Signal(str)
    # what the resolver thread emits; queued into the GUI thread, then handled below
    _found_raw = Signal(object)
    _updated_raw = Signal(object)
    _removed_raw = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices: dict[str, FoundDevice] = {}
        self._browser: SetupBrowser | None = None
        self._lock = threading.Lock()
        queued = Qt.ConnectionType.QueuedConnection
        self._found_raw.connect(self._on_found, queued)
        self._updated_raw.connect(self._on_updated, queued)
        self._removed_raw.connect(self._on_removed, queued)

    def start(self, interfaces: list[str] | None = None) -> None:
        if self._browser is None:
            self._browser = SetupBrowser(interfaces=interfaces, on_found=self._emit_found,
                                         on_updated=self._emit_updated,
                                         on_removed=self._emit_removed)

    def stop(self) -> None:
        """Stop browsing (from any thread; a second call does nothing)."""
        with self._lock:
            browser, self._browser = self._browser, None
        if browser is not None:
            browser.close()

    # --- the resolver thread: emit only, never touch state or widgets ---------------------
    def _emit_found(self, device: FoundDevice) -> None:
        self._safe_emit(self._found_raw, device)

    def _emit_updated(self, device: FoundDevice) -> None:
        self._safe_emit(self._updated_raw, device)

    def _emit_removed(self, short_id: str) -> None:
        self._safe_emit(self._removed_raw, short_id)

    @staticmethod
    def _safe_emit(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the bridge was deleted while a result was on its way
            pass

    # --- the GUI thread ---------------------------------------------------------------------
    @Slot(object)
    def _on_found(self, device: FoundDevice) -> None:
        self.devices[device.short_id] = device
        self.found.emit(device)

    @Slot(object)
    def _on_updated(self, device: FoundDevice) -> None:
        self.devices[device.short_id] = device
        self.updated.emit(device)

    @Slot(str)
    def _on_removed(self, short_id: str) -> None:
        if self.devices.pop(short_id, None) is not None:
            self.removed.emit(short_id)


class DeviceList(Screen):
    """"Perangkat di jaringan": up to MAX_SHOWN kiosks (this one first, marked), and how
    many there are when more."""

    def __init__(self, browser: DeviceBrowser, own_id: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = browser
        self.own_id = own_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = theme.text_label("", "muted")
        self.title.setStyleSheet(f"font-weight: 700; color: {theme.MUTED};")
        layout.addWidget(self.title)
        # two columns: four kiosks fit the width of a 1280 px screen
        self.rows_box = QGridLayout()
        self.rows_box.setHorizontalSpacing(32)
        self.rows_box.setVerticalSpacing(0)
        self.rows_box.setColumnStretch(2, 1)
        layout.addLayout(self.rows_box)
        self.rows: list[QLabel] = []
        self.empty = theme.text_label("", "muted")
        self.rows_box.addWidget(self.empty, 0, 0)
        for signal in (browser.found, browser.updated, browser.removed):
            signal.connect(self.refresh)
        self.ready()

    def retranslate(self) -> None:
        self.empty.setText(self.tr("Mencari\u2026"))
        self.refresh()

    def line(self, device: FoundDevice) -> str:
        state = (self.tr("siap") if device.state == "provisioned"
                 else self.tr("belum disiapkan") if device.state == "unprovisioned"
                 else device.state)
        own = f" ({self.tr('perangkat ini')})" if device.short_id == self.own_id else ""
        return f"{device.short_id}{own} \u00b7 {state} \u00b7 {device.address}"

    def refresh(self, *_args) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        devices = sorted(self.browser.devices.values(),
                         key=lambda d: (d.short_id != self.own_id, d.short_id))
        title = self.tr("Perangkat di jaringan")
        self.title.setText(f"{title} ({len(devices)})" if len(devices) > MAX_SHOWN else title)
        self.empty.setVisible(not devices)
        for index, device in enumerate(devices[:MAX_SHOWN]):
            row = theme.text_label(self.line(device), "muted")
            row.setWordWrap(False)
            self.rows.append(row)
            self.rows_box.addWidget(row, index // 2, index % 2)
