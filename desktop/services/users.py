"""Accounts: password hashing (scrypt), creating users, signing in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from db.queries import settings as settings_q
from db.queries import users as users_q
from desktop.domain.workflow import ROLE_LABELS, ROLES
from desktop.services.base import (
    Actor,
    Changes,
    PermissionDenied,
    Registry,
    ServiceError,
    ValidationFailed,
    require_role,
)

_N, _R, _P = 2**15, 8, 1
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    """A slow salted hash: ``scrypt$N$r$p$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                              p=int(p), maxmem=64 * 1024 * 1024)
    return hmac.compare_digest(computed, base64.b64decode(digest))


def check_password_strength(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位"
    if password.isdigit() or password.isalpha():
        return "密码应同时包含字母和数字"
    return None


def actor_for(reg: Registry, user_id: int) -> Actor:
    row = users_q.by_id(reg.conn, user_id)
    if row is None:
        raise ServiceError("用户不存在")
    return Actor(row["id"], row["login"], row["name"], frozenset(users_q.roles(reg.conn, row["id"])),
                 row["division_id"])


def create_user(reg: Registry, actor: Actor | None, login: str, name: str, password: str,
                roles: Iterable[str], division_id: int | None = None) -> Changes:
    """Create an account. ``actor`` None is allowed only for the first administrator."""
    roles = list(roles)
    with reg.transaction():
        if actor is None:
            if users_q.count(reg.conn) > 0:
                raise PermissionDenied("已有用户，只有系统管理员可以创建新用户")
        else:
            require_role(actor, "admin", action="创建用户")
        problems = []
        if not login.strip() or len(login) > 40 or not login.strip().isascii():
            problems.append("〔登录名〕应为1至40个英文字母、数字或符号")
        elif users_q.by_login(reg.conn, login):
            problems.append(f"〔登录名〕“{login}”已被使用")
        if not name.strip():
            problems.append("〔姓名〕必填")
        weak = check_password_strength(password)
        if weak:
            problems.append(f"〔密码〕{weak}")
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            problems.append(f"〔角色〕应为{'、'.join(ROLE_LABELS.values())}中的一个或多个")
        if problems:
            raise ValidationFailed(problems)
        user_id = users_q.insert(reg.conn, login.strip(), name.strip(), hash_password(password), division_id,
                                 reg.now())
        users_q.set_roles(reg.conn, user_id, roles)
        settings_q.audit(reg.conn, reg.now(), actor.user_id if actor else None, "create_user",
                         json.dumps({"login": login, "roles": roles}, ensure_ascii=False))
    return Changes(people=True, id=user_id)


def authenticate(reg: Registry, login: str, password: str) -> Actor:
    """Sign in; five wrong passwords lock the account for 15 minutes."""
    row = users_q.by_login(reg.conn, login)
    if row is None or not row["active"]:
        verify_password(password, hash_password("x" * 8))  # same time whether or not the user exists
        raise ServiceError("登录名或密码不正确")
    now = datetime.now()
    if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
        raise ServiceError(f"密码错误次数过多，账户已锁定至{row['locked_until'][11:16]}")
    right = verify_password(password, row["password_hash"])  # slow by design: outside the write lock
    with reg.transaction():
        # Counted on the row as it is now (writers wait for each other here): guesses from several
        # seats at once all count, and a lock set meanwhile by another seat holds.
        fresh = users_q.by_id(reg.conn, row["id"])
        if fresh["locked_until"] and datetime.fromisoformat(fresh["locked_until"]) > now:
            wrong = ServiceError(f"密码错误次数过多，账户已锁定至{fresh['locked_until'][11:16]}")
        elif not right:
            failed = fresh["failed_attempts"] + 1
            locked = None
            if failed >= MAX_FAILED_ATTEMPTS:
                locked = (now + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
                failed = 0
            users_q.record_login_attempt(reg.conn, row["id"], failed, locked)
            wrong = ServiceError("登录名或密码不正确" if locked is None
                                 else f"密码错误{MAX_FAILED_ATTEMPTS}次，账户锁定{LOCK_MINUTES}分钟")
        else:
            if fresh["failed_attempts"] or fresh["locked_until"]:
                users_q.record_login_attempt(reg.conn, row["id"], 0, None)
            wrong = None
    if wrong:
        raise wrong
    return actor_for(reg, row["id"])


def update_user(reg: Registry, actor: Actor, user_id: int, name: str, division_id: int | None,
                roles: Iterable[str], active: bool) -> Changes:
    """Change a user's name, division, roles or active flag (administrator only)."""
    require_role(actor, "admin", action="管理用户")
    roles = list(roles)
    problems = []
    if not name.strip():
        problems.append("〔姓名〕必填")
    if not roles or any(r not in ROLES for r in roles):
        problems.append("〔角色〕至少选择一个角色")
    if user_id == actor.user_id and ("admin" not in roles or not active):
        problems.append("〔角色〕不能取消自己的系统管理员角色或停用自己的账户")
    if problems:
        raise ValidationFailed(problems)
    with reg.transaction():
        before = users_q.by_id(reg.conn, user_id)
        if before is None:
            raise ServiceError("用户不存在")
        old_roles = users_q.roles(reg.conn, user_id)
        users_q.update_profile(reg.conn, user_id, name.strip(), division_id, active)
        users_q.set_roles(reg.conn, user_id, roles)
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "update_user", json.dumps({
            "user": before["login"],
            "before": {"name": before["name"], "division_id": before["division_id"], "roles": old_roles,
                       "active": bool(before["active"])},
            "after": {"name": name.strip(), "division_id": division_id, "roles": roles, "active": active}},
            ensure_ascii=False))
    return Changes(people=True)


def reset_password(reg: Registry, actor: Actor, user_id: int, new_password: str) -> Changes:
    """Administrator sets a new password (and clears a lock)."""
    require_role(actor, "admin", action="重置密码")
    weak = check_password_strength(new_password)
    if weak:
        raise ValidationFailed([f"〔新密码〕{weak}"])
    with reg.transaction():
        row = users_q.by_id(reg.conn, user_id)
        if row is None:
            raise ServiceError("用户不存在")
        users_q.reset_password_hash(reg.conn, user_id, hash_password(new_password))
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "reset_password",
                         json.dumps({"user": row["login"]}, ensure_ascii=False))
    return Changes(people=True)  # a locked account is unlocked


def has_users(reg: Registry) -> bool:
    """Whether any account exists (a new database first asks for an administrator)."""
    return users_q.count(reg.conn) > 0


def list_users(reg: Registry, actor: Actor) -> list[dict]:
    require_role(actor, "admin", action="查看用户")
    return [{**dict(r), "roles": users_q.roles(reg.conn, r["id"])} for r in users_q.all_users(reg.conn)]


def change_password(reg: Registry, actor: Actor, old: str, new: str) -> Changes:
    """A user changes their own password (the old one is required)."""
    row = users_q.by_id(reg.conn, actor.user_id) if actor.user_id else None
    if row is None:
        raise ServiceError("只有登录的用户可以修改密码")
    if not verify_password(old, row["password_hash"]):
        raise ValidationFailed(["〔原密码〕不正确"])
    weak = check_password_strength(new)
    if weak:
        raise ValidationFailed([f"〔新密码〕{weak}"])
    if old == new:
        raise ValidationFailed(["〔新密码〕不能与原密码相同"])
    with reg.transaction():
        users_q.set_password_hash(reg.conn, actor.user_id, hash_password(new))
        settings_q.audit(reg.conn, reg.now(), actor.user_id, "change_password",
                         json.dumps({"user": row["login"]}, ensure_ascii=False))
    return Changes()  # nothing any screen shows
