"""审核 (legal review) and 审批 (leader approval): the waiting cases, the reply as it will print,
and approve or return with a comment in one or two clicks."""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import outcomes
from desktop.services import attachments, cases, letters, redaction, registry_list
from desktop.services.base import Actor, Registry
from desktop.services.registry_list import Filter
from desktop.ui.changes import FollowsChanges
from desktop.ui.dialogs.messages import Ask
from desktop.ui.dialogs.pdf_preview import PdfView
from desktop.ui.errors import user_message
from desktop.ui.models.registry_model import STATUS_COLOURS

MODES = {
    # role: (state waited on, approve event, return event, title, approve label)
    "reviewer": ("in_review", "review_approve", "review_return", "法规审核", "审核通过"),
    "leader": ("awaiting_approval", "leader_approve", "leader_return", "领导审批", "同意签发"),
}


class ApprovalView(FollowsChanges, QWidget):
    changes = Signal(object)  # services.base.Changes: what a decision here changed (ui.changes)
    open_case = Signal(int)

    def __init__(self, reg: Registry, actor: Actor, role: str, parent=None):
        super().__init__(parent)
        self.reg, self.actor, self.role = reg, actor, role
        self.state, self.approve_event, self.return_event, title, approve_label = MODES[role]
        self.tmp = Path(tempfile.mkdtemp(prefix="ddesk-review-"))
        layout = QHBoxLayout(self)
        splitter = QSplitter()
        layout.addWidget(splitter)
        left = QWidget()
        ll = QVBoxLayout(left)
        self.heading = QLabel(f"<b>等待{title}的案件</b>")
        ll.addWidget(self.heading)
        self.waiting = QListWidget()
        self.waiting.setObjectName("waiting")
        self.waiting.currentItemChanged.connect(lambda *_: self.show_selected())
        self.waiting.itemActivated.connect(lambda item: self.open_case.emit(item.data(Qt.ItemDataRole.UserRole)))
        ll.addWidget(self.waiting, 1)
        splitter.addWidget(left)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rl.addWidget(self.summary)
        # what happened last: approval and return say so (the case leaves this list at once)
        self.done_label = QLabel()
        self.done_label.setObjectName("decided")
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet("background:#e7f4e8; color:#1e5e25; padding:6px; border-radius:3px")
        self.done_label.hide()
        rl.insertWidget(0, self.done_label)
        # the released versions (去标识化) beside their originals, box by box
        self.releases_bar = QWidget()
        bar = QHBoxLayout(self.releases_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("公开版材料："))
        self.releases = QComboBox()
        self.releases.setObjectName("releases")
        bar.addWidget(self.releases, 1)
        self.compare_button = QPushButton("对照查看（原件｜公开版）…")
        self.compare_button.setObjectName("compare_release")
        self.compare_button.clicked.connect(self.compare_release)
        bar.addWidget(self.compare_button)
        self.releases_bar.hide()
        rl.addWidget(self.releases_bar)
        # the reply as it will print, the 呈批单, and the opinions given so far, side by side
        self.pdf = PdfView()
        self.form_pdf = PdfView()
        self.opinions = QTextBrowser()
        self.opinions.setObjectName("opinions")
        self.documents = QTabWidget()
        self.documents.setObjectName("documents")
        self.documents.addTab(self.pdf, "答复书")
        self.documents.addTab(self.form_pdf, "呈批单")
        beside = QSplitter()
        beside.addWidget(self.documents)
        beside.addWidget(self.opinions)
        beside.setStretchFactor(0, 3)
        beside.setStretchFactor(1, 2)
        rl.addWidget(beside, 1)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setPlaceholderText("意见（退回时必填）")
        self.comment.setMaximumHeight(70)
        self.comment.setTabChangesFocus(True)
        rl.addWidget(self.comment)
        row = QHBoxLayout()
        self.return_button = QPushButton("退回修改")
        self.return_button.setObjectName("return")
        self.return_button.clicked.connect(lambda: self.decide(self.return_event))
        self.approve_button = QPushButton(approve_label)
        self.approve_button.setObjectName("approve")
        self.approve_button.clicked.connect(lambda: self.decide(self.approve_event))
        row.addStretch(1)
        row.addWidget(self.return_button)
        row.addWidget(self.approve_button)
        rl.addLayout(row)
        splitter.addWidget(right)
        splitter.setSizes([380, 900])
        self.refresh()

    def refresh(self) -> None:
        current = self.current_case()
        ids = registry_list.case_ids(self.reg, Filter(states=(self.state,), sort="due_on", descending=False))
        rows = registry_list.rows(self.reg, ids)
        self.waiting.blockSignals(True)
        self.waiting.clear()
        for case_id in ids:
            r = rows[case_id]
            left = r.cell("days_left")
            due = f"期限 {r.due_on}" + (f"（{left}）" if left.startswith("超期") else
                                       f"（剩 {left} 个工作日）" if left else "")
            item = QListWidgetItem(f"{r.case_no}　{r.applicant}\n{r.summary[:28]}\n{due}")
            item.setData(Qt.ItemDataRole.UserRole, case_id)
            colour = STATUS_COLOURS.get(r.status)
            if colour:
                item.setBackground(QBrush(colour))
            self.waiting.addItem(item)
        self.waiting.blockSignals(False)
        self.heading.setText(f"<b>等待{MODES[self.role][3]}的案件：{len(ids)} 件</b>")
        target = next((i for i in range(self.waiting.count())
                       if self.waiting.item(i).data(Qt.ItemDataRole.UserRole) == current), 0)
        if self.waiting.count():
            self.waiting.setCurrentRow(target)
        self.show_selected()

    def current_case(self) -> int | None:
        item = self.waiting.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_selected(self) -> None:
        case_id = self.current_case()
        enabled = case_id is not None
        self.approve_button.setEnabled(enabled)
        self.return_button.setEnabled(enabled)
        self.releases.clear()
        for r in redaction.current_releases(self.reg, case_id) if enabled else []:
            self.releases.addItem(f"{r.released_name}（{r.pages} 页，遮盖{r.totals_text()}）", r)
        self.releases_bar.setVisible(self.releases.count() > 0)
        if not enabled:
            self.summary.setText("没有等待处理的案件。")
            self.pdf.document.close()
            self.form_pdf.document.close()
            self.opinions.clear()
            return
        view = cases.case_view(self.reg, case_id, self.actor)
        f = view.facts
        o = outcomes.BY_CODE.get(f.outcome or "")
        files = "、".join(a.file_name for a in attachments.for_case(self.reg, case_id)) or "无"
        basis = "" if o is None else (o.citation or "无具体条款，答复中说明理由")
        self.summary.setText(
            f"<b>{view.row['case_no']}　{view.row['applicant_name']}</b>（{view.row['applicant_type']}）　"
            f"答复期限 {view.deadline.effective_due_on or '—'}<br>申请内容：{view.row['request_text'][:120]}<br>"
            f"拟办理结果：<b>{o.label if o else '未选择'}</b>　依据：{basis or '—'}　年报：{o.report_row if o else '—'}<br>"
            f"主办处室：{view.row['lead_division_name'] or '—'}　附件：{files}")
        self.shown_version = view.row["version"]  # approval is of this text: refused if it changed since
        self.opinions.setHtml("<h4>办理意见</h4>" + "".join(
            f"<p><b>{escape(step)}</b>　{escape(who)}　{escape(on)}<br>{escape(opinion)}</p>"
            for step, opinion, who, on in letters.opinions(self.reg, case_id)))
        out = self.tmp / f"{case_id}-{view.row['version']}.pdf"
        form = self.tmp / f"{case_id}-{view.row['version']}-form.pdf"
        try:
            if not out.exists():
                letters.preview(self.reg, case_id, "reply", out)
            self.pdf.load(out)
            if not form.exists():
                letters.preview(self.reg, case_id, "approval_form", form)
            self.form_pdf.load(form)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.pdf.document.close()
            self.summary.setText(self.summary.text() + f"<br><span style='color:#b3261e'>答复书无法生成：{message}</span>")
        self.documents.setCurrentIndex(0)

    def compare_release(self):
        from desktop.ui.views.redaction_view import RedactionView

        log = self.releases.currentData()
        if log is None:
            return None
        self.compare_window = RedactionView.open_window(self, self.reg, self.actor, log.original_id,
                                                        redaction_log=log)
        return self.compare_window

    def decide(self, event: str) -> bool:
        case_id = self.current_case()
        if case_id is None:
            return False
        comment = self.comment.toPlainText().strip()
        if event == self.return_event and not comment:
            Ask.error(self, "退回", "请填写退回意见")
            self.comment.setFocus()
            return False
        payload = {"comment": comment} if comment else {}
        label = self.summary.text().split("</b>")[0].replace("<b>", "")
        try:
            changes = cases.fire(self.reg, self.actor, case_id, event, None, payload,
                                 expected_version=getattr(self, "shown_version", None))
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            Ask.error(self, "审批", message)
            return False
        self.comment.clear()
        approved = event == self.approve_event
        if approved and self.role == "leader":
            said = "已同意签发，案件转登记员出具答复书"
        elif approved:
            said = "审核通过，案件已送领导审批"
        else:
            said = f"已退回承办处室修改（意见：{comment}）"
        self.done_label.setText(f"{label}：{said}。")
        self.done_label.show()
        self.refresh()
        self.changes.emit(changes)
        return True
