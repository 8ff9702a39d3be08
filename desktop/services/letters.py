"""Letters to applicants and others (domain.md §7): templates, numbers, issuing, delivery.

A letter is generated from the case's facts when it is issued, then kept — file, SHA-256, number —
and never silently redrawn; reissuing makes a new version (same number) that shows in the timeline.
Unissued letters can be previewed as drafts without a number.
"""

from __future__ import annotations

import json
import re
import string
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from db.queries import letters as letters_q
from db.queries import settings as settings_q
from desktop.documents.fonts import MissingGlyphs
from desktop.domain import application, deadlines, fees, outcomes, workflow
from desktop.paths import resources_dir
from desktop.services import attachments, cases, files
from desktop.services.base import Actor, NotFound, Registry, ServiceError, ValidationFailed, require_role

REGULATION = outcomes.REGULATION


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
DELIVERY_METHODS = ("当面", "邮寄", "电子邮件", "传真", "网络平台")
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


# -- templates ----------------------------------------------------------------------------------
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


def save_template(reg: Registry, actor: Actor, key: str, text: str | None) -> int:
    """Store a new version of a template (``None``: back to the default). Returns the version."""
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
    return version + 1


# -- facts → placeholders -------------------------------------------------------------------------
class _Missing(dict):
    def __init__(self, values: dict[str, Any]):
        super().__init__(values)
        self.missing: list[str] = []

    def __missing__(self, key: str) -> str:
        self.missing.append(key)
        return ""


def _d(value: date | str | None) -> str:
    if value in (None, ""):
        return ""
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


def facts(reg: Registry, case_id: int, kind: str) -> dict[str, Any]:
    """Every placeholder value for a letter of ``kind`` on this case, from the recorded facts."""
    row = cases.get_case(reg, case_id)
    events = cases.events_q.for_case(reg.conn, case_id)
    f = workflow.replay(cases.domain_events(events))
    s = reg.settings()
    cal = reg.calendar()
    payloads: dict[str, dict] = {}
    draft: dict[str, Any] = {}  # the details as last saved (a later save may leave out what did not change)
    for e in events:
        payloads[e["type"]] = {**json.loads(e["payload"]), "_on": e["effective_on"]}
        if e["type"] == "draft":
            draft.update(json.loads(e["payload"]))
    dl = deadlines.compute(f, cal, reg.today())
    values: dict[str, Any] = {
        "agency_name": s.get("agency_name", ""), "office_name": s.get("office_name", ""),
        "contact_phone": s.get("contact_phone", ""), "applicant_name": row["applicant_name"],
        "agency_address": s.get("address", ""),
        "contact": "；".join(f"{label}：{value}" for label, value in (("电话", s.get("contact_phone", "")),
                                                                    ("地址", s.get("address", ""))) if value),
        "received_date": _d(f.received_on), "channel": row["channel"], "case_no": row["case_no"],
        "request_text": " ".join(row["request_text"].split()).rstrip("。．.；;，,"),
        "you": (you := "您" if row["applicant_type"] == "自然人" else "贵单位"),
        "receipt_rule": application.RECEIPT_RULES_FOR_APPLICANT[row["channel"]].replace("您", you),
        "due_date": _d(dl.due_on or dl.projected_due_on or deadlines.reply_due(f, cal, reg.today())),
        "fee_payment_channel": s.get("fee_payment_channel", ""),
    }
    notice = payloads.get("correction_notice")
    if notice:
        items = notice.get("items", [])
        values.update(correction_items="\n\n".join(f"{i}. {t}" for i, t in enumerate(items, start=1)),
                      correction_deadline=_d(notice.get("period_end")), correction_period=notice.get("period_days"),
                      correction_notice_date=_d(notice["_on"]))
    elif f.correction_notice_on:
        values["correction_notice_date"] = _d(f.correction_notice_on)
    if f.extension_days:
        req = payloads.get("extension_request", {})
        values.update(extension_reason=req.get("reason", ""), extension_days=f.extension_days,
                      new_due_date=_d(deadlines.reply_due(f, cal, reg.today())))
    start = payloads.get("consultation_start")
    if start:
        third = start.get("kind", "third_party") == "third_party"
        values.update(consulted_party=start.get("party", ""), consultation_reason=start.get("reason", ""),
                      consultation_cause="涉及第三方合法权益" if third else "由本机关与其他行政机关共同制作",
                      consultation_article="第三十二条" if third else "第三十四条",
                      consultation_start=_d(start["_on"]))
    fee = payloads.get("fee_notice")
    if fee:
        unit = "件" if fee.get("method") == fees.PER_APPLICATION else "页"
        quantity = (f"本件为您本月第{fee.get('quantity')}件申请" if unit == "件" else f"共{fee.get('quantity')}页")
        values.update(fee_method=fees.METHOD_LABELS.get(fee.get("method", ""), ""), fee_quantity=quantity,
                      fee_tier=fee.get("tier", ""), fee_amount=fee.get("amount", ""), fee_notice_date=_d(fee["_on"]),
                      fee_calculation="\n\n".join(fees.breakdown(fee.get("method", ""), int(fee.get("quantity") or 0))))
    for key in DETAIL_LABELS:
        if draft.get(key):
            values[key] = draft[key]
    if draft.get("previous_reply_date"):
        values["previous_reply_date"] = _d(draft["previous_reply_date"])
    values.update(_refusal_values(f.outcome, draft))
    values.update(_released_values(events, f.outcome, draft))
    agency, contact = draft.get("responsible_agency"), draft.get("responsible_contact")
    values["responsible_sentence"] = (
        f"该政府信息由{agency}负责公开" + (f"，联系方式：{contact}" if contact else "") + "。" if agency
        else "经核查，本机关无法确定负责公开该政府信息的行政机关。")
    if kind in ("reply", "termination"):
        values.update(_reply_values(reg, f, s, values, draft))
        if kind == "termination":  # the remedy is against this notice, not a reply
            values["remedy_clause"] = values["remedy_clause"].replace("本答复", "本告知书")
    return values


def details_for(outcome_code: str) -> list[str]:
    """The details a drafter gives for a reply with this outcome (what its template and grounds need)."""
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


def _released_values(events, outcome_code: str | None, draft: dict[str, Any]) -> dict[str, str]:
    """A 部分公开 reply names the released versions (去标识化) and states the refused part and its ground
    from their boxes' categories (services/redaction.py)."""
    from desktop.services import redaction

    return redaction.reply_values(events, outcome_code, draft)


def _reply_values(reg: Registry, f: workflow.CaseFacts, s: dict[str, str], values: dict[str, Any],
                  draft: dict[str, Any]) -> dict[str, Any]:
    if not f.outcome:
        raise ServiceError("尚未确定办理结果，不能生成答复书")
    outcome = outcomes.get(f.outcome)
    citation = outcome.reply_citation
    sentences = []
    if f.corrected_on:
        sentences.append(f"您于{_d(f.corrected_on)}补正了申请。")
    if f.extension_days:
        sentences.append(f"经本机关政府信息公开工作机构负责人同意，答复期限延长了{f.extension_days}个工作日。")
    if any(p.kind in ("third_party", "agency") for p in f.pauses):
        sentences.append("本机关依法征求了意见，征求意见所需时间不计算在答复期限内。")
    key = "remedy_partial" if outcome.code == "partial" else ("remedy_refusal" if outcome.refusal else "remedy_general")
    remedy = s.get(key, "").format(reconsideration_body=s.get("reconsideration_body", ""), court=s.get("court", ""))
    return {"basis_citation": citation, "process_sentence": "".join(sentences), "remedy_clause": remedy,
            "_outcome": outcome.code}


def decision_draft(reg: Registry, case_id: int, outcome_code: str, details: dict[str, str] | None = None) -> str:
    """The decision paragraphs of a reply, prefilled from the outcome's template and the case's facts.
    What only the drafter knows is left as 【…】 for them to write."""
    outcome = outcomes.find(outcome_code)
    if outcome is None:
        raise ValidationFailed([f"〔办理结果〕“{outcome_code}”不在目录中"])
    values = facts(reg, case_id, "letter")
    values["basis_citation"] = outcome.reply_citation
    for key, label in {**DETAIL_LABELS, **FACT_LABELS}.items():
        values.setdefault(key, f"【{label.split('（')[0]}】")
    values.update({k: v for k, v in (details or {}).items() if v})
    events = cases.events_q.for_case(reg.conn, case_id)
    drafted = {k: v for e in events if e["type"] == "draft" for k, v in json.loads(e["payload"]).items()}
    values.update(_released_values(events, outcome.code, {**drafted, **{k: v for k, v in (details or {}).items() if v}}))
    text, _version = template(reg, f"reply:{outcome.code}")
    filled, _missing = _fill(text, values)
    return filled


def _fill(text: str, values: dict[str, Any]) -> tuple[str, list[str]]:
    mapping = _Missing({k: ("" if v is None else v) for k, v in values.items()})
    filled = text.format_map(mapping)
    return filled, mapping.missing


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def compose(reg: Registry, case_id: int, kind: str, doc_no: str = "", issued_on: date | None = None,
            draft: bool = False, about: int | None = None):
    """The letter's text from its template and the case's facts; missing facts are listed. ``about``:
    for a 送达回证, the issued letter it proves the delivery of (default: the reply, else the first)."""
    from desktop.documents.letter_pdf import Letter

    if kind not in KINDS:
        raise ValidationFailed([f"〔文书种类〕没有“{kind}”这种文书，可选：{'、'.join(KINDS)}"])
    values = facts(reg, case_id, kind)
    s = reg.settings()
    issued_on = issued_on or letter_date(cases.facts_of(reg, case_id), kind, reg.today())
    text, _version = template(reg, kind)
    missing: list[str] = []
    if kind in ("reply", "termination"):
        drafted = cases.facts_of(reg, case_id).draft_text if kind == "reply" else None
        if drafted:
            values["decision"] = drafted
        else:
            decision_text, _v = template(reg, f"reply:{values['_outcome']}")
            values["decision"], missing = _fill(decision_text, values)
    filled, more = _fill(text, values)
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
        letter.table = _delivery_rows(reg, case_id, values, about)
    elif kind == "approval_form":
        letter.table, letter.steps = _approval_rows(reg, case_id, values)
    needed = [m for m in dict.fromkeys(missing) if m in DETAIL_LABELS or not draft]
    if needed:
        names = "、".join(dict.fromkeys(DETAIL_LABELS.get(m) or FACT_LABELS.get(m, m) for m in needed))
        raise ServiceError(f"生成{KINDS[kind].title}还缺少以下内容：{names}。请在拟写答复时填写。")
    return letter


def deliverable(reg: Registry, case_id: int) -> list[Any]:
    """The issued letters of a case a 送达回证 can be made for (the newest version of each)."""
    newest: dict[str, Any] = {}
    for r in issued(reg, case_id):
        if r["kind"] not in ("delivery_proof", "approval_form"):
            newest[r["kind"]] = r
    return list(newest.values())


def _delivery_rows(reg: Registry, case_id: int, values: dict[str, Any],
                   about: int | None = None) -> list[tuple[str, str]]:
    candidates = deliverable(reg, case_id)
    if about is not None:
        target = next((r for r in candidates if r["id"] == about), None) or next(
            (r for r in issued(reg, case_id) if r["id"] == about and r["kind"] not in ("delivery_proof", "approval_form")),
            None)
        if target is None:
            raise ServiceError("所选文书不是本案已出具、需要送达的文书")
    else:
        target = latest(reg, case_id, "reply") or (candidates[0] if candidates else None)
    if target is None:
        raise ServiceError("本案还没有出具需要送达的文书")
    delivery = latest_delivery(reg, target["id"])
    row = cases.get_case(reg, case_id)
    method = ""
    if delivery:
        method = delivery["method"] + (f"（邮件号：{delivery['tracking_no']}）" if delivery["tracking_no"] else "")
    blank_date = "　　　　年　　月　　日"
    signed = "\n" + "　" * 10 + blank_date
    return [
        ("送达文书及文号", f"{KINDS[target['kind']].title}\n{target['doc_no'] or '（无文号）'}"),
        ("受送达人", values["applicant_name"]),
        ("送达地址", row["address"] or ""),
        ("送达方式", method),
        ("送达日期", _d(delivery["delivered_on"]) if delivery else blank_date),
        ("受送达人签名或盖章", signed),
        ("代收人及代收理由", signed),
        ("见证人", signed),
        ("送达人", signed),
        ("送达机关（盖章）", f"{values['agency_name']}\n" + "　" * 10 + blank_date),
    ]


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
    return _approval_steps(reg, case_id)


def _approval_rows(reg: Registry, case_id: int, values: dict[str, Any]):
    view = cases.case_view(reg, case_id)
    f = view.facts
    outcome = outcomes.BY_CODE.get(f.outcome or "")
    table = [
        ("申请编号", values["case_no"]), ("收到申请之日", values["received_date"]),
        ("申请人", f"{values['applicant_name']}（{view.row['applicant_type']}）"), ("申请方式", values["channel"]),
        ("申请内容", values["request_text"]), ("主办处室", view.row["lead_division_name"] or "（未分办）"),
        ("拟办理结果", outcome.label if outcome else "尚未确定"),
        ("法律依据", _approval_basis(outcome, values)),
        ("答复期限", _d(view.deadline.effective_due_on) or "—"),
    ]
    return table, _approval_steps(reg, case_id)


def _approval_steps(reg: Registry, case_id: int) -> list[tuple[str, str, str, str]]:
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
    for e in cases.events_q.for_case(reg.conn, case_id):
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
        opinion = _ISO_DATE.sub(lambda m: _d(m.group(0)), opinion.strip())  # no ISO dates on the form
        steps.append((labels[e["type"]], opinion or "—", e["actor_name"] or "系统", _d(e["effective_on"])))
    return steps


# -- issuing --------------------------------------------------------------------------------------
def issued(reg: Registry, case_id: int) -> list[Any]:
    return letters_q.for_case(reg.conn, case_id)


def latest(reg: Registry, case_id: int, kind: str):
    return letters_q.latest(reg.conn, case_id, kind)


def verified_file(reg: Registry, letter_row) -> Path:
    """The issued letter as a file on this PC, exactly as issued (checked against its hash)."""
    return files.local_copy(reg, letter_row["sha256"], Path(letter_row["stored_name"]).name, "已出具的文书")


def _last_pause(f: workflow.CaseFacts, kinds: set[str]) -> workflow.Pause | None:
    return next((p for p in reversed(f.pauses) if p.kind in kinds), None)


_CONSULTED = {"consult_third_party": {"third_party"}, "consult_agency": {"agency"},
              "consult_notice": {"third_party", "agency"}}


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
    if kind in _CONSULTED and (pause := _last_pause(f, _CONSULTED[kind])):
        return pause.start
    if kind == "fee_notice" and (pause := _last_pause(f, {"fee"})):
        return pause.start
    if kind in ("reply", "termination") and f.concluded_on:
        return f.concluded_on
    return on


def why_not_issuable(reg: Registry, case_id: int, kind: str) -> str | None:
    """None when a letter of ``kind`` can be issued now, else the reason in the users' words. A
    notice whose moment has passed (a receipt once the case is answered, a correction notice once the
    corrected application arrived, …) is refused: what was issued in time can still be printed."""
    f = cases.facts_of(reg, case_id)
    label = workflow.STATE_LABELS.get(f.state or "", "")
    ended = f.outcome_fixed or f.finished
    again = "已出具的文书仍可在文书列表中查看和打印"
    if kind == "receipt" and ended:
        return f"案件已经{'答复' if f.state in ('replied', 'delivered', 'archived') else '办结'}，不再出具登记回执（{again}）"
    if kind == "correction":
        if f.correction_notice_on is None:
            return "尚未发出补正告知（请先登记补正事项）"
        if f.corrected_on:
            return f"已于{f.corrected_on.isoformat()}收到补正后的申请，补正告知书已无须出具（{again}）"
        if ended:
            return f"案件已经办结，不再出具补正告知书（{again}）"
    if kind == "extension":
        if not f.extension_days:
            return "没有已批准的延期"
        if ended:
            return f"答复已经作出，不再出具延期答复告知书（{again}）"
    if kind in _CONSULTED:
        pause = _last_pause(f, _CONSULTED[kind])
        if pause is None:
            return {"consult_third_party": "没有征求第三方意见的记录",
                    "consult_agency": "没有征求其他机关意见的记录"}.get(kind, "没有征求意见的记录")
        if pause.end is not None or ended:
            when = pause.end.isoformat() if pause.end else ""
            return f"征求意见已于{when}结束，不再出具征求意见的文书（{again}）"
    if kind == "fee_notice":
        pause = _last_pause(f, {"fee"})
        if pause is None:
            return "没有收费通知的记录"
        if pause.end is not None or ended:
            return f"信息处理费已经缴纳或已按逾期未缴费办结，不再出具收费通知书（{again}）"
    if kind == "termination" and not (f.outcome_fixed and f.outcome in TERMINATION_OUTCOMES):
        return "只有逾期不补正、逾期未缴费而终止办理的案件才出具终止办理告知书"
    if kind == "reply":
        if f.state == "approved":
            return None
        if f.outcome_fixed and f.outcome and f.state in ("replied", "delivered", "archived"):
            return None
        return f"案件处于“{label}”状态，答复须经领导签发后才能出具"
    if kind == "delivery_proof" and not [r for r in issued(reg, case_id) if r["kind"] not in
                                         ("delivery_proof", "approval_form")]:
        return "本案还没有出具需要送达的文书"
    return None


@dataclass(frozen=True)
class IssuedLetter:
    id: int
    kind: str
    version: int
    doc_no: str | None
    path: Path
    sha256: str


def _doc_no(reg: Registry, kind: str, on: date) -> str | None:
    seq_name = KINDS[kind].sequence
    if seq_name is None:
        return None
    s = reg.settings()
    pattern = s.get(f"doc_no_{seq_name}") or "{prefix}〔{year}〕{seq}号"
    seq = settings_q.next_number(reg.conn, f"letter:{seq_name}", on.year)
    return pattern.format(prefix=s.get("doc_no_prefix", ""), year=on.year, seq=seq)


def issue(reg: Registry, actor: Actor, case_id: int, kind: str, on: date | None = None,
          expected_version: int | None = None, about: int | None = None) -> IssuedLetter:
    """Generate, number and store a letter (a new version if one was issued before). With
    ``expected_version``, refused (Conflict) when the case changed since the screen showed it."""
    if expected_version is not None:
        with reg.transaction():
            cases.check_version(reg, case_id, expected_version)
            return issue(reg, actor, case_id, kind, on, about=about)
    if kind == "reply" and cases.facts_of(reg, case_id).state == "approved":
        return issue_reply(reg, actor, case_id, on)
    reason = why_not_issuable(reg, case_id, kind)
    if reason:
        raise ServiceError(f"不能出具{KINDS[kind].title}：{reason}")
    return _issue(reg, actor, case_id, kind, on or reg.today(), about)


def issue_reply(reg: Registry, actor: Actor, case_id: int, on: date | None = None,
                expected_version: int | None = None) -> IssuedLetter:
    """The reply: fix the outcome (reply_issued) and issue the numbered letter, all or nothing."""
    on = on or reg.today()
    with reg.transaction():
        cases.check_version(reg, case_id, expected_version)
        f = cases.facts_of(reg, case_id)
        if f.state == "approved":
            cases.fire(reg, actor, case_id, "reply_issued", on)
        elif why_not_issuable(reg, case_id, "reply"):
            raise ServiceError(f"不能出具答复书：{why_not_issuable(reg, case_id, 'reply')}")
        return _issue(reg, actor, case_id, "reply", on)


def _issue(reg: Registry, actor: Actor, case_id: int, kind: str, on: date, about: int | None = None) -> IssuedLetter:
    on = letter_date(cases.facts_of(reg, case_id), kind, on)
    with reg.transaction():
        previous = latest(reg, case_id, kind)
        version = previous["version"] + 1 if previous else 1
        doc_no = previous["doc_no"] if previous else _doc_no(reg, kind, on)
        letter = compose(reg, case_id, kind, doc_no or "", on, about=about)
        case = cases.get_case(reg, case_id)
        safe_no = re.sub(r"[^\w〔〕-]", "_", doc_no or "form")
        stored_name = f"{attachments.safe_name(case['case_no'])}/letters/{kind}-v{version}-{safe_no}.pdf"
        with tempfile.TemporaryDirectory() as tmp:
            data = _render(letter, Path(tmp) / "letter.pdf").read_bytes()
        digest = files.store(reg, data)
        letter_id = letters_q.insert(reg.conn, case_id, kind, version, doc_no, stored_name, digest,
                                     on.isoformat(), reg.now(), actor.user_id)
        cases.fire(reg, actor, case_id, "letter_issued", min(on, reg.today()), {
            "letter_id": letter_id, "kind": kind, "title": KINDS[kind].title, "doc_no": doc_no,
            "version": version, "sha256": digest, **({"about_letter_id": about} if about else {})})
    path = files.local_copy(reg, digest, Path(stored_name).name, "已出具的文书")
    return IssuedLetter(letter_id, kind, version, doc_no, path, digest)


def _render(letter, out: Path) -> Path:
    from desktop.documents.letter_pdf import render

    try:
        return render(letter, out)
    except MissingGlyphs as exc:
        raise ServiceError(str(exc)) from None


def preview(reg: Registry, case_id: int, kind: str, out: Path, about: int | None = None) -> Path:
    """A draft of the letter as it would be issued now (no number, marked as a draft)."""
    on = letter_date(cases.facts_of(reg, case_id), kind, reg.today())
    return _render(compose(reg, case_id, kind, "", on, draft=True, about=about), out)


def get(reg: Registry, letter_id: int):
    row = letters_q.get(reg.conn, letter_id)
    if row is None:
        raise NotFound("文书不存在")
    return row


def latest_delivery(reg: Registry, letter_id: int):
    """The most recently recorded delivery of a letter (None: not delivered yet)."""
    return letters_q.latest_delivery(reg.conn, letter_id)


# -- delivery -------------------------------------------------------------------------------------
def record_delivery(reg: Registry, actor: Actor, letter_id: int, method: str, delivered_on: date,
                    tracking_no: str = "", proof: str | Path | None = None,
                    expected_version: int | None = None, enclosures: list[int] | None = None) -> int:
    """Record how and when a letter reached the applicant, with the signed 送达回证 scan; ``enclosures``:
    the released versions (公开版, attachment ids) sent with it, named in the delivery record."""
    require_role(actor, "clerk", action="记录送达")
    problems = []
    if method not in DELIVERY_METHODS:
        problems.append(f"〔送达方式〕应为{'、'.join(DELIVERY_METHODS)}之一")
    tracking_no = application.clean_text(tracking_no)
    if method == "邮寄" and not tracking_no:
        problems.append("〔邮件号〕邮寄送达须填写邮件号")
    if len(tracking_no) > 40:
        problems.append("〔邮件号〕过长")
    if delivered_on > reg.today():
        problems.append(f"〔送达日期〕不能晚于今天（{reg.today().isoformat()}）")
    letter = get(reg, letter_id)
    if delivered_on < date.fromisoformat(letter["issued_on"]):
        problems.append(f"〔送达日期〕不能早于文书出具日期{letter['issued_on']}")
    if problems:
        raise ValidationFailed(problems)
    with reg.transaction():
        cases.check_version(reg, letter["case_id"], expected_version)
        attachment_id = None
        if proof:
            attachment_id = attachments.add(reg, actor, letter["case_id"], proof, "delivery_proof").id
        delivery_id = letters_q.insert_delivery(reg.conn, letter_id, method, tracking_no or None,
                                                delivered_on.isoformat(), attachment_id, reg.now(), actor.user_id)
        payload = {"letter_id": letter_id, "kind": letter["kind"], "doc_no": letter["doc_no"], "method": method,
                   "tracking_no": tracking_no or None, "title": KINDS[letter["kind"]].title}
        if enclosures:
            from desktop.services import redaction

            payload["enclosures"] = redaction.enclosure_payload(reg, letter["case_id"], enclosures)
        state = cases.facts_of(reg, letter["case_id"]).state
        event = "delivered" if letter["kind"] == "reply" and state == "replied" else "letter_delivered"
        cases.fire(reg, actor, letter["case_id"], event, delivered_on, payload)
    return delivery_id
