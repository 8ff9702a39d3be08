"""Moving an Excel ledger (台账) in and out (interfaces.md).

Import is all-or-nothing: every row is checked first, every problem is reported as
``第N行 〔列名〕 reason``, and only a clean file is written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import search as search_q
from db.queries import settings as settings_q
from desktop.documents.ledger_xlsx import (
    INPUT_COLUMNS,
    MAX_CELL,
    REQUIRED_COLUMNS,
    LedgerFileError,
    read_ledger,
    write_ledger,
    write_problem_copy,
)
from desktop.domain import application, deadlines, outcomes, workflow
from desktop.domain.workflow import STATE_LABELS
from desktop.services import cases as cases_svc
from desktop.services.base import Actor, Registry, ServiceError, require_role

Progress = Callable[[int, int], None]

_FORM_FIELDS = {
    "收到日期": "received_on", "申请方式": "channel", "申请人类型": "applicant_type", "申请人": "name",
    "证件类型": "id_type", "证件号码": "id_number", "联系电话": "phone", "通讯地址": "address",
    "电子邮箱": "email", "申请内容": "request_text", "备注": "remarks",
}
# Every form field is checked on import by the registration form's own rule (application.check_field).
_CHECKED = tuple(_FORM_FIELDS.values())
# Longest value accepted in the other columns (form fields have application.MAX_LENGTH); a column
# the import does not know is only bounded by Excel's own cell limit.
_COLUMN_LIMITS = {
    "收到日期": 30, "申请方式": 20, "申请人类型": 20, "申请编号": 40, "承办处室": 100, "补正告知日期": 30, "补正收到日期": 30, "延期天数": 10,
    "暂停开始日期": 30, "暂停结束日期": 30, "办理结果": 60, "答复日期": 30,
}


MAX_SHOWN = 200  # problems printed; a ledger with thousands of bad rows would bury the console


class LedgerRejected(ServiceError):
    """``problems`` holds every problem; the message shows the first ``MAX_SHOWN`` and the total."""

    def __init__(self, problems: list[str], note: str | None = None):
        self.problems = problems
        lines = problems[:MAX_SHOWN]
        if len(problems) > MAX_SHOWN:
            lines = [*lines, f"…共{len(problems)}个问题（以上是前{MAX_SHOWN}个）"]
        super().__init__("\n".join([*lines, *([note] if note else [])]))


def _rejected(problems: list[str], path: str | Path, errors_to: str | Path | None) -> LedgerRejected:
    """The rejection; with ``errors_to``, first the ledger written back with a 问题 column."""
    if errors_to is None:
        return LedgerRejected(problems)
    by_row: dict[int, list[str]] = {}
    for p in problems:
        number, _, rest = p.partition(" ")
        by_row.setdefault(int(number[1:number.index("行")]), []).append(rest)
    try:
        write_problem_copy(path, errors_to, by_row)
    except LedgerFileError as exc:
        return LedgerRejected(problems, str(exc))
    return LedgerRejected(problems, f"已把台账连同“问题”列另存为 {errors_to}，请在其中修改后重新导入（本次未导入）")


@dataclass
class ImportResult:
    rows: int
    case_nos: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Row:
    number: int
    form: dict[str, Any]
    case_no: str | None
    facts: dict[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _check_row(number: int, raw: dict[str, Any], today: date, divisions: dict[str, int],
               problems: list[str]) -> _Row | None:
    flagged: set[str] = set()  # columns already refused for length or invisible characters

    def bad(column: str, reason: str) -> None:
        if column not in flagged:
            problems.append(f"第{number}行 〔{column}〕 {reason}")

    start = len(problems)
    for column, value in raw.items():
        if not isinstance(value, str) or _FORM_FIELDS.get(column) in application.MAX_LENGTH:
            continue  # check_field below applies the same two rules
        limit = _COLUMN_LIMITS.get(column, MAX_CELL)
        if len(value) > limit:
            bad(column, f"过长（{len(value)}个字符，最多{limit}个）")
            flagged.add(column)
        elif (invisible := application.invisible_problem(value)) is not None:
            bad(column, invisible)
            flagged.add(column)
    form = {f: raw.get(col) for col, f in _FORM_FIELDS.items()}
    form = {k: (v if isinstance(v, date) else _text(v)) for k, v in form.items()}
    column_of = {f: col for col, f in _FORM_FIELDS.items()}
    for f in _CHECKED:
        msg = application.check_field(f, form.get(f), form, today)
        if msg:
            bad(column_of[f], msg)

    def day(column: str) -> date | None:
        value = raw.get(column)
        if value in (None, ""):
            return None
        try:
            d = application.parse_date(value)
        except ValueError as exc:
            bad(column, str(exc))
            return None
        if d > today:
            bad(column, f"不能晚于今天（{today.isoformat()}）")
        elif d < application.EARLIEST_RECEIPT:
            bad(column, f"不能早于{application.EARLIEST_RECEIPT.isoformat()}")
        return d

    try:
        received = application.parse_date(form.get("received_on"))
    except ValueError:
        received = None
    notice, corrected = day("补正告知日期"), day("补正收到日期")
    pause_start, pause_end = day("暂停开始日期"), day("暂停结束日期")
    replied = day("答复日期")

    def not_before(column: str, d: date | None, other_column: str, other: date | None) -> None:
        if d and other and d < other:
            bad(column, f"{d.isoformat()}早于{other_column}{other.isoformat()}")

    not_before("补正告知日期", notice, "收到日期", received)
    if corrected and not notice:
        bad("补正收到日期", "填写了补正收到日期，但没有补正告知日期")
    not_before("补正收到日期", corrected, "补正告知日期", notice)
    if pause_end and not pause_start:
        bad("暂停结束日期", "填写了暂停结束日期，但没有暂停开始日期")
    not_before("暂停开始日期", pause_start, "收到日期", received)
    not_before("暂停结束日期", pause_end, "暂停开始日期", pause_start)

    extension = raw.get("延期天数")
    ext_days = 0
    if extension not in (None, ""):
        if isinstance(extension, bool) or not (isinstance(extension, int) or _text(extension).isdigit()):
            bad("延期天数", f"“{_text(extension)[:20]}”不是整数（应为1至20）")
        else:
            ext_days = int(extension)
            if not 1 <= ext_days <= deadlines.MAX_EXTENSION_DAYS:
                bad("延期天数", f"{ext_days}不在1至20之间")

    outcome_code = None
    outcome_text = _text(raw.get("办理结果"))
    if outcome_text:
        found = outcomes.find(outcome_text)
        if found is None:
            bad("办理结果", f"“{outcome_text[:30]}”不是办理结果目录中的名称或代码")
        else:
            outcome_code = found.code
        if raw.get("答复日期") in (None, ""):
            bad("答复日期", "填写了办理结果时必填")
        not_before("答复日期", replied, "收到日期", received)
        not_before("答复日期", replied, "补正收到日期", corrected)
    elif replied:
        bad("办理结果", "填写了答复日期，但没有办理结果")

    division_id = None
    division_name = _text(raw.get("承办处室"))
    if division_name:
        division_id = divisions.get(division_name)
        if division_id is None:
            bad("承办处室", f"“{division_name[:30]}”不是已有的处室，请先在系统管理中添加")

    case_no = _text(raw.get("申请编号")) or None
    if case_no and len(case_no) > 40:
        bad("申请编号", "过长（最多40个字符）")
    if len(problems) > start:
        return None
    return _Row(number, form, case_no, {
        "received_on": received.isoformat(),
        "lead_division_id": division_id,
        "correction_notice_on": notice.isoformat() if notice else None,
        "corrected_on": corrected.isoformat() if corrected else None,
        "extension_days": ext_days,
        "pause_start": pause_start.isoformat() if pause_start else None,
        "pause_end": pause_end.isoformat() if pause_end else None,
        "outcome": outcome_code,
        "concluded_on": replied.isoformat() if replied else None,
    })


def import_ledger(reg: Registry, actor: Actor, path: str | Path, dry_run: bool = False,
                  progress: Progress | None = None, errors_to: str | Path | None = None) -> ImportResult:
    """Check every row, then (unless ``dry_run``) add all cases in one transaction.
    When rows are refused and ``errors_to`` is given, the ledger is written there with a 问题 column."""
    require_role(actor, "clerk", "office_head", "admin", action="导入台账")
    from desktop.services import backup

    backup.refuse_if_damaged(reg, "导入台账")
    headers, rows = read_ledger(path)
    problems: list[str] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    for column in missing:
        problems.append(f"第1行 〔{column}〕 缺少此列")
    duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
    for column in duplicates:
        problems.append(f"第1行 〔{column}〕 列名重复")
    if problems:
        raise _rejected(problems, path, errors_to)
    today = reg.today()
    divisions = {r["name"]: r["id"] for r in settings_q.divisions(reg.conn)}
    checked: list[_Row] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        row = _check_row(number, raw, today, divisions, problems)
        if row is None:
            continue
        if row.case_no:
            if row.case_no in seen:
                problems.append(f"第{number}行 〔申请编号〕 “{row.case_no}”与第{seen[row.case_no]}行重复")
                continue
            seen[row.case_no] = number
        checked.append(row)
    for row_no, number in sorted((seen[n], n) for n in cases_q.numbers_taken(reg.conn, list(seen))):
        problems.append(f"第{row_no}行 〔申请编号〕 “{number}”已在系统中存在")
    if problems:
        problems.sort(key=lambda p: int(p[1:p.index("行")]))
        raise _rejected(problems, path, errors_to)
    if not checked:
        raise _rejected(["第2行 〔申请内容〕 台账中没有任何案件"], path, errors_to)
    from desktop.services import annual

    locked = annual.final_years(reg)
    for row in checked:
        years = {int(v[:4]) for k, v in row.facts.items() if k.endswith("_on") and isinstance(v, str) and v}
        for year in sorted(years & locked):
            problems.append(f"第{row.number}行 〔收到日期〕 {year}年度报告已定稿，该年度的数据已锁定")
    if problems:
        raise _rejected(problems, path, errors_to)
    result = ImportResult(len(checked), dry_run=dry_run)
    if dry_run:
        return result
    cal, now = reg.calendar(), reg.now()
    with reg.transaction():
        # Checked again once this seat holds the write lock: the same ledger imported at another
        # seat meanwhile wins, and this one is refused by row (not a UNIQUE-constraint error).
        taken = sorted((seen[n], n) for n in cases_q.numbers_taken(reg.conn, list(seen)))
        if taken:
            raise _rejected([f"第{row_no}行 〔申请编号〕 “{number}”已在系统中存在" for row_no, number in taken],
                            path, errors_to)
        for i, row in enumerate(checked, start=1):
            values = application.normalise(row.form)
            applicant_id = cases_svc.applicant_id_for(reg, values)
            case_no = row.case_no or cases_svc.next_case_no(reg, values["received_on"].year)
            case_id = cases_q.insert(reg.conn, {
                "case_no": case_no, "applicant_id": applicant_id, "applicant_name": values["name"],
                "applicant_type": values["applicant_type"], "channel": values["channel"],
                "received_on": values["received_on"].isoformat(), "request_text": values["request_text"],
                "remarks": values["remarks"], "created_at": now, "created_by": actor.user_id,
                "state": "registered"})
            search_q.index_case(reg.conn, case_id, values["received_on"].isoformat(), values["request_text"],
                                  values["name"])
            payload = {**row.facts, "source": f"{Path(path).name} 第{row.number}行"}
            events_q.append(reg.conn, case_id, "ledger_import", row.facts["received_on"], now,
                            actor.user_id, payload)
            facts = workflow.replay([workflow.Event("ledger_import", values["received_on"], payload)])
            cases_q.update_derived(reg.conn, case_id, cases_svc.derived_values(facts, cal, today),
                                   bump_version=False)
            result.case_nos.append(case_no)
            if progress and i % 500 == 0:
                progress(i, len(checked))
    if progress:
        progress(len(checked), len(checked))
    return result


def ledger_records(reg: Registry, year: int | None = None, case_ids: list[int] | None = None,
                   actor: Actor | None = None):
    """(count, iterator of row dicts) for the export: stored facts plus the computed columns.
    ID and phone numbers are masked unless ``actor`` may see personal data; a division user exports
    only the cases they may read."""
    from desktop.services import privacy

    rows = cases_q.ledger_rows(reg.conn, year, case_ids, privacy.visible_to(actor))
    full = privacy.can_see_personal(actor)
    cal, today = reg.calendar(), reg.today()
    due_soon = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))

    def generate():
        for start in range(0, len(rows), 2000):
            chunk = rows[start:start + 2000]
            events = events_q.for_cases(reg.conn, [r["id"] for r in chunk])
            for r in chunk:
                facts = workflow.replay(cases_svc.domain_events(events[r["id"]]))
                record = _record(r, facts, deadlines.compute(facts, cal, today, due_soon))
                if not full:
                    record = privacy.masked(record, actor, "证件号码", "联系电话", "证件类型")
                yield record

    return len(rows), generate()


def _record(r, facts: workflow.CaseFacts, dl: deadlines.Deadline) -> dict[str, Any]:
    pause = facts.pauses[0] if facts.pauses else None
    outcome = outcomes.BY_CODE.get(facts.outcome) if facts.outcome_fixed and facts.outcome else None
    return {
        "申请编号": r["case_no"],
        "收到日期": facts.received_on,
        "申请方式": r["channel"],
        "申请人类型": r["applicant_type"],
        "申请人": r["applicant_name"],
        "证件类型": r["id_type"],
        "证件号码": r["id_number"],
        "联系电话": r["phone"],
        "通讯地址": r["address"],
        "电子邮箱": r["email"],
        "申请内容": r["request_text"],
        "承办处室": r["lead_division_name"],
        "补正告知日期": facts.correction_notice_on,
        "补正收到日期": facts.corrected_on,
        "延期天数": facts.extension_days or None,
        "暂停开始日期": pause.start if pause else None,
        "暂停结束日期": pause.end if pause else None,
        "办理结果": outcome.label if outcome else None,
        "答复日期": facts.concluded_on if outcome else None,
        "备注": r["remarks"],
        "答复期限": dl.due_on,
        "剩余工作日": dl.days_left,
        "办理状态": STATE_LABELS.get(facts.state or "", ""),
        "是否超期": "是" if dl.overdue else "否",
        "年报统计行": outcome.report_row if outcome else None,
    }


def export_ledger(reg: Registry, actor: Actor, path: str | Path, year: int | None = None,
                  case_ids: list[int] | None = None, progress: Progress | None = None) -> int:
    """Write the ledger with the computed columns; returns the number of cases."""
    total, records = ledger_records(reg, year, case_ids, actor)
    return write_ledger(path, records, total, progress)


__all__ = ["INPUT_COLUMNS", "ImportResult", "LedgerRejected", "export_ledger", "import_ledger"]
