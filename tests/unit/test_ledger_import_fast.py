"""The import's fast check of a clean row gives what the full check gives, or leaves the row to it:
every good row of the ledger tests and thousands of variants of them (each cell swapped for an odd,
empty, wrong-typed, too long, invisible-marked or out-of-order value) go through both."""

import random
from datetime import date, datetime

import xlsxwriter

from desktop.documents.ledger_xlsx import COMPUTED_COLUMNS, INPUT_COLUMNS, read_ledger_values, row_dict
from desktop.services import ledger
from tests.unit.test_ledger import GOOD_ROWS

ODD = {
    "申请编号": ["", "  X-1 ", 12345, "A" * 41, "N\u200b1", 0],
    "收到日期": ["2026-11-02", "2026/3/5", "2026年3月5日", "2026-13-01", "明天", datetime(2026, 3, 2, 10, 30),
             date(2030, 1, 1), date(2001, 1, 1), "", 45000, " 2026-03-02 ", "2026-03-02 00:00"],
    "申请方式": ["当面", "邮箱", "", 3, " 网络 "],
    "申请人类型": ["自然人", "商业企业", "个人", "", "其他"],
    "申请人": ["王喆", "", "A" * 101, "王\u202e喆", "e\u0301", "王\r\n喆", 42, " 李四 "],
    "证件类型": ["居民身份证", "", "护照", "统一社会信用代码", "A" * 21, "其他"],
    "证件号码": ["11010519491231002X", "11010519491231002x", "110105194912310021", "91350100M000100Y43", "",
             "P1234567", "A" * 41, 110105194912310020],
    "联系电话": ["13812345678", "022-23456789", "(022) 2345 6789", "12345", "+8613812345678", "", 13812345678,
             "１３８１２３４５６７８"],
    "通讯地址": ["", "天津市和平区", "A" * 201],
    "电子邮箱": ["", "a@b.cn", "not-an-email", "A" * 95 + "@b.cn"],
    "申请内容": ["养老机构补贴发放明细", "", "A" * 5001, "内容\x07", "内容\ufeff"],
    "承办处室": ["", "规划处", "新处室", "A" * 51, 0, "规划处\u200b"],
    "补正告知日期": ["", "2026-03-05", date(2026, 1, 1), "2026-02-30"],
    "补正收到日期": ["", "2026-03-20", date(2026, 3, 1)],
    "延期天数": ["", 10, 0, 21, "5", 5.5, True, 20],
    "暂停开始日期": ["", "2026-03-25", date(2025, 1, 1)],
    "暂停结束日期": ["", "2026-04-10", date(2026, 3, 20)],
    "办理结果": ["", "部分公开", "other_no_correction", "随便", 0, "A" * 61],
    "答复日期": ["", "2026-05-20", date(2026, 3, 3), date(2027, 1, 1)],
    "备注": ["", "台账迁移", "A" * 2001, "备\u0085注"],
    "答复期限": ["", date(2026, 5, 1), "x\u200d"],
    "办理状态": ["已办结", "\x01"],
}


def test_the_fast_check_agrees_with_the_full_check(registry, staff, tmp_path):
    rng = random.Random(7)
    headers = list(INPUT_COLUMNS + COMPUTED_COLUMNS)
    rows = []
    for _ in range(3000):
        row = dict(rng.choice(GOOD_ROWS))
        for column in rng.sample(list(ODD), rng.choice((0, 1, 1, 2, 3))):
            row[column] = rng.choice(ODD[column])
        rows.append(row)
    path = tmp_path / "variants.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    ws, day = wb.add_worksheet(), wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            v = row.get(h)
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, date):
                ws.write_datetime(r, c, v, day)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()

    today = registry.today()
    divisions = {"规划处": 1}
    fast = ledger._fast_checker(headers, today, dict(divisions))
    taken, agreed = 0, 0
    read_headers, values_of = read_ledger_values(path)
    assert read_headers == headers
    for number, values in values_of:
        problems: list[str] = []
        full = ledger._check_row(number, row_dict(headers, values), today, dict(divisions), problems)
        quick = fast(number, values)
        if quick is None:
            continue
        taken += 1
        assert full is not None and not problems, (number, values, problems)
        assert quick == ledger._Checked.of(full), (number, values)
        agreed += 1
    assert agreed == taken and taken > 500  # the fast check takes most clean rows
