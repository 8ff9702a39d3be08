"""Watching the other seats: a change made on another PC shows here within a second.

On a PostgreSQL server the listener's socket is watched with a QSocketNotifier (a notification wakes
the GUI thread, nothing blocks it); a slow poll stays on as a check of the connection and for
servers without LISTEN. On SQLite the file's data_version is polled twice a second (it costs a few
microseconds). A lost server connection is reported once (the window shows a banner) and retried
every two seconds; once back, everything is refreshed, since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from db.connection import EnvironmentProblem
from desktop.services import seats
from desktop.services.base import Registry

log = logging.getLogger(__name__)

POLL_MS = 500          # SQLite, or a server without LISTEN
CHECK_MS = 5000        # a server with LISTEN: only a check that the connection is alive
RECONNECT_MS = 2000


class SeatWatcher(QObject):
    changed = Signal()       # another seat wrote: refresh lists, queues, the open case
    lost = Signal(str)       # the server went away (the message says so in Chinese)
    restored = Signal()      # connected again (``changed`` follows)

    def __init__(self, reg: Registry, parent: QObject | None = None):
        super().__init__(parent)
        self.listener = seats.change_listener(reg)
        self.notifier: QSocketNotifier | None = None
        self.is_lost = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.retry = QTimer(self)
        self.retry.setInterval(RECONNECT_MS)
        self.retry.timeout.connect(self._reconnect)

    def start(self) -> None:
        try:
            self.listener.open()
        except EnvironmentProblem as exc:
            self._lose(str(exc))
            return
        self._watch()

    def stop(self) -> None:
        self.timer.stop()
        self.retry.stop()
        self._unwatch()
        self.listener.close()

    def _watch(self) -> None:
        self._unwatch()
        fd = self.listener.fileno()
        if fd is not None:
            self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            self.notifier.activated.connect(self.check)
        self.timer.start(CHECK_MS if fd is not None else POLL_MS)

    def _unwatch(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None

    def check(self, *_args) -> bool:
        """Read what arrived; emits ``changed`` when another seat wrote. Returns whether it did."""
        if self.is_lost:
            return False
        try:
            seen = self.listener.changes()
        except EnvironmentProblem as exc:
            self._lose(str(exc))
            return False
        if seen:
            self.changed.emit()
        return seen

    def _lose(self, message: str) -> None:
        log.warning("connection to the registry lost: %s", message)
        self.is_lost = True
        self.timer.stop()
        self._unwatch()
        self.lost.emit(message)
        self.retry.start()

    def _reconnect(self) -> None:
        try:
            self.listener.open()
        except EnvironmentProblem:
            return  # still away: try again on the next tick
        self.retry.stop()
        self.is_lost = False
        self._watch()
        self.restored.emit()
        self.changed.emit()
