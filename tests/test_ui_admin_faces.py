"""The admin screen's face page (ui/admin_faces.py), driven like an admin with qtbot: the
list with each employee's state, "Rekam wajah" through the consent (read out, ticked, who
recorded it) and five captures from the camera's replay source playing real photos
(/work/shared/testdata/faces), the progress "3 dari 5", the enrolment on the edge's real
SQLite file, a picture with two faces refused, a cancelled recording that keeps nothing,
"Hapus data wajah" with its confirmation, and a device without a face camera."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import pytest

from kiosk import outbox
from kiosk.attendance import faces
from tests.camera_support import TESTDATA
from ui import ops
from ui.context import ScreenContext
from ui_support import back_to_indonesian, make_office, tap

FACES = TESTDATA / "faces"


PANELS: list = []


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()
    while PANELS:           # as the shell does when its window closes: the camera off
        PANELS.pop().stop()


@pytest.fixture(scope="module")
def engine():
    try:
        from devices.face import FaceEngine, FaceModelError
    except ImportError as exc:
        pytest.skip(f"the face engine (devices.face, helper face-engine's branch) is not "
                    f"here: {exc}")
    if not (FACES / "obama.jpg").is_file():
        pytest.skip(f"the face test photos are not at {FACES}")
    try:
        return FaceEngine.load()
    except FaceModelError as exc:
        pytest.skip(f"the face engine cannot load: {exc}")


def _camera(tmp_path: Path, *names: str):
    from devices.camera import open_camera

    folder = tmp_path / "camera"
    folder.mkdir()
    for name in names:
        shutil.copy(FACES / name, folder / name)
    return open_camera(f"replay:{folder}")


def _panel(qtbot, runtime, camera=None, face=None):
    from ui.admin_faces import FacesPanel

    ctx = ScreenContext(office=make_office(runtime), config=runtime.config, clock=runtime.clock,
                        export_dir=runtime.data_dir / "exports", camera=camera, face=face)
    panel = FacesPanel(ctx)
    PANELS.append(panel)
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=5000)
    return panel


def _select(panel, employee_id: str) -> None:
    row = next(i for i, r in enumerate(panel.roster) if r["employee_id"] == employee_id)
    panel.table.selectRow(row)


def _consent(qtbot, panel, employee_id: str = "emp-1001") -> None:
    _select(panel, employee_id)
    assert panel.record_button.isEnabled()
    tap(qtbot, panel.record_button)
    assert panel.pages.currentWidget() is panel.consent_page
    assert "Bacakan kepada pegawai" in panel.consent_text.text()
    assert faces.CONSENT_VERSION in panel.consent_version.text()
    assert not panel.to_camera_button.isEnabled()           # nothing before the consent
    panel.agreed.setChecked(True)
    assert not panel.to_camera_button.isEnabled()           # and who recorded it
    panel.recorder.setCurrentIndex(panel.recorder.findText("Budi Santoso"))
    assert panel.to_camera_button.isEnabled()
    tap(qtbot, panel.to_camera_button)
    assert panel.pages.currentWidget() is panel.capture_page


def _take(qtbot, panel, count_before: int) -> None:
    qtbot.waitUntil(lambda: panel.ctx.camera.latest() is not None, timeout=10_000)
    tap(qtbot, panel.take_button)
    qtbot.waitUntil(lambda: not panel._capturing, timeout=30_000)


def test_recording_a_face_takes_consent_then_five_captures(qtbot, runtime, tmp_path, engine):
    camera = _camera(tmp_path, "obama.jpg", "obama2.jpg")
    panel = _panel(qtbot, runtime, camera, engine)
    row = next(r for r in panel.roster if r["employee_id"] == "emp-1001")
    assert not row["enrolled"]
    assert panel.table.item(0, 1).text() == "Belum direkam"
    _consent(qtbot, panel)
    assert panel.progress.text() == "0 dari 5"
    for n in range(1, 5):
        _take(qtbot, panel, n - 1)
        assert panel.progress.text() == f"{n} dari 5", panel.capture_feedback.text()
    assert runtime.db["face_enrolments"].count == 0          # nothing stored before the end
    _take(qtbot, panel, 4)
    qtbot.waitUntil(lambda: panel.pages.currentWidget() is panel.list_page, timeout=10_000)
    qtbot.waitUntil(lambda: any(r["enrolled"] for r in panel.roster), timeout=5000)
    assert panel.message.text() == "Wajah Andi Pratama sudah direkam."
    assert panel.preview.pixmap().isNull()                   # no picture left on screen
    enrolled = faces.enrolled(runtime.db, "emp-1001")
    assert len(enrolled) == 5
    # they are Obama's: within the same-person distance of an embedding of obama2.jpg
    image = cv2.imread(str(FACES / "obama2.jpg"))
    probe = engine.embed(image, engine.detect(image)[0])
    assert faces.best_distance(enrolled, probe) < 0.45
    row = next(r for r in panel.roster if r["employee_id"] == "emp-1001")
    assert row["consent_by"] == "Budi Santoso (emp-1003)"
    line = [panel.table.item(i, 2).text() for i in range(panel.table.rowCount())
            if panel.table.item(i, 0).text() == "Andi Pratama"][0]
    assert line.endswith("dicatat oleh Budi Santoso (emp-1003)")
    assert not list((runtime.data_dir).glob("**/*.jpg"))      # no photo kept


def test_a_picture_with_two_faces_is_not_taken(qtbot, runtime, tmp_path, engine):
    panel = _panel(qtbot, runtime, _camera(tmp_path, "two_people.jpg"), engine)
    _consent(qtbot, panel)
    _take(qtbot, panel, 0)
    assert panel.progress.text() == "0 dari 5"
    assert panel.capture_feedback.text().startswith("Ada lebih dari satu wajah")


def test_a_cancelled_recording_keeps_nothing(qtbot, runtime, tmp_path, engine):
    panel = _panel(qtbot, runtime, _camera(tmp_path, "obama.jpg"), engine)
    _consent(qtbot, panel)
    _take(qtbot, panel, 0)
    _take(qtbot, panel, 1)
    assert panel.progress.text() == "2 dari 5"
    tap(qtbot, panel.cancel_capture_button)
    assert panel.pages.currentWidget() is panel.list_page
    assert panel.captures == [] and runtime.db["face_enrolments"].count == 0
    assert runtime.db["face_consents"].count == 0


def test_deleting_a_face_asks_first(qtbot, runtime, tmp_path):
    from tests.test_faces import captures

    faces.enroll_face(runtime, "emp-1001", captures(), "Budi Santoso (emp-1003)")
    panel = _panel(qtbot, runtime)             # a staff PC: no camera, deletion still works
    assert not panel.record_button.isEnabled() or panel.selected() is None
    assert panel.no_camera.isVisibleTo(panel)
    _select(panel, "emp-2002")
    assert not panel.delete_button.isEnabled() and not panel.record_button.isEnabled()
    _select(panel, "emp-1001")
    assert panel.delete_button.isEnabled()
    tap(qtbot, panel.delete_button)
    assert panel.pages.currentWidget() is panel.delete_page
    assert panel.delete_question.text() == "Hapus data wajah Andi Pratama?"
    tap(qtbot, panel.keep_button)                              # "Batal": nothing happens
    assert faces.enrolled(runtime.db, "emp-1001") is not None
    _select(panel, "emp-1001")
    tap(qtbot, panel.delete_button)
    tap(qtbot, panel.confirm_delete_button)
    qtbot.waitUntil(lambda: panel.message.text() == "Data wajah Andi Pratama sudah dihapus.",
                    timeout=5000)
    assert faces.enrolled(runtime.db, "emp-1001") is None
    assert [c.payload["employee_id"] for c in outbox.pending(runtime.db)
            if c.table == "face_erasures"] == ["emp-1001"]
    qtbot.waitUntil(lambda: not any(r["enrolled"] for r in panel.roster), timeout=5000)


def test_the_admin_screen_reaches_the_face_page(qtbot, runtime):
    from ui.admin import AdminScreen

    ctx = ScreenContext(office=make_office(runtime), config=runtime.config, clock=runtime.clock,
                        export_dir=runtime.data_dir / "exports")
    screen = AdminScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    assert screen.faces_button.text() == "Data wajah"
    tap(qtbot, screen.faces_button)
    assert screen.pages.currentWidget() is screen.faces_panel
    qtbot.waitUntil(lambda: screen.faces_panel.table.rowCount() == 4, timeout=5000)
    tap(qtbot, screen.faces_panel.back_button)
    assert screen.pages.currentWidget() is screen.stats_page
