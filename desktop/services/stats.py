"""Figures for the statistics screen: one year's intake, conclusions by outcome, timeliness."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain import outcomes
from desktop.domain.workflow import STATE_LABELS
from desktop.services.base import Registry


@dataclass(frozen=True)
class YearSummary:
    year: int
    received: int
    concluded: int
    concluded_late: int
    by_state: list[tuple[str, int]]  # of cases received in the year, current state
    by_outcome: list[tuple[str, str, int]]  # (report row, label, count) of cases concluded in the year
    by_month: list[int]  # received per month

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.concluded else (self.concluded - self.concluded_late) / self.concluded


def year_summary(reg: Registry, year: int) -> YearSummary:
    first, last = f"{year}-01-01", f"{year}-12-31"
    c = reg.conn
    received = c.execute("SELECT count(*) FROM cases WHERE received_on BETWEEN ? AND ?", (first, last)).fetchone()[0]
    states = dict(c.execute("SELECT state, count(*) FROM cases WHERE received_on BETWEEN ? AND ? GROUP BY state",
                            (first, last)).fetchall())
    outcome_counts = dict(c.execute("SELECT outcome, count(*) FROM cases WHERE concluded_on BETWEEN ? AND ?"
                                    " AND outcome IS NOT NULL GROUP BY outcome", (first, last)).fetchall())
    late = c.execute("SELECT count(*) FROM cases WHERE concluded_on BETWEEN ? AND ? AND overdue = 1",
                     (first, last)).fetchone()[0]
    months = [0] * 12
    for month, n in c.execute("SELECT substr(received_on, 6, 2), count(*) FROM cases WHERE received_on BETWEEN ? AND ?"
                              " GROUP BY 1", (first, last)):
        months[int(month) - 1] = n
    return YearSummary(
        year, received, sum(outcome_counts.values()), late,
        [(label, states.get(key, 0)) for key, label in STATE_LABELS.items() if states.get(key)],
        [(o.report_row, o.label, outcome_counts.get(o.code, 0)) for o in outcomes.CATALOGUE],
        months)
