"""A registry shared by several PCs: moving it between backends, backups either backend restores,
many writers at once, and seats that see each other. Most of these need the test server."""

import os
import subprocess
import sys
import textwrap
import zipfile
from datetime import date
from pathlib import Path

import pytest

import db.migrations as migrations
from db import connection
from db import copy as copy_db
from desktop.cli import main
from desktop.services import annual, attachments, backup, cases, letters
from desktop.services.base import Registry, ServiceError
from tests.conftest import TODAY
from tests.helpers import approved_case, person_form

server = pytest.mark.server


def _with_files(registry, staff, tmp_path):
    """The annual-report dataset plus an issued reply and an attachment."""
    case_id = approved_case(registry, staff, "disclose", received_on="2026-09-15")
    letters.issue_reply(registry, staff["clerk"], case_id, date(2026, 10, 15))
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned application " + bytes(range(256)))
    attachments.add(registry, staff["clerk"], case_id, scan, "application_scan")
    return case_id, scan


def _events(reg):
    return [tuple(r) for r in reg.conn.execute("SELECT id, case_id, type, payload, prev_hash, hash FROM case_events"
                                               " ORDER BY id")]


@server
def test_copy_to_moves_a_registry_from_the_server_to_a_file_and_back(registry, office, dataset, tmp_path,
                                                                      make_target, capsys):
    case_id, scan = _with_files(registry, office, tmp_path)
    archive = tmp_path / "archive.db"
    assert main(["--db", registry.target, "copy-to", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "审计链完整" in out and "各年度报告与原数据库一致" in out
    back = make_target("back", empty=True)
    assert main(["--db", str(archive), "copy-to", back]) == 0
    for target in (archive, back):
        copy = Registry.open(target, today=lambda: TODAY)
        try:
            assert copy_db.row_counts(copy.conn) == copy_db.row_counts(registry.conn)
            assert _events(copy) == _events(registry)
            assert backup.integrity_problems(copy) == []
            assert annual.years_that_differ(copy, registry) == []
            stored = attachments.for_case(copy, case_id)[0]
            assert attachments.local_copy(copy, stored).read_bytes() == scan.read_bytes()
            reply = letters.latest(copy, case_id, "reply")
            assert letters.verified_file(copy, reply).read_bytes().startswith(b"%PDF")
            # the copy is a working registry: new ids follow the copied ones, search finds old cases
            new = cases.register_case(copy, office["clerk"], person_form(name="新来的")).case_ids[0]
            assert new > case_id
            assert cases.similar_requests(copy, "申请公开2025年度养老机构补贴发放明细")
        finally:
            copy.close()
    # a target that already holds a registry is refused, and left as it was
    assert main(["--db", registry.target, "copy-to", str(archive)]) == 2
    assert "不是空的" in capsys.readouterr().err


@server
def test_a_backup_of_the_server_restores_into_a_file_and_into_a_server(registry, office, tmp_path, make_target):
    case_id, scan = _with_files(registry, office, tmp_path)
    info = backup.create(registry, tmp_path / "backups")
    with zipfile.ZipFile(info.path) as z:
        assert {"registry.db", "manifest.json"} <= set(z.namelist())
    assert (info.cases, info.files) == (1, 2)  # the reply and the scan
    as_file = tmp_path / "restored.db"
    assert backup.restore(as_file, info.path) is None  # nothing was there before
    elsewhere = make_target("elsewhere")  # an empty server registry
    backup.restore(elsewhere, info.path)
    for target in (as_file, elsewhere):
        reg = Registry.open(target, today=lambda: TODAY)
        try:
            assert _events(reg) == _events(registry)
            assert backup.integrity_problems(reg) == []
            stored = attachments.for_case(reg, case_id)[0]
            assert attachments.local_copy(reg, stored).read_bytes() == scan.read_bytes()
        finally:
            reg.close()


@server
def test_restoring_a_server_is_refused_while_another_pc_is_connected(registry, office, tmp_path):
    cases.register_case(registry, office["clerk"], person_form())
    info = backup.create(registry, tmp_path)
    cases.register_case(registry, office["clerk"], person_form(name="后来登记"))
    with pytest.raises(ServiceError, match="还有1处正在使用这个数据库：.*请先让他们退出本系统"):
        backup.restore(registry.target, info.path)  # the test's own connection is the other PC
    target = registry.target
    registry.close()
    safety = backup.restore(target, info.path)
    reg = Registry.open(target, today=lambda: TODAY)
    try:
        assert reg.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
        assert backup.check(safety)[0] == 2  # what was there before, kept
    finally:
        reg.close()


def test_an_upgrade_reads_the_old_files_folder_into_the_database(registry, office, tmp_path):
    if registry.conn.dialect != "sqlite":
        pytest.skip("a file registry's upgrade")
    case_id, scan = _with_files(registry, office, tmp_path)
    # as version 10 kept them: files in the folder beside the database, none in the database
    from db.migrations import files_folder

    folder = files_folder(registry.path)
    for table in ("attachments", "letters"):
        for name, sha in registry.conn.execute(f"SELECT stored_name, sha256 FROM {table}").fetchall():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(registry.conn.execute(
                "SELECT content FROM file_contents WHERE sha256 = ?", (sha,)).fetchone()[0])
    registry.conn.execute("DROP TABLE file_contents")
    registry.conn.execute("DROP INDEX cases_concluded_before_received")  # made by step 12
    registry.conn.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")  # and step 13
    registry.conn.execute("ALTER TABLE audit_log DROP COLUMN hash")
    registry.conn.execute("DROP INDEX case_events_by_actor")  # step 14
    registry.conn.execute("DROP INDEX applicants_by_phone_digits")  # step 15
    registry.conn.execute("ALTER TABLE cases DROP COLUMN clock_note")  # step 16
    registry.conn.execute("DROP INDEX case_events_for_ledger")  # step 17
    registry.conn.execute("PRAGMA user_version = 10")
    path = registry.path
    registry.close()
    reg = Registry.open(path, today=lambda: TODAY)
    try:
        assert connection.schema_version(reg.conn) == migrations.latest_version()
        assert backup.integrity_problems(reg) == []
        stored = attachments.for_case(reg, case_id)[0]
        assert attachments.local_copy(reg, stored).read_bytes() == scan.read_bytes()
        assert list(path.parent.glob("registry.v10-*.bak.db"))  # the copy kept before the upgrade
    finally:
        reg.close()


LOAD_WORKER = textwrap.dedent("""
    import sys
    from datetime import date
    from desktop.services import cases, users
    from desktop.services.base import Registry
    from tests.helpers import person_form, resident_id

    target, n, count, division, clerk_id, head_id = sys.argv[1], *map(int, sys.argv[2:])
    reg = Registry.open(target, today=lambda: date(2026, 11, 20))
    clerk, head = users.actor_for(reg, clerk_id), users.actor_for(reg, head_id)
    for i in range(count):
        case_id = cases.register_case(reg, clerk, person_form(name=f"座席{n}号{i}", id_number=resident_id(100 * n + i))
                                      ).case_ids[0]
        cases.fire(reg, head, case_id, "assign", date(2026, 9, 16), {"lead_division_id": division})
    reg.close()
""")


@server
def test_eight_pcs_registering_at_once(registry, staff, tmp_path):
    """8 processes × 200 registrations, each followed by an assignment: no error, 1 600 distinct case
    numbers, and the event hash chain intact."""
    script = tmp_path / "seat.py"
    script.write_text(LOAD_WORKER, encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, str(script), str(registry.target), str(n), "200",
                               str(staff["planning_id"]), str(staff["clerk"].user_id), str(staff["head"].user_id)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=str(Path(__file__).parents[2]),
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
             for n in range(8)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err[-2000:] for _out, err in results]
    numbers = [r[0] for r in registry.conn.execute("SELECT case_no FROM cases")]
    assert len(numbers) == len(set(numbers)) == 1600
    assert registry.conn.execute("SELECT count(*) FROM case_events").fetchone()[0] == 3200
    assert backup.integrity_problems(registry) == []
