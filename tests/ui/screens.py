"""A helper that saves a screenshot of each main screen (for review, and to show in issues).

Run ``SCREENSHOT_DIR=shots pytest tests/ui/test_screenshots.py`` to keep the pictures.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage


def save(widget, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def distinct_colours(path: Path, step: int = 7) -> int:
    """How many different colours a sample of the picture has (a blank or black grab has 1–2)."""
    image = QImage(str(path))
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})
