"""devices.qr on the real QR photos of ../shared/testdata/qr: the zxing backend reads what
raw zxing-cpp reads (same hit rate, computed here in the same run), pyzbar is reported."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp

from devices.qr import (MAX_SIDE, PyzbarDecoder, QrBackendUnavailable, ZxingDecoder, decode,
                        open_decoder)
from kiosk.errors import ConfigError
from tests.camera_support import QR_DIR, qr_samples


def raw_zxing(image: np.ndarray) -> list[str]:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode,
                                   text_mode=zxingcpp.TextMode.Plain)
    return [r.text for r in found]


def hits(read, samples) -> set[str]:
    return {str(path) for path, image, text in samples if text in read(image)}


def test_zxing_backend_reads_what_raw_zxing_cpp_reads():
    samples = qr_samples()
    assert len(samples) >= 80
    raw, ours = hits(raw_zxing, samples), hits(ZxingDecoder().decode, samples)
    assert len(raw) / len(samples) > 0.9            # the README's figure: a real baseline
    assert ours == raw                              # same images, so the same hit rate


def test_each_sample_gives_the_same_texts_as_raw_zxing_cpp():
    """Not only the same hits: nothing read that raw zxing-cpp does not read (no misreads)."""
    decoder = ZxingDecoder()
    for path, image, _ in qr_samples():
        assert sorted(decoder.decode(image)) == sorted(raw_zxing(image)), path


def test_pyzbar_backend_is_reported():
    try:
        decoder = PyzbarDecoder()
    except QrBackendUnavailable as exc:
        pytest.skip(f"pyzbar cannot run here: {exc}")
    samples = qr_samples()
    rate = len(hits(decoder.decode, samples)) / len(samples)
    print(f"pyzbar hit rate on {QR_DIR}: {rate:.1%}")
    assert rate > 0.5                               # the README measured 69 %


def test_large_picture_is_read_from_the_downscaled_copy_first():
    _, image, text = next(s for s in qr_samples() if s[0].name == "1.png" and "qrcode-6" in str(s[0]))
    big = cv2.resize(image, (2000, 2000), interpolation=cv2.INTER_NEAREST)
    seen: list[tuple[int, ...]] = []

    class Counting(ZxingDecoder):
        def _read(self, img):
            seen.append(img.shape[:2])
            return super()._read(img)

    assert Counting().decode(big) == [text]
    assert seen == [(MAX_SIDE, MAX_SIDE)]


def qr_code_image(text: str, box_size: int) -> np.ndarray:
    """A clean code made with the qrcode library (a project dependency), as grey pixels."""
    made = qrcode.QRCode(box_size=box_size, border=4)
    made.add_data(text)
    return np.asarray(made.make_image().get_image().convert("L"), dtype=np.uint8)


def test_small_code_in_a_large_picture_is_found_at_full_resolution():
    """Scaled down to 640 the code is a smudge; the full-resolution pass still reads it."""
    text = "KLR-0042"
    code = qr_code_image(text, box_size=3)
    canvas = np.full((1920, 2560, 3), 255, np.uint8)
    h, w = code.shape
    canvas[900:900 + h, 1200:1200 + w] = code[:, :, None]
    seen: list[tuple[int, ...]] = []

    class Counting(ZxingDecoder):
        def _read(self, img):
            seen.append(img.shape[:2])
            return super()._read(img)

    assert Counting().decode(canvas) == [text]
    assert seen == [(480, 640), (1920, 2560)]


@pytest.mark.parametrize("backend", ["zxing", "pyzbar"])
def test_grey_and_bgr_and_empty_frames(backend):
    try:
        decoder = open_decoder(backend)
    except QrBackendUnavailable as exc:
        pytest.skip(str(exc))
    _, image, text = next(s for s in qr_samples() if s[0].name == "1.png" and "qrcode-6" in str(s[0]))
    assert decoder.decode(image) == [text]
    assert decoder.decode(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)) == [text]
    assert decoder.decode(np.full((480, 640, 3), 200, np.uint8)) == []
    assert decode(image, backend) == [text]


def test_unknown_backend_names_the_key():
    with pytest.raises(ConfigError) as info:
        open_decoder("opencv")
    assert info.value.key == "camera.qr_backend"


def test_not_an_image_is_refused_clearly():
    with pytest.raises(ValueError, match="uint8"):
        ZxingDecoder().decode(np.zeros((10, 10), np.float32))


def test_pyzbar_without_libzbar_says_how_to_install_it():
    """A fresh Python where ctypes finds no zbar library, as on a Pi without libzbar0."""
    code = ("import ctypes.util; ctypes.util.find_library = lambda name: None\n"
            "from devices.qr import open_decoder\n"
            "open_decoder('pyzbar')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "QrBackendUnavailable" in run.stderr
    assert "libzbar0" in run.stderr and 'qr_backend = "zxing"' in run.stderr
