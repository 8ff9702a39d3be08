"""Composing a letter: its template filled with the case's template values (``compose``), drawn as a
PDF (``render``, ``preview``); the decision paragraphs a drafter starts from; the 呈批单's table and
the opinions on it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from db.queries import settings as settings_q
from desktop.documents.fonts import MissingGlyphs
from desktop.domain import deadlines, outcomes
from desktop.services import cases
from desktop.services.base import Registry, ServiceError, ValidationFailed
from desktop.services.letters.delivery import delivery_proof_rows
from desktop.services.letters.templates import DETAIL_LABELS, FACT_LABELS, KINDS, fill, template
from desktop.services.letters.values import _chinese_date, letter_date, released_values, template_values

REGULATION = outcomes.REGULATION


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def compose(reg: Registry, case_id: int, kind: str, doc_no: str = "", issued_on: date | None = None,
            draft: bool = False, about: int | None = None):
    """The letter's text from its template and the case's facts; missing facts are listed. ``about``:
    for a 送达回证, the issued letter it proves the delivery of (default: the reply, else the first)."""
    from desktop.documents.letter_pdf import Letter

    if kind not in KINDS:
        raise ValidationFailed([f"〔文书种类〕没有“{kind}”这种文书，可选：{'、'.join(KINDS)}"])
    case = cases.record_of(reg, case_id)  # read and replayed once for the whole letter
    values = template_values(reg, case_id, kind, case)
    s = reg.settings()
    issued_on = issued_on or letter_date(case.facts, kind, reg.today())
    text, _version = template(reg, kind)
    missing: list[str] = []
    if kind in ("reply", "termination"):
        drafted = case.facts.draft_text if kind == "reply" else None
        if drafted:
            values["decision"] = drafted
        else:
            decision_text, _v = template(reg, f"reply:{values['_outcome']}")
            values["decision"], missing = fill(decision_text, values)
    filled, more = fill(text, values)
    missing += more
    lines = filled.strip().split("\n", 1)
    title = lines[0].strip()
    body = _paragraphs(lines[1] if len(lines) > 1 else "")
    if kind == "reply" and values.get("_enclosures"):
        body.append(values["_enclosures"])  # 附件说明: the released versions sent with the reply
    letter = Letter(title=title, paragraphs=body, signature=s.get("agency_name", ""), issued_on=issued_on,
                    doc_no=doc_no, subject=f"{KINDS[kind].title} {values['case_no']}", draft=draft,
                    seal_image=Path(s["seal_image"]) if s.get("seal_image") else None)
    letter.form = kind in ("delivery_proof", "approval_form")
    if kind == "delivery_proof":
        letter.table = delivery_proof_rows(reg, case_id, values, about)
    elif kind == "approval_form":
        letter.table, letter.steps = _approval_rows(reg, case, values)
    needed = [m for m in dict.fromkeys(missing) if m in DETAIL_LABELS or not draft]
    if needed:
        names = "、".join(dict.fromkeys(DETAIL_LABELS.get(m) or FACT_LABELS.get(m, m) for m in needed))
        raise ServiceError(f"生成{KINDS[kind].title}还缺少以下内容：{names}。请在拟写答复时填写。")
    return letter


def render(letter, out: Path) -> Path:
    """The letter drawn as a PDF at ``out``; a character the fonts cannot draw is the user's to fix."""
    from desktop.documents.letter_pdf import render as draw

    try:
        return draw(letter, out)
    except MissingGlyphs as exc:
        raise ServiceError(str(exc)) from None


def preview(reg: Registry, case_id: int, kind: str, out: Path, about: int | None = None) -> Path:
    """A draft of the letter as it would be issued now (no number, marked as a draft)."""
    return render(compose(reg, case_id, kind, "", None, draft=True, about=about), out)  # dated as issued today


def decision_draft(reg: Registry, case_id: int, outcome_code: str, details: dict[str, str] | None = None,
                   case: cases.CaseRecord | None = None) -> str:
    """The decision paragraphs of a reply, prefilled from the outcome's template and the case's facts.
    What only the drafter knows is left as 【…】 for them to write. ``case``: the case as already read."""
    outcome = outcomes.find(outcome_code)
    if outcome is None:
        raise ValidationFailed([f"〔办理结果〕“{outcome_code}”不在目录中"])
    case = case if case is not None else cases.record_of(reg, case_id)
    values = template_values(reg, case_id, "letter", case)
    values["basis_citation"] = outcome.reply_citation
    for key, label in {**DETAIL_LABELS, **FACT_LABELS}.items():
        values.setdefault(key, f"【{label.split('（')[0]}】")
    given = {k: v for k, v in (details or {}).items() if v}
    values.update(given)
    values.update(released_values(case.events, outcome.code, {**case.draft.values, **given}))
    text, _version = template(reg, f"reply:{outcome.code}")
    filled, _missing = fill(text, values)
    return filled


# -- the 呈批单 (approval form) ----------------------------------------------------------------------
_ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")


def _approval_basis(outcome: outcomes.Outcome | None, values: dict[str, Any]) -> str:
    """The articles the reply rests on; for a partial disclosure also the refused part's own article."""
    if outcome is None:
        return ""
    if outcome.code == "partial" and values.get("refusal_article"):
        return f"{REGULATION}{values['refusal_article']}、{outcome.basis}"
    return outcome.citation


def opinions(reg: Registry, case_id: int) -> list[tuple[str, str, str, str]]:
    """The handling so far as the 呈批单 lists it — (step, opinion, who, date): the division's 承办意见,
    the legal reviewer's opinion, the returns and their reasons — for the screen a leader signs on."""
    return _approval_steps(reg, cases.event_rows(reg, case_id))


def _approval_rows(reg: Registry, case: cases.CaseRecord, values: dict[str, Any]):
    f = case.facts
    outcome = outcomes.BY_CODE.get(f.outcome or "")
    due = deadlines.compute(f, reg.calendar(), reg.today()).effective_due_on
    table = [
        ("申请编号", values["case_no"]), ("收到申请之日", values["received_date"]),
        ("申请人", f"{values['applicant_name']}（{case.row['applicant_type']}）"), ("申请方式", values["channel"]),
        ("申请内容", values["request_text"]), ("主办处室", case.row["lead_division_name"] or "（未分办）"),
        ("拟办理结果", outcome.label if outcome else "尚未确定"),
        ("法律依据", _approval_basis(outcome, values)),
        ("答复期限", _chinese_date(due) or "—"),
    ]
    return table, _approval_steps(reg, case.events)


def _approval_steps(reg: Registry, event_rows) -> list[tuple[str, str, str, str]]:
    labels = {"register": "登记", "ledger_import": "登记（台账导入）", "correction_notice": "补正告知",
              "corrected": "收到补正", "abandoned": "逾期未补正", "assign": "分办", "handle_in_office": "分办",
              "send_back": "退回登记", "sign_for": "签收", "return_to_office": "退回公开办",
              "consultation_start": "征求意见", "consultation_end": "征求意见结束", "fee_notice": "收费通知",
              "fee_paid": "缴费", "fee_unpaid": "逾期未缴费", "extension_request": "申请延期",
              "extension_approve": "批准延期", "extension_refuse": "不同意延期", "art35_delay": "确定延迟答复期限",
              "draft": "承办意见", "submit_for_review": "提交审核", "review_approve": "法规审核",
              "review_return": "法规审核（退回）", "leader_approve": "领导签发", "leader_return": "领导审批（退回）",
              "reply_issued": "出具答复", "withdrawn": "申请人撤回"}
    steps = []
    for e in event_rows:
        if e["type"] not in labels:
            continue
        p = json.loads(e["payload"])
        if e["type"] == "draft":
            o = outcomes.BY_CODE.get(p.get("outcome", ""))
            opinion = (f"拟{o.label}。" if o else "") + (p.get("text") or "")
        elif e["type"] in ("review_approve", "leader_approve"):
            opinion = p.get("comment") or "同意。"
        elif e["type"] == "assign":
            names = {r["id"]: r["name"] for r in settings_q.divisions(reg.conn)}
            opinion = f"请{names.get(p.get('lead_division_id'), '')}办理。"
        else:
            opinion = cases.describe_event(e["type"], p, {})
        opinion = _ISO_DATE.sub(lambda m: _chinese_date(m.group(0)), opinion.strip())  # no ISO dates on the form
        steps.append((labels[e["type"]], opinion or "—", e["actor_name"] or "系统", _chinese_date(e["effective_on"])))
    return steps
