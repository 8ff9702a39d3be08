"""Moving an Excel ledger (台账) in and out (interfaces.md).

Import is all-or-nothing: every row is checked first, every problem is reported as
``第N行 〔列名〕 reason``, and only a clean file is written, in one transaction.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from db.copy import reset_sequences
from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import search as search_q
from db.queries import settings as settings_q
from desktop.documents.ledger_xlsx import (
    COMPUTED_COLUMNS,
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
_COLUMN_OF = {f: column for column, f in _FORM_FIELDS.items()}
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
    new_divisions: list[str] = field(default_factory=list)  # created first (--create-divisions)


@dataclass(slots=True)
class _Row:
    number: int
    form: dict[str, Any]
    case_no: str | None
    facts: dict[str, Any]


# What the write needs of a checked row, kept compact (a 100,000-row ledger is held in memory between
# the check and the write): the applicant's fields (applicants.FIELDS order), the case's own, the facts.
_APPLICANT = ("kind", "applicant_type", "name", "id_type", "id_number", "work_unit", "legal_rep",
              "contact_person", "phone", "address", "postcode", "email")
_FACTS = ("received_on", "lead_division_id", "correction_notice_on", "corrected_on", "extension_days",
          "pause_start", "pause_end", "outcome", "concluded_on")


@dataclass(slots=True)
class _Checked:
    number: int
    case_no: str | None
    applicant: tuple
    channel: str
    request_text: str
    remarks: str | None
    facts: tuple

    @classmethod
    def of(cls, row: _Row) -> _Checked:
        values = application.normalise(row.form)
        return cls(row.number, row.case_no, tuple(values.get(f) for f in _APPLICANT), values["channel"],
                   values["request_text"], values["remarks"], tuple(row.facts[f] for f in _FACTS))

    @property
    def received_on(self) -> str:
        return self.facts[0]

    def applicant_key(self) -> tuple:
        """An applicant is the same one when the ID number and name agree, or (without an ID number)
        type, name and phone do (applicants.find_same)."""
        kind, applicant_type, name, _t, id_number, *_rest = self.applicant
        return (id_number, name) if id_number else (None, name, applicant_type, self.applicant[8] or "")


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
    form = {}
    for column, f in _FORM_FIELDS.items():
        value = raw.get(column)
        form[f] = value if isinstance(value, date) else _text(value)
    for f in _CHECKED:
        msg = application.check_field(f, form[f], form, today)
        if msg:
            bad(_COLUMN_OF[f], msg)

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
        if division_id is None and len(division_name) > 50:
            bad("承办处室", f"“{division_name[:30]}…”过长（处室名称最多50个字符）")
        elif division_id is None and not application.invisible_problem(division_name):
            # a division the registry does not have yet: said once, for all rows
            division_id = divisions[division_name] = -1 - sum(1 for i in divisions.values() if i < 0)

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
                  progress: Progress | None = None, errors_to: str | Path | None = None,
                  create_divisions: bool = False) -> ImportResult:
    """Check every row, then (unless ``dry_run``) add all cases in one transaction.
    When rows are refused and ``errors_to`` is given, the ledger is written there with a 问题 column.
    Divisions the ledger names that the registry lacks are refused, listed once — or, with
    ``create_divisions``, created first in the same transaction (an office moving in from its ledger)."""
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
    checked: list[_Checked] = []
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
        checked.append(_Checked.of(row))
    for row_no, number in sorted((seen[n], n) for n in cases_q.numbers_taken(reg.conn, list(seen))):
        problems.append(f"第{row_no}行 〔申请编号〕 “{number}”已在系统中存在")
    new_divisions = [name for name, i in sorted(divisions.items(), key=lambda d: -d[1]) if i < 0]
    if new_divisions and not create_divisions:
        names = "、".join(f"“{n}”" for n in new_divisions)
        problems.append(f"第1行 〔承办处室〕 台账中的{len(new_divisions)}个处室在系统中还没有：{names}。请先添加"
                        "（系统管理或 division add），或导入时加 --create-divisions 一并创建")
    if problems:
        problems.sort(key=lambda p: int(p[1:p.index("行")]))
        raise _rejected(problems, path, errors_to)
    if not checked:
        raise _rejected(["第2行 〔申请内容〕 台账中没有任何案件"], path, errors_to)
    from desktop.services import annual

    locked = annual.final_years(reg)
    if locked:
        for row in checked:
            years = {int(v[:4]) for k, v in zip(_FACTS, row.facts, strict=True)
                     if k.endswith("_on") and isinstance(v, str) and v}
            for year in sorted(years & locked):
                problems.append(f"第{row.number}行 〔收到日期〕 {year}年度报告已定稿，该年度的数据已锁定")
    if problems:
        raise _rejected(problems, path, errors_to)
    result = ImportResult(len(checked), dry_run=dry_run, new_divisions=new_divisions)
    if dry_run:
        return result
    with reg.transaction():
        # Checked again once this seat holds the write lock: the same ledger imported at another
        # seat meanwhile wins, and this one is refused by row (not a UNIQUE-constraint error).
        taken = sorted((seen[n], n) for n in cases_q.numbers_taken(reg.conn, list(seen)))
        if taken:
            raise _rejected([f"第{row_no}行 〔申请编号〕 “{number}”已在系统中存在" for row_no, number in taken],
                            path, errors_to)
        created = {}
        for name in new_divisions:  # first, in the same all-or-nothing transaction
            from desktop.services import agency

            created[divisions[name]] = agency.add_division(reg, actor, name)
        result.case_nos = _write(reg, actor, checked, set(seen), Path(path).name, progress, created)
    if progress:
        progress(len(checked), len(checked))
    return result


IMPORT_BATCH = 5000


def _write(reg: Registry, actor: Actor, checked: list[_Checked], given: set[str], source: str,
           progress: Progress | None, created: dict[int, int] | None = None) -> list[str]:
    """Write the checked rows, set-based (a few statements per batch of rows, not per row), inside the
    caller's transaction; returns the case numbers in row order. While one batch is written (SQLite or
    the server at work, outside the GIL) the next is prepared: derived values, payloads, hash chain."""
    from concurrent.futures import ThreadPoolExecutor

    conn, cal, today, now = reg.conn, reg.calendar(), reg.today(), reg.now()
    applicant_ids = _applicant_ids(reg, checked, now)
    numbers = _case_numbers(reg, checked, given)
    first_id = cases_q.max_id(conn) + 1
    prev = events_q.last_hash(conn)
    case_columns = ("id", "case_no", "applicant_id", "applicant_name", "applicant_type", "channel", "received_on",
                    "request_text", "remarks", "created_at", "created_by", *cases_q.DERIVED_FIELDS)

    def write(cases: list[tuple], indexed: list[tuple], events: list[tuple]) -> None:
        cases_q.insert_many(conn, case_columns, cases)
        search_q.index_cases(conn, indexed)
        events_q.insert_chained(conn, events)

    # one writer thread; this thread leaves the connection to it until the import is written
    with ThreadPoolExecutor(1, thread_name_prefix="ledger-import") as writer:
        pending = None
        for start in range(0, len(checked), IMPORT_BATCH):
            batch = checked[start:start + IMPORT_BATCH]
            cases, indexed, events = [], [], []
            for offset, row in enumerate(batch, start=start):
                case_id = first_id + offset
                facts = dict(zip(_FACTS, row.facts, strict=True))
                if created and facts.get("lead_division_id") in created:  # a division made by this import
                    facts["lead_division_id"] = created[facts["lead_division_id"]]
                payload = {**facts, "source": f"{source} 第{row.number}行"}
                replayed = workflow.replay([workflow.Event("ledger_import", date.fromisoformat(row.received_on),
                                                           payload)])
                derived = cases_svc.derived_values(replayed, cal, today)
                name, applicant_type = row.applicant[2], row.applicant[1]
                cases.append((case_id, numbers[offset], applicant_ids[offset], name, applicant_type, row.channel,
                              row.received_on, row.request_text, row.remarks, now, actor.user_id,
                              *(derived[f] for f in cases_q.DERIVED_FIELDS)))
                indexed.append((case_id, row.received_on, row.request_text, name))
                events.append((case_id, "ledger_import", row.received_on, now, actor.user_id, payload))
            events, prev = events_q.chained(prev, events)
            if pending is not None:
                pending.result()  # the batch before is written (or its error raised here)
            if progress:
                progress(start, len(checked))
            pending = writer.submit(write, cases, indexed, events)
        if pending is not None:
            pending.result()
    reset_sequences(conn)  # PostgreSQL: the next ids follow the ones given here
    return numbers


def _applicant_ids(reg: Registry, checked: list[_Checked], now: str) -> list[int]:
    """Each row's applicant: one already recorded (the same rule as registration), else a new one —
    once per person or organisation however many rows name them."""
    keys = [row.applicant_key() for row in checked]
    found = cases_q.existing_applicants(reg.conn, sorted({k for k in keys if k[0]}),
                                        sorted({k for k in keys if not k[0]}, key=lambda k: k[1:]))
    next_id = applicants_q.max_id(reg.conn) + 1
    new = []
    out = []
    for key, row in zip(keys, checked, strict=True):
        applicant_id = found.get(key)
        if applicant_id is None:
            applicant_id = found[key] = next_id
            next_id += 1
            new.append((applicant_id, *row.applicant, now))
        out.append(applicant_id)
    for start in range(0, len(new), IMPORT_BATCH):
        cases_q.insert_applicants_with_ids(reg.conn, new[start:start + IMPORT_BATCH])
    return out


def _case_numbers(reg: Registry, checked: list[_Checked], given: set[str]) -> list[str]:
    """The number of each row: its own, or the next free one of its year (in row order), skipping any
    number already in the registry or given to another row of the ledger."""
    pattern = reg.settings().get("case_no_pattern", "{year}-{seq:05d}")
    blank_by_year: dict[int, int] = {}
    for row in checked:
        if not row.case_no:
            year = int(row.received_on[:4])
            blank_by_year[year] = blank_by_year.get(year, 0) + 1
    free: dict[int, list[str]] = {}
    for year, wanted in blank_by_year.items():
        seq = settings_q.next_number(reg.conn, cases_svc.CASE_NO_KIND, year)
        numbers: list[str] = []
        while len(numbers) < wanted:
            candidates = [pattern.format(year=year, seq=n) for n in range(seq, seq + wanted - len(numbers))]
            taken = cases_q.numbers_taken(reg.conn, candidates) | (given & set(candidates))
            numbers += [c for c in candidates if c not in taken]
            seq += len(candidates)
        settings_q.raise_sequence(reg.conn, cases_svc.CASE_NO_KIND, year, seq - 1)
        numbers.reverse()
        free[year] = numbers
    return [row.case_no or free[int(row.received_on[:4])].pop() for row in checked]


EXPORT_BATCH = 1000  # cases read, replayed and written at a time: memory stays the same for any export
COLUMNS = INPUT_COLUMNS + COMPUTED_COLUMNS


def export_ids(reg: Registry, year: int | None = None, case_ids: Sequence[int] | None = None,
               actor: Actor | None = None) -> array:
    """The cases an export writes, in its order: ``case_ids`` as given (a filter of the list, in the
    list's order), else the registry (or a year of it) by date of receipt and number; a division user
    only what they may read. A compact array (8 bytes a case)."""
    from desktop.services import privacy

    visible_to = privacy.visible_to(actor)
    if case_ids is None:
        return cases_q.ledger_ids(reg.conn, year, visible_to)
    allowed = set(cases_q.ledger_ids(reg.conn, year, visible_to)) if visible_to or year is not None else None
    out, seen = array("q"), set()
    for case_id in case_ids:
        if case_id not in seen and (allowed is None or case_id in allowed):
            seen.add(case_id)
            out.append(case_id)
    return out


# The events that set a column of the ledger the case row does not hold: the correction's dates, the
# extension, the pauses (and the letters whose delivery bounds them; a withdrawal or unpaid fee ends
# one), the art. 35 due date, a ledger's own row. What the row holds — receipt, state, outcome and
# conclusion — is the projection of all the case's events, written with them and checked against a full
# replay by `verify` (cases.rows_that_disagree_with_events): the export takes it from there.
# Registering, assigning, signing for, drafting, review and approval, the reply and its delivery, an
# abandonment, reopening, notes, letters, attachments and archiving set nothing else the ledger shows,
# so most cases are not replayed at all (tests/unit/test_ledger.py compares every column with a full
# replay, for histories holding every kind of event; each type here is needed there). Replaying every
# event was half of the export's time.
LEDGER_EVENTS = frozenset({
    "ledger_import", "correction_notice", "corrected", "extension_approve", "consultation_start",
    "consultation_end", "art35_delay", "fee_notice", "fee_paid", "fee_unpaid", "letter_delivered", "withdrawn",
})


def ledger_rows(reg: Registry, ids: Sequence[int], actor: Actor | None = None,
                full_replay: bool = False) -> Iterator[list[Any]]:
    """The ledger's rows for ``ids`` (in that order) as values in ``COLUMNS`` order: the stored facts
    and the columns computed from each case's facts — its row, and the replay of its ``LEDGER_EVENTS``
    (``full_replay``: of every event, as the case's own page replays them) — read in batches."""
    from desktop.services import privacy

    conn, cal, today = reg.conn, reg.calendar(), reg.today()
    due_soon = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
    divisions = reg.division_names()
    full = privacy.can_see_personal(actor)
    Event, replay, compute, fromiso = _Event, workflow.replay, deadlines.compute, date.fromisoformat
    Facts, types = workflow.CaseFacts, None if full_replay else LEDGER_EVENTS
    for start in range(0, len(ids), EXPORT_BATCH):
        chunk = list(ids[start:start + EXPORT_BATCH])
        rows = {r[0]: r for r in cases_q.ledger_columns(conn, chunk)}
        history: dict[int, list] = {}
        for case_id, type_, on, payload in events_q.replay_rows(conn, chunk, types):
            history.setdefault(case_id, []).append(Event(type_, fromiso(on), _Payload(payload)))
        for case_id in chunk:
            r = rows.get(case_id)
            if r is None:  # deleted meanwhile
                continue
            events = history.get(case_id)
            facts = replay(events) if events else Facts()
            if not full_replay:  # what the row holds (verified against every event)
                state, received, outcome, concluded = r[13:]
                facts.state, facts.outcome, facts.outcome_fixed = state, outcome, outcome is not None
                facts.concluded_on = fromiso(concluded) if concluded else None
                if facts.received_on is None:
                    facts.received_on = fromiso(received)
                if facts.clock_start is None:
                    facts.clock_start = facts.received_on
            values = _values(r, divisions, facts, compute(facts, cal, today, due_soon, full_replay), cal)
            if not full:
                shown = privacy.masked({"证件类型": values[5], "证件号码": values[6], "联系电话": values[7]},
                                       actor, "证件号码", "联系电话", "证件类型")
                values[6], values[7] = shown["证件号码"], shown["联系电话"]
            yield values


def ledger_records(reg: Registry, year: int | None = None, case_ids: list[int] | None = None,
                   actor: Actor | None = None) -> tuple[int, Iterator[dict[str, Any]]]:
    """(count, iterator of row dicts by header) for the export: stored facts plus the computed columns.
    ID and phone numbers are masked unless ``actor`` may see personal data; a division user exports
    only the cases they may read."""
    ids = export_ids(reg, year, case_ids, actor)
    return len(ids), (dict(zip(COLUMNS, values, strict=True)) for values in ledger_rows(reg, ids, actor))


class _Event(NamedTuple):
    """A recorded event as the replay reads it (workflow.Event's fields), made cheaply for the many
    events of an export; its payload is decoded only if the replay looks into it."""
    type: str
    on: date
    payload: Mapping[str, Any]
    actor_id: int | None = None
    at: str = ""


class _Payload(Mapping):
    """An event's JSON payload, decoded on first use (most steps of a case are replayed by their type
    alone: signing for, submitting, approving, delivering, filing, notes)."""
    __slots__ = ("_text", "_data")

    def __init__(self, text: str):
        self._text, self._data = text, None

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self._text)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._decoded().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._decoded()

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


def _values(r: tuple, divisions: dict[int, str], facts: workflow.CaseFacts, dl: deadlines.Deadline,
            cal=None) -> list[Any]:
    """One row of the ledger in ``COLUMNS`` order (r: cases_q.LEDGER_COLUMNS). A pause ends in the
    ledger where it ended for the clock: at the other side's last day at the latest (domain.md §3),
    so the ledger imported elsewhere gives the same 答复期限."""
    _id, case_no, channel, applicant_type, name, id_type, id_number, phone, address, email, text, division, \
        remarks = r[:13]
    pause = facts.pauses[0] if facts.pauses else None
    pause_end = pause.end if pause else None
    if pause is not None and pause_end is not None and cal is not None:
        limit = deadlines.pause_limit(pause, facts, cal)
        if limit is not None and limit < pause_end:
            pause_end = limit
    outcome = outcomes.BY_CODE.get(facts.outcome) if facts.outcome_fixed and facts.outcome else None
    return [case_no, facts.received_on, channel, applicant_type, name, id_type, id_number, phone, address, email,
            text, divisions.get(division) if division is not None else None, facts.correction_notice_on,
            facts.corrected_on, facts.extension_days or None, pause.start if pause else None,
            pause_end, outcome.label if outcome else None,
            facts.concluded_on if outcome else None, remarks, dl.due_on, dl.days_left,
            STATE_LABELS.get(facts.state or "", ""), "是" if dl.overdue else "否",
            outcome.report_row if outcome else None]


def export_ledger(reg: Registry, actor: Actor, path: str | Path, year: int | None = None,
                  case_ids: Sequence[int] | None = None, progress: Progress | None = None) -> int:
    """Write the ledger with the computed columns; returns the number of cases. The cases are read in
    batches straight into the file, in the order of ``case_ids`` when given (a filter of the list),
    else in registry order: memory does not grow with the number of cases."""
    ids = export_ids(reg, year, case_ids, actor)
    return write_ledger(path, ledger_rows(reg, ids, actor), len(ids), progress, COLUMNS)


__all__ = ["COLUMNS", "INPUT_COLUMNS", "ImportResult", "LedgerRejected", "export_ledger", "import_ledger"]
