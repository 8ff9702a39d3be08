"""Registering an application: its number, its applicant (found again by ID number, or new), one case
per part when it is split; and what the registration screen shows while the clerk types (the
applicant's earlier cases, similar requests)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import search as search_q
from db.queries import settings as settings_q
from desktop.domain import application, workflow
from desktop.domain.application import Problem
from desktop.services.base import Actor, Changes, Registry, ValidationFailed
from desktop.services.cases.creation import NewCase, create_cases

CASE_NO_KIND = "case"


def next_case_no(reg: Registry, year: int) -> str:
    pattern = reg.settings().get("case_no_pattern", "{year}-{seq:05d}")
    while True:
        number = pattern.format(year=year, seq=settings_q.next_number(reg.conn, CASE_NO_KIND, year))
        if cases_q.id_by_number(reg.conn, number) is None:
            return number


def applicant_id_for(reg: Registry, values: dict[str, Any]) -> int:
    existing = applicants_q.find_same(reg.conn, values)
    if existing is not None:
        return existing
    return applicants_q.insert(reg.conn, values, reg.now())


def register_case(reg: Registry, actor: Actor, form: dict[str, Any],
                  parts: list[str] | None = None) -> Changes:
    """Record an application (and, if ``parts`` lists several request texts, split it into one
    case per part, each numbered and counted on its own). One transaction: all or nothing."""
    workflow.check("register", None, actor.roles)
    today = reg.today()
    problems = application.validate(form, today)
    split = application.split_problem(parts)
    if split:
        problems.append(Problem("request_text", split))
    texts = [application.clean_text(p) for p in parts] if parts else [None]
    if parts:
        for i, text in enumerate(texts, start=1):
            msg = application.check_field("request_text", text, form, today)
            if msg:
                problems.append(Problem("request_text", f"第{i}项：{msg}"))
    if problems:
        raise ValidationFailed(problems)
    values = application.normalise(form)
    from desktop.services import annual

    annual.check_date_unlocked(reg, values["received_on"])
    received_on = values["received_on"].isoformat()
    arrived = values.get("letter_arrived_on")
    with reg.transaction():
        applicant_id = applicant_id_for(reg, values)
        new = []
        for i, text in enumerate(texts):
            request_text = text or values["request_text"]
            # what was registered goes into the chained event too: verify compares the row with it
            payload = {"received_on": received_on, "channel": values["channel"],
                       **({"letter_arrived_on": arrived.isoformat()} if arrived else {}),
                       "request_text": request_text, "applicant_name": values["name"],
                       "applicant_type": values["applicant_type"], "after": {"state": "registered"}}
            new.append(NewCase(
                next_case_no(reg, values["received_on"].year), applicant_id, values["name"],
                values["applicant_type"], values["channel"], received_on, request_text,
                [("register", received_on, payload)], values["remarks"], values["index_no"], values["purpose"],
                values["delivery_form"], values["delivery_route"], values.get("accept_other_form"),
                0 if i and len(texts) > 1 else None))
        case_ids = create_cases(reg, new, actor.user_id)
        case_nos = [c.case_no for c in new]
    return Changes(tuple(case_ids), tuple(case_nos))


# -- what the registration screen shows while the clerk types ---------------------------------
@dataclass(frozen=True)
class ApplicantContext:
    earlier_cases: list[sqlite3.Row]
    month_count: int  # applications this natural month (before this one)
    year_count: int  # in the last 12 months


def applicant_context(reg: Registry, id_number: str | None, name: str | None,
                      on: date | None = None) -> ApplicantContext:
    on = on or reg.today()
    ids = applicants_q.matching_ids(reg.conn, id_number, name)
    month_first = on.replace(day=1).isoformat()
    try:
        year_ago = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_ago = on.replace(year=on.year - 1, day=28)
    return ApplicantContext(
        cases_q.history_of_applicants(reg.conn, ids),
        applicants_q.count_cases_between(reg.conn, ids, month_first, on.isoformat()),
        applicants_q.count_cases_between(reg.conn, ids, year_ago.isoformat(), on.isoformat()))


_COMMON = re.compile(r"申请|公开|关于|有关|相关|政府信息|信息|本机关|贵单位|贵局|请求|要求|提供|请|的|和|及|与|等|年度|年|月")


def similar_requests(reg: Registry, text: str, limit: int = 8,
                     exclude_ids: tuple[int, ...] = ()) -> list[sqlite3.Row]:
    """Earlier cases whose request text shares the distinctive parts of ``text`` (best first)."""
    chunks = [c for c in re.split(r"[\W_]+", _COMMON.sub(" ", text or "")) if len(c) >= 2]
    chunks = sorted(set(chunks), key=len, reverse=True)[:3]
    if not chunks:
        return []
    rows = search_q.similar_requests(reg.conn, [c[:8] for c in chunks], limit + len(exclude_ids))
    return [r for r in rows if r["id"] not in exclude_ids][:limit]
