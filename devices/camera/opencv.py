"""A live camera through OpenCV's VideoCapture (opencv-python-headless: the full
opencv-python wheel bundles its own Qt, which breaks PySide6).

Before opening a V4L2 device the driver looks at the device node itself, so a camera that
is missing, or present but not readable by the kiosk user, gets a message naming the fix
rather than OpenCV's warning on stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np

from devices.camera.grabber import Grabber, Reader, SourceUnavailable
from devices.camera.source import CameraSource

#: A camera that hangs without an error must not block the thread for OpenCV's default 10 s.
READ_TIMEOUT_MS = 3000


class _CaptureReader:
    def __init__(self, capture: cv2.VideoCapture) -> None:
        self.capture = capture

    def read(self) -> np.ndarray | None:
        ok, image = self.capture.read()
        if not ok or image is None:
            return None
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        return image

    def close(self) -> None:
        self.capture.release()


class OpenCVCamera(Grabber):
    def __init__(self, source: CameraSource, *, width: int = 640, height: int = 480,
                 retry_s: float = 1.0) -> None:
        super().__init__(source.device_path, retry_s=retry_s)
        self.source = source
        self.width, self.height = width, height

    def _check_node(self) -> None:
        path = self.source.device_path
        if not path.startswith("/"):
            return                          # a network stream: only opening it tells
        node = Path(path)
        if not node.exists():
            if path.startswith("/dev/"):
                raise SourceUnavailable(
                    f"no camera at {path}: plug the USB camera in (see 'ls /dev/video*'), or "
                    "set [camera] source in config.toml to the right device")
            raise SourceUnavailable(f"{path} does not exist: set [camera] source in config.toml")
        if not os.access(path, os.R_OK):
            raise SourceUnavailable(
                f"{path} is not readable by this user: add it to the 'video' group "
                "(sudo usermod -aG video $USER) and log in again")

    def open_reader(self) -> Reader:
        self._check_node()
        if self.source.index is not None:
            api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
            capture = cv2.VideoCapture(self.source.index, api)
        else:
            capture = cv2.VideoCapture(self.source.path)
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(
                f"{self.name} is there but cannot be opened: another program may be using it "
                "(close it), or unplug the camera and plug it in again")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)       # the newest picture, not an old one
        capture.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS)
        return _CaptureReader(capture)
