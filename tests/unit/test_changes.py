"""#18: every writing service says what it changed (``services.base.Changes``), so the window refreshes
what concerns each screen and nothing else."""

from datetime import date

from desktop.services import agency, annual, attachments, calendar_admin, cases, handling, letters, users
from desktop.services.base import EVERYTHING, Changes, changes_of
from tests.helpers import person_form


def test_each_writing_service_returns_what_it_changed(registry, office, tmp_path):
    s = office
    registered = cases.register_case(registry, s["clerk"], person_form(received_on="2026-11-20"))
    case_id = registered.case_ids[0]
    assert registered.case_nos == (cases.get_case(registry, case_id)["case_no"],)

    day_off = calendar_admin.set_day(registry, s["admin"], date(2026, 12, 1), False)
    assert day_off.calendar and case_id in day_off.case_ids  # its time runs over that day

    division = agency.add_division(registry, s["admin"], "财务处")
    assert division.people and division.id == agency.divisions(registry)[-1]["id"]
    assert agency.update_settings(registry, s["admin"], {"contact_phone": "022-87654321"}).settings
    assert letters.save_template(registry, s["admin"], "receipt", None).templates
    assert users.create_user(registry, s["admin"], "lina", "李娜", "pass1234", ["clerk"]).people
    assert annual.save_text(registry, s["head"], 2026, "一", "本年度共收到申请1件。").reports

    letter = letters.issue(registry, s["clerk"], case_id, "receipt")
    assert changes_of(letter).case_ids == (case_id,)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert changes_of(attachments.add(registry, s["clerk"], case_id, scan)).case_ids == (case_id,)
    delivered = letters.record_delivery(registry, s["clerk"], letter.id, "当面", date(2026, 11, 20))
    assert delivered.case_ids == (case_id,) and delivered.id is not None
    acted = handling.act(registry, s["head"], case_id, "assign", None, {"lead_division_id": s["planning_id"]})
    assert changes_of(acted).case_ids == (case_id,)


def test_what_concerns_the_lists_and_the_open_case():
    one = Changes((7,), ("2026-0007",))
    assert one.cases and one.touches(7) and not one.touches(8)
    assert Changes(calendar=True).cases and Changes(calendar=True).touches(8)  # every due date may move
    assert not Changes(reports=True).cases and not Changes(reports=True).touches(7)
    merged = one | Changes((9,), templates=True)
    assert merged.case_ids == (7, 9) and merged.templates and not merged.calendar
    assert EVERYTHING.cases and EVERYTHING.touches(1)


def test_a_ledger_import_says_it_changed_every_list(registry, staff, tmp_path):
    import openpyxl

    from desktop.services import ledger

    book = openpyxl.Workbook()
    book.active.append(["申请编号", "收到日期", "申请方式", "申请人类型", "申请人", "申请内容"])
    book.active.append(["2026-X-1", "2026-11-02", "当面", "自然人", "王喆", "申请公开某文件"])
    book.save(tmp_path / "one.xlsx")
    tried = ledger.import_ledger(registry, staff["clerk"], tmp_path / "one.xlsx", dry_run=True)
    assert changes_of(tried) == Changes()  # nothing written
    done = changes_of(ledger.import_ledger(registry, staff["clerk"], tmp_path / "one.xlsx"))
    assert done.everything and done.case_nos == ("2026-X-1",)
