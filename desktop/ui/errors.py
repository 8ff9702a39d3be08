"""Turning exceptions into what the user is told."""

from __future__ import annotations

from db.connection import EnvironmentProblem, database_errors, explain
from db.migrations import DatabaseTooNew
from desktop.documents.ledger_xlsx import LedgerFileError
from desktop.services.base import ServiceError, ValidationFailed


def user_message(exc: BaseException) -> str | None:
    """A message for errors the user can act on; None for a bug."""
    if isinstance(exc, ValidationFailed):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, ServiceError | EnvironmentProblem | DatabaseTooNew | LedgerFileError):
        return str(exc)
    if isinstance(exc, database_errors()):
        problem = explain(exc)
        return str(problem) if problem else None
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）"
    return None


def attempt(parent, title: str, action) -> bool:
    """Run a service call for a screen: True when it went through; a user's error is shown and False
    returned; a bug is raised (the start-up hook logs it and apologises)."""
    from desktop.ui.dialogs.messages import Ask

    try:
        action()
    except Exception as exc:
        message = user_message(exc)
        if message is None:
            raise
        Ask.error(parent, title, message)
        return False
    return True
