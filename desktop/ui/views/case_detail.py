"""The case detail: every fact, the deadline panel, the timeline, the outcome, the attachments."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import deadlines, outcomes
from desktop.domain.workflow import PAUSE_KIND_LABELS, STATE_LABELS
from desktop.services import attachments, cases, letters, redaction
from desktop.services.base import Actor, Changes, Registry
from desktop.ui.changes import announce
from desktop.ui.dialogs.delivery import DeliveryDialog
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import attempt, user_message
from desktop.ui.views.actions_panel import ActionsPanel
from desktop.ui.views.draft_editor import DraftEditor


def _label(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


# letters whose addressee's own period runs from receiving them (domain.md §3): until their delivery
# is recorded, that period is counted from the sending day, and the list says so
PERIOD_FROM_RECEIPT = frozenset({"consult_third_party", "consult_agency", "correction", "fee_notice"})


class CaseDetailView(QWidget):
    back = Signal()
    changes = Signal(object)  # services.base.Changes: what this screen's actions changed (ui.changes)

    def __init__(self, reg: Registry, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.case_id: int | None = None
        self.setAcceptDrops(True)
        outer = QVBoxLayout(self)
        head = QHBoxLayout()
        self.back_button = QPushButton("← 返回列表 (Esc)")
        self.back_button.setShortcut("Esc")
        self.back_button.clicked.connect(self.back.emit)
        self.title = _label(name="title")
        head.addWidget(self.back_button)
        head.addWidget(self.title, 1)
        outer.addLayout(head)
        self.actions = ActionsPanel(reg, actor)
        self.actions.acted.connect(self._after_action)
        self.actions.wants_draft.connect(lambda: self.bottom_tabs.setCurrentWidget(self.draft))
        self.actions.wants_delivery.connect(self._deliver_reply)
        outer.addWidget(self.actions)

        splitter = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(splitter, 1)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        facts_box = QGroupBox("申请信息")
        self.facts = QFormLayout(facts_box)
        self.fact_labels: dict[str, QLabel] = {}
        for key, label in (("applicant", "申请人"), ("applicant_type", "申请人类型"), ("id", "证件"),
                           ("contact", "联系方式"), ("address", "通讯地址"), ("channel", "申请方式"),
                           ("received_on", "收到申请之日"), ("request_text", "申请内容"),
                           ("delivery", "获取形式和途径"), ("division", "主办处室"), ("co_divisions", "协办处室"),
                           ("remarks", "备注")):
            self.fact_labels[key] = _label(name=f"fact_{key}")
            self.facts.addRow(label, self.fact_labels[key])
        top_layout.addWidget(facts_box, 3)

        right = QVBoxLayout()
        deadline_box = QGroupBox("期限")
        self.deadline_form = QFormLayout(deadline_box)
        self.deadline_labels: dict[str, QLabel] = {}
        for key, label in (("due_on", "答复期限"), ("days_left", "剩余工作日"), ("status", "期限状态"),
                           ("correction_due", "补正告知期限"), ("extension", "延期"), ("pauses", "暂停计时")):
            self.deadline_labels[key] = _label(name=f"deadline_{key}")
            self.deadline_form.addRow(label, self.deadline_labels[key])
        self.warnings = _label(name="warnings")
        self.warnings.setStyleSheet("color: #b3261e")
        self.deadline_form.addRow(self.warnings)
        right.addWidget(deadline_box)
        outcome_box = QGroupBox("办理结果")
        outcome_layout = QVBoxLayout(outcome_box)
        self.outcome = _label(name="outcome")
        outcome_layout.addWidget(self.outcome)
        right.addWidget(outcome_box)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self._letters_box(), "文书")
        files_box = QWidget()
        files_layout = QVBoxLayout(files_box)
        self.files = QListWidget()
        self.files.setObjectName("attachments")
        self.files.itemActivated.connect(self._open_attachment)
        files_layout.addWidget(self.files)
        row = QHBoxLayout()
        self.kind = QComboBox()
        for key, label in attachments.KIND_LABELS.items():
            if key != "released":  # made by 去标识化 only
                self.kind.addItem(label, key)
        add = QPushButton("添加附件…")
        add.setObjectName("add_attachment")
        add.clicked.connect(self._choose_files)
        open_button = QPushButton("打开")
        open_button.clicked.connect(lambda: self._open_attachment(self.files.currentItem()))
        row.addWidget(self.kind, 1)
        row.addWidget(add)
        row.addWidget(open_button)
        files_layout.addLayout(row)
        files_layout.addLayout(self._release_buttons())
        self.side_tabs.addTab(files_box, "附件（可拖入文件）")
        right.addWidget(self.side_tabs, 1)
        top_layout.addLayout(right, 2)
        # the facts scroll on their own, so the splitter moves freely and the draft can take the screen
        top_area = QScrollArea()
        top_area.setWidgetResizable(True)
        top_area.setFrameShape(QFrame.Shape.NoFrame)
        top_area.setWidget(top)
        splitter.addWidget(top_area)

        self.timeline = QTableWidget(0, 5)
        self.timeline.setObjectName("timeline")
        self.timeline.setHorizontalHeaderLabels(["记录时间", "生效日期", "操作", "办理人", "说明"])
        self.timeline.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.verticalHeader().setVisible(False)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.timeline, "办理过程")
        self.draft = DraftEditor(reg, actor)
        self.draft.saved.connect(self._after_action)
        self.bottom_tabs.addTab(self.draft, "拟写答复")
        splitter.addWidget(self.bottom_tabs)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 300])
        self.splitter = splitter
        # 拟写答复: the draft takes nearly all the height
        self.actions.wants_draft.connect(lambda: splitter.setSizes([150, 10**6]))

    # -- showing ------------------------------------------------------------------------------
    def show_case(self, case_id: int) -> None:
        self.case_id = case_id
        view = cases.case_view(self.reg, case_id, self.actor)
        r, f, dl = view.row, view.facts, view.deadline
        state = STATE_LABELS.get(r["state"], r["state"])
        self.title.setText(f"<h2>{r['case_no']}　{r['applicant_name']}　<small>{state}</small></h2>")
        ident = f"{r['id_type'] or ''} {r['id_number'] or ''}".strip()
        contact = "　".join(x for x in (r["phone"], r["email"]) if x)
        values = {
            "applicant": r["applicant_name"] + (f"（{r['work_unit']}）" if r["work_unit"] else ""),
            "applicant_type": r["applicant_type"], "id": ident or "—", "contact": contact or "—",
            "address": " ".join(x for x in (r["address"], r["postcode"]) if x) or "—",
            "channel": r["channel"], "received_on": f.received_on.isoformat() if f.received_on else r["received_on"],
            "request_text": r["request_text"],
            "delivery": "，".join(x for x in (r["delivery_form"], r["delivery_route"]) if x) or "—",
            "division": r["lead_division_name"] or "（未分办）", "co_divisions": "、".join(view.co_divisions) or "—",
            "remarks": r["remarks"] or "—",
        }
        for key, text in values.items():
            self.fact_labels[key].setText(text)
        if dl.status == "paused":
            due = f"暂停计时（如今天恢复，预计 {dl.projected_due_on}）"
        elif dl.status == "awaiting_correction":
            due = "待补正（收到补正申请后重新计算20个工作日）"
        else:
            due = dl.due_on.isoformat() if dl.due_on else "—"
        self.deadline_labels["due_on"].setText(due)
        self.deadline_labels["days_left"].setText("—" if dl.days_left is None else
                                                  (f"{dl.days_left}" if dl.days_left >= 0 else f"已超期 {-dl.days_left} 个工作日"))
        self.deadline_labels["status"].setText(dl.status_label + ("（超期办结）" if dl.overdue and f.finished else "")
                                               + (f"（{dl.note}）" if dl.note and not f.finished else ""))
        colour = {"overdue": "#b3261e", "due_soon": "#b26a00", "paused": "#1f4e8c"}.get(dl.status, "#1e5e25")
        self.deadline_labels["status"].setStyleSheet(f"color: {colour}; font-weight: bold")
        self.deadline_labels["correction_due"].setText(
            f"{dl.correction_notice_due_on}" + (f"（已于 {f.correction_notice_on} 告知）" if f.correction_notice_on else ""))
        ext = f"已批准延长 {f.extension_days} 个工作日（原期限 {dl.original_due_on}）" if f.extension_days else (
            "延期申请待审批" if f.extension_pending else "无")
        self.deadline_labels["extension"].setText(ext)
        pauses = []
        for p in f.pauses:
            kind = PAUSE_KIND_LABELS.get(p.kind, "暂停")
            line = f"{kind}：{p.start} 至 {p.end or '（尚未结束）'}"
            limit = deadlines.pause_limit(p, f, self.reg.calendar()) if p.end is None else None
            if limit is not None:  # while open: until when the other side has
                who = "缴费期限" if p.kind == "fee" else "对方答复期限"
                guess = f"，{deadlines.ASSUMED}" if deadlines.other_side_start(p, f)[1] else ""
                line += f"（{who}至 {limit}{guess}）"
            pauses.append(line)
        self.deadline_labels["pauses"].setText("\n".join(pauses) or "无")
        self.warnings.setText("\n".join(f"⚠ {w}" for w in dl.warnings))
        if f.outcome and f.outcome_fixed:
            o = outcomes.get(f.outcome)
            self.outcome.setText(f"<b>{o.label}</b><br>依据：{o.citation or '（无具体条款，答复中说明理由）'}<br>"
                                 f"办结日期：{f.concluded_on}　年报统计行：{o.report_row}")
        elif f.outcome:
            self.outcome.setText(f"拟：{outcomes.get(f.outcome).label}（尚未答复）")
        else:
            self.outcome.setText("尚未确定")
        self.timeline.setRowCount(len(view.timeline))
        for i, e in enumerate(view.timeline):
            for j, text in enumerate((e.recorded_at, e.effective_on, e.action, e.actor, e.details)):
                self.timeline.setItem(i, j, QTableWidgetItem(text))
        self.timeline.resizeColumnsToContents()
        self.timeline.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self._show_files()
        self._show_letters(view)
        self.actions.load(case_id, view)  # the parts take the case from the view: it is read (and replayed) once
        can_draft = "draft" in self.actions.buttons
        self.draft.load(case_id, editable=can_draft, view=view)
        self.bottom_tabs.setTabVisible(1, can_draft or bool(f.draft_text))

    def _after_action(self, *_args) -> None:
        """The case again after this screen's own action (what it changed was announced by the action)."""
        if self.case_id is not None:
            self.show_case(self.case_id)

    def on_changes(self, changes) -> None:
        """Another screen's or another seat's change: the case is shown again when it concerns it, unless
        the user is in the middle of editing the draft (their text is never overwritten)."""
        if self.isVisible() and changes.touches(self.case_id) and not self.draft.has_unsaved_changes():
            self.show_case(self.case_id)

    def _deliver_reply(self) -> None:
        reply = letters.latest(self.reg, self.case_id, "reply")
        if reply is None:
            Ask.error(self, "记录送达", "本案还没有出具答复书")
            return
        for i in range(self.letter_list.count()):
            if self.letter_list.item(i).data(Qt.ItemDataRole.UserRole) == reply["id"]:
                self.letter_list.setCurrentRow(i)
        self.deliver_letter()

    # -- letters ------------------------------------------------------------------------------
    def _letters_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.letter_list = QListWidget()
        self.letter_list.setObjectName("letters")
        self.letter_list.itemActivated.connect(lambda _item: self.open_letter())
        layout.addWidget(self.letter_list)
        row = QHBoxLayout()
        self.letter_kind = QComboBox()
        self.letter_kind.setObjectName("letter_kind")
        for code, kind in letters.KINDS.items():
            self.letter_kind.addItem(kind.title, code)
        self.preview_button = QPushButton("预览草稿")
        self.preview_button.clicked.connect(self.preview_letter)
        self.issue_button = QPushButton("出具…")
        self.issue_button.setObjectName("issue_letter")
        self.issue_button.clicked.connect(self.issue_letter)
        row.addWidget(self.letter_kind, 1)
        row.addWidget(self.preview_button)
        row.addWidget(self.issue_button)
        layout.addLayout(row)
        row2 = QHBoxLayout()
        for text, slot in (("查看", self.view_letter), ("打开PDF", self.open_letter), ("打印…", self.print_letter),
                           ("记录送达…", self.deliver_letter)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row2.addWidget(button)
        layout.addLayout(row2)
        return box

    def _show_letters(self, view: cases.CaseView) -> None:
        self.letter_list.clear()
        for r in letters.issued(self.reg, self.case_id):
            delivered = letters.latest_delivery(self.reg, r["id"])
            text = (f"{letters.KINDS[r['kind']].title} {r['doc_no'] or ''}"
                    f"{'（第' + str(r['version']) + '版）' if r['version'] > 1 else ''}　{r['issued_on']}")
            if delivered:
                text += f"　已送达（{delivered['method']}，{delivered['delivered_on']}）"
            elif r["kind"] in PERIOD_FROM_RECEIPT:  # the other side's period runs from its receipt
                text += "　未登记送达：对方期限暂按发出日估算"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, r["id"])
            self.letter_list.addItem(item)
        for i in range(self.letter_kind.count()):
            reason = view.not_issuable.get(self.letter_kind.itemData(i))
            self.letter_kind.setItemData(i, reason or "可以出具", Qt.ItemDataRole.ToolTipRole)

    def _selected_letter(self):
        item = self.letter_list.currentItem()
        if item is None:
            Ask.error(self, "文书", "请先在列表中选择一件已出具的文书")
            return None
        return letters.get(self.reg, item.data(Qt.ItemDataRole.UserRole))

    def _run(self, title: str, action):
        """The action's result, or None after showing a user's error (see ui.errors.attempt)."""
        result = attempt(self, title, action)
        return None if result is False else result

    def preview_letter(self) -> None:
        import tempfile

        from desktop.ui.dialogs.pdf_preview import PdfPreviewDialog

        kind = self.letter_kind.currentData()
        about = self._proof_of() if kind == "delivery_proof" else None
        if kind == "delivery_proof" and about is None:
            return
        out = Path(tempfile.mkdtemp(prefix="ddesk-")) / f"{kind}-草稿.pdf"
        if self._run("预览", lambda: letters.preview(self.reg, self.case_id, kind, out, about=about)):
            PdfPreviewDialog.show_pdf(self, out, f"{letters.KINDS[kind].title}（草稿）")

    def _proof_of(self) -> int | None:
        """The letter a 送达回证 is for: the one selected in the list (the clerk chooses)."""
        item = self.letter_list.currentItem()
        row = letters.get(self.reg, item.data(Qt.ItemDataRole.UserRole)) if item else None
        if row is None or row["kind"] in ("delivery_proof", "approval_form"):
            Ask.error(self, "送达回证", "请先在文书列表中选择要送达的文书（答复书、告知书等），再出具它的送达回证")
            return None
        return row["id"]

    def issue_letter(self) -> None:
        kind = self.letter_kind.currentData()
        title = letters.KINDS[kind].title
        about = self._proof_of() if kind == "delivery_proof" else None
        if kind == "delivery_proof" and about is None:
            return
        reason = letters.why_not_issuable(self.reg, self.case_id, kind)
        if reason and not (kind == "reply" and cases.get_case(self.reg, self.case_id)["state"] == "approved"):
            Ask.error(self, "出具文书", f"不能出具{title}：{reason}")
            return
        again = letters.latest(self.reg, self.case_id, kind) is not None
        question = (f"重新出具{title}？将生成新的版本（文号不变），原版本保留。" if again
                    else f"出具{title}？出具后将编号并保存，不能再修改。")
        if not Ask.confirm(self, "出具文书", question):
            return
        issued = self._run("出具文书", lambda: letters.issue(self.reg, self.actor, self.case_id, kind,
                                                         expected_version=self.actions.version, about=about))
        self.show_case(self.case_id)
        if issued:
            for i in range(self.letter_list.count()):
                if self.letter_list.item(i).data(Qt.ItemDataRole.UserRole) == issued.id:
                    self.letter_list.setCurrentRow(i)

    def view_letter(self) -> None:
        from desktop.ui.dialogs.pdf_preview import PdfPreviewDialog

        row = self._selected_letter()
        path = row and self._run("查看文书", lambda: letters.verified_file(self.reg, row))
        if path:
            PdfPreviewDialog.show_pdf(self, path, f"{letters.KINDS[row['kind']].title} {row['doc_no'] or ''}")

    def open_letter(self) -> None:
        row = self._selected_letter()
        path = row and self._run("打开文书", lambda: letters.verified_file(self.reg, row))
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def print_letter(self) -> int:
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPrintSupport import QPrinter

        from desktop.ui.dialogs.pdf_preview import ask_printer, print_pdf

        row = self._selected_letter()
        path = row and self._run("打印文书", lambda: letters.verified_file(self.reg, row))
        if not path:
            return 0
        document = QPdfDocument(self)
        document.load(str(path))
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not ask_printer(self, printer):
            return 0
        return print_pdf(document, printer)

    def deliver_letter(self) -> None:
        row = self._selected_letter()
        if row is None:
            return
        title = f"{letters.KINDS[row['kind']].title} {row['doc_no'] or ''}"
        released = [(r.released_id, r.released_name) for r in redaction.current_releases(self.reg, self.case_id)
                    ] if row["kind"] == "reply" else []

        def record(value):  # inside the dialog: a refusal keeps it open with what was typed
            return letters.record_delivery(self.reg, self.actor, row["id"], value.method, value.delivered_on,
                                    value.tracking_no, value.proof, expected_version=self.actions.version,
                                    enclosures=list(value.enclosures) or None)
        value = DeliveryDialog.ask(self, title, self.reg.today(), released=released, attempt=record)
        if value is None:
            return
        self.show_case(self.case_id)

    def _show_files(self) -> None:
        self.files.clear()
        logs = {r.released_id: r for r in redaction.redactions(self.reg, self.case_id)}
        made_from = {r.original_id for r in logs.values()}
        for a in attachments.for_case(self.reg, self.case_id):
            text = f"{a.kind_label}：{a.file_name}（{a.size // 1024 or 1} KB，{a.added_at[:10]}）"
            if a.id in logs:
                text += f"　{logs[a.id].pages} 页，遮盖{logs[a.id].totals_text()}"
            elif a.id in made_from:
                text += "　原件仅供内部使用，已生成公开版"
            if a.missing:
                text += " ⚠ 文件缺失"
            item = QListWidgetItem(text)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.files.addItem(item)

    # -- documents to release: 去标识化 -----------------------------------------------------------
    def _release_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for name, text, slot in (("mark_release", "标为拟公开材料", self.mark_release),
                                 ("redact", "去标识化…", self.redact_attachment),
                                 ("compare_release", "对照查看公开版", self.compare_release),
                                 ("release_package", "公开材料包…", self.release_package)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
        return row

    def _selected_attachment(self, title: str):
        item = self.files.currentItem()
        if item is None:
            Ask.error(self, title, "请先在附件列表中选择一个附件")
            return None
        return attachments.get(self.reg, item.data(Qt.ItemDataRole.UserRole))

    def mark_release(self) -> None:
        a = self._selected_attachment("标为拟公开材料")
        if a and self._run("标为拟公开材料", lambda: redaction.mark_for_release(
                self.reg, self.actor, a.id, expected_version=self.actions.version)):
            self._after_action()

    def redact_attachment(self):
        """The page viewer for the selected 拟公开的材料 (a window of its own)."""
        from desktop.ui.views.redaction_view import RedactionView

        a = self._selected_attachment("去标识化")
        if a is None:
            return None
        if a.kind != "release":
            Ask.error(self, "去标识化", f"“{a.file_name}”不是拟公开的材料：请先选中它并点“标为拟公开材料”")
            return None
        if not attempt(self, "去标识化", lambda: redaction.check_may_redact(self.reg, self.actor, self.case_id)):
            return None
        self.redaction_window = RedactionView.open_window(self, self.reg, self.actor, a.id, self.actions.version)
        self.redaction_window.released.connect(lambda released: (announce(self, released), self._after_action()))
        return self.redaction_window

    def compare_release(self):
        """The released version beside its original, box by box (read-only)."""
        from desktop.ui.views.redaction_view import RedactionView

        a = self._selected_attachment("对照查看公开版")
        log = a and redaction.redaction_of(self.reg, a.id)
        if a and log is None:
            Ask.error(self, "对照查看公开版", f"“{a.file_name}”还没有去标识化生成的公开版")
        if not log:
            return None
        self.redaction_window = RedactionView.open_window(self, self.reg, self.actor, log.original_id,
                                                          redaction_log=log)
        return self.redaction_window

    def release_package(self) -> None:
        """公开材料包: the issued reply and the released versions as one PDF, and as a zip of the files."""
        case_no = cases.get_case(self.reg, self.case_id)["case_no"]
        path = Ask.save_path(self, "公开材料包", f"{case_no}-公开材料包.pdf", "PDF 文件 (*.pdf)")
        if not path:
            return
        made = self._run("公开材料包", lambda: redaction.package(self.reg, self.case_id, path))
        if made:
            names = "\n".join(f"{i}. {name}（{pages} 页）" for i, (name, _sha, pages) in enumerate(made.items, 1))
            Ask.info(self, "公开材料包", f"已生成：\n{made.pdf}\n{made.zip}\n\n包含：\n{names}")

    # -- attachments --------------------------------------------------------------------------
    def add_files(self, paths: list[str]) -> None:
        problems, changes = [], Changes()
        for p in paths:
            try:
                changes |= attachments.add(self.reg, self.actor, self.case_id, p, self.kind.currentData(),
                                           expected_version=self.actions.version).changes
                self.actions.version += 1  # this change of ours
            except Exception as exc:
                message = user_message(exc)
                if message is None:
                    raise
                problems.append(message)
        self.show_case(self.case_id)
        announce(self, changes)
        if problems:
            Ask.error(self, "添加附件", "\n".join(problems))

    def _choose_files(self) -> None:
        paths = Ask.open_paths(self, "选择附件", "所有文件 (*)")
        if paths:
            self.add_files(paths)

    def _open_attachment(self, item) -> None:
        if item is None:
            return
        a = attachments.get(self.reg, item.data(Qt.ItemDataRole.UserRole))
        if a.missing:
            Ask.error(self, "打开附件", f"附件文件已不存在：{a.file_name}\n请从备份恢复或重新添加。")
            return
        path = self._run("打开附件", lambda: attachments.local_copy(self.reg, a))
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls() and self.case_id is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        paths = [p for p in paths if Path(p).is_file()]
        if paths:
            self.add_files(paths)
            event.acceptProposedAction()
