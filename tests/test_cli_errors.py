"""Bad input, damaged files and a full disk give one line and exit code 2, never a traceback.

Every case runs the real console script (``.venv/bin/kiosk``) in a subprocess, so the entry
point's last-resort handler is part of what is tested.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main

KIOSK = Path(sys.executable).parent / "kiosk"


def _kiosk(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DEBUG", "KIOSK_SERVER_DB")}
    return subprocess.run([str(KIOSK), "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, timeout=120, env=env, input=stdin)


def _init(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "init", "--demo"])
    assert result.exit_code == 0, result.output


def _set_config(data_dir: Path, section: str, line: str) -> None:
    """Replace one key of a section (the file written by 'kiosk init' has them all)."""
    path = data_dir / "config.toml"
    key = line.split("=")[0].strip()
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"[{section}]")
    for i in range(start + 1, len(lines)):
        if lines[i].split("=")[0].strip() == key:
            lines[i] = line
            break
    else:
        raise AssertionError(f"{section}.{key} not in config.toml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _non_utf8(d: Path) -> None:
    (d / "config.toml").write_bytes(b'[office]\nname = "Kelurahan \xe9"\n')


def _config_dir(d: Path) -> None:
    (d / "config.toml").unlink()
    (d / "config.toml").mkdir()


def _identity_dir(d: Path) -> None:
    _set_config(d, "sync", 'server = "http://127.0.0.1:9"')
    (d / "identity.key").mkdir()


def _bad_server(d: Path) -> None:
    _set_config(d, "sync", 'server = "http://[::1"')


def _huge_keep(d: Path) -> None:
    _set_config(d, "sync", "keep_acked_days = 99999999999999")


def _damaged_db(d: Path) -> None:
    db = d / "kiosk.db"
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    for offset in range(page, len(data), page):   # every page after the header page
        data[offset:offset + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))


@dataclass
class Case:
    name: str
    args: tuple[str, ...]
    expect: str                                    # must appear in the one-line message
    prepare: Callable[[Path], None] | None = None


CASES = [
    Case("config-not-utf8", ("queue", "status"), "config.toml", _non_utf8),
    Case("config-is-directory", ("queue", "status"), "config.toml", _config_dir),
    Case("identity-key-directory", ("enroll", "--server", "http://127.0.0.1:9", "--token", "t"),
         "identity.key", _identity_dir),
    Case("sync-server-bad-url", ("queue", "status"), "sync.server", _bad_server),
    Case("sync-timeout-negative", ("sync", "--once", "--timeout", "-1"), "--timeout"),
    Case("sync-timeout-nan", ("sync", "--once", "--timeout", "nan"), "--timeout"),
    Case("sync-timeout-inf", ("sync", "--once", "--timeout", "inf"), "--timeout"),
    Case("keep-acked-days-huge", ("sync", "status"), "sync.keep_acked_days", _huge_keep),
    Case("dead-letters-limit-huge", ("sync", "dead-letters", "--limit", "99999999999999999999"),
         "--limit"),
    Case("csv-bad-path", ("queue", "stats", "--from", "2026-01-01", "--to", "2026-01-02",
                          "--csv", "/nonexistent-dir/x.csv"), "/nonexistent-dir/x.csv"),
    Case("office-tz-asia", ("server", "office", "add", "X1", "Kantor", "--tz", "Asia"), "--tz"),
    Case("edge-interface-not-ip", ("edge", "serve", "--interface", "notanip"), "--interface"),
    Case("damaged-db", ("queue", "status"), "kiosk.db", _damaged_db),
    Case("server-port-70000", ("server", "--port", "70000"), "--port"),
    Case("server-run-port-0", ("server", "run", "--port", "0"), "--port"),
    Case("server-stats-missing-db", ("server", "stats", "--db", "sqlite:///{d}/nope/server.db"),
         "does not exist"),
    Case("sync-run-interval-0", ("sync", "run", "--interval", "0"), "--interval"),
    Case("sync-run-interval-negative", ("sync", "run", "--interval", "-1"), "--interval"),
    Case("sync-run-interval-nan", ("sync", "run", "--interval", "nan"), "--interval"),
    Case("sync-run-timeout-inf", ("sync", "run", "--timeout", "inf"), "--timeout"),
]


def _assert_one_line_error(proc: subprocess.CompletedProcess, expect: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    problem = [line for line in lines if line.startswith(("error:", "Error:"))]
    assert len(problem) == 1, proc.stderr
    assert expect in problem[0], proc.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_one_line_and_exit_2(tmp_path, case):
    data_dir = tmp_path / "data"
    _init(data_dir)
    if case.prepare:
        case.prepare(data_dir)
    server_db = tmp_path / "nope" / "server.db"
    args = tuple(a.replace("{d}", str(tmp_path)) for a in case.args)
    proc = _kiosk(data_dir, *args)
    _assert_one_line_error(proc, case.expect)
    assert not server_db.parent.exists()     # a read command never creates a database


def test_database_that_is_a_directory(tmp_path):
    """SQLite's "unable to open database file" becomes one line naming the file."""
    data_dir = tmp_path / "data"
    _init(data_dir)
    (data_dir / "kiosk.db").unlink()
    (data_dir / "kiosk.db").mkdir()        # sqlite cannot open a directory
    proc = _kiosk(data_dir, "queue", "status")
    _assert_one_line_error(proc, "kiosk.db")
    assert "cannot open the database file" in proc.stderr


# --- disk full on a real small file system -------------------------------------------------

def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith("-shm")}


@pytest.fixture
def small_fs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave_bytes: int) -> None:
    """Fill the file system until about ``leave_bytes`` are free."""
    free = shutil.disk_usage(mount).free
    with open(mount / f"filler-{uuid.uuid4().hex}", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))
    free_now = shutil.disk_usage(mount).free
    assert free_now <= leave_bytes + 4096, free_now


@pytest.mark.parametrize("leave_kb", [0, 8, 16, 24, 40])
@pytest.mark.parametrize("args", [("queue", "status"), ("queue", "issue", "A"), ("sync", "status")],
                         ids=" ".join)
def test_disk_full(small_fs, tmp_path, leave_kb, args):
    data_dir = small_fs / "data"
    _init(data_dir)
    before = _digest(data_dir)
    _fill(small_fs, leave_kb * 1024)
    proc = _kiosk(data_dir, *args)
    if args[-1] != "A":
        # a read command works on a full disk, or says the disk is full
        assert "Traceback" not in proc.stderr
        if proc.returncode != 0:
            _assert_one_line_error(proc, "disk is full")
    else:
        if proc.returncode == 0:
            return                      # there was room for one ticket after all
        _assert_one_line_error(proc, "disk is full")
    after = _digest(data_dir)
    after.pop("kiosk.db-wal", None)
    before.pop("kiosk.db-wal", None)
    assert after == before


def test_migrating_an_up_to_date_database_writes_nothing(tmp_path):
    """Opening must not write when nothing needs migrating (a full disk would fail it)."""
    data_dir = tmp_path / "data"
    _init(data_dir)
    from kiosk.runtime import open_runtime

    open_runtime(data_dir).close()
    conn = sqlite3.connect(data_dir / "kiosk.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    total = conn.total_changes
    rt = open_runtime(data_dir)
    rt.close()
    assert conn.execute("PRAGMA data_version").fetchone()[0] == version, \
        "opening an up-to-date database wrote to it"
    assert conn.total_changes == total
    conn.close()
