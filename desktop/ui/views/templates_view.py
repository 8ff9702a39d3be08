"""文书模板: the administrator edits a letter's text (saved as a new version) or resets it.

The text is shown and typed with Chinese names in 【】 (【申请人】, 【答复期限】), inserted from a menu;
it is stored in the form the letters are made from (domain/placeholders.py translates both ways).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import placeholders
from desktop.services import cases, letters
from desktop.services.base import Actor, Registry
from desktop.ui.dialogs.messages import Ask
from desktop.ui.dialogs.pdf_preview import PdfPreviewDialog
from desktop.ui.errors import attempt as _run

HELP = ("点“插入名称”在光标处插入【申请人】【收到申请日期】【答复期限】等，出具文书时换成本案的内容；"
        "其余文字原样印出。第一行是标题，段落之间空一行。")


class InsertNameButton(QToolButton):
    """插入名称 ▾: a menu of the names a text may use; the chosen one is typed at the cursor of
    ``target`` as 【name】."""

    def __init__(self, target: QLineEdit | QPlainTextEdit, groups, extra=(), parent=None):
        super().__init__(parent)
        self.target = target
        self.setText("插入名称")
        self.setToolTip("在光标处插入一个名称，生成时换成实际内容")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        for title, keys in groups:
            sub = menu.addMenu(title) if title else menu
            for key in keys:
                self._add(sub, placeholders.token(key))
        for key, width in extra:
            self._add(menu, placeholders.token(key, width))
        self.setMenu(menu)

    def _add(self, menu: QMenu, token: str) -> None:
        action = QAction(token, menu)
        action.triggered.connect(lambda _checked=False, t=token: self.insert(t))
        menu.addAction(action)

    def tokens(self) -> list[str]:
        """Every name the menu offers, as it is inserted."""
        out = []
        for action in self.menu().actions():
            out += [a.text() for a in action.menu().actions()] if action.menu() else [action.text()]
        return out

    def insert(self, token: str) -> None:
        if isinstance(self.target, QPlainTextEdit):
            self.target.insertPlainText(token)
        else:
            self.target.insert(token)
        self.target.setFocus()


class TemplatesView(QWidget):
    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        layout = QHBoxLayout(self)
        splitter = QSplitter()
        layout.addWidget(splitter)
        self.kinds = QListWidget()
        self.kinds.setObjectName("template_kinds")
        for key, name in letters.template_kinds():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.kinds.addItem(item)
        self.kinds.currentItemChanged.connect(lambda *_: self.load())
        splitter.addWidget(self.kinds)
        right = QWidget()
        rl = QVBoxLayout(right)
        top = QHBoxLayout()
        self.version = QLabel()
        self.version.setObjectName("template_version")
        top.addWidget(self.version, 1)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("template_text")
        self.insert = InsertNameButton(self.editor, placeholders.LETTER_GROUPS)
        self.insert.setObjectName("insert_name")
        top.addWidget(self.insert)
        rl.addLayout(top)
        rl.addWidget(self.editor, 1)
        hint = QLabel(HELP)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#555")
        rl.addWidget(hint)
        self.message = QLabel()
        self.message.setObjectName("template_message")
        self.message.setStyleSheet("color:#c62828")
        self.message.setWordWrap(True)
        rl.addWidget(self.message)
        row = QHBoxLayout()
        self.case_no = QLineEdit()
        self.case_no.setPlaceholderText("用于预览的申请编号")
        preview = QPushButton("预览")
        preview.clicked.connect(self.preview)
        reset = QPushButton("恢复默认")
        reset.clicked.connect(self.reset)
        save = QPushButton("保存为新版本")
        save.setObjectName("save_template")
        save.clicked.connect(self.save)
        for w in (self.case_no, preview, reset, save):
            row.addWidget(w)
        rl.addLayout(row)
        splitter.addWidget(right)
        splitter.setSizes([320, 900])
        self.editor.textChanged.connect(self._check)
        self.kinds.setCurrentRow(0)

    def key(self) -> str:
        return self.kinds.currentItem().data(Qt.ItemDataRole.UserRole)

    def load(self) -> None:
        text, version = letters.template(self.reg, self.key())
        self.loaded = placeholders.to_chinese(text)
        self.editor.setPlainText(self.loaded)
        self.version.setText(f"当前版本：{'默认模板' if version == 0 else f'第{version}版'}")

    def has_unsaved_changes(self) -> bool:
        return self.editor.toPlainText() != getattr(self, "loaded", "")

    def stored_text(self) -> str:
        """The editor's text in the stored form (【申请人】 → its placeholder)."""
        return placeholders.from_chinese(self.editor.toPlainText())

    def _check(self) -> None:
        text = self.editor.toPlainText()
        problems = letters.check_template(self.stored_text())
        unknown = placeholders.unknown_names(text)
        if unknown:
            problems.append(f"{'、'.join(unknown)}不是可插入的名称，将原样印出；请用“插入名称”选择")
        self.message.setText("；".join(problems))

    def save(self) -> None:
        if _run(self, "保存模板", lambda: letters.save_template(self.reg, self.actor, self.key(), self.stored_text())):
            self.load()

    def reset(self) -> None:
        if Ask.confirm(self, "恢复默认", "恢复为程序自带的默认模板？当前版本会保留在历史中。") and _run(
                self, "恢复默认", lambda: letters.save_template(self.reg, self.actor, self.key(), None)):
            self.load()

    def preview(self) -> None:
        key = self.key()
        kind = "reply" if key.startswith("reply") else key
        number = self.case_no.text().strip()
        if not number:
            Ask.error(self, "预览", "请输入用于预览的申请编号")
            return
        out = Path(tempfile.mkdtemp(prefix="ddesk-")) / f"{kind}-预览.pdf"

        def run():
            return letters.preview(self.reg, cases.case_id_by_number(self.reg, number), kind, out)

        if _run(self, "预览", run):
            PdfPreviewDialog.show_pdf(self, out, "模板预览（已保存的版本）")
