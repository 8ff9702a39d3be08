"""Sign-in dialog.

Enter in the login field moves to the password; Enter in the password signs in, once. When the program
starts (``ask``), the deliberately slow password check runs on another thread, and what the first
screen needs is prepared meanwhile (``LoginDialog.preparer``, see desktop/ui/startup.py): the main
window, built while the password is typed or checked, appears as soon as the password is right, its
frame first, its content only then.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services import users
from desktop.services.base import Actor, Registry, ServiceError

# Qt.Key.Key_Return and Key_Enter. (Naming Qt here would load its namespace, ≈25 ms, before the dialog
# can appear: the main window loads it while the login is typed.)
_ENTER = (0x01000004, 0x01000005)


class Preparer(Protocol):
    """What the program does around the dialog (all optional work: a dialog without it works alike)."""

    def dialog_painted(self) -> None: ...  # the user is reading and typing: load what comes next

    def login_named(self, login: str) -> None: ...  # the login is entered: prepare that user's window

    def checking(self, login: str) -> None: ...  # the password is being checked: show the window's frame

    def refused(self) -> None: ...  # it was wrong: the frame goes away again


class LoginDialog(QDialog):
    # Set by the program's start (startup.run_window) for the dialogs ``ask`` shows; None otherwise.
    preparer: Preparer | None = None

    def __init__(self, reg: Registry, agency_name: str, parent: QWidget | None = None, hint: str = "",
                 background: bool = False):
        super().__init__(parent)
        self.reg = reg
        self.actor: Actor | None = None
        self.background = background  # the password checked on another thread (the window stays live)
        self._check = None
        self._painted = False
        self.setWindowTitle("登录 — 政府信息公开申请办理系统")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{agency_name}</b><br>政府信息公开申请办理系统")
        layout.addWidget(title)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setStyleSheet("color:#555")
            layout.addWidget(hint_label)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("login")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("登录名", self.login)
        form.addRow("密码", self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                  | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.login.returnPressed.connect(self._login_entered)
        self.password.returnPressed.connect(self.try_login)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # Enter is the two fields' (returnPressed), never also the default button's: Enter after the
        # login name must not try an empty password (and count a failed attempt), nor Enter after the
        # password check it twice.
        if event.key() in _ENTER and self.focusWidget() in (self.login, self.password):
            return
        super().keyPressEvent(event)

    def _login_entered(self) -> None:
        self.password.setFocus()
        if self.preparer is not None and self.login.text().strip():
            login = self.login.text().strip()
            QTimer.singleShot(0, lambda: self.preparer is not None and self.preparer.login_named(login))

    def event(self, event) -> bool:  # noqa: N802 (Qt's name)
        result = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            if self.preparer is not None:
                QTimer.singleShot(0, lambda: self.preparer is not None and self.preparer.dialog_painted())
        return result

    def try_login(self) -> None:
        if self._check is not None:  # already checking
            return
        login = self.login.text().strip()
        if not login:
            self.message.setText("请输入登录名")
            self.login.setFocus()
            return
        if not self.background:
            try:
                self._signed_in(users.authenticate(self.reg, self.login.text(), self.password.text()))
            except ServiceError as exc:
                self._refused(str(exc))
            return
        from desktop.ui.workers import Worker

        password = self.password.text()
        # its own connection: the window may be read from this thread meanwhile
        self._check = Worker(self.reg.target, self.reg.today,
                             lambda reg, _progress: users.authenticate(reg, login, password), self)
        self._check.succeeded.connect(self._signed_in)
        self._check.failed.connect(self._refused)
        self._set_checking(True)
        self._check.start()
        if self.preparer is not None:
            self.preparer.checking(login)  # the window's frame behind this dialog
            self.raise_()
            self.activateWindow()

    def _set_checking(self, checking: bool) -> None:
        for widget in (self.login, self.password, self.buttons):
            widget.setEnabled(not checking)
        self.message.setText("正在验证……" if checking else self.message.text())
        self.message.setStyleSheet("color: #555" if checking else "color: #b00020")

    def _done_checking(self) -> None:
        if self._check is not None:
            self._check.wait()
            self._check = None
            self._set_checking(False)

    def _signed_in(self, actor: Actor) -> None:
        self._done_checking()
        self.actor = actor
        self.accept()

    def _refused(self, message: str) -> None:
        checked_here = self._check is not None
        self._done_checking()
        if checked_here and self.preparer is not None:
            self.preparer.refused()
        self.message.setText(message)
        self.password.clear()
        self.password.setFocus()
        self.raise_()
        self.activateWindow()

    def reject(self) -> None:
        if self._check is not None:  # 退出 while checking: the check's answer is not waited for
            self._check.succeeded.disconnect()
            self._check.failed.disconnect()
            self._done_checking()
            if self.preparer is not None:
                self.preparer.refused()
        super().reject()

    @classmethod
    def ask(cls, reg: Registry, agency_name: str, hint: str = "") -> Actor | None:
        dialog = cls(reg, agency_name, hint=hint, background=True)
        return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
