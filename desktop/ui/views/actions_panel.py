"""The handling actions a user may take on the open case now, as buttons (role, state and scope
decide; the services check again)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.domain import workflow
from desktop.services import cases, handling, letters
from desktop.services.base import Actor, Registry
from desktop.ui.changes import announce
from desktop.ui.dialogs.event_form import EventDialog
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import user_message

HIDDEN = {"register", "ledger_import", "attach", "letter_issued", "letter_delivered", "reopen",
          "mark_release", "redact"}  # from the attachments tab (去标识化…)


def available_events(reg: Registry, actor: Actor, case_id: int) -> list[str]:
    """The buttons: what the service says this user may fire now, less what other tabs do."""
    return [e for e in cases.events_possible_now(reg, actor, case_id) if e not in HIDDEN]


class ActionsPanel(QWidget):
    acted = Signal(str)
    wants_draft = Signal()
    wants_delivery = Signal()

    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.case_id: int | None = None
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}

    def load(self, case_id: int, view: cases.CaseView | None = None) -> None:
        """The buttons for the case; ``view``: the case as the screen has just read it (else read here)."""
        self.case_id = case_id
        if view is None:
            self.version = cases.get_case(self.reg, case_id)["version"]  # as the screen shows it
            events = available_events(self.reg, self.actor, case_id)
        else:
            self.version = view.row["version"]
            events = [e for e in view.actions if e not in HIDDEN]
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons.clear()
        self.row.addWidget(QLabel("办理：" if events else "当前没有您可以办理的操作"))
        for event in events:
            label = {"reply_issued": "出具答复书", "delivered": "记录送达", "draft": "拟写答复"}.get(
                event, workflow.EVENT_LABELS[event])
            button = QPushButton(label)
            button.setObjectName(f"act_{event}")
            button.clicked.connect(lambda _c=False, e=event: self.act(e))
            self.row.addWidget(button)
            self.buttons[event] = button
        self.row.addStretch(1)

    def act(self, event: str) -> None:
        if event == "draft":
            self.wants_draft.emit()
            return
        if event == "delivered":
            self.wants_delivery.emit()
            return
        case = cases.get_case(self.reg, self.case_id)
        title = f"{case['case_no']} {case['applicant_name']}"
        try:
            if event == "reply_issued":
                if Ask.confirm(self, "出具答复书", "出具答复书？将确定办理结果、编号并保存答复书。"):
                    announce(self, letters.issue_reply(self.reg, self.actor, self.case_id,
                                                       expected_version=self.version))
                    self.acted.emit(event)
                return
            if event == "submit_for_review":  # a clause the letter adds itself, typed again, is said first
                from desktop.services import draft_checks

                repeated = draft_checks.saved_draft_repetitions(self.reg, self.case_id)
                if repeated and not Ask.confirm(self, "提交审核", "答复正文中有与文书自带内容重复的文字，印出后会重复：\n"
                                                + "\n".join(f"· {r.message}" for r in repeated)
                                                + "\n\n仍然提交审核？", "仍然提交"):
                    return
            done: dict = {}

            def attempt(on, payload):  # inside the dialog: a refusal keeps what was typed
                done["issued"] = handling.act(self.reg, self.actor, self.case_id, event, on, payload,
                                              expected_version=self.version)
                return done["issued"]  # what it changed is announced from the case screen
            if EventDialog.ask(self, self.reg, event, title, self.case_id, attempt=attempt) is None:
                return
            issued = done.get("issued", [])
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            Ask.error(self, workflow.EVENT_LABELS[event], message)
            self.acted.emit("")
            return
        if issued:
            Ask.info(self, workflow.EVENT_LABELS[event], "已生成：" + "、".join(
                f"{letters.KINDS[i.kind].title} {i.doc_no or ''}" for i in issued))
        self.acted.emit(event)
