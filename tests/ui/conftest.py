from datetime import date

import pytest

from tests.conftest import TODAY


@pytest.fixture(scope="session")
def big_db(tmp_path_factory):
    """A generated registry of 100,000 cases over ten years (made once per test run)."""
    from desktop.services.base import Registry
    from desktop.services.generate import generate

    path = tmp_path_factory.mktemp("big") / "big.db"
    reg = Registry.open(path, today=lambda: TODAY)
    generate(reg, 100_000, years=10, seed=7)
    reg.close()
    return path


@pytest.fixture
def big_registry(big_db):
    from desktop.services.base import Registry

    reg = Registry.open(big_db, today=lambda: TODAY)
    yield reg
    reg.close()


@pytest.fixture
def demo_registry(tmp_path, monkeypatch):
    """The demo database (300 cases through the real services) with today pinned."""
    from desktop.services import demo, users
    from desktop.services.base import Registry

    monkeypatch.setattr(users, "_N", 2**10)
    reg = Registry.open(tmp_path / "demo.db", today=lambda: TODAY)
    demo.fill(reg)
    yield reg
    reg.close()


def actor(reg, login, password):
    from desktop.services import users

    return users.authenticate(reg, login, password)


__all__ = ["actor", "date"]


def type_text(qtbot, widget, text: str) -> None:
    """Type as a user does: ASCII by key presses, Chinese as an input method commits it."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    for chunk_is_ascii, chunk in _chunks(text):
        if chunk_is_ascii:
            qtbot.keyClicks(widget, chunk)
        else:
            event = QInputMethodEvent()
            event.setCommitString(chunk)
            QApplication.sendEvent(widget, event)


def _chunks(text: str):
    out: list[tuple[bool, str]] = []
    for ch in text:
        kind = ch.isascii()
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + ch)
        else:
            out.append((kind, ch))
    return out
