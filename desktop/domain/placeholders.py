"""The Chinese names of what letter templates, numbering patterns and remedy clauses fill in.

Templates and settings are stored as Python format strings (``{applicant_name}``,
``{prefix}〔{year}〕{seq}号``), which is what the letters and numbers are made from and what existing
registries hold. The administrator never sees that form: the screens show and take the same text
with Chinese names in 【】 (``【申请人】``, ``【机关代字】〔【年份】〕【序号】号``), inserted from a menu.
``to_chinese`` and ``from_chinese`` translate at the edge; ``NAMES`` is the one table of names.
"""

from __future__ import annotations

import re
import string

# placeholder → its name on screen. Every name is unique, so the table reads both ways.
NAMES: dict[str, str] = {
    # the application and the case
    "applicant_name": "申请人",
    "you": "您/贵单位",
    "case_no": "申请编号",
    "received_date": "收到申请日期",
    "channel": "申请方式",
    "request_text": "申请内容",
    "receipt_rule": "收到申请之日的认定规则",
    "due_date": "答复期限",
    # the agency
    "agency_name": "机关名称",
    "office_name": "政府信息公开工作机构",
    "contact_phone": "咨询电话",
    "agency_address": "机关地址",
    "contact": "联系方式（电话、地址）",
    # correction
    "correction_items": "补正事项",
    "correction_deadline": "补正截止日期",
    "correction_period": "补正期限（工作日）",
    "correction_notice_date": "补正告知日期",
    # extension
    "extension_reason": "延期理由",
    "extension_days": "延长的工作日",
    "new_due_date": "延期后的答复期限",
    # consultation
    "consulted_party": "征求意见对象",
    "consultation_reason": "征求意见的理由",
    "consultation_cause": "征求意见的原因",
    "consultation_start": "征求意见日期",
    "consultation_article": "征求意见所依据的条款",
    # fee
    "fee_method": "收费方式",
    "fee_quantity": "计费数量",
    "fee_tier": "收费档次",
    "fee_amount": "收费金额",
    "fee_calculation": "收费计算明细",
    "fee_payment_channel": "缴费渠道",
    "fee_notice_date": "收费通知日期",
    # the reply
    "process_sentence": "办理过程说明",
    "decision": "答复正文",
    "basis_citation": "法律依据",
    "remedy_clause": "救济告知",
    "release_details": "提供或获取信息的方式、途径",
    "released_part": "予以公开的部分",
    "refused_part": "不予公开的部分",
    "refusal_ground": "不予公开的依据",
    "refusal_reason": "不予公开理由的具体说明",
    "refusal_statement": "不予公开的理由",
    "refusal_article": "不予公开所依据的条款",
    "responsible_agency": "负责公开的机关",
    "responsible_contact": "该机关的联系方式",
    "responsible_sentence": "负责公开机关的说明",
    "previous_reply_date": "此前答复的日期",
    "reply_text": "拟写的答复内容",
    # numbering patterns (申请编号, 文号)
    "year": "年份",
    "seq": "序号",
    "prefix": "机关代字",
    # remedy clauses
    "reconsideration_body": "行政复议机关",
    "court": "管辖法院",
}
KEYS: dict[str, str] = {name: key for key, name in NAMES.items()}

# The names offered in each editor's insert menu, grouped as the menu shows them.
LETTER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("申请和案件", ("applicant_name", "you", "case_no", "received_date", "channel", "request_text",
                   "receipt_rule", "due_date")),
    ("本机关", ("agency_name", "office_name", "contact_phone", "agency_address", "contact")),
    ("补正", ("correction_items", "correction_deadline", "correction_period", "correction_notice_date")),
    ("延期", ("extension_reason", "extension_days", "new_due_date")),
    ("征求意见", ("consulted_party", "consultation_reason", "consultation_cause", "consultation_start",
                 "consultation_article")),
    ("收费", ("fee_method", "fee_quantity", "fee_tier", "fee_amount", "fee_calculation", "fee_payment_channel",
              "fee_notice_date")),
    ("答复", ("process_sentence", "decision", "basis_citation", "remedy_clause", "release_details",
              "released_part", "refused_part", "refusal_statement", "refusal_article", "responsible_sentence",
              "responsible_agency", "responsible_contact", "previous_reply_date", "reply_text")),
)
CASE_NO_NAMES = ("year", "seq")
DOC_NO_NAMES = ("prefix", "year", "seq")
REMEDY_NAMES = ("reconsideration_body", "court")

_WIDTH = re.compile(r"0(\d)d")  # {seq:05d}: a number of five digits, zeros in front
_NAMED = re.compile(r"【([^【】\n]{1,30})】")
_PADDED = re.compile(r"^(.+)（(\d)位）$")


def _name(key: str, spec: str) -> str | None:
    """The screen name of ``{key:spec}``, or None when it has none."""
    if key not in NAMES:
        return None
    if not spec:
        return NAMES[key]
    width = _WIDTH.fullmatch(spec)
    return f"{NAMES[key]}（{width.group(1)}位）" if width else None


def to_chinese(text: str) -> str:
    """A stored template or pattern as the administrator reads it: ``{applicant_name}`` → 【申请人】,
    ``{seq:05d}`` → 【序号（5位）】, ``{{`` → ``{``. Anything it cannot name stays as stored."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:  # not a valid format string: shown as it is, for the administrator to mend
        return text
    out = []
    for literal, key, spec, conversion in parts:
        out.append(literal)
        if key is None:
            continue
        name = None if conversion else _name(key, spec or "")
        if name is None:
            raw = key + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            out.append("{" + raw + "}")
        else:
            out.append(f"【{name}】")
    return "".join(out)


def _key(name: str) -> str | None:
    """The stored placeholder of a screen name (with its width, if it has one), or None."""
    if name in KEYS:
        return "{" + KEYS[name] + "}"
    padded = _PADDED.match(name)
    if padded and padded.group(1) in KEYS:
        return "{" + KEYS[padded.group(1)] + ":0" + padded.group(2) + "d}"
    return None


def from_chinese(text: str) -> str:
    """The administrator's text in the stored form: every 【name】 of the table becomes its
    placeholder; braces typed are kept as braces (``{{`` / ``}}``), so they print as typed."""
    out, last = [], 0
    for m in _NAMED.finditer(text):
        key = _key(m.group(1))
        if key is None:
            continue
        out.append(text[last:m.start()].replace("{", "{{").replace("}", "}}"))
        out.append(key)
        last = m.end()
    out.append(text[last:].replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def unknown_names(text: str) -> list[str]:
    """The 【…】 in the administrator's text that are not names of the table (they print as typed)."""
    return list(dict.fromkeys(m.group() for m in _NAMED.finditer(text) if _key(m.group(1)) is None))


def used(text: str) -> set[str]:
    """The placeholders a stored text uses (``{seq:05d}`` counts as ``seq``)."""
    try:
        return {key for _lit, key, _spec, _conv in string.Formatter().parse(text) if key}
    except ValueError:
        return set()


def token(key: str, width: int | None = None) -> str:
    """How a placeholder is written on screen, for an insert menu: 【申请人】, 【序号（5位）】."""
    return f"【{NAMES[key]}（{width}位）】" if width else f"【{NAMES[key]}】"


__all__ = ["CASE_NO_NAMES", "DOC_NO_NAMES", "KEYS", "LETTER_GROUPS", "NAMES", "REMEDY_NAMES", "from_chinese",
           "to_chinese", "token", "unknown_names", "used"]
