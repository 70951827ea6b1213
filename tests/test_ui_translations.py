"""Every word a screen shows in Bahasa Indonesia has its English: each ``self.tr("...")`` of
a screen class (whose context is the class's name), each ``QT_TRANSLATE_NOOP(context, ...)``
and each ``tr(...)`` of the input widgets (context ``input``) is in a ui/translations/*.ts
file, translated, under that context."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import ui

HERE = Path(ui.__file__).parent
#: Tools, not screens: they speak to technicians in English only.
SKIPPED = {"i18n_build.py", "screenshots.py", "input_gallery.py"}


def _translated() -> set[tuple[str, str]]:
    pairs = set()
    for ts in sorted((HERE / "translations").glob("*.ts")):
        for context in ET.parse(ts).getroot().iter("context"):
            name = context.findtext("name")
            for message in context.iter("message"):
                translation = message.find("translation")
                forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
                if all(forms) and translation.get("type") is None:
                    pairs.add((name, message.findtext("source")))
    return pairs


def _asked(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    asked = set()

    def literal(node: ast.AST) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def visit(node: ast.AST, cls: str | None) -> None:
        if isinstance(node, ast.ClassDef):
            cls = node.name
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            if name == "tr" and isinstance(owner, ast.Name) and owner.id == "self" and cls:
                if (text := literal(node.args[0])) is not None:
                    asked.add((cls, text))
            elif name == "tr" and owner is None and (text := literal(node.args[0])) is not None:
                asked.add(("input", text))
            elif name == "QT_TRANSLATE_NOOP" and len(node.args) == 2:
                context, text = literal(node.args[0]), literal(node.args[1])
                if context and text is not None:
                    asked.add((context, text))
        for child in ast.iter_child_nodes(node):
            visit(child, cls)

    visit(tree, None)
    return asked


def test_every_screen_string_has_its_english():
    translated = _translated()
    missing = sorted((path.name, context, text)
                     for path in sorted(HERE.glob("*.py")) if path.name not in SKIPPED
                     for context, text in _asked(path) if (context, text) not in translated)
    assert missing == []


def test_the_check_finds_a_missing_one(tmp_path):
    screen = tmp_path / "screen.py"
    screen.write_text("class Foo:\n    def f(self):\n        return self.tr('Belum ada')\n")
    assert _asked(screen) == {("Foo", "Belum ada")}
    assert ("Foo", "Belum ada") not in _translated()
