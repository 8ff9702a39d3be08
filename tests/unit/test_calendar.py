from datetime import date, timedelta

import chinese_calendar
import pytest

from desktop.domain.calendar import NoticeError, WorkCalendar, parse_notice

NOTICE_2026 = """一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def test_2026_notice_parses_to_exactly_its_holidays_and_working_weekend_days():
    notice = parse_notice(NOTICE_2026, 2026)
    assert [h.name for h in notice.holidays] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    assert notice.workdays == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                               date(2026, 9, 20), date(2026, 10, 10)]
    assert len(notice.days_off) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert date(2026, 2, 15) in notice.days_off and date(2026, 2, 23) in notice.days_off
    assert date(2026, 2, 24) not in notice.days_off


def test_notice_agrees_with_the_official_package_for_2026():
    notice = parse_notice(NOTICE_2026, 2026)
    cal = WorkCalendar(notice.overrides(), notice_years=[2026])
    official = WorkCalendar()
    d = date(2026, 1, 1)
    while d.year == 2026:
        assert cal.is_workday(d) == official.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_range_across_the_year_end_and_across_a_month():
    text = ("一、元旦：12月31日（周四）至1月2日（周六）放假调休，共3天。1月3日（周日）上班。\n"
            "二、劳动节：4月30日（周五）至5月4日（周二）放假，共5天。")
    notice = parse_notice(text, 2027)
    assert notice.holidays[0].days_off == [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    assert notice.holidays[0].workdays == [date(2027, 1, 3)]
    assert notice.holidays[1].days_off == [date(2027, 4, 30)] + [date(2027, 5, d) for d in range(1, 5)]


def test_explicit_years_in_a_range():
    notice = parse_notice("一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。", 2023)
    assert notice.days_off == [date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2)]


def test_single_day_holiday():
    notice = parse_notice("一、元旦：1月1日（周三）放假1天，不调休。", 2025)
    assert notice.days_off == [date(2025, 1, 1)] and notice.workdays == []


@pytest.mark.parametrize("text, fragment", [
    ("一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。", "1月1日是周四，不是周五"),
    ("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", "写明共4天"),
    ("一、元旦：2月30日放假。", "2月30日不是有效日期"),
    ("国庆放假啦", "无法识别节日名称"),
    ("", "没有找到任何节日安排"),
])
def test_notice_errors_name_the_problem(text, fragment):
    with pytest.raises(NoticeError, match=fragment):
        parse_notice(text, 2026)


def test_year_without_official_data_falls_back_to_monday_to_friday():
    cal = WorkCalendar()
    assert not cal.has_official_data(2027)
    assert cal.has_official_data(2026)
    assert cal.is_workday(date(2027, 1, 1))  # a Friday: no data says it is a holiday
    assert not cal.is_workday(date(2027, 1, 2))


def test_overrides_win_over_official_data():
    cal = WorkCalendar({date(2026, 11, 23): False, date(2026, 11, 22): True})
    assert not cal.is_workday(date(2026, 11, 23))
    assert cal.is_workday(date(2026, 11, 22))


def test_count_workdays_is_signed():
    cal = WorkCalendar()
    assert cal.count_workdays(date(2026, 9, 30), date(2026, 10, 9)) == 2  # 10-08, 10-09
    assert cal.count_workdays(date(2026, 10, 9), date(2026, 9, 30)) == -2
