"""What an installed copy holds: every package of the tree, and the top-level resources/ folder
mapped into the package as desktop/resources (pyproject lists the packages by hand for that mapping)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from desktop.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_the_tree_is_installed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    in_tree = {".".join(p.parent.relative_to(ROOT).parts) for top in ("desktop", "db")
               for p in (ROOT / top).rglob("__init__.py")}
    assert in_tree <= listed, f"pyproject.toml [tool.setuptools] packages lacks {sorted(in_tree - listed)}"
    assert "desktop.resources" in listed


def test_resources_come_from_the_top_level_folder():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["desktop.resources"] == "resources"
    assert resources_dir() == ROOT / "resources"
    assert (resources_dir() / "letters").is_dir() and (resources_dir() / "icons" / "app.png").is_file()
    assert not (ROOT / "desktop" / "resources").exists()
