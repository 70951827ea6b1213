"""Shared fixtures. Tests set QT_QPA_PLATFORM=offscreen themselves, before Qt loads."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ACCESSIBILITY", "0")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kiosk.clock import FakeClock  # noqa: E402
from kiosk.demo import init_demo  # noqa: E402
from kiosk.runtime import Runtime, open_runtime  # noqa: E402


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    init_demo(data_dir)
    return data_dir


@pytest.fixture
def runtime(demo_dir: Path, clock: FakeClock) -> Runtime:
    rt = open_runtime(demo_dir, clock=clock)
    yield rt
    # A screen's operations run on worker threads with this runtime's connection; closing it
    # under a running query crashes SQLite (a segfault, seen once in the whole suite). Let
    # them finish first. Only when a UI test loaded ui.ops: the domain tests stay Qt-free.
    ui_ops = sys.modules.get("ui.ops")
    if ui_ops is not None:
        ui_ops.wait_idle(5000)
    rt.close()
