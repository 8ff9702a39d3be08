"""A division user reads only the cases of their division (lead or co-division) and those they acted
on themselves — in the list, the search, the case screen, the statistics' lists and the ledger export."""

from datetime import date

import openpyxl
import pytest

from desktop.services import cases, ledger, registry_list, stats
from desktop.services.base import PermissionDenied
from desktop.services.registry_list import Filter
from tests.helpers import person_form

D = date(2026, 9, 16)


@pytest.fixture
def four_cases(registry, staff):
    """planning's own case, one shared with planning, one the planner handled before it moved to the
    social division, and the social division's own case (with an applicant the planner must not see)."""
    clerk, head = staff["clerk"], staff["head"]

    def new(name, text):
        return cases.register_case(registry, clerk, person_form(name=name, request_text=text)).case_ids[0]

    own = new("王甲", "规划许可档案")
    shared = new("李乙", "规划与社会救助档案")
    handled = new("赵丙", "规划处签收后改派的档案")
    other = new("孙丁", "社会救助档案")
    cases.fire(registry, head, own, "assign", D, {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, head, shared, "assign", D, {"lead_division_id": staff["social_id"],
                                                     "co_division_ids": [staff["planning_id"]]})
    cases.fire(registry, head, handled, "assign", D, {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], handled, "sign_for", D)
    cases.fire(registry, staff["planner"], handled, "return_to_office", D, {"reason": "不属于本处"})
    cases.fire(registry, head, handled, "assign", D, {"lead_division_id": staff["social_id"]})
    cases.fire(registry, head, other, "assign", D, {"lead_division_id": staff["social_id"]})
    return {"own": own, "shared": shared, "handled": handled, "other": other}


def test_the_list_and_the_search_show_a_division_user_only_their_cases(registry, staff, four_cases):
    mine = {four_cases["own"], four_cases["shared"], four_cases["handled"]}
    assert set(registry_list.case_ids(registry, Filter(viewer=staff["planner"]))) == mine
    assert registry_list.case_count(registry, Filter(viewer=staff["planner"])) == 3
    assert set(registry_list.case_ids(registry, Filter(viewer=staff["social"]))) == \
        {four_cases["shared"], four_cases["handled"], four_cases["other"]}
    # the office sees everything
    assert len(registry_list.case_ids(registry, Filter(viewer=staff["clerk"]))) == 4
    # searching by the other division's applicant or text finds nothing for the planner
    assert registry_list.case_ids(registry, Filter(text="孙丁", viewer=staff["planner"])) == []
    assert registry_list.case_ids(registry, Filter(text="社会救助档案", viewer=staff["planner"])) == \
        [four_cases["shared"]]
    assert registry_list.case_ids(registry, Filter(text="孙丁", viewer=staff["clerk"])) == [four_cases["other"]]
    rows = registry_list.page(registry, Filter(viewer=staff["planner"]), 0, 50)
    assert "孙丁" not in {r.applicant for r in rows}


def test_the_case_screen_refuses_another_divisions_case(registry, staff, four_cases):
    with pytest.raises(PermissionDenied, match="无权查看"):
        cases.case_view(registry, four_cases["other"], staff["planner"])
    for key in ("own", "shared", "handled"):
        assert cases.case_view(registry, four_cases[key], staff["planner"]).row["id"] == four_cases[key]
    assert cases.case_view(registry, four_cases["other"], staff["reviewer"]).row["applicant_name"] == "孙丁"


def test_the_statistics_list_only_the_readers_cases(registry, staff, four_cases):
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    assert set(stats.cases_behind(registry, staff["planner"], first, last, "received")) == \
        {four_cases["own"], four_cases["shared"], four_cases["handled"]}
    assert len(stats.cases_behind(registry, staff["leader"], first, last, "received")) == 4
    # the social division's figure, opened by the planner: only what the planner may read
    assert set(stats.cases_behind(registry, staff["planner"], first, last, "received",
                                  division_id=staff["social_id"])) == {four_cases["shared"], four_cases["handled"]}


def test_the_ledger_export_of_a_division_user_holds_only_their_cases(registry, staff, four_cases, tmp_path):
    out = tmp_path / "mine.xlsx"
    assert ledger.export_ledger(registry, staff["planner"], out) == 3
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    names = {row[header.index("申请人")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"王甲", "李乙", "赵丙"}
    # asking for the other division's case by id does not get it either
    assert ledger.export_ledger(registry, staff["planner"], tmp_path / "x.xlsx",
                                case_ids=[four_cases["other"]]) == 0
    assert ledger.export_ledger(registry, staff["clerk"], tmp_path / "all.xlsx") == 4


def test_one_search_box_finds_a_case_number_its_tail_an_id_or_a_phone(registry, staff, four_cases):
    clerk = staff["clerk"]
    other = cases.get_case(registry, four_cases["other"])
    tail = other["case_no"].split("-")[-1]  # e.g. 00004
    assert registry_list.case_ids(registry, Filter(text=other["case_no"], viewer=clerk)) == [four_cases["other"]]
    assert registry_list.case_ids(registry, Filter(text=tail, viewer=clerk)) == [four_cases["other"]]
    assert registry_list.case_ids(registry, Filter(text=str(int(tail)), viewer=clerk)) == [four_cases["other"]]
    # every test applicant has the same ID and phone: all four are that applicant's cases
    assert len(registry_list.case_ids(registry, Filter(text="11010519491231002X", viewer=clerk))) == 4
    assert len(registry_list.case_ids(registry, Filter(text="138 1234 5678", viewer=clerk))) == 4
    assert len(registry_list.case_ids(registry, Filter(text="11010519491231002x", viewer=clerk))) == 4
    assert registry_list.lookup(registry, "022-23456789", clerk) == registry_list.Lookup("phone", ("02223456789",))
    # a division user may not look people up by ID or phone, and a case number of another division
    # finds nothing
    assert registry_list.lookup(registry, "11010519491231002X", staff["planner"]) is None
    assert registry_list.case_ids(registry, Filter(text="11010519491231002X", viewer=staff["planner"])) == []
    assert registry_list.case_ids(registry, Filter(text=other["case_no"], viewer=staff["planner"])) == []
    # anything else is searched as text, as before
    assert registry_list.case_ids(registry, Filter(text="社会救助", viewer=clerk)) == \
        sorted([four_cases["shared"], four_cases["other"]], reverse=True)
