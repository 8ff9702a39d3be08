"""Where this PC's registry is: a file of its own, or the office's PostgreSQL server.

The choice is made once per PC (the first start asks) and remembered in the user's data folder
without any password. A server password goes where libpq itself looks for it — the user's pgpass
file (``%APPDATA%\\postgresql\\pgpass.conf`` on Windows, ``~/.pgpass`` elsewhere, or ``PGPASSFILE``) —
never into our own files."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from db import connection
from db.connection import EnvironmentProblem
from db.queries import cases as cases_q
from desktop import paths


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    dbname: str
    user: str

    def conninfo(self, password: str | None = None) -> str:
        """A libpq connection string (with the password only when one is given, for a test)."""
        import psycopg

        params = {"host": self.host.strip(), "port": str(self.port), "dbname": self.dbname.strip(),
                  "user": self.user.strip()}
        if password:
            params["password"] = password
        return psycopg.conninfo.make_conninfo(**params)

    def problems(self) -> list[str]:
        out = []
        if not self.host.strip():
            out.append("〔服务器地址〕请填写服务器的计算机名或IP地址")
        if not 1 <= self.port <= 65535:
            out.append("〔端口〕应为1～65535之间的数字（通常是5432）")
        if not self.dbname.strip():
            out.append("〔数据库〕请填写数据库名")
        if not self.user.strip():
            out.append("〔用户名〕请填写数据库用户名")
        return out


def test_server(server: Server, password: str | None = None) -> str:
    """Connect once and say what was found (version, whether the registry exists yet). Raises
    EnvironmentProblem with a message for each failure: unreachable, wrong password, no such database,
    server too old, a locale that cannot search Chinese."""
    from db.migrations import check_pg_locale, latest_version, pg_version

    problems = server.problems()
    if problems:
        raise EnvironmentProblem("；".join(problems))
    conn = connection.open_raw(server.conninfo(password))
    try:
        check_pg_locale(conn)
        version = conn.raw.info.server_version
        text = f"连接成功：PostgreSQL {version // 10000}.{version % 10000}"
        schema = pg_version(conn)
        if schema == 0:
            return text + "；这是一个空数据库，首次打开时将自动创建本系统的表。"
        if schema > latest_version():
            return text + f"；数据库由更新版本的程序创建（版本{schema}），请先升级本程序。"
        cases = cases_q.count(conn)
        return text + f"；已有本系统的数据（{cases}件案件）。"
    finally:
        conn.close()


def pgpass_file() -> Path:
    """The password file libpq reads (PGPASSFILE, else the platform's standard place)."""
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"])
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA") or Path.home()) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def save_password(server: Server, password: str) -> Path:
    """Put the password into libpq's password file (replacing an older line for the same server,
    database and user); on Unix the file is made readable by this user only, as libpq requires."""
    path = pgpass_file()
    key = ":".join(_escape(v) for v in (server.host.strip(), str(server.port), server.dbname.strip(),
                                        server.user.strip()))
    lines = []
    if path.exists():
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(key + ":")]
    lines.append(f"{key}:{_escape(password)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not sys.platform.startswith("win"):
        path.chmod(0o600)
    return path


def is_server(target: str | Path) -> bool:
    return connection.is_server(target)


def configured() -> bool:
    """Whether this PC has a registry: one named in DISCLOSURE_DESK_DB, remembered, or the default file."""
    return bool(os.environ.get("DISCLOSURE_DESK_DB") or paths.remembered_target()
                or paths.default_db_path().exists())


def use_file(path: Path) -> None:
    paths.remember_target(Path(path))


def use_server(server: Server, password: str | None = None) -> str:
    """Remember the server for this PC (and its password in the pgpass file); the target to open."""
    if password:
        save_password(server, password)
    target = server.conninfo()
    paths.remember_target(target)
    return target
