"""Backups at big-registry speed (issue #19): a faster deflate every zip reader still reads, the full check
of the copy beside its compression, and no second identical backup when a window closes on a registry
nobody changed since the last one."""

import zipfile

import pytest

from desktop.services import backup, cases
from desktop.services.base import SYSTEM, Registry
from tests.conftest import ON_SERVER, TODAY
from tests.helpers import person_form

pytestmark = pytest.mark.skipif(ON_SERVER, reason="a window's exit backup is made for a registry file")


def session(path):
    """What run_window does around a window session: open, note the start, ..., back up, close."""
    reg = Registry.open(path, today=lambda: TODAY)
    return reg, backup.session_start(reg)


def close(reg, started):
    info = backup.at_exit(reg, started)
    reg.close()
    backup.mark_closed_cleanly(reg.path)
    return info


def test_a_backup_is_plain_deflate_that_restores(registry, tmp_path):
    cases.register_case(registry, SYSTEM, person_form())
    info = backup.create(registry, tmp_path / "b")
    with zipfile.ZipFile(info.path) as z:
        assert z.testzip() is None
        entry = z.getinfo(backup.DB_NAME)
        assert entry.compress_type == zipfile.ZIP_DEFLATED and entry.compress_size < entry.file_size / 2
        assert "deflate" in __import__("json").loads(z.read(backup.MANIFEST))["compression"]
    assert backup.check(info.path) == (1, 0)
    target = tmp_path / "restored.db"
    backup.restore(target, info.path)
    again = Registry.open(target, today=lambda: TODAY)
    try:
        assert again.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    finally:
        again.close()


def test_an_old_style_backup_made_with_zlib_level_6_still_restores(registry, tmp_path):
    cases.register_case(registry, SYSTEM, person_form())
    info = backup.create(registry, tmp_path / "b")
    old = tmp_path / "old.ddbak"
    with zipfile.ZipFile(info.path) as z, zipfile.ZipFile(old, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for name in z.namelist():
            out.writestr(name, z.read(name))
    target = tmp_path / "restored.db"
    backup.restore(target, old)
    assert backup.check(old)[0] == 1


def test_the_exit_backup_is_skipped_only_when_nothing_changed_since_the_last_one(tmp_path):
    path = tmp_path / "registry.db"
    folder = tmp_path / "registry-backups"
    reg, started = session(path)
    cases.register_case(reg, SYSTEM, person_form())
    assert close(reg, started) is not None  # a first session: backed up
    assert len(list(folder.glob("*.ddbak"))) == 1

    reg, started = session(path)
    reg.conn.execute("SELECT count(*) FROM cases").fetchone()  # only looked
    assert close(reg, started) is None
    assert len(list(folder.glob("*.ddbak"))) == 1

    reg, started = session(path)
    assert close(reg, started) is None  # still the same: still skipped

    reg, started = session(path)
    cases.register_case(reg, SYSTEM, person_form(name="李四"))
    assert close(reg, started) is not None  # a change: backed up
    assert len(list(folder.glob("*.ddbak"))) == 2


def test_a_change_by_another_connection_or_program_is_backed_up(tmp_path):
    path = tmp_path / "registry.db"
    reg, started = session(path)
    close(reg, started)
    reg, started = session(path)
    other = Registry.open(path, today=lambda: TODAY)  # another seat, or a worker thread of the window
    cases.register_case(other, SYSTEM, person_form())
    other.close()
    assert close(reg, started) is not None

    # between two sessions, the command line changed the file: the next exit backs it up
    reg = Registry.open(path, today=lambda: TODAY)
    cases.register_case(reg, SYSTEM, person_form(name="王五"))
    reg.close()
    reg, started = session(path)
    assert not started.backed_up
    assert close(reg, started) is not None


def test_a_session_that_crashed_is_backed_up_at_the_next_exit(tmp_path):
    path = tmp_path / "registry.db"
    reg, started = session(path)
    close(reg, started)
    reg, started = session(path)  # this session never closes (the process was killed)
    cases.register_case(reg, SYSTEM, person_form())
    reg.close()
    reg, started = session(path)
    assert not started.backed_up
    assert close(reg, started) is not None


def test_a_newer_backup_elsewhere_than_noted_means_backing_up_again(tmp_path):
    path = tmp_path / "registry.db"
    reg, started = session(path)
    close(reg, started)
    for old in (tmp_path / "registry-backups").glob("*.ddbak"):
        old.unlink()  # the noted backup is gone (deleted, or rotated away)
    reg, started = session(path)
    assert not started.backed_up
    assert close(reg, started) is not None
