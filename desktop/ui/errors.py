"""Turning exceptions into what the user is told."""

from __future__ import annotations

from desktop.services.errors import user_message
from desktop.ui.changes import announce

__all__ = ["attempt", "said_in", "user_message"]


def _called(widget, action) -> tuple[bool, object]:
    """(True, what the service call returned — its changes announced from ``widget``'s screen), or
    (False, the user's message) for an error a user can cause; a bug is raised (the start-up hook logs
    it and apologises)."""
    try:
        result = action()
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        return False, message
    announce(widget, result)
    return True, result


def attempt(parent, title: str, action):
    """Run a service call for a screen: what it returned (True if nothing) when it went through; a
    user's error is shown and False returned."""
    from desktop.ui.dialogs.messages import Ask

    ok, result = _called(parent, action)
    if not ok:
        Ask.error(parent, title, result)
        return False
    return True if result is None else result


def said_in(label, action) -> bool:
    """Run a service call from inside a dialog: True when it went through; a user's error is shown in
    ``label`` (the dialog stays open with what was typed) and False returned."""
    ok, result = _called(label, action)
    if not ok:
        label.setText(result)
    return ok
