import pytest
from PySide6.QtCore import Qt

from desktop.ui.dialogs.login import LoginDialog
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import actor


def test_login_refuses_a_wrong_password_then_accepts(qtbot, demo_registry):
    dialog = LoginDialog(demo_registry, "天津市民政局")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.login, "clerk")
    qtbot.keyClick(dialog.login, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.password, "wrong-one1")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.message.text() == "登录名或密码不正确"
    assert dialog.result() == 0 and dialog.actor is None
    qtbot.keyClicks(dialog.password, "clerk2026")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.login == "clerk"
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_navigation_depends_on_the_roles(qtbot, demo_registry):
    def sections(login, password):
        w = MainWindow(demo_registry, actor(demo_registry, login, password))
        qtbot.addWidget(w)
        return [w.nav.item(i).text() for i in range(w.nav.count())], w

    clerk, w = sections("clerk", "clerk2026")
    assert clerk[0] == "登记" and clerk[1].startswith("我的待办（") and clerk[2:] == ["待归档", "全部案件", "统计报表"]
    assert w.current_page() is w.page("queue")  # on login: the queue, with its counts
    assert w.queue_label.text().strip().startswith("待办 ")
    assert "张敏（登记员，政府信息公开工作办公室）" in w.user_label.text() and "demo.db" in w.db_label.text()
    division, _ = sections("planning", "div2026a")
    assert division[0].startswith("我的待办（") and division[1:] == ["全部案件"]
    leader, w = sections("leader", "leader2026")
    assert leader[1:] == ["领导审批", "全部案件", "统计报表"]
    assert w.current_page() is w.page("approve")  # a leader starts where they sign
    admin, _ = sections("admin", "admin2026")
    assert admin == ["全部案件", "统计报表", "系统管理"]


def test_division_queue_holds_only_its_own_cases(qtbot, demo_registry):
    me = actor(demo_registry, "planning", "div2026a")
    w = MainWindow(demo_registry, me)
    qtbot.addWidget(w)
    queue = w.page("queue")
    expected = demo_registry.conn.execute(
        "SELECT count(*) FROM cases WHERE state IN ('assigned','handling') AND (lead_division_id = ?"
        " OR id IN (SELECT case_id FROM case_co_divisions WHERE division_id = ?))",
        (me.division_id, me.division_id)).fetchone()[0]
    assert queue.model.total() == expected > 0
    states = {queue.model.row_at(i).state for i in range(queue.model.count)}
    assert states <= {"assigned", "handling"}


def test_queues_refresh_when_another_seat_changes_something(qtbot, registry, staff):
    from desktop.services import cases
    from desktop.services.base import Registry
    from tests.conftest import TODAY
    from tests.helpers import person_form

    w = MainWindow(registry, staff["head"])
    qtbot.addWidget(w)
    w.show()
    queue = w.page("queue")
    assert queue.model.count == 0 and not w.check_other_seats()
    other_seat = Registry.open(registry.target, today=lambda: TODAY)  # a second window or the command line
    try:
        case_id = cases.register_case(other_seat, staff["clerk"], person_form()).case_ids[0]
    finally:
        other_seat.close()

    def shown() -> bool:  # the watcher's own notifier may read the news first: what counts is the screen
        w.check_other_seats()
        return queue.model.count == 1
    # normally within milliseconds (the one-second promise is tested with real processes in test_seats.py);
    # generous here: this runs amid the whole suite on two cores
    qtbot.waitUntil(shown, timeout=5000)
    assert queue.model.case_id_at(0) == case_id
    labels = [w.nav.item(i).text() for i in range(w.nav.count())]
    assert "我的待办（1）" in labels and "待办 1 件" in w.queue_label.text()


def test_idle_lock_hides_the_data_until_the_password_is_given(qtbot, registry, staff, monkeypatch):
    from desktop.ui.dialogs.account import LockDialog

    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    assert w.idle_ms == 15 * 60_000  # the default setting
    seen = []

    def ask(cls, reg, actor, parent, manual=False):
        seen.append(parent.centralWidget().isVisible() if parent.isVisible() else parent.centralWidget().isHidden())
        dialog = cls(reg, actor, parent, manual)
        assert dialog.why.text().startswith("长时间未操作")
        dialog.password.setText("wrong-pass1")
        dialog._unlock()
        assert "登录名或密码不正确" in dialog.message.text()
        dialog.password.setText("pass1234")
        dialog._unlock()
        return dialog.result()

    monkeypatch.setattr(LockDialog, "ask", classmethod(ask))
    assert w.lock() is True
    assert seen == [True]  # while locked, the case data was hidden
    assert not w.centralWidget().isHidden()


def test_input_in_the_window_or_a_dialog_restarts_the_idle_clock(qtbot, registry, staff, monkeypatch):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog

    locked = []
    monkeypatch.setattr(MainWindow, "lock", lambda self: locked.append(True) or True)
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.idle_ms = 400  # as if the administrator had set a very short idle time
    w.show()
    qtbot.waitExposed(w)
    w.idle.start(w.idle_ms)
    # a click in the main window and typing in a dialog both count as activity
    dialog = QDialog(w)
    dialog.show()
    qtbot.waitExposed(dialog)
    w._watch_window(dialog.windowHandle())  # what focusWindowChanged does when the dialog gets the focus
    for _ in range(4):  # longer than the idle time, clicking in the window
        qtbot.wait(200)
        QTest.mouseClick(w.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
    assert locked == [] and w.idle.isActive()
    for _ in range(4):  # then typing in the dialog only
        qtbot.wait(200)
        QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_A)
    assert locked == [] and w.idle.isActive()
    # without input the lock comes
    qtbot.waitUntil(lambda: locked == [True], timeout=2000)


def test_verify_from_the_window(qtbot, registry, staff, monkeypatch):
    from desktop.ui.dialogs.messages import Ask

    told = []
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: told.append(text)))
    w = MainWindow(registry, staff["admin"])
    qtbot.addWidget(w)
    assert w.verify() == [] and told[0].startswith("检查通过")


def test_about_dialog_names_version_paths_and_font_licence(qtbot, registry, staff):
    from desktop import __version__
    from desktop.ui.dialogs.about import AboutDialog

    dialog = AboutDialog(registry.describe())
    qtbot.addWidget(dialog)
    assert __version__ in dialog.info.text() and registry.describe() in dialog.info.text()
    assert "数据目录" in dialog.info.text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in dialog.licence.toPlainText()


def test_the_daily_backup_runs_off_the_gui_thread_once_the_window_is_up(qtbot, registry, staff, monkeypatch):
    import threading

    from desktop.services import backup
    from desktop.ui.startup import backup_in_background

    threads = []
    real_daily = backup.daily
    monkeypatch.setattr(backup, "daily", lambda reg: threads.append(
        threading.current_thread() is threading.main_thread()) or real_daily(reg))
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.show()
    worker = backup_in_background(w, registry.target)
    qtbot.waitUntil(lambda: worker.isFinished(), timeout=10_000)
    qtbot.waitUntil(lambda: "已自动备份" in w.statusBar().currentMessage(), timeout=5_000)
    assert threads == [False]
    made = list(backup.backup_dir(registry).glob("*.ddbak"))
    assert len(made) == 1 and backup.check(made[0])[0] == registry.conn.execute(
        "SELECT count(*) FROM cases").fetchone()[0]
    # the same day again: nothing new
    second = backup_in_background(w, registry.target)
    qtbot.waitUntil(lambda: second.isFinished(), timeout=10_000)
    assert len(list(backup.backup_dir(registry).glob("*.ddbak"))) == 1


def test_the_window_brings_a_paused_cases_stored_projection_to_today_in_the_background(qtbot, registry, staff):
    from datetime import date, timedelta

    from desktop.services import cases
    from tests.unit.test_derived_values import _paused_and_running

    clock = [date(2026, 11, 20)]
    registry.today = lambda: clock[0]
    paused, _running = _paused_and_running(registry, staff)
    stored = cases.get_case(registry, paused)["due_on"]
    clock[0] += timedelta(days=7)
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w._rolled_on == clock[0], timeout=10_000)
    now = cases.case_view(registry, paused, staff["clerk"]).deadline.effective_due_on.isoformat()
    assert cases.get_case(registry, paused)["due_on"] == now != stored


def test_sign_out_at_a_shared_pc_brings_the_login_back_for_the_next_user(qtbot, registry, staff, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui import startup
    from desktop.ui.dialogs.login import LoginDialog

    logins = iter([staff["clerk"], staff["head"]])
    monkeypatch.setattr(LoginDialog, "ask", classmethod(lambda cls, reg, agency, hint="": next(logins, None)))
    seen = []

    def act():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, act)
            return
        w = windows[0]
        seen.append((w.actor.login, w.user_label.text()))
        if len(seen) == 1:
            w.sign_out(ask=False)  # 注销: the next user signs in
            QTimer.singleShot(50, act)
        else:
            w.close()  # closing the window ends the program
    QTimer.singleShot(50, act)
    QTimer.singleShot(20_000, QApplication.instance().quit)  # never hang the suite
    assert startup.run_window(registry.target) == 0
    assert [login for login, _label in seen] == ["clerk", "head"]


def test_a_manual_lock_says_who_locked_it_and_lets_another_user_sign_in(qtbot, registry, staff, monkeypatch):
    from desktop.ui.dialogs.account import LockDialog

    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    assert "规划处" in w.user_label.text()  # the status bar names the user's division
    out = []
    w.signed_out.connect(lambda: out.append(True))

    def ask(cls, reg, actor, parent, manual=False):
        dialog = cls(reg, actor, parent, manual)
        assert dialog.why.text().startswith(f"{actor.name}已锁定窗口")
        dialog.switch.click()
        return dialog.result()
    monkeypatch.setattr(LockDialog, "ask", classmethod(ask))
    assert w.lock(manual=True) is False
    assert out == [True]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # (the offscreen platform: the dialog is raised)
def test_the_frame_shows_while_the_password_is_checked_and_the_content_only_once_it_is_right(
        qtbot, registry, staff, monkeypatch):
    """The password typed at once after the login (nothing prepared yet): the main window's skeleton is
    shown while the check runs on another thread, without the menus, the navigation or any page; a
    wrong password takes it away again and counts as a failed attempt; the right one gets that window,
    with its first page."""
    from desktop.services import users
    from desktop.ui import startup

    prepared = startup._Prepared(registry)
    monkeypatch.setattr(LoginDialog, "preparer", prepared)
    dialog = LoginDialog(registry, "某某市民政局", background=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.login.setText("clerk")
    dialog.password.setText("wrong-one1")
    dialog.try_login()
    frame = prepared.window
    assert frame is not None and frame.isVisible()
    assert not frame.centralWidget().isVisible() and not frame.menuBar().isVisible()
    qtbot.waitUntil(lambda: dialog._check is None, timeout=10_000)
    assert dialog.message.text() == "登录名或密码不正确" and dialog.actor is None
    assert not frame.isVisible()
    assert next(u for u in users.list_users(registry, staff["admin"]) if u["login"] == "clerk")["failed_attempts"] == 1
    dialog.password.setText("pass1234")
    dialog.try_login()
    assert frame.isVisible() and not frame.centralWidget().isVisible()
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=10_000)
    window = prepared.window_for(dialog.actor)
    assert window is frame
    prepared.show(window)
    assert window.centralWidget().isVisible() and window.menuBar().isVisible()
    assert window.current_page() is window.pages["queue"]
    window.close()
