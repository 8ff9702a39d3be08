"""What a write changed, handed from the screen that wrote to the main window, which hands it to the
other screens (each refreshes what concerns it; see ``services.base.Changes``).

A screen that takes part has a ``changes`` signal. A service call run through ``ui.errors.attempt`` or
``said_in`` (or ``announce`` directly) emits it from the nearest such screen above the widget that
acted: administration tabs, the calendar, templates and dialogs need no signal of their own."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QWidget

from desktop.services.base import Changes, changes_of


def screen_of(widget: QObject | None) -> QWidget | None:
    """The nearest widget at or above ``widget`` that says what it changed (has a ``changes`` signal)."""
    while widget is not None:
        if isinstance(getattr(widget, "changes", None), SignalInstance):
            return widget
        widget = widget.parent()
    return None


def announce(widget: QObject | None, result: Any) -> Changes | None:
    """Say what a service call's ``result`` changed, from the screen ``widget`` is on; returns it."""
    changes = changes_of(result)
    if changes is not None:
        screen = screen_of(widget)
        if screen is not None:
            screen.changes.emit(changes)
    return changes


class FollowsChanges:
    """Mixed into a screen (before its Qt class): a change that ``concerns`` it is followed at once
    while it is shown (``follow``: by default ``refresh``), else it is refreshed when next shown. Hidden
    screens cost nothing; the user never sees a stale list."""

    _stale = False

    def concerns(self, changes: Changes) -> bool:
        return changes.cases

    def follow(self, changes: Changes) -> None:
        self.refresh()

    def on_changes(self, changes: Changes) -> None:
        if not self.concerns(changes):
            return
        if self.isVisible():
            self.follow(changes)
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._stale:
            self._stale = False
            self.refresh()
        super().showEvent(event)
