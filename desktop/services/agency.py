"""Setting up an agency: default settings, the first administrator, divisions."""

from __future__ import annotations

import json
from pathlib import Path

from db.queries import settings as settings_q
from db.queries import users as users_q
from desktop.domain import placeholders
from desktop.services import users as users_svc
from desktop.services.base import Actor, Changes, Registry, ValidationFailed, require_role

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
    "idle_lock_minutes": "15",
    "fee_payment_channel": "本机关指定的非税收入缴款渠道（详见随附的缴款书）",
    "seal_image": "",
    "doc_no_reply": "{prefix}〔{year}〕{seq}号",
    "doc_no_receipt": "{prefix}收〔{year}〕{seq}号",
    "doc_no_correction": "{prefix}补〔{year}〕{seq}号",
    "doc_no_extension": "{prefix}延〔{year}〕{seq}号",
    "doc_no_consult": "{prefix}征〔{year}〕{seq}号",
    "doc_no_fee_notice": "{prefix}费〔{year}〕{seq}号",
    "remedy_general": "如对本答复不服，可以自收到本答复之日起60日内向{reconsideration_body}申请行政复议，"
                      "或者自收到本答复之日起6个月内向{court}提起行政诉讼。",
    "remedy_refusal": "如对本答复不服，可以自收到本答复之日起60日内向{reconsideration_body}申请行政复议。"
                      "根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，对不予公开的决定应当先申请行政复议；"
                      "对行政复议决定不服的，可以再依法向人民法院提起行政诉讼。",
    "remedy_partial": "如对本答复中不予公开的部分不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，"
                      "应当先自收到本答复之日起60日内向{reconsideration_body}申请行政复议，对行政复议决定不服的，"
                      "可以再依法向人民法院提起行政诉讼；如对本答复的其他内容不服，可以自收到本答复之日起60日内向"
                      "{reconsideration_body}申请行政复议，或者自收到本答复之日起6个月内向{court}提起行政诉讼。",
}
OFFICE_DIVISION = "政府信息公开工作办公室"


# Defaults of earlier versions that nobody edited follow the program: document numbers are written
# 津民公开〔2026〕12号 (GB/T 9704-2012 7.2.4), no longer 津民公开〔2026〕第12号. Only the patterns that
# changed: doc_no_prefix's default is its old one, and counting it "old" rewrote it at every start (a
# transaction, ≈10–100 ms before the login dialog, and a change the other seats saw and refreshed for).
OLD_DEFAULTS = {key: old for key, value in DEFAULT_SETTINGS.items() if key.startswith("doc_no_")
                and (old := value.replace("〕{seq}号", "〕第{seq}号")) != value}


def _stale(current: dict[str, str]) -> dict[str, str]:
    """The settings to write: missing ones, and old defaults never edited."""
    out = {k: v for k, v in DEFAULT_SETTINGS.items() if k not in current}
    out.update({k: DEFAULT_SETTINGS[k] for k, old in OLD_DEFAULTS.items() if current.get(k) == old})
    return out


def ensure_defaults(reg: Registry) -> None:
    """Fill in missing settings and the office division (idempotent; writes only when something is
    missing, so opening a registry does not disturb the other seats)."""
    if not _stale(settings_q.get_all(reg.conn)) and settings_q.office_division_id(reg.conn) is not None:
        return
    with reg.transaction():
        for key, value in _stale(settings_q.get_all(reg.conn)).items():
            settings_q.put(reg.conn, key, value)
        if settings_q.office_division_id(reg.conn) is None:
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
        return users_svc.create_user(reg, None, admin_login, "系统管理员", admin_password, ["admin"],
                                     settings_q.office_division_id(reg.conn)).id
    return None


def update_settings(reg: Registry, actor: Actor, changes: dict[str, str]) -> Changes:
    require_role(actor, "admin", action="修改机关设置")
    unknown = sorted(set(changes) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValidationFailed([f"〔{k}〕不是可设置的项目" for k in unknown])
    problems = [f"〔{SETTING_LABELS[k]}〕{m}" for k, v in changes.items() if (m := check_setting(k, str(v)))]
    if problems:
        raise ValidationFailed(problems)
    with reg.transaction():
        before = settings_q.get_all(reg.conn)
        for key, value in changes.items():
            settings_q.put(reg.conn, key, str(value).strip())
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "update_settings", json.dumps(
            {"before": {k: before.get(k) for k in changes}, "after": changes}, ensure_ascii=False))
    return Changes(settings=True)


def divisions(reg: Registry, active_only: bool = False) -> list:
    """The divisions, the office first (for choosing a lead division, filtering, administration)."""
    return settings_q.divisions(reg.conn, active_only)


def office_division_id(reg: Registry) -> int | None:
    """The information-disclosure office's own division."""
    return settings_q.office_division_id(reg.conn)


def add_division(reg: Registry, actor: Actor, name: str) -> Changes:
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
    return Changes(people=True, id=division_id)


def update_division(reg: Registry, actor: Actor, division_id: int, name: str, active: bool) -> Changes:
    require_role(actor, "admin", action="管理处室")
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationFailed(["〔处室名称〕应为1至50个字符"])
    with reg.transaction():
        other = settings_q.division_by_name(reg.conn, name)
        if other and other["id"] != division_id:
            raise ValidationFailed([f"〔处室名称〕“{name}”已存在"])
        before = settings_q.division_name_and_active(reg.conn, division_id)
        settings_q.update_division(reg.conn, division_id, name, active)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "update_division", json.dumps(
            {"before": dict(before) if before else None, "after": {"name": name, "active": active}},
            ensure_ascii=False))
    return Changes(people=True)


SETTING_LABELS = {
    "agency_name": "机关名称",
    "office_name": "政府信息公开工作机构",
    "case_no_pattern": "申请编号格式",
    "doc_no_prefix": "文书编号机关代字（如 津民公开）",
    "reconsideration_body": "行政复议机关",
    "court": "管辖法院",
    "contact_phone": "咨询电话",
    "address": "机关地址",
    "due_soon_days": "即将到期提醒（工作日）",
    "idle_lock_minutes": "无操作自动锁屏（分钟，0为不锁屏）",
    "fee_payment_channel": "信息处理费缴纳渠道",
    "seal_image": "印章图片（可选）",
    "doc_no_reply": "答复书文号格式",
    "doc_no_receipt": "登记回执文号格式",
    "doc_no_correction": "补正告知书文号格式",
    "doc_no_extension": "延期告知书文号格式",
    "doc_no_consult": "征求意见类文书文号格式",
    "doc_no_fee_notice": "收费通知书文号格式",
    "remedy_general": "救济告知（一般）",
    "remedy_refusal": "救济告知（不予公开，复议前置）",
    "remedy_partial": "救济告知（部分公开）",
}
# Settings that are patterns or clauses with names filled in (stored as format strings, shown and
# typed with the names of domain/placeholders.py): the names each may use.
SETTING_NAMES: dict[str, tuple[str, ...]] = {
    "case_no_pattern": placeholders.CASE_NO_NAMES,
    **{k: placeholders.DOC_NO_NAMES for k in DEFAULT_SETTINGS if k.startswith("doc_no_") and k != "doc_no_prefix"},
    **{k: placeholders.REMEDY_NAMES for k in DEFAULT_SETTINGS if k.startswith("remedy_")},
}
LONG_SETTINGS = ("fee_payment_channel", "remedy_general", "remedy_refusal", "remedy_partial")  # written in paragraphs


def _names(keys) -> str:
    return "、".join(placeholders.token(k) for k in keys)


def check_setting(key: str, value: str) -> str | None:
    """What is wrong with a setting's stored value (None when fine), in the names the window shows."""
    value = value.strip()
    if key in ("agency_name", "office_name", "case_no_pattern") and not value:
        return "必填"
    if key == "case_no_pattern":
        try:
            sample = value.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            return f"格式错误：只能插入{_names(placeholders.CASE_NO_NAMES)}"
        if "{seq" not in value or sample == value.format(year=2026, seq=2):
            return f"必须包含{placeholders.token('seq')}"
    if key == "seal_image" and value:
        if Path(value).suffix.lower() not in (".png", ".jpg", ".jpeg"):
            return "应为PNG或JPG图片"
        if not Path(value).is_file():
            return f"找不到图片文件：{value}"
    if key == "due_soon_days" and not (value.isdigit() and 1 <= int(value) <= 20):
        return "应为1至20的整数"
    if key == "idle_lock_minutes" and not (value.isdigit() and 0 <= int(value) <= 240):
        return "应为0至240的整数"
    if key.startswith("doc_no_") and key != "doc_no_prefix":
        try:
            sample = value.format(prefix="某", year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            return f"格式错误：只能插入{_names(placeholders.DOC_NO_NAMES)}"
        if sample == value.format(prefix="某", year=2026, seq=2):
            return f"必须包含{placeholders.token('seq')}"
    if key.startswith("remedy_"):
        try:
            value.format(reconsideration_body="甲", court="乙")
        except (KeyError, IndexError, ValueError):
            return f"格式错误：只能插入{_names(placeholders.REMEDY_NAMES)}"
        if "{reconsideration_body}" not in value:
            return f"必须写明行政复议机关{placeholders.token('reconsideration_body')}"
        return None if len(value) <= 1000 else "过长（最多1000个字符）"
    if len(value) > 200:
        return "过长（最多200个字符）"
    return None


def setting_example(key: str, value: str, settings: dict[str, str]) -> str | None:
    """How a pattern or clause reads once filled in, with this agency's settings (None when it has
    nothing to fill, or cannot be filled)."""
    if key not in SETTING_NAMES or check_setting(key, value):
        return None
    return value.strip().format(year=2026, seq=12, prefix=settings.get("doc_no_prefix", ""),
                                reconsideration_body=settings.get("reconsideration_body", ""),
                                court=settings.get("court", ""))
