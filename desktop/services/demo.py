"""Demo data: an agency, a user per role and a few hundred cases driven through the real services.

Every case is made by the same service calls the window uses, with dates no later than today, so its
state, deadlines and outcome are what the workflow produces — nothing is written directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from db.queries import cases as cases_q
from db.queries import settings as settings_q
from db.queries import users as users_q
from desktop.domain import identity, outcomes
from desktop.services import agency, cases, users
from desktop.services.base import Actor, Registry, ServiceError

DIVISIONS = ("办公室", "规划发展处", "社会事务处", "财务审计处", "法规处", "基层政权建设处")
DEMO_USERS = (
    # login, name, roles, division, password
    ("admin", "系统管理员", ("admin",), None, "admin2026"),
    ("clerk", "张敏", ("clerk",), None, "clerk2026"),
    ("head", "李强", ("office_head",), None, "head2026"),
    ("planning", "王芳", ("division",), "规划发展处", "div2026a"),
    ("social", "刘洋", ("division",), "社会事务处", "div2026b"),
    ("finance", "周杰", ("division",), "财务审计处", "div2026c"),
    ("reviewer", "赵磊", ("reviewer",), "法规处", "review2026"),
    ("leader", "陈静", ("leader",), None, "leader2026"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆喆堃镕彧琛昊睿"
ORGS = ("{c}宏远建设工程有限公司", "{c}市律师协会", "{c}大学公共管理学院", "{c}环保公益促进会",
        "{c}德衡律师事务所", "{c}瑞丰商贸有限公司", "{c}社会科学院", "{c}市物业管理协会")
CITIES = "天津北京河北山西辽宁上海江苏浙江"
TOPICS = ("城市总体规划修编", "养老机构补贴发放", "社区居委会换届选举", "低保资金使用", "婚姻登记服务窗口",
          "殡葬设施建设规划", "社会组织年检结果", "专项资金审计报告", "老旧小区改造", "慈善募捐备案",
          "地名命名审批", "残疾人两项补贴", "临时救助标准", "政府采购合同", "行政处罚决定书")
DOCS = ("相关文件", "审批材料", "会议纪要", "资金拨付明细", "实施方案", "统计数据", "决定书及依据")


@dataclass(frozen=True)
class DemoLogin:
    login: str
    name: str
    roles: tuple[str, ...]
    password: str


def _person_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
    first17 = f"120101{born:%Y%m%d}{rng.randrange(100, 999)}"
    return first17 + identity.resident_id_check_char(first17)


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91120" + "".join(rng.choice(alphabet) for _ in range(12))
    return first17 + identity.credit_code_check_char(first17)


def _applicant(rng: random.Random, pool: list[dict]) -> dict:
    if pool and rng.random() < 0.3:
        return dict(rng.choice(pool))  # a repeat applicant
    if rng.random() < 0.7:
        a = {"applicant_type": "自然人", "name": rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))), "id_type": "居民身份证",
            "id_number": _person_id(rng), "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            "address": f"天津市和平区{rng.choice(('南京路', '成都道', '西康路'))}{rng.randrange(1, 300)}号"}
    else:
        kind = rng.choice(ORGS)
        applicant_type = ("商业企业" if "公司" in kind else "法律服务机构" if "律师" in kind else
                          "科研机构" if ("学院" in kind or "科学院" in kind) else
                          "社会公益组织" if "公益" in kind else "其他")
        c = rng.randrange(0, len(CITIES) // 2) * 2
        a = {"applicant_type": applicant_type, "name": kind.format(c=CITIES[c:c + 2]),
             "id_type": "统一社会信用代码", "id_number": _credit_code(rng),
             "phone": f"022-{rng.randrange(20000000, 29999999)}", "address": "天津市河西区友谊路10号"}
    pool.append(a)
    return dict(a)


def fill(reg: Registry, cases_count: int = 300, seed: int = 2026) -> list[DemoLogin]:
    """Fill an empty database; returns the demo logins (printed by the command line)."""
    if cases_q.count(reg.conn) or users_q.count(reg.conn):
        raise ServiceError("数据库中已有数据，演示数据只能写入空数据库")
    agency.ensure_defaults(reg)
    with reg.transaction():
        settings_q.put(reg.conn, "agency_name", "天津市民政局（演示）")
        settings_q.put(reg.conn, "doc_no_prefix", "津民公开")
        settings_q.put(reg.conn, "reconsideration_body", "天津市人民政府")
        settings_q.put(reg.conn, "court", "天津市和平区人民法院")
        settings_q.put(reg.conn, "contact_phone", "022-23456789")
        settings_q.put(reg.conn, "address", "天津市和平区某某路1号")
        division_ids = {name: settings_q.insert_division(reg.conn, name) for name in DIVISIONS}
    office_id = settings_q.office_division_id(reg.conn)
    logins, actors = [], {}
    first_admin = None
    for login, name, roles, division, password in DEMO_USERS:
        user_id = users.create_user(reg, first_admin, login, name, password, roles,
                                    division_ids.get(division, office_id) if division else office_id).id
        actors[login] = users.actor_for(reg, user_id)
        first_admin = first_admin or actors[login]
        logins.append(DemoLogin(login, name, roles, password))
    rng = random.Random(seed)
    today = reg.today()
    start = date(today.year - 1, 1, 5)
    span = (today - start).days
    pool: list[dict] = []
    for i in range(cases_count):
        received = start + timedelta(days=int(span * (i + rng.random()) / cases_count))
        received = min(reg.calendar().first_workday_on_or_after(received), today)
        _one_case(reg, rng, actors, received, pool)
    return logins


def _one_case(reg: Registry, rng: random.Random, actors: dict[str, Actor], received: date,
              pool: list[dict]) -> None:
    cal, today = reg.calendar(), reg.today()
    form = {**_applicant(rng, pool), "channel": rng.choice(("当面", "邮寄", "网络", "网络", "平常信函", "传真")),
            "received_on": received.isoformat(),
            "request_text": f"申请公开本机关{received.year}年{rng.choice(TOPICS)}的{rng.choice(DOCS)}。",
            "delivery_form": rng.choice(("纸质", "电子邮件")), "delivery_route": rng.choice(("邮寄", "电子邮件", "自行领取"))}
    if form["channel"] == "平常信函":  # confirmed with the applicant the day it arrived (art. 31(二))
        form["letter_arrived_on"] = form["received_on"]
    case_id = cases.register_case(reg, actors["clerk"], form).case_ids[0]
    day = received
    # A few cases stall part-way (an overdue queue is part of a real office's picture).
    budget = rng.randint(0, 9) if rng.random() < 0.07 else 99

    def step(actor: str, event: str, gap: int, **payload) -> bool:
        nonlocal day, budget
        nxt = cal.add_workdays(day, gap)
        if nxt > today or budget <= 0:
            return False
        budget -= 1
        cases.fire(reg, actors[actor], case_id, event, nxt, payload)
        day = nxt
        return True

    roll = rng.random()
    if roll < 0.08:  # correction
        if not step("clerk", "correction_notice", rng.randint(1, 6), items=["请明确所需信息的名称或文号"],
                    period_days=15):
            return
        if rng.random() < 0.4:
            step("clerk", "abandoned", 16)
            return
        if not step("clerk", "corrected", rng.randint(2, 10)):
            return
    elif roll < 0.11:
        step("clerk", "withdrawn", rng.randint(1, 8), reason="申请人书面撤回申请")
        return
    division = rng.choice(("planning", "social", "finance"))
    if not step("head", "assign", 1, lead_division_id=actors[division].division_id):
        return
    if not step(division, "sign_for", rng.randint(0, 2)):
        return
    if rng.random() < 0.1:
        third = rng.random() < 0.6
        party, reason = (("天津宏远建设工程有限公司", "申请公开的合同含有该公司的报价和技术方案，可能涉及商业秘密") if third
                         else ("天津市财政局", "申请公开的文件由本机关与该局联合制作"))
        if not step(division, "consultation_start", 2, kind="third_party" if third else "agency",
                    party=party, reason=reason):
            return
        if not step(division, "consultation_end", rng.randint(5, 15)):
            return
    if rng.random() < 0.06:
        if not step(division, "fee_notice", 3, method="per_page", pages=rng.randint(60, 400)):
            return
        if rng.random() < 0.5:
            step("clerk", "fee_unpaid", 21)
            return
        if not step("clerk", "fee_paid", rng.randint(3, 15)):
            return
    if rng.random() < 0.12:
        if not step(division, "extension_request", rng.randint(8, 14), reason="需要调取档案并会同有关处室核查"):
            return
        if not step("head", "extension_approve", 1, days=rng.choice((10, 15, 20))):
            return
    weights = [8, 30, 10, 1, 1, 1, 3, 2, 4, 2, 1, 12, 4, 2, 1, 3, 2, 1, 1, 1]
    corrected = roll < 0.08  # "still unclear after the correction" needs a correction first
    choices = [o.code for o in outcomes.CATALOGUE if o.code not in outcomes.CLOSING_OUTCOMES
               and (o.code != "unable_unclear" or corrected)]
    outcome = rng.choices(choices, weights=weights[:len(choices)])[0]
    if not step(division, "draft", rng.randint(2, 6), outcome=outcome, text="经检索本机关档案和业务系统，拟按此答复。",
                **reply_details(outcome)):
        return
    if not step(division, "submit_for_review", 1):
        return
    if rng.random() < 0.15:
        if not step("reviewer", "review_return", 1, comment="法律依据引用不准确，请核对条款"):
            return
        if not step(division, "submit_for_review", 1):
            return
    if not step("reviewer", "review_approve", rng.randint(1, 2)):
        return
    if not step("leader", "leader_approve", 1):
        return
    if not step("clerk", "reply_issued", rng.randint(0, 2)):
        return
    if not step("clerk", "delivered", rng.randint(1, 3), method="邮寄"):
        return
    if rng.random() < 0.5:
        step("clerk", "archive", rng.randint(5, 20))


def reply_details(outcome: str) -> dict[str, str]:
    """What a drafter writes for each kind of reply (the letter templates need these facts)."""
    return {
        "release_details": "本机关已通过电子邮件向您提供相关文件，您也可以在本机关门户网站“政府信息公开”栏目查阅",
        "released_part": "相关文件中不涉及个人信息的部分",
        "refused_part": "涉及个人姓名、身份证号码和银行账号的内容",
        "refusal_ground": "privacy" if outcome in ("partial", "withhold_third_party") else
        "personnel" if outcome == "withhold_internal" else "",
        "refusal_reason": "该部分载有个人的姓名、身份证号码和银行账号" if outcome != "withhold_law" else
        "《中华人民共和国统计法》第三十九条",
        "responsible_agency": "天津市财政局",
        "responsible_contact": "022-23001234",
        "previous_reply_date": "2024-06-03",
        "reply_text": "如需取得相关证明，请向有关登记机关申请。",
    } if outcome else {}
