"""The attendance terminal, as Andi meets it: his badge held up to the camera (the replay
source playing a picture of the card), a greeting with the time, the one-tap correction,
refusals in words, and nobody's name left on the screen afterwards."""

from __future__ import annotations

import base64

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devices.camera import open_camera
from devices.qr import open_decoder
from kiosk import badges
from kiosk.db import write_tx
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
