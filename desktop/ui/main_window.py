"""The main window: navigation by role, the pages, menus, shortcuts and the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.workflow import ROLE_LABELS
from desktop.paths import resources_dir
from desktop.services import seats as seats_svc
from desktop.services.base import EVERYTHING, Actor, Changes, Registry, ServiceError
from desktop.ui.dialogs.messages import Ask
from desktop.ui.seat_watch import SeatWatcher


class _Qt:
    """PySide6's Qt namespace, loaded when first used: making its enums costs ≈25–40 ms, which the
    window's frame shown at start-up does without (its first page loads it, after the frame's paint)."""

    def __getattr__(self, name: str):
        from PySide6.QtCore import Qt as qt

        return getattr(qt, name)


Qt = _Qt()
_KEY = 0x0100  # Qt.ItemDataRole.UserRole: a section's key, held by its navigation item

# The lists (desktop.ui.views.registry_view, desktop.services.registry_list: ≈0.1 s of modules) and the
# account dialogs load with the first page (fill), not with the window's frame: at start-up the frame is
# shown while the password is checked, and they load meanwhile.

# (key, label, roles that see it; empty = everyone)
SECTIONS = (
    ("register", "登记", {"clerk", "office_head"}),
    ("queue", "我的待办", {"clerk", "office_head", "division", "reviewer", "leader"}),
    ("archive", "待归档", {"clerk"}),
    ("review", "法规审核", {"reviewer"}),
    ("approve", "领导审批", {"leader"}),
    ("all", "全部案件", set()),
    ("stats", "统计报表", {"office_head", "leader", "admin", "clerk"}),
    ("admin", "系统管理", {"admin"}),
)


# Pages taller or wider than a 1366×768 screen allows scroll inside the window instead of growing it.
SCROLLED = frozenset({"register", "stats", "admin", "case"})


def _scrolled(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
    area.setWidget(page)
    return area


class MainWindow(QMainWindow):
    signed_out = Signal()  # 注销 / 切换用户: the program asks who signs in next

    def __init__(self, reg: Registry, actor: Actor, skeleton: bool = False):
        """``skeleton``: the frame only (navigation, menus, status bar), without the first page and the
        queue's counts, which ``fill`` adds: at start-up it is shown while the password is checked."""
        super().__init__()
        self.reg, self.actor = reg, actor
        agency = reg.settings().get("agency_name", "")
        self.setWindowTitle(f"政府信息公开申请办理系统 — {agency}")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "app.png")))
        self.resize(1400, 860)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setMaximumWidth(150)
        self.stack = QStackedWidget()
        splitter = self.splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 1250])
        # A banner above everything while the connection to the server is lost.
        self.banner = QLabel()
        self.banner.setObjectName("connection_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff4ce; color:#6b4e00; padding:6px; border-bottom:1px solid #e0c060")
        self.banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, object] = {}
        self._page_index: dict[str, int] = {}
        self._placeholders: dict[str, QWidget] = {}
        for key, label, roles in SECTIONS:
            if roles and not actor.roles & roles:
                continue
            page = QWidget()  # each page is built when first shown (the first one by fill)
            self._placeholders[key] = page
            self._page_index[key] = self.stack.addWidget(page)
            item = QListWidgetItem(label)
            item.setData(_KEY, key)
            self.nav.addItem(item)
        self._detail = None
        self._return_to = "all"
        roles = "、".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(ROLE_LABELS).index))
        division = reg.division_names().get(actor.division_id, "") if actor.division_id else ""
        self.user_label = QLabel(f"用户：{actor.name}（{roles}{'，' + division if division else ''}）")
        where = f"单位服务器 {reg.describe()}" if reg.on_server else f"本机文件 {reg.describe()}"
        self.db_label = QLabel(f"数据库：{where}")
        self.queue_label = QLabel()
        self.queue_label.setObjectName("queue_label")
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addWidget(self.queue_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self._filled = False
        # Another seat's writes refresh what is shown (a notification from the server, or the file's
        # data_version); a lost server connection shows a banner until it is back.
        self.seats = SeatWatcher(reg, self)
        # A window on a file marks its seat beside it, so a restore elsewhere knows it is in use.
        self.seat_mark = seats_svc.mark_seat(reg, actor.name)
        self.seats.changed.connect(lambda: self.apply(EVERYTHING))  # nobody here knows what it touched
        self.seats.lost.connect(self._connection_lost)
        self.seats.restored.connect(self._connection_restored)
        self.seats.start()

        # Lock after the configured idle time; any key, click or wheel in one of the program's windows
        # resets the clock. The filter sits on each window (QWindow: input arrives there first), not on
        # the application: an application-wide filter calls Python for every event of every widget,
        # which cost ~70 ms before the first paint and a call per event ever after.
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        # What depends on today (a paused case's projected due date) is brought up to date once a day,
        # in the background: after the window is shown, and when the date changes while it is open.
        self._rolled_on = None
        self._roller = None
        self.day_watch = QTimer(self)
        self.day_watch.setInterval(60_000)
        self.day_watch.timeout.connect(self.roll_forward)
        minutes = int(reg.settings().get("idle_lock_minutes", "15") or 0)
        self.idle_ms = minutes * 60_000
        layout_settings = self._layout_settings()
        geometry = layout_settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        QApplication.instance().focusWindowChanged.connect(self._watch_window)
        if not skeleton:
            self.fill()

    def fill(self) -> None:
        """The first page and the queue's counts (once)."""
        if self._filled:
            return
        self._filled = True
        self._menus()  # (with the frame, hidden: their shortcuts alone load the Qt namespace)
        if "queue" in self._placeholders:  # its counts are shown whichever page comes first
            self.page("queue")
        self.update_counts()
        # On login the user lands on their queue, with what is overdue or due soon said at once. The
        # page has just loaded: navigation refreshes pages only from here on.
        # A leader signs: their first page is 领导审批.
        start = "approve" if "approve" in self._page_index else "queue" if "queue" in self.pages else \
            self.nav.item(0).data(Qt.ItemDataRole.UserRole)
        self.show_section(start)
        self.nav.currentItemChanged.connect(self._nav_changed)
        main = self._layout_settings().value("window/main")  # once the page is in (its size counts)
        if main is not None:
            self.splitter.restoreState(main)

    def _change_password(self) -> None:
        from desktop.ui.dialogs.account import ChangePasswordDialog

        ChangePasswordDialog.ask(self.reg, self.actor, self)

    def sign_out(self, ask: bool = True) -> None:
        """注销 / 切换用户 at a shared counter PC: this window closes, the login asks who is next."""
        if ask and not Ask.confirm(self, "注销", f"注销 {self.actor.name}，换其他用户登录？", "注销"):
            return
        self.signed_out.emit()
        self.close()

    def _watch_window(self, window) -> None:
        """Count input in ``window`` (this one, or a dialog that got the focus) as activity."""
        if window is not None:
            window.installEventFilter(self)  # installing twice keeps one filter

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel) \
                and self.idle_ms and self.isVisible():
            self.idle.start(self.idle_ms)
        return False

    def lock(self, manual: bool = False) -> bool:
        """Hide the data behind the lock dialog until the user's password is given again (or another
        user signs in at this shared PC)."""
        from desktop.ui.dialogs.account import LockDialog

        self.idle.stop()
        central = self.centralWidget()
        central.setVisible(False)
        answer = LockDialog.ask(self.reg, self.actor, self, manual=manual)
        unlocked = answer == LockDialog.UNLOCKED
        central.setVisible(unlocked)
        if answer == LockDialog.SWITCH_USER:
            self.sign_out(ask=False)
        elif not unlocked:
            self.close()
        elif self.idle_ms:
            self.idle.start(self.idle_ms)
        return unlocked

    def backup_now(self) -> None:
        from desktop.services import backup

        info = backup.create(self.reg)
        Ask.info(self, "备份", f"已备份：{info.path}\n（{info.cases}件案件，{info.files}个附件和文书文件）")

    def verify(self) -> list[str]:
        from desktop.services import backup

        problems = backup.integrity_problems(self.reg)
        if problems:
            Ask.error(self, "数据完整性", "发现以下问题：\n" + "\n".join(problems[:50]))
        else:
            Ask.info(self, "数据完整性", "检查通过：数据库完整，审计链完整，附件和文书文件齐全。")
        return problems

    def change_location(self) -> None:
        """Point this PC at another registry (a file, or the office's server); used from the next start."""
        from desktop.ui.dialogs.connection_setup import ConnectionSetupDialog

        target = ConnectionSetupDialog.ask(self, first_start=False)
        if target is not None:
            Ask.info(self, "更换数据库", "已保存。重新启动本程序后使用新的数据库；当前窗口仍使用原来的数据库。")

    def restore(self) -> None:
        from desktop.services import backup

        paths = Ask.open_paths(self, "选择备份文件", "备份文件 (*.ddbak)")
        if not paths:
            return
        try:
            cases, files = backup.check(paths[0])
        except Exception as exc:
            Ask.error(self, "从备份恢复", str(exc))
            return
        if not Ask.confirm(self, "从备份恢复", f"备份中有{cases}件案件、{files}个文件。用它替换当前数据？"
                                              "当前数据会先另存为一份备份。恢复后程序将关闭，请重新启动。"):
            return
        self.seats.stop()  # its listening connection would count as another PC
        others = backup.other_seats(self.reg)
        if others:
            self.seats.start()
            Ask.error(self, "从备份恢复", backup.in_use_message(others))
            return
        target = self.reg.target
        self._release_seat()  # this window's own seat closes cleanly before the file is replaced
        self.reg.close()
        safety = backup.restore(target, Path(paths[0]))
        Ask.info(self, "从备份恢复", f"已恢复。恢复前的数据另存为：{safety}\n程序将关闭，请重新启动。")
        QApplication.instance().quit()

    def roll_forward(self) -> None:
        """Refresh the day-dependent stored values off the GUI thread, once per day (see
        cases.roll_forward); the lists are refreshed if anything moved."""
        today = self.reg.today()
        if self._rolled_on == today or self._roller is not None:
            return
        from desktop.services import cases
        from desktop.ui.workers import Worker

        self._roller = Worker(self.reg.target, self.reg.today, lambda reg, _progress: cases.roll_forward(reg), self)

        def done(n) -> None:
            self._roller.wait()
            self._roller, self._rolled_on = None, today
            if n:  # the day turned: every colour and count may differ
                self.apply(EVERYTHING)

        def failed(message: str) -> None:  # busy (a long import): tried again at the next check
            self._roller.wait()
            self._roller = None
        self._roller.succeeded.connect(done)
        self._roller.failed.connect(failed)
        self._roller.start()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._fit_to_screen()
        if not self.day_watch.isActive():
            self.day_watch.start()
            QTimer.singleShot(0, self.roll_forward)
        self._watch_window(self.windowHandle())
        if not self.seats.is_lost:
            self.seats.timer.start()
        if self.idle_ms:
            self.idle.start(self.idle_ms)
        super().showEvent(event)

    # -- what the user arranged, remembered per user on this PC ----------------------------------
    def _layout_settings(self) -> QSettings:
        from desktop.paths import data_dir

        settings = QSettings(str(data_dir() / "window-layout.ini"), QSettings.Format.IniFormat)
        settings.beginGroup(f"user-{self.actor.login}")
        return settings

    @staticmethod
    def _arranged(root: QWidget) -> list[tuple[str, object]]:
        """The splitters and table headers under ``root`` that the user can arrange, with stable keys."""
        from PySide6.QtWidgets import QSplitter, QTableView

        found: list[tuple[str, object]] = [(f"splitter{i}", w) for i, w in enumerate(root.findChildren(QSplitter))]
        found += [(f"table-{w.objectName() or i}", w.horizontalHeader())
                  for i, w in enumerate(root.findChildren(QTableView))]
        return found

    def _restore_layout(self, key: str, root: QWidget) -> None:
        settings = self._layout_settings()
        for name, widget in self._arranged(root):
            state = settings.value(f"{key}/{name}")
            if state is not None:
                widget.restoreState(state)

    def _save_layout(self) -> None:
        if not self._filled:  # a skeleton never shown (a wrong password, 退出): the user's layout is kept
            return
        settings = self._layout_settings()
        settings.setValue("geometry", self.saveGeometry())
        roots = dict(self.pages)
        if self._detail is not None:
            roots["case"] = self._detail
        roots["window"] = self.centralWidget()
        for key, root in roots.items():
            if isinstance(root, QWidget):
                for name, widget in self._arranged(root) if key != "window" else [("main", self.splitter)]:
                    settings.setValue(f"{key}/{name}", widget.saveState())
        settings.sync()

    def _fit_to_screen(self, screen=None) -> None:
        """Never larger than the screen it is on (a 1366×768 office PC included)."""
        if screen is None and self.screen() is not None:
            screen = self.screen().availableGeometry()
        if screen is not None and (self.width() > screen.width() or self.height() > screen.height()):
            self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))

    def closeEvent(self, event) -> None:  # noqa: N802
        self._save_layout()
        self.day_watch.stop()
        if self._roller is not None:
            self._roller.wait()
        self.seats.stop()
        self._release_seat()
        super().closeEvent(event)

    def _release_seat(self) -> None:
        if self.seat_mark is not None:
            self.seat_mark.release()
            self.seat_mark = None

    def hideEvent(self, event) -> None:  # noqa: N802
        self.seats.timer.stop()
        self.idle.stop()
        super().hideEvent(event)

    def _make_page(self, key: str):
        # Pages are imported when first built: start-up loads neither reportlab nor QtPdf nor QtCharts.
        if key == "register":
            from desktop.ui.views.registration import RegistrationView

            page = RegistrationView(self.reg, self.actor)
            page.open_case.connect(self.open_case)
            return self._follow(page)
        if key in ("queue", "all", "archive"):
            from desktop.ui.views.registry_view import RegistryView

            page = RegistryView(self.reg, self.actor, queue=key == "queue", archive=key == "archive")
            page.open_case.connect(self.open_case)
            return self._follow(page)
        if key in ("review", "approve"):
            from desktop.ui.views.approval_view import ApprovalView

            page = ApprovalView(self.reg, self.actor, "reviewer" if key == "review" else "leader")
            page.open_case.connect(self.open_case)
            return self._follow(page)
        if key == "stats":
            from desktop.ui.views.stats_view import StatsView

            page = StatsView(self.reg, self.actor)
            page.open_case.connect(self.open_case)
            return self._follow(page)
        if key == "admin":
            from desktop.ui.views.admin_view import AdminView
            from desktop.ui.views.calendar_view import CalendarView

            return self._follow(AdminView(self.reg, self.actor, CalendarView(self.reg, self.actor)))
        raise KeyError(key)

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        export = QAction("导出台账(&E)…", self, shortcut=QKeySequence("Ctrl+E"), triggered=self._export)
        quit_action = QAction("退出(&X)", self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close)
        file_menu.addAction(export)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        case_menu = bar.addMenu("案件(&C)")
        if "register" in self._page_index:  # a role that registers (the page itself is built when first shown)
            def new_registration() -> None:
                self.show_section("register")
                self.page("register").start()
            case_menu.addAction(QAction("新登记(&N)", self, shortcut=QKeySequence("Ctrl+N"),
                                        triggered=new_registration))
        case_menu.addAction(QAction("查找(&F)", self, shortcut=QKeySequence("Ctrl+F"), triggered=self._find))
        case_menu.addAction(QAction("刷新(&R)", self, shortcut=QKeySequence("F5"),
                                    triggered=lambda: self.apply(EVERYTHING)))
        account = bar.addMenu("账户(&U)")
        account.addAction(QAction("修改密码…", self, triggered=self._change_password))
        account.addAction(QAction("锁定窗口", self, shortcut=QKeySequence("Ctrl+L"),
                                  triggered=lambda: self.lock(manual=True)))
        account.addAction(QAction("注销 / 切换用户…", self, triggered=lambda: self.sign_out()))
        data_menu = bar.addMenu("数据(&D)")
        data_menu.addAction(QAction("立即备份…", self, triggered=self.backup_now))
        data_menu.addAction(QAction("检查数据完整性", self, triggered=self.verify))
        data_menu.addAction(QAction("更换本机使用的数据库…", self, triggered=self.change_location))
        if "admin" in self.actor.roles:
            data_menu.addAction(QAction("从备份恢复…", self, triggered=self.restore))
        help_menu = bar.addMenu("帮助(&H)")
        help_menu.addAction(QAction("关于(&A)", self, triggered=self._about))

    # -- navigation ---------------------------------------------------------------------------
    @property
    def detail(self):
        """The case screen, built the first time a case is opened."""
        if self._detail is None:
            from desktop.ui.views.case_detail import CaseDetailView

            self._detail = CaseDetailView(self.reg, self.actor)
            self._detail.back.connect(self._back_from_case)
            self._follow(self._detail)
            self._page_index["case"] = self.stack.addWidget(_scrolled(self._detail))
            self._restore_layout("case", self._detail)
        return self._detail

    def page(self, key: str):
        """The page of a section, built on first use."""
        if key not in self.pages and key in self._placeholders:
            placeholder = self._placeholders.pop(key)
            page = self._make_page(key)
            index = self.stack.indexOf(placeholder)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.insertWidget(index, _scrolled(page) if key in SCROLLED else page)
            self.pages[key] = page
            self._restore_layout(key, page)
        return self.pages.get(key)

    def current_page(self) -> QWidget | None:
        """The page shown (the page itself, not the scroll area around a tall one)."""
        shown = self.stack.currentWidget()
        return shown.widget() if isinstance(shown, QScrollArea) else shown

    def show_section(self, key: str) -> None:
        self.page(key)
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(i)
                self.stack.setCurrentIndex(self._page_index[key])
                return

    def _nav_changed(self, current, _previous) -> None:
        if current is not None:
            key = current.data(Qt.ItemDataRole.UserRole)
            page = self.page(key)
            self.stack.setCurrentIndex(self._page_index[key])
            if hasattr(page, "refresh"):
                page.refresh()

    def open_case(self, case_id: int) -> None:
        current = self.nav.currentItem()
        self._return_to = current.data(Qt.ItemDataRole.UserRole) if current else "all"
        try:
            self.detail.show_case(case_id)
        except ServiceError as exc:  # another division's case, or one gone meanwhile
            Ask.error(self, "打开案件", str(exc))
            return
        self.stack.setCurrentIndex(self._page_index["case"])

    def _back_from_case(self) -> None:
        self.show_section(self._return_to)

    def update_counts(self) -> None:
        """The queue's counts in the navigation and the status bar (kept visible all the time)."""
        if "queue" not in self.pages:
            return
        from desktop.services import registry_list

        summary = registry_list.queue_summary(self.reg, self.actor)
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == "queue":
                item.setText(f"我的待办（{summary.total}）")
                item.setForeground(Qt.GlobalColor.red if summary.overdue else Qt.GlobalColor.black)
        self.queue_label.setText("　" + summary.text())
        self.queue_label.setStyleSheet("color:#b3261e; font-weight:bold" if summary.overdue else "")
        self.pages["queue"].set_banner(summary.text() if summary.total else "", warn=bool(summary.overdue))

    def check_other_seats(self) -> bool:
        """Read what the other seats changed now (the watcher also does this by itself)."""
        return self.seats.check()

    def _connection_lost(self, message: str) -> None:
        self.banner.setText(f"与数据库的连接已断开，正在自动重新连接……（{message}）"
                            "　已输入的内容会保留，连接恢复后再保存即可。")
        self.banner.show()

    def _connection_restored(self) -> None:
        self.banner.hide()
        self.statusBar().showMessage("已重新连接数据库", 5000)

    # -- what changed, said once ---------------------------------------------------------------
    def _follow(self, page):
        """A page that says what its actions changed (``changes``) has it handed to the other pages."""
        page.changes.connect(lambda changes, source=page: self.apply(changes, source))
        return page

    def apply(self, changes: Changes, source: QWidget | None = None) -> None:
        """Hand what a write changed to every page but the one that made it (which has shown it
        already); each refreshes what concerns it (``ui.changes``). A change from another seat, the
        day turning or F5 is ``EVERYTHING``."""
        screens = list(self.pages.values()) + ([self._detail] if self._detail is not None else [])
        for page in screens:
            if page is not source and hasattr(page, "on_changes"):
                page.on_changes(changes)
        if changes.cases:
            self.update_counts()

    def _find(self) -> None:
        self.show_section("all")
        page = self.page("all")
        page.search.setFocus()
        page.search.selectAll()

    def _export(self) -> None:
        from desktop.ui.views.registry_view import RegistryView

        page = self.current_page()
        if not isinstance(page, RegistryView):
            self.show_section("all")
            page = self.page("all")
        page.export_ledger()

    def _about(self) -> None:
        from desktop.ui.dialogs.about import AboutDialog

        AboutDialog.show_about(self.reg.describe(), self)
