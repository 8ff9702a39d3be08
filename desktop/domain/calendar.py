"""The working-day calendar: official data, the office's overrides, and the notice parser.

Official data comes from the ``chinesecalendar`` package (2004–2026) and from State Council notices
the administrator imports. A year with neither falls back to Monday–Friday, and the calendar says so
(``fallback_years``) so that every screen can warn.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=64)
def _package_year(year: int) -> frozenset[int] | None:
    """Ordinals of the working days of ``year`` per chinesecalendar, or None if it has no data.

    Reads the package's tables directly: its ``is_workday`` checks the supported range on every call
    (a scan of all its holidays), which made the first deadline of a session cost ~20 ms."""
    from chinese_calendar.constants import holidays, workdays

    first, last = _package_range()
    if not first <= year <= last:
        return None
    start, end = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    days = set()
    for o in range(start, end + 1):
        d = date.fromordinal(o)
        if d in workdays or (d.weekday() < 5 and d not in holidays):
            days.add(o)
    return frozenset(days)


@lru_cache(maxsize=1)
def _package_range() -> tuple[int, int]:
    """The first and last year chinesecalendar has official data for."""
    from chinese_calendar.constants import holidays

    return min(holidays).year, max(holidays).year


class WorkCalendar:
    """Which days are working days (工作日), and counting in working days.

    ``overrides`` maps a date to True (working day) or False (day off); they win over the package.
    ``notice_years`` are years for which the administrator imported official notice data.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None,
                 notice_years: Iterable[int] = (), package: bool = True):
        """``package=False``: the chinesecalendar data is not used (tests pin their own calendar:
        Monday–Friday plus ``overrides``, official for ``notice_years``)."""
        self._overrides = dict(overrides or {})
        self._notice_years = frozenset(notice_years)
        self._package = package
        self._years: dict[int, list[int]] = {}
        self._added: dict[tuple[date, int], date] = {}  # add_workdays without pauses, remembered

    # -- facts about days ---------------------------------------------------------------
    def has_official_data(self, year: int) -> bool:
        return year in self._notice_years or (self._package and _package_year(year) is not None)

    def is_workday(self, d: date) -> bool:
        return d.toordinal() in self._year_set(d.year)

    def _year_list(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            official = _package_year(year) if self._package else None
            if official is None:
                start = date(year, 1, 1).toordinal()
                end = date(year, 12, 31).toordinal()
                base = {o for o in range(start, end + 1) if date.fromordinal(o).weekday() < 5}
            else:
                base = set(official)
            for d, work in self._overrides.items():
                if d.year == year:
                    (base.add if work else base.discard)(d.toordinal())
            days = sorted(base)
            self._years[year] = days
        return days

    def _year_set(self, year: int) -> frozenset[int]:
        return frozenset(self._year_list(year))

    # -- counting -----------------------------------------------------------------------
    def workdays_in(self, after: date, upto: date) -> list[date]:
        """Working days d with after < d <= upto."""
        if upto <= after:
            return []
        out: list[date] = []
        for year in range(after.year, upto.year + 1):
            days = self._year_list(year)
            lo = bisect_right(days, after.toordinal())
            hi = bisect_right(days, upto.toordinal())
            out.extend(date.fromordinal(o) for o in days[lo:hi])
        return out

    def count_workdays(self, after: date, upto: date) -> int:
        """Number of working days d with after < d <= upto (negative when upto < after)."""
        if upto >= after:
            return sum(
                bisect_right(self._year_list(y), upto.toordinal())
                - bisect_right(self._year_list(y), after.toordinal())
                for y in range(after.year, upto.year + 1)
            )
        return -self.count_workdays(upto, after)

    def add_workdays(self, start: date, n: int,
                     pauses: Iterable[tuple[date, date]] = ()) -> date:
        """The n-th working day after ``start`` that is not inside a pause (S < d <= E)."""
        if n <= 0:
            return start
        if not pauses:  # the common question (an import or a list of thousands asks the same few)
            key = (start, n)
            found = self._added.get(key)
            if found is None:
                found = self._added[key] = self._add_workdays(start, n, ())
            return found
        return self._add_workdays(start, n, pauses)

    def _add_workdays(self, start: date, n: int, pauses: Iterable[tuple[date, date]]) -> date:
        pause_list = [(s.toordinal(), e.toordinal()) for s, e in pauses if e > s]
        year, remaining = start.year, n
        index = bisect_right(self._year_list(year), start.toordinal())
        while year <= start.year + 50:
            days = self._year_list(year)
            if not pause_list:
                if index + remaining <= len(days):
                    return date.fromordinal(days[index + remaining - 1])
                remaining -= len(days) - index
            else:
                for o in days[index:]:
                    if any(s < o <= e for s, e in pause_list):
                        continue
                    remaining -= 1
                    if remaining == 0:
                        return date.fromordinal(o)
            year, index = year + 1, 0
        raise ValueError("working-day count ran past 50 years")

    def first_workday_on_or_after(self, d: date) -> date:
        days = self._year_list(d.year)
        i = bisect_left(days, d.toordinal())
        if i < len(days):
            return date.fromordinal(days[i])
        return self.first_workday_on_or_after(date(d.year + 1, 1, 1))


# -- the State Council notice ---------------------------------------------------------------

_WEEKDAYS = "一二三四五六日"
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_PAREN = r"(?:（([^）]*)）)?"
_RANGE = re.compile(_DATE + _PAREN + r"(?:\s*至\s*" + _DATE + _PAREN + r")?")


class NoticeError(ValueError):
    """The notice text could not be read; the message names the line."""


def decode_notice(data: bytes) -> str:
    """The text of a notice file as Windows Notepad or any editor saves it: UTF-8 (with or without
    BOM), UTF-16 with BOM, or GBK/GB18030 (Notepad's "ANSI" on a Chinese Windows)."""
    if not data.strip():
        raise NoticeError("文件是空的")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NoticeError("不是可以读取的文本文件（UTF-16编码有误）") from None
    if b"\x00" in data:
        raise NoticeError("不是文本文件（请把通知正文另存为.txt后导入）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
            return text
    raise NoticeError("不是可以读取的文本文件（应为UTF-8或GBK编码的.txt）")


@dataclass
class NoticeHoliday:
    name: str
    days_off: list[date]
    workdays: list[date]


@dataclass
class ParsedNotice:
    year: int
    holidays: list[NoticeHoliday] = field(default_factory=list)

    @property
    def days_off(self) -> list[date]:
        return sorted(d for h in self.holidays for d in h.days_off)

    @property
    def workdays(self) -> list[date]:
        return sorted(d for h in self.holidays for d in h.workdays)

    def overrides(self) -> dict[date, bool]:
        """What the notice says, as calendar overrides: every day off and every working weekend day."""
        out = {d: False for d in self.days_off}
        out.update({d: True for d in self.workdays})
        return out


def _weekday_in(paren: str | None) -> int | None:
    if not paren:
        return None
    m = re.search(r"(?:周|星期)([一二三四五六日天])", paren)
    if not m:
        return None
    return _WEEKDAYS.index(m.group(1).replace("天", "日"))


def parse_notice(text: str, year: int) -> ParsedNotice:
    """Read the State Council holiday notice for ``year`` (domain.md §3).

    Each numbered line names a holiday, its days off (a date or a range, which may cross a month
    or the year end) and the weekend days that become working days. Weekdays in brackets and the
    stated total (共N天) are checked against the dates, so a typing error is reported, not saved.
    """
    notice = ParsedNotice(year)
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n") if ln.strip()]
    for lineno, line in enumerate(lines, start=1):
        m = re.match(r"^[一二三四五六七八九十]+、\s*([^：:]+)[：:]\s*(.*)$", line)
        if not m:
            if "放假" in line or "上班" in line:
                raise NoticeError(f"第{lineno}行：无法识别节日名称（应如“一、元旦：……”）")
            continue
        name, body = m.group(1).strip(), m.group(2)
        holiday = NoticeHoliday(name, [], [])
        for sentence in re.split(r"[。；;]", body):
            if not sentence.strip():
                continue
            if "放假" in sentence:
                _parse_days_off(sentence, year, holiday, lineno)
            elif "上班" in sentence:
                _parse_workdays(sentence, year, holiday, lineno)
        if not holiday.days_off:
            raise NoticeError(f"第{lineno}行（{name}）：没有找到放假日期")
        notice.holidays.append(holiday)
    if not notice.holidays:
        raise NoticeError("没有找到任何节日安排（每行应如“一、元旦：1月1日放假……”）")
    return notice


def _make_date(y: str | None, mo: str | None, d: str, default_year: int, default_month: int | None,
               lineno: int) -> date:
    month = int(mo) if mo else default_month
    if month is None:
        raise NoticeError(f"第{lineno}行：日期“{d}日”缺少月份")
    try:
        return date(int(y) if y else default_year, month, int(d))
    except ValueError:
        raise NoticeError(f"第{lineno}行：{month}月{d}日不是有效日期") from None


def _check_weekday(d: date, paren: str | None, lineno: int) -> None:
    wd = _weekday_in(paren)
    if wd is not None and wd != d.weekday():
        raise NoticeError(
            f"第{lineno}行：{d.month}月{d.day}日是周{_WEEKDAYS[d.weekday()]}，不是周{_WEEKDAYS[wd]}")


def _parse_days_off(sentence: str, year: int, holiday: NoticeHoliday, lineno: int) -> None:
    m = _RANGE.search(sentence)
    if not m or not m.group(2):
        raise NoticeError(f"第{lineno}行：无法识别放假日期")
    y1, mo1, d1, p1, y2, mo2, d2, p2 = m.groups()
    month1 = int(mo1)
    end_month = int(mo2) if mo2 else month1
    start_year = int(y1) if y1 else year
    if not y1 and end_month < month1:  # e.g. 12月31日至1月2日 in the notice for the new year
        start_year = year - 1
    start = _make_date(str(start_year), mo1, d1, year, None, lineno)
    _check_weekday(start, p1, lineno)
    if d2:
        end_year = int(y2) if y2 else (start_year + 1 if end_month < month1 else start_year)
        end = _make_date(str(end_year), str(end_month), d2, year, None, lineno)
        _check_weekday(end, p2, lineno)
    else:
        end = start
    if end < start:
        raise NoticeError(f"第{lineno}行：放假结束日期早于开始日期")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    total = re.search(r"共(\d+)天", sentence)
    if not total:
        total = re.search(r"放假(\d+)天", sentence)
    if total and int(total.group(1)) != len(days):
        raise NoticeError(f"第{lineno}行（{holiday.name}）：写明共{total.group(1)}天，"
                          f"但{start.month}月{start.day}日至{end.month}月{end.day}日共{len(days)}天")
    holiday.days_off.extend(days)


def _parse_workdays(sentence: str, year: int, holiday: NoticeHoliday, lineno: int) -> None:
    month = None
    for m in re.finditer(_DATE + _PAREN, sentence):
        y, mo, d, paren = m.groups()
        day = _make_date(y, mo, d, year, month, lineno)
        month = day.month
        _check_weekday(day, paren, lineno)
        holiday.workdays.append(day)
    if not holiday.workdays:
        raise NoticeError(f"第{lineno}行：无法识别上班日期")
