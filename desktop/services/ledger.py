"""Moving an Excel ledger (台账) in and out (interfaces.md).

Import is all-or-nothing: every row is checked first, every problem is reported as
``第N行 〔列名〕 reason``, and only a clean file is written, in one transaction.
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from db import connection
from db.copy import reset_sequences
from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import settings as settings_q
from desktop.documents.ledger_xlsx import (
    COMPUTED_COLUMNS,
    INPUT_COLUMNS,
    MAX_CELL,
    REQUIRED_COLUMNS,
    LedgerFileError,
    read_ledger_values,
    row_dict,
    write_ledger,
    write_problem_copy,
)
from desktop.domain import application, deadlines, identity, outcomes, workflow
from desktop.domain.workflow import STATE_LABELS
from desktop.services import cases as cases_svc
from desktop.services.base import Actor, Changes, Registry, ServiceError, require_role
from desktop.services.cases.creation import NewCase, prepare_cases, write_prepared

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

    @property
    def changes(self) -> Changes:
        """What the import changed: a whole ledger of cases (every list, count and figure; the numbers
        are named), and the divisions it created."""
        if self.dry_run:
            return Changes()
        return Changes(case_nos=tuple(self.case_nos), people=bool(self.new_divisions), everything=bool(self.case_nos))


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


# -- the check of a clean row, fast ------------------------------------------------------------------
# Most rows of a ledger are clean. ``_fast_checker`` proves a row clean with a few set lookups, cached
# date and outcome parses and the identity checks themselves, and gives the same ``_Checked`` as the
# full check (``_check_row`` then ``_Checked.of``); a row it cannot prove clean — any text it would
# have to clean, any value of an unusual type, any rule broken — goes to the full check, which finds
# and words the problems. Whatever this path accepts, the full one accepts with the same result
# (tests/unit/test_ledger_import_fast.py compares the two).
# Text the full check would change (NFC aside) or refuse: controls (and CR), invisible marks.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Whitespace at either end of a cell's text (cells joined by "\n"): str.strip's own, as \s is.
_PADDED = re.compile(r"\A\s|\s\Z|\n\s|\s\n")
_DATE_COLUMNS = ("补正告知日期", "补正收到日期", "暂停开始日期", "暂停结束日期", "答复日期")


def _fast_checker(headers: list[str], today: date, divisions: dict[str, int]) -> Callable[[int, Sequence], _Checked | None]:
    at = {h: i for i, h in enumerate(headers) if h}
    width = len(headers)
    none = width  # the index of a column the ledger lacks: reads as empty
    ix = {c: at.get(c, none) for c in (*_FORM_FIELDS, "申请编号", "承办处室", "延期天数", "办理结果", *_DATE_COLUMNS)}
    i_recv, i_channel, i_type, i_name = ix["收到日期"], ix["申请方式"], ix["申请人类型"], ix["申请人"]
    i_idtype, i_idno, i_phone, i_addr = ix["证件类型"], ix["证件号码"], ix["联系电话"], ix["通讯地址"]
    i_email, i_text, i_remarks, i_no = ix["电子邮箱"], ix["申请内容"], ix["备注"], ix["申请编号"]
    i_div, i_ext, i_outcome = ix["承办处室"], ix["延期天数"], ix["办理结果"]
    i_dates = tuple(ix[c] for c in _DATE_COLUMNS)
    unknown_long = any(h not in ix for h in at)  # a column only bounded by Excel's cell limit
    channels, types, org_types = frozenset(application.CHANNELS), frozenset(application.APPLICANT_TYPES), \
        frozenset(application.ORG_TYPES)
    allowed_ids = {t: frozenset(application.id_types_for(t)) for t in application.APPLICANT_TYPES}
    earliest = application.EARLIEST_RECEIPT
    parsed: dict[str, date | None] = {}  # a date written as text → the date (None: not one)
    found_outcomes: dict[str, str | None] = {}
    check_id, check_phone, check_email = identity.check_id_number, identity.check_phone, identity.check_email
    suspect, mobile, normalized = _SUSPECT.search, _MOBILE.fullmatch, unicodedata.is_normalized
    padded = _PADDED.search
    credit, resident = identity.ID_TYPE_CREDIT_CODE, "居民身份证"

    def day(v: Any, limit_30: bool = True) -> date | None | bool:
        """A date cell: the date, None when empty, False when the full check must look at it."""
        cls = v.__class__
        if cls is date:
            d = v
        elif cls is str:
            if not v:
                return None
            d = parsed.get(v, False)
            if d is False:
                try:
                    d = application.parse_date(v) if len(v) <= 30 else None
                except ValueError:
                    d = None
                parsed[v] = d
            if d is None:
                return False
        elif cls is datetime and not (v.hour or v.minute or v.second or v.microsecond):
            d = v.date()
        elif v is None:
            return None
        else:
            return False
        return d if earliest <= d <= today else False

    def fast(number: int, values: Sequence) -> _Checked | None:
        if len(values) != width:
            return None
        joined = "\n".join([v for v in values if v.__class__ is str and v])
        if padded(joined):  # some text to trim first (as the full check's reading does)
            row = [v.strip() if v.__class__ is str else v for v in values]
            joined = "\n".join([v for v in row if v.__class__ is str and v])
        else:
            row = list(values)
        row.append("")
        if suspect(joined) or not normalized("NFC", joined) or (unknown_long and len(joined) > MAX_CELL):
            return None
        received = day(row[i_recv])
        channel, applicant_type, name = row[i_channel], row[i_type], row[i_name]
        if not received or channel not in channels or applicant_type not in types:
            return None
        if name.__class__ is not str or not name or len(name) > 100:
            return None
        id_type, id_number, phone, address, email = row[i_idtype], row[i_idno], row[i_phone], row[i_addr], \
            row[i_email]
        if id_type.__class__ is not str or id_number.__class__ is not str or phone.__class__ is not str \
                or address.__class__ is not str or email.__class__ is not str:
            return None
        if len(id_type) > 20 or len(address) > 200:
            return None
        if id_number:
            if len(id_number) > 40 or (id_type and id_type not in allowed_ids[applicant_type]):
                return None
            if check_id(id_type or (credit if applicant_type in org_types else resident), id_number) is not None:
                return None
            id_number = id_number.upper()
            id_type = id_type or (credit if applicant_type in org_types else resident)
        if phone and (len(phone) > 40 or (not mobile(phone) and check_phone(phone) is not None)):
            return None
        if email and (len(email) > 100 or check_email(email) is not None):
            return None
        text, remarks = row[i_text], row[i_remarks]
        if text.__class__ is not str or not text or len(text) > 5000 or remarks.__class__ is not str \
                or len(remarks) > 2000:
            return None
        case_no = row[i_no]
        if case_no.__class__ is not str or len(case_no) > 40:
            return None
        division, outcome_text = row[i_div], row[i_outcome]
        if division.__class__ is not str or outcome_text.__class__ is not str:
            return None  # (a number there is text to the full check: "0" is not empty)
        division_id = None
        if division:
            division_id = divisions.get(division) if len(division) <= 100 else None
            if division_id is None:
                return None
        notice, corrected, pause_start, pause_end, replied = (day(row[i]) for i in i_dates)
        if notice is False or corrected is False or pause_start is False or pause_end is False or replied is False:
            return None
        if (notice and notice < received) or (corrected and (not notice or corrected < notice)):
            return None
        if (pause_end and (not pause_start or pause_end < pause_start)) or (pause_start and pause_start < received):
            return None
        ext = row[i_ext]
        if ext == "" or ext is None:
            ext = 0
        elif ext.__class__ is float and ext.is_integer() and 1 <= ext <= deadlines.MAX_EXTENSION_DAYS:
            ext = int(ext)
        elif not (ext.__class__ is int and 1 <= ext <= deadlines.MAX_EXTENSION_DAYS):
            return None
        outcome = None
        if outcome_text:
            if len(outcome_text) > 60:
                return None
            outcome = found_outcomes.get(outcome_text, False)
            if outcome is False:
                hit = outcomes.find(outcome_text)
                outcome = found_outcomes[outcome_text] = hit.code if hit else None
            if outcome is None or not replied or replied < received or (corrected and replied < corrected):
                return None
        elif replied:
            return None
        kind = "person" if applicant_type == "自然人" else "org"
        return _Checked(number, case_no or None,
                        (kind, applicant_type, name, id_type or None, id_number or None, None, None, None,
                         phone or None, address or None, None, email or None),
                        channel, text, remarks or None,
                        (received.isoformat(), division_id, notice.isoformat() if notice else None,
                         corrected.isoformat() if corrected else None, ext,
                         pause_start.isoformat() if pause_start else None,
                         pause_end.isoformat() if pause_end else None, outcome,
                         replied.isoformat() if replied else None))

    return fast


class _Refused(Exception):
    """Raised inside the import's transaction (so that it is rolled back); made into LedgerRejected,
    with its copy of the ledger, once the write lock is let go."""

    def __init__(self, problems: list[str]):
        self.problems = problems


def import_ledger(reg: Registry, actor: Actor, path: str | Path, dry_run: bool = False,
                  progress: Progress | None = None, errors_to: str | Path | None = None,
                  create_divisions: bool = False) -> ImportResult:
    """Check every row and (unless ``dry_run``) add all cases in one transaction: all or nothing.
    When rows are refused and ``errors_to`` is given, the ledger is written there with a 问题 column.
    Divisions the ledger names that the registry lacks are refused, listed once — or, with
    ``create_divisions``, created first in the same transaction (an office moving in from its ledger).

    A process of its own (``ledger_reader``) reads the file, checks the rows and prepares their cases
    batch by batch (``read_rows``) while this one writes each batch inside the transaction: a row found
    wrong later rolls all of it back (as does a crash, or either process killed), so nothing is saved
    unless every row is right, and only a few batches are held in memory. A ledger whose rows need the
    whole file known first — rows without a number (their numbers skip every number the ledger gives),
    or naming divisions still to be created — is held from that row on and written at the end."""
    require_role(actor, "clerk", "office_head", "admin", action="导入台账")
    from desktop.services import backup

    backup.refuse_if_damaged(reg, "导入台账")
    try:
        if dry_run:
            return _import(reg, actor, path, None, progress, create_divisions)
        # every reference the import writes is its own (applicants it adds, the divisions and the
        # user it reads in the transaction): SQLite need not look each one up again
        with connection.references_made_by_caller(reg.conn), reg.transaction():
            writer = _Writer(reg, actor, Path(path).name)
            try:
                return _import(reg, actor, path, writer, progress, create_divisions)
            finally:
                writer.close()
    except _Refused as refused:
        raise _rejected(refused.problems, path, errors_to) from None


@dataclass
class _ReadEnd:
    """What the reading process found once every row is read (``read_rows``'s last message)."""
    problems: list[str]
    locked_problems: list[str]  # told only when nothing else is wrong
    count: int  # rows accepted
    seen: dict[str, int]  # number given in the ledger → its row
    held: list[_Checked]  # rows to be written at the end (see import_ledger)
    divisions: dict[str, int]  # with the ledger's new ones, as negative ids


def _import(reg: Registry, actor: Actor, path: str | Path, writer: _Writer | None, progress: Progress | None,
            create_divisions: bool) -> ImportResult:
    from desktop.services import annual
    from desktop.services.ledger_reader import ReaderProcess, ReadSpec

    divisions = {r["name"]: r["id"] for r in settings_q.divisions(reg.conn)}
    spec = ReadSpec(str(Path(path).resolve()), reg.today(), divisions, frozenset(annual.final_years(reg)),
                    IMPORT_BATCH, writer is not None)
    if writer is not None:
        spec = writer.spec(spec)
    total = 0
    end: _ReadEnd | None = None
    with _collector_paused(), ReaderProcess(spec) as reader:
        for message in reader:
            kind = message[0]
            if kind in ("batch", "rows"):
                if kind == "batch":
                    writer.write(*message[1:])
                else:
                    writer.write_rows(message[1])
                if progress:
                    progress(writer.submitted, max(total, writer.submitted))
            elif kind == "total":
                total = message[1]
                if writer is not None:
                    writer.expect(total)
            elif kind == "end":
                end = message[1]
            elif kind == "rejected":
                raise _Refused(message[1])
            else:
                raise LedgerFileError(message[1])
    problems, divisions, seen = end.problems, end.divisions, end.seen
    written_upto = 0  # the rows up to this one are written (each batch checked its numbers first)
    if writer is not None:
        problems += writer.refused
        written_upto = writer.written_upto
    # the numbers not written yet, checked against the registry (told with any other problems)
    unwritten = [n for n, row_no in seen.items() if row_no > written_upto]
    for row_no, number in sorted((seen[n], n) for n in cases_q.numbers_taken(reg.conn, unwritten)):
        problem = f"第{row_no}行 〔申请编号〕 “{number}”已在系统中存在"
        if writer is None or problem not in writer.refused:
            problems.append(problem)
    new_divisions = [name for name, i in sorted(divisions.items(), key=lambda d: -d[1]) if i < 0]
    if new_divisions and not create_divisions:
        names = "、".join(f"“{n}”" for n in new_divisions)
        problems.append(f"第1行 〔承办处室〕 台账中的{len(new_divisions)}个处室在系统中还没有：{names}。请先添加"
                        "（系统管理或 division add），或导入时加 --create-divisions 一并创建")
    if problems:
        problems.sort(key=lambda p: int(p[1:p.index("行")]))
        raise _Refused(problems)
    if not end.count:
        raise _Refused(["第2行 〔申请内容〕 台账中没有任何案件"])
    if end.locked_problems:
        raise _Refused(end.locked_problems)
    result = ImportResult(end.count, dry_run=writer is None, new_divisions=new_divisions)
    if writer is None:
        return result
    held = end.held
    if held:
        created = {}
        for name in new_divisions:  # first, in the same all-or-nothing transaction
            from desktop.services import agency

            created[divisions[name]] = agency.add_division(reg, actor, name).id
        numbers = _case_numbers(reg, held, set(seen))
        for start in range(0, len(held), IMPORT_BATCH):
            writer.write_rows(held[start:start + IMPORT_BATCH], numbers[start:start + IMPORT_BATCH], created)
            if progress:
                progress(writer.submitted, end.count)
        if writer.refused:
            raise _Refused(writer.refused)
    writer.finish()
    result.case_nos = writer.case_nos
    if progress:
        progress(end.count, end.count)
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held while the batches come in: the writing makes no reference cycles,
    and a collector walking every object of the program (a window's thousands) each few thousand new
    rows is time taken from the write. Process-wide, for the import's seconds; then as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_rows(spec, program_waiting: Callable[[], bool] = lambda: False) -> Iterator[tuple]:
    """The reading process's work (``ledger_reader``): the file read and every row checked (a clean row
    by the fast check, any other by the full one, which words its problems), and — unless a dry run,
    or once a row is refused — the rows sent batch by batch, in row order, as messages: ``("total", n)``
    (the rows the sheet spans, for the progress); ``("batch", entries, numbers, prepared)``, the rows
    prepared as cases — or, when ``program_waiting()`` (nothing is left for the program to write),
    ``("rows", checked)`` for the program to prepare itself while this process goes on with the next
    (both cores at work whichever side is slower); then ``("end", _ReadEnd)``; ``("rejected",
    problems)`` for a header that is wrong."""
    headers, rows = read_ledger_values(spec.path)
    try:
        problems: list[str] = []
        for column in (c for c in REQUIRED_COLUMNS if c not in headers):
            problems.append(f"第1行 〔{column}〕 缺少此列")
        for column in sorted({h for h in headers if h and headers.count(h) > 1}):
            problems.append(f"第1行 〔{column}〕 列名重复")
        if problems:
            yield ("rejected", problems)
            return
        yield ("total", rows.total)
        today, divisions, locked = spec.today, dict(spec.divisions), spec.locked
        locked_problems: list[str] = []
        seen: dict[str, int] = {}
        batch: list[_Checked] = []
        held: list[_Checked] = []
        streaming = spec.write
        count = 0
        first_id = spec.first_id
        fast = _fast_checker(headers, today, divisions)
        size = min(spec.batch, IMPORT_FIRST_BATCH)  # the program writes nothing until the first batch comes

        def prepared(rows: list[_Checked]) -> tuple:
            nonlocal first_id
            start, first_id = first_id, first_id + len(rows)
            if program_waiting():
                return ("rows", rows)
            numbers = [row.case_no for row in rows]
            return ("batch", _entries(rows), numbers, _prepare(rows, numbers, None, spec, start))

        for number, values in rows:
            row = fast(number, values)
            if row is None:
                full = _check_row(number, row_dict(headers, values), today, divisions, problems)
                if full is None:
                    streaming = False  # refused in the end: nothing more to write
                    continue
                row = _Checked.of(full)
            if row.case_no:
                if row.case_no in seen:
                    problems.append(f"第{number}行 〔申请编号〕 “{row.case_no}”与第{seen[row.case_no]}行重复")
                    streaming = False
                    continue
                seen[row.case_no] = number
            if locked:
                years = {int(v[:4]) for k, v in zip(_FACTS, row.facts, strict=True)
                         if k.endswith("_on") and isinstance(v, str) and v}
                for year in sorted(years & locked):
                    locked_problems.append(f"第{row.number}行 〔收到日期〕 {year}年度报告已定稿，该年度的数据已锁定")
                    streaming = False
            count += 1
            if not spec.write or problems or locked_problems:
                continue  # refused in the end: nothing more to write
            if streaming and (not row.case_no or (row.facts[1] is not None and row.facts[1] < 0)):
                streaming = False
            if not streaming:
                if batch:
                    yield prepared(batch)
                    batch = []
                held.append(row)
                continue
            batch.append(row)
            if len(batch) == size:
                yield prepared(batch)
                batch, size = [], spec.batch
        if batch and not (problems or locked_problems):
            yield prepared(batch)
        yield ("end", _ReadEnd(problems, locked_problems, count, seen, held, divisions))
    finally:
        rows.close()


def _entries(rows: list[_Checked]) -> list[tuple[int, tuple, tuple]]:
    """What the write needs of checked rows besides their prepared cases: (row number, applicant, key)."""
    return [(row.number, row.applicant, row.applicant_key()) for row in rows]


def _prepare(rows: list[_Checked], numbers: list[str], created: dict[int, int] | None, spec, first_id: int):
    """The cases of checked ``rows`` (numbered ``numbers``) ready to be written (cases.prepare_cases),
    their ids from ``first_id``; ``created``: the ids of the divisions this import made, for the
    ledger's new ones (negative ids)."""
    batch = []
    source, keys = spec.source, (*_FACTS, "source")
    for row, case_no in zip(rows, numbers, strict=True):
        key = row.facts  # rows with the same facts replay to the same derived values
        payload = dict(zip(keys, (*key, f"{source} 第{row.number}行"), strict=True))
        if created and key[1] in created:  # a division made by this import
            payload["lead_division_id"] = created[key[1]]
            key = tuple(payload[k] for k in _FACTS)
        applicant, received = row.applicant, key[0]
        batch.append(NewCase(case_no, 0, applicant[2], applicant[1], row.channel, received, row.request_text,
                             [("ledger_import", received, payload)], row.remarks, None, None, None, None, None,
                             None, key))
    return prepare_cases(batch, spec.actor_id, first_id, True, dialect=spec.dialect, cal=spec.calendar,
                         today=spec.today, created_at=spec.now)


IMPORT_BATCH = 2000  # rows prepared and written at a time (the last one is written after the reading ends)
IMPORT_FIRST_BATCH = 250
# Into an empty registry the indexes are set aside and made again once this share of the sheet's rows
# is written: made then, and kept up to date for the rest, they cost the write a third less than
# kept up to date for every row — and making them all at the end would leave the reading process idle
# (it reads and prepares the last tenth, ``ledger_reader.AHEAD`` batches ahead, while they are made).
IMPORT_INDEX_AT = 0.9
IMPORT_CACHE_MIB = 64  # SQLite's page cache while an import writes (the usual one is 2 MiB): fewer pages spilled and read back


class _Writer:
    """Writes the import's batches inside the caller's transaction, in order: the batches the reading
    process prepared or handed over checked only (prepared here), then the rows held to the end
    (prepared here). The applicants are looked up and added here, just before each batch's cases; the
    events are chained to the registry's last one as each batch is written."""

    def __init__(self, reg: Registry, actor: Actor, source: str):
        self.reg, self.actor, self.source = reg, actor, source
        self.conn, self.now = reg.conn, reg.now()
        self.given = None  # the spec the reading process was given (``spec``)
        self.first_id = cases_q.max_id(self.conn) + 1
        self.next_applicant = applicants_q.max_id(self.conn) + 1
        # Into an empty registry (an office moving in from its ledger) no number can be taken and no
        # applicant known but by this import's own rows: nothing to look up in the database.
        self.had_cases, self.had_applicants = self.first_id > 1, self.next_applicant > 1
        self.applicants: dict[tuple, int] = {}  # key → id, of every applicant met so far
        self.submitted = 0
        self.case_nos: list[str] = []
        self.refused: list[str] = []
        self.written_upto = 0  # the last row written (rows are written in their order)
        self.cache = connection.larger_cache(self.conn, IMPORT_CACHE_MIB)
        self.cache.__enter__()
        self.closed = False
        # Into empty tables the indexes are made once most rows are in (IMPORT_INDEX_AT): made then, and
        # kept up to date for the last rows, they cost less than kept up to date for all of them.
        self.later = connection.IndexesLater(self.conn, () if self.had_cases else
                                             ("cases", "case_events") if self.had_applicants else
                                             ("cases", "case_events", "applicants"))
        self.index_at = 0  # rows written before the indexes are made (``expect``)

    def expect(self, total: int) -> None:
        """The rows the ledger's sheet spans (the indexes are made when IMPORT_INDEX_AT of them are written)."""
        self.index_at = int(total * IMPORT_INDEX_AT)

    def spec(self, spec):
        """``spec`` with what the reading process needs to prepare the cases this writes."""
        from dataclasses import replace

        self.given = replace(spec, calendar=self.reg.calendar(), now=self.now, actor_id=self.actor.user_id,
                             first_id=self.first_id, dialect=self.conn.dialect,
                             source=self.source)
        return self.given

    def write(self, entries: list[tuple[int, tuple, tuple]], numbers: list[str], prepared) -> None:
        """Write a batch prepared (by the reading process) from the id this one is at: ``entries`` are
        its rows' (row number, applicant, applicant's key) (``_entries``)."""
        if self.refused:
            return
        if prepared.ids and prepared.ids[0] != self.first_id + self.submitted:
            raise RuntimeError(f"batch prepared from case id {prepared.ids[0]}, not {self.first_id + self.submitted}")
        self.submitted += len(entries)
        self.case_nos += numbers
        taken = cases_q.numbers_taken(self.conn, numbers) if self.had_cases else ()
        if taken:
            self.refused += [f"第{number}行 〔申请编号〕 “{n}”已在系统中存在"
                             for (number, _a, _k), n in zip(entries, numbers, strict=True) if n in taken]
            return
        keys = [key for _n, _a, key in entries]
        if self.had_applicants:
            wanted = {k for k in keys if k not in self.applicants}
            self.applicants.update(cases_q.existing_applicants(
                self.conn, sorted(k for k in wanted if k[0]), sorted((k for k in wanted if not k[0]), key=lambda k: k[1:])))
        new = []
        ids = []
        now = self.now
        for _number, applicant, key in entries:
            applicant_id = self.applicants.get(key)
            if applicant_id is None:
                applicant_id = self.applicants[key] = self.next_applicant
                self.next_applicant += 1
                new.append((applicant_id, *applicant, now))
            ids.append(applicant_id)
        cases_q.insert_applicants_with_ids(self.conn, new)
        write_prepared(self.conn, prepared._replace(rows=[(r[0], r[1], i, *r[3:])
                                                          for r, i in zip(prepared.rows, ids, strict=True)]))
        self.written_upto = entries[-1][0]
        if self.later.waiting and self.submitted >= self.index_at:
            self.later.build()

    def write_rows(self, rows: list[_Checked], numbers: list[str] | None = None,
                   created: dict[int, int] | None = None) -> None:
        """Prepare and write checked rows: a batch the reading process handed over unprepared, or rows
        held to the end (``numbers`` given them; ``created``: see _prepare)."""
        if self.refused:
            return
        numbers = [row.case_no for row in rows] if numbers is None else numbers
        self.write(_entries(rows), numbers,
                   _prepare(rows, numbers, created, self.given, self.first_id + self.submitted))

    def finish(self) -> None:
        self.later.build()
        self.close()
        reset_sequences(self.conn)  # PostgreSQL: the next ids follow the ones given here

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.cache.__exit__(None, None, None)


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
