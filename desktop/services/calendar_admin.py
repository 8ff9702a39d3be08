"""The holiday calendar: importing the State Council notice, marking days, showing a year."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from db.queries import cases as cases_q
from db.queries import settings as settings_q
from desktop.domain.calendar import NoticeError, ParsedNotice, decode_notice, parse_notice
from desktop.services import cases as cases_svc
from desktop.services.base import Actor, Changes, Registry, ValidationFailed, require_role

MAX_NOTICE_FILE = 1_000_000  # bytes; a notice is a few kilobytes


def read_notice_file(path: str | Path) -> str:
    """The text of a notice file (UTF-8, GBK/GB18030, UTF-16); ValidationFailed with one readable line
    for a missing file, a directory, an empty, binary or huge file."""
    path = Path(path)

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed([f"〔通知文件〕{path}：{reason}"])

    if not path.exists():
        raise refuse("找不到文件")
    if not path.is_file():
        raise refuse("是文件夹，不是文本文件" if path.is_dir() else "不是普通文件")
    try:
        if path.stat().st_size > MAX_NOTICE_FILE:
            raise refuse("文件过大（通知正文只有几千字，请只保存放假安排部分）")
        data = path.read_bytes()
    except OSError as exc:
        raise refuse(f"无法读取（{exc.strerror or exc}）") from None
    try:
        return decode_notice(data)
    except NoticeError as exc:
        raise refuse(str(exc)) from None


def preview_notice(text: str, year: int) -> ParsedNotice:
    """Parse a notice for display before saving; raises ValidationFailed naming the line."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed([f"〔年份〕{year}不在2000至2100之间"])
    if len(text) > 20000:
        raise ValidationFailed(["〔通知文本〕过长，请只粘贴放假安排部分"])
    try:
        return parse_notice(text, year)
    except NoticeError as exc:
        raise ValidationFailed([f"〔通知文本〕{exc}"]) from None


def import_notice(reg: Registry, actor: Actor, text: str, year: int) -> Changes:
    """Save a notice's days for ``year``; the deadlines of every case running over that year follow."""
    require_role(actor, "admin", action="维护节假日")
    notice = preview_notice(text, year)
    days = {d.isoformat(): int(work) for d, work in notice.overrides().items()}
    with reg.transaction():
        settings_q.replace_notice_year(reg.conn, year, text, days, reg.now(), actor.user_id)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "calendar_import_notice",
                         json.dumps({"year": year, "days": days}, ensure_ascii=False))
        moved = _refresh_cases_over(reg, date(year, 1, 1), date(year, 12, 31))
    return Changes(moved, calendar=True)


def _refresh_cases_over(reg: Registry, first: date, last: date) -> tuple[int, ...]:
    """In the calendar change's own transaction: every case whose time runs over the changed days
    follows — open ones (due dates, projections) and finished ones (their overdue flag)."""
    ids = tuple(cases_q.ids_spanning(reg.conn, first.isoformat(), last.isoformat()))
    cases_svc.refresh_derived(reg, ids, reg.read_calendar())
    return ids


def set_day(reg: Registry, actor: Actor, day: date, is_workday: bool | None, note: str = "") -> Changes:
    """Mark one day as a working day / day off, or (None) go back to the official data."""
    require_role(actor, "admin", action="维护节假日")
    with reg.transaction():
        settings_q.set_override(reg.conn, day.isoformat(), is_workday, note or None)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "calendar_set_day",
                         json.dumps({"day": day.isoformat(), "is_workday": is_workday, "note": note},
                                    ensure_ascii=False))
        return Changes(_refresh_cases_over(reg, day, day), calendar=True)


@dataclass(frozen=True)
class YearView:
    year: int
    official: bool
    days_off_on_weekdays: list[date]
    working_weekend_days: list[date]
    workday_count: int


def year_view(reg: Registry, year: int) -> YearView:
    cal = reg.calendar()
    d, end = date(year, 1, 1), date(year, 12, 31)
    off, work, count = [], [], 0
    while d <= end:
        is_work = cal.is_workday(d)
        count += is_work
        if d.weekday() < 5 and not is_work:
            off.append(d)
        elif d.weekday() >= 5 and is_work:
            work.append(d)
        d += timedelta(days=1)
    return YearView(year, cal.has_official_data(year), off, work, count)
