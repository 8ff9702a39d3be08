"""Letters to applicants and others (domain.md §7), one module per step of a letter's life:

- ``templates``  the letter kinds, the template in force for each, its placeholders and filling them
- ``values``     the template values of a case (every placeholder, from the recorded facts) and the
                 date a letter carries
- ``records``    the letters on record for a case and their deliveries
- ``delivery``   recording a delivery; the letters that need one; the 送达回证's table
- ``composing``  a letter's text and its PDF, previews, the drafter's prefilled decision, the 呈批单
- ``issuing``    whether a letter may be issued now, its number, the stored PDF (versions on reissue)

Import the package (``from desktop.services import letters``; ``letters.issue(...)``): it offers every
public name of its modules.
"""

from desktop.services.letters.composing import REGULATION, compose, decision_draft, opinions, preview, render
from desktop.services.letters.delivery import (
    DELIVERY_METHODS,
    deliverable,
    delivery_proof_rows,
    record_delivery,
)
from desktop.services.letters.issuing import (
    IssuedLetter,
    issue,
    issue_reply,
    reasons_not_issuable,
    verified_file,
    why_not_issuable,
)
from desktop.services.letters.records import get, issued, latest, latest_delivery
from desktop.services.letters.templates import (
    DETAIL_LABELS,
    FACT_LABELS,
    KINDS,
    KNOWN_PLACEHOLDERS,
    TERMINATION_OUTCOMES,
    Kind,
    check_template,
    default_template,
    fill,
    save_template,
    template,
    template_kinds,
)
from desktop.services.letters.values import details_for, letter_date, template_values

__all__ = [
    "DELIVERY_METHODS", "DETAIL_LABELS", "FACT_LABELS", "KINDS", "KNOWN_PLACEHOLDERS", "REGULATION",
    "TERMINATION_OUTCOMES", "IssuedLetter", "Kind", "check_template", "compose", "decision_draft",
    "default_template", "deliverable", "delivery_proof_rows", "details_for", "fill", "get", "issue",
    "issue_reply", "issued", "latest", "latest_delivery", "letter_date", "opinions", "preview",
    "reasons_not_issuable", "record_delivery", "render", "save_template", "template", "template_kinds",
    "template_values", "verified_file", "why_not_issuable",
]
