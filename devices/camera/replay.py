"""A camera that plays a folder of images (sorted by name) or a video file at a set rate,
for tests, benchmarks and the demo (``[camera] source = "replay:DIR"``).

Images are read from disk one at a time as they are played, so a folder emptied while
playing behaves like an unplugged camera and a folder filled later like one plugged back in.
With a size, every picture is fitted inside it (aspect kept, grey bars), as a camera of
that resolution would deliver.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from devices.camera.grabber import Grabber, Reader, ReplayFinished, SourceUnavailable
from devices.camera.source import CameraSource

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


def fit(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """``image`` scaled to fit inside ``size`` (width, height) and centred on grey."""
    if size is None or (image.shape[1], image.shape[0]) == size:
        return image
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    w, h = max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    out = np.full((height, width, 3), 128, np.uint8)
    x, y = (width - w) // 2, (height - h) // 2
    out[y:y + h, x:x + w] = cv2.resize(image, (w, h), interpolation=interp)
    return out


def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


class _FolderReader:
    def __init__(self, files: list[Path], loop: bool, size: tuple[int, int] | None) -> None:
        self.files, self.loop, self.size = files, loop, size
        self.at = 0

    def read(self) -> np.ndarray | None:
        if self.at >= len(self.files):
            if not self.loop:
                raise ReplayFinished
            self.at = 0
        path = self.files[self.at]
        self.at += 1
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        return None if image is None else fit(image, self.size)

    def close(self) -> None:
        pass


class _VideoReader:
    def __init__(self, capture: cv2.VideoCapture, loop: bool, size: tuple[int, int] | None) -> None:
        self.capture, self.loop, self.size = capture, loop, size
        self.played = 0

    def read(self) -> np.ndarray | None:
        ok, image = self.capture.read()
        if not ok and self.played:
            if not self.loop:
                raise ReplayFinished
            self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self.capture.read()
        if not ok or image is None:
            return None
        self.played += 1
        return fit(_bgr(image), self.size)

    def close(self) -> None:
        self.capture.release()


class ReplayCamera(Grabber):
    def __init__(self, source: CameraSource, *, size: tuple[int, int] | None = None,
                 retry_s: float = 1.0) -> None:
        super().__init__(f"replay:{source.path}", fps=source.fps, retry_s=retry_s)
        self.source = source
        self.size = size

    def open_reader(self) -> Reader:
        path = Path(self.source.path)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not files:
                raise SourceUnavailable(f"no images in {path} (looked for "
                                        f"{', '.join(IMAGE_SUFFIXES)}); put pictures there")
            return _FolderReader(files, self.source.loop, self.size)
        if path.is_file():
            capture = cv2.VideoCapture(str(path))
            if not capture.isOpened():
                capture.release()
                raise SourceUnavailable(f"{path} is not a video file OpenCV can play")
            return _VideoReader(capture, self.source.loop, self.size)
        raise SourceUnavailable(f"{path} does not exist: set [camera] source = "
                                "\"replay:FOLDER\" to a folder of images or a video file")
