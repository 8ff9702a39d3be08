"""Accounts, personal data, the audit chain, two seats, backups and attachments."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from desktop.services import attachments, backup, cases, ledger, users
from desktop.services.base import Conflict, Registry, ServiceError, ValidationFailed
from tests.conftest import TODAY
from tests.helpers import person_form, resident_id
from tests.unit.test_ledger import write_book


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(registry, staff):
    for _ in range(4):
        with pytest.raises(ServiceError, match="登录名或密码不正确"):
            users.authenticate(registry, "clerk", "wrong-pass1")
    with pytest.raises(ServiceError, match="密码错误5次，账户锁定15分钟"):
        users.authenticate(registry, "clerk", "wrong-pass1")
    with pytest.raises(ServiceError, match="账户已锁定至"):
        users.authenticate(registry, "clerk", "pass1234")  # even the right password, while locked
    past = (datetime.now() - timedelta(minutes=1)).isoformat(timespec="seconds")
    registry.conn.execute("UPDATE users SET locked_until = ? WHERE login = 'clerk'", (past,))
    assert users.authenticate(registry, "clerk", "pass1234").login == "clerk"
    stored = registry.conn.execute("SELECT password_hash FROM users WHERE login = 'clerk'").fetchone()[0]
    assert stored.startswith("scrypt$") and "pass1234" not in stored


def test_change_password_and_administrator_reset(registry, staff):
    with pytest.raises(ValidationFailed, match="〔原密码〕不正确"):
        users.change_password(registry, staff["clerk"], "nope", "NewPass2026")
    users.change_password(registry, staff["clerk"], "pass1234", "NewPass2026")
    assert users.authenticate(registry, "clerk", "NewPass2026")
    users.reset_password(registry, staff["admin"], staff["clerk"].user_id, "Reset2026x")
    assert users.authenticate(registry, "clerk", "Reset2026x")
    actions = [r[0] for r in registry.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["change_password", "reset_password"]


def test_id_and_phone_are_masked_for_roles_without_access(registry, staff, tmp_path):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    assert cases.case_view(registry, case_id, staff["clerk"]).row["id_number"] == "11010519491231002X"
    seen = cases.case_view(registry, case_id, staff["leader"]).row
    assert (seen["id_number"], seen["phone"]) == ("110105********002X", "138****5678")
    out = tmp_path / "masked.xlsx"
    cases.fire(registry, staff["head"], case_id, "assign", None, {"lead_division_id": staff["planning_id"]})
    ledger.export_ledger(registry, staff["planner"], out)  # a case of the planner's division, masked
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["证件号码"], row["联系电话"]) == ("110105********002X", "138****5678")
    ledger.export_ledger(registry, staff["clerk"], out)
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["证件号码"] == "11010519491231002X"


@pytest.mark.parametrize("batch", [1, 2, 20_000])
def test_verify_names_an_edited_and_a_deleted_event(registry, staff, monkeypatch, batch):
    """(On a server the events are read in batches by their id: each problem is found across them.)"""
    from db.queries import events as events_q

    monkeypatch.setattr(events_q, "READ_BATCH", batch)
    for _ in range(3):
        cases.register_case(registry, staff["clerk"], person_form())
    assert backup.integrity_problems(registry) == []
    on = " ON case_events" if registry.conn.dialect == "postgresql" else ""
    registry.conn.execute(f"DROP TRIGGER case_events_no_update{on}")
    registry.conn.execute(f"DROP TRIGGER case_events_no_delete{on}")
    registry.conn.execute("UPDATE case_events SET payload = '{}' WHERE id = 1")
    registry.conn.execute("DELETE FROM case_events WHERE id = 2")
    problems = backup.integrity_problems(registry)
    assert "事件1（案件1）的内容被改动" in problems
    assert "事件3之前的记录被删除或改动（链接断开）" in problems
    assert not any(p.startswith("事件") and p not in ("事件1（案件1）的内容被改动", "事件3之前的记录被删除或改动（链接断开）")
                   for p in problems)


def test_two_seats_write_at_once_without_database_is_locked(registry, staff):
    errors, done = [], []

    def seat(n):
        reg = Registry.open(registry.target, today=lambda: TODAY)
        try:
            for i in range(15):
                cases.register_case(reg, staff["clerk"], person_form(name=f"座席{n}-{i}",
                                                                     id_number=resident_id(100 * n + i)))
                done.append(n)
        except Exception as exc:  # the test reports any, "database is locked" above all
            errors.append(repr(exc))
        finally:
            reg.close()

    threads = [threading.Thread(target=seat, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(done) == 45
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 45
    assert backup.integrity_problems(registry) == []


def test_second_save_on_the_same_case_gets_a_conflict(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    seen_by_both = cases.get_case(registry, case_id)["version"]
    other = Registry.open(registry.target, today=lambda: TODAY)
    cases.fire(other, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]},
               expected_version=seen_by_both)
    other.close()
    with pytest.raises(Conflict, match="已被他人修改，请刷新后再操作（您填写的内容已保留）"):
        cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 16), {"items": ["x"]},
                   expected_version=seen_by_both)


def test_backup_and_restore_bring_back_database_and_files(registry, staff, tmp_path):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 application scan")
    attachments.add(registry, staff["clerk"], case_id, scan, "application_scan")
    info = backup.create(registry, tmp_path / "backups")
    assert (info.cases, info.files) == (1, 1)
    with zipfile.ZipFile(info.path) as z:
        assert {"registry.db", "manifest.json"} <= set(z.namelist())
    cases.register_case(registry, staff["clerk"], person_form(name="后来登记"))
    stored = attachments.for_case(registry, case_id)[0]
    registry.conn.execute("DELETE FROM file_contents WHERE sha256 = ?", (stored.sha256,))  # lost
    assert attachments.for_case(registry, case_id)[0].missing
    target = registry.target
    registry.close()
    safety = backup.restore(target, info.path)
    assert safety.exists()
    reg = Registry.open(target, today=lambda: TODAY)
    assert reg.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    restored = attachments.for_case(reg, case_id)[0]
    assert not restored.missing and attachments.local_copy(reg, restored).read_bytes() == scan.read_bytes()
    assert backup.integrity_problems(reg) == []
    reg.close()


def test_restore_refuses_a_bad_backup_and_start_detects_a_damaged_database(tmp_path):
    fake = tmp_path / "fake.ddbak"
    fake.write_bytes(b"not a zip")
    with pytest.raises(ServiceError, match="不是有效的备份文件"):
        backup.check(fake)
    with zipfile.ZipFile(tmp_path / "empty.ddbak", "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(ServiceError, match="缺少数据库"):
        backup.check(tmp_path / "empty.ddbak")
    damaged = tmp_path / "damaged.db"
    conn = sqlite3.connect(damaged)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    data = bytearray(damaged.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    assert backup.quick_check(damaged) is not None
    assert backup.quick_check(tmp_path / "absent.db") is None


def test_rotation_keeps_the_newest(registry, tmp_path):
    for _ in range(4):
        backup.create(registry, tmp_path / "b", keep=2)
    assert len(list((tmp_path / "b").glob("*.ddbak"))) == 2


def test_attachment_type_is_checked_by_content(registry, staff, tmp_path):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    program = tmp_path / "申请书.pdf"
    program.write_bytes(b"MZ\x90\x00 this is a Windows program")
    with pytest.raises(ValidationFailed, match="申请书.pdf 的内容不是允许的文件类型"):
        attachments.add(registry, staff["clerk"], case_id, program)
    huge = tmp_path / "big.pdf"
    with huge.open("wb") as fh:
        fh.write(b"%PDF-1.4")
        fh.seek(attachments.MAX_BYTES + 10)
        fh.write(b"\0")
    with pytest.raises(ValidationFailed, match="超过 50 MB 上限"):
        attachments.add(registry, staff["clerk"], case_id, huge)
    assert attachments.for_case(registry, case_id) == []


def test_start_checks_the_file_unless_it_was_closed_cleanly_and_is_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "registry.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    checked = []
    real = backup.quick_check
    monkeypatch.setattr(backup, "quick_check", lambda p: checked.append(p) or real(p))
    assert backup.start_check(path) is None and len(checked) == 1  # no note: checked
    backup.mark_closed_cleanly(path)
    assert backup.start_check(path) is None and len(checked) == 1  # closed cleanly, unchanged: skipped
    assert backup.start_check(path) is None and len(checked) == 2  # the note is used once (a crash leaves none)
    backup.mark_closed_cleanly(path)
    data = bytearray(path.read_bytes())  # changed while the program was closed
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    assert backup.start_check(path) is not None and len(checked) == 3


def test_every_writing_action_checks_the_version_the_screen_showed(registry, office, tmp_path):
    """Issuing a letter, adding an attachment and recording a delivery are refused, like any event,
    when another PC changed the case since this screen loaded it; nothing is half-saved."""
    from desktop.services import letters

    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    seen = cases.get_case(registry, case_id)["version"]
    other = Registry.open(registry.target, today=lambda: TODAY)
    cases.fire(other, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
    other.close()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    before = registry.conn.execute("SELECT (SELECT count(*) FROM letters), (SELECT count(*) FROM attachments),"
                                   " (SELECT count(*) FROM file_contents)").fetchone()
    with pytest.raises(Conflict, match="已被他人修改"):
        letters.issue(registry, s["clerk"], case_id, "receipt", expected_version=seen)
    with pytest.raises(Conflict, match="已被他人修改"):
        attachments.add(registry, s["clerk"], case_id, scan, "application_scan", expected_version=seen)
    assert tuple(registry.conn.execute("SELECT (SELECT count(*) FROM letters), (SELECT count(*) FROM attachments),"
                                       " (SELECT count(*) FROM file_contents)").fetchone()) == tuple(before)
    now = cases.get_case(registry, case_id)["version"]
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt", expected_version=now)
    with pytest.raises(Conflict, match="已被他人修改"):
        letters.record_delivery(registry, s["clerk"], receipt.id, "当面", TODAY, expected_version=now)


def test_logins_are_the_same_whatever_their_case(registry, staff):
    """SQLite compares logins with NOCASE; the server must too: "Clerk" signs in as "clerk", and a
    second account "CLERK" cannot be made."""
    assert users.authenticate(registry, " Clerk ", "pass1234").login == "clerk"
    with pytest.raises(ServiceError):
        users.create_user(registry, staff["admin"], "CLERK", "另一个", "pass1234", ["clerk"])


def test_guesses_from_four_seats_at_once_still_lock_the_account(registry, staff):
    """The failure count is read and written in one write transaction: 4 seats × 5 wrong guesses at the
    same moment lock the account, and the right password is then refused while it is locked."""
    errors, locked = [], []
    start = threading.Barrier(4)

    def seat():
        reg = Registry.open(registry.target, today=lambda: TODAY)
        try:
            start.wait()
            for _ in range(5):
                try:
                    users.authenticate(reg, "clerk", "wrong-pass1")
                except ServiceError as exc:
                    locked.append(str(exc))
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            reg.close()

    threads = [threading.Thread(target=seat) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(locked) == 20
    # exactly four plain refusals, the fifth wrong guess locks, every later one is refused as locked
    assert locked.count("登录名或密码不正确") == 4 and sum("锁定15分钟" in m for m in locked) == 1
    with pytest.raises(ServiceError, match="锁定"):
        users.authenticate(registry, "clerk", "pass1234")


def test_restoring_the_oldest_kept_backup_does_not_delete_it(tmp_path):
    """The safety backup made before a restore rotates the folder; the backup being restored stays."""
    path = tmp_path / "registry.db"
    reg = Registry.open(path, today=lambda: TODAY)
    cases.register_case(reg, SYSTEM_ACTOR(), person_form())
    made = []
    for _ in range(backup.KEEP):
        made.append(backup.create(reg).path)
        time.sleep(0.01)  # distinct modification times
    reg.close()
    oldest = made[0]
    backup.restore(path, oldest)
    assert oldest.exists()
    reg = Registry.open(path, today=lambda: TODAY)
    try:
        assert reg.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    finally:
        reg.close()


def test_a_damaged_database_is_not_backed_up_nor_imported_into(tmp_path):
    path = tmp_path / "registry.db"
    reg = Registry.open(path, today=lambda: TODAY)
    for i in range(60):
        cases.register_case(reg, SYSTEM_ACTOR(), person_form(name=f"申请人{i}", id_number=resident_id(i),
                                                            request_text="申请公开" + "某某文件" * 200))
    reg.close()
    data = bytearray(path.read_bytes())
    data[-12288:-8192] = b"\xff" * 4096  # a page of case data near the end of the file
    path.write_bytes(bytes(data))
    reg = Registry.open(path, today=lambda: TODAY)
    try:
        with pytest.raises(ServiceError, match="数据库文件已损坏：.*不能备份"):
            backup.create(reg, tmp_path / "b")
        assert not list((tmp_path / "b").glob("*.ddbak"))
        ledger_file = write_book(tmp_path / "l.xlsx", [
            {"收到日期": "2026-10-12", "申请方式": "网络", "申请人类型": "自然人", "申请人": "甲",
             "申请内容": "甲"}])
        with pytest.raises(ServiceError, match="数据库文件已损坏：.*不能导入台账") as refused:
            ledger.import_ledger(reg, SYSTEM_ACTOR(), ledger_file)
        # the same words verify uses for it
        found = backup.integrity_problems(reg)
        assert found[0].startswith("数据库文件已损坏：") and str(refused.value).startswith("数据库文件已损坏：")
    finally:
        reg.close()
    # the command line says the same, exit 1, nothing written
    run = subprocess.run([sys.executable, "-m", "desktop", "--db", str(path), "import-ledger", str(ledger_file)],
                         capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode != 0 and "数据库文件已损坏：" in run.stderr and "Traceback" not in run.stderr


def SYSTEM_ACTOR():  # noqa: N802 - reads like the constant it returns
    from desktop.services.base import SYSTEM
    return SYSTEM


def test_restore_is_refused_while_another_window_has_the_file_open(tmp_path):
    """A window marks its seat beside the file; a restore elsewhere names it and refuses. A window
    that crashed (its marker no longer locked) does not block."""
    from db.seats import SeatMark

    path = tmp_path / "registry.db"
    reg = Registry.open(path, today=lambda: TODAY)
    info = backup.create(reg, tmp_path / "b")
    reg.close()
    window = SeatMark(path, "张敏")
    with pytest.raises(ServiceError, match="还有1处正在使用这个数据库：张敏（电脑 .*起）"):
        backup.restore(path, info.path)
    window.release()
    crashed = SeatMark(path, "李强")
    crashed._fh.close()  # the process ended without releasing: the OS dropped its lock
    assert backup.restore(path, info.path) is not None and not crashed.path.exists()


def test_reading_commands_work_while_another_seat_holds_the_write_lock(tmp_path, capsys):
    """A long import holds the write lock: verify, export, calendar show and opening the registry read
    without waiting for it (opening no longer writes the default settings every time)."""
    from desktop.cli import main

    path = tmp_path / "registry.db"
    assert main(["--db", str(path), "demo"]) == 0
    writer = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as an import in progress at another seat
    try:
        # (were any of them to wait for the lock, it would never come: the command would fail)
        assert main(["--db", str(path), "verify"]) == 0
        assert main(["--db", str(path), "export-ledger", str(tmp_path / "out.xlsx")]) == 0
        assert main(["--db", str(path), "calendar", "show", "--year", "2026"]) == 0
        Registry.open(path, today=lambda: TODAY).close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_registry_files_and_backups_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "registry.db"
    reg = Registry.open(path, today=lambda: TODAY)
    cases.register_case(reg, SYSTEM_ACTOR(), person_form())
    info = backup.create(reg, tmp_path / "b")
    for f in (path, Path(str(path) + "-wal"), info.path):
        assert f.stat().st_mode & 0o077 == 0, f
    reg.close()


def test_verify_finds_events_deleted_from_the_end_and_a_file_replaced_with_its_hash(registry, office, tmp_path):
    """The chain of events checks itself, not its end; a backup's manifest anchors the end. A letter
    replaced together with its row's hash still differs from the hash its chained event recorded."""
    from desktop.services import letters

    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt")
    backup.create(registry)  # into the registry's own backup folder: verify looks there
    assert backup.integrity_problems(registry) == []
    # a forged receipt with its own hash written into the letter row
    forged = b"%PDF-1.4 forged receipt"
    registry.conn.execute("INSERT INTO file_contents (sha256, size, content) VALUES (?, ?, ?)",
                          (hashlib.sha256(forged).hexdigest(), len(forged), forged))
    registry.conn.execute("UPDATE letters SET sha256 = ? WHERE id = ?", (hashlib.sha256(forged).hexdigest(), receipt.id))
    assert any(p.startswith(f"文书{receipt.id}的文件被改动") for p in backup.integrity_problems(registry))
    registry.conn.execute("UPDATE letters SET sha256 = ? WHERE id = ?", (receipt.sha256, receipt.id))
    # the newest events deleted: the chain alone stays sound
    last = registry.conn.execute("SELECT max(id) FROM case_events").fetchone()[0]
    on = " ON case_events" if registry.conn.dialect == "postgresql" else ""
    registry.conn.execute(f"DROP TRIGGER case_events_no_delete{on}")
    registry.conn.execute("DELETE FROM case_events WHERE id >= ?", (last - 1,))
    problems = backup.integrity_problems(registry)
    assert any(f"事件{last}在备份" in p and "从末尾删除" in p for p in problems), problems


def test_a_clock_that_went_backwards_is_reported(registry, staff, monkeypatch):
    cases.register_case(registry, staff["clerk"], person_form())
    monkeypatch.setattr(type(registry), "now", lambda self: "2020-01-01T08:00:00")
    assert any(p.startswith("本机时钟（2020-01-01 08:00:00）早于最近一次记录的时间") for p in
               backup.integrity_problems(registry))


def test_verify_finds_a_case_row_edited_behind_the_programs_back(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-09-15")).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    assert backup.integrity_problems(registry) == []
    registry.conn.execute("UPDATE cases SET received_on = '2026-09-30', request_text = '别的内容', state = 'closed'"
                          " WHERE id = ?", (case_id,))
    problems = backup.integrity_problems(registry)
    assert "案件2026-00001的收到申请之日与其事件记录不符（记录为“2026-09-15”，现为“2026-09-30”）" in problems
    assert any(p.startswith("案件2026-00001的申请内容与其事件记录不符") for p in problems)
    assert "案件2026-00001的办理状态与其事件记录不符（记录为“待签收”，现为“已办结”）" in problems


def test_verify_finds_an_edited_or_deleted_administrative_action(registry, staff):
    """The audit log (users, settings, templates, calendar, report unlocks) is chained like the events;
    a backup anchors its end."""
    from desktop.services import agency

    agency.update_settings(registry, staff["admin"], {"contact_phone": "022-1"})
    agency.update_settings(registry, staff["admin"], {"contact_phone": "022-2"})
    backup.create(registry)
    assert backup.integrity_problems(registry) == []
    first = registry.conn.execute("SELECT min(id) FROM audit_log").fetchone()[0]
    registry.conn.execute("UPDATE audit_log SET payload = '{}' WHERE id = ?", (first,))
    assert any(p.startswith(f"管理操作记录{first}（") and p.endswith("的内容被改动") for p in backup.integrity_problems(registry))
    last = registry.conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    registry.conn.execute("DELETE FROM audit_log WHERE id = ?", (last,))
    assert any(f"管理操作记录{last}在备份" in p and "记录被删除" in p for p in backup.integrity_problems(registry))
