"""The command line (interfaces.md). Without a subcommand it opens the window.

Exit codes: 0 done; 2 input rejected (nothing changed); 3 annual report failed its checks;
1 any other error. Problems go to stderr, one readable line each.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_REPORT_CHECK = 0, 1, 2, 3
log = logging.getLogger("desktop")


class _Version(argparse.Action):
    """--version, reading the package metadata only when asked (it costs start-up ~50 ms)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from desktop import __version__

        print(f"disclosure-desk {__version__}")  # standard output: scripts read it from there
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: ``--password`` must not quietly become ``--password-file`` (a password
    typed on the command line would be taken for a file name and shown in an error)."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser, with the parser of only the subcommand ``argv`` names: none at all to
    open the window (the whole tree, ``cli_admin``'s included, cost every start 50–70 ms before the window).
    All of them when the overview is asked for (``--help``) or the name is not a subcommand (argparse
    then lists them, exit 2); ``argv`` None: all of them."""
    p = _Parser(prog="disclosure-desk", description="政府信息公开申请办理系统")
    p.add_argument("--db", help="数据库：文件路径，或单位服务器的 PostgreSQL 连接串（postgresql://用户@主机:5432/库名）"
                   "或服务名（service=名称）；默认：环境变量 DISCLOSURE_DESK_DB、本机设置或用户数据目录")
    p.add_argument("--demo", action="store_true", help="在演示数据库上打开窗口")
    p.add_argument("--self-test", action="store_true", help="自检：临时数据库、登记、生成文书、绘制窗口")
    p.add_argument("--version", action=_Version, nargs=0, help="显示版本号")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    named = _command_named(argv) if argv is not None else None
    for name, help_text, add in _COMMANDS:
        if named is None or name == named:
            add(sub.add_parser(name, help=help_text))
    return p


def _command_named(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names; "" when it names none (the window); None when the parser must hold
    them all (the overview asked for, or a name that is not a subcommand)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help", "--"):
            return None
        if arg == "--db":  # its value may look like anything but an option
            i += 2
            continue
        if not arg.startswith("-"):
            return arg if any(arg == name for name, _h, _a in _COMMANDS) else None
        i += 1
    return ""


def _init_args(s) -> None:
    s.add_argument("--agency", help="机关名称")
    s.add_argument("--admin", help="第一个系统管理员的登录名")
    s.add_argument("--password-file", type=Path, help="含管理员密码的文件（第一行）")


def _import_ledger_args(s) -> None:
    s.add_argument("file", type=Path)
    s.add_argument("--dry-run", action="store_true", help="只检查，不导入")
    s.add_argument("--create-divisions", action="store_true",
                   help="台账中有系统里还没有的承办处室时，在同一次导入中先创建它们")
    s.add_argument("--errors", type=Path, metavar="OUT.xlsx",
                   help="有问题时把台账另存到此文件，每个有问题的行加“问题”列，改好后重新导入（不导入）")


def _export_ledger_args(s) -> None:
    s.add_argument("file", type=Path)
    s.add_argument("--year", type=int)


def _calendar_args(parser) -> None:
    cal = parser.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    s = cal.add_parser("import-notice", help="导入国务院办公厅节假日安排通知")
    s.add_argument("file", type=Path)
    s.add_argument("--year", type=int, required=True)
    s = cal.add_parser("show", help="显示某年的工作日安排")
    s.add_argument("--year", type=int, required=True)


def _report_args(parser) -> None:
    report = parser.add_subparsers(dest="report_command", metavar="SUBCOMMAND")
    s = report.add_parser("annual", help="政府信息公开工作年度报告（xlsx / pdf / html）")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--out", type=Path, required=True)


def _letter_args(s) -> None:
    s.add_argument("case_no", metavar="CASE_NO")
    s.add_argument("--kind", required=True, help="receipt, correction, extension, consult_third_party, "
                   "consult_notice, consult_agency, fee_notice, reply, delivery_proof, approval_form")
    s.add_argument("--out", type=Path, required=True)


def _backup_args(s) -> None:
    s.add_argument("--to", type=Path, help="备份目录（默认：数据库旁的 …-backups 目录）")


def _restore_args(s) -> None:
    s.add_argument("backup_file", type=Path, metavar="BACKUP_FILE")


def _verify_args(s) -> None:
    s.add_argument("--against", type=Path, nargs="+", default=[], metavar="FILE",
                   help="另行核对的定稿年度报告（PDF、Excel、网页）或备份文件：其中记录的数据截止位置须仍在审计链中")


def _copy_to_args(s) -> None:
    s.add_argument("target", metavar="TARGET", help="目标：文件路径或 PostgreSQL 连接串")


def _redact_args(s) -> None:
    s.add_argument("file", type=Path, metavar="IN.pdf", help="要公开的PDF文件（或扫描图片 JPG、PNG、TIFF）")
    s.add_argument("--out", type=Path, required=True, metavar="OUT.pdf", help="公开版写到这里")
    s.add_argument("--case", metavar="CASE_NO", help="申请编号：同时遮盖该案件记录的申请人和第三方姓名")
    s.add_argument("--report", type=Path, metavar="FILE.json", help="把每页各类遮盖框写入JSON文件")
    s.add_argument("--credit-codes", action="store_true", help="也遮盖统一社会信用代码")


def _admin_args(command: str):
    def add(s) -> None:
        from desktop import cli_admin  # its roles' names load the domain (≈20 ms): only when asked for

        getattr(cli_admin, f"{command}_args")(s)
    return add


def _bench_args(s) -> None:
    s.add_argument("--quick", action="store_true", help="200,000件案件（5分钟内完成）")
    s.add_argument("--json", type=Path, help="把结果写入JSON文件")
    # SUPPRESS: a --db given before the subcommand is kept (the subparser would reset it to None)
    s.add_argument("--db", default=argparse.SUPPRESS,
                   help="在这个 PostgreSQL 数据库上测（连接串；须为空库或基准测试以前生成的库，生成一次后重复使用）；"
                   "不给则在本机缓存的 SQLite 文件上测")


# The subcommands in the order --help lists them: name, help, what adds its arguments.
_COMMANDS = (
    ("init", "创建并初始化数据库", _init_args),
    ("demo", "在空数据库中生成演示数据", lambda s: None),
    ("import-ledger", "导入Excel台账（全部成功或全部不导入）", _import_ledger_args),
    ("export-ledger", "导出Excel台账（含计算列）", _export_ledger_args),
    ("calendar", "节假日日历", _calendar_args),
    ("report", "年度报告", _report_args),
    ("letter", "出具或取出一件文书（PDF）", _letter_args),
    ("backup", "备份数据库、附件和文书", _backup_args),
    ("restore", "从备份恢复（先检查备份，再替换；当前数据另存一份备份）", _restore_args),
    ("verify", "检查数据库完整性和审计链", _verify_args),
    ("copy-to", "把整个数据库复制到另一个（空的）数据库：文件或 PostgreSQL 服务器", _copy_to_args),
    ("redact", "生成去标识化的公开版（纯图像PDF）：自动遮盖身份证号、电话号码、银行卡号、"
     "电子邮箱、标注的个人信息字段和案件中记录的姓名，检查无误后写出", _redact_args),
    ("division", "处室：添加、列出、改名、停用", _admin_args("division")),
    ("user", "用户：添加、列出、停用、重置密码", _admin_args("user")),
    ("settings", "机关设置：查看、修改", _admin_args("settings")),
    ("bench", "性能基准：各项指标与底层库原始速度之比", _bench_args),
)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.self_test:
        from desktop.selftest import run as self_test

        return self_test()
    if args.command is None:
        from desktop.app import run_window

        return run_window(args.db, demo=args.demo)
    if args.command == "bench":
        from db.connection import is_server
        from desktop.ui.bench import run

        if args.db is not None and not is_server(args.db):
            _err("bench --db 需要 PostgreSQL 连接串（postgresql://… 或 host=… dbname=…）；"
                 "SQLite 的基准测试不带 --db，使用自己生成的文件。")
            return EXIT_REJECTED
        return run(quick=args.quick, json_path=args.json, server=args.db)
    if args.command == "calendar" and not args.calendar_command:
        parser.parse_args(["calendar", "--help"])
    if args.command == "report" and not args.report_command:
        parser.parse_args(["report", "--help"])
    from desktop.cli_admin import needs_subcommand

    needs_subcommand(parser, args)
    from desktop.services.errors import exit_code, user_message

    try:
        return _run(args)
    except Exception as exc:  # one scheme with the window: the user's errors said, bugs logged
        message = user_message(exc, args.db)
        if message is None:
            where = _log_bug(exc)
            _err(f"程序错误：{type(exc).__name__}（详情已记录在 {where}，请联系管理员）")
            return EXIT_ERROR
        for line in message.splitlines():
            _err(line)
        return exit_code(exc)


def _log_bug(exc: BaseException) -> Path:
    """A bug's traceback, into the log file in the data folder (owner-readable), not onto the screen."""
    import os
    import traceback

    from desktop.paths import data_dir

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "disclosure-desk-cli.log"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)) + "\n")
    if os.name == "posix":
        path.chmod(0o600)
    return path


def _open(args):
    from desktop.paths import default_target
    from desktop.services import agency
    from desktop.services.base import Registry

    reg = Registry.open(args.db or default_target())
    agency.ensure_defaults(reg)
    return reg


def _run(args) -> int:
    from desktop.services.base import SYSTEM

    if args.command == "redact":
        return _redact(args)
    if args.command == "restore":
        return _restore(args)
    if args.command == "copy-to":
        return _copy_to(args)
    reg = _open(args)
    try:
        cmd = args.command
        if cmd == "init":
            return _init(reg, args)
        if cmd in ("division", "user", "settings"):
            from desktop import cli_admin

            return cli_admin.run(reg, args)
        if cmd == "demo":
            return _demo(reg)
        if cmd == "import-ledger":
            from desktop.services import ledger

            result = ledger.import_ledger(reg, SYSTEM, args.file, dry_run=args.dry_run, errors_to=args.errors,
                                          create_divisions=args.create_divisions)
            if result.new_divisions:
                names = "、".join(result.new_divisions)
                print(f"{'将创建' if result.dry_run else '已创建'}处室：{names}")
            if result.dry_run:
                print(f"检查通过：{result.rows}行，可以导入（未写入数据库）")
            else:
                print(f"已导入{result.rows}件：{result.case_nos[0]} … {result.case_nos[-1]}")
            return EXIT_OK
        if cmd == "export-ledger":
            from desktop.services import ledger

            _check_out(args.file, "FILE")
            count = ledger.export_ledger(reg, SYSTEM, args.file, year=args.year)
            print(f"已导出{count}件到 {args.file}")
            _note_calendar(reg, _deadline_years(reg))  # the 答复期限 column counts on it
            return EXIT_OK
        if cmd == "calendar":
            return _calendar(reg, args)
        if cmd == "verify":
            return _verify(reg, args.against)
        if cmd == "letter":
            return _letter(reg, args)
        if cmd == "report":
            return _report(reg, args)
        if cmd == "backup":
            from desktop.services import backup

            info = backup.create(reg, args.to)
            print(f"已备份：{info.path}（{info.cases}件案件，{info.files}个文件）")
            return EXIT_OK
        raise AssertionError(cmd)
    finally:
        reg.close()


def _init(reg, args) -> int:
    from desktop.services import agency, users
    from desktop.services.base import SYSTEM

    password = None
    if args.password_file:
        lines = args.password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0].strip() if lines else ""
    name = args.agency.strip() if args.agency else None
    current = reg.settings().get("agency_name", "")
    renaming = bool(name) and users.has_users(reg) and name != current
    created = agency.initialise(reg, None if renaming else name, args.admin, password)
    if renaming:  # an existing registry: said, and recorded in the audit trail like the window's change
        agency.update_settings(reg, SYSTEM, {"agency_name": name})
        _err(f"注意：这是已在使用的数据库，机关名称已由“{current}”改为“{name}”（已记入管理操作记录）")
    print(f"数据库已就绪：{reg.describe()}")
    if created:
        print(f"已创建系统管理员：{args.admin}")
    return EXIT_OK


def _demo(reg) -> int:
    from desktop.services import demo, stats

    logins = demo.fill(reg)
    count = stats.case_count(reg)
    print(f"演示数据已生成：{count}件案件，数据库 {reg.describe()}")
    print("演示账号（登录名 / 密码 / 角色）：")
    from desktop.domain.workflow import ROLE_LABELS

    for d in logins:
        print(f"  {d.login:<10} {d.password:<12} {d.name}（{'、'.join(ROLE_LABELS[r] for r in d.roles)}）")
    return EXIT_OK


def _calendar(reg, args) -> int:
    from desktop.services import calendar_admin
    from desktop.services.base import SYSTEM

    if args.calendar_command == "import-notice":
        text = calendar_admin.read_notice_file(args.file)
        notice = calendar_admin.preview_notice(text, args.year)
        calendar_admin.import_notice(reg, SYSTEM, text, args.year)
        print(f"{args.year}年节假日安排已导入：")
        for h in notice.holidays:
            off = "、".join(f"{d.month}月{d.day}日" for d in h.days_off)
            work = "、".join(f"{d.month}月{d.day}日" for d in h.workdays)
            print(f"  {h.name}：放假 {off}" + (f"；上班 {work}" if work else ""))
        return EXIT_OK
    view = calendar_admin.year_view(reg, args.year)
    print(f"{view.year}年工作日安排（共{view.workday_count}个工作日）")
    _note_calendar(reg, [view.year])
    print("工作日放假：" + ("、".join(d.isoformat() for d in view.days_off_on_weekdays) or "无"))
    print("周末调休上班：" + ("、".join(d.isoformat() for d in view.working_weekend_days) or "无"))
    return EXIT_OK


def _letter(reg, args) -> int:
    """An issued letter is written out as stored; one not yet issued is issued now (numbered, kept)."""
    import shutil

    from desktop.services import cases, letters
    from desktop.services.base import SYSTEM, ValidationFailed

    if args.kind not in letters.KINDS:
        raise ValidationFailed([f"〔--kind〕没有“{args.kind}”这种文书，可选：{'、'.join(letters.KINDS)}"])
    _check_out(args.out, "--out")
    case_id = cases.case_id_by_number(reg, args.case_no)
    stored = letters.latest(reg, case_id, args.kind)
    if stored is not None and args.kind != "approval_form":
        source, number = letters.verified_file(reg, stored), stored["doc_no"]
        note = f"已出具的{letters.KINDS[args.kind].title}（第{stored['version']}版）"
    else:
        issued = letters.issue(reg, SYSTEM, case_id, args.kind)
        source, number, note = issued.path, issued.doc_no, f"新出具{letters.KINDS[args.kind].title}"
    shutil.copyfile(source, args.out)
    print(f"{note}{' ' + number if number else ''} → {args.out}")
    facts = cases.facts_of(reg, case_id)  # the dates a letter states count on the calendar
    _note_calendar(reg, range(facts.received_on.year if facts.received_on else reg.today().year,
                              max(_deadline_years(reg)) + 1))
    return EXIT_OK


def _report(reg, args) -> int:
    """The annual report, with its integrity checks on stdout (the report itself does not print them);
    a draft or a year not yet over is a warning on stderr (exit 0); exit 3 (file still written, marked
    as failing) when a check fails."""
    from desktop.services import annual, cases
    from desktop.services.base import ValidationFailed

    _check_out(args.out, "--out")
    first, this_year = cases.first_year(reg), reg.today().year
    if args.year > this_year:
        raise ValidationFailed([f"〔--year〕{args.year}年还没有到来（今年是{this_year}年）"])
    if first is None or args.year < first:
        since = f"最早的案件收到于{first}年" if first else "登记簿中还没有案件"
        raise ValidationFailed([f"〔--year〕{args.year}年没有可统计的案件（{since}）"])
    _note_calendar(reg, [args.year])
    report = annual.export(reg, args.year, args.out)
    p3 = report.part3
    print(f"{args.year}年度报告已写入 {args.out}：新收{p3['一']['总计']}件，上年结转{p3['二']['总计']}件，"
          f"办结{p3['三（七）']['总计']}件，结转下年{p3['四']['总计']}件")
    print("勾稽关系检查：" + "；".join(f"{c.name}：{'通过' if c.passed else '未通过'}" for c in report.checks))
    state = annual.state(reg, args.year, report)
    if state.draft:
        _err(f"警告：报告为草稿，每页已标明“草稿”，不能发布。尚未完成：{'；'.join(state.missing)}")
    if state.as_of:
        _err(f"警告：{args.year}年度尚未结束，报告已标明“{state.unfinished}”")
    if not report.passed:
        for check in report.checks:
            if not check.passed:
                _err(f"勾稽关系检查未通过：{check.name}（{check.detail}）")
        return EXIT_REPORT_CHECK
    return EXIT_OK


def _check_out(path: Path, option: str) -> None:
    """An output file goes into a folder that exists: a mistyped folder is said, not silently made."""
    from desktop.services.base import ValidationFailed

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationFailed([f"〔{option}〕文件夹不存在：{folder}（请先创建，或检查路径是否写错）"])


def _deadline_years(reg) -> list[int]:
    """The years today's deadlines reach into (a reply limit runs at most 40 working days ahead)."""
    from datetime import timedelta

    today = reg.today()
    return sorted({today.year, (today + timedelta(days=70)).year})


def _note_calendar(reg, years) -> None:
    """Say on standard error when a year has no official holiday data (Monday–Friday is assumed)."""
    cal = reg.calendar()
    for year in sorted(set(years)):
        if not cal.has_official_data(year):
            _err(f"注意：{year}年没有官方节假日数据，按周一至周五计算工作日；"
                 f"请用 calendar import-notice --year {year} 导入国务院办公厅通知")


def _restore(args) -> int:
    from db.connection import describe
    from desktop.paths import default_target
    from desktop.services import backup

    target = args.db or default_target()
    cases, files = backup.check(args.backup_file)
    safety = backup.restore(target, args.backup_file)
    print(f"已从 {args.backup_file} 恢复（{cases}件案件，{files}个文件）到 {describe(target)}")
    if safety:
        print(f"恢复前的数据已另存为：{safety}")
    return EXIT_OK


def _copy_to(args) -> int:
    """The whole registry into another, empty one (a file or a server); exit 2 if it is not empty."""
    from db import copy as copy_db
    from db.connection import describe
    from desktop.paths import default_target
    from desktop.services import annual, backup
    from desktop.services.base import Registry, ServiceError

    source = Registry.open(args.db or default_target())
    try:
        target = Registry.open(args.target)
        try:
            try:
                copied = copy_db.copy_registry(source.conn, target.conn)
            except (copy_db.TargetNotEmpty, copy_db.VersionMismatch) as exc:
                raise ServiceError(str(exc)) from None
            problems = backup.integrity_problems(target)
            if problems:
                for p in problems:
                    _err(p)
                return EXIT_ERROR
            different = annual.years_that_differ(source, target)
            if different:
                _err(f"复制后以下年度的年度报告与原数据库不一致：{'、'.join(map(str, different))}")
                return EXIT_ERROR
        finally:
            target.close()
    finally:
        source.close()
    print(f"已复制到 {describe(args.target)}：{copied['cases']}件案件，{copied['case_events']}条事件（审计链完整），"
          f"{copied['file_contents']}个文书和附件文件；各年度报告与原数据库一致")
    return EXIT_OK


def _redact(args) -> int:
    """The release version of a document with the automatic proposals (and, with --case, the names
    recorded on the case) painted out; exit 2 when the input is unusable or the check finds anything
    still readable (nothing written). The registry is opened only for --case."""
    from desktop.documents import redaction

    if args.out.resolve() == args.file.resolve():
        _err(f"〔--out〕公开版不能覆盖原文件：{args.out}")
        return EXIT_REJECTED
    names: list[str] = []
    if args.case:
        from desktop.services import cases

        reg = _open(args)
        try:
            case_id = cases.case_id_by_number(reg, args.case)
            names = redaction.names_from_case(cases.get_case(reg, case_id), cases.event_rows(reg, case_id))
        finally:
            reg.close()
    try:
        with redaction.open_source(args.file) as source:
            boxes = redaction.propose_all(source, names, credit_codes=args.credit_codes)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            try:
                result = redaction.release(source, boxes, args.out)
            except redaction.LeakFound as exc:
                if args.report:
                    _write_redaction_report(args, source.page_count, boxes, None, exc.leaks)
                for leak in exc.leaks:
                    _err(leak.message())
                _err(f"公开版未生成：以上内容未能去除（{args.out}）")
                return EXIT_REJECTED
    except redaction.RedactionInputError as exc:
        _err(str(exc))
        return EXIT_REJECTED
    except redaction.OcrUnavailable as exc:
        _err(str(exc))
        return EXIT_ERROR
    if args.report:
        _write_redaction_report(args, result.pages, boxes, result, [])
    totals: dict[str, int] = {}
    for b in boxes:
        label = redaction.CATEGORIES.get(b.category, b.category)
        totals[label] = totals.get(label, 0) + 1
    summary = "、".join(f"{k}{v}处" for k, v in totals.items()) or "没有发现需要遮盖的内容"
    print(f"公开版已生成 {args.out}：{result.pages}页，遮盖{len(boxes)}处（{summary}）；"
          f"检查通过，文本和文件内容中读不出被遮盖的信息")
    return EXIT_OK


def _write_redaction_report(args, page_count: int, boxes, result, leaks) -> None:
    """The boxes per page and category (values only as a masked hint), and any problems."""
    import json

    from desktop.documents import redaction

    pages: dict[int, dict[str, list]] = {}
    for b in boxes:
        pages.setdefault(b.page, {}).setdefault(redaction.CATEGORIES.get(b.category, b.category), []).append({
            "kind": redaction.KIND_LABELS.get(b.kind, b.kind), "source": redaction.SOURCES.get(b.source, b.source),
            "hint": redaction.masked(b.value), "x0": round(b.x0, 1), "y0": round(b.y0, 1),
            "x1": round(b.x1, 1), "y1": round(b.y1, 1)})
    report = {
        "input": str(args.file), "output": str(args.out) if result else None, "released": result is not None,
        "case": args.case, "page_count": page_count,
        "sha256": result.sha256 if result else None, "size": result.size if result else None,
        "units": "PDF点（1/72英寸），原点在页面左上角",
        "pages": [{"page": p + 1, "categories": {c: {"count": len(v), "boxes": v} for c, v in cats.items()}}
                  for p, cats in sorted(pages.items())],
        "problems": [leak.message() for leak in leaks],
    }
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def _verify(reg, documents=()) -> int:
    from desktop.services import backup, stats

    problems = backup.integrity_problems(reg, documents)
    if problems:
        for p in problems:
            _err(p)
        return EXIT_ERROR
    events = stats.event_count(reg)
    print(f"检查通过：数据库完整，{events}条事件记录的审计链完整")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())

