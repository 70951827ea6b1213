"""The Raspberry Pi deployment (deploy/, scripts/install-pi) as far as it can be tested off
the Pi: the systemd units hold what the kiosk needs and pass ``systemd-analyze verify``
(in a scratch root with the units of this machine's systemd), and ``install-pi --dry-run``
plans the right steps for Bookworm and Trixie from a fake /etc/os-release and refuses other
systems. Not tested here: a real install on a Pi (cage on a real screen, the hardware
watchdog, apt on arm64)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
INSTALL = ROOT / "scripts" / "install-pi"

BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' \
           "VERSION_CODENAME=bookworm\n"
TRIXIE = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\n' \
         "VERSION_CODENAME=trixie\n"
UBUNTU = 'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\n' \
         "VERSION_CODENAME=noble\n"
BULLSEYE_32 = 'PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"\nID=raspbian\nID_LIKE=debian\n' \
              "VERSION_CODENAME=bullseye\n"


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """systemd's unit syntax: sections of KEY=VALUE lines; keys may repeat (configparser
    would keep only the last After= or Environment=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None and "=" in line, f"{path.name}: stray line {raw!r}"
        key, value = line.split("=", 1)
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict, section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict, section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"[{section}] {key}: {found}"
    return found[0]


def environment(unit: dict) -> dict[str, str]:
    return dict(v.split("=", 1) for v in values(unit, "Service", "Environment"))


@pytest.mark.parametrize("name", ["kiosk.service", "kiosk-edge.service"])
def test_both_units_restart_log_and_watch(name: str) -> None:
    unit = parse_unit(UNITS / name)
    assert one(unit, "Service", "User") == "kiosk"
    # the screen runs under cage, which exits 0 whatever the app returned (a crash, or 75
    # after a factory reset): only "always" brings the screen back
    assert one(unit, "Service", "Restart") == ("always" if name == "kiosk.service"
                                               else "on-failure")
    assert 1 <= int(one(unit, "Service", "RestartSec")) <= 30
    # a unit that cannot start stops trying (StartLimit*), and says why in the journal
    assert int(one(unit, "Unit", "StartLimitBurst")) >= 3
    assert int(one(unit, "Unit", "StartLimitIntervalSec")) >= 60
    assert one(unit, "Service", "StandardOutput") == "journal"
    # the app pings the watchdog (kiosk/sdnotify.py): a hung app is restarted
    assert one(unit, "Service", "Type") == "notify"
    assert int(one(unit, "Service", "WatchdogSec")) >= 20
    env = environment(unit)
    assert env["KIOSK_DATA_DIR"] == "/var/lib/kelurahan-kiosk"
    assert one(unit, "Service", "StateDirectory") == "kelurahan-kiosk"
    assert values(unit, "Install", "WantedBy") == ["multi-user.target"]


def test_the_screen_runs_under_cage_full_screen_on_wayland() -> None:
    unit = parse_unit(UNITS / "kiosk.service")
    exec_start = one(unit, "Service", "ExecStart").split()
    assert exec_start[0] == "/usr/bin/cage"
    assert "-s" not in exec_start  # no VT switching for a citizen
    assert exec_start[exec_start.index("--") + 1:][:2] == ["/opt/kelurahan-kiosk/bin/kiosk", "run"]
    assert environment(unit)["QT_QPA_PLATFORM"] == "wayland"
    # the app is cage's child: its READY and WATCHDOG must count
    assert one(unit, "Service", "NotifyAccess") == "all"
    # a logind session on tty1 gives cage the screen and the touch input
    assert one(unit, "Service", "PAMName") == "kelurahan-kiosk"
    assert one(unit, "Service", "TTYPath") == "/dev/tty1"
    assert "getty@tty1.service" in values(unit, "Unit", "Conflicts")
    # the app is stopped first (cage follows it out); a SIGTERM to cage 0.1.4 aborts it
    stop = one(unit, "Service", "ExecStop")
    assert 'pkill -TERM -P "$$MAINPID"' in stop and 'kill -0 "$$MAINPID"' in stop
    pam = (ROOT / "deploy" / "pam" / "kelurahan-kiosk").read_text()
    assert "pam_systemd.so" in pam


def test_the_headless_edge_serves_without_a_screen() -> None:
    unit = parse_unit(UNITS / "kiosk-edge.service")
    assert one(unit, "Service", "ExecStart").split()[:3] == [
        "/opt/kelurahan-kiosk/bin/kiosk", "edge", "serve"]
    assert "cage" not in (UNITS / "kiosk-edge.service").read_text().split("[Service]")[1]
    assert "QT_QPA_PLATFORM" not in environment(unit)


def test_the_hardware_watchdog_drop_in() -> None:
    conf = parse_unit(UNITS / "watchdog.conf")
    seconds = one(conf, "Manager", "RuntimeWatchdogSec")
    assert seconds.endswith("s") and 0 < int(seconds[:-1]) <= 15  # the bcm2835's limit
    assert one(conf, "Manager", "RebootWatchdogSec")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    # A scratch root: this machine's units (targets, getty, logind) plus ours, and stand-ins
    # for the two programs the units start, which exist only on the Pi.
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system",
                    symlinks=True)
    for program in ("usr/bin/cage", "opt/kelurahan-kiosk/bin/kiosk", "bin/sh"):
        path = tmp_path / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    for unit in ("kiosk.service", "kiosk-edge.service"):
        shutil.copy(UNITS / unit, tmp_path / "etc/systemd/system" / unit)
    proc = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}",
                           "kiosk.service", "kiosk-edge.service"],
                          capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown keys or bad values, only warning: no warning is accepted.
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr


def install_pi(tmp_path: Path, os_release: str, *args: str,
               arch: str = "aarch64") -> subprocess.CompletedProcess:
    fake = tmp_path / "os-release"
    fake.write_text(os_release)
    env = {**os.environ, "OS_RELEASE": str(fake), "MACHINE_ARCH": arch}
    return subprocess.run([str(INSTALL), *args], capture_output=True, text=True, env=env,
                          timeout=60)


def planned(out: str) -> list[str]:
    """The commands the dry run would run, without the '[install-pi] + ' prefix and the
    shell quoting of printf %q (``\\[server\\]``)."""
    return [line.split("+ ", 1)[1].replace("\\", "") for line in out.splitlines()
            if line.startswith("[install-pi] + ")]


def test_bookworm_plan(tmp_path: Path) -> None:
    proc = install_pi(tmp_path, BOOKWORM, "--dry-run")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out, cmds = proc.stdout, planned(proc.stdout)
    packages = next(line for line in out.splitlines() if "] packages: " in line).split()
    for pkg in ("cage", "xwayland", "procps", "libzbar0", "libglib2.0-0", "espeak-ng", "speech-dispatcher",
                "fonts-noto-core", "libusb-1.0-0", "cups-client", "python3-venv",
                "libwayland-client0", "libxkbcommon0"):
        assert pkg in packages, pkg
    assert any(c.startswith("useradd --system") and c.endswith(" kiosk") for c in cmds)
    usermod = next(c for c in cmds if c.startswith("usermod"))
    for group in ("video", "lp", "dialout", "plugdev"):
        assert group in usermod
    install = next(c for c in cmds if "pip" in c and "[server]" in c)
    assert "--only-binary=:all:" in install
    assert "--no-binary=face-recognition-models" in install
    assert "deploy/constraints-bookworm.txt" in install  # PySide6 6.8.0.2 on Bookworm
    assert "python3 -m venv /opt/kelurahan-kiosk" in cmds
    assert any(c.endswith("/etc/systemd/system/kiosk.service") for c in cmds)
    assert any(c.endswith("/etc/systemd/system.conf.d/kelurahan-kiosk-watchdog.conf")
               for c in cmds)
    assert "systemctl enable kiosk.service" in cmds
    assert "systemctl disable --now kiosk-edge.service" in cmds
    assert "systemctl restart kiosk.service" in cmds
    assert "systemctl set-default multi-user.target" in cmds
    assert "dry run, nothing changed" in out


def test_trixie_headless_plan(tmp_path: Path) -> None:
    proc = install_pi(tmp_path, TRIXIE, "--dry-run", "--headless", "--no-start")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out, cmds = proc.stdout, planned(proc.stdout)
    packages = next(line for line in out.splitlines() if "] packages: " in line).split()
    assert "libglib2.0-0t64" in packages and "libzbar0t64" in packages  # Debian 13 names
    assert "libzbar0" not in packages
    install = next(c for c in cmds if "pip" in c and "[server]" in c)
    assert "constraints-bookworm" not in install  # newer PySide6 wheels run on glibc 2.41
    assert "systemctl enable kiosk-edge.service" in cmds
    assert "systemctl disable --now kiosk.service" in cmds
    assert not any(c.startswith("systemctl restart") for c in cmds)  # --no-start
    assert not any("set-default" in c for c in cmds)


def test_a_role_for_the_screen(tmp_path: Path) -> None:
    proc = install_pi(tmp_path, BOOKWORM, "--dry-run", "--role", "display")
    assert proc.returncode == 0, proc.stderr
    assert 'KIOSK_RUN_ARGS="--role display"' in proc.stdout
    bad = install_pi(tmp_path, BOOKWORM, "--dry-run", "--role", "cashier")
    assert bad.returncode == 2 and "--role 'cashier' is not one of" in bad.stderr


@pytest.mark.parametrize("os_release,arch,what", [
    (UBUNTU, "aarch64", "Ubuntu 24.04 LTS"),
    (BULLSEYE_32, "aarch64", "Raspbian GNU/Linux 11"),
    (BOOKWORM, "x86_64", "on x86_64"),
    (BOOKWORM, "armv7l", "on armv7l"),  # 32-bit Raspberry Pi OS
])
def test_other_systems_are_refused(tmp_path: Path, os_release: str, arch: str, what: str) -> None:
    proc = install_pi(tmp_path, os_release, "--dry-run", arch=arch)
    assert proc.returncode == 2
    assert "Bookworm or Trixie, 64-bit" in proc.stderr and what in proc.stderr
    assert "--force" in proc.stderr
    assert planned(proc.stdout) == []  # nothing planned, nothing run


def test_force_goes_on_with_a_warning(tmp_path: Path) -> None:
    proc = install_pi(tmp_path, UBUNTU, "--dry-run", "--force")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" in proc.stdout and "--force" in proc.stdout
    assert "systemctl enable kiosk.service" in planned(proc.stdout)


def test_not_root_without_dry_run_is_refused() -> None:
    import tempfile

    cmd = [str(INSTALL), "--headless"]
    if os.geteuid() == 0:  # as root here: drop to nobody (a real run would change this machine)
        if shutil.which("setpriv") is None:
            pytest.skip("root here and no setpriv to run as another user")
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    with tempfile.NamedTemporaryFile("w", suffix="-os-release") as fake:  # readable by nobody
        fake.write(BOOKWORM)
        fake.flush()
        os.chmod(fake.name, 0o644)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "OS_RELEASE": fake.name,
                                   "MACHINE_ARCH": "aarch64"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "run as root: sudo " in proc.stderr and "--headless" in proc.stderr
    assert planned(proc.stdout) == []


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_the_scripts_are_shellcheck_clean() -> None:
    scripts = [ROOT / "scripts" / s for s in ("install-pi", "setup-pyside68", "setup", "test")]
    proc = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pkill") is None, reason="pkill (procps) not installed")
def test_the_stop_command_ends_the_app_cleanly_and_its_parent_follows(tmp_path: Path) -> None:
    """kiosk.service's ExecStop, run as systemd would ($$MAINPID -> the main process's pid
    in the environment), against the real app under a stand-in for cage: a shell that
    starts the app and exits with the app's status, as cage does."""
    import socket
    import sys
    import tempfile

    from kiosk.demo import init_demo

    init_demo(tmp_path / "data")
    folder = tempfile.mkdtemp(prefix="sdn")  # a short path: AF_UNIX allows 108 bytes
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(os.path.join(folder, "notify"))
    notify.settimeout(60)
    app = f"{sys.executable} -c 'from kiosk.cli import entry; entry()' run --role display"
    cage = subprocess.Popen(["/bin/sh", "-c", f"{app} & wait $!"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "app.log", "w"),
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                 "KIOSK_DATA_DIR": str(tmp_path / "data"),
                                 "NOTIFY_SOCKET": os.path.join(folder, "notify")})
    try:
        # READY comes once the event loop runs, after the SIGTERM handler is in place
        assert notify.recv(4096).startswith(b"READY=1"), (tmp_path / "app.log").read_text()
        stop = one(parse_unit(UNITS / "kiosk.service"), "Service", "ExecStop")
        argv = stop.replace("$$", "$").split(" ", 2)  # /bin/sh -c '...'
        assert argv[:2] == ["/bin/sh", "-c"]
        stopper = subprocess.Popen(["/bin/sh", "-c", argv[2].strip("'")],
                                   env={**os.environ, "MAINPID": str(cage.pid)})
        # the parent exited with the app's status: 0, a clean quit, not killed by SIGTERM
        # (reaped here, as systemd reaps its main process, so that the stopper's loop ends)
        assert cage.wait(30) == 0, (tmp_path / "app.log").read_text()
        assert stopper.wait(10) == 0
        assert notify.recv(4096) == b"STOPPING=1"
    finally:
        if cage.poll() is None:
            cage.kill()
            cage.wait(10)
        notify.close()
        shutil.rmtree(folder)
