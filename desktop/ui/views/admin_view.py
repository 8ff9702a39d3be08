"""系统管理: users, divisions, agency settings (administrator only; the services check it too)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import placeholders
from desktop.domain.workflow import ROLE_LABELS
from desktop.services import agency, users
from desktop.services.base import Actor, Registry
from desktop.ui.changes import FollowsChanges
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import attempt as _run
from desktop.ui.views.templates_view import InsertNameButton, TemplatesView


class UsersTab(QWidget):
    def __init__(self, reg: Registry, actor: Actor):
        super().__init__()
        self.reg, self.actor = reg, actor
        layout = QHBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels(["登录名", "姓名", "处室", "角色", "状态"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._load_selected)
        layout.addWidget(self.table, 3)

        box = QGroupBox("用户信息")
        form = QFormLayout(box)
        self.login = QLineEdit()
        self.login.setObjectName("user_login")
        self.name = QLineEdit()
        self.name.setObjectName("user_name")
        self.division = QComboBox()
        self.division.setObjectName("user_division")
        self.role_boxes = {r: QCheckBox(label) for r, label in ROLE_LABELS.items()}
        roles = QWidget()
        roles_layout = QVBoxLayout(roles)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        for r, cb in self.role_boxes.items():
            cb.setObjectName(f"role_{r}")
            roles_layout.addWidget(cb)
        self.active = QCheckBox("启用")
        self.active.setChecked(True)
        self.password = QLineEdit()
        self.password.setObjectName("user_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("新用户或重置密码时填写（至少8位，含字母和数字）")
        form.addRow("登录名", self.login)
        form.addRow("姓名", self.name)
        form.addRow("处室", self.division)
        form.addRow("角色", roles)
        form.addRow("", self.active)
        form.addRow("密码", self.password)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("新建")
        self.new_button.clicked.connect(self._new)
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("save_user")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("重置密码")
        self.reset_button.clicked.connect(self._reset_password)
        for b in (self.new_button, self.reset_button, self.save_button):
            buttons.addWidget(b)
        form.addRow(buttons)
        layout.addWidget(box, 2)
        self.selected_id: int | None = None
        self.refresh()

    def refresh(self) -> None:
        chosen = self.division.currentData()  # the form being filled in keeps its division
        self.division.clear()
        self.division.addItem("（无）", None)
        for d in agency.divisions(self.reg, active_only=True):
            self.division.addItem(d["name"], d["id"])
        self.division.setCurrentIndex(max(self.division.findData(chosen), 0))
        self.users = users.list_users(self.reg, self.actor)
        self.table.setRowCount(len(self.users))
        for i, u in enumerate(self.users):
            values = (u["login"], u["name"], u["division_name"] or "",
                      "、".join(ROLE_LABELS[r] for r in u["roles"]), "启用" if u["active"] else "停用")
            for j, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, u["id"])
                self.table.setItem(i, j, item)

    def _load_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        u = self.users[rows[0].row()]
        self.selected_id = u["id"]
        self.login.setText(u["login"])
        self.login.setReadOnly(True)
        self.name.setText(u["name"])
        self.division.setCurrentIndex(max(self.division.findData(u["division_id"]), 0))
        for r, cb in self.role_boxes.items():
            cb.setChecked(r in u["roles"])
        self.active.setChecked(bool(u["active"]))
        self.password.clear()

    def _new(self) -> None:
        self.selected_id = None
        self.table.clearSelection()
        self.login.setReadOnly(False)
        for w in (self.login, self.name, self.password):
            w.clear()
        for cb in self.role_boxes.values():
            cb.setChecked(False)
        self.active.setChecked(True)
        self.login.setFocus()

    def save(self) -> None:
        roles = [r for r, cb in self.role_boxes.items() if cb.isChecked()]
        if self.selected_id is None:
            ok = _run(self, "新建用户", lambda: users.create_user(
                self.reg, self.actor, self.login.text(), self.name.text(), self.password.text(), roles,
                self.division.currentData()))
        else:
            ok = _run(self, "保存用户", lambda: users.update_user(
                self.reg, self.actor, self.selected_id, self.name.text(), self.division.currentData(), roles,
                self.active.isChecked()))
        if ok:
            self.password.clear()
            self.refresh()

    def _reset_password(self) -> None:
        if self.selected_id is None:
            return
        if _run(self, "重置密码", lambda: users.reset_password(self.reg, self.actor, self.selected_id,
                                                           self.password.text())):
            self.password.clear()
            Ask.info(self, "重置密码", "密码已重置。")


class DivisionsTab(QWidget):
    def __init__(self, reg: Registry, actor: Actor):
        super().__init__()
        self.reg, self.actor = reg, actor
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("divisions_table")
        self.table.setHorizontalHeaderLabels(["处室名称", "启用"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_division")
        self.new_name.setPlaceholderText("新处室名称")
        add = QPushButton("添加处室")
        add.clicked.connect(self._add)
        save = QPushButton("保存修改")
        save.clicked.connect(self._save)
        row.addWidget(self.new_name, 1)
        row.addWidget(add)
        row.addWidget(save)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.rows = agency.divisions(self.reg)
        self.table.setRowCount(len(self.rows))
        for i, d in enumerate(self.rows):
            name = QTableWidgetItem(d["name"])
            active = QTableWidgetItem()
            active.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            active.setCheckState(Qt.CheckState.Checked if d["active"] else Qt.CheckState.Unchecked)
            self.table.setItem(i, 0, name)
            self.table.setItem(i, 1, active)

    def _add(self) -> None:
        if _run(self, "添加处室", lambda: agency.add_division(self.reg, self.actor, self.new_name.text())):
            self.new_name.clear()
            self.refresh()

    def _save(self) -> None:
        for i, d in enumerate(self.rows):
            name = self.table.item(i, 0).text()
            active = self.table.item(i, 1).checkState() == Qt.CheckState.Checked
            if name != d["name"] or active != bool(d["active"]):
                if not _run(self, "修改处室", lambda d=d, name=name, active=active: agency.update_division(
                        self.reg, self.actor, d["id"], name, active)):
                    break
        self.refresh()


class SettingsTab(QWidget):
    """机关设置: plain fields; numbering patterns and remedy clauses with names such as 【序号】 inserted
    from a menu (stored in their old form, domain/placeholders.py), each with how it will read; long
    clauses in paragraphs; the seal chosen from a file and shown."""

    def __init__(self, reg: Registry, actor: Actor):
        super().__init__()
        self.reg, self.actor = reg, actor
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        host = QWidget()
        layout = QVBoxLayout(host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(host)
        outer.addWidget(scroll)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.examples: dict[str, QLabel] = {}
        self.inserts: dict[str, InsertNameButton] = {}
        current = reg.settings()
        for key, label in agency.SETTING_LABELS.items():
            if key == "seal_image":
                form.addRow(label, self._seal_row(current.get(key, "")))
                continue
            shown = current.get(key, "")
            if key in agency.SETTING_NAMES:
                shown = placeholders.to_chinese(shown)
            if key in agency.LONG_SETTINGS:
                edit = QPlainTextEdit(shown)
                edit.setTabChangesFocus(True)
                line = edit.fontMetrics().lineSpacing()
                edit.setMinimumHeight(line * 4 + 12)
                edit.setMaximumHeight(line * 6 + 12)
                edit.textChanged.connect(lambda k=key: self._changed(k))
            else:
                edit = QLineEdit(shown)
                edit.textChanged.connect(lambda _t, k=key: self._changed(k))
            edit.setObjectName(f"setting_{key}")
            self.edits[key] = edit
            field: QWidget = edit
            if key in agency.SETTING_NAMES:
                field = QWidget()
                row = QHBoxLayout(field)
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(edit, 1)
                extra = [("seq", 5)] if key == "case_no_pattern" else []
                button = InsertNameButton(edit, [("", agency.SETTING_NAMES[key])], extra)
                button.setObjectName(f"insert_{key}")
                self.inserts[key] = button
                row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            form.addRow(label, field)
            if key in agency.SETTING_NAMES:
                example = QLabel()
                example.setObjectName(f"example_{key}")
                example.setWordWrap(True)
                example.setStyleSheet("color:#555")
                form.addRow("", example)
                self.examples[key] = example
            error = QLabel()
            error.setObjectName(f"error_{key}")
            error.setStyleSheet("color:#c62828")
            error.setWordWrap(True)
            error.setVisible(False)
            form.addRow("", error)
            self.errors[key] = error
        layout.addLayout(form)
        save = QPushButton("保存设置")
        save.setObjectName("save_settings")
        save.clicked.connect(self.save)
        layout.addWidget(save, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)
        for key in self.edits:
            self._changed(key)

    # -- the seal ----------------------------------------------------------------------------------
    def _seal_row(self, path: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.seal_preview = QLabel()
        self.seal_preview.setObjectName("seal_preview")
        self.seal_preview.setFixedSize(120, 120)
        self.seal_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_preview.setStyleSheet("border:1px solid #ccc; background:white; color:#777")
        self.seal_path = QLabel()
        self.seal_path.setObjectName("seal_path")
        self.seal_path.setWordWrap(True)
        self.seal_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        choose = QPushButton("选择图片…")
        choose.setObjectName("choose_seal")
        choose.clicked.connect(self.choose_seal)
        clear = QPushButton("不用印章图片")
        clear.setObjectName("clear_seal")
        clear.clicked.connect(lambda: self._show_seal(""))
        side = QVBoxLayout()
        side.addWidget(self.seal_path)
        buttons = QHBoxLayout()
        buttons.addWidget(choose)
        buttons.addWidget(clear)
        buttons.addStretch(1)
        side.addLayout(buttons)
        self.seal_error = QLabel()
        self.seal_error.setObjectName("error_seal_image")
        self.seal_error.setStyleSheet("color:#c62828")
        side.addWidget(self.seal_error)
        side.addStretch(1)
        row.addWidget(self.seal_preview)
        row.addLayout(side, 1)
        self._show_seal(path)
        return box

    def choose_seal(self) -> None:
        paths = Ask.open_paths(self, "选择印章图片", "图片 (*.png *.jpg *.jpeg)")
        if paths:
            self._show_seal(paths[0])

    def _show_seal(self, path: str) -> None:
        """Show the seal at ``path`` as it will be pressed on the letters (or say why it cannot be)."""
        self.seal = path
        problem = agency.check_setting("seal_image", path)
        picture = QPixmap(path) if path and not problem else QPixmap()
        if path and not problem and picture.isNull():
            problem = "无法读取这个图片文件"
        self.seal_error.setText(problem or "")
        self.seal_path.setText(path or "未使用印章图片：文书在落款处留出盖章位置。")
        if picture.isNull():
            self.seal_preview.setPixmap(QPixmap())
            self.seal_preview.setText("（无印章图片）" if not path else "（无法显示）")
        else:
            self.seal_preview.setPixmap(picture.scaled(110, 110, Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation))

    # -- values ------------------------------------------------------------------------------------
    def text_of(self, key: str) -> str:
        """A setting as it will be stored (names such as 【序号】 back in their stored form)."""
        if key == "seal_image":
            return self.seal.strip()
        edit = self.edits[key]
        text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        return placeholders.from_chinese(text) if key in agency.SETTING_NAMES else text.strip()

    def _changed(self, key: str) -> None:
        problem = agency.check_setting(key, self.text_of(key))
        self.errors[key].setText(problem or "")
        self.errors[key].setVisible(bool(problem))
        if key in self.examples or key in ("doc_no_prefix", "reconsideration_body", "court"):
            values = {k: self.text_of(k) for k in ("doc_no_prefix", "reconsideration_body", "court")}
            for k, label in self.examples.items():
                unknown = placeholders.unknown_names(self.edits[k].toPlainText() if isinstance(
                    self.edits[k], QPlainTextEdit) else self.edits[k].text())
                example = agency.setting_example(k, self.text_of(k), values)
                label.setText(("示例：" + example if example is not None else "")
                              + (f"　（{'、'.join(unknown)}不是可插入的名称，将原样印出）" if unknown else ""))

    def save(self) -> None:
        current = self.reg.settings()
        changes = {k: self.text_of(k) for k in [*self.edits, "seal_image"]
                   if self.text_of(k) != current.get(k, "")}
        if changes and _run(self, "保存设置", lambda: agency.update_settings(self.reg, self.actor, changes)):
            Ask.info(self, "保存设置", "设置已保存。")


class AdminView(FollowsChanges, QTabWidget):
    """系统管理. Its tabs' saves are announced from here (``ui.changes``); a division added shows in the
    users tab at once, and another seat's changes show in the lists (what is being edited is kept)."""
    changes = Signal(object)  # services.base.Changes: users, divisions, settings, calendar, templates

    def __init__(self, reg: Registry, actor: Actor, calendar_view: QWidget, parent=None):
        super().__init__(parent)
        self.calendar_view = calendar_view
        self.users_tab = UsersTab(reg, actor)
        self.divisions_tab = DivisionsTab(reg, actor)
        self.settings_tab = SettingsTab(reg, actor)
        self.addTab(self.users_tab, "用户")
        self.addTab(self.divisions_tab, "处室")
        self.addTab(self.settings_tab, "机关设置")
        self.addTab(calendar_view, "节假日日历")
        self.templates_tab = TemplatesView(reg, actor)
        self.addTab(self.templates_tab, "文书模板")
        self.changes.connect(self._own)

    def concerns(self, changes) -> bool:
        return changes.people or changes.calendar or changes.templates or changes.everything

    def refresh(self) -> None:
        """The lists again: users, divisions (unless their names are being edited), the calendar's
        year, the template (unless it is being edited). The settings form keeps what it shows."""
        self.users_tab.refresh()
        if self.currentWidget() is not self.divisions_tab:
            self.divisions_tab.refresh()
        self.calendar_view.show_year()
        if not self.templates_tab.has_unsaved_changes():
            self.templates_tab.load()

    def _own(self, changes) -> None:
        """A save in one tab shown in the others (the main window tells only the other pages)."""
        if changes.people:
            self.users_tab.refresh()
