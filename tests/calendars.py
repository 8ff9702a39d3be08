"""The working-day calendars the deadline tests count on, pinned here (the official 2025 and 2026
arrangements, domain.md §3) instead of read from the installed chinesecalendar package: these tests
must not change when the package ships its 2027 data."""

from datetime import date, timedelta

from desktop.domain.calendar import WorkCalendar, parse_notice

NOTICE_2026 = """一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"""

# 2025 (domain.md §3): days off and the weekend days worked instead
_OFF_2025 = [(date(2025, 1, 1), date(2025, 1, 1)), (date(2025, 1, 28), date(2025, 2, 4)),
             (date(2025, 4, 4), date(2025, 4, 6)), (date(2025, 5, 1), date(2025, 5, 5)),
             (date(2025, 5, 31), date(2025, 6, 2)), (date(2025, 10, 1), date(2025, 10, 8))]
_WORKED_2025 = [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)]


def overrides_2025() -> dict[date, bool]:
    out: dict[date, bool] = {}
    for first, last in _OFF_2025:
        d = first
        while d <= last:
            out[d] = False
            d += timedelta(days=1)
    out.update({d: True for d in _WORKED_2025})
    return out


def pinned(extra: dict[date, bool] | None = None, extra_years: tuple[int, ...] = ()) -> WorkCalendar:
    """Official 2025 and 2026, Monday–Friday for every other year (flagged as such), plus ``extra``."""
    days = {**overrides_2025(), **parse_notice(NOTICE_2026, 2026).overrides(), **(extra or {})}
    return WorkCalendar(days, notice_years=(2025, 2026, *extra_years), package=False)
