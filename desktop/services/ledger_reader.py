"""The ledger import's reading process (started by ``ReaderProcess``; ``--ledger-reader`` in the built
program).

Why a process of its own: reading a workbook, checking its rows and preparing their cases (derived
values, search entries, chained events) is Python work, and so is most of the write's (binding the
rows of a bulk insert); two threads of one process take turns at Python's lock, each waiting for the
other. Here the child reads, checks and prepares batch after batch while the program writes the batch
before into its transaction — both cores at work, no lock shared. Whichever side is slower, neither
waits long: when nothing is left for the program to write, the child hands its next batch over
checked but not prepared, and the program prepares it (the same function) while the child goes on.
The child never touches the database: what it needs of it comes in the ``ReadSpec``, and the
transaction (all or nothing, whatever happens to either process) stays the program's. The workbook
itself is read in pieces on a thread of the child (``documents.xlsx_stream``) while its rows are checked.

The protocol (desktop/child.py's frames): the program sends the ``ReadSpec``; the child answers with
the messages ``ledger.read_rows`` yields, ending with ``("end", …)``, ``("rejected", problems)`` or
``("error", message)`` for a file that cannot be read. It ends when the program has gone (its output
closed). Whatever it prints goes to standard error, kept by the program to say why it stopped if it
ever does before its last message.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from queue import Queue
from typing import Any

from desktop.child import Child, ChildGone, own_pipes, pack, receive
from desktop.domain.calendar import WorkCalendar
from desktop.services.errors import ServiceError

# batches the child may have made beyond the one being sent (≈2 MB each, packed): it goes on while
# the program writes, and through the second and a half the program takes to make the indexes again
# (16 against 8: the import's median 8.0 s against 8.7–9.2 s at 100,000 rows)
AHEAD = 16


@dataclass(frozen=True)
class ReadSpec:
    """What the reading child needs to know: the file, and what the registry holds that the rows are
    checked and prepared against (read by the program inside its transaction)."""
    path: str
    today: date
    divisions: dict[str, int]  # name → id
    locked: frozenset[int]  # years whose annual report is final
    batch: int  # rows a batch
    write: bool  # False: a dry run (check only, nothing prepared)
    calendar: WorkCalendar | None = None
    now: str = ""
    actor_id: int | None = None
    first_id: int = 1  # the id of the first case written
    dialect: str = "sqlite"
    source: str = ""  # the file's name, for the events' payload


class ReaderProcess:
    """The reading child, as an iterator of its messages (``ledger.read_rows``). Leaving the ``with``
    block (at the end, or on an error or a cancel in the program) ends the child at once."""

    def __init__(self, spec: ReadSpec):
        try:
            self._child = Child("--ledger-reader", "desktop.services.ledger_reader", spec)
        except (OSError, ChildGone) as exc:
            raise ServiceError(f"无法启动读取台账的进程（{exc}）") from None
        self._child.end_input()

    def __enter__(self) -> ReaderProcess:
        return self

    def __exit__(self, *exc) -> None:
        self._child.close()

    def __iter__(self) -> Iterator[tuple]:
        while True:
            try:
                message = self._child.receive()
            except ChildGone as gone:
                raise ServiceError(f"读取台账的进程意外退出，本次未导入（{gone}）") from None
            yield message
            if message[0] in ("end", "rejected", "error"):
                return


def main() -> int:
    """The child: reads the spec, then sends ``ledger.read_rows``'s messages as they come; a sending
    thread lets the reading go on while the program is busy writing (at most ``AHEAD`` waiting)."""
    # Python's cycle collector off: every object this process makes is freed as soon as it is let go
    # (the rows make no reference cycles: tests/unit/test_ledger.py counts them), and a
    # collector walking the batches in flight took a tenth of the reading's time.
    gc.disable()
    requests, replies = own_pipes()
    spec: ReadSpec = receive(requests)
    waiting: Queue[bytes | None] = Queue(AHEAD)

    def send() -> None:
        while (frame := waiting.get()) is not None:
            try:
                replies.write(frame)
            except OSError:  # the program has gone (its transaction with it): nothing left to do
                os._exit(0)

    sender = threading.Thread(target=send, name="ledger-send", daemon=True)
    sender.start()

    def put(message: Any) -> None:
        waiting.put(pack(message))

    from desktop.documents.ledger_xlsx import LedgerFileError
    from desktop.services import ledger

    try:
        for message in ledger.read_rows(spec, waiting.empty):
            put(message)
    except LedgerFileError as exc:
        put(("error", str(exc)))
    waiting.put(None)
    sender.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
