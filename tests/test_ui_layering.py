"""No screen touches the database: screens reach the office only through the office client
(ui.context.ScreenContext.office), so each one runs the same on the edge and across the LAN.

ui.app and ui.setup_app (which compose a process) and ui.screenshots (which builds a demo
scene to render) are not screens; every other module of ui/ is checked, and the
import-linter contract "Screens never touch the database" (pyproject.toml) says the same for
direct imports."""

from __future__ import annotations

import ast
from pathlib import Path

import ui

NOT_SCREENS = {"app.py", "setup_app.py", "screenshots.py", "i18n_build.py"}
#: Modules that hold or open the database.
FORBIDDEN_MODULES = ("kiosk.db", "kiosk.runtime", "kiosk.print_queue", "kiosk.outbox",
                     "sqlite_utils", "sqlite3")
#: Calls that open a database or a runtime (sqlite3.connect is caught by its import).
FORBIDDEN_CALLS = {"open_db", "open_runtime", "Runtime", "Database"}
#: Attributes that only a runtime or database has.
FORBIDDEN_ATTRIBUTES = {"db", "runtime", "execute", "executemany"}


def _screen_modules() -> list[Path]:
    here = Path(ui.__file__).parent
    return sorted(p for p in here.glob("*.py") if p.name not in NOT_SCREENS)


def _problems(path: Path) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            names = []
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                problems.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in FORBIDDEN_CALLS:
                problems.append(f"{path.name}:{node.lineno} calls {called}()")
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            problems.append(f"{path.name}:{node.lineno} uses .{node.attr}")
    return problems


def test_no_screen_touches_the_database():
    modules = _screen_modules()
    assert {"admin.py", "admin_sync.py", "citizen.py", "counter.py", "board.py",
            "shell.py"} <= {p.name for p in modules}
    problems = [problem for path in modules for problem in _problems(path)]
    assert problems == []


def test_the_check_sees_a_screen_that_would(tmp_path):
    """The checker itself: each way of reaching the database is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom kiosk.db import write_tx\n"
                   "def f(self):\n    self.ctx.runtime.db.execute('x')\n    open_db('p')\n")
    found = {p.split(" ", 1)[1] for p in _problems(bad)}
    assert found == {"imports sqlite3", "imports kiosk.db", "imports kiosk.db.write_tx",
                     "uses .execute", "uses .db", "uses .runtime", "calls open_db()"}
