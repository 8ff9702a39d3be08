"""Nothing below desktop/ui imports Qt (architecture.md), checked by walking every import."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in ("PySide6", "shiboken6")]
    return found


def test_only_the_ui_package_imports_qt():
    offenders = []
    for package in ("db", "desktop"):
        for path in (ROOT / package).rglob("*.py"):
            if (ROOT / "desktop" / "ui") in path.parents:
                continue
            if _qt_imports(path):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_checker_sees_a_qt_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from PySide6.QtWidgets import QWidget\n", encoding="utf-8")
    assert _qt_imports(sample) == ["PySide6.QtWidgets"]
