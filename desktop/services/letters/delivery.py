"""Delivery: recording how and when a letter reached the applicant, the letters that need a
送达回证, and what the 送达回证 lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from db.queries import letters as letters_q
from desktop.domain import application
from desktop.services import attachments, cases
from desktop.services.base import Actor, Changes, Registry, ServiceError, ValidationFailed, require_role
from desktop.services.letters.records import get, issued, latest, latest_delivery
from desktop.services.letters.templates import KINDS
from desktop.services.letters.values import _chinese_date

DELIVERY_METHODS = ("当面", "邮寄", "电子邮件", "传真", "网络平台")
FORMS = ("delivery_proof", "approval_form")  # made about the case, not sent to the applicant


def deliverable(reg: Registry, case_id: int) -> list[Any]:
    """The issued letters of a case a 送达回证 can be made for (the newest version of each)."""
    newest: dict[str, Any] = {}
    for r in issued(reg, case_id):
        if r["kind"] not in FORMS:
            newest[r["kind"]] = r
    return list(newest.values())


def delivery_proof_rows(reg: Registry, case_id: int, values: dict[str, Any],
                        about: int | None = None) -> list[tuple[str, str]]:
    """The 送达回证's table for the letter ``about`` (default: the reply, else the first issued)."""
    candidates = deliverable(reg, case_id)
    if about is not None:
        target = next((r for r in candidates if r["id"] == about), None) or next(
            (r for r in issued(reg, case_id) if r["id"] == about and r["kind"] not in FORMS), None)
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
        ("送达日期", _chinese_date(delivery["delivered_on"]) if delivery else blank_date),
        ("受送达人签名或盖章", signed),
        ("代收人及代收理由", signed),
        ("见证人", signed),
        ("送达人", signed),
        ("送达机关（盖章）", f"{values['agency_name']}\n" + "　" * 10 + blank_date),
    ]


def record_delivery(reg: Registry, actor: Actor, letter_id: int, method: str, delivered_on: date,
                    tracking_no: str = "", proof: str | Path | None = None,
                    expected_version: int | None = None, enclosures: list[int] | None = None) -> Changes:
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
        changes = cases.fire(reg, actor, letter["case_id"], event, delivered_on, payload)
    return Changes(changes.case_ids, changes.case_nos, id=delivery_id)
