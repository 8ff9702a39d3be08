"""The other seats (PCs) working on the same registry: noticing their writes."""

from __future__ import annotations

from db.notify import ChangeListener
from db.seats import SeatMark
from desktop.services.base import Registry


def change_listener(reg: Registry) -> ChangeListener:
    """A listener for the other seats' writes to ``reg`` (not opened yet: call ``open``)."""
    return ChangeListener(reg.target, reg.conn)


def mark_seat(reg: Registry, user: str) -> SeatMark | None:
    """Mark this window's seat beside a registry file (a server knows its connections itself)."""
    if reg.path is None or str(reg.path) == ":memory:":
        return None
    return SeatMark(reg.path, user)
