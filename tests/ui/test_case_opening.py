"""Opening a case replays its events once (#18): the case view carries what every part of the case
screen shows — the facts, the deadline, the timeline, the actions on offer, which letters may be
issued and the saved draft — and each part shows what the services say on their own."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from desktop.domain import workflow
from desktop.services import cases, letters
from desktop.ui.main_window import MainWindow
from desktop.ui.views.actions_panel import available_events
from tests.helpers import approved_case, person_form, resident_id


@pytest.fixture
def replays(monkeypatch):
    """Every replay of a case's events (the services call it as workflow.replay)."""
    seen: list[int] = []
    real = workflow.replay

    def counting(events):
        seen.append(len(events))
        return real(events)
    monkeypatch.setattr(workflow, "replay", counting)
    return seen


@pytest.fixture
def three_cases(registry, office):
    s = office

    def handling(name: str) -> int:
        form = person_form(name=name, id_number=resident_id(len(name) + 40))
        case_id = cases.register_case(registry, s["clerk"], form).case_ids[0]
        cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
        cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 16))
        return case_id

    drafting = handling("赵一")
    cases.fire(registry, s["planner"], drafting, "draft", date(2026, 10, 9), {
        "outcome": "disclose", "release_details": "随本答复书提供补贴明细表",
        "decision": "经查，您申请获取的政府信息属于公开范围，本机关予以公开。"})
    consulting = handling("钱二二")
    cases.fire(registry, s["planner"], consulting, "consultation_start", date(2026, 9, 18),
               {"kind": "third_party", "party": "某养老院", "reason": "涉及其商业信息"})
    replied = approved_case(registry, s, "disclose", name="孙三")
    letters.issue_reply(registry, s["clerk"], replied, date(2026, 10, 15))
    return {"drafting": drafting, "consulting": consulting, "replied": replied}


@pytest.mark.parametrize("who", ["planner", "clerk", "leader"])
def test_opening_a_case_replays_its_events_once(qtbot, registry, office, three_cases, replays, who):
    actor = office[who]
    w = MainWindow(registry, actor)
    qtbot.addWidget(w)
    for name, case_id in three_cases.items():
        replays.clear()
        w.open_case(case_id)
        assert len(replays) == 1, f"{who} opening the {name} case replayed its events {len(replays)} times"
        d = w.detail
        assert d.case_id == case_id and cases.get_case(registry, case_id)["case_no"] in d.title.text()
        # every part shows what the services say when asked on their own
        facts = cases.facts_of(registry, case_id)
        assert list(d.actions.buttons) == available_events(registry, actor, case_id)
        assert d.actions.version == d.draft.version == cases.get_case(registry, case_id)["version"]
        for i in range(d.letter_kind.count()):
            kind = d.letter_kind.itemData(i)
            assert d.letter_kind.itemData(i, Qt.ItemDataRole.ToolTipRole) == (
                letters.why_not_issuable(registry, case_id, kind) or "可以出具"), kind
        assert d.draft.outcome.currentData() == facts.outcome
        assert d.draft.text.toPlainText() == (facts.draft_text or "")
        assert d.timeline.rowCount() == len(cases.event_rows(registry, case_id))
    drafted = w.detail.draft
    w.open_case(three_cases["drafting"])
    assert drafted.detail_edits["release_details"].text() == "随本答复书提供补贴明细表"
    assert drafted.status.text().startswith("草稿保存于")
    assert drafted.warning.isHidden()  # the saved body was checked against the template's (no repetition)
