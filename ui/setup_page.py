"""The full-screen page of a kiosk nobody has configured yet (first boot, or after a reset).

Two people look at it. A citizen who walks up reads, calmly, that the kiosk is being set up
and where to go instead. Technician Dewi reads the device's short id (to match the one her
laptop lists), the 6-digit setup code she types into ``kiosk provision pair`` (shown large,
replaced at once when it changes, with a countdown to the next one), the address, and a QR
of all of it (segno, as the letters use: ``KIOSK-SETUP:1;id=..;fp=..;addr=..;code=..``).

SetupCode's listeners run on whichever thread changed the code (the setup service's, for
an attempt); the page takes the new code through a queued signal, so only the GUI thread
touches a widget.
"""

from __future__ import annotations

import io

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from provisioning.device import DeviceIdentity
from provisioning.first_boot import qr_text
from provisioning.setup_code import SetupCode
from ui import theme
from ui.screen import Screen

QR_SIZE = 300


def qr_pixmap(text: str, size: int = QR_SIZE) -> QPixmap:
    import segno

    qr = segno.make(text, error="m", micro=False)
    # a whole number of pixels per module: a scaled QR has uneven modules that cameras misread
    scale = max(1, size // qr.symbol_size(border=4)[0])
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


def spaced(code: str) -> str:
    """``123456`` -> ``123 456``: two groups are easier to read out and type."""
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code


def mm_ss(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))
    return f"{whole // 60}:{whole % 60:02d}"


class _CodeRelay(QObject):
    """Lives on the GUI thread; ``changed`` is emitted from any thread and queued."""

    changed = Signal(str)


class SetupPage(Screen):
    """The setup page. ``address`` is what the technician's laptop reaches (``IP:8766``);
    ``device_list`` an optional footer widget (ui.device_browser.DeviceList)."""

    def __init__(self, identity: DeviceIdentity, code: SetupCode, address: str, *,
                 device_list: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.identity = identity
        self.code = code
        self.address = address
        self.shown_code = ""
        self._alive = True
        self.setObjectName("setupPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#setupPage {{ background: {theme.BG}; }}")

        root = QVBoxLayout(self)
        root.setContentsMargins(48, 36, 48, 24)
        root.setSpacing(18)

        # --- for whoever walks up ------------------------------------------------------------
        head = QHBoxLayout()
        head.setSpacing(20)
        head.addWidget(theme.icon_label("building", 64, theme.PRIMARY),
                       alignment=Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(4)
        self.title = theme.text_label("", "title")
        self.subtitle = theme.text_label("", "large")
        self.subtitle.setStyleSheet(f"color: {theme.MUTED}; font-weight: 400;")
        words.addWidget(self.title)
        words.addWidget(self.subtitle)
        head.addLayout(words, 1)
        root.addLayout(head)

        # --- for the technician ----------------------------------------------------------------
        body = QHBoxLayout()
        body.setSpacing(24)
        panel = theme.card()
        info = QVBoxLayout(panel)
        info.setContentsMargins(32, 20, 32, 20)
        info.setSpacing(6)
        self.for_staff = theme.text_label("", "muted")
        self.for_staff.setStyleSheet(f"color: {theme.MUTED}; font-weight: 700;")
        info.addWidget(self.for_staff)
        self.id_caption = theme.text_label("", "body")
        self.id_label = QLabel(identity.short_id)
        self.id_label.setStyleSheet(f"font-size: 56px; font-weight: 800; color: {theme.TEXT};"
                                    " font-family: 'DejaVu Sans Mono', monospace;")
        info.addWidget(self.id_caption)
        info.addWidget(self.id_label)
        self.code_caption = theme.text_label("", "body")
        self.code_label = QLabel()
        self.code_label.setStyleSheet(f"font-size: 120px; font-weight: 800; color: {theme.PRIMARY};"
                                      " font-family: 'DejaVu Sans Mono', monospace;")
        self.code_label.setAccessibleName("setup code")
        info.addWidget(self.code_caption)
        info.addWidget(self.code_label)
        self.countdown = theme.text_label("", "body")
        self.countdown.setStyleSheet(f"color: {theme.MUTED};")
        info.addWidget(self.countdown)
        info.addSpacing(8)
        self.address_label = theme.text_label("", "body")
        info.addWidget(self.address_label)
        info.addStretch(1)
        body.addWidget(panel, 3)

        qr_card = theme.card()
        qr_box = QVBoxLayout(qr_card)
        qr_box.setContentsMargins(20, 20, 20, 20)
        self.qr_label = QLabel()
        self.qr_label.setFixedSize(QR_SIZE, QR_SIZE)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setAccessibleName("setup QR")
        qr_box.addWidget(self.qr_label, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.qr_caption = theme.text_label("", "muted")
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        qr_box.addWidget(self.qr_caption)
        qr_box.addStretch(1)
        body.addWidget(qr_card, 2)
        root.addLayout(body, 1)

        self.device_list = device_list
        if device_list is not None:
            root.addWidget(device_list)

        self._relay = _CodeRelay(self)
        self._relay.changed.connect(self.show_code, Qt.ConnectionType.QueuedConnection)
        code.subscribe(self._code_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.show_code(code.current())
        self.ready()

    # --- any thread -------------------------------------------------------------------------
    def _code_changed(self, new_code: str) -> None:
        if not self._alive:
            return
        try:
            self._relay.changed.emit(new_code)
        except RuntimeError:  # the page is gone; SetupCode keeps no way to unsubscribe
            self._alive = False

    # --- the GUI thread -----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Kios ini sedang disiapkan petugas"))
        self.subtitle.setText(self.tr("Silakan menuju loket untuk dilayani. Terima kasih atas "
                                      "kesabaran Anda."))
        self.for_staff.setText(self.tr("Untuk petugas teknis"))
        self.id_caption.setText(self.tr("ID perangkat"))
        self.code_caption.setText(self.tr("Kode penyiapan"))
        self.address_label.setText(self.tr("Alamat: %1").replace("%1", self.address))
        self.qr_caption.setText(self.tr("Pindai untuk menyiapkan"))
        self.tick()

    def show_code(self, new_code: str) -> None:
        """Show the current code (the one SetupCode holds now: a queued old one is skipped)
        and its QR."""
        current = self.code.current() if self._alive else new_code
        if current == self.shown_code:
            return
        self.shown_code = current
        self.code_label.setText(spaced(current))
        self.qr_label.setPixmap(qr_pixmap(qr_text(self.identity, self.address, current)))
        self.tick()

    def tick(self) -> None:
        if not self._ready:
            return
        self.code.current()    # expires an old code; the listener brings the new one
        wait = self.code.delay_s()
        if wait > 0:
            text = (self.tr("Terlalu banyak kode salah. Coba lagi dalam %1")
                    .replace("%1", mm_ss(wait)))
        else:
            text = self.tr("Kode baru dalam %1").replace("%1", mm_ss(self.code.seconds_left()))
        self.countdown.setText(text)

    def stop(self) -> None:
        self._alive = False
        self.timer.stop()
