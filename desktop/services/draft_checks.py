"""Checks of a reply's draft before it is submitted: what its body repeats of what the letter adds
itself (domain/draft_checks.py), against the templates in force for this case."""

from __future__ import annotations

from desktop.domain import draft_checks
from desktop.domain.draft_checks import Repetition
from desktop.services import cases, letters
from desktop.services.base import Registry

__all__ = ["Repetition", "repetitions", "saved_draft_repetitions"]


def frame_key(outcome_code: str) -> str:
    """The letter a body with this outcome is set into: the reply, or the termination notice."""
    return "termination" if outcome_code in letters.TERMINATION_OUTCOMES else "reply"


def repetitions(reg: Registry, case_id: int, outcome_code: str, body: str,
                details: dict[str, str] | None = None, generated: str | None = None) -> list[Repetition]:
    """What ``body`` repeats of the letter's frame (opening, remedy clause, closing) or of the legal
    basis the outcome's template gives. ``generated``: that template's body if the caller has it."""
    if not outcome_code or not body.strip():
        return []
    frame, _version = letters.template(reg, frame_key(outcome_code))
    if generated is None:
        generated = letters.decision_draft(reg, case_id, outcome_code, details)
    return draft_checks.repeated_in_body(body, frame, generated)


def saved_draft_repetitions(reg: Registry, case_id: int) -> list[Repetition]:
    """The repetitions of the draft as last saved (for a check when it is submitted)."""
    facts = cases.facts_of(reg, case_id)
    if not facts.outcome or not facts.draft_text:
        return []
    return repetitions(reg, case_id, facts.outcome, facts.draft_text)
