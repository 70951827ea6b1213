"""A Frame as a QImage for the preview (Qt reads OpenCV's BGR order directly as
Format_BGR888, so there is no colour conversion)."""

from __future__ import annotations

from PySide6.QtGui import QImage

from devices.camera.frame import Frame


def to_qimage(frame: Frame) -> QImage:
    """A QImage that owns its pixels (a copy), safe to keep after the camera moved on."""
    image = frame.image
    if not image.flags["C_CONTIGUOUS"]:
        image = image.copy()
    height, width = image.shape[:2]
    view = QImage(image.data, width, height, int(image.strides[0]), QImage.Format.Format_BGR888)
    return view.copy()
