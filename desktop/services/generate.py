"""A seeded generator of large realistic registries (for UI tests and benchmarks).

Each case is recorded as one ``ledger_import`` event carrying its facts — as if taken over from an
older system — so state, due dates and outcomes are derived exactly as for any imported case.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from db.copy import reset_sequences
from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import search as search_q
from db.queries import settings as settings_q
from desktop.domain import outcomes, workflow
from desktop.services import agency
from desktop.services.base import Registry
from desktop.services.cases import CASE_NO_KIND, derived_values
from desktop.services.demo import CITIES, DOCS, GIVEN, ORGS, SURNAMES, TOPICS, _credit_code, _person_id

GENERATOR_VERSION = 2  # bump when generated facts or their projection change (benchmark databases are rebuilt)
DIVISIONS = ("办公室", "规划发展处", "社会事务处", "财务审计处", "法规处", "基层政权建设处", "养老服务处",
             "社会救助处", "慈善事业促进处", "区划地名处")
_TYPES = ("自然人",) * 14 + ("商业企业", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_OUTCOME_WEIGHTS = {o.code: w for o, w in zip(outcomes.CATALOGUE, (
    8, 30, 10, 1, 1, 1, 3, 2, 4, 2, 1, 12, 4, 2, 1, 3, 2, 1, 1, 1, 3, 1, 2), strict=True)}


def generate(reg: Registry, count: int, years: int = 10, seed: int = 1,
             progress: Callable[[int, int], None] | None = None, batch: int = 20000) -> None:
    """Add ``count`` cases received over the last ``years`` years (plus applicants and divisions)."""
    rng = random.Random(seed)
    agency.ensure_defaults(reg)
    with reg.transaction():
        existing = {r["name"]: r["id"] for r in settings_q.divisions(reg.conn)}
        division_ids = [existing.get(n) or settings_q.insert_division(reg.conn, n) for n in DIVISIONS]
    cal, today, now = reg.calendar(), reg.today(), reg.now()
    start = today - timedelta(days=365 * years)
    span = (today - start).days
    codes, weights = list(_OUTCOME_WEIGHTS), list(_OUTCOME_WEIGHTS.values())
    applicants: list[tuple[int, str]] = []
    next_applicant = applicants_q.max_id(reg.conn) + 1
    next_case = cases_q.max_id(reg.conn) + 1
    seq_by_year: dict[int, int] = {}
    done = 0
    while done < count:
        n = min(batch, count - done)
        new_applicants, new_cases, indexed, events = [], [], [], []
        for i in range(n):
            received = start + timedelta(days=int(span * (done + i + rng.random()) / count))
            received = cal.first_workday_on_or_after(received)
            if received > today:
                received = today
            if applicants and rng.random() < 0.35:
                applicant_id, name, applicant_type = applicants[rng.randrange(len(applicants))]
            else:
                applicant_type = rng.choice(_TYPES)
                if applicant_type == "自然人":
                    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                    ident = ("居民身份证", _person_id(rng))
                else:
                    c = rng.randrange(0, len(CITIES) // 2) * 2
                    name = rng.choice(ORGS).format(c=CITIES[c:c + 2])
                    ident = ("统一社会信用代码", _credit_code(rng))
                applicant_id = next_applicant
                next_applicant += 1
                new_applicants.append((applicant_id, "person" if applicant_type == "自然人" else "org",
                                       applicant_type, name, *ident,
                                       f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}", now))
                applicants.append((applicant_id, name, applicant_type))
            year = received.year
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            case_no = f"{year}-{seq_by_year[year]:06d}"
            text = f"申请公开{received.year}年{rng.choice(TOPICS)}的{rng.choice(DOCS)}（{rng.randrange(1000)}号）"
            facts = _facts(rng, cal, received, today, division_ids, codes, weights)
            replayed = workflow.replay([workflow.Event("ledger_import", received, facts)])
            derived = derived_values(replayed, cal, today)
            case_id = next_case
            next_case += 1
            new_cases.append((case_id, case_no, applicant_id, name, applicant_type,
                              rng.choice(("当面", "邮寄", "网络", "网络", "传真")),
                              received.isoformat(), text, now, derived["state"], derived["lead_division_id"],
                              derived["due_on"], derived["paused"], derived["outcome"], derived["concluded_on"],
                              derived["overdue"]))
            indexed.append((case_id, received.isoformat(), text, name))
            events.append((case_id, facts))
        with reg.transaction():
            applicants_q.insert_many_with_ids(reg.conn, new_applicants)
            cases_q.insert_many_with_ids(reg.conn, new_cases)
            search_q.index_cases(reg.conn, indexed)
            events_q.append_many(reg.conn, [(cid, "ledger_import", f["received_on"], now, None,
                                             {**f, "source": "generated"}) for cid, f in events])
            for year, last in seq_by_year.items():
                settings_q.raise_sequence(reg.conn, CASE_NO_KIND, year, last)
            reset_sequences(reg.conn)  # PostgreSQL: the next ids follow the ones chosen here
        done += n
        if progress:
            progress(done, count)


def _facts(rng: random.Random, cal, received: date, today: date, division_ids: list[int],
           codes: list[str], weights: list[int]) -> dict:
    facts: dict = {"received_on": received.isoformat(), "lead_division_id": rng.choice(division_ids[1:]),
                   "extension_days": 0}
    age = cal.count_workdays(received, today)
    r = rng.random()
    if r < 0.04 and age > 3:
        facts["correction_notice_on"] = cal.add_workdays(received, 3).isoformat()
        if age > 12 and rng.random() < 0.6:
            facts["corrected_on"] = cal.add_workdays(received, 10).isoformat()
    if rng.random() < 0.05 and age > 8:
        start = cal.add_workdays(received, 5)
        facts["pause_start"] = start.isoformat()
        end = cal.add_workdays(start, rng.randint(3, 15))
        facts["pause_end"] = end.isoformat() if end <= today else None
    if rng.random() < 0.08 and age > 15:
        facts["extension_days"] = rng.choice((5, 10, 20))
    concluded_after = rng.randint(5, 24 + facts["extension_days"])
    if age > concluded_after + 12 or (age > concluded_after and rng.random() < 0.5):
        if facts.get("correction_notice_on") and not facts.get("corrected_on"):
            facts["outcome"] = "other_no_correction"
            facts["concluded_on"] = cal.add_workdays(received, 20).isoformat()
        elif not (facts.get("pause_start") and not facts.get("pause_end")):
            facts["outcome"] = rng.choices(codes, weights=weights)[0]
            base = date.fromisoformat(facts.get("corrected_on") or facts["received_on"])
            if facts.get("pause_end"):
                concluded_after += cal.count_workdays(date.fromisoformat(facts["pause_start"]),
                                                      date.fromisoformat(facts["pause_end"]))
            facts["concluded_on"] = min(cal.add_workdays(base, concluded_after), today).isoformat()
    if "outcome" not in facts and rng.random() < 0.15:
        facts["lead_division_id"] = None
    return facts
