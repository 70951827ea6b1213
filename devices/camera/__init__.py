"""Cameras: the newest picture from a live camera or a replayed folder/video.

    open_camera(source, width=640, height=480) -> Camera (.start(), .stop(), .latest(),
        .next_frame(after, timeout), .status())
    Frame(image BGR ndarray, time monotonic, seq)   CameraStatus(state, detail)
    devices.camera.qimage.to_qimage(frame) -> QImage   (kept apart: importing this package
        needs no Qt, so benchmarks and the scanner run headless)

Library: OpenCV (opencv-python-headless) for capture, video files and images. See
docs/CAMERA.md.
"""

from devices.camera.frame import STATES, Camera, CameraStatus, Frame
from devices.camera.grabber import Grabber, SourceUnavailable
from devices.camera.opencv import OpenCVCamera
from devices.camera.replay import ReplayCamera, fit
from devices.camera.source import CameraSource, parse_source


def open_camera(source: str, *, width: int = 640, height: int = 480,
                retry_s: float = 1.0) -> Grabber:
    """A camera for ``source`` (see devices.camera.source), not yet started: nothing is
    opened until ``start()``, and a camera that is missing then is reopened by itself.

    Raises ConfigError naming camera.source for a malformed source.
    """
    parsed = parse_source(source)
    if parsed.kind == "replay":
        return ReplayCamera(parsed, size=(width, height), retry_s=retry_s)
    return OpenCVCamera(parsed, width=width, height=height, retry_s=retry_s)


__all__ = ["STATES", "Camera", "CameraSource", "CameraStatus", "Frame", "Grabber",
           "OpenCVCamera", "ReplayCamera", "SourceUnavailable", "fit", "open_camera",
           "parse_source"]
