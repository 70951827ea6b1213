"""devices.camera fed with the real photos of ../shared/testdata through the replay source
(and a real video file through the OpenCV driver): frames arrive, only the newest is kept,
a QR frame decodes through devices.qr, and a missing or unplugged source is reported and
recovers by itself."""

from __future__ import annotations

import gc
import shutil
import time
import weakref
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import Frame, OpenCVCamera, ReplayCamera, open_camera, parse_source
from devices.qr import decode
from kiosk import config
from kiosk.errors import ConfigError
from tests.camera_support import QR_DIR, qr_samples

RETRY = 0.05


def wait_for(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"not true within {timeout} s")


def copy_samples(folder: Path, names: tuple[str, ...] = ("1.png", "2.png", "3.png")) -> list[str]:
    """Three photos of qrcode-6 copied into ``folder``; returns the texts they hold."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for name in names:
        src = QR_DIR / "qrcode-6" / name
        shutil.copy(src, folder / name)
        texts.append(src.with_suffix(".txt").read_text(encoding="utf-8"))
    return texts


def test_replay_frames_arrive_at_the_configured_size(tmp_path):
    copy_samples(tmp_path / "imgs")
    camera = open_camera(f"replay:{tmp_path / 'imgs'}?fps=50", width=640, height=480, retry_s=RETRY)
    with camera:
        first = camera.next_frame(0, timeout=5)
        second = camera.next_frame(first.seq, timeout=5)
        assert camera.status().state == "ok"
    assert isinstance(first, Frame)
    assert first.image.shape == (480, 640, 3) and first.image.dtype == np.uint8
    assert (first.width, first.height) == (640, 480)
    assert second.seq > first.seq and second.time > first.time
    assert camera.status().state == "stopped"


def test_replay_keeps_only_the_latest_frame(tmp_path):
    """A slow reader sees gaps in seq and the camera holds no older picture (no queue)."""
    copy_samples(tmp_path / "imgs")
    with open_camera(f"replay:{tmp_path / 'imgs'}?fps=400", retry_s=RETRY) as camera:
        first = camera.next_frame(0, timeout=5)
        gone = weakref.ref(first.image)
        first_seq = first.seq
        del first
        time.sleep(0.3)                        # a consumer busy elsewhere
        later = camera.latest()
        gc.collect()
        assert later.seq > first_seq + 5      # frames were dropped, not queued
        assert gone() is None                 # and nothing kept the old picture alive
        newer = camera.next_frame(later.seq, timeout=5)
        assert newer.seq > later.seq


def test_a_qr_frame_from_the_replay_decodes_through_devices_qr(tmp_path):
    texts = copy_samples(tmp_path / "imgs")
    seen: set[str] = set()
    with open_camera(f"replay:{tmp_path / 'imgs'}?fps=30", width=640, height=480,
                     retry_s=RETRY) as camera:
        seq = 0
        deadline = time.monotonic() + 10
        while set(texts) - seen and time.monotonic() < deadline:
            frame = camera.next_frame(seq, timeout=2)
            seq = frame.seq
            seen.update(decode(frame.image))
    assert seen == set(texts)


def test_every_testdata_photo_replays(tmp_path):
    """Every format in testdata (png, jpg, webp) plays; loop=no ends and keeps the last one."""
    folder = tmp_path / "all"
    folder.mkdir()
    samples = qr_samples()
    for n, (path, _, _) in enumerate(samples):
        shutil.copy(path, folder / f"{n:03d}{path.suffix}")
    camera = ReplayCamera(parse_source(f"replay:{folder}?fps=1000&loop=no"), retry_s=RETRY)
    with camera:
        wait_for(lambda: "finished" in camera.status().detail, timeout=20)
        last = camera.latest()
    assert last.seq == len(samples)
    assert last.image.shape == samples[-1][1].shape


def test_empty_folder_is_missing_then_recovers_when_filled_and_unplugs_when_emptied(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    with open_camera(f"replay:{folder}?fps=100", retry_s=RETRY) as camera:
        wait_for(lambda: camera.status().state == "missing")
        assert f"no images in {folder}" in camera.status().detail
        assert camera.latest() is None

        copy_samples(folder)                                  # plugged in
        wait_for(lambda: camera.status().state == "ok")
        before = camera.next_frame(0, timeout=5).seq

        for path in folder.iterdir():                         # unplugged
            path.unlink()
        status = wait_for(lambda: camera.status().state == "unplugged" and camera.status())
        assert "reconnects by itself" in status.detail
        stalled = camera.latest().seq
        time.sleep(0.2)
        assert camera.latest().seq == stalled                 # no picture while unplugged

        copy_samples(folder)                                  # back again
        wait_for(lambda: camera.status().state == "ok")
        assert camera.next_frame(stalled, timeout=5).seq > max(before, stalled)


def test_replay_of_a_path_that_does_not_exist_says_so(tmp_path):
    with open_camera(f"replay:{tmp_path / 'nowhere'}", retry_s=RETRY) as camera:
        status = wait_for(lambda: camera.status().state == "missing" and camera.status())
    assert "does not exist" in status.detail and "replay:" in status.detail


def test_opencv_camera_that_is_not_plugged_in_names_the_device_and_the_check():
    camera = open_camera("7", retry_s=RETRY)                  # /dev/video7: not on this machine
    assert isinstance(camera, OpenCVCamera)
    with camera:
        status = wait_for(lambda: camera.status().state == "missing" and camera.status())
    assert "no camera at /dev/video7" in status.detail and "ls /dev/video*" in status.detail


def write_video(path: Path, frames: int = 12, size: tuple[int, int] = (320, 240)) -> None:
    """A real MJPG video (OpenCV's writer), each frame a different grey."""
    tmp = path.with_suffix(".tmp.avi")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), 25, size)
    assert writer.isOpened()
    for n in range(frames):
        writer.write(np.full((size[1], size[0], 3), 20 * n % 256, np.uint8))
    writer.release()
    tmp.replace(path)                       # appears whole, like a device node


def test_opencv_capture_on_a_video_file_deleted_and_recreated(tmp_path):
    """The real VideoCapture path: missing, opened, gone (unplugged), back (recovered)."""
    video = tmp_path / "cam.avi"
    with open_camera(str(video), retry_s=RETRY) as camera:
        status = wait_for(lambda: camera.status().state == "missing" and camera.status())
        assert f"{video} does not exist" in status.detail

        write_video(video)
        wait_for(lambda: camera.status().state == "ok")
        frame = camera.next_frame(0, timeout=5)
        assert frame.image.shape == (240, 320, 3)

        video.unlink()
        wait_for(lambda: camera.status().state == "unplugged")
        gap = camera.latest().seq

        write_video(video)
        wait_for(lambda: camera.status().state == "ok")
        assert camera.next_frame(gap, timeout=5).seq > gap


def test_replay_of_a_video_file_loops(tmp_path):
    video = tmp_path / "clip.avi"
    write_video(video, frames=5)
    with open_camera(f"replay:{video}?fps=200", width=640, height=480, retry_s=RETRY) as camera:
        frame = wait_for(lambda: (f := camera.latest()) is not None and f.seq > 12 and f)
        assert camera.status().state == "ok"
    assert frame.image.shape == (480, 640, 3)               # fitted: 320x240 scaled up


def test_to_qimage_shows_the_same_pixels(tmp_path):
    from devices.camera.qimage import to_qimage

    image = np.zeros((48, 64, 3), np.uint8)
    image[10, 20] = (255, 0, 0)                             # blue, in OpenCV's BGR order
    qimage = to_qimage(Frame(image, 0.0, 1))
    del image
    assert (qimage.width(), qimage.height()) == (64, 48)
    colour = qimage.pixelColor(20, 10)
    assert (colour.red(), colour.green(), colour.blue()) == (0, 0, 255)


@pytest.mark.parametrize("source", ["", "webcam", "replay:", "replay:/x?fps=fast",
                                    "replay:/x?speed=2", "replay:/x?loop=maybe", "replay:/x?fps=0"])
def test_bad_sources_are_config_errors_naming_the_key(source):
    with pytest.raises(ConfigError) as info:
        open_camera(source)
    assert info.value.key == "camera.source"


def test_sources_parse():
    assert parse_source("0").device_path == "/dev/video0"
    assert parse_source("/dev/video2").device_path == "/dev/video2"
    replay = parse_source("replay:/srv/demo?fps=10&loop=no")
    assert (replay.kind, replay.path, replay.fps, replay.loop) == ("replay", "/srv/demo", 10.0, False)
    assert parse_source("rtsp://10.0.0.5/stream").kind == "device"


@pytest.mark.parametrize("text, key", [
    ('[camera]\nsource = "webcam"\n', "camera.source"),
    ('[camera]\nsource = 0\n', "camera.source"),
    ('[camera]\nqr_backend = "opencv"\n', "camera.qr_backend"),
    ('[camera]\nwidth = 10\n', "camera.width"),
    ('[camera]\nheight = "480"\n', "camera.height"),
    ('[camera]\nfps = 30\n', "camera.fps"),
])
def test_camera_section_is_validated(tmp_path, text, key):
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert info.value.key == key


def test_camera_section_defaults_and_round_trip(tmp_path):
    cfg = config.Config()
    assert (cfg.camera.source, cfg.camera.qr_backend, cfg.camera.width, cfg.camera.height) == \
        ("0", "zxing", 640, 480)
    cfg.camera.source = "replay:/srv/demo?fps=10"
    cfg.camera.qr_backend = "pyzbar"
    config.save(cfg, tmp_path)
    assert config.load(tmp_path).camera == cfg.camera


def test_only_the_headless_opencv_wheel_is_installed():
    """The full opencv-python wheel bundles its own Qt plugins, which break PySide6."""
    from importlib.metadata import PackageNotFoundError, version

    assert version("opencv-python-headless")
    for other in ("opencv-python", "opencv-contrib-python"):
        with pytest.raises(PackageNotFoundError):
            version(other)


def test_next_frame_times_out_with_none_and_start_twice_keeps_one_thread(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    camera = open_camera(f"replay:{folder}", retry_s=RETRY)
    camera.start()
    thread = camera._thread
    camera.start()
    assert camera._thread is thread
    started = time.monotonic()
    assert camera.next_frame(0, timeout=0.2) is None          # an empty folder gives nothing
    assert time.monotonic() - started >= 0.19
    camera.stop()
    assert not thread.is_alive() and camera.status().state == "stopped"
