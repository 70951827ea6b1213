"""devices.face on real photos (../shared/testdata/faces): who matches whom under the default
threshold, faces counted, the detector model checked at load, and the head-turn challenge
(a still photo replayed through the camera never passes; a real turn does, in its direction)."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import open_camera
from devices.face import (DEFAULT_THRESHOLD, DETECTOR_MODEL, DETECTOR_SHA256, Face, FaceEngine,
                          FaceModelError, HeadTurn, face_distance, is_frontal, yaw)
from devices.face import liveness
from kiosk import config
from kiosk.errors import ConfigError
from tests.camera_support import TESTDATA

FACES = TESTDATA / "faces"


def _image(name: str):
    path = FACES / name
    if not path.is_file():
        pytest.skip(f"the face test photos are not at {FACES}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"OpenCV cannot read {path}"
    return image


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine.load()


@pytest.fixture(scope="module")
def embeddings(engine) -> dict[str, list[float]]:
    out = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg", "astronaut.png"):
        image = _image(name)
        faces = engine.detect(image)
        assert len(faces) == 1, f"{name}: {len(faces)} faces"
        out[name] = engine.embed(image, faces[0])
    return out


# -- detection and matching ---------------------------------------------------------------
def test_the_same_person_matches_and_others_do_not(embeddings):
    same = face_distance(embeddings["obama.jpg"], embeddings["obama2.jpg"])
    biden = face_distance(embeddings["obama.jpg"], embeddings["biden.jpg"])
    astronaut = face_distance(embeddings["obama.jpg"], embeddings["astronaut.png"])
    print(f"\nobama-obama2 {same:.3f}  obama-biden {biden:.3f}  obama-astronaut {astronaut:.3f}  "
          f"obama2-biden {face_distance(embeddings['obama2.jpg'], embeddings['biden.jpg']):.3f}")
    assert same < DEFAULT_THRESHOLD
    assert biden > DEFAULT_THRESHOLD and astronaut > DEFAULT_THRESHOLD
    assert face_distance(embeddings["obama2.jpg"], embeddings["biden.jpg"]) > DEFAULT_THRESHOLD
    assert face_distance(embeddings["biden.jpg"], embeddings["astronaut.png"]) > DEFAULT_THRESHOLD


def test_an_embedding_is_128_finite_floats_and_the_same_picture_gives_the_same(engine,
                                                                               embeddings):
    vector = embeddings["obama.jpg"]
    assert len(vector) == 128 and all(isinstance(v, float) for v in vector)
    image = _image("obama.jpg")
    again = engine.embed(image, engine.detect(image)[0])
    assert face_distance(vector, again) < 1e-6


def test_two_people_are_two_faces_largest_first_and_obama_is_one_of_them(engine, embeddings):
    image = _image("two_people.jpg")
    faces = engine.detect(image)
    assert len(faces) == 2
    assert faces[0].area >= faces[1].area
    for face in faces:
        x, y, w, h = face.box
        assert 0 <= x and 0 <= y and x + w <= image.shape[1] and y + h <= image.shape[0]
        assert len(face.landmarks) == 5 and 0.6 <= face.score <= 1.0
        # every landmark inside (or at the edge of) its own box
        assert all(x - 2 <= px <= x + w + 2 and y - 2 <= py <= y + h + 2
                   for px, py in face.landmarks)
    distances = sorted(face_distance(engine.embed(image, f), embeddings["obama.jpg"])
                       for f in faces)
    print(f"\ntwo_people vs obama: {distances[0]:.3f} (him), {distances[1]:.3f} (the other)")
    assert distances[0] < DEFAULT_THRESHOLD < distances[1]


def test_the_landmarks_are_named_for_the_persons_side(engine):
    """YuNet's 'right eye' is the person's right eye: on the image's left side."""
    face = engine.detect(_image("obama.jpg"))[0]
    (rx, _), (lx, _), (nx, _) = face.landmarks[:3]
    assert rx < nx < lx
    assert is_frontal(face)


def test_a_picture_without_a_face_has_none(engine):
    blank = cv2.imread(str(_any_qr_photo()), cv2.IMREAD_COLOR)
    assert engine.detect(blank) == []
    with pytest.raises(ValueError, match="BGR"):
        engine.detect(blank[:, :, 0])


def _any_qr_photo() -> Path:
    photos = sorted((TESTDATA / "qr").rglob("*.png"))
    if not photos:
        pytest.skip("no QR photos in the test data")
    return photos[0]


def test_a_face_found_small_is_embedded_in_the_big_picture(engine, embeddings):
    """The terminal detects on 320x240 and embeds on the camera's full picture."""
    image = _image("obama2.jpg")
    factor = 4
    small = cv2.resize(image, (image.shape[1] // factor, image.shape[0] // factor),
                       interpolation=cv2.INTER_AREA)
    face = engine.detect(small)[0].scaled(factor)
    assert face_distance(engine.embed(image, face), embeddings["obama2.jpg"]) < 0.1


# -- the model file -------------------------------------------------------------------------
def test_the_shipped_model_is_checked_and_loaded():
    assert DETECTOR_MODEL.is_file() and DETECTOR_MODEL.parent.name == "models"
    engine = FaceEngine.load()
    assert engine.model == DETECTOR_MODEL


def test_a_damaged_model_is_refused_with_what_to_do(tmp_path):
    bad = tmp_path / "yunet.onnx"
    data = bytearray(DETECTOR_MODEL.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    with pytest.raises(FaceModelError) as caught:
        FaceEngine.load(bad)
    message = str(caught.value)
    assert str(bad) in message and DETECTOR_SHA256 in message and "sha256" in message
    assert "[face] detector_model" in message and "reinstall" in message


def test_a_missing_model_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(FaceModelError) as caught:
        FaceEngine.load(tmp_path / "nowhere.onnx")
    message = str(caught.value)
    assert "does not exist" in message and "[face] detector_model" in message
    assert str(DETECTOR_MODEL) in message


def test_a_copy_of_the_model_elsewhere_is_fine(tmp_path):
    copy = tmp_path / "yunet.onnx"
    shutil.copy(DETECTOR_MODEL, copy)
    assert FaceEngine.load(copy).model == copy


def test_the_config_names_the_model(tmp_path):
    assert config.Config().face.detector_model == ""
    cfg = config.from_dict({"face": {"detector_model": "/opt/yunet.onnx"}})
    assert cfg.face.detector_model == "/opt/yunet.onnx"
    with pytest.raises(ConfigError, match="face.detector_model"):
        config.from_dict({"face": {"detector_model": 3}})
    with pytest.raises(ConfigError, match="face.model"):
        config.from_dict({"face": {"model": "x"}})
    config.save(cfg, tmp_path)
    assert config.load(tmp_path).face.detector_model == "/opt/yunet.onnx"


def test_distances_of_different_sizes_are_an_error():
    with pytest.raises(ValueError, match="different sizes"):
        face_distance([0.0] * 128, [0.0] * 127)
    assert face_distance([0.0, 3.0], [4.0, 0.0]) == 5.0


# -- liveness ---------------------------------------------------------------------------------
class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _face(turn: float, *, roll: float = 0.0) -> Face:
    """A face whose nose sits ``turn`` eye-distances towards the person's left (image +x),
    optionally with the whole face rotated in the picture by ``roll`` (eye line slope)."""
    right_eye, left_eye = (200.0, 200.0 - 30 * roll), (260.0, 200.0 + 30 * roll)
    mid = (230.0, 200.0)
    nose = (mid[0] + 60 * turn - 40 * roll, mid[1] + 40)
    return Face((170, 150, 120, 150), 0.9,
                (right_eye, left_eye, nose, (205.0, 265.0), (255.0, 265.0)))


def test_yaw_is_positive_to_the_persons_left_and_ignores_roll():
    assert yaw(_face(0.0)) == pytest.approx(0.0)
    assert yaw(_face(0.4)) == pytest.approx(0.4)
    assert yaw(_face(-0.4)) == pytest.approx(-0.4)
    # a tilted head (or camera): the nose straight below the eye line is still frontal
    assert abs(yaw(_face(0.0, roll=0.3))) < 0.05


@pytest.mark.parametrize("direction, sign", [("left", 1.0), ("right", -1.0)])
def test_frontal_then_turned_passes_for_the_asked_direction_only(direction, sign):
    ticks = Ticks()
    asked = HeadTurn(direction, timeout_s=6.0, monotonic=ticks)
    opposite = HeadTurn("right" if direction == "left" else "left", timeout_s=6.0,
                        monotonic=ticks)
    sequence = [None, _face(0.02), _face(0.0), _face(0.1 * sign), _face(0.2 * sign),
                _face(0.35 * sign), _face(0.45 * sign), _face(0.45 * sign)]
    states = []
    for face in sequence:
        ticks.now += 0.2
        states.append(asked.feed(face))
        opposite.feed(face)
    assert states[:5] == ["waiting"] * 5 and states[-1] == "passed"
    assert opposite.feed(_face(0.45 * sign)) == "waiting"
    ticks.now += 6.0
    assert opposite.feed(_face(0.45 * sign)) == "failed"
    assert asked.feed(None) == "passed"          # a passed challenge stays passed


def test_a_face_already_turned_never_passes_without_being_seen_frontal():
    ticks = Ticks()
    turn = HeadTurn("left", monotonic=ticks)
    for _ in range(20):
        ticks.now += 0.25
        assert turn.feed(_face(0.5)) == "waiting"
    ticks.now += 2
    assert turn.feed(_face(0.5)) == "failed"


def test_one_noisy_frame_is_not_a_turn():
    ticks = Ticks()
    turn = HeadTurn("left", monotonic=ticks)
    for face in [_face(0.0), _face(0.5), _face(0.0), _face(0.5), None, _face(0.5)]:
        ticks.now += 0.2
        assert turn.feed(face) == "waiting"
    assert turn.feed(_face(0.5)) == "passed"


def _moved(face: Face, dx: int, dy: int = 0) -> Face:
    x, y, w, h = face.box
    return Face((x + dx, y + dy, w, h), face.score,
                tuple((px + dx, py + dy) for px, py in face.landmarks))


def test_a_photo_frontal_then_another_head_turning_elsewhere_does_not_pass():
    """The photo held frontal on the left of the picture, a live accomplice turning on the
    right: two faces, so the turn must start from frontal again."""
    ticks = Ticks()
    turn = HeadTurn("left", monotonic=ticks)
    states = []
    for face in [_face(0.0), _face(0.0), _moved(_face(0.5), 200), _moved(_face(0.5), 200),
                 _moved(_face(0.5), 200)]:
        ticks.now += 0.2
        states.append(turn.feed(face))
    assert states == ["waiting"] * 5 and not turn.seen_frontal
    # the same head, moving a little as heads do while they turn, passes
    for face in [_moved(_face(0.0), 200), _moved(_face(0.3), 215, 5), _moved(_face(0.45), 230)]:
        ticks.now += 0.2
        states.append(turn.feed(face))
    assert states[-1] == "passed"


def test_a_face_lost_for_a_while_must_be_seen_frontal_again():
    ticks = Ticks()
    turn = HeadTurn("right", monotonic=ticks)
    for face in [_face(0.0), None, None, None, _face(-0.5), _face(-0.5)]:
        ticks.now += 0.2
        assert turn.feed(face) == "waiting"
    for face in [_face(0.0), None, _face(-0.5), _face(-0.5)]:      # one miss is forgiven
        ticks.now += 0.2
        state = turn.feed(face)
    assert state == "passed"


def test_a_bad_direction_is_an_error():
    with pytest.raises(ValueError, match="left"):
        HeadTurn("up")


@pytest.mark.parametrize("direction", liveness.DIRECTIONS)
def test_a_still_photo_replayed_through_the_camera_fails_the_challenge(engine, tmp_path,
                                                                      direction):
    """A photo of an employee held up to the camera: frontal, but it never turns."""
    pictures = tmp_path / "camera"
    pictures.mkdir()
    shutil.copy(FACES / "obama.jpg", pictures / "photo.jpg")
    camera = open_camera(f"replay:{pictures}?fps=50", width=320, height=240)
    ticks = Ticks()
    challenge = HeadTurn(direction, timeout_s=6.0, monotonic=ticks)
    states, yaws, seen = [], [], 0
    with camera:
        frame = None
        while not states or states[-1] == "waiting":
            frame = camera.next_frame(frame.seq if frame else 0, timeout=5.0)
            assert frame is not None, camera.status().detail
            assert (frame.width, frame.height) == (320, 240)
            faces = engine.detect(frame.image)
            seen += bool(faces)
            if faces:
                yaws.append(liveness.yaw(faces[0]))
            states.append(challenge.feed(faces[0] if faces else None))
            ticks.now += 0.25                 # 4 frames a second as the terminal looks
            assert len(states) < 100
    assert states[-1] == "failed"
    assert seen == len(states)                           # the face was there all along
    assert challenge.seen_frontal                        # and frontal: it just never turned
    assert max(yaws) - min(yaws) < 0.05
    assert len(states) >= 6.0 / 0.25


def _photo_turned(image, degrees: float, focal: float = 1.2):
    """``image`` as a printed photo rotated about its vertical centre line by ``degrees``,
    seen through a pinhole camera (focal length ``focal`` x the width)."""
    height, width = image.shape[:2]
    f, a = focal * width, math.radians(degrees)
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = []
    for x, y in corners:
        depth = (x - width / 2) * math.sin(a)
        scale = f / (f + depth)
        seen.append([width / 2 + (x - width / 2) * math.cos(a) * scale,
                     height / 2 + (y - height / 2) * scale])
    matrix = cv2.getPerspectiveTransform(corners, np.float32(seen))
    return cv2.warpPerspective(image, matrix, (width, height), borderValue=(128, 128, 128))


@pytest.mark.parametrize("direction", liveness.DIRECTIONS)
def test_a_photo_turned_in_the_hand_does_not_pass(engine, tmp_path, direction):
    """Turning a flat photo shrinks the nose's offset and the eyes' distance alike: its yaw
    stays near 0 however far it is turned (measured within 0.1 up to 60 degrees)."""
    pictures = tmp_path / "camera"
    pictures.mkdir()
    photo = _image("obama.jpg")
    sweep = [0, 0, 15, 30, 45, 60, 60, 45, 30, 15, 0, -15, -30, -45, -60, -60]
    for n, degrees in enumerate(sweep):
        cv2.imwrite(str(pictures / f"{n:02d}.jpg"), _photo_turned(photo, degrees))
    camera = open_camera(f"replay:{pictures}?fps=8&loop=no", width=640, height=480)
    ticks = Ticks()
    challenge = HeadTurn(direction, timeout_s=60.0, monotonic=ticks)
    yaws = []
    with camera:
        frame = camera.next_frame(0, timeout=5.0)
        while frame is not None:            # until the replay has played its last picture
            faces = engine.detect(frame.image)
            assert faces, "the turned photo's face is still found"
            yaws.append(round(yaw(faces[0]), 3))
            ticks.now += 0.25
            assert challenge.feed(faces[0]) == "waiting"
            frame = camera.next_frame(frame.seq, timeout=1.0)
    assert len(yaws) >= len(sweep) - 2       # (a busy machine may drop a picture)
    print(f"\nyaw of a photo turned {sweep}: {yaws}")
    assert challenge.seen_frontal and max(abs(y) for y in yaws) < liveness.TURNED_MIN / 2
    ticks.now += 60
    assert challenge.feed(None) == "failed"


def test_a_kiosk_without_dlib_says_what_to_install(monkeypatch):
    """dlib is loaded at the first embedding; a kiosk set up without it is told how to fix it
    (sys.modules[name] = None makes ``import name`` fail as if it were not installed)."""
    monkeypatch.setitem(sys.modules, "dlib", None)
    engine = FaceEngine.load()
    image = _image("astronaut.png")
    face = engine.detect(image)[0]
    with pytest.raises(FaceModelError, match="dlib is not installed.*scripts/setup.*dlib-bin"):
        engine.embed(image, face)
