"""Rebuild the fonts bundled for letters (resources/fonts/*.ttf.xz).

Run by a developer when the fonts are to change, never by the program: it needs fontTools
(``.venv/bin/pip install fonttools``) and Debian's fonts-noto-cjk and fonts-hanazono. reportlab embeds
TrueType outlines only, so the CFF outlines of Noto Serif CJK are converted to quadratic curves (cu2qu).

- DDeskSerifSC-Regular: Noto Serif CJK SC Regular (SIL OFL 1.1), a Song face for the body when the PC
  has no 仿宋: every character of GBK, all of CJK Unified Ideographs and Extension A, the CJK
  compatibility ideographs, CJK and full-width punctuation and symbols, ASCII and Latin-1.
- DDeskSerifSC-Bold: Noto Serif CJK SC Bold, for titles when the PC has no 小标宋: GB2312 and the same
  punctuation (a title character outside GB2312 is drawn with the regular face).
- DDeskHanExt: HanaMinB of the Hanazono fonts (GlyphWiki; Hanazono Font License or SIL OFL 1.1), for
  rare characters in names: CJK Extensions B to F, scaled to 512 units per em to save space.

The OFL forbids a modified font to carry the reserved names ("Source"; "Hanazono Font", "HanaMinA",
"HanaMinB", ...), and "Noto" is a trademark, so every subset gets a name of its own.
Usage: scripts/build_letter_fonts.py [regular] [bold] [ext]   (all three when none is named)
"""

from __future__ import annotations

import lzma
import sys
import time
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.scaleUpem import scale_upem

FONTS = Path(__file__).resolve().parent.parent / "resources/fonts"
NOTO = Path("/usr/share/fonts/opentype/noto")
HANAZONO_B = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")


def _codec(name: str, lead: range, trail: range) -> set[int]:
    out = set()
    for b1 in lead:
        for b2 in trail:
            try:
                out.update(map(ord, bytes([b1, b2]).decode(name)))
            except UnicodeDecodeError:
                pass
    return out


def gbk() -> set[int]:
    return _codec("gbk", range(0x81, 0xFF), range(0x40, 0xFF))


def gb2312() -> set[int]:
    return _codec("gb2312", range(0xA1, 0xFF), range(0xA1, 0xFF))


def ranges(*spans: tuple[int, int]) -> set[int]:
    return {c for a, b in spans for c in range(a, b + 1)}


PUNCTUATION = ranges((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x26FF), (0x3000, 0x303F),
                     (0x3200, 0x33FF), (0xFE10, 0xFE1F), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF))
URO_A_COMPAT = ranges((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
EXT_B_TO_F = ranges((0x20000, 0x2A6DF), (0x2A700, 0x2EBEF))


def _noto_sc(weight: str) -> TTFont:
    path = NOTO / f"NotoSerifCJK-{weight}.ttc"
    for index in range(8):
        font = TTFont(path, fontNumber=index)
        if font["name"].getDebugName(1) == "Noto Serif CJK SC":
            return font
    raise SystemExit(f"{path}: no Noto Serif CJK SC inside")


def _subset(font: TTFont, codepoints: set[int]) -> None:
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = []  # reportlab draws by cmap only
    opts.notdef_outline = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "FFTM", "prop", "DSIG"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(codepoints))
    sub.subset(font)


def _to_truetype(font: TTFont) -> None:
    """CFF (cubic) outlines to glyf (quadratic), as fontTools' otf2ttf snippet does."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    for name in order:  # left side bearings from the new outlines
        advance, _lsb = font["hmtx"][name]
        font["hmtx"][name] = (advance, getattr(glyphs[name], "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["post"].formatType = 3.0  # no glyph names
    font.sfntVersion = "\0\1\0\0"


def _rename(font: TTFont, family: str, style: str, origin: str, copyright_: str) -> None:
    postscript = family.replace(" ", "") + ("" if style == "Regular" else f"-{style}")
    names = font["name"]
    keep = {0: copyright_, 1: family, 2: style, 3: f"{postscript}; subset of {origin}", 4: f"{family} {style}",
            6: postscript, 13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
            14: "https://openfontlicense.org"}
    version = names.getDebugName(5) or "Version 1.0"
    names.names = []
    for name_id, text in {**keep, 5: version}.items():
        names.setName(text, name_id, 3, 1, 0x409)
    font["OS/2"].achVendID = "    "


def _save(font: TTFont, file_name: str) -> None:
    buffer = BytesIO()
    font.save(buffer)
    raw = buffer.getvalue()
    target = FONTS / file_name
    target.write_bytes(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME))
    print(f"{target.name}: {len(font.getGlyphOrder()):,} glyphs, {len(raw):,} bytes as TTF, "
          f"{target.stat().st_size:,} bytes xz", flush=True)


NOTO_COPYRIGHT = ("Copyright 2017-2022 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'. "
                  "Subset renamed DDesk Serif SC.")


def build_regular() -> None:
    font = _noto_sc("Regular")
    _subset(font, gbk() | URO_A_COMPAT | PUNCTUATION)
    _to_truetype(font)
    _rename(font, "DDesk Serif SC", "Regular", "Noto Serif CJK SC Regular", NOTO_COPYRIGHT)
    _save(font, "DDeskSerifSC-Regular.ttf.xz")


def build_bold() -> None:
    font = _noto_sc("Bold")
    _subset(font, gb2312() | PUNCTUATION)
    _to_truetype(font)
    _rename(font, "DDesk Serif SC", "Bold", "Noto Serif CJK SC Bold", NOTO_COPYRIGHT)
    _save(font, "DDeskSerifSC-Bold.ttf.xz")


def build_ext() -> None:
    font = TTFont(HANAZONO_B)
    _subset(font, EXT_B_TO_F)
    scale_upem(font, 512)
    _rename(font, "DDesk Han Ext", "Regular", "HanaMinB (Hanazono fonts, GlyphWiki)",
            "Copyright 2008-2017 GlyphWiki Project. Subset of HanaMinB renamed DDesk Han Ext.")
    font["name"].setName("Hanazono Font License or SIL Open Font License 1.1 (see Hanazono-LICENSE.txt).",
                         13, 3, 1, 0x409)
    _save(font, "DDeskHanExt.ttf.xz")


def main(argv: list[str]) -> int:
    steps = {"regular": build_regular, "bold": build_bold, "ext": build_ext}
    for name in argv or list(steps):
        started = time.monotonic()
        steps[name]()
        print(f"  ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
