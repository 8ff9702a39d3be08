"""Which windows have a registry file open ("seats"), so that a restore can refuse while another one
does (its next writes would go into the replaced file and be lost).

A SQLite file cannot tell who has it open, so each window holds a small marker file beside the
registry, locked by the operating system while the window runs (fcntl on Linux, msvcrt on Windows):
a marker whose lock can be taken belongs to a window that has ended (crashed) and is removed. A
server registry asks the server instead (pg_stat_activity; see db/maintenance.py).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path


def folder(db_path: Path) -> Path:
    return Path(db_path).with_name(f"{Path(db_path).stem}-seats")


def _lock(fh) -> bool:
    """Take an exclusive, non-blocking lock on an open file; False if another process holds it."""
    try:
        if sys.platform.startswith("win"):
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh) -> None:
    try:
        if sys.platform.startswith("win"):
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass


class SeatMark:
    """This window's marker beside the registry file, held (locked) until ``release``."""

    def __init__(self, db_path: Path, user: str):
        self.path = folder(db_path) / f"{socket.gethostname()}-{os.getpid()}.seat"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open while the window runs
        _lock(self._fh)
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(json.dumps({"user": user, "host": socket.gethostname(), "pid": os.getpid(),
                                   "since": datetime.now().isoformat(timespec="minutes")}, ensure_ascii=False))
        self._fh.flush()

    def release(self) -> None:
        if self._fh is None:
            return
        _unlock(self._fh)
        self._fh.close()
        self._fh = None
        self.path.unlink(missing_ok=True)


def others(db_path: Path, mine: SeatMark | None = None) -> list[str]:
    """The other windows that have the registry open, in words (user, PC, since when); markers left
    by windows that ended are removed on the way."""
    found = []
    where = folder(db_path)
    if not where.is_dir():
        return found
    for marker in sorted(where.glob("*.seat")):
        if mine is not None and marker == mine.path:
            continue
        try:
            fh = open(marker, "r+", encoding="utf-8")  # noqa: SIM115
        except OSError:
            continue
        try:
            if _lock(fh):  # nobody holds it: that window has ended
                _unlock(fh)
                fh.close()
                marker.unlink(missing_ok=True)
                continue
            try:
                info = json.loads(marker.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                info = {}
            found.append(f"{info.get('user', '某用户')}（电脑 {info.get('host', '?')}，"
                         f"{str(info.get('since', ''))[11:16]} 起）")
        finally:
            if not fh.closed:
                fh.close()
    return found
