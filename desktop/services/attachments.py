"""Files stored with a case: kept in the database with their hash (in the same transaction as the
event that records them), written out to this PC's cache to be opened."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from db.queries import attachments as attachments_q
from db.queries import files as files_q
from desktop.services import cases, files
from desktop.services.base import Actor, Changes, NotFound, Registry, ValidationFailed

MAX_BYTES = 50 * 1024 * 1024
KIND_LABELS = {
    "application_scan": "申请书扫描件",
    "id_copy": "身份证明复印件",
    "release": "拟公开的材料",
    "released": "公开版",  # made by 去标识化 from a 拟公开的材料 (services/redaction.py), never added by hand
    "delivery_proof": "送达回证",
    "other": "其他",
}


ALLOWED_TYPES = "PDF、图片（JPG、PNG、TIFF、GIF、BMP）、Office/WPS/OFD 文档或纯文本"


def content_type(head: bytes) -> str | None:
    """What the first bytes of a file say it is; None for anything not allowed (programs, unknown)."""
    signatures = (
        (b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"), (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"BM", "bmp"),
        (b"PK\x03\x04", "zip-document"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),
    )
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head.startswith((b"MZ", b"\x7fELF", b"#!")):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
        except UnicodeDecodeError:
            return None
    return None if b"\x00" in head else "text"


@dataclass(frozen=True)
class Attachment:
    id: int
    case_id: int
    kind: str
    file_name: str
    sha256: str
    size: int
    added_at: str
    missing: bool

    @property
    def changes(self) -> Changes:
        """What storing it changed (the case's files and timeline)."""
        return Changes((self.case_id,))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def safe_name(name: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).strip(". ") or "file"
    return name[-120:]


def add(reg: Registry, actor: Actor, case_id: int, source: str | Path, kind: str = "other",
        expected_version: int | None = None) -> Attachment:
    """Keep the content of ``source`` with the case and record it (one transaction: both or neither)."""
    source = Path(source)
    if kind not in KIND_LABELS:
        raise ValidationFailed([f"〔附件类型〕{kind}不是有效的类型"])
    if kind == "released":
        raise ValidationFailed(["〔附件类型〕公开版只能由“去标识化”生成，不能直接添加"])
    if not source.is_file():
        raise ValidationFailed([f"〔附件〕找不到文件：{source}"])
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise ValidationFailed([f"〔附件〕{source.name} 有 {size // (1024 * 1024)} MB，超过 {MAX_BYTES // (1024 * 1024)} MB 上限"])
    if size == 0:
        raise ValidationFailed([f"〔附件〕{source.name} 是空文件"])
    with source.open("rb") as fh:
        head = fh.read(4096)
    if content_type(head) is None:
        raise ValidationFailed([f"〔附件〕{source.name} 的内容不是允许的文件类型（{ALLOWED_TYPES}）"])
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    case = cases.get_case(reg, case_id)
    stored_name = f"{safe_name(case['case_no'])}/{sha[:12]}-{safe_name(source.name)}"
    with reg.transaction():
        cases.check_version(reg, case_id, expected_version)
        files.store(reg, data)
        attachment_id = attachments_q.insert(reg.conn, case_id, kind, source.name, stored_name, sha,
                                             size, reg.now(), actor.user_id)
        cases.fire(reg, actor, case_id, "attach", payload={
            "attachment_id": attachment_id, "file_name": source.name, "kind": kind, "sha256": sha})
    return get(reg, attachment_id)


def _from_row(r, present: set[str]) -> Attachment:
    return Attachment(r["id"], r["case_id"], r["kind"], r["file_name"], r["sha256"], r["size"],
                      r["added_at"], r["sha256"] not in present)


def local_copy(reg: Registry, attachment: Attachment) -> Path:
    """The attachment as a file on this PC, to open with the system's viewer (checked against its hash)."""
    return files.local_copy(reg, attachment.sha256, attachment.file_name, "附件")


def get(reg: Registry, attachment_id: int) -> Attachment:
    r = attachments_q.get(reg.conn, attachment_id)
    if r is None:
        raise NotFound("附件不存在")
    return _from_row(r, files_q.present(reg.conn, [r["sha256"]]))


def for_case(reg: Registry, case_id: int) -> list[Attachment]:
    rows = attachments_q.for_case(reg.conn, case_id)
    present = files_q.present(reg.conn, [r["sha256"] for r in rows])
    return [_from_row(r, present) for r in rows]
