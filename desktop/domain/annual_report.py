"""The annual report's tables (国办公开办函〔2021〕30号, domain.md §8), computed from case facts, with
the integrity checks that must hold before a report can be made final. No Qt, no SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from desktop.domain import outcomes

APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
ALL_COLUMNS = APPLICANT_COLUMNS + ("总计",)
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

PARTS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")


@dataclass(frozen=True)
class Row:
    key: str  # "一", "三（三）1", "三（七）" …
    label: str  # the official label of the row
    group: str | None = None  # "（三）不予公开" for sub rows, None otherwise


_GROUPS = {
    "三（三）": ("（三）不予公开", ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                              "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项")),
    "三（四）": ("（四）无法提供", ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")),
    "三（五）": ("（五）不予处理", ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                              "要求行政机关确认或重新出具已获取信息")),
    "三（六）": ("（六）其他处理", ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                              "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他")),
}


def _rows() -> tuple[Row, ...]:
    rows = [Row("一", "一、本年新收政府信息公开申请数量"), Row("二", "二、上年结转政府信息公开申请数量"),
            Row("三（一）", "（一）予以公开"), Row("三（二）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
    for prefix, (group, labels) in _GROUPS.items():
        rows += [Row(f"{prefix}{i}", f"{i}.{label}", group) for i, label in enumerate(labels, start=1)]
    rows += [Row("三（七）", "（七）总计"), Row("四", "四、结转下年度继续办理")]
    return tuple(rows)


PART3_ROWS = _rows()
OUTCOME_ROWS = tuple(r.key for r in PART3_ROWS if r.key.startswith("三") and r.key != "三（七）")
PART3_HEADING = "三、本年度办理结果"

PART4_GROUPS = ("行政复议", "未经复议直接起诉", "复议后起诉")
PART4_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REMEDY_KINDS = {"reconsideration": "行政复议", "lawsuit_direct": "未经复议直接起诉",
                "lawsuit_after_reconsideration": "复议后起诉"}
REMEDY_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}

# Part 二: (section, header of the value columns, rows, fields)
PART2 = (
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "行政规范性文件"),
     ("issued", "repealed", "in_force")),
    ("第二十条第（五）项", ("本年处理决定数量",), ("行政许可",), ("decisions",)),
    ("第二十条第（六）项", ("本年处理决定数量",), ("行政处罚", "行政强制"), ("decisions",)),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",), ("amount",)),
)


@dataclass(frozen=True)
class CaseFact:
    """What the report needs of one case (or of ``count`` cases with the same facts)."""
    applicant_type: str
    received_on: date
    concluded_on: date | None
    outcome: str | None
    count: int = 1


@dataclass(frozen=True)
class RemedyFact:
    kind: str  # reconsideration | lawsuit_direct | lawsuit_after_reconsideration
    filed_on: date
    result: str | None  # upheld | corrected | other
    concluded_on: date | None


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class AnnualReport:
    year: int
    part3: dict[str, dict[str, int]]  # row key → column → number
    part4: dict[str, dict[str, int]]  # group → column → number
    part2: dict[tuple[str, str], float] = field(default_factory=dict)  # (item, field) → value
    fees: dict[str, int] = field(default_factory=dict)  # notices, billed, collected
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def cell(self, row: str, column: str) -> int:
        return self.part3[row][column]


def _empty() -> dict[str, int]:
    return {c: 0 for c in ALL_COLUMNS}


def compute(year: int, cases: Iterable[CaseFact], remedies: Iterable[RemedyFact] = ()) -> AnnualReport:
    """Part 三 and part 四 for ``year`` by the counting rules of §8, then the checks."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    part3 = {r.key: _empty() for r in PART3_ROWS}
    for c in cases:
        column = c.applicant_type if c.applicant_type in APPLICANT_COLUMNS else "其他"
        counted = False
        n = c.count
        if start <= c.received_on <= end:
            part3["一"][column] += n
            counted = True
        elif c.received_on < start and (c.concluded_on is None or c.concluded_on >= start):
            part3["二"][column] += n
            counted = True
        if c.concluded_on is not None and start <= c.concluded_on <= end:
            outcome = outcomes.BY_CODE.get(c.outcome or "")
            if outcome is not None:
                part3[outcome.report_row][column] += n
        if counted and (c.concluded_on is None or c.concluded_on > end):
            part3["四"][column] += n
    for key in OUTCOME_ROWS:
        for column in APPLICANT_COLUMNS:
            part3["三（七）"][column] += part3[key][column]
    for row in part3.values():
        row["总计"] = sum(row[c] for c in APPLICANT_COLUMNS)

    part4 = {g: {c: 0 for c in PART4_COLUMNS} for g in PART4_GROUPS}
    for r in remedies:
        if not start <= r.filed_on <= end:
            continue
        group = part4[REMEDY_KINDS[r.kind]]
        if r.result is None or r.concluded_on is None or r.concluded_on > end:
            group["尚未审结"] += 1
        else:
            group[REMEDY_RESULTS[r.result]] += 1
    for group in part4.values():
        group["总计"] = sum(group[c] for c in PART4_COLUMNS[:-1])
    report = AnnualReport(year, part3, part4)
    report.checks = run_checks(report)
    return report


def run_checks(report: AnnualReport) -> list[Check]:
    """The relations the official form requires; each names the columns where it fails."""
    p3 = report.part3
    checks = []
    bad = [c for c in ALL_COLUMNS if p3["一"][c] + p3["二"][c] != p3["三（七）"][c] + p3["四"][c]]
    checks.append(Check("第一项加第二项之和等于第三项加第四项之和", not bad,
                        "；".join(f"{c}：{p3['一'][c]}+{p3['二'][c]}≠{p3['三（七）'][c]}+{p3['四'][c]}" for c in bad)))
    bad = [c for c in ALL_COLUMNS if p3["三（七）"][c] != sum(p3[k][c] for k in OUTCOME_ROWS)]
    checks.append(Check("（七）总计等于各项办理结果之和", not bad, "、".join(bad)))
    bad = [r.label for r in PART3_ROWS if p3[r.key]["总计"] != sum(p3[r.key][c] for c in APPLICANT_COLUMNS)]
    checks.append(Check("总计列等于其他六列之和", not bad, "、".join(bad)))
    bad = [g for g, v in report.part4.items() if v["总计"] != sum(v[c] for c in PART4_COLUMNS[:-1])]
    checks.append(Check("行政复议、行政诉讼各组总计等于其他四项之和", not bad, "、".join(bad)))
    return checks
