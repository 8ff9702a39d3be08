"""What every service shares: the open registry, the acting user, and the errors users see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from db import connection
from db.queries import settings as settings_q
from desktop.domain.application import Problem
from desktop.domain.calendar import WorkCalendar


class ServiceError(Exception):
    """A refusal the user can understand and act on."""


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed the case since it was loaded."""


class ValidationFailed(ServiceError):
    """Input with problems; every problem is listed, nothing was saved."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = list(problems)
        super().__init__("；".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Actor:
    """The signed-in user (or the system, for automatic steps and imports)."""
    user_id: int | None
    login: str
    name: str
    roles: frozenset[str]
    division_id: int | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


SYSTEM = Actor(None, "system", "系统", frozenset({"clerk", "office_head", "admin"}))


@dataclass(frozen=True)
class Changes:
    """What a write changed, as every writing service returns it (Anki's OpChanges): the main window
    hands it to the screens, and each refreshes what concerns it. A write that makes a record returns
    that record, which carries its Changes as ``.changes`` (an issued letter, a stored attachment);
    ``id`` is the row a write created when that is all the caller needs (a user, a division).
    A change made on another seat is ``EVERYTHING``: nobody here knows what it touched."""
    case_ids: tuple[int, ...] = ()
    case_nos: tuple[str, ...] = ()
    calendar: bool = False    # working days: every due date may have moved
    people: bool = False      # users and divisions (names in lists, routing choices)
    settings: bool = False    # the agency's settings (numbering, threshold, names on letters)
    templates: bool = False   # letter templates (which fields the draft editor asks for)
    reports: bool = False     # annual-report texts, figures and finalisation
    everything: bool = False
    id: int | None = None

    def __or__(self, other: Changes) -> Changes:
        ids = tuple(dict.fromkeys(self.case_ids + other.case_ids))
        nos = tuple(dict.fromkeys(self.case_nos + other.case_nos))
        return Changes(ids, nos, *(getattr(self, f) or getattr(other, f) for f in _FLAGS),
                       id=self.id if self.id is not None else other.id)

    @property
    def cases(self) -> bool:
        """Lists, queues and counts may show something else (a case changed, or its due date did)."""
        return bool(self.case_ids) or self.calendar or self.people or self.everything

    def touches(self, case_id: int | None) -> bool:
        """The open case's screen shows something else."""
        return case_id is not None and (case_id in self.case_ids or self.calendar or self.people
                                        or self.templates or self.settings or self.everything)


_FLAGS = ("calendar", "people", "settings", "templates", "reports", "everything")
EVERYTHING = Changes(everything=True)


def changes_of(result: Any) -> Changes | None:
    """The Changes a writing service returned: itself, or carried by the record it made."""
    return result if isinstance(result, Changes) else getattr(result, "changes", None)


class Snapshot(NamedTuple):
    calendar: WorkCalendar
    settings: dict[str, str]
    division_names: dict[int, str]


@dataclass
class Registry:
    """An open registry database, with the clock and calendar the services use.

    ``target`` is what opened it (a file path or a PostgreSQL connection string; other threads open
    their own connection to it); ``path`` is the SQLite file, None on a server."""
    conn: Any
    target: str | Path
    today: Callable[[], date] = field(default=date.today)
    _calendar: WorkCalendar | None = None
    _settings: dict[str, str] | None = None
    _division_names: dict[int, str] | None = None
    _stamp: Any = None
    _rolling: bool = False

    @classmethod
    def open(cls, target: str | Path, today: Callable[[], date] = date.today) -> Registry:
        if not connection.is_server(target):
            target = Path(target)
        conn = connection.connect(target)
        if conn.dialect == "postgresql":
            conn.listen()  # the caches hear the other seats' writes without asking the server each time
        return cls(conn, target, today)

    @property
    def path(self) -> Path | None:
        """The SQLite file of this registry; None when it is on a PostgreSQL server."""
        return self.target if isinstance(self.target, Path) else None

    @property
    def on_server(self) -> bool:
        return self.path is None

    def describe(self) -> str:
        """Where the registry is, for the status bar (no password)."""
        return connection.describe(self.target)

    def close(self) -> None:
        self.conn.close()

    def now(self) -> str:
        return datetime.now().isoformat(timespec="seconds")

    def _fresh(self) -> None:
        """Forget cached settings and calendar once anything was written, here or by another seat."""
        stamp = connection.change_stamp(self.conn)
        if stamp != self._stamp:
            self._stamp, self._calendar, self._settings, self._division_names = stamp, None, None, None

    def snapshot(self) -> Snapshot:
        """Calendar, settings and division names as of now, with one check for changes (the cached ones
        are kept until this or another seat writes to the database). Do not modify what it returns."""
        self._fresh()
        if self._calendar is None:
            self._calendar = self.read_calendar()
        if self._settings is None:
            self._settings = settings_q.get_all(self.conn)
        if self._division_names is None:
            self._division_names = {r["id"]: r["name"] for r in settings_q.divisions(self.conn)}
        return Snapshot(self._calendar, self._settings, self._division_names)

    def read_calendar(self) -> WorkCalendar:
        """The calendar as the database holds it now, uncached (inside a transaction that changed it:
        the cache is kept for what was committed)."""
        overrides = {date.fromisoformat(r["day"]): bool(r["is_workday"])
                     for r in settings_q.calendar_overrides(self.conn)}
        return WorkCalendar(overrides, settings_q.calendar_notice_years(self.conn))

    def calendar(self) -> WorkCalendar:
        """The working-day calendar: official data plus this database's overrides."""
        return self.snapshot().calendar

    def settings(self) -> dict[str, str]:
        """The agency settings (a copy)."""
        return dict(self.snapshot().settings)

    def division_names(self) -> dict[int, str]:
        """Division id → name, every division (a copy)."""
        return dict(self.snapshot().division_names)

    @contextmanager
    def transaction(self, roll: bool = True) -> Iterator[Any]:
        """One write transaction (nested use joins the outer one). The first of each day also brings
        what depends on today up to date (cases.roll_forward), so a write never leaves it stale."""
        outer = not self.conn.in_transaction
        with connection.transaction(self.conn) as conn:
            if outer and roll and not self._rolling:
                self._rolling = True
                try:
                    from desktop.services.cases import roll_forward

                    roll_forward(self)
                finally:
                    self._rolling = False
            yield conn


def require_role(actor: Actor, *roles: str, action: str) -> None:
    if not actor.has(*roles):
        raise PermissionDenied(f"您没有“{action}”的权限")
