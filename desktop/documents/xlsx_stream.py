"""The first sheet of an .xlsx read piece by piece, by python-calamine, while the rest is still being
read: rows from the first moment instead of after the whole sheet.

python-calamine reads a whole sheet before it gives its first row (1.5–2 s for a 100,000-row ledger,
with nothing else to do meanwhile). Here the sheet's XML is inflated from the zip as a stream and cut
at row ends into pieces of a few MB; each piece is given to python-calamine as a workbook of its
own (the file's own workbook, relationships, styles and shared strings, and the sheet's own opening
with the piece of rows), on a thread (python-calamine lets go of Python's lock while it parses) so
that the rows of one piece are checked while the next is read. The values are python-calamine's own:
the same reader, the same dates, numbers and text, only in pieces; a cell keeps its place (each
piece says where its first row and column are).

Only a sheet laid out as most writers lay it out is read this way (``open_pieces`` gives None
otherwise and the caller reads the whole sheet at once): the standard parts of a workbook, a
``<dimension>`` for the progress, ``<sheetData>`` unprefixed, and shared strings small enough to read
again with every piece (this program's own export writes its text inline: none). A piece is cut
only before a row that says its number (``r=""``); a sheet whose rows do not, or with CDATA in it, is
read as one piece from there on.
"""

from __future__ import annotations

import io
import posixpath
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import Any
from xml.etree import ElementTree

# bytes of the sheet's XML a piece (≈4,000 rows of a ledger): small enough that the first rows
# come at once, big enough that a piece's own workbook costs nothing against its parse
PIECE_BYTES = 4 << 20
# shared strings larger than this are not parsed again for every piece: the sheet is read whole
SHARED_STRINGS_MAX = 256 << 10
# a piece found damaged is read again in pieces this small: the rows before the damage are read, and
# the message names a row near it
DAMAGE_BYTES = 64 << 10
AHEAD = 2  # pieces read beyond the one whose rows are being taken

_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_SHARED = "xl/sharedStrings.xml"
_PARTS = ("[Content_Types].xml", "_rels/.rels", _WORKBOOK, _WORKBOOK_RELS, "xl/styles.xml", _SHARED)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]*\$?[0-9]*:?\$?[A-Z]*\$?([0-9]+)"\s*/>')
_NEXT_ROW = re.compile(rb"\s*<row\b([^>]*)>")
_NUMBERED = re.compile(rb'\sr="[0-9]+"')
_HEAD_MAX = 4 << 20  # the sheet's XML before <sheetData> (views, columns) is never this long


@dataclass
class Piece:
    """Rows of the sheet as python-calamine gives them (a list of values each, "" for an empty cell),
    the first of them at ``row``, ``column`` (counted from 0: the first row and column of the piece
    that hold anything)."""
    row: int
    column: int
    rows: Iterable[list[Any]]


class PieceError(Exception):
    """A piece could not be read (the file is damaged there); ``after_row`` is the last row read
    before it (0: none)."""

    def __init__(self, cause: BaseException, after_row: int):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause, self.after_row = cause, after_row


class SheetPieces:
    """The pieces of the first sheet, read ahead on a thread; iterate, then ``close`` (also when
    leaving early: the thread stops and the file is let go)."""

    def __init__(self, archive: zipfile.ZipFile, sheet: str, head: bytes, skip: int, last_row: int,
                 parts: dict[str, bytes]):
        self.last_row = last_row  # the sheet's last row as its <dimension> says (counted from 1)
        self._archive, self._sheet, self._head, self._parts = archive, sheet, head, parts
        self._skip = skip  # the bytes of the sheet's XML up to its rows
        self._queue: Queue[Piece | PieceError | None] = Queue(AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="xlsx-pieces", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[Piece]:
        while (piece := self._queue.get()) is not None:
            if isinstance(piece, PieceError):
                raise piece
            yield piece

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():  # free the reader if it waits to hand a piece over
            try:
                self._queue.get(timeout=0.05)
            except Empty:
                pass
        self._archive.close()

    def _put(self, item: Piece | PieceError | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except Full:  # look at the stop again
                continue
        return False

    def _read(self) -> None:
        last = 0
        try:
            for body in self._bodies():
                try:
                    pieces = [self._parse(body)]
                except Exception:  # noqa: BLE001 - damaged: read again in small pieces, to say where
                    pieces = map(self._parse, _split(body, DAMAGE_BYTES))
                for piece in pieces:
                    if self._stop.is_set():
                        return
                    if piece is None:
                        continue
                    last = piece.row + len(piece.rows)
                    if not self._put(piece):
                        return
            self._put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader of the pieces
            self._put(PieceError(exc, last))

    def _bodies(self) -> Iterator[bytes]:
        """The sheet's rows as pieces of XML, each cut after a ``</row>`` and before a numbered row."""
        cutting = True
        with self._archive.open(self._sheet) as stream:
            # the first piece smaller: its rows are the first work of the reader's caller
            buffer = stream.read(self._skip + PIECE_BYTES // 4)[self._skip:]
            if b"<![CDATA[" in buffer:
                cutting = False  # text that may hold "</row>": no cut
            while True:
                if cutting:
                    end = _cut(buffer)
                    if end is None:
                        cutting = False  # the next row does not say its number: it must follow its own
                    elif end:
                        yield buffer[:end]
                        buffer = buffer[end:]
                data = stream.read(PIECE_BYTES) if cutting else stream.read()
                if not data:
                    end = buffer.rfind(b"</sheetData>")
                    yield buffer[:end] if end >= 0 else buffer
                    return
                if cutting and b"<![CDATA[" in buffer[-9:] + data:
                    cutting = False  # text that may hold "</row>": no cut from here on
                buffer += data

    def _parse(self, body: bytes) -> Piece | None:
        from python_calamine import CalamineWorkbook

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
            for name, data in self._parts.items():
                package.writestr(name, data)
            package.writestr(self._sheet, self._head + body + b"</sheetData></worksheet>")
        out.seek(0)
        workbook = CalamineWorkbook.from_filelike(out)
        try:
            sheet = workbook.get_sheet_by_index(0)
            start = sheet.start
            if start is None:
                return None  # rows with nothing in them
            return Piece(start[0], start[1], sheet.to_python())
        finally:
            workbook.close()


def _cut(buffer: bytes) -> int | None:
    """Where to cut ``buffer``: after its last ``</row>`` followed by a whole row tag that says its
    number (0: no such place yet; None: the next row does not say its number)."""
    end = buffer.rfind(b"</row>")
    while end >= 0:
        after = end + len(b"</row>")
        tag = _NEXT_ROW.match(buffer, after)
        if tag is not None:
            return after if _NUMBERED.search(tag.group(1)) else None
        if buffer[after:].lstrip().startswith(b"</sheetData>"):
            return after
        end = buffer.rfind(b"</row>", 0, end)  # the next row's tag is not all here yet
    return 0


def _split(body: bytes, size: int) -> Iterator[bytes]:
    """``body`` (rows of XML) in pieces of about ``size`` bytes, cut as ``_cut`` cuts."""
    while len(body) > size:
        end = _cut(body[:size])
        if not end:
            break
        yield body[:end]
        body = body[end:]
    yield body


def open_pieces(path: str) -> SheetPieces | None:
    """The first sheet of ``path`` as pieces, or None when it is not laid out to be read that way (or
    is not a workbook at all: the whole-sheet reading says what is wrong with it)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    try:
        found = _layout(archive)
    except Exception:  # noqa: BLE001 - anything unexpected: the whole-sheet reading decides
        found = None
    if found is None:
        archive.close()
        return None
    return SheetPieces(archive, *found)


def _layout(archive: zipfile.ZipFile) -> tuple[str, bytes, int, int, dict[str, bytes]] | None:
    names = set(archive.namelist())
    if _WORKBOOK not in names or _WORKBOOK_RELS not in names:
        return None
    if _SHARED in names and archive.getinfo(_SHARED).file_size > SHARED_STRINGS_MAX:
        return None
    first = ElementTree.fromstring(archive.read(_WORKBOOK)).find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None:
        return None
    rel_id = first.get(f"{_REL}id")
    target = None
    for rel in ElementTree.fromstring(archive.read(_WORKBOOK_RELS)).iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id and (rel.get("Type") or "").endswith("/worksheet"):
            target = rel.get("Target") or ""
    if not target:
        return None
    sheet = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if sheet not in names:
        return None
    with archive.open(sheet) as stream:
        start = stream.read(_HEAD_MAX)
    opening = start.find(b"<sheetData>")
    if opening < 0:
        return None  # no rows (<sheetData/>), a prefixed namespace, or an opening longer than any writer's
    head = start[:opening + len(b"<sheetData>")]
    dimension = _DIMENSION.search(head)
    if dimension is None or int(dimension.group(1)) < 2:
        return None  # (some writers say "A1" whatever the sheet holds: the progress needs the rows)
    # the piece's workbook does not say the whole sheet's size (python-calamine would make room for it)
    head = head[:dimension.start()] + head[dimension.end():]
    parts = {name: archive.read(name) for name in _PARTS if name in names}
    return sheet, head, opening + len(b"<sheetData>"), int(dimension.group(1)), parts
