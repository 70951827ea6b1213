"""The real QR photos of /work/shared/testdata/qr (see its README), with the text each holds."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
if not TESTDATA.is_dir():
    TESTDATA = Path("/work/shared/testdata")
QR_DIR = TESTDATA / "qr"
SUFFIXES = (".png", ".jpg", ".webp")


def qr_samples() -> list[tuple[Path, np.ndarray, str]]:
    """(path, BGR image, expected text) for every sample, sorted by path."""
    if not QR_DIR.is_dir():
        pytest.skip(f"the QR test photos are not at {QR_DIR}")
    out = []
    for path in sorted(p for p in QR_DIR.rglob("*") if p.suffix in SUFFIXES):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert image is not None, f"OpenCV cannot read {path}"
        out.append((path, image, path.with_suffix(".txt").read_bytes().decode("utf-8")))
    return out
