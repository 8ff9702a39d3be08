"""Fonts for letters: the office's own 仿宋 / 小标宋 when installed, else the bundled GBK font.

reportlab embeds TrueType outlines only. The bundled font (a GBK subset of LXGW WenKai, OFL) is kept
xz-compressed in the package and unpacked once into the cache folder. Characters a system font lacks
(rare characters in names) are drawn from the bundled font; a character no font has is reported
before anything is generated.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from desktop.paths import cache_dir, resources_dir

BUNDLED = "DDeskKaiGBK"
BUNDLED_ARCHIVE = "fonts/DDeskKai-GBK.ttf.xz"
FANGSONG_FILES = ("simfang.ttf", "FangSong.ttf", "STFANGSO.TTF", "fangsong.ttf", "FZFSJW.TTF")
TITLE_FILES = (("FZXBSJW.TTF", 0), ("fzxbsjw.ttf", 0), ("FZXBSK.TTF", 0), ("simsun.ttc", 0), ("SimSun.ttf", 0),
               ("STSONG.TTF", 0))


class MissingGlyphs(ValueError):
    """Characters no available font can draw; the message lists them."""

    def __init__(self, chars: str):
        self.chars = chars
        super().__init__(f"以下字符没有可用的字形，无法生成文书：{chars}。请改用常用字或安装包含该字的字体。")


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


def _find(names: tuple[str, ...]) -> Path | None:
    wanted = {n.lower() for n in names}
    for folder in font_dirs():
        for root, _dirs, files in os.walk(folder):
            for f in files:
                if f.lower() in wanted:
                    return Path(root) / f
    return None


def bundled_font_file() -> Path:
    """The bundled TTF, unpacked from the package on first use (rebuilt if damaged)."""
    archive = resources_dir() / BUNDLED_ARCHIVE
    data = archive.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = cache_dir() / f"DDeskKai-GBK-{digest}.ttf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(lzma.decompress(data))
        tmp.replace(target)
    return target


@dataclass(frozen=True)
class LetterFonts:
    body: str  # registered reportlab font names
    title: str
    fallback: str  # always the bundled font
    body_is_system: bool
    title_is_system: bool

    def covers(self, name: str, char: str) -> bool:
        return _covers(name, char)

    def check(self, text: str) -> None:
        """Raise MissingGlyphs for characters neither the body font nor the bundled font has."""
        missing = sorted({c for c in text if not c.isspace() and not _covers(self.body, c)
                          and not _covers(self.fallback, c)})
        if missing:
            raise MissingGlyphs("".join(missing))

    def markup(self, text: str, font: str | None = None) -> str:
        """Escaped paragraph text; characters the font lacks are drawn with the bundled font."""
        font = font or self.body
        out, run, run_fallback = [], [], False

        def flush():
            if run:
                chunk = escape("".join(run))
                out.append(f'<font name="{self.fallback}">{chunk}</font>' if run_fallback else chunk)
                run.clear()

        for c in text:
            if c == "\n":
                flush()
                out.append("<br/>")
                continue
            needs = font != self.fallback and not c.isspace() and not _covers(font, c)
            if needs != run_fallback:
                flush()
                run_fallback = needs
            run.append(c)
        flush()
        return "".join(out)


def _covers(name: str, char: str) -> bool:
    from reportlab.pdfbase import pdfmetrics

    return ord(char) in pdfmetrics.getFont(name).face.charToGlyph


@lru_cache(maxsize=1)
def letter_fonts(prefer_system: bool = True) -> LetterFonts:
    """Register and return the letter fonts (system 仿宋/小标宋 first when ``prefer_system``)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if BUNDLED not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(BUNDLED, str(bundled_font_file())))
    body = title = BUNDLED
    body_sys = title_sys = False
    if prefer_system:
        path = _find(FANGSONG_FILES)
        if path:
            try:
                pdfmetrics.registerFont(TTFont("SysFangSong", str(path)))
                body, body_sys = "SysFangSong", True
            except Exception:  # a CFF or broken file: keep the bundled font
                pass
        for file_name, index in TITLE_FILES:
            path = _find((file_name,))
            if path:
                try:
                    pdfmetrics.registerFont(TTFont("SysTitle", str(path), subfontIndex=index))
                    title, title_sys = "SysTitle", True
                    break
                except Exception:
                    continue
    return LetterFonts(body, title, BUNDLED, body_sys, title_sys)


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
    splitters (textsplit.dumbSplit and paragraph.cjkFragSplit) get the rule."""
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
    _patched = True
