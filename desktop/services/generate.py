"""A seeded generator of large realistic registries (for UI tests and benchmarks).

Each case gets the history a case handled in this program has: registered, assigned, signed for,
drafted, reviewed, approved, replied to, delivered and filed, with the occasional correction,
consultation, extension, note or withdrawal on the way (≈9 events a case, as in real use). The case
row is what the replay of those events derives, as for any case; the events of different cases are
chained in the order of their dates, interleaved as they are when many cases run at once.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, timedelta

from db.copy import reset_sequences
from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import settings as settings_q
from desktop.domain import outcomes, workflow
from desktop.services import agency
from desktop.services.base import Registry
from desktop.services.cases import CASE_NO_KIND
from desktop.services.cases.creation import NewCase, create_cases
from desktop.services.demo import CITIES, DOCS, GIVEN, ORGS, SURNAMES, TOPICS, _credit_code, _person_id

GENERATOR_VERSION = 3  # bump when generated facts or their projection change (benchmark databases are rebuilt)
DIVISIONS = ("办公室", "规划发展处", "社会事务处", "财务审计处", "法规处", "基层政权建设处", "养老服务处",
             "社会救助处", "慈善事业促进处", "区划地名处")
_TYPES = ("自然人",) * 14 + ("商业企业", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_OUTCOME_WEIGHTS = {o.code: w for o, w in zip(outcomes.CATALOGUE, (
    8, 30, 10, 1, 1, 1, 3, 2, 4, 2, 1, 12, 4, 2, 1, 3, 2, 1, 1, 1, 3, 1, 2), strict=True)}
# what a reply says, in the length a drafted decision has (the events hold it, as they do in use)
_DECISIONS = ("经审查，您申请公开的{t}属于公开范围，现将有关信息提供给您，请查收。",
              "经检索，本机关未制作或获取您申请公开的{t}，该信息不存在。",
              "您申请公开的{t}已主动公开，可在本机关门户网站政府信息公开专栏查阅。",
              "您申请公开的{t}涉及第三方合法权益，经征求意见，第三方不同意公开，决定不予公开。")
_NOTES = ("已电话联系申请人核实申请内容", "已调取相关档案材料", "与业务处室会商答复口径", "申请人来电询问办理进度")
CHAIN_COLUMNS = ("case_id", "type", "effective_on", "recorded_at", "actor_id", "payload")


def generate(reg: Registry, count: int, years: int = 10, seed: int = 1,
             progress: Callable[[int, int], None] | None = None, batch: int = 20000) -> None:
    """Add ``count`` cases received over the last ``years`` years (plus applicants and divisions)."""
    rng = random.Random(seed)
    agency.ensure_defaults(reg)
    with reg.transaction():
        existing = {r["name"]: r["id"] for r in settings_q.divisions(reg.conn)}
        division_ids = [existing.get(n) or settings_q.insert_division(reg.conn, n) for n in DIVISIONS]
        office = settings_q.office_division_id(reg.conn)
    cal, today, now = reg.calendar(), reg.today(), reg.now()
    days = _Days(cal)
    start = today - timedelta(days=365 * years)
    span = (today - start).days
    codes, weights = list(_OUTCOME_WEIGHTS), list(_OUTCOME_WEIGHTS.values())
    applicants: list[tuple[int, str, str]] = []
    next_applicant = applicants_q.max_id(reg.conn) + 1
    next_case = cases_q.max_id(reg.conn) + 1
    seq_by_year: dict[int, int] = {}
    pending: list[tuple[str, int, int, tuple]] = []  # events not yet chained: (date, case, order, row)
    done = 0
    while done < count:
        n = min(batch, count - done)
        new_applicants, new_cases = [], []
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
            topic = rng.choice(TOPICS)
            text = f"申请公开{received.year}年{topic}的{rng.choice(DOCS)}（{rng.randrange(1000)}号）"
            channel = rng.choice(("当面", "邮寄", "网络", "网络", "传真"))
            case_id = next_case
            next_case += 1
            history = _history(rng, days, received, today, office, division_ids, codes, weights, topic,
                               {"received_on": received.isoformat(), "channel": channel, "request_text": text,
                                "applicant_name": name, "applicant_type": applicant_type})
            history.sort(key=lambda e: e[1])  # stable: the order of the steps within a day is kept
            new_cases.append(NewCase(case_no, applicant_id, name, applicant_type, channel, received.isoformat(),
                                     text, history))
            for order, (type_, on, payload) in enumerate(history):
                day = on.isoformat()
                # entered during the working day, in the order the steps were taken
                recorded = f"{day}T{9 + (case_id * 7 + order) % 8:02d}:{(case_id * 13) % 60:02d}:{order:02d}"
                heapq.heappush(pending, (day, case_id, order, (case_id, type_, day, recorded, None, payload)))
        # events dated before the last case received so far cannot be preceded by any case still to come
        horizon = received.isoformat() if done + n < count else "9999"
        ready = []
        while pending and pending[0][0] < horizon:
            ready.append(heapq.heappop(pending)[3])
        with reg.transaction():
            applicants_q.insert_many_with_ids(reg.conn, new_applicants)
            # the events are chained below, all cases' together in the order of their dates
            create_cases(reg, new_cases, None, created_at=now, first_id=next_case - n, write_events=False)
            events_q.append_many(reg.conn, ready)
            for year, last in seq_by_year.items():
                settings_q.raise_sequence(reg.conn, CASE_NO_KIND, year, last)
            reset_sequences(reg.conn)  # PostgreSQL: the next ids follow the ones chosen here
        done += n
        if progress:
            progress(done, count)


def _history(rng: random.Random, cal: _Days, received: date, today: date, office: int, division_ids: list[int],
             codes: list[str], weights: list[int], topic: str, registered: dict) -> list[tuple[str, date, dict]]:
    """The events of one case, oldest first: (type, date, payload), as the services record them."""
    events: list[tuple[str, date, dict]] = []
    state = ["registered"]

    def add(type_: str, on: date, payload: dict | None = None) -> None:
        before = state[0]
        target = workflow.TRANSITIONS[type_].target
        state[0] = target or before
        record = dict(payload or {})
        if type_ not in ("note", "draft"):
            record.update({"before": {"state": before}, "after": {"state": state[0]}})
        events.append((type_, on, record))

    events.append(("register", received, {**registered, "after": {"state": "registered"}}))
    age = cal.count(received, today)

    def day(n: int) -> date | None:
        """The n-th working day after receipt (after the restart once corrected), None if not yet come."""
        d = cal.add(base, n)
        return d if d <= today else None

    base = received
    if rng.random() < 0.04 and age > 3:
        notice_on = cal.add(received, 3)
        period_end = cal.add(notice_on, 15)
        add("correction_notice", notice_on, {"items": ["请明确所需政府信息的名称、文号或者便于查询的其他特征性描述"],
                                             "period_days": 15, "period_end": period_end.isoformat()})
        if age > 12 and rng.random() < 0.6:
            base = cal.add(received, 10)
            add("corrected", base)
        else:
            ended = cal.add(period_end, 1)
            if ended <= today:
                add("abandoned", ended, {"period_end": period_end.isoformat()})
                if cal.add(ended, 20) <= today:
                    add("archive", cal.add(ended, 20))
            return events
    extension = rng.choice((5, 10, 20)) if rng.random() < 0.08 and age > 15 else 0
    concluded_after = rng.randint(5, 24 + extension)
    concluding = age > concluded_after + 12 or (age > concluded_after and rng.random() < 0.5)
    if not concluding and rng.random() < 0.15:
        return events  # still waiting to be assigned
    if rng.random() < 0.25:  # the office handles it itself
        if day(1) is None:
            return events
        add("handle_in_office", day(1), {"lead_division_id": office})
    else:
        lead = rng.choice(division_ids[1:])
        for n, type_, payload in ((1, "assign", {"lead_division_id": lead, "co_division_ids": []}),
                                  (2, "sign_for", None)):
            on = day(n)
            if on is None:
                return events
            add(type_, on, payload)
    if rng.random() < 0.2 and day(3):
        add("note", day(3), {"text": rng.choice(_NOTES)})
    paused_days = 0
    if rng.random() < 0.05 and age > 8 and concluded_after > 6:
        start = day(5)
        if start is None:
            return events
        add("consultation_start", start, {"kind": "third_party", "to": "第三方"})
        end = cal.add(start, rng.randint(3, 15))
        if end > today:
            return events  # still waiting for the answer
        add("consultation_end", end, {"answer": "不同意公开"})
        paused_days = cal.count(start, end)
    if extension and concluded_after > 12 + extension // 2:
        asked = cal.add(base, 12 + paused_days)
        if asked <= today:
            add("extension_request", asked, {"reason": "需要调取的档案材料较多"})
            add("extension_approve", cal.add(asked, 1) if cal.add(asked, 1) <= today else asked,
                {"days": extension})
    concluded_on = cal.add(base, concluded_after + paused_days)
    last = events[-1][1]
    if concluded_on <= last:
        concluded_on = cal.add(last, 4)
    if rng.random() < 0.02 and concluded_on <= today:
        add("withdrawn", concluded_on, {"reason": "申请人书面撤回申请"})
        filed = cal.add(concluded_on, rng.randint(10, 40))
        if filed <= today:
            add("archive", filed)
        return events
    outcome = rng.choices(codes, weights=weights)[0]
    steps = (("draft", 4, {"outcome": outcome, "decision": rng.choice(_DECISIONS).format(t=topic)}),
             ("submit_for_review", 3, None), ("review_approve", 2, None), ("leader_approve", 1, None))
    for type_, before_end, payload in steps:
        on = max(cal.add(last, 1), cal.before(concluded_on, before_end))
        if on > today or (not concluding and rng.random() < 0.35):
            return events
        add(type_, on, payload)
        last = on
    if not concluding:
        return events
    replied = max(concluded_on, cal.add(last, 1))
    if replied > today:
        return events
    add("reply_issued", replied, {"outcome": outcome})
    delivered = cal.add(replied, rng.choice((1, 2, 3)))
    # a delivery is recorded when the receipt comes back (a few days later); finished cases are filed
    # in batches every month or two, so the lists of what waits for either stay short
    if delivered <= today and (cal.add(delivered, 5) <= today or rng.random() < 0.5):
        add("delivered", delivered, {"route": rng.choice(("邮寄", "电子邮件", "当面领取"))})
        filed = cal.add(delivered, rng.randint(10, 40))
        if filed <= today:
            add("archive", filed)
    return events


class _Days:
    """The calendar's arithmetic the histories need, remembered (a million cases ask the same few
    thousand questions over and over)."""

    def __init__(self, cal):
        self.cal = cal
        self._after: dict[tuple[date, int], date] = {}
        self._before: dict[tuple[date, int], date] = {}
        self._count: dict[tuple[date, date], int] = {}

    def add(self, start: date, n: int) -> date:
        key = (start, n)
        found = self._after.get(key)
        if found is None:
            found = self._after[key] = self.cal.add_workdays(start, n)
        return found

    def before(self, d: date, n: int) -> date:
        """The n-th working day before ``d``."""
        key = (d, n)
        found = self._before.get(key)
        if found is None:
            found = self._before[key] = self.cal.workdays_in(d - timedelta(days=3 * n + 20), d - timedelta(days=1))[-n]
        return found

    def count(self, after: date, upto: date) -> int:
        key = (after, upto)
        found = self._count.get(key)
        if found is None:
            found = self._count[key] = self.cal.count_workdays(after, upto)
        return found
