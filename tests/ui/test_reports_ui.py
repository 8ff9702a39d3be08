import re

from desktop.services import annual
from desktop.ui.dialogs.messages import Ask
from desktop.ui.views.annual_view import AnnualReportView
from desktop.ui.views.stats_view import StatisticsView


def test_statistics_screen_computes_off_the_gui_thread(qtbot, registry, dataset):
    from PySide6.QtCore import QDate

    view = StatisticsView(registry)
    qtbot.addWidget(view)
    view.first.setDate(QDate(2025, 1, 1))
    view.last.setDate(QDate(2025, 12, 31))
    view.refresh()
    assert not view.go.isEnabled()  # working in the background
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert "收到 8 件；办结 8 件" in plain(view.summary.text())
    assert view.months.rowCount() == 12 and view.months.item(4, 2).text() == "2"  # May: 2 concluded
    assert view.divisions.item(0, 0).text() == "规划处"
    assert view.month_chart.chart().series()[0].count() == 2  # received and concluded bars
    view.division.setCurrentIndex(view.division.findText("规划处"))
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert "规划处：收到 2 件" in plain(view.summary.text()) and "平均答复用时 28.0" in plain(view.summary.text())


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_every_number_of_the_statistics_opens_its_cases_for_the_reader(qtbot, registry, dataset, staff):
    from PySide6.QtCore import QDate

    view = StatisticsView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.first.setDate(QDate(2025, 1, 1))
    view.last.setDate(QDate(2025, 12, 31))
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    view.summary.linkActivated.emit("received")  # a click on the 8 of 收到
    listed = view.drilled
    assert listed.table.rowCount() == 8 and listed.summary.text().startswith("共 8 件")
    assert {listed.table.item(i, 1).text()[:4] for i in range(8)} == {"2025"}
    opened = []
    listed.open_case.connect(opened.append)
    listed.table.cellDoubleClicked.emit(0, 0)
    assert opened == [listed.ids[0]]
    may = view.months.item(4, 2)  # May: 2 concluded
    view.months.cellDoubleClicked.emit(may.row(), may.column())
    assert view.drilled.table.rowCount() == 2 and "2025-05" in view.drilled.windowTitle()
    # a division user opening the same number sees only the cases of their division
    mine = StatisticsView(registry, staff["social"])
    qtbot.addWidget(mine)
    mine.first.setDate(QDate(2025, 1, 1))
    mine.last.setDate(QDate(2025, 12, 31))
    mine.refresh()
    qtbot.waitUntil(lambda: mine.worker is None, timeout=30_000)
    mine.summary.linkActivated.emit("received")
    assert mine.drilled.table.rowCount() == 0 and "只列出本处室" in mine.drilled.summary.text()


def test_annual_report_screen_shows_the_table_checks_and_makes_it_final(qtbot, registry, dataset, monkeypatch):
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    told = []
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: told.append(text)))
    view = AnnualReportView(registry, dataset["head"])
    qtbot.addWidget(view)
    view.year.setValue(2025)
    assert view.table3.item(3, 0).text() == "一、本年新收政府信息公开申请数量"
    assert [view.table3.item(3, c).text() for c in range(3, 10)] == ["3", "1", "1", "1", "1", "1", "8"]
    assert view.table3.rowSpan(5, 0) == 22 and view.table3.columnSpan(0, 0) == 3
    assert all(view.checks.item(i).text().startswith("✔") for i in range(view.checks.count()))
    # a draft: said at the top, and it cannot be made final
    assert view.status.text() == "2025年度：草稿；尚未完成，不能定稿" and not view.final_button.isEnabled()
    assert not view.marks.isHidden() and view.marks.text() == (
        "本报告为草稿，不能发布。尚未完成：一、总体情况尚未编写；二、主动公开政府信息情况的数据尚未填写；"
        "五、存在的主要问题及改进情况尚未编写。")
    view.text_edits["一"].setPlainText("本年度共收到申请8件。")
    view.text_edits["五"].setPlainText("答复期限紧张，已优化流程。")
    view.save_texts()
    assert annual.texts(registry, 2025)["一"] == "本年度共收到申请8件。" and told == ["已保存。"]
    assert view.marks.text() == "本报告为草稿，不能发布。尚未完成：二、主动公开政府信息情况的数据尚未填写。"
    assert not view.final_button.isEnabled() and "二、主动公开政府信息情况" in view.final_button.toolTip()
    view.part2_edits[("规章", "issued")].setValue(2)
    view.save_part2()
    assert view.marks.isHidden() and view.status.text() == "2025年度：检查通过，可以定稿"
    assert view.final_button.isEnabled()
    view.finalize()
    assert view.status.text() == "2025年度：已定稿，该年度数据已锁定"
    assert view.text_edits["一"].isReadOnly() and not view.final_button.isEnabled()


def test_annual_report_screen_marks_a_year_not_yet_over(qtbot, registry, dataset):
    view = AnnualReportView(registry, dataset["head"])
    qtbot.addWidget(view)
    view.year.setValue(2026)
    assert view.status.text() == "2026年度：未结束年度（数据截至2026年11月20日）；草稿；尚未完成，不能定稿"
    assert "本年度尚未结束，表中数据截至2026年11月20日。" in view.marks.text()
    assert not view.final_button.isEnabled()


def test_chart_axes_have_round_ticks_and_counts_stay_in_view(qtbot, registry, dataset, staff):
    from PySide6.QtCore import QDate

    from desktop.ui.views.stats_view import nice_axis

    assert nice_axis(47) == (50, 6) and nice_axis(15) == (15, 4) and nice_axis(0) == (1, 2)
    assert nice_axis(1234) == (1500, 4) and nice_axis(7) == (8, 5)
    view = StatisticsView(registry, staff["head"])
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.first.setDate(QDate(2025, 1, 1))
    view.last.setDate(QDate(2025, 12, 31))
    view.refresh()
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    axis = view.month_chart.chart().axes()[1]
    step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
    assert step == int(step) and int(step) in (1, 2, 5, 10, 20, 50)
    header = view.outcomes.horizontalHeader()
    assert header.sectionPosition(2) + header.sectionSize(2) <= view.outcomes.viewport().width()
    assert "已办结案件中未超期的比例" in view.summary.text()
