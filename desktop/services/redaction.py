"""去标识化: documents to release (拟公开材料) made into released versions (公开版) with the personal
data and business secrets painted over, and the 公开材料包 sent with the reply.

The engine (desktop/documents/redaction.py) finds, renders and checks; this module decides what is
looked for (the names recorded on the case), who may do it (the workflow's ``redact`` event) and keeps
the result: the released file is stored as an attachment of kind ``released`` in the same transaction
as the ``redact`` event whose payload is the redaction log (who, when, which original and its hash,
the released hash, pages, boxes per page per category, and the boxes themselves without the text they
cover). The original stays with the case for internal use.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.queries import attachments as attachments_q
from db.queries import files as files_q
from desktop.domain import application, outcomes, workflow
from desktop.services import attachments, cases, files
from desktop.services.base import (
    Actor,
    Changes,
    NotFound,
    PermissionDenied,
    Registry,
    ServiceError,
    ValidationFailed,
)

RELEASE, RELEASED = "release", "released"
RELEASABLE_TYPES = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG", "tiff": "TIFF"}
# How the reply states the refused part: a box's category → the ground it rests on (outcomes.GROUNDS).
CATEGORY_GROUNDS = {"privacy": "privacy", "commercial": "trade_secret"}
CATEGORY_ORDER = ("privacy", "commercial", "other")
Progress = Callable[[int, int], None]


def engine():
    """The redaction engine (PDFium, OCR), loaded when first needed: not at start-up."""
    from desktop.documents import redaction as engine_module

    return engine_module


def category_label(code: str) -> str:
    return engine().CATEGORIES.get(code, code)


# -- which attachments ---------------------------------------------------------------------------
def _content(reg: Registry, a: attachments.Attachment) -> bytes:
    data = files_q.content(reg.conn, a.sha256)
    if data is None or hashlib.sha256(data).hexdigest() != a.sha256:
        raise ServiceError(f"附件“{a.file_name}”的内容缺失或被改动过，请从备份恢复")
    return data


def releasable_type(reg: Registry, a: attachments.Attachment) -> str | None:
    """PDF, JPG, PNG or TIFF by what the file's bytes say; None for anything else."""
    return RELEASABLE_TYPES.get(attachments.content_type(_content(reg, a)[:4096]) or "")


def mark_for_release(reg: Registry, actor: Actor, attachment_id: int,
                     expected_version: int | None = None) -> Changes:
    """Make an attachment of a case being handled a 拟公开的材料 (a PDF or a scan) to be de-identified."""
    a = attachments.get(reg, attachment_id)
    if a.kind == RELEASE:
        raise ServiceError(f"“{a.file_name}”已是拟公开的材料")
    if a.kind == RELEASED:
        raise ServiceError(f"“{a.file_name}”是去标识化生成的公开版，不能再标为拟公开材料")
    if releasable_type(reg, a) is None:
        raise ValidationFailed([f"〔附件〕“{a.file_name}”不是PDF或JPG、PNG、TIFF扫描件，不能作为拟公开材料"
                                "（请先转换为PDF再添加）"])
    with reg.transaction():
        changed = cases.fire(reg, actor, a.case_id, "mark_release", expected_version=expected_version, payload={
            "attachment_id": a.id, "file_name": a.file_name, "kind_before": a.kind})
        attachments_q.set_kind(reg.conn, a.id, RELEASE)
    return changed


def check_may_redact(reg: Registry, actor: Actor, case_id: int) -> None:
    """Refuse (ServiceError/PermissionDenied) unless ``actor`` may de-identify documents of this case now
    (the workflow's table: division staff of the case and clerks, while it is being handled)."""
    case = cases.get_case(reg, case_id)
    facts = cases.facts_of(reg, case_id)
    try:
        workflow.check("redact", facts.state, actor.roles, facts)
    except workflow.WorkflowError as exc:
        raise ServiceError(str(exc)) from None
    cases.check_scope(reg, actor, case, facts, "redact")


def may_redact(reg: Registry, actor: Actor, case_id: int) -> bool:
    try:
        check_may_redact(reg, actor, case_id)
    except (ServiceError, PermissionDenied):
        return False
    return True


# -- proposals -----------------------------------------------------------------------------------
_NAME_SPLIT = re.compile(r"[、，,；;/\s]+")


def split_names(text: str | None) -> list[str]:
    """Names typed or recorded in one field (separated by 、，；/ or spaces), each at least two characters."""
    return [n for n in _NAME_SPLIT.split(application.clean_text(text)) if len(n) >= 2]


def names_on_case(reg: Registry, case_id: int) -> list[str]:
    """The names to look for in a case's documents: the applicant (for an organisation also its legal
    representative and contact person) and the third parties consulted (the engine's rule, which the
    ``redact --case`` command uses too)."""
    return engine().names_from_case(cases.get_case(reg, case_id), cases.event_rows(reg, case_id))


@dataclass(frozen=True)
class Proposals:
    """What the engine proposes to box on an attachment's pages."""
    attachment_id: int
    page_count: int
    boxes: list[Any]  # engine.Box
    names: tuple[str, ...]
    pages_read: int  # pages looked at: all of them, unless the officer cancelled
    text_pages: tuple[int, ...] = ()  # pages with a text layer (the others were read with OCR)
    notice: str = ""  # e.g. OCR could not be loaded: scanned pages got no proposals

    @property
    def complete(self) -> bool:
        return self.pages_read == self.page_count


def _release_material(reg: Registry, attachment_id: int) -> attachments.Attachment:
    a = attachments.get(reg, attachment_id)
    if a.kind != RELEASE:
        raise ServiceError(f"“{a.file_name}”不是拟公开的材料：请先将其标为拟公开材料")
    if a.missing:
        raise ServiceError(f"附件文件已不存在：{a.file_name}。请从备份恢复或重新添加。")
    if releasable_type(reg, a) is None:
        raise ValidationFailed([f"〔附件〕“{a.file_name}”不是PDF或JPG、PNG、TIFF扫描件，无法去标识化"])
    return a


def open_document(path: Path, name: str):
    """The engine's page source for a file, or a ServiceError naming it (encrypted, damaged, not a PDF
    or scan)."""
    eng = engine()
    try:
        return eng.open_source(path)
    except eng.RedactionInputError as exc:
        raise ServiceError(f"“{name}”：{exc}") from None


def propose_boxes(reg: Registry, attachment_id: int, names: Iterable[str] | None = None,
                  progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                  ocr: bool = True) -> Proposals:
    """Boxes over the personal data found on every page (ID, phone, bank-card numbers, e-mail
    addresses, labelled fields and the names recorded on the case; pages without text by OCR), page
    after page; ``cancelled`` stops after the current page with what was found so far."""
    a = _release_material(reg, attachment_id)
    names = tuple(names_on_case(reg, a.case_id) if names is None else names)
    path = attachments.local_copy(reg, a)
    eng = engine()
    boxes: list[Any] = []
    text_pages: list[int] = []
    notice = ""
    # scanned pages are read in a process of its own, started at the first and ended here: the OCR
    # engine's memory never joins the window's
    with open_document(path, a.file_name) as source, eng.OcrProcess() as reader:
        total = source.page_count
        done = 0
        for i in range(total):
            if cancelled is not None and cancelled():
                break
            try:
                has_text = source.has_text(i)
                boxes += eng.propose(source, i, names=names, ocr=ocr, reader=reader, cancelled=cancelled)
            except eng.RedactionInputError as exc:
                raise ServiceError(f"“{a.file_name}”第{i + 1}页：{exc}") from None
            except eng.Cancelled:  # stopped while the page was read: the pages before it are kept
                break
            except eng.OcrUnavailable as exc:  # a broken OCR install: the rest by hand, not a failure
                ocr, notice = False, f"{exc}；扫描页请逐页查看并手工框选"
            if has_text:
                text_pages.append(i)
            done = i + 1
            if progress is not None:
                progress(done, total)
    return Proposals(a.id, total, boxes, names, done, tuple(text_pages), notice)


# -- the released version --------------------------------------------------------------------------
def box_to_json(box) -> dict[str, Any]:
    """A box as the redaction log keeps it: where, why and how found; never the text it covers."""
    return {"page": box.page, "x0": round(box.x0, 2), "y0": round(box.y0, 2), "x1": round(box.x1, 2),
            "y1": round(box.y1, 2), "category": box.category, "kind": box.kind, "source": box.source}


def box_from_json(d: Mapping[str, Any]):
    return engine().Box(int(d["page"]), float(d["x0"]), float(d["y0"]), float(d["x1"]), float(d["y1"]),
                        category=d.get("category", "privacy"), kind=d.get("kind", "manual"),
                        source=d.get("source", "manual"))


@dataclass(frozen=True)
class Redaction:
    """One recorded 去标识化 of a case (its ``redact`` event)."""
    case_id: int
    recorded_at: str
    actor_name: str
    original_id: int
    original_name: str
    original_sha256: str
    released_id: int
    released_name: str
    released_sha256: str
    pages: int
    size: int
    counts: dict[int, dict[str, int]]  # page number (1 = first) → category → boxes
    boxes: list[dict[str, Any]] = field(default_factory=list)  # box_to_json, page 0-based

    @property
    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for per_page in self.counts.values():
            for cat, n in per_page.items():
                out[cat] = out.get(cat, 0) + n
        return {c: out[c] for c in (*CATEGORY_ORDER, *sorted(set(out) - set(CATEGORY_ORDER))) if out.get(c)}

    def totals_text(self) -> str:
        return "、".join(f"{category_label(c)}{n}处" for c, n in self.totals.items()) or "无遮盖"


def _redaction(case_id: int, row, payload: dict[str, Any]) -> Redaction:
    return Redaction(
        case_id, row["recorded_at"], row["actor_name"] or payload.get("by", ""),
        payload["original_attachment_id"], payload.get("original_file_name", ""), payload.get("original_sha256", ""),
        payload["released_attachment_id"], payload.get("released_file_name", ""), payload.get("released_sha256", ""),
        int(payload.get("pages", 0)), int(payload.get("size", 0)),
        {int(p): dict(c) for p, c in (payload.get("counts") or {}).items()}, list(payload.get("boxes") or []))


def _from_rows(rows, case_id: int = 0) -> list[Redaction]:
    return [_redaction(case_id, r, json.loads(r["payload"])) for r in rows if r["type"] == "redact"]


def _newest_per_original(found: list[Redaction]) -> list[Redaction]:
    newest: dict[int, Redaction] = {}
    for r in found:
        newest[r.original_id] = r
    return [newest[k] for k in sorted(newest)]


def redactions(reg: Registry, case_id: int) -> list[Redaction]:
    """Every 去标识化 recorded on the case, oldest first."""
    return _from_rows(cases.event_rows(reg, case_id), case_id)


def current_releases(reg: Registry, case_id: int) -> list[Redaction]:
    """The released versions that go out with the reply: the newest per original, in the order the
    originals were added."""
    return _newest_per_original(redactions(reg, case_id))


def redaction_of(reg: Registry, attachment_id: int) -> Redaction | None:
    """The newest 去标识化 that made (a released attachment) or used (an original) this attachment."""
    a = attachments.get(reg, attachment_id)
    found = [r for r in redactions(reg, a.case_id) if attachment_id in (r.original_id, r.released_id)]
    if a.kind == RELEASED:
        found = [r for r in found if r.released_id == attachment_id]
    return found[-1] if found else None


class ReleaseCancelled(ServiceError):
    def __init__(self):
        super().__init__("已取消，没有生成公开版")


def _leak_message(name: str, leaks) -> str:
    where = "\n".join(leak.message() for leak in leaks[:10])
    more = f"\n……共{len(leaks)}处" if len(leaks) > 10 else ""
    return (f"“{name}”的公开版未通过检查，没有生成：遮盖的内容仍能从结果中读出或看到。\n{where}{more}\n"
            "请检查框选范围后重新生成。")


def _check_boxes(boxes, page_sizes: list[tuple[float, float]]) -> list:
    eng = engine()
    problems, out = [], []
    for n, box in enumerate(boxes, start=1):
        if not 0 <= box.page < len(page_sizes):
            problems.append(f"〔遮盖框〕第{n}个框在第{box.page + 1}页，文件只有{len(page_sizes)}页")
            continue
        if box.category not in eng.CATEGORIES:
            problems.append(f"〔遮盖框〕第{n}个框的理由类别“{box.category}”无效，应为"
                            f"{'、'.join(eng.CATEGORIES.values())}之一")
            continue
        w, h = page_sizes[box.page]
        x0, x1 = sorted((max(0.0, min(box.x0, w)), max(0.0, min(box.x1, w))))
        y0, y1 = sorted((max(0.0, min(box.y0, h)), max(0.0, min(box.y1, h))))
        if x1 - x0 < 1 or y1 - y0 < 1:
            problems.append(f"〔遮盖框〕第{box.page + 1}页有一个框过小或在页面之外")
            continue
        out.append(eng.Box(box.page, x0, y0, x1, y1, category=box.category, kind=box.kind, value=box.value,
                           source=box.source))
    if problems:
        raise ValidationFailed(problems)
    return out


@dataclass(frozen=True)
class Released:
    attachment: attachments.Attachment
    redaction: Redaction
    changes: Changes


def released_name(original_name: str) -> str:
    return f"{Path(original_name).stem}（公开版）.pdf"


def generate_release(reg: Registry, actor: Actor, attachment_id: int, boxes: Iterable[Any],
                     expected_version: int | None = None, progress: Progress | None = None,
                     cancelled: Callable[[], bool] | None = None, dpi: int = 200) -> Released:
    """生成公开版: every page rendered as an image with the boxes painted solid, checked, then stored
    as a new attachment (kind ``released``) together with the ``redact`` event that logs it. A release
    whose check finds any boxed data still readable is refused and nothing is stored. The rendering runs
    before the write transaction (it may take minutes); the case version is checked in it."""
    a = _release_material(reg, attachment_id)
    check_may_redact(reg, actor, a.case_id)
    if expected_version is not None:
        cases.check_version(reg, a.case_id, expected_version)
    eng = engine()
    path = attachments.local_copy(reg, a)
    with tempfile.TemporaryDirectory(prefix="ddesk-redact-") as tmp:
        out = Path(tmp) / "released.pdf"
        with open_document(path, a.file_name) as source:
            sizes = [source.page_size(i) for i in range(source.page_count)]
            checked = _check_boxes(list(boxes), sizes)
            try:
                result = eng.release(source, checked, out, dpi=dpi, progress=progress, cancelled=cancelled)
            except eng.LeakFound as exc:
                raise ServiceError(_leak_message(a.file_name, exc.leaks)) from None
            except eng.Cancelled:
                raise ReleaseCancelled() from None
            except eng.RedactionInputError as exc:
                raise ServiceError(f"“{a.file_name}”：{exc}") from None
        data = out.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if sha != result.sha256:
        raise ServiceError("公开版文件在生成后被改动，请重新生成")
    counts = {str(p + 1): {c: n for c, n in per.items() if n}
              for p, per in sorted(result.counts.items()) if any(per.values())}
    name = released_name(a.file_name)
    case = cases.get_case(reg, a.case_id)
    stored_name = f"{attachments.safe_name(case['case_no'])}/released/{sha[:12]}-{attachments.safe_name(name)}"
    with reg.transaction():
        cases.check_version(reg, a.case_id, expected_version)
        if attachments.get(reg, a.id).sha256 != a.sha256:
            raise ServiceError(f"“{a.file_name}”在去标识化期间被改动，请重新打开")
        files.store(reg, data)
        released_id = attachments_q.insert(reg.conn, a.case_id, RELEASED, name, stored_name, sha, len(data),
                                           reg.now(), actor.user_id)
        cases.fire(reg, actor, a.case_id, "attach", payload={
            "attachment_id": released_id, "file_name": name, "kind": RELEASED, "sha256": sha,
            "original_attachment_id": a.id})
        payload = {
            "by": actor.name, "at": reg.now(),
            "original_attachment_id": a.id, "original_file_name": a.file_name, "original_sha256": a.sha256,
            "released_attachment_id": released_id, "released_file_name": name, "released_sha256": sha,
            "pages": result.pages, "size": len(data), "counts": counts,
            "boxes": [box_to_json(b) for b in checked]}
        log = _redaction(a.case_id, {"recorded_at": payload["at"], "actor_name": actor.name}, payload)
        changed = cases.fire(reg, actor, a.case_id, "redact", payload=payload)
    return Released(attachments.get(reg, released_id), log, changed)


def summary(r: Redaction) -> str:
    """One line for the timeline: which file, how many pages, how many boxes of each category, where."""
    pages = "，".join(f"第{p}页{sum(c.values())}处" for p, c in sorted(r.counts.items())[:20])
    more = f"等{len(r.counts)}页" if len(r.counts) > 20 else ""
    return (f"“{r.original_name}”生成公开版“{r.released_name}”，共{r.pages}页，遮盖{r.totals_text()}"
            + (f"（{pages}{more}）" if pages else "") + f"；公开版SHA-256 {r.released_sha256[:16]}…")


# -- what the 部分公开 reply says about them ----------------------------------------------------------
def reply_values(rows, outcome_code: str | None, draft: Mapping[str, Any]) -> dict[str, str]:
    """For a 部分公开 reply with released versions on the case (``rows``: its event rows): the released
    documents named in the released part, the refused part and its ground from the boxes' categories
    (个人隐私 and 商业秘密: 第十五条; 其他: the ground the drafter chose), and the 附件 line listing the
    documents. Nothing for other outcomes or without released versions."""
    if outcome_code != "partial":
        return {}
    releases = _newest_per_original(_from_rows(rows))
    if not releases:
        return {}
    totals: dict[str, int] = {}
    for r in releases:
        for c, n in r.totals.items():
            totals[c] = totals.get(c, 0) + n
    documents = "、".join(f"《{Path(r.released_name).stem}》（共{r.pages}页）" for r in releases)
    released_part = (application.clean_text(draft.get("released_part")) or "可以公开的部分").rstrip("。；;，,")
    values = {
        "released_part": f"{released_part}（见随本答复书提供的公开版材料{documents}）",
        "_enclosures": "附件：" + "；".join(f"{i}.{Path(r.released_name).stem}（共{r.pages}页）"
                                          for i, r in enumerate(releases, start=1)),
    }
    labels = {"privacy": "个人隐私", "commercial": "商业秘密", "other": "其他不予公开的内容"}
    covered = "、".join(f"{labels.get(c, c)}{n}处" for c, n in totals.items())
    drafted = application.clean_text(draft.get("refused_part")).rstrip("。；;，,")
    if covered:
        values["refused_part"] = (f"{drafted}（已在公开版材料中遮盖：{covered}）" if drafted
                                  else f"公开版材料中已遮盖的内容（{covered}）")
    grounds = [outcomes.GROUND_BY_CODE[CATEGORY_GROUNDS[c]] for c in CATEGORY_ORDER
               if totals.get(c) and c in CATEGORY_GROUNDS]
    chosen = outcomes.GROUND_BY_CODE.get(draft.get("refusal_ground") or "")
    if (totals.get("other") or not grounds) and chosen is not None and chosen not in grounds:
        grounds.append(chosen)
    if not grounds or (not any(g.code in CATEGORY_GROUNDS.values() for g in grounds)):
        return values  # the drafter's own ground stands (letters.values._refusal_values)
    articles = list(dict.fromkeys(g.article for g in grounds))
    third_party = [g for g in grounds if g.code in ("privacy", "trade_secret")]
    parts = []
    if third_party:
        parts.append("涉及" + "、".join(g.label.removeprefix("涉及") for g in third_party)
                     + "，公开会对第三方合法权益造成损害")
    parts += [g.statement for g in grounds if g not in third_party]
    extra = application.clean_text(draft.get("refusal_reason")).rstrip("。；;，,")
    values["refusal_article"] = "、".join(articles)
    values["refusal_statement"] = "，或".join(parts) + (f"：{extra}" if extra else "")
    return values


# -- 公开材料包 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Package:
    pdf: Path
    zip: Path
    items: list[tuple[str, str, int]]  # (file name in the zip, SHA-256, pages)


def package(reg: Registry, case_id: int, out_pdf: str | Path) -> Package:
    """公开材料包: the issued reply followed by every released version, as one PDF (``out_pdf``), and the
    same files separately in a zip beside it (same name, .zip), with a list of what is in it."""
    import pypdfium2 as pdfium

    from desktop.services import letters

    reply = letters.latest(reg, case_id, "reply")
    if reply is None:
        raise ServiceError("答复书尚未出具：公开材料包由已出具的答复书和公开版材料组成")
    releases = current_releases(reg, case_id)
    if not releases:
        raise ServiceError("本案没有去标识化生成的公开版材料")
    out_pdf = Path(out_pdf)
    if out_pdf.suffix.lower() != ".pdf":
        out_pdf = out_pdf.with_name(out_pdf.name + ".pdf")
    out_zip = out_pdf.with_suffix(".zip")
    reply_name = f"{letters.KINDS['reply'].title}{reply['doc_no'] or ''}.pdf"
    parts = [(attachments.safe_name(reply_name), letters.verified_file(reg, reply), reply["sha256"])]
    for r in releases:
        released = attachments.get(reg, r.released_id)
        parts.append((attachments.safe_name(released.file_name), attachments.local_copy(reg, released),
                      released.sha256))
    merged = pdfium.PdfDocument.new()
    items = []
    try:
        for name, path, sha in parts:
            source = pdfium.PdfDocument(str(path))
            try:
                items.append((name, sha, len(source)))
                merged.import_pages(source)
            finally:
                source.close()
        partial = out_pdf.with_name(out_pdf.name + ".part")
        merged.save(str(partial))
    finally:
        merged.close()
    partial.replace(out_pdf)
    listing = "\n".join(f"{i}. {name}（{pages}页）SHA-256：{sha}" for i, (name, sha, pages) in enumerate(items, 1))
    partial_zip = out_zip.with_name(out_zip.name + ".part")
    with zipfile.ZipFile(partial_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for name, path, _sha in parts:
            z.write(path, name)
        z.writestr("材料清单.txt", f"{cases.get_case(reg, case_id)['case_no']} 公开材料包\n\n{listing}\n")
    partial_zip.replace(out_zip)
    return Package(out_pdf, out_zip, items)


def enclosure_payload(reg: Registry, case_id: int, attachment_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The released versions sent with a letter, as the delivery record names them."""
    out = []
    for attachment_id in dict.fromkeys(attachment_ids):
        try:
            a = attachments.get(reg, attachment_id)
        except NotFound:
            a = None
        if a is None or a.case_id != case_id or a.kind != RELEASED:
            raise ValidationFailed(["〔随附材料〕只能选择本案去标识化生成的公开版材料"])
        r = redaction_of(reg, a.id)
        out.append({"attachment_id": a.id, "file_name": a.file_name, "sha256": a.sha256,
                    "pages": r.pages if r else None})
    return out
