"""Backups of the registry: the database (SQLite online backup, consistent while in use) together
with the attachments and issued letters, in one zip file; rotation; checked restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from db.migrations import latest_version
from desktop.services import attachments
from desktop.services.base import Registry, ServiceError

SUFFIX = ".ddbak"
DB_NAME = "registry.db"
FILES_PREFIX = "files/"
KEEP = 14


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    cases: int
    files: int


def backup_dir(reg: Registry) -> Path:
    return reg.path.with_name(f"{reg.path.stem}-backups")


def create(reg: Registry, folder: Path | None = None, keep: int = KEEP, label: str = "") -> BackupInfo:
    """Write a backup zip into ``folder`` (default: beside the database) and drop the oldest beyond ``keep``."""
    folder = Path(folder) if folder else backup_dir(reg)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{reg.path.stem}-{stamp}{('-' + label) if label else ''}{SUFFIX}"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / DB_NAME
        dest = sqlite3.connect(copy)
        try:
            reg.conn.backup(dest)
        finally:
            dest.close()
        cases = sqlite3.connect(copy).execute("SELECT count(*) FROM cases").fetchone()[0]
        partial = target.with_suffix(".part")
        count = 0
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.write(copy, DB_NAME)
            files = attachments.folder(reg)
            if files.is_dir():
                for path in sorted(files.rglob("*")):
                    if path.is_file():
                        z.write(path, FILES_PREFIX + path.relative_to(files).as_posix())
                        count += 1
        partial.replace(target)
    rotate(folder, keep)
    return BackupInfo(target, cases, count)


def rotate(folder: Path, keep: int) -> None:
    backups = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in backups[keep:]:
        old.unlink(missing_ok=True)


def latest(folder: Path) -> Path | None:
    backups = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    return backups[0] if backups else None


def daily(reg: Registry) -> BackupInfo | None:
    """A backup if the newest one is more than a day old (called at start)."""
    newest = latest(backup_dir(reg)) if backup_dir(reg).is_dir() else None
    if newest and datetime.fromtimestamp(newest.stat().st_mtime) > datetime.now() - timedelta(days=1):
        return None
    return create(reg, label="daily")


def check(path: Path) -> tuple[int, int]:
    """Check a backup before it is used: a zip holding a sound registry database of a version this
    program can open. Returns (cases, files); raises ServiceError naming the problem."""
    path = Path(path)
    if not path.is_file():
        raise ServiceError(f"找不到备份文件：{path}")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad:
                raise ServiceError(f"备份文件已损坏（{bad}），不能恢复")
            names = z.namelist()
            if DB_NAME not in names:
                raise ServiceError("这不是本系统的备份文件（缺少数据库）")
            with tempfile.TemporaryDirectory() as tmp:
                z.extract(DB_NAME, tmp)
                conn = sqlite3.connect(Path(tmp) / DB_NAME)
                try:
                    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
                except sqlite3.DatabaseError as exc:
                    raise ServiceError(f"备份中的数据库无法读取：{exc}") from None
                finally:
                    conn.close()
    except zipfile.BadZipFile:
        raise ServiceError(f"{path.name} 不是有效的备份文件") from None
    if result != "ok":
        raise ServiceError(f"备份中的数据库未通过完整性检查：{result}")
    if version > latest_version():
        raise ServiceError(f"备份来自更新版本的程序（数据库版本{version}），请先升级本程序")
    return cases, sum(1 for n in names if n.startswith(FILES_PREFIX) and not n.endswith("/"))


def restore(db_path: Path, backup: Path) -> Path:
    """Replace the database (and its files) with a checked backup. The current state is first saved
    as a backup of its own, so a restore can be undone. The database must not be open elsewhere."""
    db_path = Path(db_path)
    check(backup)
    safety = None
    if db_path.exists():
        try:
            current = Registry.open(db_path)
            try:
                safety = create(current, label="before-restore").path
            finally:
                current.close()
        except Exception:  # a damaged database cannot be backed up: keep the raw file instead
            safety = db_path.with_name(f"{db_path.stem}-damaged-{datetime.now():%Y%m%d-%H%M%S}{db_path.suffix}")
            shutil.copy2(db_path, safety)
    files = db_path.with_name(f"{db_path.stem}-files")
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        with zipfile.ZipFile(backup) as z:
            z.extractall(tmp)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(Path(tmp) / DB_NAME, db_path)
        if files.exists():
            shutil.rmtree(files)
        extracted = Path(tmp) / "files"
        if extracted.is_dir():
            shutil.move(str(extracted), files)
    return safety


def integrity_problems(reg: Registry) -> list[str]:
    """SQLite's own check, foreign keys, the audit chain, and files that went missing or changed."""
    from db.queries import events as events_q

    problems = [r[0] for r in reg.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"外键错误：{tuple(r)}" for r in reg.conn.execute("PRAGMA foreign_key_check")]
    problems += events_q.verify_chain(reg.conn)
    folder = attachments.folder(reg)
    import hashlib

    for table, label in (("attachments", "附件"), ("letters", "文书")):
        for row in reg.conn.execute(f"SELECT id, stored_name, sha256 FROM {table}"):
            path = folder / row["stored_name"]
            if not path.is_file():
                problems.append(f"{label}{row['id']}的文件缺失：{row['stored_name']}")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
                problems.append(f"{label}{row['id']}的文件被改动：{row['stored_name']}")
    return problems


def _clean_marker(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".clean")


def _file_stamp(db_path: Path) -> str:
    st = Path(db_path).stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def mark_closed_cleanly(db_path: Path) -> None:
    """Note, after the program closed the database, its size and time: an unchanged file need not be
    checked page by page at the next start (PRAGMA quick_check reads the whole file: 5 s for a
    million cases)."""
    if Path(db_path).exists():
        _clean_marker(db_path).write_text(_file_stamp(db_path), encoding="ascii")


def start_check(db_path: Path) -> str | None:
    """At start: quick_check unless the program closed the file cleanly and nothing changed it since.
    The note is removed either way, so a session that crashes leaves the file to be checked."""
    marker = _clean_marker(db_path)
    clean = False
    if marker.exists():
        try:
            clean = Path(db_path).exists() and marker.read_text(encoding="ascii") == _file_stamp(db_path)
        except (OSError, UnicodeDecodeError):
            clean = False
        marker.unlink(missing_ok=True)
    return None if clean else quick_check(db_path)


def quick_check(db_path: Path) -> str | None:
    """At start: None if the database file looks sound, else what is wrong (for the restore offer)."""
    if not Path(db_path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"数据库文件无法读取：{exc}"
    return None if result == "ok" else f"数据库文件已损坏：{result}"
