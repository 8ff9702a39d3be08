"""Qt start-up: QApplication, open/migrate the database, first administrator, login, main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from desktop.paths import data_dir, default_target

log = logging.getLogger(__name__)


def _demo_path(db: Path | None) -> Path:
    return db or data_dir() / "demo.db"


class _LogFile(logging.FileHandler):
    """The window's log file, rotated like logging.handlers.RotatingFileHandler (``backups`` older files
    of at most ``limit`` bytes), without loading that module and what it brings (sockets, pickle, queues:
    ≈10 ms of every start)."""

    def __init__(self, path: Path, limit: int, backups: int):
        self.limit, self.backups = limit, backups
        if path.exists() and path.stat().st_size >= limit:
            self._rotate(path)
        super().__init__(path, encoding="utf-8")

    def _rotate(self, path: Path) -> None:
        import os

        for n in range(self.backups - 1, 0, -1):
            older = Path(f"{path}.{n}")
            if older.exists():
                os.replace(older, f"{path}.{n + 1}")
        if path.exists():
            os.replace(path, f"{path}.1")

    def emit(self, record) -> None:
        super().emit(record)
        if self.stream is not None and self.stream.tell() >= self.limit:
            self.acquire()
            try:
                self.stream.close()
                self.stream = None  # reopened by the next emit, as FileHandler does when delayed
                self._rotate(Path(self.baseFilename))
            finally:
                self.release()


def start_log() -> Path:
    """The window's log: a rotating file in the data folder (5 × 1 MB), readable by its owner only.
    Added to the root logger explicitly: the command line has configured logging already, so
    ``basicConfig`` here would do nothing (and no log was written)."""
    import os

    log_dir = data_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "disclosure-desk.log"
    if os.name == "posix" and not path.exists():
        path.touch(mode=0o600)
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        handler = _LogFile(path, limit=1_000_000, backups=5)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    if os.name == "posix":
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


def _target_known(db, demo: bool):
    """The registry to open when it is known without asking (None at the first start on this PC)."""
    from db.connection import is_server
    from desktop.services import location

    if demo:
        return Path(db) if db and not is_server(db) else (db or _demo_path(None))
    if db:
        return db if is_server(db) else Path(db)
    return default_target() if location.configured() else None


class _Opening:
    """The registry opened on another thread while Qt loads (≈0.1 s of library loading that SQLite's
    reading of the file can overlap): the page check of a file not closed cleanly, the schema, the
    agency's settings. It stops short of anything the user must see (a damaged file, an upgrade): those
    are done afterwards on the GUI thread, with their dialog or notice, as before."""

    def __init__(self, target):
        import threading

        self.target = target
        self.damaged: str | None = None
        self.pending = False
        self.reg = None
        self.session = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="opening", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from db.connection import is_server
            from db.migrations import pending_steps
            from desktop.services import agency, backup
            from desktop.services.base import Registry

            on_file = not is_server(self.target)
            if on_file:
                self.damaged = backup.start_check(Path(self.target))
                if self.damaged:
                    return
            if pending_steps(self.target):
                self.pending = True
                return
            reg = Registry.open(self.target)
            try:
                agency.ensure_defaults(reg)
                self.session = backup.session_start(reg) if on_file else None  # before the session writes
                reg.settings()  # read now: the login dialog names the agency
            except BaseException:
                reg.close()
                raise
            self.reg = reg
        except BaseException as exc:  # handed to the GUI thread (join)
            self.error = exc

    def join(self):
        self._thread.join()
        return self


def run_window(db: str | Path | None, demo: bool = False) -> int:
    """Open the window on ``db`` (a file or a server; without it this PC's registry, chosen at the
    first start; with ``demo`` a demo database)."""
    target = _target_known(db, demo)
    opening = _Opening(target) if target is not None else None  # while Qt loads
    from PySide6.QtWidgets import QApplication

    from db.connection import EnvironmentProblem
    from db.migrations import DatabaseTooNew
    from desktop.services import agency
    from desktop.services import users as users_svc
    from desktop.services.base import Registry
    from desktop.ui.dialogs.login import LoginDialog
    from desktop.ui.dialogs.messages import Ask

    # The main window's modules load while the login dialog waits for the user (_Prepared), not before it.

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
    from desktop.services import backup

    if target is None:  # the first start on this PC: a file of its own, or the office's server
        from desktop.ui.dialogs.connection_setup import ConnectionSetupDialog

        target = ConnectionSetupDialog.ask()
        if target is None:
            return 0
    on_file = not is_server(target)
    path = Path(target) if on_file else None
    early = opening.join() if opening is not None else None
    if early is not None and early.error is not None:
        if isinstance(early.error, EnvironmentProblem | DatabaseTooNew):
            Ask.error(None, "无法打开数据库", str(early.error))
            return 1
        raise early.error
    if early is not None and early.reg is not None:
        reg, session = early.reg, early.session
    else:
        damaged = early.damaged if early is not None else (backup.start_check(path) if on_file else None)
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
        agency.ensure_defaults(reg)
        session = backup.session_start(reg) if on_file and notice is None else None  # before the session writes
    hint = ""
    if demo:
        from desktop.services import demo as demo_svc

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
    prepared = _Prepared(reg)
    LoginDialog.preparer = prepared
    while True:  # 注销 / 切换用户 brings the login back; closing the window ends the program
        actor = LoginDialog.ask(reg, reg.settings().get("agency_name", ""), hint=hint)
        if actor is None:
            prepared.discard()
            break
        window = prepared.window_for(actor)
        switching: list[bool] = []
        window.signed_out.connect(lambda said=switching: said.append(True))
        prepared.show(window)
        clock = check_clock_in_background(window, reg)  # a clock gone back would date new facts wrongly
        # A file is backed up daily and at exit by the PC that holds it; a server registry by its
        # administrator's scheduled `backup` command (README), not by every PC at every start.
        daily = backup_in_background(window, path) if backing_up else None
        backing_up = False
        _install_excepthook(window)
        code = app.exec()
        clock.wait()
        if daily is not None:
            daily.wait()
        if not switching:
            break
        window.deleteLater()
        app.processEvents()
    LoginDialog.preparer = None
    try:
        if reg.conn is not None and on_file:
            backup.at_exit(reg, session)  # skipped when nothing changed since the newest backup
    except Exception:
        log.exception("backup at exit failed")
    reg.close()
    if on_file:
        backup.mark_closed_cleanly(path)
    return code


class _Prepared:
    """What the first screen needs, made while the login dialog waits: the main window's modules once the
    dialog is on screen, the window itself once the login name is entered (hidden, for that account).
    While the password is checked (on another thread, see LoginDialog) the window's frame is shown with
    nothing of the registry in it; its content appears when the password is right. A wrong password,
    another login or 退出 discards it. When the password follows the login at once (no time to prepare),
    the frame is a skeleton shown first, and its first page is made and drawn off screen during the
    check, after the frame's first paint."""

    def __init__(self, reg):
        self.reg = reg
        self.window = None  # built for self.login, not shown
        self.login = None

    def dialog_painted(self) -> None:
        import desktop.ui.main_window  # noqa: F401 - the views and models of the first screen

    def login_named(self, login: str, skeleton: bool = False) -> None:
        if self.login == login and self.window is not None:
            return
        self.discard()
        from desktop.services import users
        from desktop.services.base import SYSTEM, ServiceError
        from desktop.ui.main_window import MainWindow

        try:
            account = next((u for u in users.list_users(self.reg, SYSTEM) if u["login"].lower() == login.lower()
                            and u["active"]), None)
            if account is None:
                return  # no such account: nothing is prepared (the check says so)
            self.window = MainWindow(self.reg, users.actor_for(self.reg, account["id"]), skeleton=skeleton)
            self.login = login
        except ServiceError:
            self.discard()

    def checking(self, login: str) -> None:
        self.login_named(login, skeleton=True)  # (a window prepared while the password was typed is kept)
        if self.window is not None:
            self._content_shown(self.window, False)
            self.window.show()
            # Once the frame is on screen (a timer now would run before its first paint), while the
            # password is checked on the other core: the first page, then its content laid out and drawn
            # once off screen (styles, fonts, column widths), so that it appears at once when it may.
            _after_first_paint(self.window, self._rehearse)

    def _rehearse(self) -> None:
        window = self.window
        if window is not None and not window.centralWidget().isVisible():
            window.fill()
            if self.window is window and not window.centralWidget().isVisible():  # (still checking)
                window.centralWidget().grab()

    def refused(self) -> None:
        if self.window is not None:
            self.window.hide()

    def discard(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
        self.window, self.login = None, None

    def window_for(self, actor):
        """The window prepared for ``actor`` (the password was right), else a new one."""
        window, self.window, self.login = self.window, None, None
        if window is not None and window.actor == actor:
            return window
        if window is not None:
            window.close()
            window.deleteLater()
        from desktop.ui.main_window import MainWindow

        return MainWindow(self.reg, actor)

    def show(self, window) -> None:
        window.fill()  # (done already, unless the password was checked before the frame was painted)
        self._content_shown(window, True)
        window.show()

    @staticmethod
    def _content_shown(window, shown: bool) -> None:
        for part in (window.centralWidget(), window.menuBar(), window.statusBar()):
            part.setVisible(shown)


def _after_first_paint(widget, then) -> None:
    """``then()`` once ``widget`` has been painted for the first time from now: after that paint pass and
    after what was queued during it (its children's paint, what others wait for that paint to do)."""
    from PySide6.QtCore import QEvent, QObject

    class Painted(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, lambda: QTimer.singleShot(0, then))
            return False

    widget.installEventFilter(Painted(widget))


def check_clock_in_background(window, reg):
    """The computer's clock against the newest recorded event, read on another thread once the window is
    up (it reads the whole event history: a second for a million cases); said in a dialog if it went
    back."""
    from desktop.services import backup
    from desktop.ui.dialogs.messages import Ask
    from desktop.ui.workers import Worker

    worker = Worker(reg.target, reg.today, lambda r, _progress: backup.clock_problem(r), window)

    def done(problem) -> None:
        worker.wait()
        if problem:
            Ask.error(window, "电脑时钟", problem)

    worker.succeeded.connect(done)
    worker.failed.connect(lambda message: (worker.wait(), log.error("clock check failed: %s", message)))
    worker.start()
    return worker


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
