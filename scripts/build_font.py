"""Rebuild the bundled letter font: LXGW WenKai (SIL OFL 1.1) subset to every character of GBK.

Run once by a developer (needs Debian's fonts-lxgw-wenkai and fontTools); the result is committed
as desktop/resources/fonts/DDeskKai-GBK.ttf.xz. The OFL forbids a modified font to carry the
reserved names "LXGW"/"霞鹜", so the subset is renamed "DDesk Kai GBK".
"""

from __future__ import annotations

import lzma
import sys
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
TARGET = Path(__file__).resolve().parent.parent / "desktop/resources/fonts/DDeskKai-GBK.ttf.xz"
FAMILY = "DDesk Kai GBK"


def gbk_codepoints() -> set[int]:
    out = set()
    for b1 in range(0x81, 0xFF):
        for b2 in range(0x40, 0xFF):
            if b2 == 0x7F:
                continue
            try:
                out.add(ord(bytes([b1, b2]).decode("gbk")))
            except UnicodeDecodeError:
                pass
    return out


def main() -> int:
    font = TTFont(SOURCE)
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = ["*"]
    opts.notdef_outline = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.name_languages = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(gbk_codepoints() | set(range(0x20, 0x7F)) | {0x3000, 0x00A0, 0x2014, 0x2026}))
    sub.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{FAMILY}; subset of LXGW WenKai Regular"
        elif record.nameID in (4, 18):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID == 17:
            record.string = "Regular"
    buffer = BytesIO()
    font.save(buffer)
    TARGET.write_bytes(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes (xz), {len(buffer.getvalue()):,} bytes as TTF")
    return 0


if __name__ == "__main__":
    sys.exit(main())
