"""Handling actions that come with a letter: the event and its notice are recorded together.

A correction notice, an approved extension, a consultation or a fee notice is only real once its
letter exists, so each is fired and issued in one transaction: both, or neither.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop.services import cases, letters
from desktop.services.base import Actor, Changes, Registry, ServiceError

LETTERS_FOR = {
    "correction_notice": ("correction",),
    "extension_approve": ("extension",),
    "fee_notice": ("fee_notice",),
    "abandoned": ("termination",),
    "fee_unpaid": ("termination",),
}


def letters_for(event: str, payload: dict[str, Any]) -> tuple[str, ...]:
    if event == "consultation_start":
        first = "consult_agency" if payload.get("kind") == "agency" else "consult_third_party"
        return first, "consult_notice"
    return LETTERS_FOR.get(event, ())


class Acted(list):
    """The letters an action issued, in order, carrying what the action changed."""

    def __init__(self, issued: list[letters.IssuedLetter], changes: Changes):
        super().__init__(issued)
        self.changes = changes


def act(reg: Registry, actor: Actor, case_id: int, event: str, on: date | None = None,
        payload: dict[str, Any] | None = None, expected_version: int | None = None) -> Acted:
    """Fire ``event`` (checked as any event) and issue the letters it calls for; returns them."""
    payload = dict(payload or {})
    on = on or reg.today()
    with reg.transaction():
        changes = cases.fire(reg, actor, case_id, event, on, payload, expected_version)
        return Acted([letters.issue(reg, actor, case_id, kind, on) for kind in letters_for(event, payload)], changes)


def archive_many(reg: Registry, actor: Actor, case_ids: list[int]) -> Changes:
    """File many finished cases at once (the clerk's 待归档 list): all of them, or none when one
    cannot be filed (its number is named)."""
    numbers: list[str] = []
    with reg.transaction():
        for case_id in case_ids:
            try:
                changed = cases.fire(reg, actor, case_id, "archive")
            except ServiceError as exc:
                raise ServiceError(f"案件{cases.get_case(reg, case_id)['case_no']}：{exc}") from None
            numbers += changed.case_nos
    return Changes(tuple(case_ids), tuple(numbers))
