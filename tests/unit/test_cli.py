import subprocess
import sys

import openpyxl
import pytest

from db.connection import open_raw
from desktop.cli import main
from tests.unit.test_calendar import NOTICE_2026


@pytest.fixture
def db(make_target, monkeypatch):
    """The registry the commands run on: a file, or a database on the test server."""
    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    return str(make_target("cli"))


def raw(db):
    """A plain connection to look at what a command left (no migration, autocommit)."""
    return open_raw(db)


def test_init_creates_the_first_administrator(db, tmp_path, capsys):
    pw = tmp_path / "pw.txt"
    pw.write_text("Secret2026\n", encoding="utf-8")
    assert main(["--db", db, "init", "--agency", "天津市民政局", "--admin", "boss", "--password-file", str(pw)]) == 0
    assert "已创建系统管理员：boss" in capsys.readouterr().out
    conn = raw(db)
    assert conn.execute("SELECT value FROM agency_settings WHERE key = 'agency_name'").fetchone()[0] == "天津市民政局"
    assert [tuple(r) for r in conn.execute("SELECT role FROM user_roles")] == [("admin",)]


def test_init_refuses_a_weak_password(db, tmp_path, capsys):
    pw = tmp_path / "pw.txt"
    pw.write_text("123\n", encoding="utf-8")
    assert main(["--db", db, "init", "--admin", "boss", "--password-file", str(pw)]) == 2
    assert "〔密码〕密码至少8位" in capsys.readouterr().err


def test_demo_then_export_ledger(db, tmp_path, capsys):
    assert main(["--db", db, "demo"]) == 0
    out = capsys.readouterr().out
    assert "clerk" in out and "登记员" in out and "演示数据已生成：300件案件" in out
    target = tmp_path / "demo.xlsx"
    assert main(["--db", db, "export-ledger", str(target)]) == 0
    ws = openpyxl.load_workbook(target).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 301
    header = rows[0]
    states = {r[header.index("办理状态")] for r in rows[1:]}
    assert {"待分办", "办理中", "已送达", "已归档", "已办结"} <= states
    assert main(["--db", db, "demo"]) == 2  # refused, nothing changed
    assert "已有数据" in capsys.readouterr().err


def test_import_of_a_bad_ledger_exits_2_and_names_rows(db, tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["收到日期", "申请方式", "申请人类型", "申请人", "申请内容"])
    ws.append(["2026-01-05", "当面", "自然人", "王喆", "甲"])
    ws.append(["2036-01-05", "当面", "自然人", "", "乙"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    assert main(["--db", db, "import-ledger", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("第3行 〔收到日期〕 不能晚于今天") and err[1] == "第3行 〔申请人〕 必填"
    assert raw(db).execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    ws.delete_rows(3)
    wb.save(path)
    assert main(["--db", db, "import-ledger", str(path), "--dry-run"]) == 0
    assert raw(db).execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert main(["--db", db, "import-ledger", str(path)]) == 0
    assert raw(db).execute("SELECT count(*) FROM cases").fetchone()[0] == 1


def test_import_of_a_file_that_is_not_a_workbook(db, tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    assert main(["--db", db, "import-ledger", str(path)]) == 2
    assert "不是有效的Excel工作簿" in capsys.readouterr().err


def test_calendar_import_notice_and_show(db, tmp_path, capsys):
    notice = tmp_path / "n.txt"
    notice.write_text(NOTICE_2026, encoding="utf-8")
    assert main(["--db", db, "calendar", "import-notice", str(notice), "--year", "2026"]) == 0
    assert "国庆节：放假 10月1日、10月2日" in capsys.readouterr().out
    assert main(["--db", db, "calendar", "show", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "周末调休上班：2026-01-04、2026-02-14、2026-02-28、2026-05-09、2026-09-20、2026-10-10" in out
    assert main(["--db", db, "calendar", "show", "--year", "2027"]) == 0
    assert "2027年没有官方节假日数据" in capsys.readouterr().err  # a warning: on standard error
    notice.write_text("一、元旦：1月1日（周一）放假。", encoding="utf-8")
    assert main(["--db", db, "calendar", "import-notice", str(notice), "--year", "2027"]) == 2
    assert "1月1日是周五，不是周一" in capsys.readouterr().err


def test_verify_names_an_edited_event(db, capsys):
    assert main(["--db", db, "demo"]) == 0
    assert main(["--db", db, "verify"]) == 0
    conn = raw(db)
    conn.execute("DROP TRIGGER case_events_no_update" + (" ON case_events" if conn.dialect == "postgresql" else ""))
    conn.execute("UPDATE case_events SET effective_on = '2026-01-01' WHERE id = 7")
    capsys.readouterr()
    assert main(["--db", db, "verify"]) == 1
    assert "事件7（案件" in capsys.readouterr().err


def test_verify_against_a_backup_file_and_a_file_that_anchors_nothing(db, capsys, tmp_path):
    assert main(["--db", db, "demo"]) == 0
    assert main(["--db", db, "backup", "--to", str(tmp_path / "elsewhere")]) == 0
    made = next((tmp_path / "elsewhere").glob("*.ddbak"))
    capsys.readouterr()
    assert main(["--db", db, "verify", "--against", str(made)]) == 0
    note = tmp_path / "note.txt"
    note.write_text("x", encoding="utf-8")
    assert main(["--db", db, "verify", "--against", str(note)]) == 2
    assert "note.txt〕不是定稿年度报告或备份文件" in capsys.readouterr().err


def test_database_too_new(db, capsys):
    conn = raw(db)
    if conn.dialect == "sqlite":
        conn.execute("PRAGMA user_version = 99")
    else:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    assert main(["--db", db, "calendar", "show", "--year", "2026"]) == 1
    assert "请升级本程序" in capsys.readouterr().err


def test_console_entry_point_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "desktop", "--db", str(tmp_path / "e.db"), "calendar", "show",
                             "--year", "2025"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2025年工作日安排" in result.stdout


def test_letter_command_issues_once_then_returns_the_stored_file(db, tmp_path, capsys):
    assert main(["--db", db, "demo"]) == 0
    conn = raw(db)
    case_no = conn.execute("SELECT case_no FROM cases WHERE state = 'approved' ORDER BY id LIMIT 1").fetchone()[0]
    out = tmp_path / "reply.pdf"
    capsys.readouterr()
    assert main(["--db", db, "letter", case_no, "--kind", "reply", "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert first.startswith("新出具政府信息公开申请答复书 津民公开〔") and out.read_bytes().startswith(b"%PDF")
    assert conn.execute("SELECT state FROM cases WHERE case_no = ?", (case_no,)).fetchone()[0] == "replied"
    again = tmp_path / "again.pdf"
    assert main(["--db", db, "letter", case_no, "--kind", "reply", "--out", str(again)]) == 0
    assert "已出具的政府信息公开申请答复书（第1版）" in capsys.readouterr().out
    assert again.read_bytes() == out.read_bytes()
    assert main(["--db", db, "letter", case_no, "--kind", "poem", "--out", str(again)]) == 2
    assert "没有“poem”这种文书" in capsys.readouterr().err
    open_case = conn.execute("SELECT case_no FROM cases WHERE state = 'registered' LIMIT 1").fetchone()[0]
    assert main(["--db", db, "letter", open_case, "--kind", "reply", "--out", str(again)]) == 2
    assert "答复须经领导签发后才能出具" in capsys.readouterr().err
    assert main(["--db", db, "letter", "NO-SUCH", "--kind", "receipt", "--out", str(again)]) == 2
    assert "没有申请编号为“NO-SUCH”的案件" in capsys.readouterr().err
