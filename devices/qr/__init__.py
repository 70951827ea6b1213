"""QR codes in a camera picture.

    open_decoder(backend="zxing") -> QrDecoder (.decode(image) -> list[str])
    decode(image, backend="zxing") -> list[str]   (one decoder per backend, made once)

Backends: zxing-cpp (default: reads far more real photos than zbar, restricted to QR codes
so an empty frame costs a few ms) and pyzbar (needs the system library libzbar0). Both
first look at the picture scaled to 640 px on its longest side, and at full resolution only
when that finds nothing. See docs/CAMERA.md.
"""

from devices.qr.decoders import (BACKENDS, MAX_SIDE, PyzbarDecoder, QrBackendUnavailable,
                                 QrDecoder, ZxingDecoder, decode, open_decoder)

__all__ = ["BACKENDS", "MAX_SIDE", "PyzbarDecoder", "QrBackendUnavailable", "QrDecoder",
           "ZxingDecoder", "decode", "open_decoder"]
