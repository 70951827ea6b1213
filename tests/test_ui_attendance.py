"""The attendance terminal, as Andi meets it: his badge held up to the camera (the replay
source playing a picture of the card), a greeting with the time, the one-tap correction,
refusals in words, and nobody's name left on the screen afterwards. With faces on: a still
photo held up with the badge never turns its head and is refused; a head that turns as asked
is matched and greeted; another person's face is refused."""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.camera import open_camera
from devices.qr import open_decoder
from devices.face import Face, face_distance
from kiosk import badges
from kiosk.attendance import enroll_face
from kiosk.db import write_tx
from tests.camera_support import TESTDATA
from ui import attendance as screen_mod
from ui import ops
from ui.attendance import AttendanceScreen
from ui_support import back_to_indonesian, make_office, tap
from ui.context import ScreenContext

KEY = Ed25519PrivateKey.generate()


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


def _office_knows_the_key(runtime) -> None:
    public = badges.public_bytes(KEY)
    with write_tx(runtime.db):
        runtime.db["settings"].upsert({"key": f"badge_key.{badges.key_id(public)}",
                                       "value": base64.b64encode(public).decode(),
                                       "updated_ms": 0}, pk="key")


def _terminal(qtbot, runtime, tmp_path, text: str) -> tuple[AttendanceScreen, object]:
    pictures = tmp_path / "camera"
    pictures.mkdir()
    segno.make(text, error="m").save(str(pictures / "card.png"), scale=6, border=6)
    camera = open_camera(f"replay:{pictures}")
    ctx = ScreenContext(office=make_office(runtime), config=runtime.config, clock=runtime.clock,
                        export_dir=runtime.data_dir / "exports", camera=camera,
                        qr=open_decoder("zxing"))
    screen = AttendanceScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    return screen, camera


def test_andi_holds_his_badge_up_and_is_greeted_with_the_time(qtbot, runtime, tmp_path,
                                                              monkeypatch):
    monkeypatch.setattr(screen_mod, "SHOWN_MS", 800)
    _office_knows_the_key(runtime)
    badge = badges.issue_badge(KEY, "emp-1001", runtime.config.office.code,
                               runtime.clock.now().wall_ms - 3_600_000)
    screen, camera = _terminal(qtbot, runtime, tmp_path, badge)
    qtbot.waitUntil(lambda: screen.feedback.text() != "", timeout=10_000)
    name = runtime.db.execute("SELECT name FROM employees WHERE id = 'emp-1001'").fetchone()[0]
    assert screen.feedback.text().startswith("Selamat ")
    assert f", {name.split(' ')[0]} — " in screen.feedback.text()
    assert screen.feedback.text().endswith("tercatat (masuk).") or \
        screen.feedback.text().endswith("tercatat (pulang).")
    events = list(runtime.db["attendance"].rows_where(order_by="rowid"))
    assert len(events) == 1 and events[0]["employee_id"] == "emp-1001"
    assert screen.guide.text() == "Tunjukkan QR kartu pegawai ke kamera"
    # the one-tap correction adds a row, never edits the scan
    assert screen.correct_button.isVisible()
    tap(qtbot, screen.correct_button)
    qtbot.waitUntil(lambda: screen.feedback.text().startswith("Dibetulkan"), timeout=5000)
    rows = list(runtime.db["attendance"].rows_where(order_by="rowid"))
    assert len(rows) == 2 and rows[1]["source"] == "correction" and rows[0] == events[0]
    # the same card still in front of the camera is not a second event, and the name goes
    qtbot.waitUntil(lambda: screen.feedback.text() == "", timeout=5000)
    assert runtime.db["attendance"].count == 2
    screen.stop()
    assert camera.status().state == "stopped"


def test_a_badge_of_another_office_is_refused_in_words(qtbot, runtime, tmp_path):
    _office_knows_the_key(runtime)
    badge = badges.issue_badge(KEY, "emp-1001", "LAIN", runtime.clock.now().wall_ms - 60_000)
    screen, _ = _terminal(qtbot, runtime, tmp_path, badge)
    qtbot.waitUntil(lambda: screen.feedback.text() != "", timeout=10_000)
    assert screen.feedback.text() == "Kartu ini untuk kantor lain."
    assert not screen.correct_button.isVisible()
    assert runtime.db["attendance"].count == 0
    screen.stop()


def test_any_other_qr_is_not_a_badge(qtbot, runtime, tmp_path):
    screen, _ = _terminal(qtbot, runtime, tmp_path, "https://kota.example/s/S-ABCDEFG")
    qtbot.waitUntil(lambda: screen.feedback.text() != "", timeout=10_000)
    assert screen.feedback.text() == "QR ini bukan kartu pegawai. Tunjukkan kartu pegawai Anda."
    screen.stop()


# -- the face step (attendance.face = after_badge) -----------------------------------------
FACES = TESTDATA / "faces"


@pytest.fixture(scope="module")
def engine():
    from devices.face import FaceEngine

    if not (FACES / "obama.jpg").is_file():
        pytest.skip(f"the face test photos are not at {FACES}")
    return FaceEngine.load()


def _embedding(engine, image, pick: int = 0) -> list[float]:
    return engine.embed(image, engine.detect(image)[pick])


def _enrol(runtime, engine, who: str) -> None:
    """The employee emp-1001 enrolled with three captures of ``who`` (obama or biden)."""
    if who == "obama":
        image = cv2.imread(str(FACES / "obama2.jpg"))
        group = cv2.imread(str(FACES / "two_people.jpg"))
        captures = [_embedding(engine, image), _embedding(engine, cv2.flip(image, 1)),
                    min((engine.embed(group, f) for f in engine.detect(group)),
                        key=lambda e: face_distance(e, _embedding(engine, image)))]
    else:
        image = cv2.imread(str(FACES / "biden.jpg"))
        captures = [_embedding(engine, image), _embedding(engine, cv2.flip(image, 1)),
                    _embedding(engine, cv2.resize(image, None, fx=0.5, fy=0.5))]
    enroll_face(runtime, "emp-1001", captures, "Budi Santoso (lurah)")
    with write_tx(runtime.db):
        runtime.db["settings"].upsert({"key": "attendance.face", "value": "after_badge",
                                       "updated_ms": 0}, pk="key")


def _photo_with_badge(tmp_path, badge: str) -> Path:
    """What the camera sees when Obama's photo is held up with his badge beside it."""
    pictures = tmp_path / "camera"
    pictures.mkdir()
    photo = cv2.imread(str(FACES / "obama.jpg"))
    photo = cv2.resize(photo, (round(photo.shape[1] * 480 / photo.shape[0]), 480))
    card_file = tmp_path / "card.png"
    segno.make(badge, error="m").save(str(card_file), scale=6, border=4)
    card = cv2.imread(str(card_file))
    card = cv2.resize(card, (260, 260), interpolation=cv2.INTER_NEAREST)
    scene = np.full((480, photo.shape[1] + 300, 3), 255, np.uint8)
    scene[:, :photo.shape[1]] = photo
    scene[110:370, photo.shape[1] + 20:photo.shape[1] + 280] = card
    cv2.imwrite(str(pictures / "scene.png"), scene)
    return pictures


class TurningHead:
    """The real engine on the camera's real pictures, with the nose landmark of the face it
    finds moved as a head turning to ``direction()`` would move it, after ``frontal`` looks:
    the person a photo cannot imitate. Embeddings are the real ones."""

    def __init__(self, engine, direction, frontal: int = 3) -> None:
        self.engine, self.direction, self.frontal, self.looks = engine, direction, frontal, 0

    def detect(self, image):
        faces = self.engine.detect(image)
        self.looks += 1
        if not faces or self.looks <= self.frontal:
            return faces
        face = faces[0]
        (rx, ry), (lx, ly), _, mouth_r, mouth_l = face.landmarks
        turn = 0.45 if self.direction() == "left" else -0.45
        nose = ((rx + lx) / 2 + turn * (lx - rx), (ry + ly) / 2 + 0.5 * (lx - rx))
        return [Face(face.box, face.score, ((rx, ry), (lx, ly), nose, mouth_r, mouth_l))]

    def embed(self, image, face):
        return self.engine.embed(image, face)


def _face_terminal(qtbot, runtime, tmp_path, face_engine, badge: str) -> AttendanceScreen:
    camera = open_camera(f"replay:{_photo_with_badge(tmp_path, badge)}")
    ctx = ScreenContext(office=make_office(runtime), config=runtime.config, clock=runtime.clock,
                        export_dir=runtime.data_dir / "exports", camera=camera,
                        qr=open_decoder("zxing"), face=face_engine)
    screen = AttendanceScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def _badge(runtime) -> str:
    _office_knows_the_key(runtime)
    return badges.issue_badge(KEY, "emp-1001", runtime.config.office.code,
                              runtime.clock.now().wall_ms - 3_600_000)


ASKED = {"←\u00a0Tolong tengok ke kiri", "Tolong tengok ke kanan\u00a0→"}
LIVENESS_WORDS = ("Gerakan kepala tidak terlihat; coba lagi: tunjukkan kartu, lalu tengok "
                  "sesuai petunjuk.")


def test_a_still_photo_of_an_enrolled_employee_fails_the_head_turn(qtbot, runtime, tmp_path,
                                                                   engine, monkeypatch):
    monkeypatch.setattr(screen_mod, "FACE_TIMEOUT_S", 2.0)
    _enrol(runtime, engine, "obama")
    screen = _face_terminal(qtbot, runtime, tmp_path, engine, _badge(runtime))
    qtbot.waitUntil(lambda: screen.feedback.text() in ASKED, timeout=10_000)
    check = screen.face_check
    assert check is not None and check.direction in ("left", "right")
    # the photo is seen, looking at the camera; then it just does not turn
    qtbot.waitUntil(lambda: screen.guide.text() == "Bagus. Tengok pelan-pelan.",
                    timeout=5000)
    qtbot.waitUntil(lambda: screen.feedback.text() == LIVENESS_WORDS, timeout=10_000)
    assert check.challenge.state == "failed" and check.challenge.seen_frontal
    assert runtime.db["attendance"].count == 0
    assert screen.face_check is None and not screen.correct_button.isVisible()
    screen.stop()


def test_an_enrolled_employee_who_turns_as_asked_is_greeted(qtbot, runtime, tmp_path, engine):
    _enrol(runtime, engine, "obama")
    screens: list[AttendanceScreen] = []
    head = TurningHead(engine, lambda: screens[0].face_check.direction)
    screens.append(_face_terminal(qtbot, runtime, tmp_path, head, _badge(runtime)))
    screen = screens[0]
    qtbot.waitUntil(lambda: screen.feedback.text() in ASKED, timeout=10_000)
    qtbot.waitUntil(lambda: screen.feedback.text().startswith("Selamat "), timeout=10_000)
    [event] = list(runtime.db["attendance"].rows)
    assert event["employee_id"] == "emp-1001" and event["face"] == "matched"
    assert event["face_distance"] < 0.55
    assert screen.correct_button.isVisible()
    assert not list((runtime.data_dir / "face_audit").glob("*"))   # default: no photo kept
    screen.stop()


def test_someone_else_turning_with_the_badge_is_refused(qtbot, runtime, tmp_path, engine):
    _enrol(runtime, engine, "biden")          # the badge is Biden's; Obama holds it up
    screens: list[AttendanceScreen] = []
    head = TurningHead(engine, lambda: screens[0].face_check.direction)
    screens.append(_face_terminal(qtbot, runtime, tmp_path, head, _badge(runtime)))
    screen = screens[0]
    qtbot.waitUntil(lambda: screen.feedback.text().startswith("Wajah tidak cocok"),
                    timeout=15_000)
    assert runtime.db["attendance"].count == 0
    screen.stop()


def test_a_terminal_without_the_face_engine_says_so_and_records_nothing(qtbot, runtime,
                                                                       tmp_path, engine):
    _enrol(runtime, engine, "obama")
    screen = _face_terminal(qtbot, runtime, tmp_path, None, _badge(runtime))
    qtbot.waitUntil(lambda: screen.feedback.text() != "", timeout=10_000)
    assert screen.feedback.text() == ("Pemeriksaan wajah belum siap di perangkat ini. "
                                      "Hubungi teknisi.")
    assert runtime.db["attendance"].count == 0
    screen.stop()


def test_the_app_gives_the_terminal_a_face_engine_or_says_why_not(runtime, tmp_path, caplog):
    from devices.face import FaceEngine
    from ui.app import make_face

    engine = make_face(runtime)
    assert isinstance(engine, FaceEngine) and engine._dlib is None   # dlib: at first need
    runtime.config.face.detector_model = str(tmp_path / "yunet.onnx")
    with caplog.at_level("WARNING", logger="ui.app"):
        assert make_face(runtime) is None
    assert "no face check on this terminal" in caplog.text and "detector_model" in caplog.text


def test_an_office_that_keeps_audit_snapshots_gets_the_refused_attempts_picture(
        qtbot, runtime, tmp_path, engine):
    """attendance.face_snapshot_days = 7: the terminal sends the verified picture (a small
    JPEG) with the face; the edge keeps it under face_audit/ with the time and employee."""
    _enrol(runtime, engine, "biden")          # the badge is Biden's; Obama holds it up
    with write_tx(runtime.db):
        runtime.db["settings"].upsert({"key": "attendance.face_snapshot_days", "value": "7",
                                       "updated_ms": 0}, pk="key")
    screens: list[AttendanceScreen] = []
    head = TurningHead(engine, lambda: screens[0].face_check.direction)
    screens.append(_face_terminal(qtbot, runtime, tmp_path, head, _badge(runtime)))
    screen = screens[0]
    qtbot.waitUntil(lambda: screen.feedback.text().startswith("Wajah tidak cocok"),
                    timeout=15_000)
    [kept] = list((runtime.data_dir / "face_audit").glob("*.jpg"))
    assert kept.name.endswith("_emp-1001.jpg")
    picture = cv2.imread(str(kept))
    assert picture is not None and picture.shape[1] <= 320 and engine.detect(picture)
    assert runtime.db["attendance"].count == 0
    screen.stop()
