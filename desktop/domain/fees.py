"""Processing fees (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号).

Both methods are progressive: only the part above a threshold is charged at that tier.
Amounts are whole yuan.
"""

from __future__ import annotations

from dataclasses import dataclass

PER_APPLICATION = "per_application"
PER_PAGE = "per_page"
METHOD_LABELS = {PER_APPLICATION: "按件计收", PER_PAGE: "按量计收"}


@dataclass(frozen=True)
class FeeQuote:
    method: str
    quantity: int  # the n-th application of the month, or the number of pages
    tier: str  # the tier the last unit falls in, in words for the notice
    amount: int  # yuan


FREE_APPLICATIONS_PER_MONTH = 10  # 按件计收: the first ten applications of a natural month are free


def many_applications(month_count: int) -> bool:
    """Whether an applicant's applications this month reach the point where fees (and art. 35) may
    apply: the registration screen says so as the clerk types."""
    return month_count >= FREE_APPLICATIONS_PER_MONTH


def fee_for_nth_application(n: int) -> int:
    """Fee for the n-th application of one applicant in one natural month."""
    if n <= FREE_APPLICATIONS_PER_MONTH:
        return 0
    if n <= 30:
        return 100
    return 100 * (2 + (n - 31) // 10)


def application_tier(n: int) -> str:
    if n <= 10:
        return "第1至10件，免费"
    if n <= 30:
        return "第11至30件，每件100元"
    low = 31 + (n - 31) // 10 * 10
    return f"第{low}至{low + 9}件，每件{fee_for_nth_application(n)}元"


def quote_per_application(month_count: int) -> FeeQuote:
    """Quote for an application that is the applicant's ``month_count``-th this natural month."""
    if month_count < 1:
        raise ValueError("本月申请件数至少为1")
    return FeeQuote(PER_APPLICATION, month_count, application_tier(month_count),
                    fee_for_nth_application(month_count))


def total_for_applications(count: int) -> int:
    """What ``count`` applications in one month cost together (e.g. 45 → 5 500 元)."""
    return sum(fee_for_nth_application(n) for n in range(1, count + 1))


_PAGE_TIERS = ((30, 0), (100, 10), (200, 20), (None, 40))


def total_for_pages(pages: int) -> int:
    """Progressive per-page fee: 1–30 free, 31–100 ¥10, 101–200 ¥20, 201+ ¥40 per page."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    total, low = 0, 0
    for high, price in _PAGE_TIERS:
        top = pages if high is None else min(pages, high)
        if top > low:
            total += (top - low) * price
        if high is None or pages <= high:
            break
        low = high
    return total


def page_tier(pages: int) -> str:
    if pages <= 30:
        return "30页以内，免费"
    if pages <= 100:
        return "31至100页部分，每页10元"
    if pages <= 200:
        return "101至200页部分，每页20元"
    return "201页以上部分，每页40元"


def quote_per_page(pages: int) -> FeeQuote:
    return FeeQuote(PER_PAGE, pages, page_tier(pages), total_for_pages(pages))


def page_breakdown(pages: int) -> list[str]:
    """The per-page fee worked out tier by tier, as the applicant can check it, then the sum:
    250 → 第1至30页：免费；第31至100页：70页×10元＝700元；…；合计4700元."""
    lines, low = [], 0
    for high, price in _PAGE_TIERS:
        top = pages if high is None else min(pages, high)
        if top > low:
            span = f"第{low + 1}至{top}页" if top > low + 1 else f"第{top}页"
            count = top - low
            lines.append(f"{span}：免费" if price == 0 else f"{span}：{count}页×{price}元＝{count * price}元")
        if high is None or pages <= high:
            break
        low = high
    lines.append(f"合计：{total_for_pages(pages)}元")
    return lines


def application_breakdown(n: int) -> list[str]:
    """The per-application fee of the n-th application of the month, with the tier it falls in."""
    return [f"本件为本月第{n}件申请，适用“{application_tier(n)}”：1件×{fee_for_nth_application(n)}元"
            f"＝{fee_for_nth_application(n)}元", f"合计：{fee_for_nth_application(n)}元"]


def breakdown(method: str, quantity: int) -> list[str]:
    return page_breakdown(quantity) if method == PER_PAGE else application_breakdown(quantity)
