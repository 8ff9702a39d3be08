"""Kill the process (SIGKILL) in the middle of a large ledger import and of a burst of edits, again
and again: afterwards the database passes verify and each import is all or nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from desktop.services import backup
from desktop.services.base import Registry
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

IMPORT = """
import sys
from datetime import date
from desktop.services.base import Registry, SYSTEM
from desktop.services import agency, ledger
reg = Registry.open(sys.argv[1], today=lambda: date(2026, 11, 20))
agency.ensure_defaults(reg)
print("start", flush=True)
ledger.import_ledger(reg, SYSTEM, sys.argv[2])
print("done", flush=True)
"""
EDITS = """
import sys
from datetime import date
from desktop.services.base import Registry, SYSTEM
from desktop.services import agency, cases
reg = Registry.open(sys.argv[1], today=lambda: date(2026, 11, 20))
agency.ensure_defaults(reg)
print("start", flush=True)
for i in range(100000):
    cid = cases.register_case(reg, SYSTEM, {"applicant_type": "自然人", "name": f"甲{i}", "channel": "当面",
                                            "id_type": "护照", "id_number": f"E{i:08d}", "phone": "13812345678",
                                            "received_on": "2026-11-02", "request_text": "内容" * 50}).case_ids[0]
    cases.fire(reg, SYSTEM, cid, "correction_notice", date(2026, 11, 3), {"items": ["写明文号"]})
"""


def run_and_kill(code: str, args: list[str], after: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, env=env)
    assert proc.stdout.readline().strip() == b"start"
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "big.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["收到日期", "申请方式", "申请人类型", "申请人", "申请内容", "办理结果", "答复日期"])
    for i in range(6000):
        ws.append(["2026-03-02", "网络", "自然人", f"申请人{i}", f"第{i}件申请的内容", "予以公开", "2026-03-20"])
    wb.save(path)
    return path


@pytest.mark.parametrize("after", [0.6, 1.5, 2.5, 4.0])
def test_killed_import_is_all_or_nothing(tmp_path, big_ledger, after):
    db = tmp_path / "crash.db"
    run_and_kill(IMPORT, [str(db), str(big_ledger)], after)
    reg = Registry.open(db, today=lambda: TODAY)
    try:
        count = reg.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        assert count in (0, 6000)
        assert reg.conn.execute("SELECT count(*) FROM case_events").fetchone()[0] == count
        assert backup.integrity_problems(reg) == []
    finally:
        reg.close()


@pytest.mark.parametrize("after", [0.5, 1.2, 2.0])
def test_killed_burst_of_edits_leaves_every_case_whole(tmp_path, after):
    db = tmp_path / "burst.db"
    for round_ in range(2):  # again on the same file, after a crash
        run_and_kill(EDITS, [str(db)], after + round_ * 0.3)
    reg = Registry.open(db, today=lambda: TODAY)
    try:
        assert backup.integrity_problems(reg) == []
        cases_n = reg.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        registered = reg.conn.execute("SELECT count(*) FROM case_events WHERE type = 'register'").fetchone()[0]
        assert cases_n == registered > 0
        states = dict(reg.conn.execute("SELECT state, count(*) FROM cases GROUP BY state").fetchall())
        notices = reg.conn.execute("SELECT count(*) FROM case_events WHERE type = 'correction_notice'").fetchone()[0]
        assert states.get("awaiting_correction", 0) == notices  # no state without its event
    finally:
        reg.close()
