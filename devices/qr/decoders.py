"""The two QR backends behind ``decode(image) -> list[str]``, and the downscale-first rule."""

from __future__ import annotations

import threading
from typing import Protocol

import cv2
import numpy as np
import zxingcpp

from kiosk.errors import ConfigError

BACKENDS = ("zxing", "pyzbar")
#: A badge held at the frame guide is large in the picture: 640 px finds it, and costs a
#: quarter of a 1280x960 frame.
MAX_SIDE = 640


class QrBackendUnavailable(ConfigError):
    """The configured backend cannot run on this machine (names camera.qr_backend)."""

    def __init__(self, problem: str) -> None:
        super().__init__("camera.qr_backend", problem)


class QrDecoder(Protocol):
    name: str

    def decode(self, image: np.ndarray) -> list[str]:
        """The texts of the QR codes in ``image`` (BGR or grey, uint8); [] when none."""


def downscaled(image: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray | None:
    """``image`` with its longest side ``max_side``, or None when it is not larger."""
    longest = max(image.shape[:2])
    if longest <= max_side:
        return None
    scale = max_side / longest
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class _DownscaleFirst:
    name = ""

    def decode(self, image: np.ndarray) -> list[str]:
        if image.dtype != np.uint8 or image.ndim not in (2, 3):
            raise ValueError(f"expected a uint8 BGR or grey image, got {image.dtype} {image.shape}")
        small = downscaled(image)
        if small is not None:
            found = self._read(small)
            if found:
                return found
        return self._read(image)

    def _read(self, image: np.ndarray) -> list[str]:
        raise NotImplementedError


class ZxingDecoder(_DownscaleFirst):
    """zxing-cpp, QR codes only; texts as encoded (TextMode.Plain: no GS1 brackets or
    <GS> placeholders, so a badge's base45 comes back byte for byte)."""

    name = "zxing"

    def _read(self, image: np.ndarray) -> list[str]:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode,
                                       text_mode=zxingcpp.TextMode.Plain)
        return [r.text for r in found if r.valid]


class PyzbarDecoder(_DownscaleFirst):
    """pyzbar over the system's libzbar (QR only). zbar converts the contents to UTF-8."""

    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except ImportError as exc:     # pyzbar raises ImportError when libzbar is absent
            raise QrBackendUnavailable(
                f"pyzbar cannot load the zbar library ({exc}); install it with "
                "'sudo apt-get install libzbar0' (or run 'sudo scripts/setup'), or set "
                "qr_backend = \"zxing\"") from None
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def _read(self, image: np.ndarray) -> list[str]:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        found = self._pyzbar.decode(np.ascontiguousarray(grey), symbols=self._symbols)
        return [r.data.decode("utf-8", errors="replace") for r in found]


def open_decoder(backend: str = "zxing") -> QrDecoder:
    if backend == "zxing":
        return ZxingDecoder()
    if backend == "pyzbar":
        return PyzbarDecoder()
    raise ConfigError("camera.qr_backend", f"{backend!r}: use \"zxing\" or \"pyzbar\"")


_decoders: dict[str, QrDecoder] = {}
_lock = threading.Lock()


def decode(image: np.ndarray, backend: str = "zxing") -> list[str]:
    """The texts of the QR codes in ``image`` with ``backend``'s decoder (made once)."""
    with _lock:
        decoder = _decoders.get(backend)
        if decoder is None:
            decoder = _decoders[backend] = open_decoder(backend)
    return decoder.decode(image)
