"""The other seats (PCs) working on the same registry: noticing their writes."""

from __future__ import annotations

from db.notify import ChangeListener
from desktop.services.base import Registry


def change_listener(reg: Registry) -> ChangeListener:
    """A listener for the other seats' writes to ``reg`` (not opened yet: call ``open``)."""
    return ChangeListener(reg.target, reg.conn)
