"""Turning exceptions into what the user is told."""

from __future__ import annotations

from desktop.services.errors import user_message
from desktop.ui.changes import announce

__all__ = ["attempt", "said_in", "user_message"]


def attempt(parent, title: str, action):
    """Run a service call for a screen: what it returned (True if nothing) when it went through, and
    what it changed is announced (``ui.changes``); a user's error is shown and False returned; a bug is
    raised (the start-up hook logs it and apologises)."""
    from desktop.ui.dialogs.messages import Ask

    try:
        result = action()
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        Ask.error(parent, title, message)
        return False
    announce(parent, result)
    return True if result is None else result


def said_in(label, action) -> bool:
    """Run a service call from inside a dialog: True when it went through (what it changed is announced
    from the screen under the dialog); a user's error is shown in ``label`` (the dialog stays open with
    what was typed) and False returned; a bug is raised."""
    try:
        result = action()
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        label.setText(message)
        return False
    announce(label, result)
    return True
