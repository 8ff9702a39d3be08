"""First start on a PC: use a registry file of its own, or connect to the office's server."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import paths
from desktop.services import location
from desktop.ui.errors import user_message


class ConnectionSetupDialog(QDialog):
    """The choice is remembered for this PC; ``target`` is what to open once accepted."""

    def __init__(self, parent=None, first_start: bool = True):
        super().__init__(parent)
        self.setWindowTitle("选择数据库 — 政府信息公开申请办理系统")
        self.setMinimumWidth(600)
        self.target: str | Path | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("这台电脑第一次使用本系统。请选择数据保存在哪里（以后可在“数据”菜单中更改）："
                                if first_start else "请选择这台电脑今后使用的数据库（重新启动本程序后生效）："))
        self.local = QRadioButton("本机单独使用（数据保存在本机的一个文件中）")
        self.server = QRadioButton("连接单位服务器（多台电脑共用一个数据库）")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        self.local.setChecked(True)

        layout.addWidget(self.local)
        self.local_box = QWidget()
        row = QHBoxLayout(self.local_box)
        row.setContentsMargins(24, 0, 0, 0)
        current = paths.remembered_target()
        self.file = QLineEdit(current if current and not location.is_server(current) else str(paths.default_db_path()))
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        row.addWidget(QLabel("数据库文件"))
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        layout.addWidget(self.local_box)

        layout.addWidget(self.server)
        self.server_box = QWidget()
        form = QFormLayout(self.server_box)
        form.setContentsMargins(24, 0, 0, 0)
        self.host = QLineEdit()
        self.host.setPlaceholderText("服务器的计算机名或IP地址，如 192.168.1.10")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.dbname = QLineEdit("disclosure")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("保存在本机的 PostgreSQL 密码文件（pgpass）中")
        form.addRow("服务器地址", self.host)
        form.addRow("端口", self.port)
        form.addRow("数据库", self.dbname)
        form.addRow("用户名", self.user)
        form.addRow("密码", self.password)
        self.test_button = QPushButton("测试连接")
        self.test_button.clicked.connect(self.test_connection)
        form.addRow("", self.test_button)
        layout.addWidget(self.server_box)

        self.message = QLabel()
        self.message.setObjectName("connection_result")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.local.toggled.connect(self._mode)
        self._mode()

    def _mode(self) -> None:
        self.local_box.setEnabled(self.local.isChecked())
        self.server_box.setEnabled(self.server.isChecked())
        self.message.clear()

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "数据库文件", self.file.text(), "数据库文件 (*.db)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if name:
            self.file.setText(name)

    def _server(self) -> location.Server:
        return location.Server(self.host.text(), self.port.value(), self.dbname.text(), self.user.text())

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet("color:#1b5e20" if ok else "color:#c62828")
        self.message.setText(text)

    def test_connection(self) -> bool:
        """Try the server with what was typed; the result (or what is wrong) is shown under the form."""
        try:
            self._say(location.test_server(self._server(), self.password.text() or None), True)
            return True
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self._say(message, False)
            return False

    def _accept(self) -> None:
        if self.local.isChecked():
            path = Path(self.file.text().strip())
            if not self.file.text().strip() or path.is_dir():
                self._say("〔数据库文件〕请填写一个文件名", False)
                return
            location.use_file(path)
            self.target = path
        else:
            if not self.test_connection():
                return
            self.target = location.use_server(self._server(), self.password.text() or None)
        self.accept()

    @classmethod
    def ask(cls, parent=None, first_start: bool = True) -> str | Path | None:
        """The registry chosen for this PC, or None when cancelled."""
        dialog = cls(parent, first_start)
        return dialog.target if dialog.exec() == QDialog.DialogCode.Accepted else None
