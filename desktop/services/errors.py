"""One scheme for the errors a user can cause, for the window and the command line alike: what the
user is told, and (for the command line) the exit code. Anything else is a bug: logged, apologised
for, and never shown as a traceback."""

from __future__ import annotations

from pathlib import Path

from db.connection import EnvironmentProblem, database_errors, explain
from db.migrations import DatabaseTooNew
from desktop.documents.ledger_xlsx import LedgerFileError
from desktop.services.base import ServiceError, ValidationFailed

EXIT_ERROR, EXIT_REJECTED = 1, 2


def user_message(exc: BaseException, target: str | Path | None = None) -> str | None:
    """What to tell the user about ``exc`` (one line per problem); None for a bug."""
    if isinstance(exc, ValidationFailed):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, ServiceError | EnvironmentProblem | DatabaseTooNew | LedgerFileError):
        return str(exc)
    if isinstance(exc, database_errors()):
        problem = explain(exc, target)
        return str(problem) if problem else None
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）"
    return None


def exit_code(exc: BaseException) -> int:
    """2 when the input was refused (nothing changed), 1 for the environment (database, files)."""
    return EXIT_REJECTED if isinstance(exc, ServiceError | LedgerFileError) else EXIT_ERROR
