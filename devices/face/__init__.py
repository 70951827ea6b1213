"""Faces for the attendance terminal: detection (YuNet through cv2.FaceDetectorYN), 128-d
embeddings (dlib's ResNet, models from face-recognition-models 0.3.0), the distance between
two embeddings, and the head-turn liveness challenge (devices.face.liveness).

    FaceEngine.load(detector_model=None) -> FaceEngine   (sha256 of the model checked)
        .detect(frame_bgr) -> list[Face]   largest first
        .embed(frame_bgr, face) -> list[float]   128 floats
    face_distance(a, b) -> float   Euclidean; same person below DEFAULT_THRESHOLD (0.55)
    HeadTurn(direction, timeout_s=6.0, monotonic=time.monotonic).feed(face) -> str

Embeddings are biometric personal data (UU 27/2022): this package computes them and keeps
nothing; storing them is the domain's business (kiosk.attendance). See docs/FACE.md.
"""

from devices.face.engine import (DEFAULT_THRESHOLD, DETECTOR_MODEL, DETECTOR_SHA256,
                                 EMBEDDING_SIZE, Face, FaceEngine, FaceModelError, check_model,
                                 face_distance)
from devices.face.liveness import HeadTurn, is_frontal, yaw

__all__ = ["DEFAULT_THRESHOLD", "DETECTOR_MODEL", "DETECTOR_SHA256", "EMBEDDING_SIZE", "Face",
           "FaceEngine", "FaceModelError", "HeadTurn", "check_model", "face_distance",
           "is_frontal", "yaw"]
