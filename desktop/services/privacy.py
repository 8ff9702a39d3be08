"""Who may read what: a division user reads only the cases of their division and those they acted
on; applicants' ID and phone numbers are shown in full only to the disclosure office."""

from __future__ import annotations

from typing import Any

from db.queries import cases as cases_q
from desktop.domain.identity import mask_id_number, mask_phone
from desktop.domain.workflow import DIVISION
from desktop.services.base import Actor, PermissionDenied, Registry

PERSONAL_DATA_ROLES = frozenset({"clerk", "office_head", "admin"})


def own_cases_only(actor: Actor | None) -> bool:
    """Whether ``actor`` reads only their division's cases (a user whose only role is division staff)."""
    return actor is not None and actor.roles == frozenset({DIVISION})


def visible_clause(actor: Actor | None) -> tuple[str, list] | None:
    """The SQL condition on the cases row ``c`` limiting what ``actor`` reads; None: everything."""
    if not own_cases_only(actor):
        return None
    return cases_q.visible_clause(actor.division_id, actor.user_id)


def visible_to(actor: Actor | None) -> tuple[int | None, int | None] | None:
    """(division id, user id) of a division user, for queries that take it; None: everything."""
    return (actor.division_id, actor.user_id) if own_cases_only(actor) else None


def check_can_read(reg: Registry, actor: Actor | None, case_id: int) -> None:
    """Refuse a case that ``actor`` may not read (another division's, never handled by them)."""
    if own_cases_only(actor) and not cases_q.visible(reg.conn, case_id, actor.division_id, actor.user_id):
        raise PermissionDenied("这件申请不由您的处室承办，您无权查看")


def can_see_personal(actor: Actor | None) -> bool:
    return actor is not None and bool(actor.roles & PERSONAL_DATA_ROLES)


def masked(values: dict[str, Any], actor: Actor | None, id_key: str = "id_number", phone_key: str = "phone",
           type_key: str = "id_type") -> dict[str, Any]:
    """A copy of ``values`` with the ID and phone masked unless ``actor`` may see them.
    Organisation codes (统一社会信用代码) are public and stay as they are."""
    if can_see_personal(actor):
        return dict(values)
    out = dict(values)
    if out.get(type_key) != "统一社会信用代码":
        out[id_key] = mask_id_number(out.get(id_key))
    out[phone_key] = mask_phone(out.get(phone_key))
    return out
