"""Every main screen of every role at 1366×768: nothing outside the window, nothing in English; what a
user arranged (window, splitters, columns) is remembered for them."""

import os
import re
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from desktop.ui.main_window import MainWindow
from tests.ui import screens
from tests.ui.conftest import actor

ROLES = (("clerk", "clerk2026"), ("head", "head2026"), ("planning", "div2026a"), ("reviewer", "review2026"),
         ("leader", "leader2026"), ("admin", "admin2026"))
# Words that are names, not English prose: file formats and keys the users know by these names.
ALLOWED = {"PDF", "Excel", "xlsx", "Ctrl", "Esc", "Shift", "Alt", "Tab", "PNG", "JPG", "TIFF", "OFD", "WPS",
           "Office", "PostgreSQL", "ID", "F5", "Word", "Enter", "CSV"}


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's viewport: it may lie beyond the visible part (the area scrolls)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def _texts(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel):
        return [re.sub(r"<[^>]+>", "", widget.text())]
    if isinstance(widget, QAbstractButton | QGroupBox):
        return [widget.text() if isinstance(widget, QAbstractButton) else widget.title()]
    if isinstance(widget, QLineEdit):
        return [widget.placeholderText()]
    if isinstance(widget, QComboBox):
        return [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QTabBar):
        return [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QHeaderView) and widget.model() is not None:
        orientation = widget.orientation()
        return [str(widget.model().headerData(i, orientation) or "") for i in range(widget.count())]
    return []


def _english(texts: list[str], data: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text in data:
            continue
        # paths and file names are the user's (the database they chose), entities are markup
        text = re.sub(r"(?:[A-Za-z]:\\|/)\S*|[\w.-]+\.(?:db|pdf|xlsx|ddbak|png)\b|&\w+;", "", text)
        for word in re.findall(r"[A-Za-z][A-Za-z]+", text):
            if word not in ALLOWED:
                found.append(f"{word} in “{text}”")
    return found


def _check(window: MainWindow, name: str, folder: Path) -> list[str]:
    QApplication.processEvents()
    problems = []
    if (window.width(), window.height()) != (1366, 768):
        problems.append(f"{name}: the window became {window.width()}×{window.height()}")
    frame = QRect(QPoint(0, 0), window.size())
    texts = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or _scrolled(w):
            continue
        box = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not frame.contains(box) and w.width() > 0 and w.height() > 0:
            problems.append(f"{name}: {type(w).__name__} {w.objectName()} at {box.getRect()} lies outside")
        texts += _texts(w)
    texts += [a.text() for a in window.menuBar().actions()]
    problems += [f"{name}: {p}" for p in _english(texts, set())]
    screens.save(window, folder, name)
    return problems


def test_every_screen_of_every_role_fits_1366_by_768_and_speaks_chinese(qtbot, demo_registry, tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    problems = []
    for login, password in ROLES:
        w = MainWindow(demo_registry, actor(demo_registry, login, password))
        qtbot.addWidget(w)
        w.show()
        w.resize(1366, 768)
        keys = [w.nav.item(i).data(256) for i in range(w.nav.count())]
        for key in keys:
            w.show_section(key)
            problems += _check(w, f"{login}-{key}", folder)
            if key == "admin":
                for i in range(1, w.page("admin").count()):
                    w.page("admin").setCurrentIndex(i)
                    problems += _check(w, f"{login}-admin-{i}", folder)
        w.open_case(w.page("all").model.case_id_at(3))
        problems += _check(w, f"{login}-case", folder)
        w.close()
    assert problems == []


def test_the_window_never_grows_past_the_screen(qtbot, registry, staff):
    w = MainWindow(registry, staff["admin"])
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w._fit_to_screen(QRect(0, 0, 1366, 728))
    assert (w.width(), w.height()) == (1366, 728)
    for key in ("all", "stats", "admin"):
        w.show_section(key)
        hint = w.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 728, (key, hint)


def test_window_splitters_and_columns_are_remembered_per_user(qtbot, registry, staff):
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.resize(900, 650)
    w.splitter.setSizes([220, 900])
    table = w.page("all").table
    table.setColumnWidth(4, 333)
    nav_width = w.splitter.sizes()[0]
    w.close()
    again = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(again)
    assert again.height() == 650  # (the test screen is 800 pixels wide: the width is fitted to it)
    assert again.splitter.sizes()[0] == nav_width
    assert again.page("all").table.columnWidth(4) == 333
    other = MainWindow(registry, staff["head"])  # another user keeps their own
    qtbot.addWidget(other)
    assert other.page("all").table.columnWidth(4) != 333


def test_a_skeleton_window_closed_unseen_keeps_the_users_layout(qtbot, registry, staff):
    """The frame shown while the password is checked, closed before its first page was made (a wrong
    password, then 退出), does not overwrite what the user arranged with its defaults."""
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.resize(900, 650)
    w.page("all").table.setColumnWidth(4, 333)
    w.close()
    skeleton = MainWindow(registry, staff["clerk"], skeleton=True)
    qtbot.addWidget(skeleton)
    skeleton.resize(1000, 700)
    skeleton.close()
    again = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(again)
    assert again.height() == 650
    assert again.page("all").table.columnWidth(4) == 333
