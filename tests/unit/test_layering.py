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


# -- screens reach the database only through the services; SQL lives in db/ ----------------------
UI_MAY_IMPORT = {"db.connection", "db.migrations"}  # error classes and the upgrade notice at start
MAY_EXECUTE = {  # the benchmark, and modules that own what differs between backends
    "desktop/ui/bench.py",
}
EXECUTE_METHODS = {"execute", "executemany", "executescript"}


def _db_imports(path: Path) -> list[str]:
    """Modules of the ``db`` package that ``path`` imports (``from db import x`` counts as ``db.x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "db"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "db":
                found += [f"db.{a.name}" for a in node.names]
            elif node.module.split(".")[0] == "db":
                found.append(node.module)
    return found


def _execute_calls(path: Path) -> list[int]:
    """Lines of ``path`` that call ``<anything>.execute(`` (or executemany / executescript)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in EXECUTE_METHODS]


def test_screens_do_not_import_the_database_layer():
    offenders = []
    for path in (ROOT / "desktop" / "ui").rglob("*.py"):
        if path.relative_to(ROOT).as_posix() in MAY_EXECUTE:  # the benchmark measures the raw layer too
            continue
        bad = [m for m in _db_imports(path) if m not in UI_MAY_IMPORT]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    assert offenders == []


def test_no_sql_runs_outside_the_database_layer():
    offenders = []
    for path in (ROOT / "desktop").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in MAY_EXECUTE and (lines := _execute_calls(path)):
            offenders.append(f"{relative}:{','.join(map(str, lines))}")
    assert offenders == []


def test_the_checkers_see_a_db_import_and_an_execute(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import db.queries.cases\nfrom db import connection, queries\nfrom db.queries import users\n"
                      "def f(reg):\n    from db.migrations import migrate\n"
                      "    return reg.conn.execute('SELECT 1'), reg.conn.executemany('x', [])\n", encoding="utf-8")
    assert _db_imports(sample) == ["db.queries.cases", "db.connection", "db.queries", "db.queries",
                                   "db.migrations"]
    assert _execute_calls(sample) == [6, 6]


# -- the direction of imports between packages (architecture.md: ui → services → domain, services → db,
# documents → domain), as a table: a new import against it fails here, whoever adds it --------------
LAYERS = {  # package: the packages it may import (besides itself and the standard library)
    "db": set(),
    "desktop.domain": set(),
    "desktop.documents": {"desktop.domain", "desktop.paths", "desktop.child"},
    "desktop.services": {"desktop.domain", "desktop.documents", "desktop.paths", "desktop.child", "db"},
    "desktop.ui": {"desktop.services", "desktop.domain", "desktop.documents", "desktop.paths", "desktop",
                   "db.connection", "db.migrations"},
}
OURS = ("db", "desktop")


def _our_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [f"{node.module}.{a.name}" for a in node.names]
    return [m for m in found if m.split(".")[0] in OURS]


def _layer(module: str) -> str | None:
    return next((p for p in sorted(LAYERS, key=len, reverse=True) if module == p or module.startswith(p + ".")),
                None)


def test_imports_follow_the_layers():
    offenders = []
    for layer, allowed in LAYERS.items():
        folder = ROOT.joinpath(*layer.split("."))
        for path in folder.rglob("*.py"):
            if path.relative_to(ROOT).as_posix() in MAY_EXECUTE:  # the benchmark: raw baselines
                continue
            for module in _our_imports(path):
                if _layer(module) == layer:
                    continue
                if not any(module == a or module.startswith(a + ".") for a in allowed):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_layer_checker_sees_a_wrong_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from desktop.services import cases\nimport db.queries.cases\nfrom desktop.domain import fees\n",
                      encoding="utf-8")
    assert _our_imports(sample) == ["desktop.services.cases", "db.queries.cases", "desktop.domain.fees"]
    assert _layer("desktop.services.cases") == "desktop.services" and _layer("db.queries.cases") == "db"
