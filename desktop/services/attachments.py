"""Files stored with a case: copied into the attachments folder beside the database, hashed, and
recorded as an event of the case."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from db.queries import attachments as attachments_q
from desktop.services import cases
from desktop.services.base import Actor, NotFound, Registry, ValidationFailed

MAX_BYTES = 50 * 1024 * 1024
KIND_LABELS = {
    "application_scan": "申请书扫描件",
    "id_copy": "身份证明复印件",
    "release": "拟公开的材料",
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
    path: Path
    sha256: str
    size: int
    added_at: str
    missing: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def folder(reg: Registry) -> Path:
    return reg.path.with_name(f"{reg.path.stem}-files")


def safe_name(name: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).strip(". ") or "file"
    return name[-120:]


def add(reg: Registry, actor: Actor, case_id: int, source: str | Path, kind: str = "other") -> Attachment:
    """Copy ``source`` into the case's folder and record it; the copy is removed if recording fails."""
    source = Path(source)
    if kind not in KIND_LABELS:
        raise ValidationFailed([f"〔附件类型〕{kind}不是有效的类型"])
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
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    sha = digest.hexdigest()
    case = cases.get_case(reg, case_id)
    relative = Path(safe_name(case["case_no"])) / f"{sha[:12]}-{safe_name(source.name)}"
    target = folder(reg) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    existed = target.exists()
    if not existed:
        shutil.copyfile(source, target)
    try:
        with reg.transaction():
            attachment_id = attachments_q.insert(reg.conn, case_id, kind, source.name, relative.as_posix(), sha,
                                                 size, reg.now(), actor.user_id)
            cases.fire(reg, actor, case_id, "attach", payload={
                "attachment_id": attachment_id, "file_name": source.name, "kind": kind, "sha256": sha})
    except BaseException:
        if not existed:
            target.unlink(missing_ok=True)
        raise
    return get(reg, attachment_id)


def _from_row(reg: Registry, r) -> Attachment:
    path = folder(reg) / r["stored_name"]
    return Attachment(r["id"], r["case_id"], r["kind"], r["file_name"], path, r["sha256"], r["size"],
                      r["added_at"], not path.is_file())


def get(reg: Registry, attachment_id: int) -> Attachment:
    r = attachments_q.get(reg.conn, attachment_id)
    if r is None:
        raise NotFound("附件不存在")
    return _from_row(reg, r)


def for_case(reg: Registry, case_id: int) -> list[Attachment]:
    return [_from_row(reg, r) for r in attachments_q.for_case(reg.conn, case_id)]
