"""拟写答复: the division chooses the outcome (its legal basis shown), fills what the reply needs,
and edits the decision text prefilled from that outcome's template.

The text takes the editor's whole height beside the outcome and its details (a splitter between them),
so a long reply is written in a large field. What the body repeats of what the letter adds itself (the
remedy clause, the opening and closing, a second legal citation) is said above it as it is typed;
保存草稿 says when it saved.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import outcomes
from desktop.services import cases, draft_checks, letters
from desktop.services.base import Actor, Registry
from desktop.ui.changes import announce
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import user_message

REPLY_OUTCOMES = [o for o in outcomes.CATALOGUE if o.code not in outcomes.CLOSING_OUTCOMES or o.code == "other"]


def details_used(code: str, reg: Registry | None = None) -> list[str]:
    return letters.details_for(code, reg)


def narrow_combo() -> QComboBox:
    """A choice whose long labels are shown in full only when it is open (the fields beside the text
    stay narrow)."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    return box


class DraftEditor(QWidget):
    saved = Signal()

    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.case_id: int | None = None
        self.version: int | None = None
        self._generated: tuple[tuple, str] | None = None  # (outcome and details, the template's body)
        self.found: list[draft_checks.Repetition] = []
        layout = QVBoxLayout(self)
        self.returned = QLabel()
        self.returned.setObjectName("return_comment")
        self.returned.setWordWrap(True)
        self.returned.setStyleSheet("background:#fdecea; color:#8a1c14; padding:4px")
        layout.addWidget(self.returned)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("draft_splitter")
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.form = form
        self.outcome = narrow_combo()
        self.outcome.setObjectName("draft_outcome")
        self.outcome.addItem("（请选择办理结果）", None)
        for o in REPLY_OUTCOMES:
            self.outcome.addItem(o.label, o.code)
        self.basis = QLabel()
        self.basis.setObjectName("draft_basis")
        self.basis.setWordWrap(True)
        form.addRow("办理结果", self.outcome)
        form.addRow("法律依据", self.basis)
        self.detail_edits: dict[str, QWidget] = {}
        for key, label in letters.DETAIL_LABELS.items():
            if key == "reply_text":
                continue
            if key == "refusal_ground":  # picked from the outcome's own grounds
                edit = narrow_combo()
            elif key == "previous_reply_date":  # a real date, never after today
                edit = QDateEdit()
                edit.setCalendarPopup(True)
                edit.setDisplayFormat("yyyy-MM-dd")
                today = self.reg.today()
                edit.setMaximumDate(QDate(today.year, today.month, today.day))
                edit.setMinimumDate(QDate(2008, 5, 1))
                edit.setSpecialValueText("（请选择日期）")
                edit.setDate(edit.minimumDate())
            else:
                edit = QLineEdit()
            edit.setObjectName(f"detail_{key}")
            form.addRow(label, edit)
            self.detail_edits[key] = edit
        side_layout.addLayout(form)
        self.fill_button = QPushButton("按模板生成答复正文")
        self.fill_button.setObjectName("fill_draft")
        self.fill_button.clicked.connect(self.fill_from_template)
        side_layout.addWidget(self.fill_button)
        side_layout.addStretch(1)
        scroll = QScrollArea()  # many details fit in a low editor: they scroll, the text keeps its height
        scroll.setObjectName("draft_details")
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(side)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the fields narrow instead
        scroll.setMinimumWidth(300)

        self.splitter.addWidget(scroll)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit()
        self.text.setObjectName("draft_text")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("答复正文（“现答复如下：”之后的内容）。可按模板生成后修改；【】处须填写。\n"
                                     "开头、救济告知和结尾由答复书自动加上，不要写在这里。")
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 4)
        body_layout.addWidget(self.text, 1)
        self.warning = QLabel()
        self.warning.setObjectName("draft_warning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the body as typed
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning.setStyleSheet("background:#fff4ce; color:#6b4e00; padding:4px")
        self.warning.setVisible(False)
        body_layout.addWidget(self.warning)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("draft_status")
        self.save_button = QPushButton("保存草稿 (Ctrl+S)")
        self.save_button.setObjectName("save_draft")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        body_layout.addLayout(row)
        self.splitter.addWidget(body)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 760])

        self._check_timer = QTimer(self)  # checked when typing pauses, not at every key
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(400)
        self._check_timer.timeout.connect(self.check_text)
        self.text.textChanged.connect(self._check_timer.start)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self.outcome.currentIndexChanged.connect(self._check_timer.start)
        self._outcome_changed()

    @staticmethod
    def _value(edit: QWidget) -> str:
        if isinstance(edit, QComboBox):
            return edit.currentData() or ""
        if isinstance(edit, QDateEdit):
            return "" if edit.date() == edit.minimumDate() else edit.date().toString("yyyy-MM-dd")
        return edit.text().strip()

    @staticmethod
    def _set(edit: QWidget, value: str) -> None:
        if isinstance(edit, QComboBox):
            edit.setCurrentIndex(max(edit.findData(value or None), 0))
        elif isinstance(edit, QDateEdit):
            date = QDate.fromString(value or "", "yyyy-MM-dd")
            edit.setDate(date if date.isValid() else edit.minimumDate())
        else:
            edit.setText(value or "")

    def _outcome_changed(self) -> None:
        code = self.outcome.currentData()
        used = details_used(code, self.reg) if code else []
        grounds = self.detail_edits["refusal_ground"]
        chosen = grounds.currentData()
        grounds.clear()
        grounds.addItem("（请选择不予公开的依据）", None)
        for g in outcomes.grounds_for(code or ""):
            grounds.addItem(f"{g.label}（条例{g.article}）", g.code)
        grounds.setCurrentIndex(max(grounds.findData(chosen), 0))
        for key, edit in self.detail_edits.items():
            visible = key in used
            edit.setVisible(visible)
            label = self.form.labelForField(edit)
            if label:
                label.setVisible(visible)
        if code:
            o = outcomes.get(code)
            basis = o.citation
            self.basis.setText(f"{basis or '（无具体条款，请在正文中说明理由）'}　年报统计行：{o.report_row}"
                               + ("　（不予公开：复议前置）" if o.refusal else ""))
        else:
            self.basis.setText("")

    def details(self) -> dict[str, str]:
        code = self.outcome.currentData()
        used = details_used(code, self.reg) if code else []
        # every detail of the outcome, emptied ones too: a later save replaces an earlier one, so a
        # cleared detail stays cleared (in the editor and in the letter alike)
        return {k: self._value(e) for k, e in self.detail_edits.items() if k in used}

    def fill_from_template(self) -> None:
        code = self.outcome.currentData()
        if not code:
            Ask.error(self, "拟写答复", "请先选择办理结果")
            return
        if self.text.toPlainText().strip() and not Ask.confirm(self, "拟写答复", "用模板生成的正文替换当前正文？"):
            return
        self.text.setPlainText(letters.decision_draft(self.reg, self.case_id, code, self.details()))

    def load(self, case_id: int, editable: bool, view: cases.CaseView | None = None) -> None:
        """Show the case's draft as saved; ``view``: the case as the screen has just read it (else read here)."""
        self.case_id = case_id
        case = view if view is not None else cases.record_of(self.reg, case_id)
        self.version = case.row["version"]
        f = case.facts
        model = self.outcome.model()
        for i in range(1, self.outcome.count()):  # an outcome this case cannot have is shown, greyed, with why
            why = cases.outcome_refusal(f, self.outcome.itemData(i))
            model.item(i).setEnabled(why is None)
            self.outcome.setItemData(i, why, Qt.ItemDataRole.ToolTipRole)
        self.outcome.setCurrentIndex(max(self.outcome.findData(f.outcome), 0))
        draft = case.draft
        for key, edit in self.detail_edits.items():
            self._set(edit, draft.values.get(key, ""))
        self.text.setPlainText(f.draft_text or "")
        self._loaded = self._state()
        self._generated = None
        self.status.setText(f"草稿保存于 {draft.saved_at[:16].replace('T', ' ')}" if draft.saved_at else "")
        self.status.setStyleSheet("color:#555")
        self.check_text(case)
        self.returned.setText(f"退回意见：{f.last_return_comment}" if f.last_return_comment else "")
        self.returned.setVisible(bool(f.last_return_comment))
        locked = f.approved_text_locked
        for w in (self.outcome, self.text, self.fill_button, self.save_button, *self.detail_edits.values()):
            w.setEnabled(editable and not locked)
        if locked:
            self.returned.setText("答复已经领导签发，文本已锁定。")
            self.returned.setVisible(True)

    def _state(self) -> tuple:
        return self.outcome.currentData(), self.text.toPlainText(), tuple(sorted(self.details().items()))

    def has_unsaved_changes(self) -> bool:
        """Whether what is on screen differs from what was last loaded or saved (a refresh caused by
        another PC must not overwrite it)."""
        return self.case_id is not None and self._state() != getattr(self, "_loaded", None)

    # -- what the body repeats of the letter ----------------------------------------------------------
    def check_text(self, case: cases.CaseRecord | None = None) -> list[draft_checks.Repetition]:
        """Find what the body repeats of what the letter adds itself and say it above the text.
        ``case``: the case as just loaded (else the template's body is made from the case read anew)."""
        self._check_timer.stop()
        code, body = self.outcome.currentData(), self.text.toPlainText()
        found: list[draft_checks.Repetition] = []
        if self.case_id is not None and code and body.strip():
            key = (code, tuple(sorted(self.details().items())))
            if self._generated is None or self._generated[0] != key:  # the template's body, once per choice
                try:
                    generated = letters.decision_draft(self.reg, self.case_id, code, self.details(), case=case)
                except Exception as exc:
                    if user_message(exc) is None:
                        raise
                    generated = ""
                self._generated = (key, generated)
            found = draft_checks.repetitions(self.reg, self.case_id, code, body, generated=self._generated[1])
        self.found = found
        self.warning.setText("提交审核前请修改：" + "".join(f"\n⚠ {r.message}" for r in found) if found else "")
        self.warning.setVisible(bool(found))
        return found

    def save(self) -> bool:
        code = self.outcome.currentData()
        if not code:
            Ask.error(self, "保存草稿", "请先选择办理结果")
            return False
        payload = {"outcome": code, "decision": self.text.toPlainText(), **self.details()}
        try:
            changes = cases.fire(self.reg, self.actor, self.case_id, "draft", None, payload,
                                 expected_version=self.version)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            Ask.error(self, "保存草稿", message + "（正文已保留）")
            return False
        self.version = cases.get_case(self.reg, self.case_id)["version"]
        self._loaded = self._state()
        announce(self, changes)
        self.saved.emit()  # the case screen shows the case again (and this editor with it)
        found = self.check_text()
        self.status.setText(f"已保存草稿（{self.reg.now()[11:16]}）" + (
            f"。正文有{len(found)}处与答复书重复，提交审核前请修改" if found else ""))
        self.status.setStyleSheet("color:#6b4e00" if found else "color:#1e5e25")
        return True
