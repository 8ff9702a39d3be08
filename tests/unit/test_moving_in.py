"""Moving in from an Excel ledger in one sitting (#21): divisions the ledger names are created with
--create-divisions (or listed once without it), and a ledger exported from one registry imports into a
fresh one with every fact intact."""

import openpyxl
import pytest

from desktop.cli import main
from desktop.services import agency, demo, ledger
from desktop.services.base import SYSTEM, Registry
from desktop.services.ledger import LedgerRejected
from tests.conftest import TODAY
from tests.unit.test_ledger import write_book

ROWS = [{"收到日期": "2026-10-12", "申请方式": "网络", "申请人类型": "自然人", "申请人": f"甲{i}",
         "申请内容": "申请公开某文件", "承办处室": division}
        for i, division in enumerate(["财务审计处", "规划处", "财务审计处", "社会处", "规划处"])]


def test_missing_divisions_are_named_once_and_created_with_the_flag(registry, tmp_path, capsys):
    path = write_book(tmp_path / "l.xlsx", ROWS)
    with pytest.raises(LedgerRejected) as refused:
        ledger.import_ledger(registry, SYSTEM, path)
    assert refused.value.problems == [
        "第1行 〔承办处室〕 台账中的3个处室在系统中还没有：“财务审计处”、“规划处”、“社会处”。请先添加"
        "（系统管理或 division add），或导入时加 --create-divisions 一并创建"]
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    dry = ledger.import_ledger(registry, SYSTEM, path, dry_run=True, create_divisions=True)
    assert dry.new_divisions == ["财务审计处", "规划处", "社会处"]
    assert [d["name"] for d in agency.divisions(registry)] == ["政府信息公开工作办公室"]  # a dry run makes none
    done = ledger.import_ledger(registry, SYSTEM, path, create_divisions=True)
    assert done.rows == 5 and done.new_divisions == ["财务审计处", "规划处", "社会处"]
    names = {r["id"]: r["name"] for r in agency.divisions(registry)}
    leads = [names[r[0]] for r in registry.conn.execute("SELECT lead_division_id FROM cases ORDER BY id")]
    assert leads == ["财务审计处", "规划处", "财务审计处", "社会处", "规划处"]
    actions = [r[0] for r in registry.conn.execute("SELECT action FROM audit_log")]
    assert actions.count("add_division") == 3


def test_the_command_line_says_the_flag_exists(make_target, tmp_path, capsys):
    db = str(make_target("moving-in"))
    path = write_book(tmp_path / "l.xlsx", ROWS)
    assert main(["--db", db, "import-ledger", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "--create-divisions" in err[0]
    assert main(["--db", db, "import-ledger", str(path), "--create-divisions"]) == 0
    out = capsys.readouterr().out
    assert "已创建处室：财务审计处、规划处、社会处" in out and "已导入5件" in out


def test_a_ledger_exported_from_one_registry_imports_into_a_fresh_one_with_every_fact(make_target, tmp_path):
    source = Registry.open(make_target("old-office"), today=lambda: TODAY)
    try:
        agency.ensure_defaults(source)
        demo.fill(source, cases_count=60)
        exported = tmp_path / "ledger.xlsx"
        count = ledger.export_ledger(source, SYSTEM, exported)
    finally:
        source.close()
    fresh = Registry.open(make_target("new-office"), today=lambda: TODAY)
    try:
        agency.ensure_defaults(fresh)
        result = ledger.import_ledger(fresh, SYSTEM, exported, create_divisions=True)  # computed columns ignored
        assert result.rows == count
        again = tmp_path / "again.xlsx"
        ledger.export_ledger(fresh, SYSTEM, again)
    finally:
        fresh.close()
    first, second = (_facts(p) for p in (exported, again))
    assert second == first  # every recorded fact, row for row


def _facts(path) -> list[dict]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    keep = [h for h in header if h not in ("剩余工作日", "办理状态")]  # what only today decides
    return [{h: row[header.index(h)] for h in keep} for row in rows]
