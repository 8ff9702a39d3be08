"""Qt start-up: QApplication, open/migrate the database, first administrator, login, main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from desktop.paths import data_dir, default_target

log = logging.getLogger(__name__)


def _demo_path(db: Path | None) -> Path:
    return db or data_dir() / "demo.db"


def start_log() -> Path:
    """The window's log: a rotating file in the data folder (5 × 1 MB), readable by its owner only.
    Added to the root logger explicitly: the command line has configured logging already, so
    ``basicConfig`` here would do nothing (and no log was written)."""
    import os
    from logging.handlers import RotatingFileHandler

    log_dir = data_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "disclosure-desk.log"
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    if os.name == "posix":
        path.touch(exist_ok=True)
        path.chmod(0o600)
    return path


def install_qt_translations(app) -> bool:
    """Qt's own Chinese for its standard buttons and dialogs (确定/取消, the file dialog …)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    translator = QTranslator(app)
    if not translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        log.warning("Qt's Chinese translations were not found")
        return False
    app.installTranslator(translator)
    return True


def run_window(db: str | Path | None, demo: bool = False) -> int:
    """Open the window on ``db`` (a file or a server; without it this PC's registry, chosen at the
    first start; with ``demo`` a demo database)."""
    from PySide6.QtWidgets import QApplication

    from db.connection import EnvironmentProblem
    from db.migrations import DatabaseTooNew
    from desktop.services import agency
    from desktop.services import demo as demo_svc
    from desktop.services import users as users_svc
    from desktop.services.base import Registry
    from desktop.ui.dialogs.login import LoginDialog
    from desktop.ui.dialogs.messages import Ask
    from desktop.ui.main_window import MainWindow

    start_log()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("政府信息公开申请办理系统")
    from PySide6.QtGui import QIcon

    from desktop.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.png")))
    from PySide6.QtCore import QLocale

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_qt_translations(app)
    from db.connection import is_server
    from desktop.services import backup, location

    if demo:
        target = Path(db) if db and not is_server(db) else (db or _demo_path(None))
    elif db:
        target = db if is_server(db) else Path(db)
    elif location.configured():
        target = default_target()
    else:  # the first start on this PC: a file of its own, or the office's server
        from desktop.ui.dialogs.connection_setup import ConnectionSetupDialog

        target = ConnectionSetupDialog.ask()
        if target is None:
            return 0
    on_file = not is_server(target)
    path = Path(target) if on_file else None
    damaged = backup.start_check(path) if on_file else None
    if damaged:
        newest = backup.latest(path.with_name(f"{path.stem}-backups")) if path.with_name(
            f"{path.stem}-backups").is_dir() else None
        if newest is None:
            Ask.error(None, "数据库已损坏", f"{damaged}\n没有找到备份，请联系管理员。")
            return 1
        if not Ask.confirm(None, "数据库已损坏", f"{damaged}\n是否用最新的备份（{newest.name}）恢复？"
                                                "损坏的文件会另存一份。"):
            return 1
        backup.restore(path, newest)
    from db.migrations import pending_steps

    notice = None
    if pending_steps(target):  # an upgrade can take a while on a big register (the search index is rebuilt)
        from PySide6.QtWidgets import QLabel

        notice = QLabel("正在升级数据库（首次用新版本打开时进行，案件较多时可能需要一两分钟）…\n"
                        "升级前的数据已另存一份。请勿关闭本程序。")
        notice.setWindowTitle("政府信息公开申请办理系统")
        notice.setMargin(24)
        notice.show()
        app.processEvents()
    try:
        reg = Registry.open(target)
    except (EnvironmentProblem, DatabaseTooNew) as exc:
        Ask.error(None, "无法打开数据库", str(exc))
        return 1
    finally:
        if notice is not None:
            notice.close()
    session = backup.session_start(reg) if on_file and notice is None else None  # before anything writes
    agency.ensure_defaults(reg)
    hint = ""
    if demo:
        if not users_svc.has_users(reg):
            demo_svc.fill(reg)
        accounts = [f"{name}：{login} / {password}" for login, name, _r, _d, password in demo_svc.DEMO_USERS]
        print("演示账号（登录名 / 密码）：" + "，".join(accounts))
        hint = "演示账号（登录名 / 密码）：<br>" + "<br>".join(accounts)
    if not users_svc.has_users(reg):
        from desktop.ui.dialogs.first_admin import FirstAdminDialog

        if not FirstAdminDialog.ask(reg):
            return 0
    _install_excepthook(None)  # a bug in the login dialog is logged and apologised for too
    code = 0
    backing_up = on_file  # the day's backup starts once, with the first window
    while True:  # 注销 / 切换用户 brings the login back; closing the window ends the program
        actor = LoginDialog.ask(reg, reg.settings().get("agency_name", ""), hint=hint)
        if actor is None:
            break
        window = MainWindow(reg, actor)
        switching: list[bool] = []
        window.signed_out.connect(lambda said=switching: said.append(True))
        window.show()
        clock = backup.clock_problem(reg)  # a clock gone back would date new facts wrongly
        if clock:
            Ask.error(window, "电脑时钟", clock)
        # A file is backed up daily and at exit by the PC that holds it; a server registry by its
        # administrator's scheduled `backup` command (README), not by every PC at every start.
        daily = backup_in_background(window, path) if backing_up else None
        backing_up = False
        _install_excepthook(window)
        code = app.exec()
        if daily is not None:
            daily.wait()
        if not switching:
            break
        window.deleteLater()
        app.processEvents()
    try:
        if reg.conn is not None and on_file:
            backup.at_exit(reg, session)  # skipped when nothing changed since the newest backup
    except Exception:
        log.exception("backup at exit failed")
    reg.close()
    if on_file:
        backup.mark_closed_cleanly(path)
    return code


def backup_in_background(window, target):
    """The daily backup, on another thread once the window is up (copying and zipping the database
    took seconds at the start of the first session of a day; a million cases, a minute). A failed
    backup must not keep the office from working: it is logged and said in the status bar."""
    from datetime import date, datetime

    from desktop.services import backup
    from desktop.ui.workers import Worker

    def done(info) -> None:
        if info is not None:
            # the file's name is for the administrator (数据 › 从备份恢复 lists them), not the status bar
            window.statusBar().showMessage(f"已自动备份（{info.cases}件案件，{datetime.now():%H:%M}）", 15000)

    def failed(message: str) -> None:
        log.error("daily backup failed: %s", message)
        window.statusBar().showMessage(f"今日自动备份失败：{message}", 30000)

    worker = Worker(target, date.today, lambda reg, _progress: backup.daily(reg), window)
    worker.succeeded.connect(done)
    worker.failed.connect(failed)
    worker.start()
    return worker


def _install_excepthook(window) -> None:
    """A bug in a slot: log it and apologise; the window (and what was typed) stays."""
    from desktop.ui.dialogs.messages import Ask

    def hook(kind, value, tb):
        log.error("unhandled error", exc_info=(kind, value, tb))
        Ask.bug(window)

    sys.excepthook = hook


def draw_main_window(reg, actor) -> tuple[int, int]:
    """Build the main window and paint it into an image (the self-test's proof that Qt works)."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(reg, actor)
    image = window.grab()
    if image.isNull():
        raise RuntimeError("主窗口无法绘制")
    window.deleteLater()
    app.processEvents()
    return image.width(), image.height()
