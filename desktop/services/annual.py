"""The annual report of a year: figures from the facts, the office's entries and texts, the checks,
what still keeps it a draft, making it final (which locks the year's facts) and unlocking it (an
administrator, audited)."""

from __future__ import annotations

import json
from datetime import date

from db.queries import annual as annual_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import reports as reports_q
from db.queries import settings as settings_q
from desktop.documents.annual_tables import ReportState, anchor_text
from desktop.documents.fonts import MissingGlyphs
from desktop.domain import annual_report
from desktop.domain.annual_report import PART2, PARTS, AnnualReport, CaseFact, RemedyFact
from desktop.services.base import Actor, Changes, Registry, ServiceError, ValidationFailed, require_role

PART2_FIELDS = {(item, f) for _s, _h, items, fields in PART2 for item in items for f in fields}
DEFAULT_TEXTS = {
    "一": "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，（请在此概述本年度政府信息公开工作的总体情况）。",
    "五": "（请在此说明本年度政府信息公开工作存在的主要问题及改进情况。）",
    "六": "",
}
PLACEHOLDER = "（请在此"  # what marks the default texts as not yet written


def _parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def compute(reg: Registry, year: int) -> AnnualReport:
    """The report for ``year`` from the recorded facts (part 三, 四), the office's entries (二) and fees (六)."""
    facts = [CaseFact(r["applicant_type"], _parse_date(r["received_on"]), _parse_date(r["concluded_on"]),
                      r["outcome"], r["n"]) for r in reports_q.case_fact_groups(reg.conn, year)]
    remedies = [RemedyFact(r["kind"], _parse_date(r["filed_on"]), r["result"], _parse_date(r["concluded_on"]))
                for r in reports_q.remedies(reg.conn, year)]
    report = annual_report.compute(year, facts, remedies)
    report.part2 = reports_q.part2_inputs(reg.conn, year)
    report.fees = reports_q.fee_figures(reg.conn, year)
    return report


def report_years(reg: Registry) -> list[int]:
    """Every year a report can count something in: from the first case received to this year."""
    first = reports_q.first_fact_year(reg.conn)
    last = reg.today().year
    return list(range(first, last + 1)) if first else []


def years_that_differ(a: Registry, b: Registry) -> list[int]:
    """The years whose annual report (every table, the fees, the checks) differs between two
    registries: after a copy between backends there must be none."""
    def figures(report: AnnualReport):
        return (report.part3, report.part4, report.part2, report.fees, [(c.name, c.passed) for c in report.checks])

    return [y for y in sorted(set(report_years(a)) | set(report_years(b)))
            if figures(compute(a, y)) != figures(compute(b, y))]


def fee_sentence(report: AnnualReport) -> str:
    f = report.fees
    if not f.get("notices"):
        return "本年度本机关未收取信息处理费，未发出收费通知。"
    return (f"本年度本机关依据《政府信息公开信息处理费管理办法》发出收费通知{f['notices']}件，"
            f"收费金额共计{f['billed']}元，实际收取{f['collected']}元。")


# -- the office's entries --------------------------------------------------------------------------
def texts(reg: Registry, year: int) -> dict[str, str]:
    """The report's texts (parts 一, 五, 六): what the office wrote, else the default with its placeholder."""
    stored = annual_q.texts(reg.conn, year)
    return {part: stored.get(part, default) for part, default in DEFAULT_TEXTS.items()}


def is_written(text: str) -> bool:
    """Whether a part's text is the office's own: not empty and no placeholder left in it."""
    return bool(text.strip()) and PLACEHOLDER not in text


def missing_parts(reg: Registry, year: int) -> list[str]:
    """What keeps the year's report a draft, each naming its part: 一 or 五 not written, 二 never entered."""
    written = texts(reg, year)
    missing = []
    if not is_written(written["一"]):
        missing.append(f"{PARTS[0]}尚未编写")
    if not reports_q.part2_inputs(reg.conn, year):
        missing.append(f"{PARTS[1]}的数据尚未填写")
    if not is_written(written["五"]):
        missing.append(f"{PARTS[4]}尚未编写")
    return missing


def state(reg: Registry, year: int, report: AnnualReport | None = None) -> ReportState:
    """What the report must say on every page: a draft (and what is missing), a year not yet over (data
    as of today), failed checks. A report with none of these may be published."""
    report = report or compute(reg, year)
    today = reg.today()
    return ReportState(missing=tuple(missing_parts(reg, year)), as_of=today if year >= today.year else None,
                       failed=tuple(f"{c.name}（{c.detail}）" for c in report.checks if not c.passed),
                       anchor=final_anchor(reg, year))


def final_anchor(reg: Registry, year: int) -> str:
    """The end of the history a final report was counted from (``anchor_text``), "" when not final."""
    figures = annual_q.final_figures(reg.conn, year)
    head = json.loads(figures).get("history") if figures else None
    if not head:
        return ""
    return anchor_text(head["event_id"], head["event_hash"], head["audit_id"], head["audit_hash"])


def final_anchors(reg: Registry) -> list[tuple[int, dict]]:
    """(year, recorded end of history) of every final report."""
    out = []
    for year in sorted(final_years(reg)):
        head = json.loads(annual_q.final_figures(reg.conn, year) or "{}").get("history")
        if head:
            out.append((year, head))
    return out


def save_text(reg: Registry, actor: Actor, year: int, part: str, text: str) -> Changes:
    require_role(actor, "office_head", "admin", "clerk", action="编写年度报告")
    _check_not_final(reg, year)
    if part not in DEFAULT_TEXTS:
        raise ValidationFailed([f"〔部分〕{part}不是可编写的部分"])
    if len(text) > 20000:
        raise ValidationFailed([f"〔{part}〕过长（最多20000个字符）"])
    with reg.transaction():
        annual_q.put_text(reg.conn, year, part, text.strip(), reg.now(), actor.user_id)
    return Changes(reports=True)


def save_part2(reg: Registry, actor: Actor, year: int, values: dict[tuple[str, str], float]) -> Changes:
    """The office's figures for part 二 (numbers ≥ 0; amounts in 万元)."""
    require_role(actor, "office_head", "admin", "clerk", action="填写年度报告")
    _check_not_final(reg, year)
    problems = []
    for (item, field), value in values.items():
        if (item, field) not in PART2_FIELDS:
            problems.append(f"〔{item}〕没有“{field}”这一项")
        elif not isinstance(value, int | float) or value < 0 or value > 10**9:
            problems.append(f"〔{item}〕应为不小于0的数字")
        elif field != "amount" and float(value) != int(value):
            problems.append(f"〔{item}〕件数应为整数")
    if problems:
        raise ValidationFailed(problems)
    with reg.transaction():
        for (item, field), value in values.items():
            annual_q.put_input(reg.conn, year, item, field, value)
    return Changes(reports=True)


def add_remedy(reg: Registry, actor: Actor, kind: str, filed_on: date, result: str | None = None,
               concluded_on: date | None = None, case_no: str | None = None, notes: str = "") -> Changes:
    """Record a reconsideration or lawsuit about a disclosure decision (part 四)."""
    require_role(actor, "office_head", "admin", "clerk", action="登记复议诉讼案件")
    problems = []
    if kind not in annual_report.REMEDY_KINDS:
        problems.append("〔类型〕应为行政复议、未经复议直接起诉或复议后起诉")
    if result is not None and result not in annual_report.REMEDY_RESULTS:
        problems.append("〔结果〕应为结果维持、结果纠正或其他结果")
    if filed_on > reg.today():
        problems.append("〔收到日期〕不能晚于今天")
    if (result is None) != (concluded_on is None):
        problems.append("〔审结日期〕有结果时须填写审结日期，未审结时不填")
    if concluded_on and concluded_on < filed_on:
        problems.append("〔审结日期〕不能早于收到日期")
    case_id = None
    if case_no:
        case_id = cases_q.id_by_number(reg.conn, case_no)
        if case_id is None:
            problems.append(f"〔申请编号〕没有“{case_no}”")
    if problems:
        raise ValidationFailed(problems)
    _check_not_final(reg, filed_on.year)
    if concluded_on:
        _check_not_final(reg, concluded_on.year)
    with reg.transaction():
        remedy_id = annual_q.insert_remedy(reg.conn, case_id, kind, filed_on.isoformat(), result,
                                           concluded_on.isoformat() if concluded_on else None, notes or None)
    return Changes(reports=True, id=remedy_id)


def remedies(reg: Registry, year: int) -> list:
    """The reconsiderations and lawsuits received in ``year``, in the order received."""
    return reports_q.remedies(reg.conn, year)


# -- final and locked ------------------------------------------------------------------------------
def final_years(reg: Registry) -> set[int]:
    return annual_q.final_years(reg.conn)


def is_final(reg: Registry, year: int) -> bool:
    return year in final_years(reg)


def _check_not_final(reg: Registry, year: int) -> None:
    if is_final(reg, year):
        raise ServiceError(f"{year}年度报告已定稿，该年度的数据已锁定；如确需修改，请系统管理员先解除锁定")


def check_date_unlocked(reg: Registry, on: date) -> None:
    """Refuse to record a fact dated in a year whose report is final (its counts would change)."""
    _check_not_final(reg, on.year)


def finalize(reg: Registry, actor: Actor, year: int) -> Changes:
    """Make the report final: only for a year that is over, when every check passes and nothing is
    missing (parts 一 and 五 written, part 二 entered); the figures are kept as published."""
    require_role(actor, "office_head", "admin", action="年度报告定稿")
    if year >= reg.today().year:
        raise ServiceError(f"{year}年尚未结束，不能定稿")
    report = compute(reg, year)
    missing = missing_parts(reg, year)
    if not report.passed:
        failed = "；".join(f"{c.name}（{c.detail}）" for c in report.checks if not c.passed)
        also = f"。另外，{'；'.join(missing)}" if missing else ""
        raise ServiceError(f"勾稽关系检查未通过，不能定稿：{failed}{also}")
    if missing:
        raise ServiceError(f"年度报告尚未完成，不能定稿：{'；'.join(missing)}。请填写后再定稿")
    with reg.transaction():
        _check_not_final(reg, year)
        # the end of the history the figures were counted from: the published files carry it too
        event, audit = events_q.head(reg.conn), settings_q.audit_head(reg.conn)
        history = {"event_id": event[0] if event else 0, "event_hash": event[1] if event else "0" * 64,
                   "audit_id": audit[0] if audit else 0, "audit_hash": audit[1] if audit else None}
        annual_q.insert_final(reg.conn, year, reg.now(), actor.user_id, json.dumps(
            {"part3": report.part3, "part4": report.part4, "fees": report.fees, "history": history},
            ensure_ascii=False))
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "annual_report_final",
                         json.dumps({"year": year, "history": history}, ensure_ascii=False))
    return Changes(reports=True)


def unlock(reg: Registry, actor: Actor, year: int, reason: str) -> Changes:
    """An administrator reopens a final year (recorded in the audit trail with the reason)."""
    require_role(actor, "admin", action="解除年度锁定")
    if not reason.strip():
        raise ValidationFailed(["〔理由〕解除锁定须写明理由"])
    with reg.transaction():
        figures = annual_q.final_figures(reg.conn, year)
        if figures is None:
            raise ServiceError(f"{year}年度报告没有定稿，无需解除")
        annual_q.delete_final(reg.conn, year)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "annual_report_unlock",
                         json.dumps({"year": year, "reason": reason.strip(), "figures": json.loads(figures)},
                                    ensure_ascii=False))
    return Changes(reports=True)


def export(reg: Registry, year: int, out, fmt: str | None = None) -> AnnualReport:
    """Write the report as xlsx, pdf or html (by the file's suffix); returns the computed report.

    Every format carries the report's state (``state``): a draft, a year not over, a failing check."""
    from pathlib import Path

    from desktop.documents import annual_html, annual_pdf, annual_tables

    out = Path(out)
    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "pdf", "html", "htm"):
        raise ValidationFailed([f"〔--out〕{out.name}：请使用 .xlsx、.pdf 或 .html 文件"])
    report = compute(reg, year)
    marks = state(reg, year, report)
    agency = reg.settings().get("agency_name", "")
    if fmt == "xlsx":
        annual_tables.write_xlsx(report, out, agency, marks)
    elif fmt == "pdf":
        try:
            annual_pdf.write_pdf(report, out, agency, texts(reg, year), fee_sentence(report), marks)
        except MissingGlyphs as exc:
            raise ServiceError(str(exc)) from None
    else:
        annual_html.write_html(report, out, agency, texts(reg, year), fee_sentence(report), marks)
    return report
