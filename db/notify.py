"""Noticing the other seats' writes.

PostgreSQL: every write transaction sends ``NOTIFY ddesk_changes`` (db.connection.transaction); a
dedicated autocommit connection LISTENs, and the window watches its socket, so another PC's change
arrives in well under a second without polling. Servers without LISTEN (openGauss) and the time
after a reconnect (notifications sent meanwhile are lost) fall back to comparing the change stamp.
SQLite: the change stamp (``PRAGMA data_version``) is the only way; it is cheap enough to poll often.
"""

from __future__ import annotations

from db import connection


class ChangeListener:
    """Tells whether another seat has written since the last call of ``changes``. ``own`` is this
    seat's connection: its own writes do not count (the screens refresh after them anyway)."""

    def __init__(self, target, own):
        self.target = target
        self.own = own
        self.server = connection.is_server(target)
        self._conn = None
        self.listening = False
        self._stamp = None

    def open(self) -> None:
        """Connect (again) and start listening; raises EnvironmentProblem when the server is away."""
        self.close()
        if not self.server:  # data_version of this seat's own connection changes with the others' commits
            self._conn = self.own
            self._stamp = self._conn.execute("PRAGMA data_version").fetchone()[0]
            return
        self._conn = connection.open_raw(self.target)
        self.listening = False
        if self.server:
            import psycopg

            try:
                self._conn.execute(f"LISTEN {connection.CHANGES_CHANNEL}")
                self.listening = True
            except psycopg.errors.FeatureNotSupported:  # openGauss: LISTEN is "not yet supported"
                self.listening = False
        self._stamp = connection.change_stamp(self._conn)

    def fileno(self) -> int | None:
        """The socket to watch for notifications; None when there is none (poll ``changes`` instead)."""
        return self._conn.fileno() if self.listening and self._conn is not None else None

    def changes(self) -> bool:
        """Whether anything was written since the last call (reads pending notifications without
        waiting). Raises EnvironmentProblem when the connection to the server is lost."""
        if self._conn is None:
            self.open()
            return True
        if self.listening:
            import psycopg

            try:
                pgconn = self._conn.raw.pgconn
                pgconn.consume_input()
                mine = str(self.own.raw.info.backend_pid) if not self.own.closed else ""
                seen = False
                while (note := pgconn.notifies()) is not None:  # no other statement runs here (psycopg would take them)
                    seen = seen or note.extra.decode() != mine
                return seen
            except psycopg.Error as exc:
                self.close()
                raise connection.explain(exc, self.target) or exc from exc
        try:
            if self.server:
                stamp = connection.change_stamp(self._conn)
            else:
                stamp = self._conn.execute("PRAGMA data_version").fetchone()[0]
        except connection.database_errors() as exc:
            self.close()
            raise connection.explain(exc, self.target) or exc from exc
        changed, self._stamp = stamp != self._stamp, stamp
        return changed

    def close(self) -> None:
        if self._conn is not None and self._conn is not self.own:
            try:
                self._conn.close()
            except connection.database_errors():
                pass
        self._conn = None
        self.listening = False
