"""This program started again as a child process, for work that runs beside the calling process on
the other core: the ledger import's reading (services/ledger_reader.py) and the ledger export's
writing (documents/ledger_xlsx.py). Messages go both ways as frames — an 8-byte little-endian length,
then a pickle (between two copies of this same program). The child's standard output carries only the
frames (a library's print goes to standard error, which the parent keeps to say why a child stopped).
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
from typing import IO, Any

from desktop.paths import child_command

_FRAME = struct.Struct("<Q")


class ChildGone(Exception):
    """The child ended before its answer (``str``: its last line of errors, or its exit code)."""


def pack(message: Any) -> bytes:
    buffer = io.BytesIO()
    buffer.write(bytes(_FRAME.size))
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # no memo: each of a batch's hundreds of thousands of objects is written, not first looked up
    # (twice as fast; the messages hold no cycles, and a text met twice is written twice)
    pickler.fast = True
    pickler.dump(message)
    with buffer.getbuffer() as frame:
        _FRAME.pack_into(frame, 0, len(frame) - _FRAME.size)
    return buffer.getvalue()


def receive(stream: IO[bytes]) -> Any:
    """The next message on ``stream``; EOFError when it ends (also part-way through one)."""
    head = stream.read(_FRAME.size)
    size = _FRAME.unpack(head)[0] if len(head) == _FRAME.size else 0
    body = stream.read(size) if size else b""
    if not size or len(body) != size:
        raise EOFError
    return pickle.loads(body)


def _widen(pipe: IO[bytes]) -> None:
    """Linux: a pipe holding a whole batch (1 MiB, the most allowed without privileges; 64 KiB by
    default), so that a child's message is handed over in a few steps, not in thirty waits for the reader."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


class Child:
    """A child started with ``flag`` (the built program) or ``module.function`` (from source),
    sent ``first`` on its input. ``close`` (or leaving the ``with`` block) ends it if still running."""

    def __init__(self, flag: str, module: str, first: Any, function: str = "main"):
        import subprocess
        import tempfile

        self._errors = tempfile.TemporaryFile()
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        try:
            self.proc = subprocess.Popen(child_command(flag, module, function), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._errors, creationflags=flags)
        except OSError:
            self._errors.close()
            raise
        for pipe in (self.proc.stdin, self.proc.stdout):  # the export's rows go in, the import's come out
            _widen(pipe)
        self.send(first)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: Any) -> None:
        """Write a message to the child (waits while the child is busy); ChildGone if it has ended."""
        try:
            self.proc.stdin.write(pack(message))
            self.proc.stdin.flush()
        except OSError:
            raise ChildGone(self._why()) from None

    def receive(self) -> Any:
        """The child's next message; ChildGone if it ended first."""
        try:
            return receive(self.proc.stdout)
        except EOFError:
            raise ChildGone(self._why()) from None

    def end_input(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def _why(self) -> str:
        try:
            code = self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - still there: ended by force
            self.proc.kill()
            code = self.proc.wait()
        self._errors.seek(0)
        lines = self._errors.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"退出码 {code}"

    def close(self) -> None:
        proc = self.proc
        if proc.poll() is None:
            proc.kill()
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        proc.wait()
        self._errors.close()


def own_pipes() -> tuple[IO[bytes], IO[bytes]]:
    """In the child: (input, output) as binary streams; print() and sys.stdout go to standard error
    so that nothing but frames reaches the parent."""
    if sys.platform == "win32":  # pragma: no cover - binary pipes
        import msvcrt

        msvcrt.setmode(0, os.O_BINARY)
        msvcrt.setmode(1, os.O_BINARY)
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(0, "rb"), out
