import os
from datetime import date

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts=false")

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Tests make many accounts; a lower scrypt cost keeps them quick (the hash records its cost)."""
    from desktop.services import users

    monkeypatch.setattr(users, "_N", 2**10)


@pytest.fixture
def registry(tmp_path):
    """A fresh registry database in a temp folder, with today pinned to 2026-11-20."""
    from desktop.services import agency
    from desktop.services.base import Registry

    reg = Registry.open(tmp_path / "registry.db", today=lambda: TODAY)
    agency.ensure_defaults(reg)
    yield reg
    reg.close()


@pytest.fixture
def staff(registry):
    """One user per role; division users in 规划处 and 社会处."""
    from desktop.services import agency, users
    from desktop.services.base import SYSTEM

    admin_id = users.create_user(registry, None, "admin", "管理员", "admin2026", ["admin"])
    admin = users.actor_for(registry, admin_id)
    planning = agency.add_division(registry, admin, "规划处")
    social = agency.add_division(registry, admin, "社会处")
    out = {"admin": admin, "system": SYSTEM, "planning_id": planning, "social_id": social}
    for login, roles, division in [("clerk", ["clerk"], None), ("head", ["office_head"], None),
                                   ("planner", ["division"], planning), ("social", ["division"], social),
                                   ("reviewer", ["reviewer"], None), ("leader", ["leader"], None)]:
        uid = users.create_user(registry, admin, login, login, "pass1234", roles, division)
        out[login] = users.actor_for(registry, uid)
    return out



@pytest.fixture
def office(registry, staff):
    """Staff of an agency whose letters carry real-looking names and numbers."""
    from desktop.services import agency

    agency.update_settings(registry, staff["admin"], {
        "agency_name": "天津市民政局", "doc_no_prefix": "津民公开", "contact_phone": "022-23456789",
        "reconsideration_body": "天津市人民政府", "court": "天津市和平区人民法院"})
    return staff


LEDGER = [
    # A: received 2024, carried over twice, concluded 2026
    {"申请编号": "A", "收到日期": "2024-11-20", "申请方式": "当面", "申请人类型": "自然人", "申请人": "甲",
     "申请内容": "甲", "办理结果": "予以公开", "答复日期": "2026-03-10"},
    # B: corrected, partial, 2025
    {"申请编号": "B", "收到日期": "2025-03-02", "申请方式": "邮寄", "申请人类型": "商业企业", "申请人": "乙公司",
     "申请内容": "乙", "补正告知日期": "2025-03-05", "补正收到日期": "2025-03-20", "办理结果": "部分公开",
     "答复日期": "2025-05-20"},
    # C: correction never answered, ended 2026 as 逾期不补正
    {"申请编号": "C", "收到日期": "2025-12-29", "申请方式": "网络", "申请人类型": "自然人", "申请人": "丙",
     "申请内容": "丙", "补正告知日期": "2025-12-30", "办理结果": "other_no_correction", "答复日期": "2026-02-02"},
    {"申请编号": "F", "收到日期": "2025-09-01", "申请方式": "网络", "申请人类型": "社会公益组织", "申请人": "丁会",
     "申请内容": "丁", "办理结果": "不予公开：保护第三方合法权益", "答复日期": "2025-10-01"},
    {"申请编号": "G", "收到日期": "2025-10-10", "申请方式": "网络", "申请人类型": "其他", "申请人": "戊",
     "申请内容": "戊", "办理结果": "unable_not_responsible", "答复日期": "2025-11-01"},
    {"申请编号": "H", "收到日期": "2025-01-05", "申请方式": "网络", "申请人类型": "自然人", "申请人": "己",
     "申请内容": "己", "办理结果": "unable_not_held", "答复日期": "2025-02-01"},
    {"申请编号": "I", "收到日期": "2026-01-05", "申请方式": "网络", "申请人类型": "自然人", "申请人": "庚",
     "申请内容": "庚"},
    {"申请编号": "J", "收到日期": "2024-03-01", "申请方式": "网络", "申请人类型": "自然人", "申请人": "辛",
     "申请内容": "辛", "办理结果": "予以公开", "答复日期": "2024-04-01"},
    {"申请编号": "K", "收到日期": "2024-12-20", "申请方式": "网络", "申请人类型": "商业企业", "申请人": "壬公司",
     "申请内容": "壬", "办理结果": "decline_repeat", "答复日期": "2025-01-10"},
]


@pytest.fixture
def dataset(registry, staff, tmp_path):
    """Three years of cases whose annual-report cells were counted by hand (test_annual_report.py)."""
    from desktop.services import annual, cases, ledger
    from tests.helpers import person_form
    from tests.unit.test_ledger import write_book

    s = staff
    ledger.import_ledger(registry, s["system"], write_book(tmp_path / "old.xlsx", LEDGER))

    def handled(name, applicant_type, received):
        form = person_form(name=name, applicant_type=applicant_type, id_number="", received_on=received)
        case_id = cases.register_case(registry, s["clerk"], form).case_ids[0]
        cases.fire(registry, s["head"], case_id, "assign", date.fromisoformat(received),
                   {"lead_division_id": s["planning_id"]})
        cases.fire(registry, s["planner"], case_id, "sign_for", date.fromisoformat(received))
        return case_id

    # D: fee notice never paid (科研机构): 120 pages = 700 + 400 = 1 100 元
    d = handled("癸研究院", "科研机构", "2025-06-02")
    cases.fire(registry, s["planner"], d, "fee_notice", date(2025, 6, 10), {"method": "per_page", "pages": 120})
    cases.fire(registry, s["clerk"], d, "fee_unpaid", date(2025, 8, 1))
    # E: withdrawn (法律服务机构)
    e = cases.register_case(registry, s["clerk"], person_form(name="子律所", applicant_type="法律服务机构",
                                                              id_number="", received_on="2025-07-01")).case_ids[0]
    cases.fire(registry, s["clerk"], e, "withdrawn", date(2025, 7, 10))
    # L: paid 250 pages (4 700 元), then disclosed
    case_l = handled("丑", "自然人", "2025-04-01")
    cases.fire(registry, s["planner"], case_l, "fee_notice", date(2025, 4, 10), {"method": "per_page", "pages": 250})
    cases.fire(registry, s["clerk"], case_l, "fee_paid", date(2025, 4, 20))
    cases.fire(registry, s["planner"], case_l, "draft", date(2025, 5, 6), {"outcome": "disclose"})
    cases.fire(registry, s["planner"], case_l, "submit_for_review", date(2025, 5, 6))
    cases.fire(registry, s["reviewer"], case_l, "review_approve", date(2025, 5, 7))
    cases.fire(registry, s["leader"], case_l, "leader_approve", date(2025, 5, 8))
    cases.fire(registry, s["clerk"], case_l, "reply_issued", date(2025, 5, 15))
    # part 四
    annual.add_remedy(registry, s["head"], "reconsideration", date(2025, 6, 1), "upheld", date(2025, 8, 1))
    annual.add_remedy(registry, s["head"], "reconsideration", date(2025, 11, 1))
    annual.add_remedy(registry, s["head"], "lawsuit_direct", date(2025, 3, 1), "corrected", date(2026, 1, 10))
    annual.add_remedy(registry, s["head"], "lawsuit_after_reconsideration", date(2024, 12, 1))
    return staff


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch, request):
    """A modal message box in a test would wait forever: any that a test did not expect fails it at once."""
    if "qtbot" not in request.fixturenames:
        return
    from desktop.ui.dialogs.messages import Ask

    def refuse(name):
        def show(cls, parent, *args):
            raise AssertionError(f"unexpected dialog Ask.{name}{args}")
        return classmethod(show)

    for name in ("error", "info", "confirm", "save_path", "open_paths", "bug"):
        monkeypatch.setattr(Ask, name, refuse(name))
