"""Two PCs on one registry, as real processes: the window and the command line (or a second program)
working on the same database, on either backend."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop.services import cases
from desktop.services.base import EVERYTHING
from desktop.ui.dialogs.messages import Ask
from desktop.ui.main_window import MainWindow
from tests.unit.test_legal_rules import handling

ROOT = Path(__file__).parents[2]


def run(args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


def test_a_case_registered_at_another_pc_shows_within_a_second(qtbot, registry, staff, tmp_path):
    w = MainWindow(registry, staff["head"])
    qtbot.addWidget(w)
    w.show()
    w.show_section("all")
    assert w.page("all").model.all_ids() == []
    book = openpyxl.Workbook()
    book.active.append(["申请编号", "收到日期", "申请方式", "申请人类型", "申请人", "申请内容"])
    book.active.append(["2026-X-1", "2026-11-02", "当面", "自然人", "邻座登记", "申请公开某文件"])
    book.save(tmp_path / "one.xlsx")
    result = run(["-m", "desktop", "--db", str(registry.target), "import-ledger", str(tmp_path / "one.xlsx")])
    assert result.returncode == 0, result.stderr
    done = time.monotonic()
    qtbot.waitUntil(lambda: len(w.page("all").model.all_ids()) == 1, timeout=1000)
    assert time.monotonic() - done < 1.0
    assert w.page("all").model.all_ids() == [cases.case_id_by_number(registry, "2026-X-1")]


OTHER_PC_DRAFTS = textwrap.dedent("""
    import sys
    from desktop.services import cases, users
    from desktop.services.base import Registry

    target, case_id, user_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reg = Registry.open(target)
    cases.fire(reg, users.actor_for(reg, user_id), case_id, "draft", None,
               {"outcome": "disclose", "decision": "另一台电脑上写的答复"})
    reg.close()
""")


def drafting_window(qtbot, registry, staff):
    """A case in the division's hands (received 2026-09-15), open in the division officer's window."""
    case_id = handling(registry, staff)
    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    return case_id, w


def test_the_same_draft_saved_at_two_pcs_gives_one_conflict_and_keeps_the_text(qtbot, registry, staff, tmp_path,
                                                                             monkeypatch):
    case_id, w = drafting_window(qtbot, registry, staff)
    editor = w.detail.draft
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    editor.text.setPlainText("我在这台电脑上写的答复，很长很长")
    script = tmp_path / "other_pc.py"
    script.write_text(OTHER_PC_DRAFTS, encoding="utf-8")
    result = run([str(script), str(registry.target), str(case_id), str(staff["planner"].user_id)])
    assert result.returncode == 0, result.stderr
    errors = []
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    assert not editor.save()
    assert len(errors) == 1 and "已被他人修改" in errors[0] and "正文已保留" in errors[0]
    assert editor.text.toPlainText() == "我在这台电脑上写的答复，很长很长"  # nothing typed is lost
    assert cases.facts_of(registry, case_id).draft_text == "另一台电脑上写的答复"  # nor the other PC's save
    # the other PC's change arrives; the typed (modified) draft is not overwritten by the refresh
    w.apply(EVERYTHING)
    assert editor.text.toPlainText() == "我在这台电脑上写的答复，很长很长"


def test_the_draft_editor_greys_out_an_outcome_the_case_cannot_have(qtbot, registry, staff):
    case_id, w = drafting_window(qtbot, registry, staff)
    box = w.detail.draft.outcome
    unclear = box.findData("unable_unclear")
    assert not box.model().item(unclear).isEnabled()
    assert "只能在发出补正告知" in box.itemData(unclear, Qt.ItemDataRole.ToolTipRole)
    assert box.model().item(box.findData("disclose")).isEnabled()
    grounds = w.detail.draft.detail_edits["refusal_ground"]
    box.setCurrentIndex(box.findData("withhold_third_party"))
    assert [grounds.itemData(i) for i in range(grounds.count())] == [None, "trade_secret", "privacy"]


def test_the_windows_restore_names_the_other_window_and_does_not_count_its_own(qtbot, registry, staff,
                                                                              tmp_path, monkeypatch):
    from db.seats import SeatMark
    from desktop.services import backup

    if registry.path is None:
        pytest.skip("a server names its connections itself (test_server_mode.py)")
    info = backup.create(registry, tmp_path / "b")
    w = MainWindow(registry, staff["admin"])
    qtbot.addWidget(w)
    assert w.seat_mark is not None and w.seat_mark.path.exists()
    other = SeatMark(registry.path, "李强")
    errors = []
    monkeypatch.setattr(Ask, "open_paths", classmethod(lambda cls, *a: [str(info.path)]))
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    w.restore()
    assert len(errors) == 1 and "还有1处正在使用这个数据库：李强" in errors[0]  # not this window itself
    assert registry.conn.execute("SELECT 1").fetchone()[0] == 1  # still open: nothing was replaced
    other.release()
