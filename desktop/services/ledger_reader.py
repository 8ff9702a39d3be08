"""The ledger import's reading process (started by ``ReaderProcess``; ``--ledger-reader`` in the built
program).

Why a process of its own: reading a workbook, checking its rows and preparing their cases (derived
values, search entries, chained events) is Python work, and so is most of the write's (binding the
rows of a bulk insert); two threads of one process take turns at Python's lock, each waiting for the
other. Here the child reads, checks and prepares batch after batch while the program writes the batch
before into its transaction — both cores at work, no lock shared. The child never touches the
database: what it needs of it comes in the ``ReadSpec``, and the transaction (all or nothing, whatever
happens to either process) stays the program's.

The protocol, on standard input and output (binary): the program writes the pickled ``ReadSpec``; the
child answers with frames (an 8-byte little-endian length, then a pickled message) as
``ledger.read_rows`` yields them, ending with ``("end", …)``, ``("rejected", problems)`` or
``("error", message)`` for a file that cannot be read. It ends when the program has gone (its output
closed). Whatever it prints goes to standard error, kept by the program to say why it stopped if it
ever does before its last message.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from queue import Queue
from typing import Any

from desktop.domain.calendar import WorkCalendar
from desktop.paths import child_command
from desktop.services.errors import ServiceError

_FRAME = struct.Struct("<Q")
AHEAD = 2  # batches the child may have prepared beyond the one being sent: it works while the program writes


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
    prev_hash: str | None = None  # the event chain's last hash
    dialect: str = "sqlite"
    source: str = ""  # the file's name, for the events' payload


class ReaderProcess:
    """The reading child, as an iterator of its messages (``ledger.read_rows``). Leaving the ``with``
    block (at the end, or on an error or a cancel in the program) ends the child at once."""

    def __init__(self, spec: ReadSpec):
        import subprocess
        import tempfile

        self._errors = tempfile.TemporaryFile()
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        try:
            self._proc = subprocess.Popen(child_command("--ledger-reader", "desktop.services.ledger_reader"),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                          creationflags=flags)
        except OSError as exc:
            self._errors.close()
            raise ServiceError(f"无法启动读取台账的进程（{exc}）") from None
        try:
            self._proc.stdin.write(pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
            self._proc.stdin.close()
        except OSError:
            pass  # the child has gone: reading its messages says why

    def __enter__(self) -> ReaderProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple]:
        out = self._proc.stdout
        while True:
            head = out.read(_FRAME.size)
            size = _FRAME.unpack(head)[0] if len(head) == _FRAME.size else 0
            body = out.read(size) if size else b""
            if not size or len(body) != size:  # (a child ended mid-message leaves part of one)
                raise ServiceError(f"读取台账的进程意外退出，本次未导入（{self._gone()}）")
            message = pickle.loads(body)
            yield message
            if message[0] in ("end", "rejected", "error"):
                return

    def _gone(self) -> str:
        """Why the child ended: its last line of errors, or its exit code."""
        try:
            code = self._proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - still there: ended by force
            self._proc.kill()
            code = self._proc.wait()
        self._errors.seek(0)
        lines = self._errors.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"退出码 {code}"

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.wait()
        self._errors.close()


def main() -> int:
    """The child: reads the spec, then sends ``ledger.read_rows``'s messages as they come; a sending
    thread lets the reading go on while the program is busy writing (at most ``AHEAD`` waiting)."""
    if sys.platform == "win32":  # pragma: no cover - binary pipes
        import msvcrt

        msvcrt.setmode(0, os.O_BINARY)
        msvcrt.setmode(1, os.O_BINARY)
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # a library's print() must not land among the messages
    sys.stdout = sys.stderr
    spec: ReadSpec = pickle.load(os.fdopen(0, "rb"))
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
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        waiting.put(_FRAME.pack(len(body)) + body)

    from desktop.documents.ledger_xlsx import LedgerFileError
    from desktop.services import ledger

    try:
        for message in ledger.read_rows(spec):
            put(message)
    except LedgerFileError as exc:
        put(("error", str(exc)))
    waiting.put(None)
    sender.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
