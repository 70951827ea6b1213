"""Faces in a camera picture: where they are (YuNet) and who they are (dlib's 128-d ResNet).

Libraries, and why:
- detection: YuNet through OpenCV's ``cv2.FaceDetectorYN`` (opencv-python-headless is
  already a dependency; the ONNX model is 230 kB, ships in devices/face/models and runs
  in a few ms at 320x240). It also gives the 5 landmarks that liveness uses.
- embeddings: dlib (the ``dlib-bin`` wheels: x86_64 and aarch64, no compiler on the Pi)
  with the 5-point shape predictor and the ResNet face recognition model from
  ``face-recognition-models`` 0.3.0 (pure data; its 0.1.3 wheel lacks the 5-point model).
  ``face_recognition`` itself is not used: it pins dlib (a source build) and adds nothing
  we need. dlib's 68-point model is NOT used (its training data is non-commercial).

Everything heavy is loaded once, lazily: the detector at ``FaceEngine.load`` (after its
sha256 is checked, so a truncated or swapped file is a clear FaceModelError at start, not a
silent miss at the door), dlib's two models at the first ``embed``.

Frames are OpenCV BGR arrays as the camera gives them, NOT mirrored: the landmark names
(right eye = the person's right eye, on the image's left) and liveness depend on it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parent / "models"
#: The YuNet model shipped with the project and the sha256 it must have.
DETECTOR_MODEL = MODELS / "face_detection_yunet_2026may.onnx"
DETECTOR_SHA256 = "ebafce4e3c118d6554634be5c27ab333b4c047a9a8c3faf1d7cf93101c22f0f0"
#: YuNet's own confidence; below it a blob is not a face.
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
#: Same person measured 0.33-0.45 apart, different people 0.69-1.04 (dlib's own figure
#: is 0.6); 0.55 sits in the gap. The office setting attendance.face_threshold overrides it.
DEFAULT_THRESHOLD = 0.55
EMBEDDING_SIZE = 128


class FaceModelError(Exception):
    """A model file or library the face engine needs is missing or wrong; the message
    says which file and what to do."""


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]               # x, y, w, h in frame pixels
    score: float                                 # YuNet's confidence, 0..1
    #: YuNet's 5, in image coordinates: right eye, left eye, nose tip, right mouth corner,
    #: left mouth corner ("right" = the person's right, on the image's left side).
    landmarks: tuple[tuple[float, float], ...]

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    def scaled(self, factor: float) -> Face:
        """The same face in a picture ``factor`` times as large (detect small, embed big)."""
        x, y, w, h = self.box
        return Face((round(x * factor), round(y * factor), round(w * factor), round(h * factor)),
                    self.score, tuple((px * factor, py * factor) for px, py in self.landmarks))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model(path: Path, sha256: str = DETECTOR_SHA256) -> Path:
    """``path`` if it is the expected model file, else FaceModelError saying what to do."""
    path = Path(path)
    fix = (f"set [face] detector_model in config.toml to the YuNet file shipped with the kiosk "
           f"({DETECTOR_MODEL}) or leave it empty (\"\") to use that file")
    if not path.is_file():
        raise FaceModelError(f"face detector model {path} does not exist; {fix}")
    try:
        got = file_sha256(path)
    except OSError as exc:
        raise FaceModelError(f"face detector model {path} cannot be read ({exc.strerror or exc}); "
                             f"check its permissions, or {fix}") from exc
    if got != sha256:
        raise FaceModelError(f"face detector model {path} has sha256 {got}, expected {sha256}: "
                             f"the file is damaged or another model; reinstall the kiosk or {fix}")
    return path


def face_distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean distance of two embeddings: below the threshold = the same person."""
    va, vb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if va.shape != vb.shape:
        raise ValueError(f"embeddings of different sizes: {va.shape} and {vb.shape}")
    return float(np.linalg.norm(va - vb))


class _Dlib:
    """dlib's 5-point shape predictor and ResNet, loaded at the first embedding."""

    def __init__(self) -> None:
        try:
            import dlib
        except ImportError as exc:
            raise FaceModelError(f"dlib is not installed ({exc}); run scripts/setup (it installs "
                                 "dlib-bin from pyproject.toml) in the kiosk's .venv") from exc
        try:
            import face_recognition_models as frm
        except ImportError as exc:
            raise FaceModelError(f"face-recognition-models is not installed ({exc}); run "
                                 "scripts/setup (it installs face-recognition-models==0.3.0)"
                                 ) from exc
        shape_file = Path(frm.pose_predictor_five_point_model_location())
        resnet_file = Path(frm.face_recognition_model_location())
        for path in (shape_file, resnet_file):
            if not path.is_file():
                raise FaceModelError(f"{path} is missing: face-recognition-models must be 0.3.0 "
                                     "(0.1.3 lacks the 5-point model); run "
                                     "'pip install face-recognition-models==0.3.0' in .venv")
        try:
            self.shape = dlib.shape_predictor(str(shape_file))
            self.resnet = dlib.face_recognition_model_v1(str(resnet_file))
        except RuntimeError as exc:
            raise FaceModelError(f"dlib cannot read its models ({exc}); reinstall "
                                 "face-recognition-models==0.3.0") from exc
        self.rectangle = dlib.rectangle


class FaceEngine:
    """Detects faces and computes embeddings. Not thread-safe: use it from one thread at a
    time (the terminal runs it on one worker)."""

    def __init__(self, detector: cv2.FaceDetectorYN, model: Path) -> None:
        self._detector = detector
        self.model = model
        self._size: tuple[int, int] | None = None
        self._dlib: _Dlib | None = None
        self._dlib_lock = threading.Lock()

    @classmethod
    def load(cls, detector_model: Path | None = None, *,
             sha256: str = DETECTOR_SHA256) -> FaceEngine:
        """The engine with the YuNet model at ``detector_model`` (None or "" = the shipped
        file), after checking its sha256. Raises FaceModelError with what to do."""
        path = check_model(Path(detector_model) if detector_model else DETECTOR_MODEL, sha256)
        if not hasattr(cv2, "FaceDetectorYN"):
            raise FaceModelError(f"OpenCV {cv2.__version__} has no FaceDetectorYN; install "
                                 "opencv-python-headless>=4.8 (scripts/setup)")
        try:
            detector = cv2.FaceDetectorYN.create(str(path), "", (320, 240), SCORE_THRESHOLD,
                                                 NMS_THRESHOLD, 50)
        except cv2.error as exc:
            raise FaceModelError(f"OpenCV cannot load the face detector {path} ({exc}); "
                                 "reinstall the kiosk") from exc
        return cls(detector, path)

    def detect(self, frame_bgr: np.ndarray) -> list[Face]:
        """The faces in the picture, largest first (the one nearest the camera)."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
            raise ValueError(f"a BGR picture (H x W x 3) is needed, got shape {frame_bgr.shape}")
        height, width = frame_bgr.shape[:2]
        if self._size != (width, height):
            self._detector.setInputSize((width, height))
            self._size = (width, height)
        _, rows = self._detector.detect(frame_bgr)
        if rows is None:
            return []
        faces = []
        for row in rows:
            x, y, w, h = (float(v) for v in row[:4])
            x0, y0 = max(0, round(x)), max(0, round(y))
            x1, y1 = min(width, round(x + w)), min(height, round(y + h))
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            points = tuple((float(row[4 + 2 * i]), float(row[5 + 2 * i])) for i in range(5))
            faces.append(Face((x0, y0, x1 - x0, y1 - y0), float(row[14]), points))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def embed(self, frame_bgr: np.ndarray, face: Face) -> list[float]:
        """128 floats for ``face`` of this picture: dlib's 5 points fitted inside YuNet's
        box, the face chip aligned on them, through the ResNet."""
        models = self._models()
        x, y, w, h = face.box
        rgb = np.ascontiguousarray(frame_bgr[:, :, ::-1])
        shape = models.shape(rgb, models.rectangle(x, y, x + w, y + h))
        vector = models.resnet.compute_face_descriptor(rgb, shape)
        out = [float(v) for v in vector]
        if len(out) != EMBEDDING_SIZE or not all(math.isfinite(v) for v in out):
            raise FaceModelError(f"dlib gave {len(out)} values instead of {EMBEDDING_SIZE} finite "
                                 "floats; reinstall dlib-bin and face-recognition-models==0.3.0")
        return out

    def warm_up(self) -> None:
        """Load dlib's models now (about a second) rather than at the first employee."""
        self._models()

    def _models(self) -> _Dlib:
        with self._dlib_lock:
            if self._dlib is None:
                self._dlib = _Dlib()
                log.info("face embeddings: dlib models loaded")
            return self._dlib
