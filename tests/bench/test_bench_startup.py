"""The benchmark's start-up figure runs the real path (issue #19): the command, the page check, the login
dialog typed into with key events, the password checked on another thread while the main window's frame
is shown, then its content. Run here on a small registry in fresh processes, as the benchmark does."""

import pytest

from desktop.services import users
from desktop.services.base import Registry
from desktop.services.generate import generate
from desktop.ui import bench
from tests.conftest import ON_SERVER, TODAY

pytestmark = pytest.mark.skipif(ON_SERVER, reason="the benchmark's start-up runs on a registry file")


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.db"
    reg = Registry.open(path, today=lambda: TODAY)
    generate(reg, 500, years=2, seed=3)
    users.create_user(reg, None, "bench", "基准", "bench2026", ["clerk", "office_head"])
    reg.close()
    return path


@pytest.mark.parametrize("per_key", ["0", "0.02"])
def test_the_real_start_shows_the_frame_then_the_content_and_counts_no_failed_login(small, tmp_path, per_key):
    first = bench._run(bench._START_PROJECT, str(small), per_key, pycache=tmp_path / "pyc")
    assert first["login_painted"] < first["enter"] <= first["window"] <= first["painted"] and first["rss"] > 0
    again = bench._run(bench._START_PROJECT, str(small), per_key, pycache=tmp_path / "pyc")
    assert again["painted"] > 0
    reg = Registry.open(small, today=lambda: TODAY)
    try:
        # Enter after the login name moves to the password: it does not try an empty one
        row = reg.conn.execute("SELECT failed_attempts FROM users WHERE login = 'bench'").fetchone()
        assert row[0] == 0
    finally:
        reg.close()
    backups = sorted((small.parent / "small-backups").glob("*.ddbak"))
    # the first session backs up at exit (its first write of the day); the second changed nothing
    assert len([b for b in backups if b.name.endswith("-exit.ddbak")]) == 1
