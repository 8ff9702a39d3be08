"""文书模板: the administrator edits a letter's text (saved as a new version) or resets it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.services import cases, letters
from desktop.services.base import Actor, Registry
from desktop.ui.dialogs.messages import Ask
from desktop.ui.dialogs.pdf_preview import PdfPreviewDialog
from desktop.ui.errors import attempt as _run

HELP = ("占位符写成 {applicant_name} 的形式，例如：{applicant_name} 申请人　{received_date} 收到日期　"
        "{case_no} 申请编号　{request_text} 申请内容　{due_date} 答复期限　{basis_citation} 法律依据　"
        "{remedy_clause} 救济告知。第一行是标题，段落之间空一行。")


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
        self.version = QLabel()
        self.version.setObjectName("template_version")
        rl.addWidget(self.version)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("template_text")
        rl.addWidget(self.editor, 1)
        hint = QLabel(HELP)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#555")
        rl.addWidget(hint)
        self.message = QLabel()
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
        self.editor.setPlainText(text)
        self.version.setText(f"当前版本：{'默认模板' if version == 0 else f'第{version}版'}")

    def _check(self) -> None:
        self.message.setText("；".join(letters.check_template(self.editor.toPlainText())))

    def save(self) -> None:
        if _run(self, "保存模板", lambda: letters.save_template(self.reg, self.actor, self.key(),
                                                              self.editor.toPlainText())):
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
