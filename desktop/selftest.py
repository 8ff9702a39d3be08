"""`disclosure-desk --self-test`: proves an installed or frozen copy works end to end — a temporary
database is created and migrated, a case registered, a letter drawn with the bundled font, the case
exported as a ledger and imported into a new database (read in its child process), a scanned line read
by OCR in its child process, the main window built (offscreen when there is no display) —
then exits 0, or 1 naming the step that failed."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path


def run() -> int:
    steps: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="ddesk-selftest-") as tmp:
            from desktop.services import agency, cases, letters, users
            from desktop.services.base import SYSTEM, Registry

            reg = Registry.open(Path(tmp) / "selftest.db")
            from db.connection import schema_version
            steps.append(f"数据库已创建并迁移到版本{schema_version(reg.conn)}")
            import psycopg  # the server mode's driver, with the libpq bundled in its binary package

            libpq = psycopg.pq.version()
            steps.append(f"PostgreSQL 驱动已加载（psycopg {psycopg.__version__}，{psycopg.pq.__impl__}，"
                         f"libpq {libpq // 10000}.{libpq % 10000}）")
            agency.ensure_defaults(reg)
            user_id = users.create_user(reg, None, "selftest", "自检", "selftest2026", ["clerk", "admin"]).id
            form = {"applicant_type": "自然人", "name": "王喆", "id_number": "11010519491231002X",
                    "phone": "13812345678", "channel": "当面",
                    "received_on": reg.today().isoformat(), "request_text": "自检：申请公开某文件"}
            case_id = cases.register_case(reg, users.actor_for(reg, user_id), form).case_ids[0]
            steps.append(f"已登记案件 {cases.get_case(reg, case_id)['case_no']}")
            issued = letters.issue(reg, SYSTEM, case_id, "receipt")
            data = issued.path.read_bytes()  # as stored in the database, written out and checked
            if not data.startswith(b"%PDF") or b"/FontFile2" not in data:  # a TrueType font embedded
                raise RuntimeError("文书PDF不完整或没有嵌入字体")
            steps.append(f"已生成文书 {issued.doc_no}（{len(data):,}字节）")
            # the ledger import reads and checks the workbook in a process of its own (in the built
            # program: this executable with --ledger-reader): the case exported and read into a new registry
            from desktop.services import ledger

            ledger.export_ledger(reg, SYSTEM, Path(tmp) / "ledger.xlsx")
            moved = Registry.open(Path(tmp) / "moved.db")
            agency.ensure_defaults(moved)
            imported = ledger.import_ledger(moved, SYSTEM, Path(tmp) / "ledger.xlsx")
            moved.close()
            steps.append(f"台账读取子进程已导入 {imported.case_nos[0]}（导出再导入新库）")
            # de-identification's OCR runs in a child process (in the built program: this executable
            # with --ocr-worker) with its own models: one line of a generated scan read back
            from desktop.documents import redaction
            from desktop.documents.redaction_sample import PLANTED, scan_image

            with redaction.OcrProcess() as reader:
                read = "".join(line[1] for line in reader.lines(scan_image(dpi=100).crop((0, 0, 827, 300))))
            if PLANTED.scan_phone not in "".join(ch for ch in read if ch.isdigit()):
                raise RuntimeError(f"文字识别没有读出样例扫描件上的电话号码（读出：{read[:60]}）")
            steps.append(f"文字识别子进程已读出样例扫描件（{len(read)}个字，峰值内存"
                         f"{reader.peak_mb or 0:.0f} MB）")
            if not os.environ.get("DISPLAY") and not sys.platform.startswith(("win", "darwin")):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            from desktop.ui.startup import draw_main_window

            width, height = draw_main_window(reg, users.actor_for(reg, user_id))
            steps.append(f"主窗口已绘制（{width}×{height}）")
            reg.close()
    except Exception:
        for s in steps:
            print(f"✓ {s}")
        print("✗ 自检失败：", file=sys.stderr)
        traceback.print_exc()
        return 1
    for s in steps:
        print(f"✓ {s}")
    print("自检通过")
    return 0
