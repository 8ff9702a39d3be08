import os
import tempfile
import uuid
from datetime import date

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts=false")
# This PC's data folder (remembered registry, the cache of letters written out): one of the test run's own.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="ddesk-test-data-")

TODAY = date(2026, 11, 20)

# The backend the registry tests run on. scripts/test.sh runs the suite on SQLite, then again with
# DDESK_TEST_BACKEND=postgresql against the throw-away server that scripts/pg-test-server.sh starts
# (DDESK_TEST_PG is its connection string). In that second run only the tests that open a registry
# through ``db_target`` (directly or through ``registry``) are collected: the others do not touch a
# database and have run already.
BACKEND = os.environ.get("DDESK_TEST_BACKEND", "sqlite")
ON_SERVER = BACKEND == "postgresql"


def pytest_report_header(config):
    return f"registry backend: {BACKEND}" + (f" ({os.environ.get('DDESK_TEST_PG')})" if ON_SERVER else "")


def pytest_collection_modifyitems(config, items):
    if not ON_SERVER:  # tests of the server alone wait for the PostgreSQL pass
        keep = [i for i in items if not i.get_closest_marker("server")]
    else:
        keep = [i for i in items if "db_target" in getattr(i, "fixturenames", ())
                or "make_target" in getattr(i, "fixturenames", ()) or i.get_closest_marker("server")]
    dropped = [i for i in items if i not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep


def _pg_admin():
    import psycopg

    base = os.environ.get("DDESK_TEST_PG")
    if not base:
        raise RuntimeError("DDESK_TEST_BACKEND=postgresql needs DDESK_TEST_PG (see scripts/test.sh)")
    return base, psycopg.connect(base, autocommit=True)


def _with_db(base: str, name: str) -> str:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(base)
    params["dbname"] = name
    return psycopg.conninfo.make_conninfo(**params)


@pytest.fixture(scope="session")
def pg_template():
    """A migrated empty registry on the test server that each test's database is copied from."""
    from db import connection

    base, admin = _pg_admin()
    name = f"ddesk_tpl_{os.getpid()}"
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8'"
                  " LC_CTYPE 'C.UTF-8'")
    connection.connect(_with_db(base, name)).close()
    yield base, name, admin
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def make_target(tmp_path, request):
    """``make_target(name)`` → a new, empty registry location on the backend under test: a file in
    the test's folder, or a database of its own on the test server (dropped afterwards)."""
    made: list[str] = []
    server = request.getfixturevalue("pg_template") if ON_SERVER else None

    def make(name: str = "registry", empty: bool = False):
        if server is None:
            return tmp_path / f"{name}.db"
        base, template, admin = server
        db = f"ddesk_t_{uuid.uuid4().hex[:12]}"
        if empty:
            admin.execute(f"CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8'"
                          " LC_CTYPE 'C.UTF-8'")
        else:
            admin.execute(f"CREATE DATABASE {db} TEMPLATE {template}")
        made.append(db)
        return _with_db(base, db)

    yield make
    if server is not None:
        for db in made:
            server[2].execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


@pytest.fixture
def db_target(make_target):
    """Where the test's registry lives (see ``make_target``)."""
    return make_target("registry")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Tests make many accounts; a lower scrypt cost keeps them quick (the hash records its cost)."""
    from desktop.services import users

    monkeypatch.setattr(users, "_N", 2**10)


@pytest.fixture
def registry(db_target):
    """A fresh registry (a file in a temp folder, or a database on the test server), with today
    pinned to 2026-11-20."""
    from desktop.services import agency
    from desktop.services.base import Registry

    reg = Registry.open(db_target, today=lambda: TODAY)
    agency.ensure_defaults(reg)
    yield reg
    reg.close()


@pytest.fixture
def staff(registry):
    """One user per role; division users in 规划处 and 社会处."""
    from desktop.services import agency, users
    from desktop.services.base import SYSTEM

    admin_id = users.create_user(registry, None, "admin", "管理员", "admin2026", ["admin"]).id
    admin = users.actor_for(registry, admin_id)
    planning = agency.add_division(registry, admin, "规划处").id
    social = agency.add_division(registry, admin, "社会处").id
    out = {"admin": admin, "system": SYSTEM, "planning_id": planning, "social_id": social}
    for login, roles, division in [("clerk", ["clerk"], None), ("head", ["office_head"], None),
                                   ("planner", ["division"], planning), ("social", ["division"], social),
                                   ("reviewer", ["reviewer"], None), ("leader", ["leader"], None)]:
        uid = users.create_user(registry, admin, login, login, "pass1234", roles, division).id
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
    from tests.helpers import person_form, resident_id
    from tests.unit.test_ledger import write_book

    s = staff
    ledger.import_ledger(registry, s["system"], write_book(tmp_path / "old.xlsx", LEDGER))

    def handled(name, applicant_type, received):  # each applicant their own (a person with an ID, art. 29)
        form = person_form(name=name, applicant_type=applicant_type, received_on=received,
                           id_number=resident_id(len(name)) if applicant_type == "自然人" else "")
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
    cases.fire(registry, s["planner"], case_l, "draft", date(2025, 5, 6),
               {"outcome": "disclose", "release_details": "随本答复书提供相关文件"})
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

    for name in ("error", "info", "confirm", "save_path", "open_paths", "bug", "printer"):
        monkeypatch.setattr(Ask, name, refuse(name))
