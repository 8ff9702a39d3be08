"""The letters on record for a case: every issued version, the newest of a kind, and deliveries."""

from __future__ import annotations

from typing import Any

from db.queries import letters as letters_q
from desktop.services.base import NotFound, Registry


def issued(reg: Registry, case_id: int) -> list[Any]:
    """Every letter issued on the case (each version), oldest first."""
    return letters_q.for_case(reg.conn, case_id)


def latest(reg: Registry, case_id: int, kind: str):
    """The newest version of the case's letter of ``kind`` (None: never issued)."""
    return letters_q.latest(reg.conn, case_id, kind)


def get(reg: Registry, letter_id: int):
    row = letters_q.get(reg.conn, letter_id)
    if row is None:
        raise NotFound("文书不存在")
    return row


def latest_delivery(reg: Registry, letter_id: int):
    """The most recently recorded delivery of a letter (None: not delivered yet)."""
    return letters_q.latest_delivery(reg.conn, letter_id)
