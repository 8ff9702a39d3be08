"""Administration from the command line: divisions, users, agency settings — the window's checks and
audit trail, passwords never on the command line; and the small things a script writer trips over."""

import io
import json

import pytest

from db.connection import open_raw
from desktop.cli import main
from desktop.services import users
from desktop.services.base import Registry


@pytest.fixture
def db(make_target, monkeypatch):
    target = str(make_target("cli-admin"))
    monkeypatch.setenv("DISCLOSURE_DESK_DB", target)
    assert main(["--db", target, "init", "--agency", "天津市民政局"]) == 0
    return target


def audit(db) -> list[tuple[str, dict]]:
    conn = open_raw(db)
    try:
        return [(r[0], json.loads(r[1])) for r in conn.execute("SELECT action, payload FROM audit_log ORDER BY id")]
    finally:
        conn.close()


def test_divisions_from_the_command_line(db, capsys):
    assert main(["--db", db, "division", "add", "规划发展处"]) == 0
    assert main(["--db", db, "division", "add", "规划发展处"]) == 2
    assert "“规划发展处”已存在" in capsys.readouterr().err
    assert main(["--db", db, "division", "rename", "规划发展处", "规划处"]) == 0
    assert main(["--db", db, "division", "deactivate", "规划处"]) == 0
    assert main(["--db", db, "division", "deactivate", "政府信息公开工作办公室"]) == 2
    assert "不能停用" in capsys.readouterr().err
    assert main(["--db", db, "division", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["政府信息公开工作办公室（信息公开工作机构）", "规划处（已停用）"]
    assert main(["--db", db, "division", "rename", "没有这个处", "某处"]) == 2
    assert "没有名为“没有这个处”的处室" in capsys.readouterr().err
    actions = [a for a, _p in audit(db)]
    assert actions.count("add_division") == 1 and actions.count("update_division") == 2


def test_users_with_passwords_from_a_file_or_standard_input_never_an_argument(db, capsys, tmp_path, monkeypatch):
    assert main(["--db", db, "division", "add", "规划处"]) == 0
    secret = tmp_path / "pw.txt"
    secret.write_text("Clerk2026pass\n", encoding="utf-8")
    assert main(["--db", db, "user", "add", "zhangmin", "--name", "张敏", "--roles", "clerk",
                 "--password-file", str(secret)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Planner2026x\n"))
    assert main(["--db", db, "user", "add", "wangfang", "--name", "王芳", "--roles", "承办人",
                 "--division", "规划处"]) == 0
    assert main(["--db", db, "user", "add", "nodiv", "--name", "某", "--roles", "division",
                 "--password-file", str(secret)]) == 2
    assert "承办人须属于一个处室" in capsys.readouterr().err
    assert main(["--db", db, "user", "add", "bad", "--name", "某", "--roles", "boss",
                 "--password-file", str(secret)]) == 2
    assert "“boss”不是角色" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # no --password option exists at all (nor abbreviations of others)
        main(["--db", db, "user", "add", "x", "--name", "某", "--roles", "clerk", "--password", "Secret2026"])
    capsys.readouterr()
    assert main(["--db", db, "user", "list"]) == 0
    out = capsys.readouterr().out
    assert "zhangmin\t张敏\t登记员" in out and "wangfang\t王芳\t承办人\t规划处" in out
    reg = Registry.open(db)
    try:
        assert users.authenticate(reg, "wangfang", "Planner2026x").division_id is not None
        monkeypatch.setattr("sys.stdin", io.StringIO("Reset2026abc\n"))
        assert main(["--db", db, "user", "reset-password", "wangfang"]) == 0
        assert users.authenticate(reg, "wangfang", "Reset2026abc")
        assert main(["--db", db, "user", "deactivate", "wangfang"]) == 0
        with pytest.raises(Exception, match="停用|不正确|无法"):
            users.authenticate(reg, "wangfang", "Reset2026abc")
    finally:
        reg.close()
    actions = [a for a, _p in audit(db)]
    assert {"create_user", "reset_password", "update_user"} <= set(actions)
    assert "Planner2026x" not in json.dumps(audit(db), ensure_ascii=False)


def test_settings_show_and_set_with_the_windows_checks(db, capsys):
    assert main(["--db", db, "settings", "show"]) == 0
    assert "agency_name\t机关名称\t天津市民政局" in capsys.readouterr().out
    assert main(["--db", db, "settings", "set", "contact_phone", "022-23456789"]) == 0
    assert "咨询电话：" in capsys.readouterr().out
    assert main(["--db", db, "settings", "set", "case_no_pattern", "【年份】-【序号（5位）】"]) == 0
    assert "申请编号格式：" in capsys.readouterr().out
    reg = Registry.open(db)
    try:
        assert reg.settings()["case_no_pattern"] == "{year}-{seq:05d}"  # stored as the window stores it
    finally:
        reg.close()
    assert main(["--db", db, "settings", "show"]) == 0
    assert "case_no_pattern\t申请编号格式\t【年份】-【序号（5位）】" in capsys.readouterr().out
    assert main(["--db", db, "settings", "set", "due_soon_days", "很多"]) == 2
    assert "即将到期提醒" in capsys.readouterr().err
    assert main(["--db", db, "settings", "set", "no_such_key", "1"]) == 2
    assert "“no_such_key”不是可设置的项目" in capsys.readouterr().err
    assert any(a == "update_settings" and p["after"] == {"contact_phone": "022-23456789"} for a, p in audit(db))


def test_init_on_a_registry_in_use_says_it_renamed_the_agency(db, capsys, tmp_path):
    secret = tmp_path / "pw.txt"
    secret.write_text("Admin2026pass\n", encoding="utf-8")
    assert main(["--db", db, "init", "--admin", "admin", "--password-file", str(secret)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "init", "--agency", "天津市民政局（新）"]) == 0
    assert "机关名称已由“天津市民政局”改为“天津市民政局（新）”" in capsys.readouterr().err
    assert any(a == "update_settings" and p["after"] == {"agency_name": "天津市民政局（新）"} for a, p in audit(db))


def test_small_things_that_surprised(db, capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code in (0, None)
    assert capsys.readouterr().out.startswith("disclosure-desk ")  # standard output, for scripts
    assert main(["--db", db, "demo"]) == 0
    capsys.readouterr()
    missing = tmp_path / "no" / "such" / "dir" / "x.pdf"
    assert main(["--db", db, "letter", "2026-00001", "--kind", "receipt", "--out", str(missing)]) == 2
    assert "文件夹不存在" in capsys.readouterr().err and not missing.parent.exists()
    assert main(["--db", db, "report", "annual", "--year", "1850", "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "1850年没有可统计的案件" in capsys.readouterr().err and not (tmp_path / "r.xlsx").exists()
    assert main(["--db", db, "report", "annual", "--year", "2099", "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "还没有到来" in capsys.readouterr().err
