import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtPrintSupport import QPrinter

from desktop.services import cases, letters
from desktop.ui.dialogs import pdf_preview
from desktop.ui.dialogs.delivery import DeliveryDialog, DeliveryInput
from desktop.ui.dialogs.messages import Ask
from desktop.ui.dialogs.pdf_preview import PdfPreviewDialog, PdfView
from desktop.ui.main_window import MainWindow
from tests.helpers import approved_case, flat, pdf_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def select_kind(detail, kind):
    detail.letter_kind.setCurrentIndex(detail.letter_kind.findData(kind))


def test_preview_issue_view_print_and_deliver_from_the_case_screen(qtbot, registry, office, monkeypatch, tmp_path):
    case_id = approved_case(registry, office, "disclose")
    w = MainWindow(registry, office["clerk"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    d = w.detail
    shown = []

    def fake_show(cls, parent, path, title):
        view = PdfView()
        assert view.load(path)
        shown.append((title, view.page_count(), flat(path), path))
        view.deleteLater()

    monkeypatch.setattr(PdfPreviewDialog, "show_pdf", classmethod(fake_show))
    select_kind(d, "reply")
    d.preview_letter()
    assert shown[-1][0] == "政府信息公开申请答复书（草稿）" and shown[-1][1] == pdf_page_count(shown[-1][3])
    assert "（草稿，未编号，不得发出）" in shown[-1][2]
    assert letters.issued(registry, case_id) == []

    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    d.issue_letter()
    assert d.letter_list.count() == 1
    assert d.letter_list.item(0).text().startswith("政府信息公开申请答复书 津民公开〔2026〕1号")
    assert cases.get_case(registry, case_id)["state"] == "replied"
    assert d.timeline.item(d.timeline.rowCount() - 1, 2).text() == "出具文书"

    d.letter_list.setCurrentRow(0)
    d.view_letter()
    assert shown[-1][0] == "政府信息公开申请答复书 津民公开〔2026〕1号" and "（草稿" not in shown[-1][2]

    printed = tmp_path / "printed.pdf"

    def fake_printer(parent, printer: QPrinter):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    monkeypatch.setattr(pdf_preview, "ask_printer", fake_printer)
    pages = pdf_page_count(letters.verified_file(registry, letters.latest(registry, case_id, "reply")))
    assert d.print_letter() == pages  # every page of the letter as issued
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True).stdout
    assert f"Pages:           {pages}" in info

    def deliver(cls, parent, title, today, released=(), attempt=None):
        value = DeliveryInput("当面", date(2026, 11, 20), "", None)
        attempt(value)  # what the dialog's OK does
        return value
    monkeypatch.setattr(DeliveryDialog, "ask", classmethod(deliver))
    d.letter_list.setCurrentRow(0)
    d.deliver_letter()
    assert cases.get_case(registry, case_id)["state"] == "delivered"
    assert "已送达（当面，2026-11-20）" in d.letter_list.item(0).text()


def test_reply_cannot_be_issued_before_approval(qtbot, registry, office, monkeypatch):
    from tests.helpers import person_form

    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    w = MainWindow(registry, office["clerk"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    errors = []
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    select_kind(w.detail, "reply")
    w.detail.issue_letter()
    assert errors == ["不能出具政府信息公开申请答复书：案件处于“待分办”状态，答复须经领导签发后才能出具"]
    select_kind(w.detail, "receipt")
    assert w.detail.letter_kind.itemData(w.detail.letter_kind.currentIndex(), 3) == "可以出具"


def test_administrator_edits_a_template_in_the_window(qtbot, registry, office):
    w = MainWindow(registry, office["admin"])
    qtbot.addWidget(w)
    view = w.page("admin").templates_tab
    rows = {view.kinds.item(i).data(256): i for i in range(view.kinds.count())}
    view.kinds.setCurrentRow(rows["receipt"])
    assert view.version.text() == "当前版本：默认模板"
    assert view.editor.toPlainText().startswith("政府信息公开申请登记回执\n\n【申请人】：")  # names, not {applicant_name}
    view.editor.setPlainText(view.editor.toPlainText() + "\n\n本回执仅证明收到申请。【申请人姓名】")
    assert "【申请人姓名】不是可插入的名称，将原样印出" in view.message.text()
    view.editor.setPlainText(view.editor.toPlainText().replace("【申请人姓名】", ""))
    view.save()
    assert view.version.text() == "当前版本：第1版"
    from tests.helpers import person_form

    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    assert "本回执仅证明收到申请。" in flat(letters.issue(registry, office["clerk"], case_id, "receipt").path)


def test_preview_dialog_shows_pages(qtbot, registry, office, tmp_path):
    case_id = approved_case(registry, office, "partial")
    out = letters.preview(registry, case_id, "reply", tmp_path / "p.pdf")
    dialog = PdfPreviewDialog(out, "预览")
    qtbot.addWidget(dialog)
    assert dialog.pdf.page_count() == 2 and dialog.info.text() == "p.pdf，共 2 页"


def pdf_page_count(path) -> int:
    """Pages as poppler counts them (form feeds between pages in pdftotext's output)."""
    return pdf_text(path).count("\f")
