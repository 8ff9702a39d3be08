"""Letter kinds and their templates: the text in force for each kind (a new version at every save;
the program's default until one is saved), the placeholders a template may use, and filling them."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

from db.queries import letters as letters_q
from db.queries import settings as settings_q
from desktop.domain import outcomes
from desktop.paths import resources_dir
from desktop.services.base import Actor, Changes, NotFound, Registry, ValidationFailed, require_role


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    sequence: str | None  # the number sequence (and settings key doc_no_<sequence>); None: unnumbered


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("receipt", "政府信息公开申请登记回执", "receipt"),
    Kind("correction", "补正申请告知书", "correction"),
    Kind("extension", "延期答复告知书", "extension"),
    Kind("consult_third_party", "征求第三方意见书", "consult"),
    Kind("consult_notice", "征求意见告知书", "consult"),
    Kind("consult_agency", "征求意见函", "consult"),
    Kind("fee_notice", "收费通知书", "fee_notice"),
    Kind("reply", "政府信息公开申请答复书", "reply"),
    Kind("termination", "政府信息公开申请终止办理告知书", "reply"),
    Kind("delivery_proof", "送达回证", None),
    Kind("approval_form", "政府信息公开申请办理呈批单", None),
)}
# Cases that end without a reply: the office tells the applicant with a termination notice. (A
# withdrawal needs none: the applicant ended it.)
TERMINATION_OUTCOMES = ("other_no_correction", "other_fee_unpaid")
# Details a reply needs from the drafter, by placeholder, with their names for messages.
FACT_LABELS = {
    "correction_notice_date": "补正告知日期（本案没有补正告知记录）",
    "fee_notice_date": "收费通知日期（本案没有收费通知记录）",
    "consulted_party": "征求意见对象",
    "consultation_reason": "征求意见的理由",
    "extension_reason": "延期理由",
    "refusal_statement": "不予公开的理由（请选择不予公开的依据；法律、行政法规禁止公开的，写明是哪部法律、行政法规的哪一条）",
}
FACT_LABELS["refusal_article"] = FACT_LABELS["refusal_statement"]  # missing together: named once
DETAIL_LABELS = {
    "release_details": "提供或获取信息的方式、途径",
    "released_part": "予以公开的部分",
    "refused_part": "不予公开的部分",
    "refusal_ground": "不予公开的依据",
    "refusal_reason": "不予公开理由的具体说明",
    "responsible_agency": "负责公开的机关",
    "responsible_contact": "该机关的联系方式",
    "previous_reply_date": "此前答复的日期",
    "reply_text": "答复正文",
}


def template_kinds() -> list[tuple[str, str]]:
    """Every editable template: (key, name) — one per letter kind and one reply per outcome."""
    out = [(k.code, k.title) for k in KINDS.values()]
    for o in outcomes.CATALOGUE:  # the closing outcomes' texts go into the termination notice
        letter = "终止办理告知书正文" if o.code in TERMINATION_OUTCOMES else "答复书正文"
        out.append((f"reply:{o.code}", f"{letter}：{o.label}"))
    return out


def default_template(key: str) -> str:
    folder = resources_dir() / "letters"
    path = folder / "reply" / f"{key.split(':', 1)[1]}.txt" if key.startswith("reply:") else folder / f"{key}.txt"
    if not path.is_file():
        raise NotFound(f"没有“{key}”的默认模板")
    return path.read_text(encoding="utf-8").strip()


def template(reg: Registry, key: str) -> tuple[str, int]:
    """The template in force and its version (0: the default shipped with the program)."""
    row = letters_q.current_template(reg.conn, key)
    if row is None:
        return default_template(key), 0
    return (row["text"] if row["text"] is not None else default_template(key)), row["version"]


def _placeholders(text: str) -> set[str]:
    names = set()
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None:
            names.add(name)
    return names


KNOWN_PLACEHOLDERS = {
    "applicant_name", "received_date", "channel", "case_no", "request_text", "receipt_rule", "due_date",
    "contact_phone", "office_name", "agency_name", "correction_items", "correction_deadline",
    "correction_period", "extension_reason", "extension_days", "new_due_date", "consulted_party",
    "consultation_reason", "consultation_cause", "consultation_start", "consultation_article", "fee_method",
    "fee_quantity", "fee_tier", "fee_amount", "fee_payment_channel", "process_sentence", "decision",
    "remedy_clause", "basis_citation", "correction_notice_date", "fee_notice_date", "agency_address", "contact",
    "you", "fee_calculation", "refusal_statement", "refusal_article", "responsible_sentence", *DETAIL_LABELS,
}


def check_template(text: str) -> list[str]:
    """Problems of an edited template: unknown placeholders, broken braces, empty title."""
    problems = []
    text = text.strip()
    if not text:
        return ["〔模板〕不能为空"]
    try:
        names = _placeholders(text)
    except ValueError as exc:
        return [f"〔模板〕花括号不配对（{exc}）；占位符应写成 {{applicant_name}} 的形式"]
    unknown = sorted(n for n in names if n not in KNOWN_PLACEHOLDERS)
    if unknown:
        problems.append(f"〔模板〕不认识的占位符：{'、'.join('{' + n + '}' for n in unknown)}")
    if len(text) > 20000:
        problems.append("〔模板〕过长（最多20000个字符）")
    return problems


def save_template(reg: Registry, actor: Actor, key: str, text: str | None) -> Changes:
    """Store a new version of a template (``None``: back to the default)."""
    require_role(actor, "admin", action="编辑文书模板")
    if key not in dict(template_kinds()):
        raise ValidationFailed([f"〔模板〕没有“{key}”这种文书"])
    if text is not None:
        problems = check_template(text)
        if problems:
            raise ValidationFailed(problems)
        text = text.strip()
    with reg.transaction():
        _current, version = template(reg, key)
        letters_q.insert_template(reg.conn, key, version + 1, text, reg.now(), actor.user_id)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "save_template",
                         json.dumps({"kind": key, "version": version + 1, "reset": text is None}, ensure_ascii=False))
    return Changes(templates=True)


class _Missing(dict):
    def __init__(self, values: dict[str, Any]):
        super().__init__(values)
        self.missing: list[str] = []

    def __missing__(self, key: str) -> str:
        self.missing.append(key)
        return ""


def fill(text: str, values: dict[str, Any]) -> tuple[str, list[str]]:
    """The template with its placeholders filled, and the placeholders that had no value (left empty)."""
    mapping = _Missing({k: ("" if v is None else v) for k, v in values.items()})
    filled = text.format_map(mapping)
    return filled, mapping.missing
