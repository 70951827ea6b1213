"""The kiosk command: every command has help and is documented in the README."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = prefix + (name,)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(main)


def test_there_are_commands():
    assert {("init",), ("demo",), ("run",), ("screenshots",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = main
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.strip(), f"'kiosk {' '.join(path)}' has no help text"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_documented_in_the_readme(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"kiosk (--data-dir \S+ )?{re.escape(' '.join(path))}\b", readme), \
        f"README.md does not document 'kiosk {' '.join(path)}'"


def test_init_demo_creates_the_demo_office(tmp_path):
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "init", "--demo"])
    assert result.exit_code == 0, result.output
    assert "DEMO" in result.output
    assert (tmp_path / "d" / "config.toml").exists()
    assert (tmp_path / "d" / "kiosk.db").exists()


def test_init_is_idempotent(tmp_path):
    runner = CliRunner()
    first = (runner.invoke(main, ["--data-dir", str(tmp_path), "init", "--demo"]))
    config_before = (tmp_path / "config.toml").read_text()
    second = runner.invoke(main, ["--data-dir", str(tmp_path), "init", "--demo"])
    assert first.exit_code == second.exit_code == 0
    assert (tmp_path / "config.toml").read_text() == config_before


def test_console_script_reports_config_errors_plainly(tmp_path):
    (tmp_path / "config.toml").write_text('[office]\ntimezone = "CET"\n')
    kiosk = Path(sys.executable).parent / "kiosk"
    proc = subprocess.run([str(kiosk), "--data-dir", str(tmp_path), "run", "--role", "citizen"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "office.timezone" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_kiosk_and_sync_import_no_qt():
    """Importing every module of kiosk/ and sync/ loads no Qt (the CLI composition root aside)."""
    code = r"""
import importlib, pkgutil, sys, json
loaded = []
for pkg_name in ("kiosk", "sync"):
    pkg = importlib.import_module(pkg_name)
    for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
        if info.name.startswith("kiosk.cli") or info.name.startswith("sync.server"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            if "fastapi" in str(exc) or "uvicorn" in str(exc) or "psycopg" in str(exc):
                continue
            raise
        loaded.append(info.name)
print(json.dumps({"qt": sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6"))),
                  "loaded": loaded}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "kiosk.outbox" in result["loaded"]
    assert result["qt"] == []


def test_layering_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--no-cache", "--no-logo"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and "0 broken" in proc.stdout


def test_plain_init_generates_an_admin_pin_that_works(tmp_path):
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "init"])
    assert result.exit_code == 0, result.output
    pin = re.search(r"admin PIN: (\d{6})", result.output).group(1)
    from kiosk import config as config_mod

    assert config_mod.load(tmp_path).check_pin(pin)


def test_init_with_admin_pin_and_a_bad_one(tmp_path):
    bad = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "b"), "init", "--admin-pin", "12a"])
    assert bad.exit_code == 2 and "--admin-pin" in bad.output
    assert not (tmp_path / "b" / "config.toml").exists()
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "init", "--admin-pin", "4821"])
    assert result.exit_code == 0 and "4821" not in result.output
    from kiosk import config as config_mod

    assert config_mod.load(tmp_path).check_pin("4821")


def test_admin_set_pin_from_stdin_keeps_the_rest_of_the_config(tmp_path):
    CliRunner().invoke(main, ["--data-dir", str(tmp_path), "init", "--demo"])
    from kiosk import config as config_mod

    before = config_mod.load(tmp_path)
    kiosk = Path(sys.executable).parent / "kiosk"
    proc = subprocess.run([str(kiosk), "--data-dir", str(tmp_path), "admin", "set-pin"],
                          input="97531\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    after = config_mod.load(tmp_path)
    assert after.check_pin("97531") and not after.check_pin("1234")
    after.admin = before.admin
    assert after == before
    proc = subprocess.run([str(kiosk), "--data-dir", str(tmp_path), "admin", "set-pin"],
                          input="12\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "4 to 8 digits" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert config_mod.load(tmp_path).check_pin("97531")
