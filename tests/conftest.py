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
