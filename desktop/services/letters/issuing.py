"""Issuing a letter: whether a letter of a kind may be issued now, its number, and the stored PDF.

A letter is generated from the case's facts when it is issued, then kept — file, SHA-256, number —
and never silently redrawn; reissuing makes a new version (same number) that shows in the timeline.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.queries import letters as letters_q
from db.queries import settings as settings_q
from desktop.domain import workflow
from desktop.services import attachments, cases, files
from desktop.services.base import Actor, Changes, Registry, ServiceError
from desktop.services.letters.composing import compose, render
from desktop.services.letters.delivery import FORMS
from desktop.services.letters.records import issued, latest
from desktop.services.letters.templates import KINDS, TERMINATION_OUTCOMES
from desktop.services.letters.values import CONSULTED, last_pause, letter_date


def verified_file(reg: Registry, letter_row) -> Path:
    """The issued letter as a file on this PC, exactly as issued (checked against its hash), named as
    the user knows it — 政府信息公开申请登记回执 津民公开收〔2026〕1号.pdf — not by its storage key."""
    title = KINDS[letter_row["kind"]].title if letter_row["kind"] in KINDS else "文书"
    version = f"（第{letter_row['version']}版）" if letter_row["version"] and letter_row["version"] > 1 else ""
    name = f"{title} {letter_row['doc_no'] or ''}".strip() + version + ".pdf"
    return files.local_copy(reg, letter_row["sha256"], name, "已出具的文书")


def why_not_issuable(reg: Registry, case_id: int, kind: str) -> str | None:
    """None when a letter of ``kind`` can be issued now, else the reason in the users' words. A
    notice whose moment has passed (a receipt once the case is answered, a correction notice once the
    corrected application arrived, …) is refused: what was issued in time can still be printed."""
    f = cases.facts_of(reg, case_id)
    return _why_not(f, kind, lambda: any(r["kind"] not in FORMS for r in issued(reg, case_id)))


def reasons_not_issuable(reg: Registry, case_id: int,
                         facts: workflow.CaseFacts | None = None) -> dict[str, str | None]:
    """``why_not_issuable`` for every letter kind at once (the case screen's list), from ``facts``
    when the caller has them."""
    f = facts if facts is not None else cases.facts_of(reg, case_id)
    deliverable: list[bool] = []

    def has_deliverable() -> bool:  # asked once, for the 送达回证
        if not deliverable:
            deliverable.append(any(r["kind"] not in FORMS for r in issued(reg, case_id)))
        return deliverable[0]
    return {kind: _why_not(f, kind, has_deliverable) for kind in KINDS}


def _why_not(f: workflow.CaseFacts, kind: str, has_deliverable) -> str | None:
    """``why_not_issuable`` from the case's facts; ``has_deliverable()``: whether a letter that needs
    delivering was issued (asked only for a 送达回证)."""
    label = workflow.STATE_LABELS.get(f.state or "", "")
    ended = f.outcome_fixed or f.finished
    again = "已出具的文书仍可在文书列表中查看和打印"
    if kind == "receipt" and ended:
        return f"案件已经{'答复' if f.state in ('replied', 'delivered', 'archived') else '办结'}，不再出具登记回执（{again}）"
    if kind == "correction":
        if f.correction_notice_on is None:
            return "尚未发出补正告知（请先登记补正事项）"
        if f.corrected_on:
            return f"已于{f.corrected_on.isoformat()}收到补正后的申请，补正告知书已无须出具（{again}）"
        if ended:
            return f"案件已经办结，不再出具补正告知书（{again}）"
    if kind == "extension":
        if not f.extension_days:
            return "没有已批准的延期"
        if ended:
            return f"答复已经作出，不再出具延期答复告知书（{again}）"
    if kind in CONSULTED:
        pause = last_pause(f, CONSULTED[kind])
        if pause is None:
            return {"consult_third_party": "没有征求第三方意见的记录",
                    "consult_agency": "没有征求其他机关意见的记录"}.get(kind, "没有征求意见的记录")
        if pause.end is not None or ended:
            when = pause.end.isoformat() if pause.end else ""
            return f"征求意见已于{when}结束，不再出具征求意见的文书（{again}）"
    if kind == "fee_notice":
        pause = last_pause(f, {"fee"})
        if pause is None:
            return "没有收费通知的记录"
        if pause.end is not None or ended:
            return f"信息处理费已经缴纳或已按逾期未缴费办结，不再出具收费通知书（{again}）"
    if kind == "termination" and not (f.outcome_fixed and f.outcome in TERMINATION_OUTCOMES):
        return "只有逾期不补正、逾期未缴费而终止办理的案件才出具终止办理告知书"
    if kind == "reply":
        if f.state == "approved":
            return None
        if f.outcome_fixed and f.outcome and f.state in ("replied", "delivered", "archived"):
            return None
        return f"案件处于“{label}”状态，答复须经领导签发后才能出具"
    if kind == "delivery_proof" and not has_deliverable():
        return "本案还没有出具需要送达的文书"
    return None


@dataclass(frozen=True)
class IssuedLetter:
    id: int
    kind: str
    version: int
    doc_no: str | None
    path: Path
    sha256: str
    changes: Changes  # the case's timeline and letters


def _doc_no(reg: Registry, kind: str, on: date) -> str | None:
    """The next number of the letter's sequence in ``on``'s year, by the agency's pattern (None: unnumbered)."""
    seq_name = KINDS[kind].sequence
    if seq_name is None:
        return None
    s = reg.settings()
    pattern = s.get(f"doc_no_{seq_name}") or "{prefix}〔{year}〕{seq}号"
    seq = settings_q.next_number(reg.conn, f"letter:{seq_name}", on.year)
    return pattern.format(prefix=s.get("doc_no_prefix", ""), year=on.year, seq=seq)


def issue(reg: Registry, actor: Actor, case_id: int, kind: str, on: date | None = None,
          expected_version: int | None = None, about: int | None = None) -> IssuedLetter:
    """Generate, number and store a letter (a new version if one was issued before). With
    ``expected_version``, refused (Conflict) when the case changed since the screen showed it."""
    if expected_version is not None:
        with reg.transaction():
            cases.check_version(reg, case_id, expected_version)
            return issue(reg, actor, case_id, kind, on, about=about)
    if kind == "reply" and cases.facts_of(reg, case_id).state == "approved":
        return issue_reply(reg, actor, case_id, on)
    reason = why_not_issuable(reg, case_id, kind)
    if reason:
        raise ServiceError(f"不能出具{KINDS[kind].title}：{reason}")
    return _issue(reg, actor, case_id, kind, on or reg.today(), about)


def issue_reply(reg: Registry, actor: Actor, case_id: int, on: date | None = None,
                expected_version: int | None = None) -> IssuedLetter:
    """The reply: fix the outcome (reply_issued) and issue the numbered letter, all or nothing."""
    on = on or reg.today()
    with reg.transaction():
        cases.check_version(reg, case_id, expected_version)
        f = cases.facts_of(reg, case_id)
        if f.state == "approved":
            cases.fire(reg, actor, case_id, "reply_issued", on)
        elif why_not_issuable(reg, case_id, "reply"):
            raise ServiceError(f"不能出具答复书：{why_not_issuable(reg, case_id, 'reply')}")
        return _issue(reg, actor, case_id, "reply", on)


def _issue(reg: Registry, actor: Actor, case_id: int, kind: str, on: date, about: int | None = None) -> IssuedLetter:
    on = letter_date(cases.facts_of(reg, case_id), kind, on)
    with reg.transaction():
        previous = latest(reg, case_id, kind)
        version = previous["version"] + 1 if previous else 1
        doc_no = previous["doc_no"] if previous else _doc_no(reg, kind, on)
        letter = compose(reg, case_id, kind, doc_no or "", on, about=about)
        case = cases.get_case(reg, case_id)
        safe_no = re.sub(r"[^\w〔〕-]", "_", doc_no or "form")
        stored_name = f"{attachments.safe_name(case['case_no'])}/letters/{kind}-v{version}-{safe_no}.pdf"
        with tempfile.TemporaryDirectory() as tmp:
            data = render(letter, Path(tmp) / "letter.pdf").read_bytes()
        digest = files.store(reg, data)
        letter_id = letters_q.insert(reg.conn, case_id, kind, version, doc_no, stored_name, digest,
                                     on.isoformat(), reg.now(), actor.user_id)
        changes = cases.fire(reg, actor, case_id, "letter_issued", min(on, reg.today()), {
            "letter_id": letter_id, "kind": kind, "title": KINDS[kind].title, "doc_no": doc_no,
            "version": version, "sha256": digest, **({"about_letter_id": about} if about else {})})
    path = files.local_copy(reg, digest, Path(stored_name).name, "已出具的文书")
    return IssuedLetter(letter_id, kind, version, doc_no, path, digest, changes)
