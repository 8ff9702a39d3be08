"""Backups of the registry in one file that either backend restores (``.ddbak``).

A backup is a zip holding a SQLite registry (letters and attachments are inside it, in the table
``file_contents``) and a small manifest. From a SQLite file it is made with SQLite's online backup
(consistent while the registry is in use); from a PostgreSQL server by copying every table, read in
one snapshot, into a new SQLite file (db/copy.py). Restoring into a file replaces the file; restoring
into a server database empties it and copies the backup in, in one transaction, and is refused while
other PCs are connected. Backups made before letters moved into the database (a ``files/`` folder in
the zip) are still restored: the upgrade reads the folder in.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from db import connection, maintenance, seats
from db.migrations import files_folder, latest_version
from db.queries import events as events_q
from db.queries import files as files_q
from db.queries import settings as settings_q
from desktop.paths import data_dir
from desktop.services.base import Registry, ServiceError

SUFFIX = ".ddbak"
DB_NAME = "registry.db"
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"  # backups made before version 11 kept the files beside the database
KEEP = 14


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    cases: int
    files: int


def backup_dir(reg: Registry) -> Path:
    """Where backups go by default: beside a registry file; for a server, in this PC's data folder."""
    if reg.path is not None:
        return reg.path.with_name(f"{reg.path.stem}-backups")
    import re

    name = re.sub(r"[^\w.@-]+", "_", reg.describe().removeprefix("PostgreSQL ")).strip("_")
    return data_dir() / "backups" / name


def _label(reg: Registry) -> str:
    return reg.path.stem if reg.path is not None else backup_dir(reg).name


def create(reg: Registry, folder: Path | None = None, keep: int = KEEP, label: str = "",
           progress=None, protect: Path | None = None) -> BackupInfo:
    """Write a backup into ``folder`` (default: ``backup_dir``) and drop the oldest beyond ``keep``
    (never ``protect``: the backup being restored). A damaged file is refused, not backed up: the
    backup would be one that restore later refuses."""
    refuse_if_damaged(reg, "备份")
    folder = Path(folder) if folder else backup_dir(reg)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{_label(reg)}-{stamp}{('-' + label) if label else ''}{SUFFIX}"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / DB_NAME
        if reg.conn.dialect == "sqlite":
            maintenance.online_copy(reg.conn, copy)
        else:
            dest = connection.connect(copy)
            try:
                from db import copy as copy_db

                copy_db.copy_registry(reg.conn, dest, progress)
            finally:
                dest.close()
        chain = events_q.head(reg.conn)  # anchors the history outside the database (see verify)
        audit_chain = settings_q.audit_head(reg.conn)
        partial = target.with_suffix(".part")
        # SQLite's full check of the copy runs beside its compression (both outside the GIL: on two
        # cores the backup takes the longer of the two, not their sum); a copy that fails is not kept.
        summary: list = []
        checking = threading.Thread(target=lambda: summary.append(_summary(copy)), daemon=True)
        checking.start()
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
                _write_compressed(z, copy, DB_NAME)
                checking.join()
                made = summary[0] if summary else None
                if isinstance(made, BaseException):
                    raise made
                if made is None or made.integrity != "ok":
                    problem = made.integrity.splitlines()[0] if made is not None else "无法检查"
                    raise ServiceError(f"{maintenance.DAMAGED}{problem}。不能备份：请用“检查数据完整性”（verify）查看，"
                                       "并从较早的备份恢复")
                cases, files, version = made.cases, made.files, made.version
                manifest = {"format": 2, "schema_version": version, "cases": cases, "files": files,
                            "made_at": datetime.now().isoformat(timespec="microseconds"),
                            "made_from": reg.conn.dialect, "compression": COMPRESSION,
                            "chain_head": {"event_id": chain[0], "hash": chain[1]} if chain else None,
                            "audit_head": {"audit_id": audit_chain[0], "hash": audit_chain[1]} if audit_chain else None}
                z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        except BaseException:
            checking.join()
            partial.unlink(missing_ok=True)
            raise
        if os.name == "posix":
            partial.chmod(0o600)  # personal data: the owner's only
        partial.replace(target)
    rotate(folder, keep, protect)
    return BackupInfo(target, cases, files)


def _summary(copy: Path):
    """The copy's integrity, schema version, cases and files (an exception is returned, not raised:
    this runs on another thread)."""
    try:
        return maintenance.summarize_file(copy)
    except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits for it
        return exc


# The database is compressed with ISA-L's deflate (python-isal) at its level 1 when it is installed,
# else zlib at level 1: plain deflate either way, so every zip reader (and restore, for backups of
# any version) reads it. Measured on a 806 MB registry (200,000 cases with their histories), one
# core: zlib level 6 (before) 25 s → 198 MB; zlib 1 8.9 s → 223 MB; ISA-L 1 2.5 s → 217 MB.
try:
    from isal import isal_zlib as _fast_zlib

    COMPRESSION, _LEVEL = "deflate (ISA-L level 1)", 1
except ImportError:  # pragma: no cover - the package is a dependency; a source checkout may lack it
    import zlib as _fast_zlib

    COMPRESSION, _LEVEL = "deflate (zlib level 1)", 1
_CHUNK = 1 << 20


def _write_compressed(z: zipfile.ZipFile, source: Path, name: str) -> None:
    """Add ``source`` to ``z`` as ``name``, deflated by the compressor above (zipfile's own is zlib at
    level 6: four to ten times slower for a database file)."""
    import shutil as _shutil

    info = zipfile.ZipInfo.from_file(source, name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(source, "rb") as src, z.open(info, "w") as out:
        if hasattr(out, "_compressor"):  # zipfile's writer: its deflate object is swapped for ours
            out._compressor = _fast_zlib.compressobj(_LEVEL, _fast_zlib.DEFLATED, -15)
        _shutil.copyfileobj(src, out, _CHUNK)


def rotate(folder: Path, keep: int, protect: Path | None = None) -> None:
    """Keep the newest ``keep`` backups in ``folder``; ``protect`` is never removed."""
    backups = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    keep_too = Path(protect).resolve() if protect else None
    for old in backups[keep:]:
        if old.resolve() != keep_too:
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


# -- the backup at the end of a session -------------------------------------------------------------
# A backup is made when the window closes, unless nothing changed since the newest backup: a session
# that only looked (or one where every change was undone by nothing) leaves the file as it was, and a
# second identical copy of a big registry would cost a minute for nothing. "Nothing changed" is known
# for certain: the file was, at the session's start, what the newest backup holds (noted when the
# previous session closed it after its backup), and no connection wrote to it during the session.
BACKED_UP_SUFFIX = ".backed-up"


@dataclass(frozen=True)
class Session:
    """What is known when a window session starts on a registry file (see at_exit)."""
    backed_up: bool  # the file is, as opened, what the newest backup holds
    stamp: object  # connection.change_stamp then: any write by anyone since changes it


def _backed_up_marker(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + BACKED_UP_SUFFIX)


def _file_and_journal(db_path: Path) -> str | None:
    """The file's stamp when no write waits in its journal (WAL) beside it, else None."""
    wal = Path(str(db_path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    return _file_stamp(db_path)


def session_start(reg: Registry) -> Session:
    """Call right after opening the window's registry, before the session writes anything (the agency's
    default settings, filled in again at every start, need no backup of their own). The note of the
    last clean close is used up here, so a session that crashes is backed up at the next exit."""
    if reg.path is None:
        return Session(False, None)
    marker = _backed_up_marker(reg.path)
    backed_up = False
    if marker.exists():
        try:
            note = json.loads(marker.read_text(encoding="utf-8"))
            newest = latest(backup_dir(reg)) if backup_dir(reg).is_dir() else None
            backed_up = (note.get("stamp") is not None and note["stamp"] == _file_and_journal(reg.path)
                         and newest is not None and newest.name == note.get("backup"))
        except (OSError, ValueError, AttributeError):
            backed_up = False
        marker.unlink(missing_ok=True)
    return Session(backed_up, connection.change_stamp(reg.conn))


def at_exit(reg: Registry, session: Session | None) -> BackupInfo | None:
    """The backup when the window closes: made unless nothing changed since the newest backup
    (returns None then). Either way the file, once closed, is noted as backed up (mark_closed_cleanly)."""
    if reg.path is None:
        return None
    newest = latest(backup_dir(reg)) if backup_dir(reg).is_dir() else None
    unchanged = (session is not None and session.backed_up and newest is not None
                 and connection.change_stamp(reg.conn) == session.stamp)
    info = None if unchanged else create(reg, label="exit")
    name = info.path.name if info is not None else newest.name
    _backed_up_marker(reg.path).write_text(json.dumps({"backup": name, "stamp": None}), encoding="utf-8")
    return info


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
                try:
                    found = maintenance.summarize_file(Path(tmp) / DB_NAME)
                except sqlite3.DatabaseError as exc:
                    raise ServiceError(f"备份中的数据库无法读取：{exc}") from None
                result, version, cases, stored = found.integrity, found.version, found.cases, found.files
    except zipfile.BadZipFile:
        raise ServiceError(f"{path.name} 不是有效的备份文件") from None
    if result != "ok":
        raise ServiceError(f"备份中的数据库未通过完整性检查：{result}")
    if version > latest_version():
        raise ServiceError(f"备份来自更新版本的程序（数据库版本{version}），请先升级本程序")
    return cases, stored + sum(1 for n in names if n.startswith(FILES_PREFIX) and not n.endswith("/"))


def _unpack(backup: Path, folder: Path) -> Path:
    """The backup's registry file, unpacked into ``folder`` with any old-style files folder beside it."""
    with zipfile.ZipFile(backup) as z:
        z.extractall(folder)
    db_file = folder / DB_NAME
    extracted = folder / "files"
    if extracted.is_dir():
        extracted.rename(files_folder(db_file))
    return db_file


def other_seats(reg: Registry) -> list[str]:
    """How many other connections (PCs) are using this server registry now (0 for a file)."""
    if reg.path is not None:
        return seats.others(reg.path)
    return maintenance.other_connections(reg.conn)


def in_use_message(others: list[str]) -> str:
    return (f"还有{len(others)}处正在使用这个数据库：{'；'.join(others)}。"
            "请先让他们退出本系统，再恢复（否则他们之后保存的内容会丢失）。")


def _refuse_while_in_use(others: list[str]) -> None:
    if others:
        raise ServiceError(in_use_message(others))


def restore(target, backup: Path, progress=None) -> Path | None:
    """Replace the registry at ``target`` (a file or a server database) with a checked backup. The
    current state is first saved as a backup of its own, so a restore can be undone; the path of that
    backup is returned. A file must not be open elsewhere; a server is refused while other PCs are
    connected."""
    check(backup)
    if connection.is_server(target):
        return _restore_server(str(target), Path(backup), progress)
    db_path = Path(target)
    _refuse_while_in_use(seats.others(db_path))
    safety = None
    if db_path.exists():
        try:
            current = Registry.open(db_path)
            try:
                safety = create(current, label="before-restore", protect=backup).path
            finally:
                current.close()
        except Exception:  # a damaged database cannot be backed up: keep the raw file instead
            safety = db_path.with_name(f"{db_path.stem}-damaged-{datetime.now():%Y%m%d-%H%M%S}{db_path.suffix}")
            shutil.copy2(db_path, safety)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    files = files_folder(db_path)
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        unpacked = _unpack(backup, Path(tmp))
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(unpacked, db_path)
        if files.exists():
            shutil.rmtree(files)
        if files_folder(unpacked).is_dir():
            shutil.move(str(files_folder(unpacked)), files)
    _note_restore(db_path)
    return safety


def _restore_server(target: str, backup: Path, progress=None) -> Path | None:
    from db import copy as copy_db

    current = Registry.open(target)
    try:
        _refuse_while_in_use(other_seats(current))
        safety = None
        if not copy_db.is_empty(current.conn):
            safety = create(current, label="before-restore", protect=backup).path
        with tempfile.TemporaryDirectory() as tmp:
            source = Registry.open(_unpack(backup, Path(tmp)))  # an old backup is upgraded here
            try:
                copy_db.replace_registry(source.conn, current.conn, progress)
            finally:
                source.close()
        _note_restore(target)
        return safety
    finally:
        current.close()


def refuse_if_damaged(reg: Registry, action: str) -> None:
    """Before work that would spread damage (a backup restore would refuse, rows written into broken
    pages): SQLite's page check, refused with the line verify prints for it."""
    problem = maintenance.quick_problem(reg.conn)
    if problem:
        raise ServiceError(f"{maintenance.DAMAGED}{problem}。不能{action}：请用“检查数据完整性”（verify）查看，"
                           "并从较早的备份恢复")


def integrity_problems(reg: Registry, documents: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """The database's own check, foreign keys, the audit chain, and letters or attachments whose
    content went missing or changed."""
    problems = maintenance.consistency_problems(reg.conn)
    if any(p.startswith(maintenance.DAMAGED) for p in problems):
        # broken pages: what is read from them proves nothing (and may not be readable at all)
        return problems + ["数据库文件损坏时不再检查事件链和文件；请从较早的备份恢复后再检查"]
    problems += events_q.verify_chain(reg.conn)
    problems += settings_q.verify_audit_chain(reg.conn)
    problems += anchored_history_problems(reg, documents=documents)
    from desktop.services import cases  # (not imported at start-up: the window's start checks a file here)

    problems += cases.rows_that_disagree_with_events(reg)
    for label, row_id, name, what in files_q.changed_or_missing(reg.conn):
        problems.append(f"{label}{row_id}的文件{'缺失' if what == 'missing' else '被改动'}：{name}")
    clock = clock_problem(reg)
    if clock:
        problems.append(clock)
    return problems


def anchored_history_problems(reg: Registry, folder: Path | None = None,
                              documents: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """The chain checks itself, but not its end: events deleted from the end leave a sound, shorter
    chain. Every backup and every final annual report (in the registry, and in its published files
    given as ``documents``) records where the history ended; the history must still hold each of those
    events and administrative actions, unchanged. Names the first one found missing or different."""
    from desktop.services import annual

    folder = Path(folder) if folder else backup_dir(reg)
    # A restore rolls history back on purpose: backups made before it beyond the restored end belong
    # to the history that was left, and are not held against this one.
    restored = json.loads(reg.settings().get(RESTORED_KEY) or "null") or {}
    heads, audit_heads = [], []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            with zipfile.ZipFile(path) as z:
                manifest = json.loads(z.read(MANIFEST))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            continue
        head = manifest.get("chain_head")
        name = f"备份 {path.name}"
        before_restore = restored and manifest.get("made_at", "") <= restored.get("at", "")
        if head and not (before_restore and int(head["event_id"]) > int(restored.get("event_id") or 0)):
            heads.append((int(head["event_id"]), head["hash"], name))
        audit = manifest.get("audit_head")
        if audit and not (before_restore and int(audit["audit_id"]) > int(restored.get("audit_id") or 0)):
            audit_heads.append((int(audit["audit_id"]), audit["hash"], name))
    for year, head in annual.final_anchors(reg):
        heads.append((int(head["event_id"]), head["event_hash"], f"{year}年度报告（定稿）"))
        if head.get("audit_hash"):
            audit_heads.append((int(head["audit_id"]), head["audit_hash"], f"{year}年度报告（定稿）"))
    for path in documents:
        event_id, event_hash, audit_id, audit_hash = document_anchor(path)
        heads.append((event_id, event_hash, f"文件 {Path(path).name}"))
        if audit_hash:
            audit_heads.append((audit_id, audit_hash, f"文件 {Path(path).name}"))
    for event_id, digest, name in sorted(heads):
        if event_id == 0:
            continue
        found = events_q.hash_at(reg.conn, event_id)
        if found is None:
            return [f"事件{event_id}在{name}中有记录，数据库中已没有（事件记录被从末尾删除）"]
        if found != digest:
            return [f"事件{event_id}与{name}中记录的不同（审计链被改写）"]
    for audit_id, digest, name in sorted(audit_heads):
        found = settings_q.audit_hash_at(reg.conn, audit_id)
        if found != digest:
            what = "已没有（记录被删除）" if found is None else "与之不同（被改写）"
            return [f"管理操作记录{audit_id}在{name}中有记录，数据库中{what}"]
    return []


def document_anchor(path: str | Path) -> tuple[int, str, int, str | None]:
    """Where the history ended when a final annual report was published, read from its file (the
    PDF's keywords, the workbook's description, the web page's meta tag) or from a backup's manifest."""
    import re

    from desktop.documents.annual_tables import ANCHOR_PATTERN

    path = Path(path)
    try:
        data = path.read_bytes()
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if MANIFEST in names:
                    m = json.loads(z.read(MANIFEST))
                    head, audit = m.get("chain_head") or {}, m.get("audit_head") or {}
                    if head:
                        return (int(head["event_id"]), head["hash"], int(audit.get("audit_id") or 0),
                                audit.get("hash"))
                data = z.read("docProps/core.xml") if "docProps/core.xml" in names else b""
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ServiceError(f"〔{path.name}〕无法读取：{exc}") from None
    found = re.search(ANCHOR_PATTERN.encode(), data)
    if found is None:
        raise ServiceError(f"〔{path.name}〕不是定稿年度报告或备份文件，其中没有记录数据截止位置")
    audit_hash = found.group(4).decode()
    return int(found.group(1)), found.group(2).decode(), int(found.group(3)), None if audit_hash == "-" else audit_hash


RESTORED_KEY = "history_restored"  # setting: the chain's end and time of the last restore


def _note_restore(target) -> None:
    """Record in the restored registry where its history now ends (see anchored_history_problems)."""
    reg = Registry.open(target)
    try:
        head, audit = events_q.head(reg.conn), settings_q.audit_head(reg.conn)
        with reg.transaction():
            settings_q.put(reg.conn, RESTORED_KEY, json.dumps(
                {"event_id": head[0] if head else 0, "audit_id": audit[0] if audit else 0,
                 "at": datetime.now().isoformat(timespec="microseconds")}))
    finally:
        reg.close()


def clock_problem(reg: Registry) -> str | None:
    """The computer's clock is earlier than the newest recorded event: dates entered now may be wrong."""
    newest = events_q.latest_recorded_at(reg.conn)
    if newest and newest > reg.now():
        return (f"本机时钟（{reg.now().replace('T', ' ')}）早于最近一次记录的时间（{newest.replace('T', ' ')}），"
                "请核对电脑的日期和时间")
    return None


def _clean_marker(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".clean")


def _file_stamp(db_path: Path) -> str:
    st = Path(db_path).stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def mark_closed_cleanly(db_path: Path) -> None:
    """Note, after the program closed the database, its size and time: an unchanged file need not be
    checked page by page at the next start (PRAGMA quick_check reads the whole file: 5 s for a
    million cases). A file just backed up at exit (at_exit) is noted as being what that backup holds."""
    if Path(db_path).exists():
        _clean_marker(db_path).write_text(_file_stamp(db_path), encoding="ascii")
        marker = _backed_up_marker(db_path)
        try:
            note = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else None
        except (OSError, ValueError):
            note = None
        if isinstance(note, dict) and note.get("stamp") is None:
            stamp = _file_and_journal(db_path)
            if stamp is None:
                marker.unlink(missing_ok=True)
            else:
                marker.write_text(json.dumps({**note, "stamp": stamp}), encoding="utf-8")


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
        result = maintenance.quick_check(db_path)
    except sqlite3.DatabaseError as exc:
        return f"数据库文件无法读取：{exc}"
    return None if result == "ok" else f"{maintenance.DAMAGED}{result}"
