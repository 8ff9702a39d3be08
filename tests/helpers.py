"""Small builders shared by the tests."""

import re
import subprocess
from datetime import date, timedelta

from desktop.domain import identity
from desktop.services import cases
from desktop.services.demo import reply_details


def person_form(**overrides):
    form = {
        "applicant_type": "自然人", "name": "王喆", "id_type": "居民身份证",
        "id_number": "11010519491231002X", "phone": "13812345678", "channel": "当面",
        "received_on": "2026-09-15", "request_text": "申请公开2025年度养老机构补贴发放明细",
    }
    form.update(overrides)
    return form


def resident_id(n: int) -> str:
    """A valid resident ID number of its own for each ``n`` (a natural person registers with one,
    art. 29; tests that need many different applicants give each its own)."""
    born = date(1950, 1, 1) + timedelta(days=n // 1000)
    first17 = f"110105{born:%Y%m%d}{n % 1000:03d}"
    return first17 + identity.resident_id_check_char(first17)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(path) -> str:
    """The text without spaces, line breaks and page numbers."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", pdf_text(path)))


def pdf_fonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def approved_case(registry, staff, outcome, name="王喆堃", **form):
    case_id = cases.register_case(registry, staff["clerk"], person_form(name=name, **form)).case_ids[0]
    if outcome == "unable_unclear":  # only after a correction that did not make it clear
        cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 15), {"items": ["请写明文号"]})
        cases.fire(registry, staff["clerk"], case_id, "corrected", date(2026, 9, 16))
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 10, 9),
               {"outcome": outcome, "text": "拟按此答复。", **reply_details(outcome)})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, staff["reviewer"], case_id, "review_approve", date(2026, 10, 13), {"comment": "同意"})
    cases.fire(registry, staff["leader"], case_id, "leader_approve", date(2026, 10, 14))
    return case_id
