"""Long work off the GUI thread: a QThread running a function with its own database connection.

The function receives an open Registry (a new connection: SQLite connections are not shared across
threads), a progress callback and a cancel check. Results and errors come back as signals; the
worker never touches widgets.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal

from desktop.services.base import Registry

log = logging.getLogger(__name__)


class Cancelled(Exception):
    pass


class Worker(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path, today: Callable, job: Callable[..., Any], parent=None):
        super().__init__(parent)
        self.db_path, self.today, self.job = db_path, today, job
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True

    def _progress(self, done: int, total: int) -> None:
        if self._cancel:
            raise Cancelled()
        self.progressed.emit(done, total)

    def run(self) -> None:
        from desktop.ui.errors import user_message

        reg = None
        try:
            reg = Registry.open(self.db_path, today=self.today)
            self.succeeded.emit(self.job(reg, self._progress))
        except Cancelled:
            self.failed.emit("已取消")
        except Exception as exc:  # reported to the user by the screen that started the work
            message = user_message(exc)
            if message is None:
                log.error("background job failed:\n%s", traceback.format_exc())
                message = "操作失败（程序错误，已记录日志）"
            self.failed.emit(message)
        finally:
            if reg is not None:
                reg.close()
