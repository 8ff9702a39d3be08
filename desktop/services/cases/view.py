"""The case as the case screen shows it: every recorded fact (personal data masked for a reader who
may not see it), the deadline, the timeline — each event in the users' words — and what its reader
may do now; all from one reading (and one replay) of the case."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from db.queries import settings as settings_q
from desktop.domain import deadlines, fees, outcomes, workflow
from desktop.domain.deadlines import Deadline
from desktop.services.base import Actor, Registry
from desktop.services.cases.events import possible_events
from desktop.services.cases.records import CaseRecord, record_of


@dataclass(frozen=True)
class TimelineEntry:
    recorded_at: str
    effective_on: str
    action: str
    actor: str
    details: str


@dataclass(frozen=True)
class CaseView(CaseRecord):
    """A case for one reader (``row``: personal data masked unless they may see it), with everything
    the case screen shows, so that its parts need not read the case again."""
    deadline: Deadline
    co_divisions: list[str]
    timeline: list[TimelineEntry]
    actions: tuple[str, ...]  # the events the reader may record now (cases.events_possible_now)
    not_issuable: dict[str, str | None]  # letter kind → why it cannot be issued now (None: it can)


def describe_event(type_: str, payload: dict[str, Any], division_names: dict[int, str]) -> str:
    """One line saying what an event recorded, in the users' words."""
    parts = []
    if type_ == "register":
        parts.append(f"申请方式：{payload.get('channel', '')}，收到日期：{payload.get('received_on', '')}")
    if type_ == "ledger_import":
        parts.append(f"来源：{payload.get('source', '台账')}")
    if payload.get("lead_division_id") and type_ in ("assign", "handle_in_office"):
        parts.append(f"主办：{division_names.get(payload['lead_division_id'], '')}")
    if payload.get("co_division_ids"):
        parts.append("协办：" + "、".join(division_names.get(d, str(d)) for d in payload["co_division_ids"]))
    if payload.get("items"):
        parts.append("补正事项：" + "；".join(payload["items"]))
    if payload.get("period_end"):
        parts.append(f"补正期限至{payload['period_end']}")
    if payload.get("outcome") and outcomes.find(payload["outcome"]):
        parts.append(f"办理结果：{outcomes.find(payload['outcome']).label}")
    if type_ == "extension_approve":
        parts.append(f"延长{payload.get('days')}个工作日")
    if type_ == "consultation_start":
        parts.append(workflow.PAUSE_KIND_LABELS.get(payload.get("kind", ""), "") + (f"：{payload['party']}" if payload.get("party")
                                                                       else ""))
    if type_ == "fee_notice":
        parts.append(f"{fees.METHOD_LABELS.get(payload.get('method', ''), '')}，{payload.get('tier', '')}，"
                     f"金额{payload.get('amount', '')}元，缴费期限{payload.get('payment_due_on', '')}")
    if type_ == "fee_paid" and payload.get("amount") is not None:
        parts.append(f"已缴{payload['amount']}元")
    if type_ == "art35_delay":
        parts.append(f"答复期限确定为{payload.get('due_on')}")
    if type_ == "attach":
        parts.append(f"附件：{payload.get('file_name', '')}")
    if type_ == "letter_issued":
        version = payload.get("version", 1)
        parts.append(f"{payload.get('title', '')} {payload.get('doc_no') or ''}".strip()
                     + (f"（第{version}版，重新出具）" if version > 1 else ""))
    if type_ in ("delivered", "letter_delivered") and payload.get("title"):
        parts.append(f"{payload['title']} {payload.get('doc_no') or ''}".strip())
    if type_ in ("delivered", "letter_delivered") and payload.get("enclosures"):
        parts.append("随附公开版材料：" + "、".join(str(e.get("file_name", "")) for e in payload["enclosures"]))
    if type_ == "mark_release":
        parts.append(f"将“{payload.get('file_name', '')}”标为拟公开的材料")
    if type_ == "redact":
        from desktop.documents.redaction import CATEGORIES

        totals: dict[str, int] = {}
        pages = payload.get("counts") or {}
        for per_page in pages.values():
            for category, n in per_page.items():
                totals[category] = totals.get(category, 0) + n
        order = list(CATEGORIES)
        covered = "、".join(f"{CATEGORIES.get(c, c)}{n}处" for c, n in sorted(
            totals.items(), key=lambda i: order.index(i[0]) if i[0] in order else len(order))) or "无遮盖"
        where = "，".join(f"第{p}页{sum(c.values())}处" for p, c in sorted(pages.items(), key=lambda i: int(i[0]))[:20])
        parts.append(f"“{payload.get('original_file_name', '')}”生成公开版“{payload.get('released_file_name', '')}”，"
                     f"共{payload.get('pages', '')}页，遮盖{covered}" + (f"（{where}{'等' if len(pages) > 20 else ''}）"
                                                                        if where else ""))
    if payload.get("tracking_no"):
        parts.append(f"邮件号：{payload['tracking_no']}")
    for key, label in (("reason", "理由"), ("comment", "意见"), ("method", "方式"), ("text", "记录"),
                       ("answer", "答复")):
        if key == "text" and type_ in ("draft", "redact", "mark_release", "delivered", "letter_delivered"):
            continue  # said above in its own words (older events also carry it as text)
        if payload.get(key) and not (key == "method" and type_ == "fee_notice"):
            parts.append(f"{label}：{payload[key]}")
    return "；".join(p for p in parts if p)


def timeline(event_rows: list[sqlite3.Row], division_names: dict[int, str]) -> list[TimelineEntry]:
    """The case's events as the timeline lists them: when, what, by whom, and what it recorded."""
    return [TimelineEntry(r["recorded_at"].replace("T", " "), r["effective_on"],
                          workflow.EVENT_LABELS.get(r["type"], r["type"]), r["actor_name"] or "系统",
                          describe_event(r["type"], json.loads(r["payload"]), division_names)) for r in event_rows]


def case_view(reg: Registry, case_id: int, actor: Actor | None = None) -> CaseView:
    """Everything about a case for one reader: personal data masked unless the reader may see it; a
    case a division user may not read is refused (PermissionDenied). Reads and replays the case once."""
    from desktop.services import letters, privacy  # letters build on cases

    privacy.check_can_read(reg, actor, case_id)
    record = record_of(reg, case_id)
    facts = record.facts
    due_soon = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
    dl = deadlines.compute(facts, reg.calendar(), reg.today(), due_soon)
    names = {r["id"]: r["name"] for r in settings_q.divisions(reg.conn)}
    return CaseView(
        row=privacy.masked(dict(record.row), actor), events=record.events, facts=facts, deadline=dl,
        co_divisions=[names.get(d, "") for d in facts.co_division_ids], timeline=timeline(record.events, names),
        actions=tuple(possible_events(reg, actor, record.row, facts)) if actor is not None else (),
        not_issuable=letters.reasons_not_issuable(reg, case_id, facts))
