"""Letters and attachments are kept in the registry database (reachable from every PC of a shared
registry); to be opened, printed or previewed a file is written out to this PC's cache, checked
against its hash on the way."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from db.queries import files as files_q
from desktop.paths import cache_dir
from desktop.services.base import Registry, ServiceError


def store(reg: Registry, data: bytes) -> str:
    """Keep ``data`` in the database (call inside the transaction that records it); its SHA-256."""
    return files_q.put(reg.conn, data)


def _safe(name: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).strip(". ") or "file"
    return name[-120:]


def local_copy(reg: Registry, sha256: str, name: str, what: str = "文件") -> Path:
    """A file on this PC holding the stored content ``sha256`` (named ``name``). Raises ServiceError
    when the content is missing from the database or no longer matches its hash."""
    target = cache_dir() / "files" / sha256[:2] / sha256 / _safe(name)
    data = files_q.content(reg.conn, sha256)  # the database is the record: always checked there
    if data is None:
        raise ServiceError(f"{what}的内容在数据库中缺失：{name}。请从备份恢复。")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ServiceError(f"{what}被改动过（校验值不符）：{name}。请从备份恢复。")
    if target.is_file() and target.read_bytes() == data:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)
    return target
