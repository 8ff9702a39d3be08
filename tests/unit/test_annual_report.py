"""The annual report over a three-year dataset whose every cell was counted by hand."""

from datetime import date

import openpyxl
import pytest

from desktop.domain.annual_report import ALL_COLUMNS, PART3_ROWS
from desktop.services import annual, cases
from desktop.services.base import ServiceError
from tests.helpers import flat, person_form
from tests.unit.test_annual_documents import complete, parse


def table(**rows):
    """Expected part-三 numbers: only the non-zero cells are given, per row, as {column: n}."""
    out = {r.key: {c: 0 for c in ALL_COLUMNS} for r in PART3_ROWS}
    for key, cells in rows.items():
        out[key.replace("_", "（", 1).replace("_", "）", 1) if "_" in key else key].update(cells)
    for row in out.values():
        row["总计"] = sum(v for k, v in row.items() if k != "总计")
    return out


EXPECTED = {
    2024: table(一={"自然人": 2, "商业企业": 1}, 三_一_={"自然人": 1}, 三_七_={"自然人": 1},
                四={"自然人": 1, "商业企业": 1}),
    2025: table(一={"自然人": 3, "商业企业": 1, "科研机构": 1, "社会公益组织": 1, "法律服务机构": 1, "其他": 1},
                二={"自然人": 1, "商业企业": 1},
                三_一_={"自然人": 1}, 三_二_={"商业企业": 1}, 三_三_4={"社会公益组织": 1},
                三_四_1={"自然人": 1, "其他": 1}, 三_五_2={"商业企业": 1}, 三_六_2={"科研机构": 1},
                三_六_3={"法律服务机构": 1},
                三_七_={"自然人": 2, "商业企业": 2, "科研机构": 1, "社会公益组织": 1, "法律服务机构": 1, "其他": 1},
                四={"自然人": 2}),
    2026: table(一={"自然人": 1}, 二={"自然人": 2}, 三_一_={"自然人": 1}, 三_六_1={"自然人": 1},
                三_七_={"自然人": 2}, 四={"自然人": 1}),
}


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_cell_of_part_three(registry, dataset, year):
    report = annual.compute(registry, year)
    assert report.part3 == EXPECTED[year]
    assert report.passed and all(c.passed for c in report.checks)


def test_part_four_fees_and_part_two(registry, dataset):
    report = annual.compute(registry, 2025)
    assert report.part4["行政复议"] == {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 2}
    assert report.part4["未经复议直接起诉"] == {"结果维持": 0, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 1}
    assert report.part4["复议后起诉"]["总计"] == 0
    assert report.fees == {"notices": 2, "billed": 5800, "collected": 4700}
    assert annual.fee_sentence(report) == ("本年度本机关依据《政府信息公开信息处理费管理办法》发出收费通知2件，"
                                           "收费金额共计5800元，实际收取4700元。")
    annual.save_part2(registry, dataset["head"], 2025, {("规章", "issued"): 3, ("行政事业性收费", "amount"): 12.5})
    assert annual.compute(registry, 2025).part2[("规章", "issued")] == 3


def test_checks_fail_on_inconsistent_facts_and_block_finalising(registry, dataset, tmp_path, capsys):
    from desktop.cli import main

    registry.conn.execute("UPDATE cases SET outcome = NULL WHERE case_no = 'F'")  # concluded, outcome lost
    report = annual.compute(registry, 2025)
    assert not report.passed
    failed = [c for c in report.checks if not c.passed]
    assert failed[0].name == "第一项加第二项之和等于第三项加第四项之和"
    assert "社会公益组织：1+0≠0+0" in failed[0].detail
    with pytest.raises(ServiceError, match="勾稽关系检查未通过，不能定稿"):
        annual.finalize(registry, dataset["head"], 2025)
    out = tmp_path / "failing.xlsx"
    assert main(["--db", str(registry.target), "report", "annual", "--year", "2025", "--out", str(out)]) == 3
    assert "勾稽关系检查未通过" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(out)["勾稽关系检查"]
    assert [c.value for c in sheet[2]][:2] == ["第一项加第二项之和等于第三项加第四项之和", "未通过"]


def test_workbook_reproduces_the_official_table(registry, dataset, tmp_path):
    out = tmp_path / "report.xlsx"
    annual.export(registry, 2025, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["三、收到和处理申请"]
    assert ws["A2"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:C4", "D2:J2", "D3:D4", "E3:I3", "J3:J4", "A5:C5", "A7:A28", "B9:B16", "B8:C8"} <= merged
    assert [ws.cell(4, c).value for c in range(5, 10)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert ws["A5"].value == "一、本年新收政府信息公开申请数量"
    assert [ws.cell(5, c).value for c in range(4, 11)] == [3, 1, 1, 1, 1, 1, 8]
    assert ws["B8"].value == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert ws["B9"].value == "（三）不予公开" and ws["C12"].value == "4.保护第三方合法权益"
    assert [ws.cell(12, c).value for c in range(4, 11)] == [0, 0, 0, 1, 0, 0, 1]
    assert ws["C25"].value == "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert ws["C27"].value == "3.其他" and [ws.cell(27, c).value for c in range(4, 11)] == [0, 0, 0, 0, 1, 0, 1]
    assert ws["B28"].value == "（七）总计" and ws["A29"].value == "四、结转下年度继续办理"
    assert [ws.cell(29, c).value for c in range(4, 11)] == [2, 0, 0, 0, 0, 0, 2]
    assert all(isinstance(ws.cell(r, c).value, int) for r in range(5, 30) for c in range(4, 11))
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4  # A4 = 9
    four = wb["四、复议诉讼"]
    assert [four.cell(5, c).value for c in range(1, 16)] == [1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert four["A2"].value == "行政复议" and four["F3"].value == "未经复议直接起诉"
    two = wb["二、主动公开"]
    assert two["A2"].value == "第二十条第（一）项" and two["B3"].value == "本年制发件数"


def test_pdf_and_html_hold_the_six_parts_tables_and_fee_sentence(registry, dataset, tmp_path):
    annual.save_text(registry, dataset["head"], 2025, "一", "本年度本机关共收到申请十件。")
    annual.save_text(registry, dataset["head"], 2025, "五", "存在答复期限紧张的问题，已优化流程。")
    annual.save_part2(registry, dataset["head"], 2025, {("规章", "issued"): 3})
    pdf = annual.export(registry, 2025, tmp_path / "r.pdf") and tmp_path / "r.pdf"
    text = flat(pdf)
    positions = [text.index(p) for p in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                         "六、其他需要报告的事项")]
    assert positions == sorted(positions)
    assert "本年度本机关共收到申请十件。" in text and "已优化流程" in text
    assert "发出收费通知2件，收费金额共计5800元，实际收取4700元。" in text
    assert "本列数据的勾稽关系为" in text and "申请人情况" in text and "结转下年度继续办理" in text
    annual.export(registry, 2025, tmp_path / "r.html")
    page = parse(tmp_path / "r.html")
    part3 = page.tables[1]
    assert part3[0][0] == ("th", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
    assert part3[3][:2] == [("td", "一、本年新收政府信息公开申请数量", 1, 3), ("td", "3", 1, 1)]
    assert "本年度本机关共收到申请十件。" in page.paragraphs and any("实际收取4700元" in p for p in page.paragraphs)


def test_finalising_is_refused_until_parts_one_and_five_are_written_and_part_two_entered(registry, dataset):
    head = dataset["head"]
    with pytest.raises(ServiceError) as refused:
        annual.finalize(registry, head, 2025)
    assert str(refused.value) == ("年度报告尚未完成，不能定稿：一、总体情况尚未编写；二、主动公开政府信息情况的数据尚未填写；"
                                  "五、存在的主要问题及改进情况尚未编写。请填写后再定稿")
    annual.save_text(registry, head, 2025, "一", annual.DEFAULT_TEXTS["一"])  # saved with the placeholder in it
    annual.save_text(registry, head, 2025, "五", "本年度存在的主要问题是答复期限紧张。")
    with pytest.raises(ServiceError, match="不能定稿：一、总体情况尚未编写；二、主动公开政府信息情况的数据尚未填写。"):
        annual.finalize(registry, head, 2025)
    annual.save_text(registry, head, 2025, "一", "本年度本机关共收到申请八件。")
    annual.save_part2(registry, head, 2025, {("规章", "issued"): 0})  # zero, but entered
    assert annual.missing_parts(registry, 2025) == []
    assert annual.finalize(registry, head, 2025).reports and annual.is_final(registry, 2025)
    with pytest.raises(ServiceError, match="2027年尚未结束，不能定稿"):
        annual.finalize(registry, head, 2027)


def test_final_year_locks_its_facts_until_an_administrator_unlocks(registry, dataset):
    complete(registry, dataset)
    annual.finalize(registry, dataset["head"], 2025)
    with pytest.raises(ServiceError, match="2025年度报告已定稿"):
        cases.register_case(registry, dataset["clerk"], person_form(received_on="2025-12-01"))
    with pytest.raises(ServiceError, match="2025年度报告已定稿"):
        annual.save_text(registry, dataset["head"], 2025, "一", "改")
    case_id = cases.register_case(registry, dataset["clerk"], person_form(received_on="2026-02-02")).case_ids[0]
    assert case_id
    with pytest.raises(ServiceError, match="不能定稿"):
        annual.finalize(registry, dataset["head"], 2026)  # the year is not over
    from desktop.services.base import PermissionDenied
    with pytest.raises(PermissionDenied):
        annual.unlock(registry, dataset["head"], 2025, "更正")
    annual.unlock(registry, dataset["admin"], 2025, "更正一件案件的收到日期")
    row = registry.conn.execute("SELECT action, payload FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == "annual_report_unlock" and "更正一件案件的收到日期" in row[1]
    cases.register_case(registry, dataset["clerk"], person_form(received_on="2025-12-01"))
    assert registry.conn.execute("SELECT count(*) FROM cases WHERE received_on = '2025-12-01'").fetchone()[0] == 1


def test_statistics_for_a_period_and_a_division(registry, dataset, tmp_path):
    from desktop.services import stats

    s = stats.compute(registry, date(2025, 1, 1), date(2025, 12, 31))
    assert (s.received, s.concluded) == (8, 8)
    assert dict((m, (r, c)) for m, r, c in s.by_month)["2025-05"] == (0, 2)  # B and L concluded in May
    assert dict((label, n) for _row, label, n in s.by_outcome)["部分公开"] == 1
    assert s.overdue_now == 1  # I, received 2026-01-05, still open on 2026-11-20
    planning = stats.compute(registry, date(2025, 1, 1), date(2025, 12, 31), dataset["planning_id"])
    assert (planning.division, planning.received, planning.concluded) == ("规划处", 2, 2)  # D and L
    # L: 2025-04-01 → 05-15 is 29 working days (Labour Day 05-01..05 off). D ended unpaid on the day
    # after its payment period (20 WD from the notice of 06-10: 07-08), 07-09: 06-02 → 07-09 is 27.
    assert planning.average_working_days == (29 + 27) / 2
    out = stats.write_xlsx(s, tmp_path / "stats.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb["概况"]["B3"].value == 8 and wb["按处室"]["A1"].value == "处室"


def test_a_final_report_and_its_published_files_anchor_the_end_of_the_history(registry, dataset, tmp_path):
    """Events deleted from the end after the report was made final are found by verify: from the
    record of the final report, and from a published file of it given to verify."""
    from desktop.services import backup

    complete(registry, dataset)
    annual.finalize(registry, dataset["head"], 2025)
    last = registry.conn.execute("SELECT max(id) FROM case_events").fetchone()[0]
    published = {fmt: annual.export(registry, 2025, tmp_path / f"report.{fmt}") and tmp_path / f"report.{fmt}"
                 for fmt in ("pdf", "xlsx", "html")}
    for path in published.values():
        assert backup.document_anchor(path)[0] == last
    assert backup.integrity_problems(registry, list(published.values())) == []
    on = " ON case_events" if registry.conn.dialect == "postgresql" else ""
    registry.conn.execute(f"DROP TRIGGER case_events_no_delete{on}")
    registry.conn.execute("DELETE FROM case_events WHERE id >= ?", (last - 1,))
    problems = backup.integrity_problems(registry)
    assert f"事件{last}在2025年度报告（定稿）中有记录，数据库中已没有（事件记录被从末尾删除）" in problems
    # the record of the final report removed as well: the published file still tells
    registry.conn.execute("DELETE FROM annual_reports")
    assert backup.anchored_history_problems(registry) == []
    found = backup.anchored_history_problems(registry, documents=[published["pdf"]])
    assert found == [f"事件{last}在文件 report.pdf中有记录，数据库中已没有（事件记录被从末尾删除）"]
    with pytest.raises(ServiceError, match="不是定稿年度报告或备份文件"):
        backup.document_anchor(_plain(tmp_path))


def _plain(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("nothing here", encoding="utf-8")
    return path
