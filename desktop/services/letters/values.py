"""The template values of a case: every placeholder a letter of a kind fills, from the recorded
facts, the agency's settings and the details the drafter saved; and the date a letter carries."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from desktop.domain import application, deadlines, fees, outcomes, workflow
from desktop.services import cases
from desktop.services.base import Registry, ServiceError
from desktop.services.letters.templates import DETAIL_LABELS, default_template, template


def _chinese_date(value: date | str | None) -> str:
    """A date as a letter writes it (2026年9月16日); empty for none."""
    if value in (None, ""):
        return ""
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


# -- the date a letter carries ------------------------------------------------------------------------
# The letters about a consultation, by the kinds of pause they announce.
CONSULTED = {"consult_third_party": {"third_party"}, "consult_agency": {"agency"},
             "consult_notice": {"third_party", "agency"}}


def last_pause(f: workflow.CaseFacts, kinds: set[str]) -> workflow.Pause | None:
    return next((p for p in reversed(f.pauses) if p.kind in kinds), None)


def letter_date(f: workflow.CaseFacts, kind: str, on: date) -> date:
    """The date a letter carries. A notice carries the date of the event it announces (the receipt
    the date of receipt, a correction notice the day correction was asked for, …), whenever it is
    printed; a reply or termination notice the day the case concluded; forms the day they are made."""
    if kind == "receipt" and f.received_on:
        return f.received_on
    if kind == "correction" and f.correction_notice_on:
        return f.correction_notice_on
    if kind == "extension" and f.extension_approved_on:
        return f.extension_approved_on
    if kind in CONSULTED and (pause := last_pause(f, CONSULTED[kind])):
        return pause.start
    if kind == "fee_notice" and (pause := last_pause(f, {"fee"})):
        return pause.start
    if kind in ("reply", "termination") and f.concluded_on:
        return f.concluded_on
    return on


# -- facts → placeholders -------------------------------------------------------------------------
def template_values(reg: Registry, case_id: int, kind: str,
                    case: cases.CaseRecord | None = None) -> dict[str, Any]:
    """Every placeholder value for a letter of ``kind`` on this case, from the recorded facts.
    ``case``: the case as already read (a CaseView too: no value comes from its masked fields)."""
    case = case if case is not None else cases.record_of(reg, case_id)
    row, events, f = case.row, case.events, case.facts
    s = reg.settings()
    cal = reg.calendar()
    payloads: dict[str, dict] = {}
    for e in events:
        payloads[e["type"]] = {**json.loads(e["payload"]), "_on": e["effective_on"]}
    draft = case.draft.values  # the details as last saved
    dl = deadlines.compute(f, cal, reg.today())
    values: dict[str, Any] = {
        "agency_name": s.get("agency_name", ""), "office_name": s.get("office_name", ""),
        "contact_phone": s.get("contact_phone", ""), "applicant_name": row["applicant_name"],
        "agency_address": s.get("address", ""),
        "contact": "；".join(f"{label}：{value}" for label, value in (("电话", s.get("contact_phone", "")),
                                                                    ("地址", s.get("address", ""))) if value),
        "received_date": _chinese_date(f.received_on), "channel": row["channel"], "case_no": row["case_no"],
        "request_text": " ".join(row["request_text"].split()).rstrip("。．.；;，,"),
        "you": (you := "您" if row["applicant_type"] == "自然人" else "贵单位"),
        "receipt_rule": application.RECEIPT_RULES_FOR_APPLICANT[row["channel"]].replace("您", you),
        "due_date": _chinese_date(dl.due_on or dl.projected_due_on or deadlines.reply_due(f, cal, reg.today())),
        "fee_payment_channel": s.get("fee_payment_channel", ""),
    }
    notice = payloads.get("correction_notice")
    if notice:
        items = notice.get("items", [])
        values.update(correction_items="\n\n".join(f"{i}. {t}" for i, t in enumerate(items, start=1)),
                      correction_deadline=_chinese_date(notice.get("period_end")),
                      correction_period=notice.get("period_days"),
                      correction_notice_date=_chinese_date(notice["_on"]))
    elif f.correction_notice_on:
        values["correction_notice_date"] = _chinese_date(f.correction_notice_on)
    if f.extension_days:
        req = payloads.get("extension_request", {})
        values.update(extension_reason=req.get("reason", ""), extension_days=f.extension_days,
                      new_due_date=_chinese_date(deadlines.reply_due(f, cal, reg.today())))
    start = payloads.get("consultation_start")
    if start:
        third = start.get("kind", "third_party") == "third_party"
        values.update(consulted_party=start.get("party", ""), consultation_reason=start.get("reason", ""),
                      consultation_cause="涉及第三方合法权益" if third else "由本机关与其他行政机关共同制作",
                      consultation_article="第三十二条" if third else "第三十四条",
                      consultation_start=_chinese_date(start["_on"]))
    fee = payloads.get("fee_notice")
    if fee:
        unit = "件" if fee.get("method") == fees.PER_APPLICATION else "页"
        quantity = (f"本件为您本月第{fee.get('quantity')}件申请" if unit == "件" else f"共{fee.get('quantity')}页")
        values.update(fee_method=fees.METHOD_LABELS.get(fee.get("method", ""), ""), fee_quantity=quantity,
                      fee_tier=fee.get("tier", ""), fee_amount=fee.get("amount", ""),
                      fee_notice_date=_chinese_date(fee["_on"]),
                      fee_calculation="\n\n".join(fees.breakdown(fee.get("method", ""), int(fee.get("quantity") or 0))))
    for key in DETAIL_LABELS:
        if draft.get(key):
            values[key] = draft[key]
    if draft.get("previous_reply_date"):
        values["previous_reply_date"] = _chinese_date(draft["previous_reply_date"])
    values.update(_refusal_values(f.outcome, draft))
    values.update(released_values(events, f.outcome, draft))
    agency, contact = draft.get("responsible_agency"), draft.get("responsible_contact")
    values["responsible_sentence"] = (
        f"该政府信息由{agency}负责公开" + (f"，联系方式：{contact}" if contact else "") + "。" if agency
        else "经核查，本机关无法确定负责公开该政府信息的行政机关。")
    if kind in ("reply", "termination"):
        values.update(_reply_values(f, s))
        if kind == "termination":  # the remedy is against this notice, not a reply
            values["remedy_clause"] = values["remedy_clause"].replace("本答复", "本告知书")
    return values


def details_for(outcome_code: str, reg: Registry | None = None) -> list[str]:
    """The details a drafter gives for a reply with this outcome (what its template and grounds need):
    the template the administrator edited when ``reg`` is given, else the one shipped."""
    if reg is not None:
        text, _version = template(reg, f"reply:{outcome_code}")
    else:
        text = default_template(f"reply:{outcome_code}")
    keys = [k for k in DETAIL_LABELS if "{" + k + "}" in text]
    if outcomes.grounds_for(outcome_code):
        if len(outcomes.grounds_for(outcome_code)) > 1:
            keys.append("refusal_ground")
        keys.append("refusal_reason")
    if outcome_code == "unable_not_responsible":
        keys += ["responsible_agency", "responsible_contact"]
    return [k for k in DETAIL_LABELS if k in keys]


def _refusal_values(outcome_code: str | None, draft: dict[str, Any]) -> dict[str, str]:
    """How a refusal is stated: the ground the drafter picked (the only one, where there is one), its
    article, and what they added. Nothing when a required part is missing (the letter names it)."""
    grounds = outcomes.grounds_for(outcome_code or "")
    ground = outcomes.GROUND_BY_CODE.get(draft.get("refusal_ground") or "")
    if ground not in grounds:
        ground = grounds[0] if len(grounds) == 1 else None
    if ground is None:
        return {}
    extra = application.clean_text(draft.get("refusal_reason")).rstrip("。；;，,")
    if ground.code in outcomes.NEEDS_DETAIL:
        if not extra:
            return {"refusal_article": ground.article}
        statement = f"{ground.statement}（{extra}）"
    else:
        statement = ground.statement + (f"：{extra}" if extra else "")
    return {"refusal_article": ground.article, "refusal_statement": statement}


def released_values(events, outcome_code: str | None, draft: dict[str, Any]) -> dict[str, str]:
    """A 部分公开 reply names the released versions (去标识化) and states the refused part and its ground
    from their boxes' categories (services/redaction.py)."""
    from desktop.services import redaction

    return redaction.reply_values(events, outcome_code, draft)


def _reply_values(f: workflow.CaseFacts, s: dict[str, str]) -> dict[str, Any]:
    if not f.outcome:
        raise ServiceError("尚未确定办理结果，不能生成答复书")
    outcome = outcomes.get(f.outcome)
    citation = outcome.reply_citation
    sentences = []
    if f.corrected_on:
        sentences.append(f"您于{_chinese_date(f.corrected_on)}补正了申请。")
    if f.extension_days:
        sentences.append(f"经本机关政府信息公开工作机构负责人同意，答复期限延长了{f.extension_days}个工作日。")
    if any(p.kind in ("third_party", "agency") for p in f.pauses):
        sentences.append("本机关依法征求了意见，征求意见所需时间不计算在答复期限内。")
    key = "remedy_partial" if outcome.code == "partial" else ("remedy_refusal" if outcome.refusal else "remedy_general")
    remedy = s.get(key, "").format(reconsideration_body=s.get("reconsideration_body", ""), court=s.get("court", ""))
    return {"basis_citation": citation, "process_sentence": "".join(sentences), "remedy_clause": remedy,
            "_outcome": outcome.code}
