"""The reading thread every camera driver shares: open, read, keep only the newest frame,
notice when the source goes away and reopen it by itself.

A driver supplies ``open_reader()``, returning a Reader or raising SourceUnavailable with a
message a technician can act on. The thread never queues frames: a slow consumer simply
sees a gap in ``Frame.seq``, so the preview and the scanner always work on what the
camera sees now, and memory stays one frame.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import numpy as np

from devices.camera.frame import CameraStatus, Frame

log = logging.getLogger(__name__)


class SourceUnavailable(Exception):
    """The source cannot be opened now; the message says what to check."""


class ReplayFinished(Exception):
    """A replay that does not loop has played its last picture."""


class Reader(Protocol):
    def read(self) -> np.ndarray | None:
        """The next picture (BGR), None when the source failed; may raise ReplayFinished."""

    def close(self) -> None: ...


class Grabber:
    """Runs ``open_reader``/``read`` on a daemon thread. ``fps`` paces sources that do not
    pace themselves (replays); a live camera blocks in ``read`` until its next picture."""

    def __init__(self, name: str, *, fps: float | None = None, retry_s: float = 1.0) -> None:
        self.name = name
        self.fps = fps
        self.retry_s = retry_s
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0
        self._status = CameraStatus("stopped", f"camera {name} is not started")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ever_ok = False

    def open_reader(self) -> Reader:
        raise NotImplementedError

    # -- the Camera interface ------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._ever_ok = False
        self._set_status("starting", f"opening {self.name}")
        self._thread = threading.Thread(target=self._run, name=f"camera {self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._set_status("stopped", f"camera {self.name} is stopped")

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def next_frame(self, after: int = 0, timeout: float = 1.0) -> Frame | None:
        """The newest frame whose seq is above ``after``, waiting up to ``timeout`` s for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._frame is None or self._frame.seq <= after:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    return None
            return self._frame

    def status(self) -> CameraStatus:
        with self._cond:
            return self._status

    def __enter__(self) -> Grabber:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread ----------------------------------------------------------------
    def _set_status(self, state: str, detail: str) -> None:
        with self._cond:
            if self._status.state != state:
                log.info("camera %s: %s (%s)", self.name, state, detail)
            self._status = CameraStatus(state, detail)

    def _publish(self, image: np.ndarray) -> None:
        with self._cond:
            self._seq += 1
            self._frame = Frame(image, time.monotonic(), self._seq)
            self._cond.notify_all()

    def _run(self) -> None:
        reader: Reader | None = None
        failures = 0          # reads failed in a row: one glitch reopens quietly
        next_due = time.monotonic()
        try:
            while not self._stop.is_set():
                if reader is None:
                    try:
                        reader = self.open_reader()
                    except SourceUnavailable as exc:
                        self._unavailable(str(exc))
                        self._stop.wait(self.retry_s)
                        continue
                if self.fps:
                    wait = next_due - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        break
                    next_due = max(next_due + 1.0 / self.fps, time.monotonic() - 1.0 / self.fps)
                try:
                    image = reader.read()
                except ReplayFinished:
                    self._set_status("ok", f"replay {self.name} finished (loop=no); the last "
                                           "picture stays")
                    break
                if image is None:
                    reader.close()
                    reader = None
                    failures += 1
                    if failures > 1:
                        self._unavailable(f"{self.name} stopped sending pictures")
                        self._stop.wait(self.retry_s)
                    continue
                failures = 0
                if not self._ever_ok or self._status.state != "ok":
                    self._ever_ok = True
                    self._set_status("ok", f"pictures arriving from {self.name}")
                self._publish(image)
        except Exception as exc:  # a driver bug must not kill the thread silently
            log.exception("camera %s: reading thread failed", self.name)
            self._set_status("missing", f"{self.name}: the reading thread failed ({exc}); "
                                        "restart the kiosk and report this log line")
        finally:
            if reader is not None:
                reader.close()

    def _unavailable(self, why: str) -> None:
        retry = f"retrying every {self.retry_s:g} s"
        if self._ever_ok:
            self._set_status("unplugged", f"{why}; check the cable or the source, it reconnects "
                                          f"by itself ({retry})")
        else:
            self._set_status("missing", f"{why} ({retry})")
