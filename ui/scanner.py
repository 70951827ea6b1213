"""A screen that reads QR codes through the kiosk's camera: the newest picture a few times a
second, shown small as a preview and decoded; each new text is said once (``found``).

The camera (devices.camera) keeps only its newest frame on its own thread; decoding one
640x480 frame with zxing-cpp takes about a millisecond here (docs/PERFORMANCE.md), so it runs
on the GUI thread's timer and a burst of frames costs nothing. Started when the screen that
reads shows, stopped when it hides: the camera is not watched while nobody scans.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

#: How often the newest picture is looked at (5 a second: a receipt held up is read at once).
INTERVAL_MS = 200


class QrScanner(QObject):
    found = Signal(str)          # a QR text not seen in the last picture
    preview = Signal(QImage)     # the picture looked at
    state = Signal(str)          # the camera's state (devices.camera: ok, missing, ...)

    def __init__(self, camera: Any, decoder: Any, parent: QObject | None = None,
                 interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.camera = camera
        self.decoder = decoder
        self._seq: int | None = None
        self._seen: set[str] = set()
        self._state = ""
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._seen = set()
        self.camera.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.camera.stop()

    def _tick(self) -> None:
        status = self.camera.status()
        if status.state != self._state:
            self._state = status.state
            self.state.emit(status.state)
        frame = self.camera.latest()
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        from devices.camera.qimage import to_qimage

        self.preview.emit(to_qimage(frame))
        try:
            texts = set(self.decoder.decode(frame.image))
        except Exception:  # noqa: BLE001 - a bad frame must not stop the scanning
            log.exception("QR decoding failed on one frame")
            return
        for text in sorted(texts - self._seen):
            self.found.emit(text)
        self._seen = texts   # the same receipt held up says its code once, not per frame
