"""What a camera hands out (the latest Frame) and how it says it is doing (CameraStatus)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: ok: pictures arrive; missing: never opened since start (wrong source, not plugged in);
#: unplugged: it worked, then stopped (cable pulled, folder emptied); the camera keeps
#: trying to reopen in both cases. starting: opened, no picture yet; stopped: not started.
STATES = ("starting", "ok", "missing", "unplugged", "stopped")


@dataclass(frozen=True)
class Frame:
    image: np.ndarray     # H x W x 3, uint8, BGR (OpenCV's order)
    time: float           # time.monotonic() when the picture was taken off the device
    seq: int              # 1, 2, 3... per camera; a gap means frames were dropped

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class CameraStatus:
    state: str            # one of STATES
    detail: str           # for the technician, in English: what is wrong and what to do

    @property
    def ok(self) -> bool:
        return self.state == "ok"


class Camera(Protocol):
    """A source of pictures read on its own thread; only the newest picture is kept."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def latest(self) -> Frame | None: ...

    def next_frame(self, after: int = 0, timeout: float = 1.0) -> Frame | None: ...

    def status(self) -> CameraStatus: ...
