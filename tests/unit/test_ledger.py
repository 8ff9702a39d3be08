from datetime import date, datetime

import openpyxl
import pytest

from desktop.documents.ledger_xlsx import COMPUTED_COLUMNS, INPUT_COLUMNS, LedgerFileError
from desktop.services import agency, ledger
from desktop.services.errors import ServiceError
from desktop.services.ledger import LedgerRejected

GOOD_ROWS = [
    # a case still open, received before National Day
    {"申请编号": "L-001", "收到日期": "2026-11-02", "申请方式": "当面", "申请人类型": "自然人",
     "申请人": "王喆", "证件类型": "居民身份证", "证件号码": "11010519491231002X", "联系电话": "13812345678",
     "申请内容": "养老机构补贴发放明细", "承办处室": "规划处"},
    # finished, with correction, pause, extension; Excel date cells
    {"申请编号": "L-002", "收到日期": datetime(2026, 3, 2), "申请方式": "邮寄", "申请人类型": "商业企业",
     "申请人": "天津宏远建设工程有限公司", "证件类型": "统一社会信用代码", "证件号码": "91350100M000100Y43",
     "申请内容": "某项目规划许可材料", "承办处室": "规划处", "补正告知日期": datetime(2026, 3, 5),
     "补正收到日期": "2026-03-20", "延期天数": 10, "暂停开始日期": "2026-03-25", "暂停结束日期": "2026-04-10",
     "办理结果": "部分公开", "答复日期": "2026-05-20", "备注": "台账迁移"},
    # abandoned after a correction notice (outcome given by code)
    {"收到日期": "2025-12-29", "申请方式": "网络", "申请人类型": "自然人", "申请人": "李堃",
     "申请内容": "内容不明", "补正告知日期": "2025-12-30", "办理结果": "other_no_correction",
     "答复日期": "2026-02-02"},
]


def write_book(path, rows, headers=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = headers or list(INPUT_COLUMNS)
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


@pytest.fixture
def divisions(registry, staff):
    return staff


def read_back(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_round_trip_import_export_keeps_the_facts(registry, divisions, tmp_path):
    src = write_book(tmp_path / "in.xlsx", GOOD_ROWS)
    result = ledger.import_ledger(registry, divisions["system"], src)
    assert result.rows == 3 and result.case_nos[:2] == ["L-001", "L-002"]
    assert result.case_nos[2] == "2025-00001"
    out = tmp_path / "out.xlsx"
    assert ledger.export_ledger(registry, divisions["system"], out) == 3
    headers, rows = read_back(out)
    assert headers == list(INPUT_COLUMNS + COMPUTED_COLUMNS)
    by_no = {r["申请编号"]: r for r in rows}
    open_case, done, abandoned = by_no["L-001"], by_no["L-002"], by_no["2025-00001"]
    assert open_case["收到日期"].date() == date(2026, 11, 2)
    assert open_case["答复期限"].date() == date(2026, 11, 30)
    assert open_case["剩余工作日"] == 6  # from 2026-11-20
    assert open_case["办理状态"] == "待签收" and open_case["是否超期"] == "否" and open_case["年报统计行"] is None
    assert done["补正告知日期"].date() == date(2026, 3, 5) and done["补正收到日期"].date() == date(2026, 3, 20)
    assert done["延期天数"] == 10 and done["暂停结束日期"].date() == date(2026, 4, 10)
    assert done["办理结果"] == "部分公开" and done["年报统计行"] == "三（二）" and done["办理状态"] == "已办结"
    assert done["剩余工作日"] is None and done["备注"] == "台账迁移"
    # restart 03-20; 03-23..25 count, 03-26..04-10 paused, then 17 more → 05-08;
    # +10 extension from there: 05-09 (a working Saturday), 05-11..15, 05-18..21 → 05-21
    assert done["答复期限"].date() == date(2026, 5, 21) and done["是否超期"] == "否"
    assert abandoned["办理结果"] == "其他处理：逾期不补正" and abandoned["年报统计行"] == "三（六）1"
    assert abandoned["答复期限"] is None and abandoned["办理状态"] == "已办结"

    # re-import the export into a fresh database: the same facts come back
    from desktop.services.base import Registry
    other = Registry.open(tmp_path / "other.db", today=registry.today)
    agency.ensure_defaults(other)
    other.conn.execute("INSERT INTO divisions (name) VALUES ('规划处')")
    ledger.import_ledger(other, divisions["system"], out)
    out2 = tmp_path / "out2.xlsx"
    ledger.export_ledger(other, divisions["system"], out2)
    assert read_back(out2)[1] == rows
    other.close()


BAD = [
    ({"收到日期": "2026-13-01"}, "第2行 〔收到日期〕 “2026-13-01”不是有效日期"),
    ({"收到日期": "2026-12-01"}, "第2行 〔收到日期〕 不能晚于今天（2026-11-20）"),
    ({"申请方式": "信鸽"}, "第2行 〔申请方式〕 应为当面、邮寄、平常信函、网络、传真、其他之一"),
    ({"申请人": ""}, "第2行 〔申请人〕 必填"),
    ({"证件号码": "110105194912310021"}, "第2行 〔证件号码〕 校验位错误（应为X），请核对号码"),
    # a division the registry lacks is named once for the whole ledger, with the way out (#21)
    ({"承办处室": "火星处"}, "第1行 〔承办处室〕 台账中的1个处室在系统中还没有：“火星处”。请先添加（系统管理或 division add），"
                        "或导入时加 --create-divisions 一并创建"),
    ({"延期天数": 25}, "第2行 〔延期天数〕 25不在1至20之间"),
    ({"延期天数": "十天"}, "第2行 〔延期天数〕 “十天”不是整数（应为1至20）"),
    ({"办理结果": "已办"}, "第2行 〔办理结果〕 “已办”不是办理结果目录中的名称或代码"),
    ({"办理结果": "予以公开"}, "第2行 〔答复日期〕 填写了办理结果时必填"),
    ({"答复日期": "2026-11-10"}, "第2行 〔办理结果〕 填写了答复日期，但没有办理结果"),
    ({"补正收到日期": "2026-11-10"}, "第2行 〔补正收到日期〕 填写了补正收到日期，但没有补正告知日期"),
    ({"暂停开始日期": "2026-11-01"}, "第2行 〔暂停开始日期〕 2026-11-01早于收到日期2026-11-02"),
    ({"申请内容": "x" * 6000}, "第2行 〔申请内容〕 过长（6000个字符，最多5000个）"),
    ({"申请人类型": "个人"}, "第2行 〔申请人类型〕 应为自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他之一"),
    ({"申请编号": "L-001"}, "第2行 〔申请编号〕 “L-001”已在系统中存在"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_each_bad_row_is_named_and_nothing_is_written(registry, divisions, tmp_path, change, message):
    ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "first.xlsx", GOOD_ROWS[:1]))
    before = [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("cases", "case_events", "applicants")]
    row = {**GOOD_ROWS[0], "申请编号": "NEW-1", **change}
    src = write_book(tmp_path / "bad.xlsx", [row, {**GOOD_ROWS[0], "申请编号": "NEW-2"}])
    with pytest.raises(LedgerRejected) as err:
        ledger.import_ledger(registry, divisions["system"], src)
    assert message in err.value.problems
    after = [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("cases", "case_events", "applicants")]
    assert after == before


def test_all_problems_of_many_rows_are_reported_in_row_order(registry, divisions, tmp_path):
    rows = [{**GOOD_ROWS[0], "申请编号": f"N{i}"} for i in range(6)]
    rows[1]["申请人"] = ""
    rows[4]["收到日期"] = "昨天"
    rows[5]["申请编号"] = "N0"
    with pytest.raises(LedgerRejected) as err:
        ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "b.xlsx", rows))
    assert err.value.problems == ["第3行 〔申请人〕 必填", "第6行 〔收到日期〕 “昨天”不是日期（应为YYYY-MM-DD）",
                                  "第7行 〔申请编号〕 “N0”与第2行重复"]


def test_missing_columns_are_named(registry, divisions, tmp_path):
    src = write_book(tmp_path / "cols.xlsx", [{"申请人": "王喆"}], headers=["申请人", "申请内容"])
    with pytest.raises(LedgerRejected) as err:
        ledger.import_ledger(registry, divisions["system"], src)
    assert err.value.problems == ["第1行 〔收到日期〕 缺少此列", "第1行 〔申请方式〕 缺少此列", "第1行 〔申请人类型〕 缺少此列"]


def test_column_order_is_free_and_dry_run_writes_nothing(registry, divisions, tmp_path):
    headers = list(reversed(INPUT_COLUMNS))
    src = write_book(tmp_path / "rev.xlsx", GOOD_ROWS, headers=headers)
    result = ledger.import_ledger(registry, divisions["system"], src, dry_run=True)
    assert result.rows == 3 and result.dry_run
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    ledger.import_ledger(registry, divisions["system"], src)
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 3


def test_a_file_that_is_not_a_workbook(registry, divisions, tmp_path):
    fake = tmp_path / "notes.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    with pytest.raises(LedgerFileError, match="不是有效的Excel工作簿"):
        ledger.import_ledger(registry, divisions["system"], fake)


# -- the export at scale: streamed in batches, in the list's order, the same facts as a full replay ------
def test_export_streams_in_the_order_given_with_the_facts_of_a_full_replay(registry, tmp_path, monkeypatch):
    """The export reads and replays the cases batch by batch (a small batch here, to cross its edges)
    and writes them in the order of ``case_ids``; each row holds what replaying every event of the case
    through the domain says, ordinary steps included (generated histories: ≈9 events a case)."""
    from desktop.domain import deadlines, workflow
    from desktop.services import cases
    from desktop.services.base import SYSTEM
    from desktop.services.generate import generate

    generate(registry, 300, years=2, seed=5)
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 7)
    ids = [r[0] for r in registry.conn.execute("SELECT id FROM cases ORDER BY applicant_name DESC, id")]
    ids = ids[::2] + ids[1::2]  # any order: the list's
    out = tmp_path / "order.xlsx"
    seen = []
    assert ledger.export_ledger(registry, SYSTEM, out, case_ids=ids, progress=lambda d, t: seen.append((d, t))) \
        == len(ids)
    assert seen[-1] == (len(ids), len(ids))
    headers, rows = read_back(out)
    numbers = dict(registry.conn.execute("SELECT id, case_no FROM cases").fetchall())
    assert [r["申请编号"] for r in rows] == [numbers[i] for i in ids]
    cal, today = registry.calendar(), registry.today()
    for case_id, row in zip(ids, rows, strict=True):
        facts = workflow.replay(cases.domain_events(cases.event_rows(registry, case_id)))
        dl = deadlines.compute(facts, cal, today)
        assert row["收到日期"].date() == facts.received_on
        assert row["办理状态"] == workflow.STATE_LABELS[facts.state]
        assert (row["答复期限"].date() if row["答复期限"] else None) == dl.due_on
        assert row["剩余工作日"] == dl.days_left and row["是否超期"] == ("是" if dl.overdue else "否")
        assert (row["延期天数"] or 0) == facts.extension_days
        pause = facts.pauses[0] if facts.pauses else None
        assert (row["暂停开始日期"].date() if row["暂停开始日期"] else None) == (pause.start if pause else None)
    assert registry.conn.execute("SELECT count(*) FROM case_events").fetchone()[0] > 8 * 300


def test_the_export_replays_only_the_events_that_set_its_columns_and_gives_a_full_replays_rows(registry, monkeypatch):
    """The export replays a case's LEDGER_EVENTS alone and takes the rest from the case row (its
    projection of every event, as written and as `verify` checks it): for histories holding every kind
    of event, in any order after the registration, each row is the one a full replay of every event
    and the full deadline computation give."""
    import random
    from datetime import timedelta

    from db.queries import events as events_q
    from desktop.domain import outcomes, workflow
    from desktop.services import cases
    from desktop.services.base import SYSTEM
    from desktop.services.generate import generate

    generate(registry, 120, years=1, seed=8)
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 11)
    rng = random.Random(19)
    ids = [r[0] for r in registry.conn.execute("SELECT id FROM cases ORDER BY id")]
    division = registry.conn.execute("SELECT min(id) FROM divisions").fetchone()[0]
    codes = list(outcomes.BY_CODE)
    kinds = [t for t in workflow.TRANSITIONS if t not in ("register", "ledger_import")]

    def payload(kind: str, on: date) -> dict:
        later = (on + timedelta(days=rng.randint(1, 40))).isoformat()
        return {
            "correction_notice": {"period_end": later, "period_days": rng.choice([None, 10, 15])},
            "abandoned": {"period_end": rng.choice([None, later])},
            "assign": {"lead_division_id": division},
            "draft": {"outcome": rng.choice(codes), "decision": "答复"} if rng.random() < 0.7 else {"decision": "答复"},
            "extension_approve": {"days": rng.randint(1, 20)},
            "consultation_start": {"kind": rng.choice(["third_party", "agency", "other"])},
            "art35_delay": {"due_on": later},
            "fee_notice": {"payment_due_on": later, "applicant_received_on": rng.choice([None, later]),
                           "method": "per_application"},
            "fee_unpaid": {"payment_due_on": rng.choice([None, later])},
            "reply_issued": {"outcome": rng.choice(codes)} if rng.random() < 0.7 else {},
            "letter_delivered": {"kind": rng.choice(["consult_third_party", "consult_agency", "correction",
                                                     "fee_notice", "reply"])},
        }.get(kind, {})

    last = dict(registry.conn.execute("SELECT case_id, max(effective_on) FROM case_events GROUP BY case_id").fetchall())
    added = []
    for case_id in ids[::2]:  # half the cases get a history of every kind of event on top of the generated one
        on = date.fromisoformat(last[case_id])
        for kind in rng.choices(kinds, k=rng.randint(1, 14)):
            on += timedelta(days=rng.choice([0, 1, 3, 8, 15, 30]))
            added.append((case_id, kind, on.isoformat(), "2026-01-01T00:00:00", None, payload(kind, on)))
    for n, case_id in enumerate(ids[1:40:2]):  # and the letters whose delivery bounds a pause, delivered late
        on = date.fromisoformat(last[case_id]) + timedelta(days=1)
        start, letter = (("consultation_start", {"kind": "third_party"}), {"kind": "consult_third_party"}) if n % 2 \
            else (("fee_notice", {"payment_due_on": None, "method": "per_application"}), {"kind": "fee_notice"})
        for kind, days, data in ((start[0], 0, start[1]), ("letter_delivered", 10 + n, letter),
                                 ("consultation_end" if n % 2 else "fee_paid", 30 + 2 * n, {})):
            added.append((case_id, kind, (on + timedelta(days=days)).isoformat(), "2026-01-01T00:00:00", None, data))
    with registry.transaction():
        events_q.append_many(registry.conn, added)
    cases.refresh_derived(registry, ids)
    assert len({e[1] for e in added}) == len(kinds)
    shuffled = rng.sample(ids, len(ids))
    fast = list(ledger.ledger_rows(registry, shuffled, SYSTEM))
    assert fast == list(ledger.ledger_rows(registry, shuffled, SYSTEM, full_replay=True))
    assert {r[21] for r in fast} - {None} and {r[15] for r in fast} - {None}  # days left and pauses were compared


def test_an_export_of_a_filter_holds_only_what_a_division_user_may_read_in_the_given_order(
        registry, staff, tmp_path):
    from desktop.services import cases
    from tests.helpers import person_form

    made = [cases.register_case(registry, staff["clerk"], person_form(name=f"申请人{i}")).case_ids[0]
            for i in range(4)]
    cases.fire(registry, staff["head"], made[1], "assign", payload={"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["head"], made[3], "assign", payload={"lead_division_id": staff["planning_id"]})
    out = tmp_path / "mine.xlsx"
    assert ledger.export_ledger(registry, staff["planner"], out, case_ids=list(reversed(made))) == 2
    numbers = dict(registry.conn.execute("SELECT id, case_no FROM cases").fetchall())
    assert [r["申请编号"] for r in read_back(out)[1]] == [numbers[made[3]], numbers[made[1]]]


def test_a_cancelled_export_leaves_no_file(registry, staff, tmp_path, monkeypatch):
    from desktop.services import cases
    from tests.helpers import person_form

    for i in range(30):
        cases.register_case(registry, staff["clerk"], person_form(name=f"申请人{i}"))
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 4)

    class Cancelled(Exception):
        pass

    def progress(done, total):
        raise Cancelled()  # what the window's cancel button does

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        ledger.export_ledger(registry, staff["system"], folder / "cancelled.xlsx", progress=progress)
    assert list(folder.iterdir()) == []


def test_the_export_file_has_date_cells_quoted_formulas_and_its_dimension(registry, staff, tmp_path):
    import zipfile

    from desktop.services import cases
    from tests.helpers import person_form

    cases.register_case(registry, staff["clerk"], person_form(name="=1+1", request_text="@SUM(A1)"))
    out = tmp_path / "cells.xlsx"
    ledger.export_ledger(registry, staff["system"], out)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert '<dimension ref="A1:Y2"/>' in sheet
    assert "<f>" not in sheet and 'quotePrefix="1"' in styles
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    received = ws.cell(2, header.index("收到日期") + 1)
    assert received.is_date and received.number_format == "yyyy-mm-dd"
    name = ws.cell(2, header.index("申请人") + 1)
    assert name.value == "=1+1" and name.data_type == "s" and name.quotePrefix


# -- the import at scale: checked in memory, written set-based -------------------------------------------
def test_a_big_import_is_written_set_based_with_applicants_once_and_numbers_that_skip_taken_ones(
        registry, divisions, tmp_path):
    from desktop.services import backup, cases
    from tests.helpers import person_form

    cases.register_case(registry, divisions["clerk"], person_form(name="老申请人", id_number="11010519491231002X",
                                                                  received_on="2026-01-05"))
    existing = registry.conn.execute("SELECT id FROM applicants WHERE name = '老申请人'").fetchone()[0]
    base = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请内容": "某文件"}
    rows = [{**base, "申请人": f"甲{i % 40}", "联系电话": f"138{i % 40:08d}"} for i in range(1200)]
    rows[5] = {**base, "申请人": "老申请人", "证件类型": "居民身份证", "证件号码": "11010519491231002X"}
    rows[7]["申请编号"] = "2026-00003"  # a number the sequence would give: never given twice
    result = ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "big.xlsx", rows))
    assert result.rows == 1200 and len(set(result.case_nos)) == 1200
    assert result.case_nos[7] == "2026-00003" and "2026-00003" not in result.case_nos[:7] + result.case_nos[8:]
    assert result.case_nos[0] == "2026-00002"  # 2026-00001 is the case registered above
    applicants = registry.conn.execute("SELECT count(*) FROM applicants").fetchone()[0]
    assert applicants == 1 + 40  # the old one, found again, and each new person once
    row5 = registry.conn.execute("SELECT applicant_id FROM cases WHERE case_no = ?", (result.case_nos[5],)).fetchone()
    assert row5[0] == existing
    assert backup.integrity_problems(registry) == []
    # the next registration continues after the highest number given
    nxt = cases.register_case(registry, divisions["clerk"], person_form(received_on="2026-03-03")).case_nos[0]
    assert nxt == "2026-01202"


def test_an_import_cancelled_while_writing_writes_nothing(registry, divisions, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger, "IMPORT_BATCH", 100)
    base = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请内容": "某文件"}
    src = write_book(tmp_path / "c.xlsx", [{**base, "申请人": f"甲{i}"} for i in range(500)])

    def progress(done, total):
        if done >= 300:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ledger.import_ledger(registry, divisions["system"], src, progress=progress)
    counts = [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("cases", "case_events", "applicants")]
    assert counts == [0, 0, 0]


def test_an_import_whose_reading_process_dies_says_so_and_writes_nothing(registry, divisions, tmp_path, monkeypatch):
    """The workbook is read and checked in a child process: killed after the first batches were
    written, the import stops with a message in Chinese and the transaction leaves nothing."""
    from desktop.services import ledger_reader

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 100)
    started = []
    real_init = ledger_reader.ReaderProcess.__init__

    def remember(self, spec):
        real_init(self, spec)
        started.append(self._child.proc)
    monkeypatch.setattr(ledger_reader.ReaderProcess, "__init__", remember)
    base = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请内容": "某文件"}
    src = write_book(tmp_path / "k.xlsx", [{**base, "申请编号": f"K-{i:04d}", "申请人": f"甲{i}"} for i in range(3000)])
    written = []

    def progress(done, total):
        written.append(done)
        if len(written) == 2:
            started[0].kill()

    with pytest.raises(ServiceError) as exc:
        ledger.import_ledger(registry, divisions["system"], src, progress=progress)
    assert str(exc.value).startswith("读取台账的进程意外退出，本次未导入")
    assert written[:2] == [100, 200]
    counts = [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("cases", "case_events", "applicants")]
    assert counts == [0, 0, 0]
    assert started[0].poll() is not None  # no child left behind


def test_after_an_import_references_are_checked_again_and_all_hold(registry, divisions, tmp_path):
    """SQLite does not look up the import's own references row by row; afterwards it checks every
    write again (a case naming a missing applicant is refused), and verify finds every reference."""
    import sqlite3

    from desktop.services import backup

    rows = [{"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请内容": "某文件",
             "申请编号": f"F-{i}", "申请人": f"乙{i % 3}", "承办处室": "规划处" if i % 2 else ""} for i in range(40)]
    ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "f.xlsx", rows))
    assert backup.integrity_problems(registry) == []
    if registry.conn.dialect == "sqlite":
        assert registry.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError), registry.transaction():
            registry.conn.execute("UPDATE cases SET applicant_id = 999999 WHERE case_no = 'F-1'")


# -- rows written while the file is read: still all or nothing ---------------------------------------------
def _numbered(n, **extra):
    base = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请内容": "某文件"}
    return [{**base, "申请编号": f"T-{i:04d}", "申请人": f"甲{i % 30}", **extra} for i in range(n)]


def _counts(registry):
    return [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("cases", "case_events", "applicants")]


def test_a_bad_row_after_batches_were_written_leaves_nothing(registry, divisions, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger, "IMPORT_BATCH", 50)
    rows = _numbered(300)
    rows[260]["收到日期"] = "2026-02-30"
    with pytest.raises(LedgerRejected) as exc:
        ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "late.xlsx", rows))
    assert str(exc.value).startswith("第262行 〔收到日期〕")
    assert _counts(registry) == [0, 0, 0]


def test_a_number_taken_in_a_later_batch_is_refused_by_row_and_nothing_is_written(registry, divisions, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setattr(ledger, "IMPORT_BATCH", 50)
    ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "one.xlsx", _numbered(300)[222:223]))
    before = _counts(registry)
    with pytest.raises(LedgerRejected) as exc:
        ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "all.xlsx", _numbered(300)))
    assert str(exc.value) == "第224行 〔申请编号〕 “T-0222”已在系统中存在"
    assert _counts(registry) == before


def test_rows_without_numbers_or_with_new_divisions_after_numbered_ones_keep_the_row_order(
        registry, divisions, tmp_path, monkeypatch):
    from desktop.services import backup

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 40)
    rows = _numbered(130)
    for i in range(100, 130, 3):
        rows[i]["申请编号"] = None
    rows[110]["承办处室"] = "新设处"
    rows[120]["申请编号"] = "2026-00001"  # the number the sequence would give first: never given twice
    result = ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "mixed.xlsx", rows),
                                  create_divisions=True)
    assert result.rows == 130 and result.new_divisions == ["新设处"]
    by_id = [r[0] for r in registry.conn.execute("SELECT case_no FROM cases ORDER BY id")]
    assert by_id == result.case_nos and len(set(by_id)) == 130
    assert result.case_nos[:100] == [f"T-{i:04d}" for i in range(100)] and result.case_nos[100] == "2026-00002"
    assert registry.conn.execute("SELECT count(*) FROM applicants").fetchone()[0] == 30
    assert backup.integrity_problems(registry) == []


def test_numbers_already_taken_are_told_with_the_other_problems(registry, divisions, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger, "IMPORT_BATCH", 50)
    ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "one.xlsx", _numbered(300)[10:11]))
    rows = _numbered(300)
    rows[280]["申请方式"] = "飞鸽"
    with pytest.raises(LedgerRejected) as exc:
        ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "all.xlsx", rows))
    lines = str(exc.value).splitlines()
    assert lines[0] == "第12行 〔申请编号〕 “T-0010”已在系统中存在" and lines[1].startswith("第282行 〔申请方式〕")
    assert len(lines) == 2 and _counts(registry)[0] == 1


def test_the_export_finds_its_events_through_the_index_made_for_them(registry):
    """Migration 0017's partial index names LEDGER_EVENTS (in both dialects), and the export's query,
    whose condition must be the index's own, is answered through it."""
    import re

    from db import migrations
    from db.queries import events as events_q

    for dialect in ("sqlite", "postgresql"):
        sql = next(text for version, _name, text in migrations.steps(dialect) if version == 17)
        listed = re.search(r"WHERE type IN \(([^)]*)\)", sql).group(1)
        assert re.findall(r"'([a-z0-9_]+)'", listed) == sorted(ledger.LEDGER_EVENTS)
    if registry.conn.dialect != "sqlite":
        return
    seen = []
    registry.conn.set_trace_callback(seen.append)
    events_q.replay_rows(registry.conn, [1, 2, 3], ledger.LEDGER_EVENTS)
    registry.conn.set_trace_callback(None)
    query = next(s for s in seen if "FROM case_events" in s)
    plan = " ".join(str(tuple(r)) for r in registry.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "case_events_for_ledger" in plan


# -- the import's own speed paths: the same registry whichever way they go ---------------------------------
def _indexes(registry):
    if registry.conn.dialect == "sqlite":
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    else:
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    return sorted(tuple(r) for r in registry.conn.execute(sql))


@pytest.mark.parametrize("index_at", [0.0, 0.5, 1.0])
def test_an_import_into_an_empty_registry_leaves_its_indexes_as_they_were_when_refused_or_written(
        registry, divisions, tmp_path, monkeypatch, index_at):
    """Into an empty registry the import sets the indexes aside and makes them again once most rows are
    in: a refused import brings them back with its rollback, a written one makes every one of them
    again, whenever it makes them, and the registry's lists and searches find the rows through them."""
    from desktop.services import backup, registry_list

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 50)
    monkeypatch.setattr(ledger, "IMPORT_INDEX_AT", index_at)
    before = _indexes(registry)
    rows = _numbered(300)
    for i, row in enumerate(rows):
        row["收到日期"] = f"2026-0{1 + i % 9}-{10 + i % 18}"
        row["申请内容"] = f"第{i}号文件" if i != 123 else "二〇二五年防汛预案"
    bad = [dict(r) for r in rows]
    bad[290]["收到日期"] = "2026-02-30"
    dropped = []

    def progress(done, total):
        if registry.conn.dialect == "sqlite":
            dropped.append((done, registry.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                                        " AND tbl_name = 'cases' AND sql IS NOT NULL").fetchone()[0] == 0))

    with pytest.raises(LedgerRejected):
        ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "bad.xlsx", bad), progress=progress)
    assert _indexes(registry) == before and _counts(registry) == [0, 0, 0]
    if registry.conn.dialect == "sqlite":  # without them until that share of the sheet's rows is in
        assert len(dropped) == 5 and all(gone == (done < index_at * 300) for done, gone in dropped)
    result = ledger.import_ledger(registry, divisions["system"], write_book(tmp_path / "good.xlsx", rows))
    assert result.rows == 300 and _indexes(registry) == before
    assert backup.integrity_problems(registry) == []  # SQLite's own check compares every index with its table
    listed = registry_list.page(registry, registry_list.Filter(text="防汛预案"), 0, 10)
    assert [r.case_no for r in listed] == ["T-0123"]
    newest = registry_list.page(registry, registry_list.Filter(), 0, 3)
    assert [r.received_on for r in newest] == ["2026-09-27"] * 3
    by_due = registry_list.page(registry, registry_list.Filter(sort="due_on", descending=False), 0, 1)
    assert by_due[0].received_on == "2026-01-10"


class _ReadInThisProcess:
    """The reading process's messages made here (through the same frames), handing a batch over
    unprepared when ``hand_over(n)`` says so for the n-th one."""

    def __init__(self, hand_over):
        self.hand_over, self.handed = hand_over, []

    def __call__(self, spec):
        self.spec = spec
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def __iter__(self):
        import io

        from desktop.child import pack, receive

        asked = iter(range(10**6))

        def waiting():
            n = next(asked)
            self.handed.append(self.hand_over(n))
            return self.handed[-1]
        for message in ledger.read_rows(self.spec, waiting):
            yield receive(io.BytesIO(pack(message)))


def test_batches_prepared_by_either_process_make_the_same_registry(make_target, tmp_path, monkeypatch):
    """The reading process prepares a batch as cases, or hands it over checked only when the program
    has nothing left to write (the program prepares it): either way the same rows, events and chain."""
    from desktop.services import backup, ledger_reader
    from desktop.services.base import SYSTEM, Registry

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 40)
    rows = _numbered(200)
    for i in range(0, 200, 7):
        rows[i]["承办处室"] = "规划处"
        rows[i]["办理结果"], rows[i]["答复日期"] = "予以公开", "2026-03-20"
    src = write_book(tmp_path / "same.xlsx", rows)
    made = {}
    for name, hand_over in [("all prepared by the reader", lambda n: False),
                            ("all prepared by the program", lambda n: True), ("alternately", lambda n: n % 2 == 1)]:
        reader = _ReadInThisProcess(hand_over)
        monkeypatch.setattr(ledger_reader, "ReaderProcess", reader)
        reg = Registry.open(make_target(f"r{len(made)}"), today=lambda: date(2026, 11, 20))
        try:
            agency.ensure_defaults(reg)
            agency.add_division(reg, SYSTEM, "规划处")
            monkeypatch.setattr(reg, "now", lambda: "2026-11-20T09:00:00")
            ledger.import_ledger(reg, SYSTEM, src)
            assert backup.integrity_problems(reg) == []
            cases = [tuple(r) for r in reg.conn.execute(
                "SELECT id, case_no, applicant_id, received_on, state, lead_division_id, due_on, outcome,"
                " concluded_on FROM cases ORDER BY id")]
            events = [tuple(r) for r in reg.conn.execute(
                "SELECT case_id, payload, prev_hash, hash FROM case_events ORDER BY id")]
        finally:
            reg.close()
        assert reader.handed == [hand_over(n) for n in range(5)]  # 200 rows: a batch of 40, then four
        made[name] = cases, events
    cases, events = made["all prepared by the reader"]
    assert len(cases) == 200 and cases[0][1] == "T-0000" and cases[199][1] == "T-0199"
    assert cases[7][4] == "closed" and cases[7][7] == "disclose" and cases[8][4] == "registered"
    assert len({c[2] for c in cases}) == 30 and len(events) == 200
    assert made["all prepared by the program"] == made["alternately"] == (cases, events)


def test_reading_checking_and_preparing_rows_leave_no_reference_cycles(registry, divisions, tmp_path):
    """The reading process runs without Python's cycle collector (it took a tenth of its time): right
    only while reading, checking and preparing rows — good ones or bad — leave no reference cycles."""
    import gc

    from desktop.child import pack
    from desktop.services.ledger_reader import ReadSpec

    good = write_book(tmp_path / "good.xlsx", _numbered(400))
    rows = _numbered(400)
    for i in range(0, 399, 3):
        rows[i]["收到日期"] = "2026-02-30"
        rows[i + 1]["申请方式"] = "飞鸽"
    bad = write_book(tmp_path / "bad.xlsx", rows)
    divisions_by_name = {r["name"]: r["id"] for r in registry.conn.execute("SELECT id, name FROM divisions")}

    def garbage(path, hand_over):
        spec = ReadSpec(str(path), date(2026, 11, 20), divisions_by_name, frozenset(), 50, True,
                        calendar=registry.calendar(), now="2026-11-20T09:00:00", first_id=1,
                        dialect=registry.conn.dialect, source=path.name)
        gc.collect()
        gc.disable()
        try:
            kinds = {pack(m) and m[0] for m in ledger.read_rows(spec, lambda: hand_over)}
            return kinds, gc.collect()
        finally:
            gc.enable()

    garbage(good, False)  # once first: what is made once (patterns, caches) is not counted
    assert garbage(good, False) == ({"total", "batch", "end"}, 0)
    assert garbage(good, True) == ({"total", "rows", "end"}, 0)
    assert garbage(bad, False) == ({"total", "end"}, 0)
