"""A PostgreSQL connection that the query modules use exactly like an ``sqlite3.Connection``.

The SQL in ``db/queries`` is written once, with ``?`` and ``:name`` placeholders, in the subset both
engines accept. This thin layer (not an ORM: a statement costs a few microseconds more than raw
psycopg) translates the placeholders once per statement text, returns rows readable by position and
by column name like ``sqlite3.Row``, and offers the few connection methods the code uses
(``execute``, ``executemany``, ``in_transaction``, ``close``). Numbers come back as ``int``/``float``,
never ``Decimal``, as on SQLite.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import psycopg
import psycopg.rows
from psycopg import pq
from psycopg.adapt import Loader

DIALECT = "postgresql"

# Statements that change nothing when sent twice (a dropped connection may be retried with them).
_SAFE_AGAIN = re.compile(r"\s*(SELECT|BEGIN|SET|SHOW|LISTEN)\b", re.IGNORECASE)

# Outside quoted text: ?, :name (not ::cast), and % (which psycopg would read as a placeholder).
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s``, ``%`` → ``%%``; quoted text and ``::`` casts untouched."""
    def repl(m: re.Match) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if m.group(1):
            return f"%({m.group(1)})s"
        return token
    return _TOKENS.sub(repl, sql)


class Row(tuple):
    """A result row: ``row[0]``, ``row["name"]``, ``row.keys()``, ``dict(row)`` — as ``sqlite3.Row``."""
    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            try:
                key = self._index[key]
            except KeyError:
                raise IndexError(f"No item with that key: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})


def _row_factory(cursor: psycopg.Cursor):
    result = cursor.pgresult  # the column names straight from libpq: cursor.description costs ~30 µs
    if result is None or not result.nfields:
        return tuple
    return _row_class(tuple(result.fname(i).decode() for i in range(result.nfields)))


class _NumberLoader(Loader):
    """numeric (what sum() of integers returns) as int, or float when it has a fraction — as SQLite gives."""

    def load(self, data):
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


class Connection:
    """An open PostgreSQL registry connection (autocommit; ``db.connection.transaction`` opens one).

    A connection the server dropped (network, restart) is opened again by the next statement that is
    not inside a transaction: the statement that met the break fails, the ones after it work."""
    dialect = DIALECT

    STAMP_SECONDS = 1.0  # without LISTEN, another seat's write is noticed by the caches within this time
    CHANNEL = "ddesk_changes"  # db.connection.CHANGES_CHANNEL

    def __init__(self, raw: psycopg.Connection, conninfo: str, application_name: str):
        self.raw = raw
        self.conninfo = conninfo
        self.application_name = application_name
        self.commits = 0  # write transactions committed on this connection
        self.heard = 0  # other connections' commits notified to this one
        self.listening = False
        self._server_stamp: tuple[float, str] | None = None

    def listen(self) -> None:
        """For a long-lived connection (a window's): hear the other seats' commits (``change_stamp``)."""
        self._wants_notes = True
        self._listen()

    _wants_notes = False

    def _listen(self) -> None:
        """Hear the other seats' commits on this connection too: the caches then need no round trip
        to know whether anything changed (the notifications come in with any reply, or are read
        from the socket without waiting)."""
        self.raw.add_notify_handler(self._heard)
        try:
            self.raw.execute(f"LISTEN {self.CHANNEL}")
            self.listening = True
        except psycopg.errors.FeatureNotSupported:  # openGauss
            self.listening = False

    def _heard(self, note) -> None:
        if note.payload != str(self.raw.info.backend_pid):
            self.heard += 1

    def change_stamp(self) -> tuple:
        """Changes after this connection commits and after any other connection's write: heard at
        once when the server notifies, else checked at most once a second (a round trip)."""
        if self.listening:
            pgconn = self._live().pgconn
            try:
                pgconn.consume_input()
            except psycopg.OperationalError:  # the server dropped us: opened again by the next statement
                self.raw.close()
                self.heard += 1
                return self.commits, self.heard
            mine = str(self.raw.info.backend_pid)
            while (note := pgconn.notifies()) is not None:
                if note.extra.decode() != mine:
                    self.heard += 1
            return self.commits, self.heard
        now = time.monotonic()
        if self._server_stamp is None or now - self._server_stamp[0] >= self.STAMP_SECONDS:
            stamp = self.execute("SELECT txid_current_snapshot()::text").fetchone()[0]
            self._server_stamp = (now, stamp)
        return self.commits, self._server_stamp[1]

    @staticmethod
    def _connect(conninfo: str, application_name: str) -> psycopg.Connection:
        raw = psycopg.connect(conninfo, autocommit=True, row_factory=_row_factory,
                              application_name=application_name, options="-c lock_timeout=15000")
        raw.adapters.register_loader("numeric", _NumberLoader)
        if raw.info.server_version >= 120000:
            # a generic plan of a prepared statement can be far worse on skewed columns (the state
            # filter): plan each call with its values. JIT compiling costs 70-100 ms on the annual
            # report's scan and saves nothing on the short queries an office runs; so do parallel
            # workers (starting them took 30 ms of a 50 ms report at 200,000 cases).
            raw.execute("SET plan_cache_mode = force_custom_plan")
            raw.execute("SET jit = off")
        raw.execute("SET max_parallel_workers_per_gather = 0")
        return raw

    @classmethod
    def open(cls, conninfo: str, application_name: str = "") -> Connection:
        # the PC's name goes with every connection: a restore can say which PCs are still connected
        application_name = application_name or f"disclosure-desk@{socket.gethostname()}"[:63]
        return cls(cls._connect(conninfo, application_name), conninfo, application_name)

    def _live(self) -> psycopg.Connection:
        if self.raw.closed and not self._closed_by_us:
            self.raw = self._connect(self.conninfo, self.application_name)
            self.heard += 1  # what was said while away is lost: count it as a change
            if self._wants_notes:
                self._listen()
        return self.raw

    _closed_by_us = False

    # -- the sqlite3.Connection subset the code uses -------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = ()) -> psycopg.Cursor:
        return self._again_if_dropped(sql, lambda: self._execute(sql, params))

    def _again_if_dropped(self, sql: str, run):
        """The server dropped the connection (a restart, the network): a read or the start of a
        transaction is sent again once on a new connection; anything else fails as it is."""
        retry = not self.in_transaction and _SAFE_AGAIN.match(sql) is not None
        try:
            return run()
        except psycopg.OperationalError:
            if not (retry and self.raw.closed and not self._closed_by_us):
                raise
            return run()

    def _execute(self, sql: str, params, row_factory=None) -> psycopg.Cursor:
        cur = self._live().cursor(row_factory=row_factory) if row_factory else self._live().cursor()
        if params:
            cur.execute(translate(sql), params)
        else:
            cur.execute(sql)
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor:
        cur = self._live().cursor()
        rows = list(rows)
        if rows:
            cur.executemany(translate(sql), rows)
        return cur

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` (values in ``columns`` order) with COPY: the rows stream to the server as one
        command (triggers, defaults and constraints as for INSERT). An INSERT a row, even pipelined,
        cost psycopg and the server far more: a 100,000-row ledger imported in 25 s instead of 36 s."""
        if not rows:
            return
        with self._live().cursor(row_factory=psycopg.rows.tuple_row) as cur, \
                cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def fetch_tuples(self, sql: str, params=()) -> list[tuple]:
        """All rows of a query as plain tuples (cheaper than rows readable by name)."""
        return self._again_if_dropped(
            sql, lambda: self._execute(sql, params, psycopg.rows.tuple_row).fetchall())

    @property
    def in_transaction(self) -> bool:
        return not self.raw.closed and self.raw.info.transaction_status in (
            pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR, pq.TransactionStatus.ACTIVE)

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def close(self) -> None:
        self._closed_by_us = True
        self.raw.close()

    def interrupt(self) -> None:
        """Cancel the statement running on this connection (from another thread)."""
        self.raw.cancel_safe()

    def fileno(self) -> int:
        return self.raw.fileno()


def display(conninfo: str) -> str:
    """The connection string without any password, for the status bar and messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "PostgreSQL"
    if params.get("service") and len(params) == 1:
        return f"PostgreSQL 服务 {params['service']}"
    host = params.get("host") or params.get("hostaddr") or "localhost"
    if str(host).startswith("/"):
        host = "本机"
    port = params.get("port") or "5432"
    db = params.get("dbname") or params.get("user") or ""
    user = f"{params['user']}@" if params.get("user") else ""
    return f"PostgreSQL {user}{host}:{port}/{db}"


def _with_defaults(conninfo: str) -> str:
    """A connect timeout unless the string sets one: an unreachable server must not hang a PC."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    if "connect_timeout" not in params:
        params["connect_timeout"] = "10"
    return psycopg.conninfo.make_conninfo(**params)


def open_server(conninfo: str, application_name: str = "") -> Connection:
    """Connect to the registry server; an unusable server becomes an ``EnvironmentProblem``."""
    from db.connection import MIN_SERVER_VERSION, EnvironmentProblem

    try:
        conn = Connection.open(_with_defaults(conninfo), application_name)
    except psycopg.Error as exc:
        problem = explain(exc, display(conninfo))
        if problem:
            raise problem from exc
        raise
    version = conn.raw.info.server_version
    if version < MIN_SERVER_VERSION:
        conn.close()
        raise EnvironmentProblem(
            f"数据库服务器版本过旧（{version // 10000}.{version % 10000}），本系统需要 PostgreSQL 10 或更新版本。")
    return conn


def explain(exc: BaseException, where: str | None = None):
    """A message for an error caused by the server or the network; None when it looks like a bug."""
    from db.connection import EnvironmentProblem

    if not isinstance(exc, psycopg.Error):
        return None
    at = f"（{where}）" if where else ""
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc).lower()
    if state == "28P01" or "password authentication failed" in text:
        return EnvironmentProblem(f"数据库用户名或密码不正确{at}。请核对用户名和密码。")
    if "no password supplied" in text:
        return EnvironmentProblem(f"数据库服务器要求密码，但本机没有保存密码{at}。请在连接设置中输入密码。")
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return EnvironmentProblem(f"数据库服务器上没有这个数据库{at}。请核对数据库名，或请管理员先创建数据库。")
    if state in ("28000",) or "no pg_hba.conf entry" in text:
        return EnvironmentProblem(f"数据库服务器拒绝了本机的连接{at}。请管理员在服务器的 pg_hba.conf 中允许本机访问。")
    if state == "42501":
        return EnvironmentProblem(f"数据库用户权限不足{at}。请管理员授予该用户对数据库的权限。")
    if state in ("55P03", "57014") and ("lock" in text or "timeout" in text):
        return EnvironmentProblem(f"数据库正被其他用户长时间占用{at}，请稍后重试。")
    if state in ("53100", "53200", "53300"):
        return EnvironmentProblem(f"数据库服务器空间或连接数已满{at}，请联系管理员。")
    if state == "25006":
        return EnvironmentProblem(f"数据库服务器处于只读状态{at}，请联系管理员。")
    if isinstance(exc, psycopg.OperationalError) or state.startswith(("08", "57P")):
        return EnvironmentProblem(f"无法连接数据库服务器{at}。请检查网络和服务器是否开启，稍后重试。")
    return None
