"""Compile the Qt translation sources (ui/translations/*.ts) to .qm files at set-up.

Uses PySide6's own ``lrelease`` (shipped in the wheel), so no Qt tools are needed on the system.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent / "translations"


def lrelease_path() -> str:
    import PySide6

    base = Path(PySide6.__file__).parent
    for candidate in (base / "lrelease", base / "Qt" / "libexec" / "lrelease",
                      Path(sys.executable).parent / "pyside6-lrelease"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if not found:
        raise SystemExit("lrelease not found: reinstall PySide6 (pip install -e .) in .venv")
    return found


def build() -> list[Path]:
    built = []
    for ts in sorted(HERE.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        subprocess.run([lrelease_path(), "-silent", str(ts), "-qm", str(qm)], check=True)
        built.append(qm)
    return built


if __name__ == "__main__":
    for path in build():
        print(f"  {path}")
