"""Administration from the command line (issue #21): divisions, users and the agency settings, for
scripts and for offices that set up many PCs. The same services as the window's 系统管理 — the same
checks, the same audit trail — acting as the command line's system user. Passwords come from a file
or standard input, never from an argument (it would stay in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from desktop.domain.workflow import ROLE_LABELS
from desktop.services.base import SYSTEM, Registry, ValidationFailed

EXIT_OK = 0


def division_args(parser) -> None:
    """``division``'s subcommands (desktop.cli adds each command's parser only when it is used)."""
    division = parser.add_subparsers(dest="division_command", metavar="SUBCOMMAND")
    s = division.add_parser("add", help="添加处室")
    s.add_argument("name", metavar="NAME")
    division.add_parser("list", help="列出处室")
    s = division.add_parser("rename", help="处室改名")
    s.add_argument("name", metavar="NAME")
    s.add_argument("new_name", metavar="NEW_NAME")
    s = division.add_parser("deactivate", help="停用处室（已有案件不受影响，不能再分办给它）")
    s.add_argument("name", metavar="NAME")


def user_args(parser) -> None:
    user = parser.add_subparsers(dest="user_command", metavar="SUBCOMMAND")
    roles = "、".join(f"{code}（{label}）" for code, label in ROLE_LABELS.items())
    s = user.add_parser("add", help="添加用户（密码从 --password-file 或标准输入读取）")
    s.add_argument("login", metavar="LOGIN")
    s.add_argument("--name", required=True, help="姓名")
    s.add_argument("--roles", required=True, help=f"角色，逗号分隔：{roles}")
    s.add_argument("--division", help="所在处室名称（承办人必填）")
    s.add_argument("--password-file", type=Path, help="含密码的文件（第一行）；不给则从标准输入读取")
    user.add_parser("list", help="列出用户")
    s = user.add_parser("deactivate", help="停用用户")
    s.add_argument("login", metavar="LOGIN")
    s = user.add_parser("reset-password", help="重置密码（并解除锁定）；新密码从文件或标准输入读取")
    s.add_argument("login", metavar="LOGIN")
    s.add_argument("--password-file", type=Path, help="含新密码的文件（第一行）；不给则从标准输入读取")


def settings_args(parser) -> None:
    settings = parser.add_subparsers(dest="settings_command", metavar="SUBCOMMAND")
    settings.add_parser("show", help="列出全部机关设置")
    s = settings.add_parser("set", help="修改一项机关设置")
    s.add_argument("key", metavar="KEY")
    s.add_argument("value", metavar="VALUE")


def needs_subcommand(parser: argparse.ArgumentParser, args) -> None:
    for command, attr in (("division", "division_command"), ("user", "user_command"),
                          ("settings", "settings_command")):
        if args.command == command and not getattr(args, attr):
            parser.parse_args([command, "--help"])


def run(reg: Registry, args) -> int:
    if args.command == "division":
        return _division(reg, args)
    if args.command == "user":
        return _user(reg, args)
    return _settings(reg, args)


# -- divisions ----------------------------------------------------------------------------------
def _division_id(reg: Registry, name: str) -> int:
    from desktop.services import agency

    found = next((d for d in agency.divisions(reg) if d["name"] == name.strip()), None)
    if found is None:
        raise ValidationFailed([f"〔处室〕没有名为“{name}”的处室（division list 列出全部处室）"])
    return found["id"]


def _division(reg: Registry, args) -> int:
    from desktop.services import agency

    cmd = args.division_command
    if cmd == "add":
        agency.add_division(reg, SYSTEM, args.name)
        print(f"已添加处室：{args.name.strip()}")
    elif cmd == "list":
        for d in agency.divisions(reg):
            marks = [m for m, on in (("信息公开工作机构", d["is_office"]), ("已停用", not d["active"])) if on]
            print(d["name"] + (f"（{'，'.join(marks)}）" if marks else ""))
    elif cmd == "rename":
        division_id = _division_id(reg, args.name)
        active = next(d["active"] for d in agency.divisions(reg) if d["id"] == division_id)
        agency.update_division(reg, SYSTEM, division_id, args.new_name, bool(active))
        print(f"处室“{args.name}”已改名为“{args.new_name.strip()}”")
    elif cmd == "deactivate":
        division_id = _division_id(reg, args.name)
        if division_id == agency.office_division_id(reg):
            raise ValidationFailed([f"〔处室〕“{args.name}”是政府信息公开工作机构本身，不能停用"])
        agency.update_division(reg, SYSTEM, division_id, args.name, False)
        print(f"已停用处室：{args.name}（已有案件不受影响）")
    return EXIT_OK


# -- users --------------------------------------------------------------------------------------
def _password(path: Path | None, what: str) -> str:
    """The first line of ``path``, else of standard input (asked for without echo at a terminal)."""
    if path is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
        password = lines[0].strip() if lines else ""
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"{what}：")
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        password = line.rstrip("\r\n")
    if not password:
        raise ValidationFailed([f"〔{what}〕没有读到密码（用 --password-file 文件的第一行，或从标准输入给出）"])
    return password


def _roles(text: str) -> list[str]:
    by_label = {label: code for code, label in ROLE_LABELS.items()}
    roles, unknown = [], []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code = part if part in ROLE_LABELS else by_label.get(part)
        (roles if code else unknown).append(code or part)
    if unknown:
        raise ValidationFailed([f"〔--roles〕“{u}”不是角色，可选：{'、'.join(ROLE_LABELS)}" for u in unknown])
    return roles


def _user_row(reg: Registry, login: str) -> dict:
    from desktop.services import users

    found = next((u for u in users.list_users(reg, SYSTEM) if u["login"] == login.strip()), None)
    if found is None:
        raise ValidationFailed([f"〔登录名〕没有用户“{login}”（user list 列出全部用户）"])
    return found


def _user(reg: Registry, args) -> int:
    from desktop.services import users

    cmd = args.user_command
    if cmd == "add":
        roles = _roles(args.roles)
        division_id = _division_id(reg, args.division) if args.division else None
        if "division" in roles and division_id is None:
            raise ValidationFailed(["〔--division〕承办人须属于一个处室"])
        password = _password(args.password_file, "密码")
        users.create_user(reg, SYSTEM, args.login, args.name, password, roles, division_id)
        print(f"已添加用户：{args.login.strip()}（{args.name.strip()}，{'、'.join(ROLE_LABELS[r] for r in roles)}）")
    elif cmd == "list":
        names = reg.division_names()
        for u in users.list_users(reg, SYSTEM):
            roles = "、".join(ROLE_LABELS.get(r, r) for r in u["roles"])
            where = names.get(u["division_id"], "") if u["division_id"] else ""
            state = "" if u["active"] else "，已停用"
            print(f"{u['login']}\t{u['name']}\t{roles}" + (f"\t{where}" if where else "") + state)
    elif cmd == "deactivate":
        u = _user_row(reg, args.login)
        users.update_user(reg, SYSTEM, u["id"], u["name"], u["division_id"], u["roles"], False)
        print(f"已停用用户：{u['login']}（{u['name']}）")
    elif cmd == "reset-password":
        u = _user_row(reg, args.login)
        users.reset_password(reg, SYSTEM, u["id"], _password(args.password_file, "新密码"))
        print(f"已重置用户 {u['login']} 的密码（账户已解除锁定）")
    return EXIT_OK


# -- settings -----------------------------------------------------------------------------------
def _settings(reg: Registry, args) -> int:
    from desktop.domain import placeholders
    from desktop.services import agency

    def shown(key: str, value: str) -> str:  # patterns and clauses with the names the window shows
        return placeholders.to_chinese(value) if key in agency.SETTING_NAMES else value

    if args.settings_command == "show":
        values = reg.settings()
        for key, label in agency.SETTING_LABELS.items():
            value = shown(key, values.get(key, "")).replace("\n", "\\n")
            print(f"{key}\t{label}\t{value}")
        return EXIT_OK
    key = args.key.strip()
    if key not in agency.SETTING_LABELS:
        by_label = {label: k for k, label in agency.SETTING_LABELS.items()}
        key = by_label.get(key, key)
    if key not in agency.SETTING_LABELS:
        raise ValidationFailed([f"〔KEY〕“{args.key}”不是可设置的项目（settings show 列出全部项目）"])
    before = reg.settings().get(key, "")
    value = args.value
    if key in agency.SETTING_NAMES and "【" in value:  # written with the names: stored as placeholders
        value = placeholders.from_chinese(value)
    agency.update_settings(reg, SYSTEM, {key: value})
    print(f"{agency.SETTING_LABELS[key]}：“{shown(key, before)}” → “{shown(key, reg.settings().get(key, ''))}”")
    return EXIT_OK
