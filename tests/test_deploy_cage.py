"""kiosk.service's own command line, for real: the `cage` compositor (wlroots' headless
backend with the pixman renderer: no GPU, no screen) runs `kiosk run` on Wayland as an
unprivileged user (cage refuses root, as on the Pi where the unit runs as `kiosk`). The app
says READY and pings the watchdog through cage, a screenshot of the compositor (grim)
shows it covering the whole output, and the unit's ExecStop ends the app and then cage,
both cleanly. What stays untested off the Pi: the DRM/KMS backend, the touch panel, logind.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from kiosk.demo import init_demo
from tests.test_deploy import UNITS, one, parse_unit

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("cage") and shutil.which("grim")
                            and shutil.which("Xwayland")),
                       reason="cage, grim and xwayland not installed (scripts/setup as root)"),
]


def _as_user(user: str | None) -> list[str]:
    if user is None:
        return []
    entry = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]


def _python_for(user: str | None, env: dict[str, str]) -> str:
    """An interpreter the user may run, of this one's version (the venv's packages are put
    on PYTHONPATH): this one, or the system's of the same minor version."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/python{version}"):
        # through env, as cage starts it: an unprivileged process runs the interpreter
        probe = subprocess.run([*_as_user(user), "env", candidate, "-c", "import PySide6, kiosk"],
                               env=env, capture_output=True, timeout=60)
        if probe.returncode == 0:
            return candidate
    pytest.skip(f"no Python {version} that the user {user} may run")


@pytest.fixture
def user() -> str | None:
    if os.geteuid() != 0:
        return None  # not root: cage runs as we are
    if shutil.which("setpriv") is None:
        pytest.skip("root here, and no setpriv to run cage as another user")
    return "nobody"


def test_kiosk_run_under_cage_full_screen_ready_and_stopped_cleanly(user) -> None:
    work = Path(tempfile.mkdtemp(prefix="cage"))  # short: AF_UNIX paths are 108 bytes at most
    try:
        (work / "xdg").mkdir(mode=0o700)
        init_demo(work / "data")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(work / "notify"))
        notify.settimeout(60)
        os.chmod(work / "notify", 0o777)
        if user is not None:
            uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid
            for path in [work, *work.rglob("*")]:
                os.chown(path, uid, gid)
        os.chmod(work, 0o755)

        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
            "PYTHONPATH": os.pathsep.join([sysconfig.get_paths()["purelib"], str(ROOT)]),
            "XDG_RUNTIME_DIR": str(work / "xdg"),
            "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
            "NOTIFY_SOCKET": str(work / "notify"), "WATCHDOG_USEC": "2000000",
        }
        python = _python_for(user, env)
        unit = parse_unit(UNITS / "kiosk.service")
        for setting in [v for k, v in unit["Service"] if k == "Environment"]:
            key, value = setting.split("=", 1)
            env[key] = value
        # the unit's StateDirectory and CacheDirectory, which systemd would make
        env["KIOSK_DATA_DIR"] = str(work / "data")
        env["XDG_CACHE_HOME"] = str(work / "cache")
        # The unit's ExecStart, with the venv's kiosk replaced by this checkout's.
        command = []
        for word in one(unit, "Service", "ExecStart").split():
            if word == "/opt/kelurahan-kiosk/bin/kiosk":
                command += [python, "-c", "from kiosk.cli import entry; entry()"]
            elif word == "$KIOSK_RUN_ARGS":
                command += ["--role", "citizen"]
            else:
                command.append(word)
        assert command[0] == "/usr/bin/cage"
        command[0] = shutil.which("cage")
        log = open(work / "cage.log", "w")
        cage = subprocess.Popen([*_as_user(user), *command], env=env, cwd=work,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            got: list[str] = []
            while "WATCHDOG=1" not in got:
                try:
                    got.append(notify.recv(4096).decode())
                except TimeoutError:
                    pytest.fail(f"no READY/WATCHDOG from the app under cage ({got}, {command}); "
                                f"its log: {(work / 'cage.log').read_text()}")
            assert got[0].startswith("READY=1") and "citizen" in got[0], got
            assert cage.poll() is None, (work / "cage.log").read_text()

            shot = work / "screen.png"
            subprocess.run([*_as_user(user), "grim", str(shot)], check=True, timeout=60,
                           env={**env, "WAYLAND_DISPLAY": "wayland-0"})
            from PIL import Image

            image = Image.open(shot).convert("RGB")
            width, height = image.size
            assert (width, height) == (1280, 720)  # wlroots' headless output
            # The kiosk covers the whole output: no corner shows cage's black background.
            corners = [image.getpixel(p) for p in
                       [(2, 2), (width - 3, 2), (2, height - 3), (width - 3, height - 3)]]
            assert all(sum(c) > 150 for c in corners), corners
            assert len(image.getcolors(1 << 20) or []) > 50  # text and icons, not blank
            # (wlroots 0.15's headless output fails its commits, "Basic output test failed",
            # so later frames may not show: only the first frame is asserted on.)

            # systemctl stop: the unit's ExecStop with $MAINPID = cage's pid.
            stop = one(unit, "Service", "ExecStop").replace("$$", "$")
            stopper = subprocess.Popen([*shlex.split(stop)],
                                       env={**os.environ, "MAINPID": str(cage.pid)})
            assert cage.wait(30) == 0, (work / "cage.log").read_text()  # not an abort
            assert stopper.wait(10) == 0
            assert "STOPPING=1" in notify.recv(4096).decode()
        finally:
            if cage.poll() is None:
                cage.kill()
                cage.wait(10)
            log.close()
            notify.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
