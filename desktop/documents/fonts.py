"""Fonts for letters: the office's own 仿宋 / 小标宋 when installed, else the bundled Song faces, and a
fallback chain so that every character of a name prints.

reportlab embeds TrueType outlines only, so only TrueType files are taken from the system (the CFF
Noto CJK fonts most Linux desktops have are not). The bundled fonts are kept xz-compressed in the
package and unpacked into the cache folder the first time they are needed:

- DDesk Serif SC (a renamed subset of Noto Serif CJK SC Regular, SIL OFL 1.1): body text when the PC
  has no 仿宋, and every character a system body font lacks (GBK, all CJK Unified Ideographs,
  Extension A);
- DDesk Serif SC Bold (Noto Serif CJK SC Bold, GB2312): titles when the PC has no 小标宋;
- DDesk Han Ext (HanaMinB of the Hanazono fonts, Hanazono Font License or SIL OFL 1.1): rare characters
  of CJK Extensions B–F, used only when no system font (HanaMinA/B, SimSun-ExtB, ...) has them.

Inside a paragraph each character is drawn with the first font of the chain that has it (reportlab
<font name=...> runs); a character no font has is reported before anything is generated.
``scripts/build_letter_fonts.py`` rebuilds the bundled files.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from desktop.paths import cache_dir, resources_dir

_LOCK = threading.RLock()
_ORDER = {"title": 0, "song": 1, "serif": 2, "rare": 3}


@dataclass(frozen=True)
class Bundled:
    """A font shipped xz-compressed in resources/fonts."""
    name: str  # the reportlab name it is registered under
    family: str
    archive: str  # relative to the resources folder
    origin: str
    licence: str
    licence_file: str  # relative to the resources folder


SERIF = Bundled("DDeskSerifSC", "DDesk Serif SC", "fonts/DDeskSerifSC-Regular.ttf.xz",
                "Noto Serif CJK SC Regular 的子集（GBK、CJK 统一汉字及扩展 A）", "SIL Open Font License 1.1",
                "fonts/OFL.txt")
SERIF_BOLD = Bundled("DDeskSerifSCBold", "DDesk Serif SC Bold", "fonts/DDeskSerifSC-Bold.ttf.xz",
                     "Noto Serif CJK SC Bold 的子集（GB2312）", "SIL Open Font License 1.1", "fonts/OFL.txt")
HAN_EXT = Bundled("DDeskHanExt", "DDesk Han Ext", "fonts/DDeskHanExt.ttf.xz",
                  "花園明朝 HanaMinB 的子集（CJK 扩展 B–F）", "花園フォント许可或 SIL Open Font License 1.1",
                  "fonts/Hanazono-LICENSE.txt")
BUNDLED_FONTS = (SERIF, SERIF_BOLD, HAN_EXT)
BUNDLED = SERIF.name  # the bundled body font's reportlab name


@dataclass(frozen=True)
class Wanted:
    """A system font looked for by family name (fontconfig) or by file name (Windows, macOS)."""
    role: str
    label: str  # as the About box names it
    families: tuple[str, ...]
    files: tuple[str, ...]
    index: int = 0  # the face inside a .ttc
    licence: str = "系统字体，按其随附的许可使用"


# In order of preference within each role.
FANGSONG = (
    Wanted("body", "方正仿宋_GBK", ("方正仿宋_GBK", "FZFangSong-Z02"), ("FZFSK.TTF",)),
    Wanted("body", "仿宋", ("仿宋", "FangSong"), ("simfang.ttf", "FangSong.ttf", "fangsong.ttf")),
    Wanted("body", "仿宋_GB2312", ("仿宋_GB2312", "FangSong_GB2312"), ("仿宋_GB2312.ttf", "FS_GB2312.ttf",
                                                                        "fsgb2312.ttf")),
    Wanted("body", "方正仿宋简体", ("方正仿宋简体", "FZFangSong-Z02S"), ("FZFSJW.TTF",)),
    Wanted("body", "华文仿宋", ("华文仿宋", "STFangsong"), ("STFANGSO.TTF",)),
)
XIAOBIAOSONG = (
    Wanted("title", "方正小标宋简体", ("方正小标宋简体", "FZXiaoBiaoSong-B05S"), ("FZXBSJW.TTF",)),
    Wanted("title", "方正小标宋_GBK", ("方正小标宋_GBK", "FZXiaoBiaoSong-B05"), ("FZXBSK.TTF",)),
    Wanted("title", "华文中宋", ("华文中宋", "STZhongsong"), ("STZHONGS.TTF",)),
)
SONG = (Wanted("song", "宋体", ("宋体", "SimSun"), ("simsun.ttc", "SimSun.ttf")),)
RARE = (
    Wanted("rare", "SimSun-ExtB", ("SimSun-ExtB",), ("simsunb.ttf",)),
    Wanted("rare", "SimSun-ExtG", ("SimSun-ExtG",), ("SimSunExtG.ttf", "simsunextg.ttf")),
    Wanted("rare", "花園明朝 A", ("HanaMinA",), ("HanaMinA.ttf",), licence=HAN_EXT.licence),
    Wanted("rare", "花園明朝 B", ("HanaMinB",), ("HanaMinB.ttf",), licence=HAN_EXT.licence),
)
# Variation selectors say which form of the character before them is meant; no font here knows them,
# so the base character is drawn.
_IGNORABLE = {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x200B, 0x200C, 0x200D, 0xFEFF}


class MissingGlyphs(ValueError):
    """Characters no available font can draw; the message lists them."""

    def __init__(self, chars: str):
        self.chars = chars
        super().__init__(f"以下字符没有可用的字形，无法生成文书：{chars}。请改用常用字或安装包含该字的字体。")


# -- finding system fonts ------------------------------------------------------------------------
def font_dirs() -> list[Path]:
    dirs = []
    if sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs += [Path(windir) / "Fonts", Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    else:
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts",
                 Path.home() / ".fonts"]
    return [d for d in dirs if str(d) and d.is_dir()]


@lru_cache(maxsize=1)
def _files_by_name() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in font_dirs():
        for root, _dirs, files in os.walk(folder):
            for f in files:
                found.setdefault(f.lower(), Path(root) / f)
    return found


@lru_cache(maxsize=1)
def _fontconfig() -> dict[str, tuple[Path, int]]:
    """Family name (lower case) → TrueType file and face index, as fontconfig lists them."""
    exe = shutil.which("fc-list")
    if not exe:
        return {}
    try:
        out = subprocess.run([exe, "--format", "%{family}\t%{file}\t%{index}\t%{fontformat}\n"],
                             capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, tuple[Path, int]] = {}
    for line in sorted(out.splitlines()):
        parts = line.split("\t")
        if len(parts) != 4 or parts[3] != "TrueType":
            continue
        for family in parts[0].split(","):
            found.setdefault(family.strip().lower(), (Path(parts[1]).resolve(), int(parts[2] or 0)))
    return found


def find_system_font(wanted: Wanted) -> tuple[Path, int] | None:
    for family in wanted.families:
        hit = _fontconfig().get(family.lower())
        if hit and hit[0].is_file():
            return hit
    for name in wanted.files:
        path = _files_by_name().get(name.lower())
        if path:
            return path, wanted.index
    return None


# -- bundled fonts -------------------------------------------------------------------------------
def unpacked(font: Bundled) -> Path:
    """The bundled TTF, unpacked from the package on first use (rebuilt if damaged)."""
    archive = resources_dir() / font.archive
    data = archive.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    stem = Path(font.archive).name.removesuffix(".ttf.xz")
    target = cache_dir() / f"{stem}-{digest}.ttf"
    with _LOCK:
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
            tmp.write_bytes(lzma.decompress(data))
            tmp.replace(target)
            for old in [*target.parent.glob(f"{stem}-*.ttf"), *target.parent.glob("DDeskKai-GBK-*.ttf")]:
                if old != target:  # an earlier version's copy
                    try:
                        old.unlink()
                    except OSError:
                        pass
    return target


def bundled_font_file() -> Path:
    """The bundled body font (a TTF in the cache folder)."""
    return unpacked(SERIF)


# -- the chain -----------------------------------------------------------------------------------
@dataclass
class Source:
    """One font of the chain; registered with reportlab the first time a character is looked up."""
    name: str  # reportlab name
    label: str  # for people: family and where it comes from
    licence: str
    system: bool
    role: str
    path: Path | None = None
    index: int = 0
    bundled: Bundled | None = None
    usable: bool | None = None  # None: not tried yet
    _cmap: frozenset | dict | None = field(default=None, repr=False)

    def load(self) -> bool:
        with _LOCK:
            if self.usable is None:
                self.usable = _register(self)
            return self.usable

    def covers(self, char: str) -> bool:
        return self.load() and ord(char) in self._cmap


def _register(source: Source) -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        if source.name not in pdfmetrics.getRegisteredFontNames():
            path = source.path or unpacked(source.bundled)
            pdfmetrics.registerFont(TTFont(source.name, str(path), subfontIndex=source.index))
        source._cmap = pdfmetrics.getFont(source.name).face.charToGlyph
        return True
    except Exception:  # a CFF, restricted or broken file: the next font of the chain draws
        return False


def _system_source(wanted: Wanted, name: str) -> Source | None:
    hit = find_system_font(wanted)
    if not hit:
        return None
    name += "-" + hashlib.sha256(f"{hit[0]}#{hit[1]}".encode()).hexdigest()[:8]  # one name per file
    return Source(name, f"{wanted.label}（系统字体 {hit[0].name}）", wanted.licence, True, wanted.role,
                  path=hit[0], index=hit[1])


def _bundled_source(font: Bundled, role: str) -> Source:
    return Source(font.name, f"{font.family}（内置，{font.origin}）", font.licence, False, role, bundled=font)


class LetterFonts:
    """The fonts a letter is drawn with: ``body`` and ``title`` are registered reportlab names, the
    chain behind each of them draws what they lack."""

    def __init__(self, body: Source, title: Source, others: list[Source]):
        self.sources = [body, title] + [s for s in others if s.name not in (body.name, title.name)]
        self._by_name = {s.name: s for s in self.sources}
        self.body_source, self.title_source = body, title
        self.body, self.title = body.name, title.name
        self.body_is_system, self.title_is_system = body.system, title.system
        self.fallback = SERIF.name

    def chain(self, font: str | None = None) -> list[Source]:
        """The fonts tried, in order, for text set in ``font`` (the body font when None): a title's bold
        faces, then the Song faces, then those for rare characters."""
        first = self._by_name.get(font or self.body, self.body_source)
        rest = [s for s in self.sources if s is not first and s.role != "body"
                and (first.role == "title" or s.role != "title")]
        rest.sort(key=lambda s: _ORDER[s.role])
        if first.role == "title" and self.body_source.role == "body":
            rest.append(self.body_source)
        return [first, *rest]

    def font_for(self, char: str, font: str | None = None, chain: list[Source] | None = None) -> str | None:
        for source in chain or self.chain(font):
            if source.covers(char):
                return source.name
        return None

    def covers(self, name: str, char: str) -> bool:
        source = self._by_name.get(name)
        return source.covers(char) if source else _covers(name, char)

    def check(self, text: str) -> None:
        """Raise MissingGlyphs for characters no font of the chain has."""
        chain = self.chain()
        missing = sorted({c for c in text if not c.isspace() and ord(c) not in _IGNORABLE
                          and self.font_for(c, chain=chain) is None})
        if missing:
            raise MissingGlyphs("".join(missing))

    def markup(self, text: str, font: str | None = None, used: set[str] | None = None) -> str:
        """Escaped paragraph text; each run of characters ``font`` lacks is set in the first font of its
        chain that has them. ``used`` collects the names of the fonts drawn with."""
        font = font or self.body
        chain = self.chain(font)
        out: list[str] = []
        run: list[str] = []
        run_font = font

        def flush():
            if run:
                chunk = escape("".join(run)).replace("\u3000", "&#x3000;")  # else reportlab collapses them
                out.append(chunk if run_font == font else f'<font name="{run_font}">{chunk}</font>')
                if used is not None:
                    used.add(run_font)
                run.clear()

        for c in text:
            if c == "\n":
                flush()
                out.append("<br/>")
                continue
            if ord(c) in _IGNORABLE:
                continue
            needs = run_font if c.isspace() else (self.font_for(c, chain=chain) or font)
            if needs != run_font:
                flush()
                run_font = needs
            run.append(c)
        flush()
        return "".join(out)

    def song(self) -> str:
        """A Song face for page numbers (GB/T 9704: 四号半角宋体阿拉伯数字)."""
        for s in self.sources:
            if s.role in ("song", "serif") and s.load():
                return s.name
        return self.body

    def used_description(self, used: set[str]) -> str:
        """For a PDF's keywords: which fonts drew it."""
        return "；".join(f"{s.label}，{s.licence}" for s in self.sources if s.name in used)

    def describe(self) -> list[tuple[str, str, str]]:
        """(role, font, licence) of each font in use or standing by, for the About box."""
        roles = {"body": "正文", "title": "标题", "song": "正文缺字", "serif": "正文缺字", "rare": "生僻字"}
        out = []
        for s in self.sources:
            if s.usable is False:
                continue
            role = roles.get(s.role, s.role)
            if s is self.body_source:
                role = "正文"
            elif s is self.title_source:
                role = "标题"
            out.append((role, s.label, s.licence))
        return out


def _covers(name: str, char: str) -> bool:
    from reportlab.pdfbase import pdfmetrics

    return ord(char) in pdfmetrics.getFont(name).face.charToGlyph


@lru_cache(maxsize=2)
def letter_fonts(prefer_system: bool = True) -> LetterFonts:
    """The letter fonts (system 仿宋/小标宋 first when ``prefer_system``), their fallbacks after them."""
    def first_usable(wanted: tuple[Wanted, ...], prefix: str) -> Source | None:
        for i, w in enumerate(wanted):
            source = _system_source(w, f"{prefix}{i}")
            if source and source.load():
                return source
        return None

    _fix_to_unicode()
    serif = _bundled_source(SERIF, "serif")
    bold = _bundled_source(SERIF_BOLD, "title")
    body = first_usable(FANGSONG, "SysFangSong") if prefer_system else None
    title = first_usable(XIAOBIAOSONG, "SysTitle") if prefer_system else None
    others: list[Source] = []
    if title is not None:
        others.append(bold)
    if prefer_system:
        others += [s for i, w in enumerate(SONG) if (s := _system_source(w, f"SysSong{i}"))]
    others.append(serif)
    if prefer_system:
        others += [s for i, w in enumerate(RARE) if (s := _system_source(w, f"SysRare{i}"))]
    others.append(_bundled_source(HAN_EXT, "rare"))
    body = body or serif
    title = title or bold
    body.load()
    title.load()
    return LetterFonts(body, title, others)


# -- Chinese typesetting in reportlab --------------------------------------------------------------
def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode CMap with characters beyond U+FFFF written as UTF-16 surrogate pairs, as the
    PDF reference asks (reportlab writes five hex digits, and readers then see another character)."""
    def utf16(v: int) -> str:
        if v > 0xFFFF:
            v -= 0x10000
            return f"{0xD800 + (v >> 10):04X}{0xDC00 + (v & 0x3FF):04X}"
        return f"{v:04X}"

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange", f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


def _fix_to_unicode() -> None:
    from reportlab.pdfbase import ttfonts

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


_PARAGRAPH_RULE = ("""                if u not in ALL_CANNOT_START and i>lineStartPos+1:
                    #otherwise we need to push the character back
                    #the i>lineStart+1 condition ensures progress
                    i -= 1
                    extraSpace += w
""", """                if i>lineStartPos+1:
                    j = i - 1
                    while j > lineStartPos+1 and U[j] in ALL_CANNOT_START:
                        j -= 1
                    while j > lineStartPos+1 and U[j-1] in _CANNOT_END:
                        j -= 1
                    if U[j] not in ALL_CANNOT_START:
                        extraSpace += sum(U[k].width for k in range(j, i))
                        i = j
""")
_TEXTSPLIT_RULE = ("""            if c not in ALL_CANNOT_START and i>lineStartPos+1:
                #otherwise we need to push the character back
                #the i>lineStart+1 condition ensures progress
                i -= 1
                extraSpace += w
""", """            if i>lineStartPos+1:
                j = i - 1
                while j > lineStartPos+1 and word[j] in ALL_CANNOT_START:
                    j -= 1
                while j > lineStartPos+1 and word[j-1] in _CANNOT_END:
                    j -= 1
                if word[j] not in ALL_CANNOT_START:
                    extraSpace += sum(widths[j:i])
                    i = j
""")
_CANNOT_END = "（“《「『【〔‘(["
_patched = False


def _patch(module, name: str, rule: tuple[str, str]) -> None:
    import inspect
    import textwrap

    source = inspect.getsource(getattr(module, name))
    if rule[0] not in source:
        raise RuntimeError(f"reportlab's {name} changed; update desktop/documents/fonts.py")
    code = compile(textwrap.dedent(source.replace(rule[0], rule[1])), module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 (rebinds the function with the Chinese rule)


def forbid_line_start(chars: str = "，。、；：？！”）》」』】〕…—·,.;:?!)]}") -> None:
    """Chinese line breaking in reportlab: no line starts with closing punctuation, none ends with an
    opening one. reportlab hangs one closing mark in the margin but lets a second (as in “）。”) start
    the next line; the patched rule carries the preceding character down instead. Both of reportlab's
    splitters (textsplit.dumbSplit and paragraph.cjkFragSplit) get the rule. Paragraphs whose style
    has ``gridCharSpace`` are also justified character by character (see ``_grid_justify``)."""
    global _patched
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    textsplit.ALL_CANNOT_START += "".join(c for c in chars if c not in textsplit.ALL_CANNOT_START)
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
    textsplit._CANNOT_END = paragraph._CANNOT_END = _CANNOT_END
    if _patched:
        return
    _patch(textsplit, "dumbSplit", _TEXTSPLIT_RULE)
    _patch(paragraph, "cjkFragSplit", _PARAGRAPH_RULE)
    original = paragraph._justifyDrawParaLineX

    def _grid_justify(tx, offset, line, last=0):
        style = getattr(getattr(tx, "XtraState", None), "style", None)
        if getattr(style, "gridCharSpace", None) is None:
            return original(tx, offset, line, last)
        return _justify_cjk_line(paragraph, tx, offset, line, last, style)

    paragraph._justifyDrawParaLineX = _grid_justify
    _patched = True


def _justify_cjk_line(paragraph, tx, offset, line, last, style) -> None:
    """两端对齐 for Chinese: reportlab justifies by widening spaces, which Chinese text has none of, so
    the gaps between characters are set instead (PDF character spacing). Lines are broken on a width
    ``gridExcess`` wider than the column (28 characters of 16 pt in a 156 mm column, as GB/T 9704 asks)
    and each line is then set exactly into the column; a paragraph's last line keeps the grid's pitch."""
    tx._x_offset = offset
    paragraph.setXPos(tx, offset)
    glyphs = sum(len(w.text) for w in line.words if not hasattr(w, "cbDefn"))
    gaps = max(glyphs - 1, 1)
    fit = (line.extraSpace - style.gridExcess) / gaps
    space = min(style.gridCharSpace, fit) if (last or getattr(line, "lineBreak", False)) else fit
    tx.setCharSpace(space)
    paragraph._putFragLine(offset, tx, line, last, "justify")
    tx.setCharSpace(0)
    paragraph.setXPos(tx, -offset)
