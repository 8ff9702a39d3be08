"""Hostile input, generated: every bad value is a clear error naming its field, and nothing changes."""

from datetime import date, datetime

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from desktop.documents.ledger_xlsx import LedgerFileError
from desktop.services import cases, ledger
from desktop.services.base import SYSTEM, ServiceError, ValidationFailed
from desktop.services.ledger import LedgerRejected

FIELDS = ["applicant_type", "name", "id_type", "id_number", "phone", "email", "address", "postcode", "channel",
          "received_on", "request_text", "index_no", "remarks"]
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=10),
    st.sampled_from(["'; DROP TABLE cases; --", "\" OR 1=1 --", "NULL", "０", "9999-99-99", "2026-02-30",
                     "1800-01-01", "3000-01-01", "\u202e反转", "𠀀𪚥", "x" * 6000, "政" * 100_000]),
    st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def snapshot(registry):
    return tuple(registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("cases", "applicants", "case_events", "case_search"))


@fast
@given(field=st.sampled_from(FIELDS), value=hostile_text)
def test_registration_with_hostile_values(registry, field, value):
    form = {"applicant_type": "自然人", "name": "王喆", "channel": "当面", "received_on": "2026-11-02",
            "request_text": "申请公开某文件", field: value}
    before = snapshot(registry)
    try:
        cases.register_case(registry, SYSTEM, form)
    except ValidationFailed as exc:
        assert exc.problems and all(str(p).startswith("〔") for p in exc.problems)
        assert snapshot(registry) == before
    else:
        after = snapshot(registry)
        assert after[0] == before[0] + 1
        row = registry.conn.execute("SELECT request_text FROM cases ORDER BY id DESC LIMIT 1").fetchone()
        assert len(row[0]) <= 5000


@fast
@given(column=st.sampled_from(["收到日期", "申请方式", "申请人类型", "申请人", "证件类型", "证件号码", "申请内容",
                               "补正告知日期", "补正收到日期", "延期天数", "暂停开始日期", "暂停结束日期", "办理结果",
                               "答复日期", "承办处室"]),
       value=st.one_of(hostile_text.filter(lambda v: not isinstance(v, str) or "\x00" not in v),
                       st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1))))
def test_ledger_import_with_hostile_cells(registry, tmp_path_factory, column, value):
    header = ["收到日期", "申请方式", "申请人类型", "申请人", "申请内容", column]
    header = list(dict.fromkeys(header))
    good = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请人": "甲", "申请内容": "乙"}
    row = {**good, column: value}
    path = tmp_path_factory.mktemp("hostile") / "h.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    try:
        ws.append([row.get(h) for h in header])
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some values itself
        return
    wb.save(path)
    before = snapshot(registry)
    try:
        ledger.import_ledger(registry, SYSTEM, path)
    except LedgerRejected as exc:
        assert all(p.startswith(("第2行 〔", "第1行 〔")) for p in exc.problems), exc.problems
        assert snapshot(registry) == before
    except LedgerFileError:
        assert snapshot(registry) == before
    else:
        assert snapshot(registry)[0] == before[0] + 1


HANDLING = (("assign", None), ("sign_for", {}))
SETUP = {"draft": HANDLING, "fee_notice": HANDLING, "art35_delay": HANDLING,
         "extension_approve": (*HANDLING, ("extension_request", {"reason": "档案多"}))}


@fast
@given(event=st.sampled_from(["assign", "correction_notice", "withdrawn", "draft", "extension_approve",
                              "art35_delay", "fee_notice"]),
       payload=st.dictionaries(st.sampled_from(["lead_division_id", "items", "period_days", "outcome", "days",
                                                "due_on", "method", "pages", "reason", "decision"]),
                               hostile_text, max_size=4))
def test_events_with_hostile_payloads(registry, staff, event, payload):
    from tests.helpers import person_form

    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    # brought to where the event belongs, so the payload's checks are what refuses it, not the state
    for step, payload_ in SETUP.get(event, ()):
        who = staff["planner"] if step in ("sign_for", "extension_request") else staff["system"]
        cases.fire(registry, who, case_id, step, date(2026, 9, 16),
                   {"lead_division_id": staff["planning_id"]} if step == "assign" else payload_)
    before = snapshot(registry)
    version = cases.get_case(registry, case_id)["version"]
    actor = staff["system"] if event not in ("draft", "fee_notice") else staff["planner"]
    try:
        cases.fire(registry, actor, case_id, event, date(2026, 9, 16), payload)
    except (ServiceError, ValidationFailed) as exc:
        assert "状态，不能执行" not in str(exc) and "只能由" not in str(exc), exc  # reached the payload checks
        assert snapshot(registry) == before and cases.get_case(registry, case_id)["version"] == version
