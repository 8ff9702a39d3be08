"""The generated registry of the benchmark and the big-list tests (issue #19): each case with the history
a case handled in the program has (≈9 events), its row what the replay of those events derives, the
events of different cases interleaved by date in one sound hash chain."""

from collections import Counter

from desktop.services import backup
from desktop.services.generate import generate


def test_generated_cases_have_realistic_histories_and_pass_verify(registry):
    generate(registry, 2000, years=3, seed=11)
    conn = registry.conn
    events = conn.execute("SELECT count(*) FROM case_events").fetchone()[0]
    assert 8.5 <= events / 2000 <= 11
    types = Counter(r[0] for r in conn.execute("SELECT type FROM case_events"))
    for step in ("register", "assign", "sign_for", "draft", "submit_for_review", "review_approve",
                 "leader_approve", "reply_issued", "delivered", "archive"):
        assert types[step] > 0, step
    assert types["register"] == 2000 and "ledger_import" not in types
    states = Counter(r[0] for r in conn.execute("SELECT state FROM cases"))
    assert states["archived"] > 1500 and states["handling"] > 0  # old cases filed, recent ones at work
    # the chain follows the dates: a case's events are interleaved with other cases'
    order = [r[0] for r in conn.execute("SELECT case_id FROM case_events ORDER BY id LIMIT 3000")]
    assert order != sorted(order)
    assert backup.integrity_problems(registry) == []


def test_the_same_seed_makes_the_same_registry(tmp_path):
    from desktop.services.base import Registry
    from tests.conftest import TODAY

    def made(name):
        reg = Registry.open(tmp_path / name, today=lambda: TODAY)
        generate(reg, 300, years=2, seed=3)
        rows = reg.conn.execute("SELECT case_no, state, due_on, outcome FROM cases ORDER BY id").fetchall()
        last = reg.conn.execute("SELECT hash FROM case_events ORDER BY id DESC LIMIT 1").fetchone()[0]
        reg.close()
        return [tuple(r) for r in rows], last

    assert made("a.db") == made("b.db")  # the same rows, and the same events to the last hash
