"""登记: a clerk records an application, often with the applicant at the counter.

Every field is checked as it is typed (the same checks the services run on save); the applicant's
earlier cases, this month's count and similar requests appear while the ID number or name is typed,
and a returning applicant's phone and address are offered for reuse. A failed save keeps everything
typed and says why; a saved one offers the receipt, issued and printed in one step, and the case.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
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

from desktop.domain import application, fees, identity
from desktop.domain.application import (
    APPLICANT_TYPES,
    CHANNEL_RECEIPT_RULES,
    CHANNELS,
    CONTACT_FIELDS,
    DELIVERY_FORMS,
    DELIVERY_ROUTES,
    FORM_FOR_ROUTE,
    ROUTE_FOR_CHANNEL,
)
from desktop.domain.workflow import STATE_LABELS
from desktop.services import cases, letters
from desktop.services.base import Actor, Registry, ValidationFailed
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import user_message

ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
# Numbers of a fixed length: their message waits until that many characters are typed (or the
# clerk leaves the field), so the field is not red while the number is still being typed.
FULL_LENGTH = {"居民身份证": 18, identity.ID_TYPE_CREDIT_CODE: 18}


class PlainText(QPlainTextEdit):
    """A multi-line field where Tab moves on (as office users expect) instead of typing a tab."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)


def print_documents(printer, documents) -> int:
    """Draw every page of the PDF ``documents`` (QPdfDocument) on ``printer`` as one print job, each
    page fitted to the printable area; returns the pages printed (0 if the printer cannot start)."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter

    painter = QPainter()
    if not painter.begin(printer):
        return 0
    pages = 0
    try:
        for document in documents:
            for page in range(document.pageCount()):
                if pages:
                    printer.newPage()
                target = printer.pageLayout().paintRectPixels(printer.resolution())
                size = document.pagePointSize(page)
                scale = min(target.width() / size.width(), target.height() / size.height())
                dpi_scale = min(scale, 300 / 72)  # drawn from at most 300 dpi: an A4 page is ~35 MB, not ~550
                image = document.render(page, QSize(int(size.width() * dpi_scale), int(size.height() * dpi_scale)))
                painter.drawImage(QRectF(0, 0, size.width() * scale, size.height() * scale), image)
                pages += 1
    finally:
        painter.end()
    return pages


class DateField(QDateEdit):
    """A date field that Tab leaves in one press (QDateEdit's Tab walks its year, month and day)."""

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 (Qt's name)
        return QWidget.focusNextPrevChild(self, next_)


class RegistrationView(QWidget):
    changes = Signal(object)  # services.base.Changes: the cases registered (ui.changes)
    open_case = Signal(int)

    def __init__(self, reg: Registry, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.last_case_ids: list[int] = []
        self._chosen: set[str] = set()  # delivery fields the clerk chose (no longer follow the channel)
        self._earlier_contact: dict[str, str] = {}
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setVisible(False)
        top.addWidget(self.banner, 1)
        # After a save: the receipt, issued and printed while the applicant waits, and the case.
        self.receipt_button = QPushButton("出具回执并打印 (Ctrl+P)")
        self.receipt_button.setObjectName("print_receipt")
        self.receipt_button.setShortcut(QKeySequence("Ctrl+P"))
        self.receipt_button.clicked.connect(self.print_receipt)
        self.open_button = QPushButton("打开案件")
        self.open_button.setObjectName("open_registered")
        self.open_button.clicked.connect(self._open_registered)
        for button in (self.receipt_button, self.open_button):
            button.setVisible(False)
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        splitter = QSplitter()
        outer.addWidget(splitter, 1)

        form_host = QWidget()
        self.form = QFormLayout(form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own before the first field
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
        self.fields["phone"].setPlaceholderText("联系电话、电子邮箱、通讯地址至少填写一项")
        # A returning applicant's contact details, as registered last time, offered for reuse.
        self.earlier_contact = QLabel()
        self.earlier_contact.setObjectName("earlier_contact")
        self.earlier_contact.setWordWrap(True)
        self.earlier_contact.setStyleSheet("color: #1f4e8c")
        self.reuse_button = QPushButton("沿用以往的联系方式")
        self.reuse_button.setObjectName("reuse_contact")
        self.reuse_button.setToolTip("填入以往登记的联系电话、电子邮箱、通讯地址和邮政编码（已填写的不变）")
        self.reuse_button.clicked.connect(self.reuse_contact)
        self.reuse_row = QWidget()
        reuse_layout = QHBoxLayout(self.reuse_row)
        reuse_layout.setContentsMargins(0, 0, 0, 0)
        reuse_layout.addWidget(self.earlier_contact, 1)
        reuse_layout.addWidget(self.reuse_button)
        self.reuse_row.setVisible(False)
        self.form.insertRow(self._row_of("phone"), "", self.reuse_row)
        del applicant

        self._section("申请")
        self._add("channel", "申请方式 *", self._combo(CHANNELS))
        self.channel_rule = QLabel()
        self.channel_rule.setObjectName("channel_rule")
        self.channel_rule.setWordWrap(True)
        self.channel_rule.setStyleSheet("color: #555")
        self.form.addRow("", self.channel_rule)
        received = DateField()
        received.setCalendarPopup(True)
        received.setDisplayFormat("yyyy-MM-dd")
        self._add("received_on", "收到申请之日 *", received)
        # 平常信函 (art. 31(二)): the day the letter arrived, and the day it was confirmed with the
        # applicant, which is the date of receipt
        arrived = DateField()
        arrived.setCalendarPopup(True)
        arrived.setDisplayFormat("yyyy-MM-dd")
        self._add("letter_arrived_on", "信函到达之日 *", arrived)
        self._add("request_text", "所需信息的名称、文号或特征描述 *", PlainText())
        self.fields["request_text"].setMinimumHeight(90)
        self.fields["request_text"].setMaximumHeight(160)  # the delivery fields below stay in view
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
        self.form.setRowVisible(self.parts, False)
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

    def _row_of(self, key: str) -> int:
        row, _role = self.form.getWidgetPosition(self.fields[key].parentWidget())
        return row

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
                widget.installEventFilter(self)  # leaving a field shows what was held back while typing
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(lambda k=key: self.check(k))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, k=key: self.check(k))
            elif isinstance(widget, QDateEdit):
                widget.dateChanged.connect(lambda _d, k=key: self.check(k))
        self.fields["applicant_type"].currentIndexChanged.connect(self._applicant_type_changed)
        self.fields["id_type"].currentIndexChanged.connect(lambda _i: self.check("id_number"))
        self.fields["channel"].currentIndexChanged.connect(self._channel_changed)
        self.fields["received_on"].dateChanged.connect(lambda _d: self.check("letter_arrived_on", typing=False))
        for key in ("delivery_route", "delivery_form"):  # chosen by the clerk: no longer follows the channel
            self.fields[key].activated.connect(lambda _i, k=key: self._chosen.add(k))
        self.fields["delivery_route"].currentIndexChanged.connect(self._route_changed)
        for key in CONTACT_FIELDS:  # one contact is enough: the message on the phone goes with any
            if key != "phone":
                self.fields[key].textChanged.connect(self._recheck_contact)
        for key in ("name", "id_number", "request_text"):
            signal = (self.fields[key].textChanged)
            signal.connect(self._context_timer.start)
        self.split.toggled.connect(self._split_toggled)
        self.parts.textChanged.connect(self._check_parts)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name): no lookup after the page is gone
        self._context_timer.stop()
        super().hideEvent(event)

    # -- values and checks --------------------------------------------------------------------
    def value(self, key: str):
        if key == "letter_arrived_on" and self.fields["channel"].currentText() != "平常信函":
            return ""  # only a 平常信函 has one (the field is hidden otherwise)
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
        return out  # what belongs to the other kind of applicant is dropped by application.normalise

    def check(self, key: str, typing: bool = True) -> str | None:
        """Check one field now and show or clear its message (the service's own rule for a new
        application). While a fixed-length number is being typed its message waits (``typing``)."""
        message = application.check_registration_field(key, self.value(key), self.values(), self.reg.today())
        if typing and message and self._still_typing(key):
            message_shown = None
        else:
            message_shown = message
        self._show_error(key, message_shown)
        return message

    def _still_typing(self, key: str) -> bool:
        """Whether ``key`` is a fixed-length number the clerk is typing now and has not finished."""
        if key != "id_number" or not self.fields[key].hasFocus():
            return False
        full = FULL_LENGTH.get(self.value("id_type"))
        return full is not None and len(self.value("id_number").strip()) < full

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FocusOut and obj is self.fields.get("id_number"):
            self.check("id_number", typing=False)
        return False

    def _recheck_contact(self) -> None:
        if not self.errors["phone"].isHidden():
            self.check("phone")

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
        if not self.errors["phone"].isHidden():
            self.check("phone")

    def _channel_changed(self) -> None:
        channel = self.value("channel")
        self.channel_rule.setText(CHANNEL_RECEIPT_RULES[channel])
        plain = channel == "平常信函"
        self.form.setRowVisible(self.fields["letter_arrived_on"].parentWidget(), plain)
        label = self.form.labelForField(self.fields["received_on"].parentWidget())
        if label is not None:
            label.setText("与申请人确认之日（收到申请之日） *" if plain else "收到申请之日 *")
        self.check("letter_arrived_on", typing=False)
        route = ROUTE_FOR_CHANNEL.get(channel)
        if route and "delivery_route" not in self._chosen:
            self.fields["delivery_route"].setCurrentText(route)

    def _route_changed(self) -> None:
        form = FORM_FOR_ROUTE.get(self.value("delivery_route"))
        if form and "delivery_form" not in self._chosen:
            self.fields["delivery_form"].setCurrentText(form)

    def _split_toggled(self, on: bool) -> None:
        self.form.setRowVisible(self.parts, on)
        if on and not self.parts.toPlainText().strip():
            self.parts.setPlainText(self.value("request_text"))
        self._check_parts()

    def parts_list(self) -> list[str] | None:
        if not self.split.isChecked():
            return None
        return [line.strip() for line in self.parts.toPlainText().splitlines() if line.strip()]

    def _check_parts(self) -> str | None:
        message = application.split_problem(self.parts_list())
        self.parts_error.setText(message or "")
        return message

    # -- context ------------------------------------------------------------------------------
    def update_context(self) -> None:
        id_number = self.value("id_number").strip()
        if id_number and application.check_field("id_number", id_number, self.values(), self.reg.today()):
            id_number = ""
        name = self.value("name").strip()
        self.history.clear()
        self.similar.clear()
        if id_number or name:
            ctx = cases.applicant_context(self.reg, id_number or None, name or None)
            self.counts.setText(f"该申请人本月已申请 <b>{ctx.month_count}</b> 件，近12个月 <b>{ctx.year_count}</b> 件"
                                + ("<br><span style='color:#b26a00'>申请数量较多，请注意第三十五条及收费规定</span>"
                                   if fees.many_applications(ctx.month_count) else ""))
            for r in ctx.earlier_cases:
                self._list_item(self.history, r["id"], f"{r['case_no']}  {r['received_on']}  "
                                f"{STATE_LABELS.get(r['state'], r['state'])}  {r['request_text'][:40]}")
            self._offer_contact(id_number, ctx.earlier_cases)
        else:
            self.counts.setText("输入证件号码或姓名后显示该申请人的申请情况")
            self._offer_contact("", [])
        text = self.value("request_text")
        if len(text.strip()) >= 2 and len(text) <= application.MAX_LENGTH["request_text"]:
            for r in cases.similar_requests(self.reg, text):
                self._list_item(self.similar, r["id"], f"{r['case_no']}  {r['applicant_name']}  {r['request_text'][:40]}")

    CONTACT_LABELS = {"phone": "电话", "email": "邮箱", "address": "地址", "postcode": "邮编"}

    def _offer_contact(self, id_number: str, earlier) -> None:
        """Offer the contact details of the applicant's latest case with this same ID number (a name
        alone may be someone else's: nobody's phone is offered on a name)."""
        contact: dict[str, str] = {}
        for r in earlier[:5] if id_number else []:
            row = cases.get_case(self.reg, r["id"])
            if (row["id_number"] or "").upper() == id_number.upper():
                contact = {k: row[k] for k in self.CONTACT_LABELS if row[k]}
                break
        self._earlier_contact = contact
        self.earlier_contact.setText("以往登记的联系方式：" + "；".join(
            f"{label} {contact[k]}" for k, label in self.CONTACT_LABELS.items() if k in contact))
        self.reuse_row.setVisible(bool(contact))

    def reuse_contact(self) -> None:
        """Fill the empty contact fields from the applicant's earlier registration."""
        for key, value in self._earlier_contact.items():
            if not self.value(key).strip():
                self.fields[key].setText(value)

    @staticmethod
    def _list_item(lst: QListWidget, case_id: int, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, case_id)
        lst.addItem(item)

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> list[int]:
        problems = [k for k in self.fields if self.check(k, typing=False)]
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
        self._show_after_save(changed.case_nos)
        self.changes.emit(changed)
        self.fields["applicant_type"].setFocus()
        return self.last_case_ids

    def _show_after_save(self, case_nos) -> None:
        numbers = "、".join(case_nos)
        self.receipt_button.setToolTip(f"出具 {numbers} 的登记回执并打印，交申请人")
        self.open_button.setToolTip(f"打开 {case_nos[0]}")
        for button in (self.receipt_button, self.open_button):
            button.setVisible(True)

    def _open_registered(self) -> None:
        if self.last_case_ids:
            self.open_case.emit(self.last_case_ids[0])

    def print_receipt(self) -> int:
        """Issue the receipt of each case just registered and print it, while the applicant waits (a
        receipt issued before is printed again, not issued anew). Returns the pages printed."""
        if not self.last_case_ids:
            return 0
        printer = Ask.printer(self, "打印登记回执")
        if printer is None:
            return 0
        from PySide6.QtPdf import QPdfDocument

        documents, numbers = [], []
        try:
            for case_id in self.last_case_ids:
                row = letters.latest(self.reg, case_id, "receipt")
                if row is None:
                    letters.issue(self.reg, self.actor, case_id, "receipt")
                    row = letters.latest(self.reg, case_id, "receipt")
                document = QPdfDocument(self)
                if document.load(str(letters.verified_file(self.reg, row))) != QPdfDocument.Error.None_:
                    raise OSError(0, "文书文件无法读取", row["doc_no"])
                documents.append(document)
                numbers.append(row["doc_no"])
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self._banner(f"无法出具登记回执：{message}", error=True)
            return 0
        try:
            pages = print_documents(printer, documents)
        finally:
            for document in documents:
                document.close()
                document.deleteLater()
        if not pages:
            self._banner(f"登记回执已出具（{'、'.join(numbers)}），但未能打印：打印机无法使用，请检查后在案件的“文书”中打印。",
                         error=True)
            return 0
        self._banner(f"已出具并打印登记回执：{'、'.join(numbers)}（共{pages}页），请交申请人。", error=False)
        return pages

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

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # A scroll area the window puts this page in is no Tab stop of its own: from the navigation
        # one Tab reaches the first field.
        outer = self.parentWidget()
        while outer is not None and not outer.isWindow():
            if isinstance(outer, QScrollArea):
                outer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            outer = outer.parentWidget()
        super().showEvent(event)

    def start(self) -> None:
        """Begin a registration (案件 › 新登记, Ctrl+N): the keyboard in the first field; what is
        already typed stays."""
        self.fields["applicant_type"].setFocus(Qt.FocusReason.ShortcutFocusReason)

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
        arrived: QDateEdit = self.fields["letter_arrived_on"]
        arrived.blockSignals(True)
        arrived.setMaximumDate(QDate(today.year, today.month, today.day))
        arrived.setMinimumDate(QDate(2008, 5, 1))
        arrived.setDate(QDate(today.year, today.month, today.day))
        arrived.blockSignals(False)
        self.split.setChecked(False)
        self.parts.clear()
        self.accept_other.setChecked(True)
        self._chosen.clear()
        self._offer_contact("", [])
        for key in self.fields:
            self._show_error(key, None)
        self._applicant_type_changed()
        self._show_error("id_number", None)
        self._show_error("phone", None)
        self._channel_changed()
        self.history.clear()
        self.similar.clear()
