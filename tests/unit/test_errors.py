"""One error scheme for the window and the command line: the user's errors said in their words, the
environment's classified by SQLite's error code (not its message text), bugs logged — no traceback."""

import sqlite3

from db.connection import explain
from desktop.cli import main
from desktop.services import errors
from desktop.services.base import ValidationFailed


def _sqlite_error(code: int, text: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code
    return exc


def test_sqlite_errors_are_told_by_their_code():
    assert "读写数据库文件时出错" in str(explain(_sqlite_error(10 | (3 << 8), "disk I/O error")))  # IOERR_WRITE
    assert "磁盘已满" in str(explain(_sqlite_error(13, "database or disk is full")))
    assert "只读" in str(explain(_sqlite_error(8, "attempt to write a readonly database")))
    assert "已损坏" in str(explain(_sqlite_error(11, "database disk image is malformed")))
    assert explain(_sqlite_error(1, "no such table: x")) is None  # SQLITE_ERROR: our bug, not the disk
    # a message that merely mentions a word is not taken for that error
    assert explain(_sqlite_error(19, "UNIQUE constraint failed: busy.locked")) is None


def test_one_message_and_exit_code_for_both_faces():
    refused = ValidationFailed(["〔姓名〕必填", "〔电话〕格式不正确"])
    assert errors.user_message(refused) == "〔姓名〕必填\n〔电话〕格式不正确" and errors.exit_code(refused) == 2
    assert errors.user_message(RuntimeError("x")) is None


def test_a_bug_in_a_command_is_logged_not_shown_as_a_traceback(make_target, capsys, monkeypatch, tmp_path):
    from desktop import cli

    db = str(make_target("bug"))
    monkeypatch.setattr(cli, "_verify", lambda reg, documents=(): 1 / 0)
    assert main(["--db", db, "verify"]) == 1
    err = capsys.readouterr().err
    assert "程序错误：ZeroDivisionError" in err and "Traceback" not in err
    from desktop.paths import data_dir

    assert "ZeroDivisionError" in (data_dir() / "disclosure-desk-cli.log").read_text(encoding="utf-8")
