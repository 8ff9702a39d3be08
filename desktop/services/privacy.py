"""Who may see applicants' personal data (ID and phone numbers) in full; everyone else sees them masked."""

from __future__ import annotations

from typing import Any

from desktop.domain.identity import mask_id_number, mask_phone
from desktop.services.base import Actor

PERSONAL_DATA_ROLES = frozenset({"clerk", "office_head", "admin"})


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
