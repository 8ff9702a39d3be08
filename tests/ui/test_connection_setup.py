"""The first start on a PC: a registry file of its own, or the office's server; and a window that
loses its server and gets it back."""

import os

import psycopg
import pytest

from desktop import paths
from desktop.services import location
from desktop.services.base import EVERYTHING
from desktop.ui.dialogs.connection_setup import ConnectionSetupDialog
from desktop.ui.main_window import MainWindow

server = pytest.mark.server


@pytest.fixture
def fresh_pc(tmp_path, monkeypatch):
    """A PC where the program has never run: its own data folder and password file."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    assert not location.configured()
    return tmp_path


def test_first_start_on_its_own_remembers_the_file(qtbot, fresh_pc, monkeypatch):
    from desktop.ui import startup
    from desktop.ui.dialogs.first_admin import FirstAdminDialog

    chosen = fresh_pc / "我的登记簿.db"

    def choose(cls, parent=None):
        dialog = ConnectionSetupDialog()
        qtbot.addWidget(dialog)
        assert dialog.local.isChecked() and not dialog.server_box.isEnabled()
        dialog.file.setText(str(chosen))
        dialog._accept()
        return dialog.target

    monkeypatch.setattr(ConnectionSetupDialog, "ask", classmethod(choose))
    monkeypatch.setattr(FirstAdminDialog, "ask", classmethod(lambda cls, reg: False))  # stop before login
    assert startup.run_window(None) == 0
    assert chosen.exists() and paths.remembered_target() == str(chosen)
    assert location.configured() and paths.default_target() == chosen


def test_first_start_cancelled_opens_nothing(qtbot, fresh_pc, monkeypatch):
    from desktop.ui import startup

    monkeypatch.setattr(ConnectionSetupDialog, "ask", classmethod(lambda cls, parent=None: None))
    assert startup.run_window(None) == 0
    assert not location.configured() and not paths.default_db_path().exists()


def _server_fields(dialog, base, dbname, user=None, host=None, port=None):
    params = psycopg.conninfo.conninfo_to_dict(base)
    dialog.server.setChecked(True)
    dialog.host.setText(host or params.get("host", "localhost"))
    dialog.port.setValue(int(port or params.get("port", 5432)))
    dialog.dbname.setText(dbname)
    dialog.user.setText(user or params.get("user") or os.environ.get("USER") or "root")


@server
def test_connecting_a_pc_to_the_office_server(qtbot, fresh_pc, make_target):
    target = make_target("office", empty=True)
    dbname = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    base = os.environ["DDESK_TEST_PG"]
    dialog = ConnectionSetupDialog()
    qtbot.addWidget(dialog)
    _server_fields(dialog, base, "ddesk_no_such_db")
    assert dialog.server_box.isEnabled() and not dialog.local_box.isEnabled()
    assert not dialog.test_connection()
    assert "数据库服务器上没有这个数据库" in dialog.message.text()
    _server_fields(dialog, base, dbname, host="127.0.0.1", user="nobody")
    dialog.password.setText("wrong")
    assert not dialog.test_connection()
    assert "用户名或密码不正确" in dialog.message.text() and "wrong" not in dialog.message.text()
    _server_fields(dialog, base, dbname, host="127.0.0.1", port=1)
    assert not dialog.test_connection() and "无法连接数据库服务器" in dialog.message.text()
    _server_fields(dialog, base, dbname)
    dialog.password.setText("s3cret:pw")
    assert dialog.test_connection()
    assert dialog.message.text().startswith("连接成功：PostgreSQL 1") and "空数据库" in dialog.message.text()
    dialog._accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    remembered = paths.remembered_target()
    assert remembered == dialog.target and f"dbname={dbname}" in remembered and "s3cret" not in remembered
    pgpass = (fresh_pc / "pgpass").read_text(encoding="utf-8")
    assert pgpass.rstrip().endswith(f":{dbname}:{dialog.user.text()}:s3cret\\:pw")  # libpq's format
    assert (fresh_pc / "pgpass").stat().st_mode & 0o077 == 0


@server
def test_a_window_that_loses_its_server_says_so_and_reconnects(qtbot, registry, staff, pg_template):
    w = MainWindow(registry, staff["head"])
    qtbot.addWidget(w)
    w.show()
    assert "单位服务器" in w.db_label.text()
    dbname = registry.conn.execute("SELECT current_database()").fetchone()[0]
    admin = pg_template[2]
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=5000)
    assert "与数据库的连接已断开" in w.banner.text()
    qtbot.waitUntil(lambda: not w.banner.isVisible(), timeout=10000)
    assert "已重新连接" in w.statusBar().currentMessage()
    w.apply(EVERYTHING)  # the window's own connection is opened again by its next statement
    assert w.page("queue").model.all_ids() == []


def test_the_window_writes_its_log_even_after_the_command_line_set_up_logging(qtbot, fresh_pc):
    import logging

    from desktop.ui.startup import start_log

    logging.basicConfig(level=logging.WARNING)  # as desktop.cli.main does before opening the window
    level = logging.getLogger().level
    path = start_log()
    logging.getLogger("desktop.test").warning("一条测试日志")
    for h in logging.getLogger().handlers:
        h.flush()
    assert "一条测试日志" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o077 == 0  # the owner's only
    for h in list(logging.getLogger().handlers):  # leave logging as it was for the other tests
        if getattr(h, "baseFilename", None) == str(path):
            logging.getLogger().removeHandler(h)
            h.close()
    logging.getLogger().setLevel(level)
