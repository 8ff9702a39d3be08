"""登记: a clerk records an application, often with the applicant at the counter.

Every field is checked as it is typed (the same checks the services run on save); the applicant's
earlier cases, this month's count and similar requests appear while the ID number or name is typed.
A failed save keeps everything typed and says why.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import application, identity
from desktop.domain.application import (
    APPLICANT_TYPES,
    CHANNEL_RECEIPT_RULES,
    CHANNELS,
    DELIVERY_FORMS,
    DELIVERY_ROUTES,
)
from desktop.domain.workflow import STATE_LABELS
from desktop.services import cases
from desktop.services.base import Actor, Registry, ValidationFailed
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import user_message

ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"


class PlainText(QPlainTextEdit):
    """A multi-line field where Tab moves on (as office users expect) instead of typing a tab."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)


class RegistrationView(QWidget):
    registered = Signal(list)  # case ids
    open_case = Signal(int)

    def __init__(self, reg: Registry, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.last_case_ids: list[int] = []
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)
        splitter = QSplitter()
        outer.addWidget(splitter, 1)

        form_host = QWidget()
        self.form = QFormLayout(form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        splitter.addWidget(scroll)

        applicant = self._section("申请人")
        self._add("applicant_type", "申请人类型 *", self._combo(APPLICANT_TYPES))
        self._add("name", "姓名 *", QLineEdit())
        self._add("id_type", "证件类型", self._combo(identity.ID_TYPES_PERSON))
        self._add("id_number", "证件号码", QLineEdit())
        self._add("work_unit", "工作单位", QLineEdit())
        self._add("legal_rep", "法定代表人", QLineEdit())
        self._add("contact_person", "联系人", QLineEdit())
        self._add("phone", "联系电话", QLineEdit())
        self._add("email", "电子邮箱", QLineEdit())
        self._add("address", "通讯地址", QLineEdit())
        self._add("postcode", "邮政编码", QLineEdit())
        del applicant

        self._section("申请")
        self._add("channel", "申请方式 *", self._combo(CHANNELS))
        self.channel_rule = QLabel()
        self.channel_rule.setObjectName("channel_rule")
        self.channel_rule.setWordWrap(True)
        self.channel_rule.setStyleSheet("color: #555")
        self.form.addRow("", self.channel_rule)
        received = QDateEdit()
        received.setCalendarPopup(True)
        received.setDisplayFormat("yyyy-MM-dd")
        self._add("received_on", "收到申请之日 *", received)
        self._add("request_text", "所需信息的名称、文号或特征描述 *", PlainText())
        self.fields["request_text"].setMinimumHeight(90)
        self.split = QCheckBox("一份申请含多项互不相关的内容：拆分为多件（每行一件）")
        self.split.setObjectName("split")
        self.form.addRow("", self.split)
        self.parts = PlainText()
        self.parts.setObjectName("parts")
        self.parts.setPlaceholderText("每行写一项，保存后每项各自编号、分别计数")
        self.parts.setVisible(False)
        self.parts_error = QLabel()
        self.parts_error.setStyleSheet("color: #c62828")
        self.form.addRow("拆分事项", self.parts)
        self.form.addRow("", self.parts_error)
        self._add("index_no", "索引号", QLineEdit())
        self._add("purpose", "所需信息的用途（选填）", QLineEdit())
        self._add("delivery_form", "获取信息的形式", self._combo(DELIVERY_FORMS))
        self._add("delivery_route", "获取信息的途径", self._combo(DELIVERY_ROUTES))
        self.accept_other = QCheckBox("无法按指定形式提供时，可以接受其他形式")
        self.accept_other.setObjectName("accept_other_form")
        self.accept_other.setChecked(True)
        self.form.addRow("", self.accept_other)
        self._add("remarks", "备注", PlainText())
        self.fields["remarks"].setMaximumHeight(60)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存登记 (Ctrl+S)")
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("清空")
        self.clear_button.clicked.connect(self._clear_confirmed)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        self.form.addRow(buttons)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        self.counts = QLabel("输入证件号码或姓名后显示该申请人的申请情况")
        self.counts.setObjectName("counts")
        self.counts.setWordWrap(True)
        side_layout.addWidget(self.counts)
        side_layout.addWidget(QLabel("<b>该申请人以往的申请</b>"))
        self.history = QListWidget()
        self.history.setObjectName("history")
        side_layout.addWidget(self.history, 1)
        side_layout.addWidget(QLabel("<b>相似的申请</b>"))
        self.similar = QListWidget()
        self.similar.setObjectName("similar")
        side_layout.addWidget(self.similar, 1)
        for lst in (self.history, self.similar):
            lst.itemActivated.connect(lambda item: self.open_case.emit(item.data(Qt.ItemDataRole.UserRole)))
        splitter.addWidget(side)
        splitter.setSizes([650, 350])

        self._context_timer = QTimer(self)
        self._context_timer.setSingleShot(True)
        self._context_timer.setInterval(300)
        self._context_timer.timeout.connect(self.update_context)
        self._wire()
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.reset()

    # -- building -----------------------------------------------------------------------------
    def _section(self, title: str) -> QLabel:
        label = QLabel(f"<b>{title}</b>")
        self.form.addRow(label)
        return label

    @staticmethod
    def _combo(items) -> QComboBox:
        box = QComboBox()
        box.addItems(list(items))
        return box

    def _add(self, key: str, label: str, widget: QWidget) -> None:
        widget.setObjectName(key)
        error = QLabel()
        error.setObjectName(f"{key}_error")
        error.setStyleSheet("color: #c62828")
        error.setVisible(False)
        host = QWidget()
        box = QVBoxLayout(host)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(error)
        self.form.addRow(label, host)
        self.fields[key], self.errors[key] = widget, error

    def _wire(self) -> None:
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t, k=key: self.check(k))
                widget.returnPressed.connect(self.focusNextChild)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(lambda k=key: self.check(k))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, k=key: self.check(k))
            elif isinstance(widget, QDateEdit):
                widget.dateChanged.connect(lambda _d, k=key: self.check(k))
        self.fields["applicant_type"].currentIndexChanged.connect(self._applicant_type_changed)
        self.fields["id_type"].currentIndexChanged.connect(lambda _i: self.check("id_number"))
        self.fields["channel"].currentIndexChanged.connect(self._channel_changed)
        for key in ("name", "id_number", "request_text"):
            signal = (self.fields[key].textChanged)
            signal.connect(self._context_timer.start)
        self.split.toggled.connect(self._split_toggled)
        self.parts.textChanged.connect(self._check_parts)

    # -- values and checks --------------------------------------------------------------------
    def value(self, key: str):
        w = self.fields[key]
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QDateEdit):
            d = w.date()
            return date(d.year(), d.month(), d.day()).isoformat()
        raise KeyError(key)

    def values(self) -> dict:
        out = {key: self.value(key) for key in self.fields}
        out["accept_other_form"] = int(self.accept_other.isChecked())
        if out["applicant_type"] == "自然人":
            out["legal_rep"] = out["contact_person"] = ""
        else:
            out["work_unit"] = ""
        return out

    def check(self, key: str) -> str | None:
        """Check one field now and show or clear its message."""
        message = application.check_field(key, self.value(key), self.values(), self.reg.today())
        self._show_error(key, message)
        return message

    def _show_error(self, key: str, message: str | None) -> None:
        label, widget = self.errors[key], self.fields[key]
        label.setText(message or "")
        label.setVisible(bool(message))
        widget.setStyleSheet(ERROR_STYLE if message else "")
        widget.setToolTip(message or "")

    def _applicant_type_changed(self) -> None:
        person = self.value("applicant_type") == "自然人"
        self.form.labelForField(self.fields["name"].parentWidget()).setText("姓名 *" if person else "名称 *")
        id_type = self.fields["id_type"]
        id_type.blockSignals(True)
        id_type.clear()
        id_type.addItems(list(identity.ID_TYPES_PERSON) if person else [identity.ID_TYPE_CREDIT_CODE, "其他"])
        id_type.blockSignals(False)
        label = self.form.labelForField(self.fields["id_number"].parentWidget())
        label.setText("证件号码" if person else "统一社会信用代码")
        for key, visible in (("work_unit", person), ("legal_rep", not person), ("contact_person", not person)):
            host = self.fields[key].parentWidget()
            host.setVisible(visible)
            self.form.labelForField(host).setVisible(visible)
        self.check("id_number")

    def _channel_changed(self) -> None:
        self.channel_rule.setText(CHANNEL_RECEIPT_RULES[self.value("channel")])

    def _split_toggled(self, on: bool) -> None:
        self.parts.setVisible(on)
        if on and not self.parts.toPlainText().strip():
            self.parts.setPlainText(self.value("request_text"))
        self._check_parts()

    def parts_list(self) -> list[str] | None:
        if not self.split.isChecked():
            return None
        return [line.strip() for line in self.parts.toPlainText().splitlines() if line.strip()]

    def _check_parts(self) -> str | None:
        parts = self.parts_list()
        message = None
        if parts is not None and len(parts) < 2:
            message = "拆分至少需要两项（每行一项）"
        self.parts_error.setText(message or "")
        return message

    # -- context ------------------------------------------------------------------------------
    def update_context(self) -> None:
        id_number = self.value("id_number").strip()
        if id_number and self.check("id_number"):
            id_number = ""
        name = self.value("name").strip()
        self.history.clear()
        self.similar.clear()
        if id_number or name:
            ctx = cases.applicant_context(self.reg, id_number or None, name or None)
            self.counts.setText(f"该申请人本月已申请 <b>{ctx.month_count}</b> 件，近12个月 <b>{ctx.year_count}</b> 件"
                                + ("<br><span style='color:#b26a00'>申请数量较多，请注意第三十五条及收费规定</span>"
                                   if ctx.month_count >= 10 else ""))
            for r in ctx.earlier_cases:
                self._list_item(self.history, r["id"], f"{r['case_no']}  {r['received_on']}  "
                                f"{STATE_LABELS.get(r['state'], r['state'])}  {r['request_text'][:40]}")
        else:
            self.counts.setText("输入证件号码或姓名后显示该申请人的申请情况")
        text = self.value("request_text")
        if len(text.strip()) >= 2 and len(text) <= application.MAX_LENGTH["request_text"]:
            for r in cases.similar_requests(self.reg, text):
                self._list_item(self.similar, r["id"], f"{r['case_no']}  {r['applicant_name']}  {r['request_text'][:40]}")

    @staticmethod
    def _list_item(lst: QListWidget, case_id: int, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, case_id)
        lst.addItem(item)

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> list[int]:
        problems = [k for k in self.fields if self.check(k)]
        parts_problem = self._check_parts()
        if problems or parts_problem:
            first = self.fields[problems[0]] if problems else self.parts
            first.setFocus()
            n = len(problems) + bool(parts_problem)
            self._banner(f"有 {n} 处需要修改，请查看标红的栏目。内容已保留，修改后再保存。", error=True)
            return []
        try:
            changed = cases.register_case(self.reg, self.actor, self.values(), parts=self.parts_list())
        except ValidationFailed as exc:
            for p in exc.problems:
                if getattr(p, "field", None) in self.errors:
                    self._show_error(p.field, p.message)
            self._banner("无法保存：" + "；".join(str(p) for p in exc.problems) + "。内容已保留。", error=True)
            return []
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                import logging

                logging.getLogger(__name__).exception("registration failed")
                Ask.bug(self)
                message = "程序错误"
            self._banner(f"无法保存：{message}。内容已保留，请稍后再试。", error=True)
            return []
        self.last_case_ids = list(changed.case_ids)
        due = [cases.get_case(self.reg, i)["due_on"] for i in changed.case_ids]
        numbers = "、".join(f"{no}（答复期限 {d}）" for no, d in zip(changed.case_nos, due, strict=True))
        self.reset()
        self._banner(f"已登记：{numbers}。可继续登记下一件。", error=False)
        self.registered.emit(self.last_case_ids)
        self.fields["applicant_type"].setFocus()
        return self.last_case_ids

    def _banner(self, text: str, error: bool) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet("padding:6px; border-radius:3px; " + (
            "background:#fdecea; color:#8a1c14;" if error else "background:#e7f4e8; color:#1e5e25;"))
        self.banner.setVisible(True)

    def _clear_confirmed(self) -> None:
        if any(self.value(k).strip() for k in ("name", "id_number", "request_text")) and not Ask.confirm(
                self, "清空", "清空已填写的内容？"):
            return
        self.reset()

    def reset(self) -> None:
        """An empty form, receipt date today, applicant a person."""
        for widget in self.fields.values():
            widget.blockSignals(True)
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.clear()
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
            widget.blockSignals(False)
        today = self.reg.today()
        received: QDateEdit = self.fields["received_on"]
        received.blockSignals(True)
        received.setMaximumDate(QDate(today.year, today.month, today.day))
        received.setMinimumDate(QDate(2008, 5, 1))
        received.setDate(QDate(today.year, today.month, today.day))
        received.blockSignals(False)
        self.split.setChecked(False)
        self.parts.clear()
        self.accept_other.setChecked(True)
        for key in self.fields:
            self._show_error(key, None)
        self._applicant_type_changed()
        self._show_error("id_number", None)
        self._channel_changed()
        self.history.clear()
        self.similar.clear()
