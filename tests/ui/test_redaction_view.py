"""The 去标识化 page viewer driven as the officer uses it: proposals accepted and removed, a box drawn with
the mouse and given its category, 生成公开版 with progress, the result beside the original; cancel on a
100-page document; review sees the released version beside the original, box by box."""

import json
import shutil
from datetime import date

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QPushButton

from desktop.services import attachments, cases, letters, redaction
from desktop.services.demo import reply_details
from desktop.ui.dialogs.delivery import DeliveryDialog, DeliveryInput
from desktop.ui.dialogs.messages import Ask
from desktop.ui.main_window import MainWindow
from desktop.ui.views.approval_view import ApprovalView
from tests.helpers import flat
from tests.unit.test_redaction_service import ID_NUMBER, NAME, PHONE, handling_case, make_pdf

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def rows(view):
    t = view.box_table
    return [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())] for r in range(t.rowCount())]


def select_row(view, kind_label):
    r = next(i for i, row in enumerate(rows(view)) if row[1].startswith(kind_label))
    view.box_table.selectRow(r)
    return r


def open_viewer(qtbot, registry, staff, case_id, tmp_path, pages=2):
    a = attachments.add(registry, staff["planner"], case_id, make_pdf(tmp_path / "补贴明细.pdf", pages), "other")
    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    d = w.detail
    d.files.setCurrentRow(next(i for i in range(d.files.count())
                               if d.files.item(i).data(Qt.ItemDataRole.UserRole) == a.id))
    d.mark_release()
    assert attachments.get(registry, a.id).kind == "release"
    d.files.setCurrentRow(next(i for i in range(d.files.count())
                               if d.files.item(i).data(Qt.ItemDataRole.UserRole) == a.id))
    assert d.files.currentItem().text().startswith("拟公开的材料：补贴明细.pdf")
    view = d.redact_attachment()
    return w, d, view, a


def drag(qtbot, canvas, top_left, bottom_right):
    viewport = canvas.viewport()
    start, end = canvas.mapFromScene(QPointF(*top_left)), canvas.mapFromScene(QPointF(*bottom_right))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


@needs_poppler
def test_accept_a_proposal_draw_a_box_generate_and_see_the_result(qtbot, registry, staff, tmp_path, monkeypatch):
    case_id = handling_case(registry, staff)
    w, d, view, original = open_viewer(qtbot, registry, staff, case_id, tmp_path)
    assert view.progress is not None and view.progress.isVisible()  # detection runs with a progress bar
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert view.pages_read == 2 and NAME in view.names.text()
    listed = rows(view)
    assert {"身份证号（文字层）", "电话号码（文字层）", "姓名（文字层）"} <= {r[1] for r in listed}
    assert all(r[4] == "待确认" for r in listed) and all(r[0] == "1" for r in listed)
    assert ID_NUMBER not in str(listed)  # the list shows what was found masked
    assert view.pages.item(0).text().startswith("第 1 页　") and "待确认" in view.pages.item(1).text()

    # accept the ID number, remove the phone number
    select_row(view, "身份证号")
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    assert rows(view)[select_row(view, "身份证号")][4] == "遮盖"
    before = len(rows(view))
    select_row(view, "电话号码")
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    assert len(rows(view)) == before - 1 and not any(r[1].startswith("电话号码") for r in rows(view))

    # draw a box over the amount with the mouse, a business secret
    drag(qtbot, view.canvas, (70, 140), (200, 160))
    drawn = rows(view)[-1]
    assert drawn[1] == "手工框选（手工）" and drawn[4] == "遮盖"
    view.category.setCurrentIndex(view.category.findData("commercial"))
    view.category.activated.emit(view.category.currentIndex())
    assert rows(view)[-1][3] == "商业秘密"
    box = view.page_entries(0)[-1].box
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx((70, 140, 200, 160), abs=2)

    asked = []
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, parent, title, text: asked.append(text) or True))
    view.pages.setCurrentRow(1)  # the other page: its proposals stay unconfirmed
    qtbot.mouseClick(view.generate_button, Qt.MouseButton.LeftButton)
    assert "尚未确认" in asked[0] and "按 2 个遮盖框生成公开版" in asked[0]
    qtbot.waitUntil(lambda: view.worker is None, timeout=30_000)
    assert view.result is not None

    # the result: beside the original, painted where the boxes were; in the case's files and timeline
    assert view.released_host.isVisible() and view.released_label.text().startswith("公开版：补贴明细（公开版）.pdf")
    view.pages.setCurrentRow(0)
    page = view.released_canvas.page_item.pixmap().toImage()
    scale = page.width() / 595.27
    assert page.pixelColor(int(135 * scale), int(150 * scale)).lightness() < 40  # the drawn box, solid
    released = view.result.attachment
    text = flat(attachments.local_copy(registry, released))
    assert ID_NUMBER not in text and PHONE not in text
    assert d.timeline.item(d.timeline.rowCount() - 1, 2).text() == "去标识化"
    assert "个人隐私1处、商业秘密1处" in d.timeline.item(d.timeline.rowCount() - 1, 4).text()
    files = [d.files.item(i).text() for i in range(d.files.count())]
    assert any(f.startswith("公开版：补贴明细（公开版）.pdf") and "遮盖个人隐私1处、商业秘密1处" in f for f in files)
    assert any(f.startswith("拟公开的材料：补贴明细.pdf") and "原件仅供内部使用" in f for f in files)
    log = [json.loads(e["payload"]) for e in cases.event_rows(registry, case_id) if e["type"] == "redact"][-1]
    assert log["counts"] == {"1": {"privacy": 1, "commercial": 1}} and log["original_attachment_id"] == original.id
    view.close()


def test_a_hundred_pages_with_progress_and_cancel(qtbot, registry, staff, tmp_path, monkeypatch):
    case_id = handling_case(registry, staff)
    w, d, view, original = open_viewer(qtbot, registry, staff, case_id, tmp_path, pages=100)

    def cancel_on_first_page(done, total):
        if view.progress is not None and done == 1:
            view.progress.findChild(QPushButton).click()  # the dialog's 取消 button
    view.worker.progressed.connect(cancel_on_first_page)
    qtbot.waitUntil(lambda: view.worker is None, timeout=60_000)
    assert 1 <= view.pages_read < 100 and view.page_count == 100
    assert view.pages.item(99).text().endswith("未识别")
    assert view.status.text().startswith(f"已取消识别：只识别了前 {view.pages_read} 页（共 100 页）")

    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    view.generate()
    assert view.progress.maximum() == 100 and view.progress.labelText().startswith("正在生成公开版")
    view.worker.progressed.connect(cancel_on_first_page)
    qtbot.waitUntil(lambda: view.worker is None, timeout=60_000)
    assert view.result is None and view.status.text() == "已取消，没有生成公开版。"
    assert [a.kind for a in attachments.for_case(registry, case_id)] == ["release"]
    assert not [e for e in cases.event_rows(registry, case_id) if e["type"] == "redact"]


def test_review_sees_the_released_version_beside_the_original_box_by_box(qtbot, registry, office, tmp_path):
    staff = office
    case_id = handling_case(registry, staff)
    a = attachments.add(registry, staff["planner"], case_id, make_pdf(tmp_path / "补贴明细.pdf", 3), "release")
    boxes = [b for b in redaction.propose_boxes(registry, a.id).boxes if b.kind in ("id_number", "name")]
    made = redaction.generate_release(registry, staff["planner"], a.id, boxes)
    cases.fire(registry, staff["planner"], case_id, "draft", None, {"outcome": "partial", **reply_details("partial")})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review")

    review = ApprovalView(registry, staff["reviewer"], "reviewer")
    qtbot.addWidget(review)
    assert not review.releases_bar.isHidden()
    assert review.releases.currentText().startswith("补贴明细（公开版）.pdf（3 页，遮盖个人隐私6处）")
    view = review.compare_release()
    assert view.read_only and view.generate_button.isHidden() and view.names_host.isHidden()
    assert view.released_host.isVisible() and not view.released_canvas.page_item.pixmap().isNull()
    listed = rows(view)
    assert len(listed) == 6 and [r[0] for r in listed] == ["1", "1", "2", "2", "3", "3"]
    assert {r[3] for r in listed} == {"个人隐私"}
    view.box_table.selectRow(4)  # a box on page 3: both sides go there
    assert view.page == 2 and view.pages.currentRow() == 2
    assert view.canvas.box_items[0].isSelected()
    assert "遮盖个人隐私6处" in view.heading.text() and made.redaction.actor_name in view.heading.text()
    view.close()


def test_the_delivery_record_names_the_released_versions_sent(qtbot, registry, office, tmp_path, monkeypatch):
    staff = office
    case_id = handling_case(registry, staff)
    a = attachments.add(registry, staff["planner"], case_id, make_pdf(tmp_path / "补贴明细.pdf", 1), "release")
    made = redaction.generate_release(registry, staff["planner"], a.id, redaction.propose_boxes(registry, a.id).boxes)
    cases.fire(registry, staff["planner"], case_id, "draft", None, {"outcome": "partial", **reply_details("partial")})
    for actor, event in (("planner", "submit_for_review"), ("reviewer", "review_approve"), ("leader", "leader_approve")):
        cases.fire(registry, staff[actor], case_id, event)
    reply = letters.issue_reply(registry, staff["clerk"], case_id)

    dialog = DeliveryDialog("答复书", date(2026, 11, 20), released=[(made.attachment.id, made.attachment.file_name)])
    qtbot.addWidget(dialog)
    assert dialog.enclosures.count() == 1 and dialog.value().enclosures == (made.attachment.id,)
    dialog.enclosures.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.value().enclosures == ()

    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    d = w.detail
    told = []
    monkeypatch.setattr(Ask, "save_path", classmethod(lambda cls, *args: str(tmp_path / "包.pdf")))
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: told.append(text)))
    d.release_package()
    assert (tmp_path / "包.pdf").is_file() and (tmp_path / "包.zip").is_file()
    assert "补贴明细（公开版）.pdf（1 页）" in told[0]

    asked = []

    def deliver(cls, parent, title, today, released=(), attempt=None):
        asked.append(released)
        value = DeliveryInput("电子邮件", date(2026, 11, 20), "", None, tuple(i for i, _name in released))
        attempt(value)  # what the dialog's OK does
        return value
    monkeypatch.setattr(DeliveryDialog, "ask", classmethod(deliver))
    d.letter_list.setCurrentRow(next(i for i in range(d.letter_list.count())
                                     if d.letter_list.item(i).data(Qt.ItemDataRole.UserRole) == reply.id))
    d.deliver_letter()
    assert asked == [[(made.attachment.id, "补贴明细（公开版）.pdf")]]
    assert cases.get_case(registry, case_id)["state"] == "delivered"
    assert "随附公开版材料：补贴明细（公开版）.pdf" in d.timeline.item(d.timeline.rowCount() - 1, 4).text()
