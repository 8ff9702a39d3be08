"""The catalogue of outcomes (domain.md §4): label, legal basis, annual-report row."""

from __future__ import annotations

from dataclasses import dataclass

REGULATION = "《中华人民共和国政府信息公开条例》"


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str  # what the ledger and the screens show
    basis: str  # article(s) cited in the reply
    report_row: str  # where the annual report counts it, e.g. "三（三）1"
    refusal: bool = False  # a refusal: reconsideration is mandatory before a lawsuit

    @property
    def citation(self) -> str:
        """The legal basis as every letter and screen cites it ("" when no article applies: the reply
        then states its reasons)."""
        if not self.basis or self.basis.startswith("《"):
            return self.basis
        return REGULATION + self.basis

    @property
    def reply_citation(self) -> str:
        """What a reply cites after 根据: the article(s), or the Regulation itself."""
        return self.citation or REGULATION

    @property
    def category(self) -> str:
        """The heading before the colon: 予以公开, 不予公开, 无法提供 …"""
        return self.label.split("：")[0].split("（")[0]


_S36_3 = "第三十六条第（三）项"

CATALOGUE: tuple[Outcome, ...] = (
    Outcome("public_already", "予以公开（已主动公开）", "第三十六条第（一）项", "三（一）"),
    Outcome("disclose", "予以公开", "第三十六条第（二）项", "三（一）"),
    Outcome("partial", "部分公开", "第三十七条", "三（二）", refusal=True),
    Outcome("withhold_secret", "不予公开：属于国家秘密", f"第十四条、{_S36_3}", "三（三）1", True),
    Outcome("withhold_law", "不予公开：其他法律行政法规禁止公开", f"第十四条、{_S36_3}", "三（三）2", True),
    Outcome("withhold_security", "不予公开：危及“三安全一稳定”", f"第十四条、{_S36_3}", "三（三）3", True),
    Outcome("withhold_third_party", "不予公开：保护第三方合法权益", f"第十五条、{_S36_3}", "三（三）4", True),
    Outcome("withhold_internal", "不予公开：属于三类内部事务信息", f"第十六条第一款、{_S36_3}", "三（三）5", True),
    Outcome("withhold_process", "不予公开：属于四类过程性信息", f"第十六条第二款、{_S36_3}", "三（三）6", True),
    Outcome("withhold_enforcement", "不予公开：属于行政执法案卷", f"第十六条第二款、{_S36_3}", "三（三）7", True),
    Outcome("withhold_query", "不予公开：属于行政查询事项", "第三十六条第（七）项", "三（三）8", True),
    Outcome("unable_not_held", "无法提供：本机关不掌握相关政府信息", "第三十六条第（四）项", "三（四）1"),
    Outcome("unable_not_responsible", "无法提供：不属于本机关负责公开", "第三十六条第（五）项", "三（四）1"),
    Outcome("unable_needs_creation", "无法提供：没有现成信息需要另行制作", "第三十八条", "三（四）2"),
    Outcome("unable_unclear", "无法提供：补正后申请内容仍不明确", "第三十条", "三（四）3"),
    Outcome("decline_petition", "不予处理：信访举报投诉类申请", "第三十九条第一款", "三（五）1"),
    Outcome("decline_repeat", "不予处理：重复申请", "第三十六条第（六）项", "三（五）2"),
    Outcome("decline_publication", "不予处理：要求提供公开出版物", "第三十九条第二款", "三（五）3"),
    Outcome("decline_excessive", "不予处理：无正当理由大量反复申请", "第三十五条", "三（五）4"),
    Outcome("decline_confirmation", "不予处理：要求行政机关确认或重新出具已获取信息", "", "三（五）5"),
    Outcome("other_no_correction", "其他处理：逾期不补正", "第三十条", "三（六）1"),
    Outcome("other_fee_unpaid", "其他处理：逾期未缴纳信息处理费", "《政府信息公开信息处理费管理办法》", "三（六）2"),
    Outcome("other", "其他处理：其他", "", "三（六）3"),
)

BY_CODE: dict[str, Outcome] = {o.code: o for o in CATALOGUE}
BY_LABEL: dict[str, Outcome] = {o.label: o for o in CATALOGUE}

# Outcomes the system sets by itself when a case ends without a reply.
CLOSING_OUTCOMES = frozenset({"other_no_correction", "other_fee_unpaid", "other"})


def find(code_or_label: str) -> Outcome | None:
    """Look up an outcome by its code or its label (as written in a ledger)."""
    text = code_or_label.strip()
    return BY_CODE.get(text) or BY_LABEL.get(text) or BY_LABEL.get(text.replace('"', "“", 1).replace('"', "”", 1))


def get(code: str) -> Outcome:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown outcome code {code!r}") from None


# -- why information is withheld: each refusal's own grounds (its article and how a letter says it) --
@dataclass(frozen=True)
class RefusalGround:
    code: str
    label: str  # what the drafter picks from
    article: str  # the article of the Regulation it rests on
    outcome: str  # the outcome (report row) of a full refusal on this ground
    statement: str  # how the letter says it: "{you}申请获取的政府信息" + statement


GROUNDS: tuple[RefusalGround, ...] = (
    RefusalGround("state_secret", "属于国家秘密", "第十四条", "withhold_secret", "属于依法确定为国家秘密的政府信息"),
    RefusalGround("law_prohibited", "法律、行政法规禁止公开", "第十四条", "withhold_law",
                  "属于法律、行政法规禁止公开的政府信息"),
    RefusalGround("security", "公开后可能危及国家安全、公共安全、经济安全、社会稳定", "第十四条", "withhold_security",
                  "公开后可能危及国家安全、公共安全、经济安全、社会稳定"),
    RefusalGround("trade_secret", "涉及商业秘密", "第十五条", "withhold_third_party",
                  "涉及商业秘密，公开会对第三方合法权益造成损害"),
    RefusalGround("privacy", "涉及个人隐私", "第十五条", "withhold_third_party",
                  "涉及个人隐私，公开会对第三方合法权益造成损害"),
    RefusalGround("personnel", "人事管理信息", "第十六条第一款", "withhold_internal", "属于行政机关的人事管理信息"),
    RefusalGround("logistics", "后勤管理信息", "第十六条第一款", "withhold_internal", "属于行政机关的后勤管理信息"),
    RefusalGround("internal_procedure", "内部工作流程信息", "第十六条第一款", "withhold_internal",
                  "属于行政机关的内部工作流程信息"),
    RefusalGround("process", "过程性信息（讨论记录、过程稿、磋商信函、请示报告等）", "第十六条第二款", "withhold_process",
                  "属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息"),
    RefusalGround("enforcement", "行政执法案卷信息", "第十六条第二款", "withhold_enforcement", "属于行政执法案卷信息"),
)
GROUND_BY_CODE: dict[str, RefusalGround] = {g.code: g for g in GROUNDS}
# A refusal on this ground must also say which law or regulation forbids disclosure.
NEEDS_DETAIL = frozenset({"law_prohibited"})


def grounds_for(outcome_code: str) -> tuple[RefusalGround, ...]:
    """The grounds the drafter may pick for this outcome: a refusal's own grounds; for a partial
    disclosure, any ground the refused part rests on; none for other outcomes."""
    if outcome_code == "partial":
        return GROUNDS
    return tuple(g for g in GROUNDS if g.outcome == outcome_code)
