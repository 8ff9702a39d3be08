"""The application form (domain.md §2): its fields, their Chinese labels, and validation.

One validator serves the registration screen (as the clerk types), the services (before saving)
and the ledger import (per row), so a rule lives in one place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.domain import identity

APPLICANT_TYPES = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
ORG_TYPES = APPLICANT_TYPES[1:]
CHANNELS = ("当面", "邮寄", "平常信函", "网络", "传真", "其他")
CHANNEL_RECEIPT_RULES = {
    "当面": "当面提交（含口头申请代为填写）：以提交之日为收到申请之日",
    "邮寄": "邮寄需签收（挂号、EMS等）：以本机关签收之日为收到申请之日",
    "平常信函": "平常信函：以与申请人确认之日为收到申请之日（应于收到当日确认）",
    "网络": "互联网渠道（网上平台、电子邮件）：以双方确认之日为收到申请之日",
    "传真": "传真：以双方确认之日为收到申请之日",
    "其他": "其他方式：以本机关确认收到之日为收到申请之日",
}
# The same rules as the applicant reads them in the receipt (without the office's own reminders).
RECEIPT_RULES_FOR_APPLICANT = {
    "当面": "以提交之日为收到申请之日",
    "邮寄": "以本机关签收之日为收到申请之日",
    "平常信函": "以本机关与您确认之日为收到申请之日",
    "网络": "以双方确认之日为收到申请之日",
    "传真": "以双方确认之日为收到申请之日",
    "其他": "以本机关确认收到之日为收到申请之日",
}
ID_TYPES_ORG = (identity.ID_TYPE_CREDIT_CODE, "其他")
DELIVERY_FORMS = ("纸质", "电子邮件", "光盘", "磁盘(U盘)", "其他")
DELIVERY_ROUTES = ("邮寄", "快递", "电子邮件", "传真", "自行领取", "当场阅读、抄录")
# How the information most likely goes back: the way the application came in (the clerk may choose
# another). No entry: nothing follows from the channel.
ROUTE_FOR_CHANNEL = {"当面": "自行领取", "邮寄": "邮寄", "平常信函": "邮寄", "网络": "电子邮件", "传真": "传真"}
# The form that goes with a route (an e-mailed reply is electronic, the others are on paper).
FORM_FOR_ROUTE = {"邮寄": "纸质", "快递": "纸质", "电子邮件": "电子邮件", "传真": "纸质", "自行领取": "纸质",
                  "当场阅读、抄录": "纸质"}
# Art. 29: an application states the applicant's name, proof of identity and a way to reach them.
# A natural person's ID number and one of these contacts are therefore required when registering.
CONTACT_FIELDS = ("phone", "email", "address")
EARLIEST_RECEIPT = date(2008, 5, 1)  # the Regulation first took effect

LABELS = {
    "applicant_type": "申请人类型",
    "name": "申请人",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "work_unit": "工作单位",
    "legal_rep": "法定代表人",
    "contact_person": "联系人",
    "phone": "联系电话",
    "address": "通讯地址",
    "postcode": "邮政编码",
    "email": "电子邮箱",
    "channel": "申请方式",
    "received_on": "收到日期",
    "letter_arrived_on": "信函到达日期",
    "request_text": "申请内容",
    "index_no": "索引号",
    "purpose": "所需信息的用途",
    "delivery_form": "获取信息的形式",
    "delivery_route": "获取信息的途径",
    "remarks": "备注",
    # fields of the handling forms (event payloads)
    "date": "日期", "items": "补正事项", "period_days": "补正期限", "lead_division_id": "主办处室",
    "co_division_ids": "协办处室", "reason": "理由", "comment": "意见", "outcome": "办理结果",
    "decision": "答复正文", "text": "说明", "days": "延长的工作日", "kind": "类型", "party": "征求意见对象",
    "method": "收费方式", "pages": "页数", "applicant_received_on": "申请人收到通知的日期",
    "due_on": "答复期限", "refusal_ground": "不予公开的依据", "previous_reply_date": "此前答复的日期",
}

MAX_LENGTH = {
    "name": 100, "id_type": 20, "id_number": 40, "work_unit": 100, "legal_rep": 50, "contact_person": 50,
    "phone": 40, "address": 200, "postcode": 6, "email": 100, "request_text": 5000,
    "index_no": 100, "purpose": 500, "remarks": 2000,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Invisible characters that change how text reads or compares: C1 controls, zero-width and
# bidirectional marks (a U+202E turns "王喆exe.pdf" around on screen), the stray BOM.
_INVISIBLE = re.compile("[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def id_types_for(applicant_type: str | None) -> tuple[str, ...]:
    """The document types the registration form offers for an applicant type."""
    if applicant_type == "自然人":
        return identity.ID_TYPES_PERSON
    if applicant_type in ORG_TYPES:
        return ID_TYPES_ORG
    return tuple(dict.fromkeys(identity.ID_TYPES_PERSON + ID_TYPES_ORG))


def invisible_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored because of an invisible character (None when it can)."""
    if _CONTROL.search(text):
        return "含有不可见的控制字符，请删除后重新输入"
    found = _INVISIBLE.search(text)
    if found:
        return (f"含有不可见的字符U+{ord(found.group()):04X}（控制字符、双向文本标记或零宽字符），"
                "请删除后重新输入")
    return None


@dataclass(frozen=True)
class Problem:
    field: str  # a key of LABELS (or another column name)
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"〔{self.label}〕{self.message}"


def clean_text(value: Any) -> str:
    """Text as stored: NFC, trimmed, CR/LF normalised."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def parse_date(value: Any) -> date | None:
    """A date from an ISO text (2026-03-05, 2026/3/5, 2026年3月5日) or a date object."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if not m:
        raise ValueError(f"“{text[:30]}”不是日期（应为YYYY-MM-DD）")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期") from None


def check_field(field: str, value: Any, values: dict[str, Any], today: date) -> str | None:
    """Message for one field (None when fine). ``values`` gives the other fields for context."""
    text = value if field in ("received_on", "letter_arrived_on") and isinstance(value, date) else clean_text(value)
    if isinstance(text, str):
        invisible = invisible_problem(text)
        if invisible:
            return invisible
        limit = MAX_LENGTH.get(field)
        if limit and len(text) > limit:
            return f"过长（{len(text)}个字符，最多{limit}个）"
    required = {"applicant_type", "name", "channel", "received_on", "request_text"}
    if field in required and not text:
        return "必填"
    if not text:
        return None
    if field == "applicant_type" and text not in APPLICANT_TYPES:
        return f"应为{'、'.join(APPLICANT_TYPES)}之一"
    if field == "channel" and text not in CHANNELS:
        return f"应为{'、'.join(CHANNELS)}之一"
    if field == "id_type" and clean_text(values.get("id_number")):  # a type matters with its number
        allowed = id_types_for(clean_text(values.get("applicant_type")))
        if text not in allowed:
            return f"应为{'、'.join(allowed)}之一"
    if field == "id_number":
        id_type = clean_text(values.get("id_type")) or (
            identity.ID_TYPE_CREDIT_CODE if values.get("applicant_type") in ORG_TYPES else "居民身份证")
        return identity.check_id_number(id_type, text)
    if field == "phone":
        return identity.check_phone(text)
    if field == "email":
        return identity.check_email(text)
    if field == "postcode" and not re.fullmatch(r"\d{6}", text):
        return "应为6位数字"
    if field == "received_on":
        try:
            day = parse_date(text)
        except ValueError as exc:
            return str(exc)
        if day > today:
            return f"不能晚于今天（{today.isoformat()}）"
        if day < EARLIEST_RECEIPT:
            return f"不能早于{EARLIEST_RECEIPT.isoformat()}"
    if field == "letter_arrived_on":
        try:
            arrived = parse_date(text)
        except ValueError as exc:
            return str(exc)
        if arrived > today:
            return f"不能晚于今天（{today.isoformat()}）"
        try:
            confirmed = parse_date(values.get("received_on"))
        except (ValueError, TypeError):
            confirmed = None
        if confirmed is not None and arrived > confirmed:
            return f"不能晚于与申请人确认之日（{confirmed.isoformat()}）：确认在信函到达之后"
    if field == "delivery_form" and text not in DELIVERY_FORMS:
        return f"应为{'、'.join(DELIVERY_FORMS)}之一"
    if field == "delivery_route" and text not in DELIVERY_ROUTES:
        return f"应为{'、'.join(DELIVERY_ROUTES)}之一"
    return None


def split_problem(parts: list[str] | None) -> str | None:
    """Why a split application cannot be saved as listed (None when it can): a split needs two parts."""
    if parts is not None and len([p for p in parts if clean_text(p)]) < 2:
        return "拆分至少需要两项（每行一项）"
    return None


def missing_for_registration(field: str, values: dict[str, Any]) -> str | None:
    """What art. 29 requires of a new application and ``values`` lacks, said on ``field`` (None when
    nothing is missing there): a natural person's proof of identity (the ID number) and a contact (a
    phone number, an e-mail address or a postal address; the message sits on the phone field).
    Records imported from an old ledger are not held to it: they are what the office wrote then."""
    if field == "letter_arrived_on" and clean_text(values.get("channel")) == "平常信函" \
            and not values.get("letter_arrived_on"):
        return "必填：平常信函须登记信函到达之日，收到申请之日为与申请人确认之日（《条例》第三十一条第（二）项）"
    if clean_text(values.get("applicant_type")) != "自然人":
        return None
    if field == "id_number" and not clean_text(values.get("id_number")):
        return "必填：自然人申请应提供身份证明（《条例》第二十九条）"
    if field == "phone" and not any(clean_text(values.get(f)) for f in CONTACT_FIELDS):
        return "必填：联系电话、电子邮箱、通讯地址至少填写一项（《条例》第二十九条）"
    return None


def check_registration_field(field: str, value: Any, values: dict[str, Any], today: date) -> str | None:
    """``check_field`` and what a new application must contain (``missing_for_registration``): the
    rule the registration screen shows as the clerk types and ``validate`` applies on saving."""
    return check_field(field, value, values, today) or missing_for_registration(field, values)


PERSON_ONLY_FIELDS = frozenset({"work_unit"})
ORG_ONLY_FIELDS = frozenset({"legal_rep", "contact_person"})


def validate(values: dict[str, Any], today: date) -> list[Problem]:
    """Every problem of a new application at once (empty when it can be saved)."""
    problems = []
    other_kind = ORG_ONLY_FIELDS if clean_text(values.get("applicant_type")) == "自然人" else PERSON_ONLY_FIELDS
    for field in LABELS:
        if field in other_kind:  # not kept for this kind of applicant (normalise drops it)
            continue
        msg = check_registration_field(field, values.get(field), values, today)
        if msg:
            problems.append(Problem(field, msg))
    return problems


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a valid application: cleaned text, None for blanks, a date object."""
    out: dict[str, Any] = {}
    for field in LABELS:
        v = values.get(field)
        if field == "received_on":
            out[field] = parse_date(v if isinstance(v, date) else clean_text(v))
            continue
        if field == "letter_arrived_on":  # only a 平常信函 has one
            text = v if isinstance(v, date) else clean_text(v)
            out[field] = parse_date(text) if text and clean_text(values.get("channel")) == "平常信函" else None
            continue
        text = clean_text(v)
        out[field] = text or None
    if out["id_number"]:
        out["id_number"] = out["id_number"].upper()
        if not out["id_type"]:
            out["id_type"] = (identity.ID_TYPE_CREDIT_CODE if out["applicant_type"] in ORG_TYPES
                              else "居民身份证")
    out["kind"] = "person" if out["applicant_type"] == "自然人" else "org"
    # what belongs to the other kind of applicant is not kept (a form switched from one to the other)
    for field in ORG_ONLY_FIELDS if out["kind"] == "person" else PERSON_ONLY_FIELDS:
        out[field] = None
    for extra in ("accept_other_form",):
        if extra in values:
            out[extra] = values[extra]
    return out
