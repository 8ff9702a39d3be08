"""Figures for the statistics screen: intake and conclusions by month, outcome and division,
on-time rate, average working days to reply, overdue now — for a period and a division."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import settings as settings_q
from db.queries import stats as stats_q
from desktop.domain import outcomes
from desktop.services.base import Actor, Registry

Progress = Callable[[int, int], None]


@dataclass
class Stats:
    first: date
    last: date
    division: str
    received: int = 0
    concluded: int = 0
    concluded_late: int = 0
    overdue_now: int = 0
    average_working_days: float | None = None
    by_month: list[tuple[str, int, int]] = field(default_factory=list)  # (YYYY-MM, received, concluded)
    by_outcome: list[tuple[str, str, int]] = field(default_factory=list)  # (report row, label, concluded)
    by_division: list[tuple[str, int, int, int]] = field(default_factory=list)  # (name, received, concluded, late)

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.concluded else (self.concluded - self.concluded_late) / self.concluded


def compute(reg: Registry, first: date, last: date, division_id: int | None = None,
            progress: Progress | None = None) -> Stats:
    """All figures for cases received or concluded between ``first`` and ``last`` (inclusive)."""
    c = reg.conn
    name = "全部处室"
    if division_id:
        name = settings_q.division_name(c, division_id) or "?"
    s = Stats(first, last, name)
    a, b = first.isoformat(), last.isoformat()
    months: dict[str, list[int]] = {}
    for month, n in stats_q.received_by_month(c, a, b, division_id).items():
        months.setdefault(month, [0, 0])[0] = n
    for month, n in stats_q.concluded_by_month(c, a, b, division_id).items():
        months.setdefault(month, [0, 0])[1] = n
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        key = f"{y}-{m:02d}"
        s.by_month.append((key, *months.get(key, [0, 0])))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    s.received = sum(r for _k, r, _c in s.by_month)
    counts = stats_q.concluded_by_outcome(c, a, b, division_id)
    s.by_outcome = [(o.report_row, o.label, counts.get(o.code, 0)) for o in outcomes.CATALOGUE]
    s.concluded = sum(counts.values())
    s.concluded_late = stats_q.concluded_late(c, a, b, division_id)
    s.overdue_now = stats_q.overdue_now(c, reg.today().isoformat(), division_id)
    s.by_division = stats_q.by_division(c, a, b, division_id)
    # average working days from receipt (or the corrected application) to the reply
    durations = stats_q.received_and_concluded(c, a, b, division_id)
    cal, total = reg.calendar(), 0
    for i, (received, concluded) in enumerate(durations, start=1):
        total += max(cal.count_workdays(date.fromisoformat(received), date.fromisoformat(concluded)), 0)
        if progress and i % 5000 == 0:
            progress(i, len(durations))
    s.average_working_days = total / len(durations) if durations else None
    if progress:
        progress(len(durations), len(durations))
    return s


FIGURE_LABELS = {"received": "收到申请", "concluded": "办结", "concluded_late": "超期办结",
                 "outcome": "办结", "overdue_now": "目前已超期未办结"}


def cases_behind(reg: Registry, actor: Actor | None, first: date, last: date, figure: str,
                 division_id: int | None = None, month: str | None = None,
                 outcome: str | None = None) -> list[int]:
    """The cases counted in one figure of the statistics, newest first — only those ``actor`` may read
    (a division user: their division's and their own)."""
    from desktop.services import privacy

    if figure not in FIGURE_LABELS:
        raise ValueError(figure)
    return stats_q.case_ids(reg.conn, figure, first.isoformat(), last.isoformat(), reg.today().isoformat(),
                            division_id, month, outcome, privacy.visible_clause(actor))


def case_count(reg: Registry) -> int:
    """All cases in the registry."""
    return cases_q.count(reg.conn)


def event_count(reg: Registry) -> int:
    """All recorded events (the rows of the audit chain)."""
    return events_q.count(reg.conn)


def write_xlsx(s: Stats, path: Path | str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    rate = "" if s.on_time_rate is None else round(s.on_time_rate, 4)
    for row in (("统计期间", f"{s.first.isoformat()} 至 {s.last.isoformat()}"), ("处室", s.division),
                ("收到申请", s.received), ("办结", s.concluded), ("其中超期办结", s.concluded_late),
                ("按期办结率", rate), ("平均答复用时（工作日）", round(s.average_working_days, 1)
                                          if s.average_working_days is not None else ""),
                ("目前已超期未办结", s.overdue_now)):
        ws.append(row)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28
    for title, header, rows in (("按月", ("月份", "收到申请", "办结"), s.by_month),
                                ("按办理结果", ("年报统计行", "办理结果", "办结件数"), s.by_outcome),
                                ("按处室", ("处室", "收到申请", "办结", "超期办结"), s.by_division)):
        sheet = wb.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for r in rows:
            sheet.append(list(r))
        sheet.column_dimensions["B"].width = 40
    wb.save(path)
    return Path(path)
