"""scripts/check-wheels against a real package index on disk (PEP 503 pages over file://),
run by pip itself: a dependency with an aarch64 wheel passes, one with only an sdist fails
by name, an allow-listed pure-data sdist passes and one with C code in it is refused, an
unreachable index is a skip with its reason. No network: the index is built here."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check-wheels"


def _wheel(folder: Path, name: str, version: str, tag: str) -> Path:
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-{tag}.whl"
    files = {
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}.dist-info/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: "
                                   f"{'true' if 'none-any' in tag else 'false'}\nTag: {tag}\n",
        f"{name.replace('-', '_')}/__init__.py": "",
    }
    with zipfile.ZipFile(path, "w") as zf:
        record = []
        for arc, text in files.items():
            zf.writestr(arc, text)
            record.append(f"{arc},,")
        zf.writestr(f"{dist}.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def _sdist(folder: Path, name: str, version: str, files: dict[str, str]) -> Path:
    base = f"{name}-{version}"
    path = folder / f"{base}.tar.gz"
    files = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "setup.py": f"from setuptools import setup\nsetup(name={name!r}, version={version!r})\n",
        **files,
    }
    with tarfile.open(path, "w:gz") as tf:
        for arc, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{arc}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _index(root: Path, files: list[Path]) -> str:
    """PEP 503 simple index: one folder per project with an index.html of its files."""
    by_project: dict[str, list[Path]] = {}
    for f in files:
        project = f.name.split("-")[0].replace("_", "-").lower()
        if f.name.startswith("face-recognition-models"):
            project = "face-recognition-models"
        by_project.setdefault(project, []).append(f)
    for project, paths in by_project.items():
        page = root / project
        page.mkdir(parents=True)
        links = []
        for p in paths:
            target = page / p.name
            p.rename(target)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            links.append(f'<a href="{p.name}#sha256={digest}">{p.name}</a><br>')
        (page / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    (root / "index.html").write_text("<html><body>" + "".join(
        f'<a href="{p}/">{p}</a>' for p in by_project) + "</body></html>")
    return f"file://{root}/"


@pytest.fixture
def index(tmp_path: Path) -> str:
    staging = tmp_path / "staging"
    staging.mkdir()
    files = [
        _wheel(staging, "purepkg", "1.0", "py3-none-any"),
        _wheel(staging, "armlib", "2.0", "cp311-cp311-manylinux_2_28_aarch64"),
        _wheel(staging, "armlib", "2.1", "cp311-cp311-manylinux_2_39_aarch64"),  # too new a glibc
        _wheel(staging, "x86only", "1.0", "cp311-cp311-manylinux_2_28_x86_64"),
        _sdist(staging, "needsbuild", "1.0", {"needsbuild.c": "int main(void){return 0;}\n"}),
        _sdist(staging, "face-recognition-models", "0.3.0",
               {"face_recognition_models/models/shape.dat": "model bytes\n",
                "face_recognition_models/__init__.py": ""}),
    ]
    return _index(tmp_path / "simple", files)


def _check(tmp_path: Path, index: str, deps: list[str], *args: str) -> subprocess.CompletedProcess:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname='x'\nversion='1'\ndependencies = "
                         + json.dumps(deps) + "\n")
    # Only this index: none of the machine's pip configuration (mirrors, find-links).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--pyproject", str(pyproject), "--index-url", index,
         "--cache", str(tmp_path / "cache"), "--no-extra", *args],
        capture_output=True, text=True, env=env, timeout=300)


def test_wheels_for_the_pi_pass_and_the_glibc_limit_is_respected(tmp_path, index) -> None:
    proc = _check(tmp_path, index, ["purepkg", "armlib"], "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    rows = {r["name"]: r for r in report["targets"]["bookworm"]["packages"]}
    assert rows["purepkg"]["status"] == "wheel"
    # glibc 2.36 on Bookworm: the manylinux_2_39 wheel of 2.1 is not installable there.
    assert rows["armlib"]["version"] == "2.0"


def test_a_package_without_an_aarch64_wheel_fails_by_name(tmp_path, index) -> None:
    proc = _check(tmp_path, index, ["purepkg", "needsbuild", "x86only"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NO WHEEL for: needsbuild, x86only" in proc.stdout


def test_the_allow_listed_pure_data_sdist_passes(tmp_path, index) -> None:
    proc = _check(tmp_path, index, ["purepkg", "face-recognition-models==0.3.0"], "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout.strip().splitlines()[-1])
            ["targets"]["bookworm"]["packages"]}
    assert rows["face-recognition-models"]["status"].startswith("sdist, allowed")


def test_an_allow_listed_sdist_with_compiled_code_is_refused(tmp_path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    files = [_wheel(staging, "purepkg", "1.0", "py3-none-any"),
             _sdist(staging, "face-recognition-models", "0.3.0",
                    {"face_recognition_models/fast.c": "int f(void){return 1;}\n"})]
    index = _index(tmp_path / "simple", files)
    proc = _check(tmp_path, index, ["purepkg", "face-recognition-models==0.3.0"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "REFUSED: compiled sources in the sdist" in proc.stdout


def test_both_pi_releases_are_checked(tmp_path, index) -> None:
    # armlib has only cp311 wheels: fine on Bookworm (3.11), missing on Trixie (3.13).
    proc = _check(tmp_path, index, ["armlib"], "--target", "all")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "bookworm: 1 packages, all install from wheels" in proc.stdout
    assert "trixie: 1 packages, NO WHEEL for: armlib" in proc.stdout


def test_no_index_reachable_is_a_skip_with_the_reason(tmp_path) -> None:
    proc = _check(tmp_path, "http://127.0.0.1:9/simple/", ["purepkg"], "--if-reachable")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("[check-wheels] skipped: no package index reachable (")
    assert "127.0.0.1:9" in proc.stdout


def test_the_bookworm_pin_is_the_version_the_ui_tests_run_on() -> None:
    pins = (ROOT / "deploy" / "constraints-bookworm.txt").read_text()
    assert "PySide6==6.8.0.2" in pins.splitlines()
    assert "constraints-bookworm.txt" in (ROOT / "scripts" / "setup-pyside68").read_text()
