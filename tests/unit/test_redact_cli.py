"""`disclosure-desk redact IN.pdf --out OUT.pdf [--case CASE_NO] [--report FILE.json]` (issue #16)."""

import json
import subprocess
from datetime import date

import pytest

from desktop.cli import main
from desktop.documents import redaction as R
from desktop.documents.redaction_sample import PLANTED, sample_pdf


@pytest.fixture
def text_pdf(tmp_path):
    return sample_pdf(tmp_path / "材料.pdf", text_pages=2, scanned_pages=0)


def pdftotext(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_redact_writes_the_release_and_a_report(text_pdf, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_DESK_DB", str(tmp_path / "never.db"))  # no --case: no registry opened
    out, report = tmp_path / "公开" / "公开版.pdf", tmp_path / "report.json"
    assert main(["redact", str(text_pdf), "--out", str(out), "--report", str(report)]) == 0
    printed = capsys.readouterr()
    assert "公开版已生成" in printed.out and "检查通过" in printed.out and printed.err == ""
    assert not (tmp_path / "never.db").exists()
    assert out.is_file() and pdftotext(out).strip() == ""
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["released"] is True and data["page_count"] == 2 and len(data["sha256"]) == 64
    assert [p["page"] for p in data["pages"]] == [1, 2]
    privacy = data["pages"][0]["categories"]["个人隐私"]
    kinds = {b["kind"] for b in privacy["boxes"]}
    assert {"身份证号", "电话号码", "银行卡号", "电子邮箱", "标注字段"} <= kinds
    assert "姓名" not in kinds  # names come from a case
    assert privacy["count"] == len(privacy["boxes"])
    text = report.read_text(encoding="utf-8")
    assert PLANTED.id_number not in text and PLANTED.mobile not in text  # the report shows only hints
    assert f"{PLANTED.id_number[:3]}***********{PLANTED.id_number[-4:]}" in text


def test_redact_with_a_case_boxes_the_recorded_names(registry, staff, db_target, text_pdf, tmp_path, capsys):
    from desktop.services import cases
    from tests.helpers import person_form

    case_id = cases.register_case(registry, staff["clerk"], person_form(name=PLANTED.applicant)).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16),
               {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 9, 22),
               {"kind": "third_party", "party": PLANTED.third_party, "reason": "涉及个人隐私"})
    case_no = cases.get_case(registry, case_id)["case_no"]
    out, report = tmp_path / "out.pdf", tmp_path / "r.json"
    assert main(["--db", str(db_target), "redact", str(text_pdf), "--out", str(out), "--case", case_no,
                 "--report", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    names = [b for b in data["pages"][0]["categories"]["个人隐私"]["boxes"] if b["kind"] == "姓名"]
    assert {b["hint"] for b in names} == {"张**", "李**"}
    assert data["case"] == case_no
    capsys.readouterr()
    assert main(["--db", str(db_target), "redact", str(text_pdf), "--out", str(out), "--case", "2026-9999"]) == 2
    assert "没有申请编号为“2026-9999”的案件" in capsys.readouterr().err


def test_unusable_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "notes.pdf"
    bad.write_text("这不是PDF", encoding="utf-8")
    out = tmp_path / "out.pdf"
    assert main(["redact", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "notes.pdf：不是PDF文件或扫描图片（JPG、PNG、TIFF），无法生成公开版"
    assert not out.exists()
    assert main(["redact", str(bad), "--out", str(bad)]) == 2
    assert "不能覆盖原文件" in capsys.readouterr().err


def test_a_failed_check_exits_2_naming_page_and_category(text_pdf, tmp_path, capsys, monkeypatch):
    real_paint = R._paint
    monkeypatch.setattr(R, "_paint", lambda image, boxes, scale: real_paint(
        image, [b for b in boxes if b.kind != "bank_card"], scale))
    out, report = tmp_path / "out.pdf", tmp_path / "r.json"
    assert main(["redact", str(text_pdf), "--out", str(out), "--report", str(report)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "第1页 〔个人隐私·银行卡号〕未被涂黑，仍可看到（页面图像）" in err
    assert "第2页 〔个人隐私·银行卡号〕未被涂黑，仍可看到（页面图像）" in err
    assert err[-1].startswith("公开版未生成") and not any("Traceback" in line for line in err)
    assert not out.exists()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["released"] is False and data["output"] is None and len(data["problems"]) == 2


def test_redact_is_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["redact", "--help"])
    out = capsys.readouterr().out
    assert "--case CASE_NO" in out and "--report FILE.json" in out
