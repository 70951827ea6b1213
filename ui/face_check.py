"""The attendance terminal's face step: the head-turn challenge on the live camera, then the
embedding of the best frontal picture seen (devices.face), without blocking the screen.

Ten times a second the newest camera picture is handed to one worker thread (never queued:
a picture still being looked at makes the next tick skip), which finds the faces on a
320-pixel-wide copy (YuNet, about 2.5 ms here) and sends the largest back; the GUI thread
feeds it to ``HeadTurn`` and keeps the most frontal picture. The embedding (dlib, about
75 ms here, 0.4-0.7 s on a Raspberry Pi 4) is computed once, after the challenge ended:
dlib holds Python's GIL while it computes, so doing it during the challenge would freeze
the preview the person is following. The worker is shared by every FaceCheck, so the
engine (not thread-safe) is only ever used from that one thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import cv2
from PySide6.QtCore import QObject, QTimer, Signal

from devices.face import Face, HeadTurn, yaw
from devices.face.liveness import FAILED, FRONTAL_MAX, PASSED, WAITING

log = logging.getLogger(__name__)

#: Faces are looked for on a copy this wide (the benchmark's 320x240).
DETECT_WIDTH = 320
INTERVAL_MS = 100

_WORKER: ThreadPoolExecutor | None = None


def face_worker() -> ThreadPoolExecutor:
    """The one thread every use of the face engine runs on (the terminal's challenge, the
    admin's enrolment captures): the engine is not thread-safe, and the GUI never waits."""
    global _WORKER
    if _WORKER is None:
        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="face")
    return _WORKER


_worker = face_worker   # the name ui.admin_faces (h-face-domain) calls


def largest_face(engine: Any, image) -> Face | None:
    """The largest face of a camera picture, found on a DETECT_WIDTH copy, in the picture's
    own pixels."""
    width = image.shape[1]
    if width > DETECT_WIDTH:
        factor = width / DETECT_WIDTH
        small = cv2.resize(image, (DETECT_WIDTH, round(image.shape[0] / factor)),
                           interpolation=cv2.INTER_AREA)
    else:
        factor, small = 1.0, image
    faces = engine.detect(small)
    return faces[0].scaled(factor) if faces else None


def snapshot_jpeg(image: Any, width: int = 320) -> bytes | None:
    """The picture as a small JPEG for the office's audit snapshot (320 px wide: enough to
    tell who stood there, ~15 kB), None when it cannot be encoded."""
    import cv2

    height, current = image.shape[:2]
    if current > width:
        image = cv2.resize(image, (width, max(1, height * width // current)),
                           interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return encoded.tobytes() if ok else None


class FaceCheck(QObject):
    """One challenge on the camera. ``face_seen`` after each picture looked at (the largest
    face in picture pixels, or None); ``finished(passed, embedding)`` once, where the
    embedding (128 floats) is of the most frontal picture seen, or None when no face was
    ever seen looking at the camera."""

    face_seen = Signal(object)
    finished = Signal(bool, object)
    _looked = Signal(object, object)      # (frame, Face | None) from the worker
    _embedded = Signal(object)            # list[float] | Exception from the worker

    def __init__(self, engine: Any, camera: Any, direction: str, parent: QObject | None = None,
                 *, timeout_s: float = 6.0, interval_ms: int = INTERVAL_MS,
                 monotonic: Callable[[], float] = time.monotonic,
                 snapshot: bool = False) -> None:
        super().__init__(parent)
        #: Whether to keep the verified picture as a JPEG (the office's audit snapshot);
        #: :attr:`snapshot_jpeg` holds it when ``finished`` is emitted, else None.
        self.snapshot = snapshot
        self.snapshot_jpeg: bytes | None = None
        self.engine = engine
        self.camera = camera
        self.challenge = HeadTurn(direction, timeout_s=timeout_s, monotonic=monotonic)
        self._seq: int | None = None
        self._looking = False
        self._best: tuple[float, Any, Face] | None = None   # (|yaw|, frame image, face)
        self._done = False
        self._passed = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._looked.connect(self._on_looked)
        self._embedded.connect(self._on_embedded)

    @property
    def direction(self) -> str:
        return self.challenge.direction

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        """Stop without an answer (the screen was left)."""
        self._done = True
        self._timer.stop()

    # -- GUI thread ------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._done:
            return
        if self.challenge.expired() != WAITING:
            self._end()
            return
        if self._looking:
            return
        frame = self.camera.latest()
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        self._looking = True
        face_worker().submit(self._look, frame.image)

    def _on_looked(self, image: Any, face: Face | None) -> None:
        self._looking = False
        if self._done:
            return
        state = self.challenge.feed(face)
        if not self.challenge.seen_frontal:
            self._best = None      # the track started over: a frontal picture of this face only
        if face is not None:
            turn = abs(yaw(face))
            if self.challenge.seen_frontal and turn <= FRONTAL_MAX and (
                    self._best is None or turn < self._best[0]):
                self._best = (turn, image, face)
        self.face_seen.emit(face)
        if state != WAITING:
            self._end()

    def _end(self) -> None:
        self._timer.stop()
        self._done = True
        passed = self.challenge.state == PASSED
        log.info("face challenge %s: %s (last yaw %s)", self.direction,
                 "passed" if passed else FAILED, self.challenge.last_yaw)
        if self._best is None:
            self.finished.emit(passed, None)
            return
        _, image, face = self._best
        self._best = None          # the picture is not kept longer than needed
        self._passed = passed
        face_worker().submit(self._embed, image, face)

    def _on_embedded(self, value: Any) -> None:
        if isinstance(value, Exception):
            log.error("face embedding failed: %s", value)
            self.finished.emit(self._passed, None)
            return
        self.finished.emit(self._passed, value)

    # -- the worker --------------------------------------------------------------------------
    def _look(self, image: Any) -> None:
        try:
            face = largest_face(self.engine, image)
        except Exception:  # noqa: BLE001 - one bad picture must not end the challenge
            log.exception("face detection failed on one picture")
            face = None
        self._emit(self._looked, image, face)

    def _embed(self, image: Any, face: Face) -> None:
        try:
            value: Any = self.engine.embed(image, face)
        except Exception as exc:  # noqa: BLE001 - reported to the screen as "no face"
            value = exc
        if self.snapshot and not isinstance(value, Exception):
            self.snapshot_jpeg = snapshot_jpeg(image)
        self._emit(self._embedded, value)

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:   # the screen (and this object) went away meanwhile
            log.debug("face check finished after its screen was closed")
