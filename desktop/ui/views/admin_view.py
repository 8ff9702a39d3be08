"""系统管理: users, divisions, agency settings (administrator only; the services check it too)."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.workflow import ROLE_LABELS
from desktop.services import agency, users
from desktop.services.base import Actor, Registry
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import attempt as _run


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
        self.division.clear()
        self.division.addItem("（无）", None)
        for d in agency.divisions(self.reg, active_only=True):
            self.division.addItem(d["name"], d["id"])
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
    def __init__(self, reg: Registry, actor: Actor):
        super().__init__()
        self.reg, self.actor = reg, actor
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        current = reg.settings()
        for key, label in agency.SETTING_LABELS.items():
            edit = QLineEdit(current.get(key, ""))
            edit.setObjectName(f"setting_{key}")
            error = QLabel()
            error.setStyleSheet("color:#c62828")
            edit.textChanged.connect(lambda text, k=key: self.errors[k].setText(agency.check_setting(k, text) or ""))
            form.addRow(label, edit)
            form.addRow("", error)
            self.edits[key], self.errors[key] = edit, error
        layout.addLayout(form)
        save = QPushButton("保存设置")
        save.setObjectName("save_settings")
        save.clicked.connect(self.save)
        layout.addWidget(save, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)

    def save(self) -> None:
        current = self.reg.settings()
        changes = {k: e.text().strip() for k, e in self.edits.items() if e.text().strip() != current.get(k, "")}
        if changes and _run(self, "保存设置", lambda: agency.update_settings(self.reg, self.actor, changes)):
            Ask.info(self, "保存设置", "设置已保存。")


class AdminView(QTabWidget):
    def __init__(self, reg: Registry, actor: Actor, calendar_view: QWidget, parent=None):
        super().__init__(parent)
        self.users_tab = UsersTab(reg, actor)
        self.divisions_tab = DivisionsTab(reg, actor)
        self.settings_tab = SettingsTab(reg, actor)
        self.addTab(self.users_tab, "用户")
        self.addTab(self.divisions_tab, "处室")
        self.addTab(self.settings_tab, "机关设置")
        self.addTab(calendar_view, "节假日日历")
        from desktop.ui.views.templates_view import TemplatesView

        self.templates_tab = TemplatesView(reg, actor)
        self.addTab(self.templates_tab, "文书模板")
