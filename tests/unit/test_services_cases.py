from datetime import date

import pytest

from desktop.services import calendar_admin, cases
from desktop.services.base import Conflict, PermissionDenied, ServiceError, ValidationFailed
from tests.helpers import person_form


def count(registry, table):
    return registry.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_register_gives_a_number_and_a_due_date(registry, staff):
    changed = cases.register_case(registry, staff["clerk"], person_form())
    assert changed.case_nos == ("2026-00001",)
    row = cases.get_case(registry, changed.case_ids[0])
    assert row["state"] == "registered"
    assert row["due_on"] == "2026-10-19"
    events = registry.conn.execute("SELECT type, actor_id, effective_on FROM case_events").fetchall()
    assert [tuple(e) for e in events] == [("register", staff["clerk"].user_id, "2026-09-15")]


def test_every_problem_is_listed_and_nothing_is_saved(registry, staff):
    form = person_form(id_number="110105194912310021", received_on="2026-12-01", request_text="",
                       phone="12", email="x@")
    with pytest.raises(ValidationFailed) as err:
        cases.register_case(registry, staff["clerk"], form)
    messages = [str(p) for p in err.value.problems]
    assert "〔证件号码〕校验位错误（应为X），请核对号码" in messages
    assert "〔收到日期〕不能晚于今天（2026-11-20）" in messages
    assert "〔申请内容〕必填" in messages
    assert any(m.startswith("〔联系电话〕") for m in messages)
    assert any(m.startswith("〔电子邮箱〕") for m in messages)
    assert count(registry, "cases") == 0 and count(registry, "applicants") == 0


def test_huge_paste_is_refused_by_name(registry, staff):
    with pytest.raises(ValidationFailed, match="〔申请内容〕过长（10000000个字符，最多5000个）"):
        cases.register_case(registry, staff["clerk"], person_form(request_text="政" * 10_000_000))
    assert count(registry, "cases") == 0


def test_split_application_makes_one_case_per_part_or_none(registry, staff):
    with pytest.raises(ValidationFailed, match="第2项"):
        cases.register_case(registry, staff["clerk"], person_form(), parts=["甲项信息", "\x01坏"])
    with pytest.raises(ValidationFailed, match="拆分至少需要两项"):  # the service's rule, not only the screen's
        cases.register_case(registry, staff["clerk"], person_form(), parts=["只有一项", "  "])
    assert count(registry, "cases") == 0
    changed = cases.register_case(registry, staff["clerk"], person_form(), parts=["甲项信息", "乙项信息"])
    assert changed.case_nos == ("2026-00001", "2026-00002")
    texts = [r[0] for r in registry.conn.execute("SELECT request_text FROM cases ORDER BY id")]
    assert texts == ["甲项信息", "乙项信息"]
    assert count(registry, "applicants") == 1


def test_whole_case_through_the_services(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16),
               {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 9, 22),
               {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    # seen on 11-20, the third party's 15 working days (to 10-20) are long over: the clock runs again
    row = cases.get_case(registry, case_id)
    assert (row["paused"], row["clock_note"]) == (0, "征求意见期满，恢复计时")
    cases.fire(registry, staff["planner"], case_id, "consultation_end", date(2026, 10, 9))
    assert cases.get_case(registry, case_id)["due_on"] == "2026-10-28"
    cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 10, 12),
               {"outcome": "部分公开", "text": "……"})
    with pytest.raises(ServiceError, match="还缺少以下内容：予以公开的部分、不予公开的部分、不予公开的理由"):
        cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 12))  # not issuable yet
    cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 10, 12),
               {"released_part": "汇总表", "refused_part": "个人身份信息", "refusal_ground": "privacy"})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, staff["reviewer"], case_id, "review_return", date(2026, 10, 13), {"comment": "补充理由"})
    assert cases.facts_of(registry, case_id).last_return_comment == "补充理由"  # shown to the drafter
    cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 14))
    cases.fire(registry, staff["reviewer"], case_id, "review_approve", date(2026, 10, 15))
    cases.fire(registry, staff["leader"], case_id, "leader_approve", date(2026, 10, 16))
    cases.fire(registry, staff["clerk"], case_id, "reply_issued", date(2026, 10, 19))
    row = cases.get_case(registry, case_id)
    assert (row["state"], row["outcome"], row["concluded_on"], row["overdue"]) == \
        ("replied", "partial", "2026-10-19", 0)
    assert cases.facts_of(registry, case_id).last_return_comment is None  # answered by resubmitting


def test_division_user_cannot_act_on_another_divisions_case(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16),
               {"lead_division_id": staff["planning_id"]})
    with pytest.raises(PermissionDenied, match="不属于您所在处室"):
        cases.fire(registry, staff["social"], case_id, "sign_for", date(2026, 9, 16))
    with pytest.raises(ServiceError, match="只能由"):
        cases.fire(registry, staff["planner"], case_id, "assign", date(2026, 9, 16),
                   {"lead_division_id": staff["planning_id"]})


def test_future_dates_and_stale_versions_are_refused(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    with pytest.raises(ValidationFailed, match="晚于今天"):
        cases.fire(registry, staff["clerk"], case_id, "withdrawn", date(2026, 11, 21))
    version = cases.get_case(registry, case_id)["version"]
    cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 16),
               {"items": ["请写明文号"]}, expected_version=version)
    with pytest.raises(Conflict, match="已被他人修改"):
        cases.fire(registry, staff["clerk"], case_id, "withdrawn", date(2026, 9, 17), expected_version=version)
    assert cases.get_case(registry, case_id)["state"] == "awaiting_correction"


def test_abandonment_only_after_the_correction_period(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 16),
               {"items": ["请写明文号"], "period_days": 10})
    # 10 working days after 09-16: 09-20 (a working Sunday) counts, the National Day week does not
    with pytest.raises(ServiceError, match="补正期限到2026-09-30为止"):
        cases.fire(registry, staff["clerk"], case_id, "abandoned", date(2026, 9, 30))
    cases.fire(registry, staff["clerk"], case_id, "abandoned", date(2026, 10, 1))
    row = cases.get_case(registry, case_id)
    assert (row["state"], row["outcome"], row["concluded_on"]) == ("closed", "other_no_correction", "2026-10-01")


def test_applicant_context_counts_this_month_and_lists_history(registry, staff):
    for day in ("2026-10-30", "2026-11-02", "2026-11-19"):
        cases.register_case(registry, staff["clerk"], person_form(received_on=day))
    ctx = cases.applicant_context(registry, "11010519491231002X", None)
    assert ctx.month_count == 2 and ctx.year_count == 3
    assert [r["received_on"] for r in ctx.earlier_cases] == ["2026-11-19", "2026-11-02", "2026-10-30"]
    assert cases.applicant_context(registry, None, "王喆").month_count == 2
    assert cases.applicant_context(registry, None, "无此人").earlier_cases == []


def test_calendar_change_moves_open_deadlines(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-19")).case_ids[0]
    assert cases.get_case(registry, case_id)["due_on"] == "2026-12-17"
    calendar_admin.set_day(registry, staff["admin"], date(2026, 12, 1), False, "临时停工")
    assert cases.get_case(registry, case_id)["due_on"] == "2026-12-18"
    with pytest.raises(PermissionDenied):
        calendar_admin.set_day(registry, staff["clerk"], date(2026, 12, 2), False)


def _handling_case(registry, staff, **form):
    case_id = cases.register_case(registry, staff["clerk"], person_form(**form)).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16),
               {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    return case_id


def test_fee_notice_quotes_from_the_facts_and_records_payment(registry, staff):
    case_id = _handling_case(registry, staff)
    cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 18),
               {"method": "per_page", "pages": 250, "applicant_received_on": "2026-09-21"})
    notice = registry.conn.execute("SELECT method, quantity, amount, payment_due_on FROM fee_notices").fetchone()
    assert tuple(notice) == ("per_page", 250, 4700, "2026-10-26")  # 20 WD from 09-21, National Day skipped
    row = cases.get_case(registry, case_id)
    # seen on 11-20 the payment period (to 10-26) is over: no longer paused, waiting to be closed
    assert row["state"] == "awaiting_payment" and (row["paused"], row["clock_note"]) == (0, "缴费期限已过，待按逾期未缴费办结")
    cases.fire(registry, staff["clerk"], case_id, "fee_paid", date(2026, 9, 30))
    assert tuple(registry.conn.execute("SELECT amount, paid_on FROM fee_payments").fetchone()) == (4700, "2026-09-30")
    # 09-16,17,18 count; 09-19..30 paused (the working Sunday 09-20 too); 10-08 is the 4th → 10-29
    assert cases.get_case(registry, case_id)["due_on"] == "2026-10-29"


def test_fee_within_the_free_range_is_refused(registry, staff):
    case_id = _handling_case(registry, staff)
    with pytest.raises(ServiceError, match="免费范围（第1至10件，免费）"):
        cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 18), {"method": "per_application"})
    assert registry.conn.execute("SELECT count(*) FROM fee_notices").fetchone()[0] == 0


def test_fee_for_the_applicants_eleventh_application_this_month(registry, staff):
    for _ in range(10):
        cases.register_case(registry, staff["clerk"], person_form(received_on="2026-09-02"))
    case_id = _handling_case(registry, staff)
    cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 18), {"method": "per_application"})
    assert tuple(registry.conn.execute("SELECT quantity, amount, tier FROM fee_notices").fetchone()) == \
        (11, 100, "第11至30件，每件100元")


def test_a_step_is_never_dated_before_the_step_it_follows(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-02")).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 11, 10), {"lead_division_id": staff["planning_id"]})
    with pytest.raises(ValidationFailed, match="早于本案已登记的“分办”（2026-11-10）"):
        cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 11, 9))
    assert cases.get_case(registry, case_id)["state"] == "assigned"
    # a clock set back makes "today" earlier than what is recorded: refused the same way
    registry.today = lambda: date(2026, 11, 5)
    with pytest.raises(ValidationFailed, match="请先校正日期"):
        cases.fire(registry, staff["planner"], case_id, "sign_for")
    registry.today = lambda: date(2026, 11, 20)
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 11, 10))  # the same day is fine
    # a note records something of an earlier day, after later steps
    cases.fire(registry, staff["planner"], case_id, "note", date(2026, 11, 3), {"text": "申请人来电询问"})
