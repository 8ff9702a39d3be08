"""Setting up an agency: default settings, the first administrator, divisions."""

from __future__ import annotations

import json

from db.queries import settings as settings_q
from db.queries import users as users_q
from desktop.services import users as users_svc
from desktop.services.base import Actor, Registry, ValidationFailed, require_role

DEFAULT_SETTINGS = {
    "agency_name": "某某市民政局",
    "office_name": "政府信息公开工作办公室",
    "case_no_pattern": "{year}-{seq:05d}",
    "doc_no_prefix": "某民公开",
    "reconsideration_body": "某某市人民政府",
    "court": "某某市某某区人民法院",
    "contact_phone": "",
    "address": "",
    "due_soon_days": "3",
}
OFFICE_DIVISION = "政府信息公开工作办公室"


def ensure_defaults(reg: Registry) -> None:
    """Fill in missing settings and the office division (idempotent)."""
    with reg.transaction():
        current = settings_q.get_all(reg.conn)
        for key, value in DEFAULT_SETTINGS.items():
            if key not in current:
                settings_q.put(reg.conn, key, value)
        if not reg.conn.execute("SELECT 1 FROM divisions WHERE is_office = 1").fetchone():
            settings_q.insert_division(reg.conn, OFFICE_DIVISION, is_office=True)


def initialise(reg: Registry, agency_name: str | None, admin_login: str | None,
               admin_password: str | None) -> int | None:
    """``init``: settings, the office division and (on an empty database) the first administrator."""
    ensure_defaults(reg)
    if agency_name:
        with reg.transaction():
            settings_q.put(reg.conn, "agency_name", agency_name.strip())
    if admin_login and users_q.count(reg.conn) == 0:
        if not admin_password:
            raise ValidationFailed(["〔密码〕创建管理员需要密码（--password-file）"])
        office = reg.conn.execute("SELECT id FROM divisions WHERE is_office = 1").fetchone()[0]
        return users_svc.create_user(reg, None, admin_login, "系统管理员", admin_password, ["admin"], office)
    return None


def update_settings(reg: Registry, actor: Actor, changes: dict[str, str]) -> None:
    require_role(actor, "admin", action="修改机关设置")
    unknown = sorted(set(changes) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValidationFailed([f"〔{k}〕不是可设置的项目" for k in unknown])
    with reg.transaction():
        before = settings_q.get_all(reg.conn)
        for key, value in changes.items():
            settings_q.put(reg.conn, key, str(value).strip())
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "update_settings", json.dumps(
            {"before": {k: before.get(k) for k in changes}, "after": changes}, ensure_ascii=False))


def add_division(reg: Registry, actor: Actor, name: str) -> int:
    require_role(actor, "admin", action="管理处室")
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationFailed(["〔处室名称〕应为1至50个字符"])
    with reg.transaction():
        if settings_q.division_by_name(reg.conn, name):
            raise ValidationFailed([f"〔处室名称〕“{name}”已存在"])
        division_id = settings_q.insert_division(reg.conn, name)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "add_division",
                         json.dumps({"name": name}, ensure_ascii=False))
    return division_id
