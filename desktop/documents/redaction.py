"""De-identification (去标识化) of a document before release: boxes proposed over personal data, then
an image-only release version with the boxes painted solid, checked before it is kept.

Why image-only: a black rectangle drawn over text that stays in the PDF is the classic leak. Every
page is rendered (pypdfium2, PDFium; BSD/Apache), the boxes are painted into the bitmap, and the
bitmap alone is written into a new PDF by ``_PdfWriter``: no text layer, no fonts, no metadata
beyond a neutral producer, no annotations, form fields, attachments, outlines or scripts of the
source survive. Annotations and filled-in form fields are flattened into the page first, so that what
is searched for personal data is exactly what is rendered.

Image encoding, decided by measurement (2-core machine, A4 at 200 dpi): a text page is written bilevel
with CCITT G4 — a dense page of 11 pt text ≈80 KiB, a sparse one ≈6 KiB, 15–35 ms to encode; the same
dense page as greyscale JPEG would be ≈820 KiB. A page with flat mid-grey areas over ``_PHOTO_SHARE``
of it (a photo, a greyscale picture: black and white would make it unreadable) is written as greyscale
JPEG (quality 80) instead. The anti-aliased edges of text are not counted as mid-grey areas (an 8 pt
page scores 0.0001, a photo 1.0), so dense small print stays bilevel.

Detection works on the page's sequence of characters with whitespace and line breaks removed, each
character keeping its box, so a value wrapped across a line or split inside a table cell is still
found; a match over two lines gives two boxes. Pages without a text layer (scans, photos) are read
with OCR (RapidOCR's Chinese PP-OCR models on onnxruntime, shipped in the wheel, loaded only when
such a page is met).

After writing, ``check_release`` reads the result back: PDFium's text extraction, the file's bytes
and every decompressed stream must contain none of the boxed values (digits also without spaces and
hyphens), and every box must be dark in the rendered result. Otherwise the release is refused
(``LeakFound``) and nothing is left at the output path.

pypdfium2 is not thread-safe: every PDFium call here holds ``PDFIUM_LOCK``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.identity import check_credit_code, check_resident_id
from desktop.paths import child_command

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

CATEGORIES = {"privacy": "个人隐私", "commercial": "商业秘密", "other": "其他"}
KIND_LABELS = {"id_number": "身份证号", "credit_code": "统一社会信用代码", "phone": "电话号码",
               "bank_card": "银行卡号", "email": "电子邮箱", "name": "姓名", "labelled": "标注字段",
               "manual": "手工框选"}
SOURCES = {"auto": "文字层", "ocr": "文字识别", "manual": "手工"}

PDFIUM_LOCK = threading.RLock()
DEFAULT_DPI = 200
PAD_PT = 1.5  # painted around each box, in points
_PHOTO_SHARE = 0.12  # share of mid-grey pixels from which a page is written as greyscale JPEG
_JPEG_QUALITY = 80
_IMAGE_DPI_DEFAULT = 200  # an image file without a resolution is taken to be scanned at this
_MAX_PAGES = 5000
_MAX_PAGE_PIXELS = 40e6  # A1 at 200 dpi; larger pages are rendered at a lower resolution
_OCR_IMAGE_SHARE = 0.5


# -- what the caller sees ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    """A rectangle to paint, in PDF points with the origin at the top-left of the page, y downwards."""
    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float
    category: str = "privacy"  # key of CATEGORIES
    kind: str = "manual"  # key of KIND_LABELS
    value: str = ""  # the text the box covers ("" for a manual box); the leak check looks for it
    source: str = "auto"  # "auto" (text layer) | "ocr" | "manual"

    @property
    def label(self) -> str:
        """〔个人隐私·身份证号〕 style label for people."""
        return f"{CATEGORIES.get(self.category, self.category)}·{KIND_LABELS.get(self.kind, self.kind)}"


class RedactionInputError(Exception):
    """The input cannot be used: not a PDF or image, encrypted, damaged, empty. str() names the file."""


class OcrUnavailable(RuntimeError):
    """The OCR engine could not be loaded (str() is a Chinese message)."""


class Cancelled(Exception):
    """``release`` was cancelled by its ``cancelled`` callback; nothing was written."""


@dataclass(frozen=True)
class Leak:
    """Something boxed that can still be read from the result."""
    page: int  # 0-based
    category: str
    kind: str
    where: str  # "文本" (text extraction) / "文件内容" (bytes, streams) / "页面图像" (box not painted)

    def message(self) -> str:
        label = f"{CATEGORIES.get(self.category, self.category)}·{KIND_LABELS.get(self.kind, self.kind)}"
        if self.where == "页面图像":
            return f"第{self.page + 1}页 〔{label}〕未被涂黑，仍可看到（{self.where}）"
        return f"第{self.page + 1}页 〔{label}〕仍可读出（{self.where}）"


class LeakFound(Exception):
    """The release check failed; nothing was written. ``leaks`` names page and category of each."""

    def __init__(self, leaks: Sequence[Leak]):
        self.leaks = list(leaks)
        super().__init__("公开版未通过检查，未生成：\n" + "\n".join(leak.message() for leak in self.leaks))


@dataclass(frozen=True)
class ReleaseResult:
    path: Path
    sha256: str
    pages: int
    size: int
    counts: dict[int, dict[str, int]]  # page (0-based) -> category -> boxes


# -- characters with boxes ---------------------------------------------------------------------------
@dataclass
class Char:
    """One visible character of a page (text layer or OCR) with its box in top-left points; ``gap``
    is what separated it from the previous character: "" nothing, " " a space, "\\n" a line break."""
    ch: str
    x0: float
    y0: float
    x1: float
    y1: float
    gap: str = ""

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 0.1)


def _norm_char(ch: str) -> str:
    """Full-width digits and letters as ASCII (one character for one), others unchanged."""
    if ch.isascii():
        return ch
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


# -- sources -----------------------------------------------------------------------------------------
class Source:
    """A document to redact: a PDF (pypdfium2) or an image file (JPG/PNG/TIFF/BMP; a multi-page TIFF
    gives one page per frame). Use as a context manager, or call ``close()``."""

    path: Path
    page_count: int
    kind: str  # "pdf" | "image"

    def page_size(self, i: int) -> tuple[float, float]:
        """(width, height) of page ``i`` in points, as displayed (rotation and crop box applied)."""
        raise NotImplementedError

    def has_text(self, i: int) -> bool:
        """Whether page ``i`` has a text layer with visible characters (else OCR reads it)."""
        raise NotImplementedError

    def render(self, i: int, dpi: float = 100, grayscale: bool = False) -> PILImage.Image:
        """Page ``i`` as a PIL image (RGB, or L when ``grayscale``)."""
        raise NotImplementedError

    def chars(self, i: int) -> list[Char]:
        """The text layer's characters of page ``i`` ([] for images and pages without text)."""
        return []

    def image_share(self, i: int) -> float:
        """How much of page ``i`` images cover (0–1; an image file's page is all image)."""
        return 1.0

    def needs_ocr(self, i: int) -> bool:
        """Whether page ``i`` is read by OCR: it has no text layer, or images cover half of it or
        more (a scan with a page number or an invisible OCR layer added: what the image shows may
        differ from its text layer)."""
        return not self.has_text(i) or self.image_share(i) >= _OCR_IMAGE_SHARE

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_index(self, i: int) -> None:
        if not 0 <= i < self.page_count:
            raise IndexError(f"page {i} out of range 0..{self.page_count - 1}")


class _PdfSource(Source):
    kind = "pdf"

    def __init__(self, path: Path):
        import pypdfium2 as pdfium
        import pypdfium2.raw as c

        self.path = path
        self._pdfium, self._c = pdfium, c
        self._doc = None
        self._page = None
        self._page_index = -1
        self._sizes: dict[int, tuple[float, float]] = {}
        self._has_text: dict[int, bool] = {}
        self._image_share: dict[int, float] = {}
        with PDFIUM_LOCK:
            try:
                self._doc = pdfium.PdfDocument(str(path))
            except pdfium.PdfiumError as exc:
                code = getattr(exc, "err_code", None)
                if code == c.FPDF_ERR_PASSWORD:
                    raise RedactionInputError(f"{path.name}：文件已加密（需要密码才能打开），"
                                              "请先用原程序取消密码后另存，再生成公开版") from None
                if code == c.FPDF_ERR_SECURITY:
                    raise RedactionInputError(f"{path.name}：文件使用了不支持的加密方式，"
                                              "请先取消加密后另存，再生成公开版") from None
                raise RedactionInputError(f"{path.name}：PDF文件已损坏，无法读取"
                                          "（请向来源重新索取或用原程序另存后再试）") from None
            try:
                self._doc.init_forms()  # filled-in form fields become page content when flattened
            except Exception:  # noqa: BLE001 - a form that cannot be set up is rendered without it
                pass
            self.page_count = len(self._doc)
        if self.page_count == 0:
            self.close()
            raise RedactionInputError(f"{path.name}：PDF文件中没有页面")
        if self.page_count > _MAX_PAGES:
            self.close()
            raise RedactionInputError(f"{path.name}：共{self.page_count}页，超过{_MAX_PAGES}页的上限，请拆分后再处理")

    def _load(self, i: int):
        """Page ``i``, its annotations and form fields flattened into its content (one page kept)."""
        self._check_index(i)
        if self._page_index == i:
            return self._page
        if self._page is not None:
            self._page.close()
            self._page, self._page_index = None, -1
        try:
            page = self._doc[i]
            if self._c.FPDFPage_GetAnnotCount(page) > 0 and page.formenv:
                page.flatten()
                page.close()
                page = self._doc[i]
        except self._pdfium.PdfiumError:
            raise RedactionInputError(f"{self.path.name}：第{i + 1}页已损坏，无法读取") from None
        self._page, self._page_index = page, i
        return page

    def page_size(self, i: int) -> tuple[float, float]:
        with PDFIUM_LOCK:
            if i not in self._sizes:
                self._sizes[i] = tuple(self._load(i).get_size())
            return self._sizes[i]

    def has_text(self, i: int) -> bool:
        with PDFIUM_LOCK:
            if i not in self._has_text:
                page = self._load(i)
                tp = page.get_textpage()
                try:
                    text = tp.get_text_range()
                finally:
                    tp.close()
                self._has_text[i] = any(not ch.isspace() for ch in text)
            return self._has_text[i]

    def image_share(self, i: int) -> float:
        with PDFIUM_LOCK:
            if i not in self._image_share:
                page = self._load(i)
                width, height = self.page_size(i)
                to_tl = self._to_top_left(page, width, height)
                covered = 0.0
                for obj in page.get_objects(filter=[self._c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
                    try:
                        left, bottom, right, top = obj.get_bounds()
                    except self._pdfium.PdfiumError:
                        continue
                    (x0, y0), (x1, y1) = to_tl(left, top), to_tl(right, bottom)
                    x0, x1 = sorted((min(max(x0, 0), width), min(max(x1, 0), width)))
                    y0, y1 = sorted((min(max(y0, 0), height), min(max(y1, 0), height)))
                    covered += (x1 - x0) * (y1 - y0)
                self._image_share[i] = min(1.0, covered / max(width * height, 1e-6))
            return self._image_share[i]

    def render(self, i: int, dpi: float = 100, grayscale: bool = False):
        with PDFIUM_LOCK:
            page = self._load(i)
            try:
                bitmap = page.render(scale=dpi / 72, grayscale=grayscale, draw_annots=False,
                                     may_draw_forms=False)
            except self._pdfium.PdfiumError:
                raise RedactionInputError(f"{self.path.name}：第{i + 1}页无法显示（文件可能已损坏）") from None
            image = bitmap.to_pil()  # shares the bitmap's buffer, which lives as long as the image
            image.pdfium_bitmap = bitmap
        if grayscale and image.mode != "L":
            image = image.convert("L")
        elif not grayscale and image.mode != "RGB":
            image = image.convert("RGB")
        return image

    def _to_top_left(self, page, width: float, height: float):
        """The affine map from page space to top-left points, via PDFium (rotation, crop box)."""
        import ctypes

        c = self._c
        scale = 64.0
        size_x, size_y = round(width * scale), round(height * scale)

        def device(px: float, py: float) -> tuple[float, float]:
            dx, dy = ctypes.c_int(), ctypes.c_int()
            c.FPDF_PageToDevice(page, 0, 0, size_x, size_y, 0, px, py, ctypes.byref(dx), ctypes.byref(dy))
            return dx.value * width / size_x, dy.value * height / size_y

        ox, oy = device(0, 0)
        ax, ay = device(1000, 0)
        bx, by = device(0, 1000)
        m = ((ax - ox) / 1000, (bx - ox) / 1000, (ay - oy) / 1000, (by - oy) / 1000)

        def transform(px: float, py: float) -> tuple[float, float]:
            return ox + m[0] * px + m[1] * py, oy + m[2] * px + m[3] * py
        return transform

    def chars(self, i: int) -> list[Char]:
        with PDFIUM_LOCK:
            page = self._load(i)
            width, height = self.page_size(i)
            to_tl = self._to_top_left(page, width, height)
            c = self._c
            tp = page.get_textpage()
            try:
                out: list[Char] = []
                gap = ""
                rect = c.FS_RECTF()
                n = tp.count_chars()
                k = 0
                while k < n:
                    code = c.FPDFText_GetUnicode(tp, k)
                    if 0xD800 <= code < 0xDC00 and k + 1 < n:  # UTF-16 pair (wchar_t of 16 bits)
                        low = c.FPDFText_GetUnicode(tp, k + 1)
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            k += 1
                    ch = chr(code) if 0 < code < 0x110000 else ""
                    if not ch or ch.isspace() or ch in "\x00\ufffe\uffff" or unicodedata.category(ch) == "Cc":
                        if ch in "\r\n\x0b\x0c\u2028\u2029":
                            gap = "\n"
                        elif ch and gap != "\n":
                            gap = " "
                        k += 1
                        continue
                    if c.FPDFText_IsGenerated(tp, k) == 1:  # pdfium's own hyphen or space
                        gap = gap or " "
                        k += 1
                        continue
                    if not c.FPDFText_GetLooseCharBox(tp, k, rect):
                        k += 1
                        continue
                    xs, ys = [], []
                    for px, py in ((rect.left, rect.top), (rect.right, rect.bottom),
                                   (rect.left, rect.bottom), (rect.right, rect.top)):
                        x, y = to_tl(px, py)
                        xs.append(x)
                        ys.append(y)
                    if max(xs) <= 0 or min(xs) >= width or max(ys) <= 0 or min(ys) >= height:
                        k += 1  # outside the visible page: never rendered, nothing to box
                        continue
                    out.append(Char(ch, min(xs), min(ys), max(xs), max(ys), gap))
                    gap = ""
                    k += 1
            finally:
                tp.close()
            return out

    def close(self) -> None:
        with PDFIUM_LOCK:
            if self._page is not None:
                self._page.close()
                self._page = None
            if getattr(self, "_doc", None) is not None:
                self._doc.close()
                self._doc = None


class _ImageSource(Source):
    kind = "image"

    def __init__(self, path: Path):
        from PIL import Image

        self.path = path
        try:
            self._image = Image.open(path)
            self._image.load()
        except Image.DecompressionBombError:
            raise RedactionInputError(f"{path.name}：图片过大，无法处理") from None
        except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken file
            raise RedactionInputError(f"{path.name}：图片文件已损坏，无法读取") from None
        self.page_count = getattr(self._image, "n_frames", 1)
        self._dpi: dict[int, float] = {}

    def _frame(self, i: int):
        from PIL import ImageOps

        self._check_index(i)
        try:
            self._image.seek(i)
            frame = ImageOps.exif_transpose(self._image)  # phone photos stored sideways
        except Exception:  # noqa: BLE001
            raise RedactionInputError(f"{self.path.name}：第{i + 1}页图片已损坏，无法读取") from None
        dpi = self._image.info.get("dpi", (0, 0))
        try:
            value = float(dpi[0])
        except (TypeError, ValueError, IndexError):
            value = 0.0
        if abs(value - round(value)) < 0.01:  # PNG stores dots per metre: 99.9998 is 100
            value = float(round(value))
        self._dpi[i] = value if 50 <= value <= 2400 else _IMAGE_DPI_DEFAULT
        return frame

    def page_size(self, i: int) -> tuple[float, float]:
        frame = self._frame(i)
        dpi = self._dpi[i]
        return frame.width * 72 / dpi, frame.height * 72 / dpi

    def has_text(self, i: int) -> bool:
        self._check_index(i)
        return False

    def render(self, i: int, dpi: float = 100, grayscale: bool = False):
        from PIL import Image

        frame = self._frame(i)
        mode = "L" if grayscale else "RGB"
        if frame.mode in ("RGBA", "LA", "P", "PA"):
            frame = frame.convert("RGBA")
            white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
            frame = Image.alpha_composite(white, frame)
        image = frame.convert(mode)
        factor = dpi / self._dpi[i]
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        if size != image.size:
            image = image.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)
        return image

    def close(self) -> None:
        image = getattr(self, "_image", None)
        if image is not None:
            image.close()
            self._image = None


def open_source(path: str | os.PathLike) -> Source:
    """Open a PDF or an image file for redaction; RedactionInputError (Chinese, naming the file) when
    it is missing, empty, not a PDF or image, encrypted or damaged."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except FileNotFoundError:
        raise RedactionInputError(f"{path.name}：找不到文件（{path}）") from None
    except IsADirectoryError:
        raise RedactionInputError(f"{path.name}：这是一个文件夹，不是PDF文件") from None
    except OSError as exc:
        raise RedactionInputError(f"{path.name}：无法读取文件（{exc.strerror or exc}）") from None
    if not head:
        raise RedactionInputError(f"{path.name}：文件是空的（0字节）")
    if b"%PDF-" in head:
        return _PdfSource(path)
    from PIL import Image

    try:
        with Image.open(path) as probe:
            fmt = probe.format
    except Image.DecompressionBombError:
        raise RedactionInputError(f"{path.name}：图片过大，无法处理") from None
    except Exception:  # noqa: BLE001 - not an image Pillow knows
        fmt = None
    if fmt not in ("JPEG", "PNG", "TIFF", "BMP", "MPO"):
        raise RedactionInputError(f"{path.name}：不是PDF文件或扫描图片（JPG、PNG、TIFF），无法生成公开版")
    return _ImageSource(path)


# -- detection ---------------------------------------------------------------------------------------
_SEPARATORS = "-－—‐–()（）"
_RUN = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z\-－—‐–()（）]*[0-9A-Za-z])?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_LABELS = ("公民身份号码", "身份证件号码", "身份证号码", "身份证号", "证件号码", "家庭住址", "户籍地址", "现住址",
           "通讯地址", "联系地址", "住址", "住所", "联系电话", "电话号码", "手机号码", "手机", "姓名", "出生日期",
           "电子邮箱", "银行账号", "银行卡号", "联系人")
_LABEL = re.compile("(?:" + "|".join(sorted(_LABELS, key=len, reverse=True)) + ")[：:]")
_ANY_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}[：:]")
_VALUE_STOPS = "，,；;。、|｜"
_KIND_RANK = {"id_number": 0, "credit_code": 1, "bank_card": 2, "phone": 3, "email": 4, "name": 5,
              "labelled": 6, "manual": 7}
_MAX_JOIN = 8  # segments a value may be made of (a number written in groups, wrapped across lines)


@dataclass(frozen=True)
class _Match:
    start: int  # index into the page's character list
    end: int  # exclusive
    kind: str
    value: str


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _old_id(digits: str) -> bool:
    """A 15-digit resident ID of the old form (no check digit): a region and a real birth date."""
    if len(digits) != 15 or not digits.isdigit() or digits[0] not in "12345678":
        return False
    try:
        born = date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return born.year < 2000


def _classify(value: str, credit_codes: bool) -> str | None:
    """The kind of personal number ``value`` (letters and digits only) is, or None."""
    upper = value.upper()
    n = len(upper)
    if n == 18 and upper[:17].isdigit() and check_resident_id(upper) is None:
        return "id_number"
    if credit_codes and n == 18 and check_credit_code(upper) is None:
        return "credit_code"
    if not upper.isdigit():
        return None
    if n == 15 and _old_id(upper):
        return "id_number"
    if 16 <= n <= 19 and upper[0] != "0" and _luhn(upper):
        return "bank_card"
    if n == 11 and _MOBILE.fullmatch(upper):
        return "phone"
    if 10 <= n <= 12 and _LANDLINE.fullmatch(upper):
        return "phone"
    return None


def _joinable(prev: Char, nxt: Char) -> bool:
    """May a value continue from ``prev`` to ``nxt`` across whitespace? Across a line break yes (a
    wrapped value); across a space only when it is narrow (digits written in groups), not the wide
    gap between two table cells."""
    if nxt.gap == "\n":
        return True
    distance = nxt.x0 - prev.x1
    return distance < 1.2 * max(prev.height, nxt.height)


def _numbers(chars: Sequence[Char], text: str, credit_codes: bool) -> list[_Match]:
    out = []
    for run in _RUN.finditer(text):
        # segments: split at whitespace, separators and letter/digit changes
        segments: list[tuple[int, int]] = []
        start = None
        for k in range(run.start(), run.end()):
            ch = text[k]
            if ch in _SEPARATORS:
                if start is not None:
                    segments.append((start, k))
                    start = None
                continue
            if start is not None and (chars[k].gap or ch.isdigit() != text[k - 1].isdigit()):
                segments.append((start, k))
                start = None
            if start is None:
                start = k
        if start is not None:
            segments.append((start, run.end()))
        for a in range(len(segments)):
            value = ""
            for b in range(a, min(a + _MAX_JOIN, len(segments))):
                if b > a:
                    prev_end, nxt_start = segments[b - 1][1], segments[b][0]
                    if nxt_start - prev_end > 2 or any(
                            chars[k].gap and not _joinable(chars[k - 1], chars[k])
                            for k in range(prev_end, nxt_start + 1)):
                        break
                value += text[segments[b][0]:segments[b][1]]
                if len(value) > 19:
                    break
                kind = _classify(value, credit_codes)
                if kind:
                    out.append(_Match(segments[a][0], segments[b][1], kind, value.upper()))
    return out


def _emails(chars: Sequence[Char], text: str) -> list[_Match]:
    out = []
    for m in _EMAIL.finditer(text):
        start, end = m.start(), m.end()
        last_dot = text.rfind(".", start, end)
        for k in range(last_dot + 3, end):  # a wrapped-on word glued to the domain: cut at the gap
            if chars[k].gap:
                end = k
                break
        out.append(_Match(start, end, "email", text[start:end]))
    return out


def _names(text: str, names: Iterable[str]) -> list[_Match]:
    out = []
    seen = set()
    for raw in names:
        name = "".join(_norm_char(ch) for ch in (raw or "") if not ch.isspace())
        if len(name) < 2 or name in seen:
            continue
        seen.add(name)
        k = text.find(name)
        while k >= 0:
            out.append(_Match(k, k + len(name), "name", name))
            k = text.find(name, k + len(name))
    return out


def _labelled(chars: Sequence[Char], text: str) -> list[_Match]:
    out = []
    for m in _LABEL.finditer(text):
        k = m.end()
        start = None
        while k < len(text):
            ch = chars[k]
            if ch.gap == "\n" or (start is not None and ch.gap and not _joinable(chars[k - 1], ch)):
                break
            if text[k] in _VALUE_STOPS:
                break
            if start is not None and ch.gap:
                other = _ANY_LABEL.match(text, k)  # the next field's label, after a space
                if other and not any(chars[j].gap == "\n" for j in range(k + 1, other.end())):
                    break
            if start is None:
                start = k
            k += 1
            if k - start >= 80:
                break
        if start is not None and k > start:
            out.append(_Match(start, k, "labelled", text[start:k]))
    return out


def detect(chars: Sequence[Char], names: Iterable[str] = (), credit_codes: bool = False) -> list[_Match]:
    """Personal data in a page's characters: ranges of ``chars`` with their kind and value."""
    text = "".join(_norm_char(c.ch) for c in chars)
    found = [*_numbers(chars, text, credit_codes), *_emails(chars, text), *_names(text, names),
             *_labelled(chars, text)]
    # the same range found twice: the most specific kind; a range inside another: dropped
    best: dict[tuple[int, int], _Match] = {}
    for m in found:
        key = (m.start, m.end)
        if key not in best or _KIND_RANK[m.kind] < _KIND_RANK[best[key].kind]:
            best[key] = m
    matches = sorted(best.values(), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[_Match] = []
    for m in matches:
        if any(o.start <= m.start and m.end <= o.end for o in kept):
            continue
        kept.append(m)
    return kept


def _boxes_for(chars: Sequence[Char], match: _Match, page: int, source: str,
               category: str = "privacy") -> list[Box]:
    """One box per line the match covers."""
    boxes = []
    group: list[Char] = []

    def flush():
        if group:
            boxes.append(Box(page, min(c.x0 for c in group), min(c.y0 for c in group),
                             max(c.x1 for c in group), max(c.y1 for c in group), category, match.kind,
                             match.value, source))

    for c in chars[match.start:match.end]:
        if group and (c.gap == "\n" or not _next_on_line(group[-1], c)):
            flush()
            group = []
        group.append(c)
    flush()
    return boxes


def _next_on_line(a: Char, b: Char) -> bool:
    """Whether ``b`` continues ``a``'s line: beside it (horizontal text) or below or above it
    (vertical text, or a page turned by 90°), close enough that one box may cover both."""
    size = max(a.x1 - a.x0, a.y1 - a.y0, b.x1 - b.x0, b.y1 - b.y0)
    v_overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    h_overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    if v_overlap >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0):  # side by side
        return -0.5 * size <= b.x0 - a.x1 <= 1.5 * size or -0.5 * size <= a.x0 - b.x1 <= 1.5 * size
    if h_overlap >= 0.5 * min(a.x1 - a.x0, b.x1 - b.x0):  # one above the other
        return -0.5 * size <= b.y0 - a.y1 <= 1.5 * size or -0.5 * size <= a.y0 - b.y1 <= 1.5 * size
    return False


# -- OCR ---------------------------------------------------------------------------------------------
_OCR_LOCK = threading.Lock()
_ocr_engine = None
_OCR_MAX_SIDE = 1600  # A4 at ≈137 dpi: text of 9 pt and up is read; detection time grows with the area
_OCR_BAND, _OCR_OVERLAP = 256, 64  # pixels: the detector looks at one band of the page at a time


def ocr_engine():
    """The OCR engine (RapidOCR, PP-OCRv4 Chinese models on onnxruntime), made on first use."""
    global _ocr_engine
    with _OCR_LOCK:
        if _ocr_engine is None:
            # opencv-python points Qt at its own plugins on import: keep the application's Qt as it is
            saved = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR",
                                                    "LD_LIBRARY_PATH")}
            try:
                import logging

                from rapidocr_onnxruntime import RapidOCR

                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                # half the cores: measured on 2 cores, one thread reads a page faster than two (and
                # leaves a core to the window) and needs less memory
                threads = max(1, (os.cpu_count() or 2) // 2)
                engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
                _detect_at_size(engine)
                # one line at a time: measured on dense pages, batches of 6 lines (RapidOCR's default;
                # padded to the widest) took ≈180 MB more and three times the time of single lines
                engine.text_rec.rec_batch_num = 1
                _ocr_engine = engine
            except Exception as exc:  # noqa: BLE001 - a broken install: say so, not a traceback
                raise OcrUnavailable(f"文字识别组件无法加载，扫描页无法自动识别（{type(exc).__name__}: {exc}）") from exc
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        return _ocr_engine


def _detect_at_size(engine) -> None:
    """The detector looks at each band at the size it is given (its default enlarges images whose
    short side is under 736 px, which would make a band as costly as a page)."""
    try:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

        det = engine.text_det
        det.get_preprocess = lambda max_wh: DetPreProcess(max(max_wh, 32), "max", det.mean, det.std)
    except (ImportError, AttributeError):  # another version: its own sizing, more memory
        pass


_malloc_trim = None


def _give_back_memory() -> None:
    """Return the memory freed by the engine to the system (glibc): its many tensors of different
    sizes, freed after each band, otherwise stay with the process as scattered free heap, and its
    size grew page after page (measured on six dense scans: 251 → 314 MB, with this 228–257 MB)."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # another C library
                pass
    if _malloc_trim:
        _malloc_trim(0)


def masked(value: str) -> str:
    """A hint of a boxed value for reports that must not repeat it: 110***********7571, 张**."""
    value = value or ""
    if not value:
        return ""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if sum(ch.isdigit() for ch in value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    keep = 2 if len(value) > 6 else 1
    return value[:keep] + "*" * (len(value) - keep)


class OcrProcess:
    """The OCR engine in a child process of its own (desktop/documents/ocr_worker.py), started when
    the first page is read and ended by ``close()`` (or leaving the ``with`` block): the models and
    the engine's working memory never enter the calling process (the window), and leave with the
    child. ``lines`` may be called from one thread at a time; ``kill`` from any thread."""

    def __init__(self):
        self._proc = None
        self._errors = None  # the child's standard error, kept in a temporary file
        self._lock = threading.Lock()
        self._killed = False
        self.peak_mb: float | None = None  # the child's peak memory, as it said when closed
        self.started = False  # whether a child was started at all

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def command() -> list[str]:
        return child_command("--ocr-worker", "desktop.documents.ocr_worker")

    def start(self) -> None:
        """Start the child and wait until its engine is loaded; OcrUnavailable if it cannot be."""
        if self._proc is not None:
            return
        import subprocess
        import tempfile

        self._killed = False
        self._errors = tempfile.TemporaryFile()
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        try:
            self._proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._errors, creationflags=flags)
        except OSError as exc:
            self._errors.close()
            self._errors = None
            raise OcrUnavailable(f"文字识别组件无法启动，扫描页无法自动识别（{exc}）") from None
        self.started = True
        reply = self._reply()
        if "error" in reply:
            self._end()
            raise OcrUnavailable(reply["error"])

    def lines(self, image, cancelled: Callable[[], bool] | None = None) -> list:
        """RapidOCR's lines for a page image (PIL), read in the child (``_ocr_lines``)."""
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        header = json.dumps({"op": "read", "width": rgb.width, "height": rgb.height}).encode() + b"\n"
        with self._lock:
            if cancelled is not None and cancelled():
                raise Cancelled()
            self.start()
            stop = threading.Event()
            if cancelled is not None:
                def watch() -> None:  # cancel stops the child at once, not after the page
                    while not stop.wait(0.1):
                        if cancelled():
                            self.kill()
                            return
                threading.Thread(target=watch, name="ocr-cancel", daemon=True).start()
            try:
                try:
                    self._proc.stdin.write(header)
                    self._proc.stdin.write(rgb.tobytes())
                    self._proc.stdin.flush()
                except OSError:
                    pass  # the child has gone: its reply says why
                reply = self._reply()
            finally:
                stop.set()
        if "error" in reply:
            raise OcrUnavailable(reply["error"])
        return reply["lines"]

    def _reply(self) -> dict:
        proc = self._proc
        try:
            line = proc.stdout.readline() if proc is not None else b""
        except (OSError, ValueError):
            line = b""
        if line.endswith(b"\n"):
            return json.loads(line)
        killed = self._killed
        detail = self._gone()
        if killed:
            raise Cancelled()
        raise OcrUnavailable(f"文字识别进程意外退出，扫描页无法自动识别（{detail}）")

    def _gone(self) -> str:
        """Why the child ended (its last line of errors, or its exit code); the child is cleared."""
        proc, errors = self._proc, self._errors
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - still there: ended by force
                proc.kill()
                code = proc.wait()
        last = ""
        if errors is not None:
            errors.seek(0, os.SEEK_END)
            errors.seek(max(0, errors.tell() - 4000))
            text = errors.read().decode("utf-8", "replace").strip().splitlines()
            last = text[-1] if text else ""
        self._end()
        return last or f"退出码 {code}"

    def _end(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def kill(self) -> None:
        """Stop the child now (from any thread): the page being read raises Cancelled."""
        self._killed = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def close(self) -> None:
        """End the child, keeping the peak memory it reports (``peak_mb``)."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            try:
                proc.stdin.write(b'{"op": "quit"}\n')
                proc.stdin.flush()
                line = proc.stdout.readline()
                if line:
                    self.peak_mb = json.loads(line).get("peak_mb")
                proc.wait(timeout=10)
            except Exception:  # noqa: BLE001 - gone already, or not ending when asked: ended by force
                pass
            self._end()


_shared_ocr: OcrProcess | None = None


def shared_ocr_process() -> OcrProcess:
    """An OCR process kept for this program's calls that bring none of their own, ended at exit."""
    global _shared_ocr
    with _OCR_LOCK:
        if _shared_ocr is None:
            import atexit

            _shared_ocr = OcrProcess()
            atexit.register(_shared_ocr.close)
        return _shared_ocr


def _char_width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def ocr_chars(source: Source, i: int, reader: OcrProcess | None = None,
              cancelled: Callable[[], bool] | None = None) -> list[Char]:
    """Page ``i`` read by OCR in ``reader``'s process (by default one kept for this program): its
    characters with boxes (from the recogniser's per-character positions when it gives them, else
    divided along the line in proportion to character widths). Cancelled when ``cancelled()`` turns
    True while the page is read (the reading process is stopped)."""
    width, height = source.page_size(i)
    dpi = min(DEFAULT_DPI, _OCR_MAX_SIDE * 72 / max(width, height, 1))
    image = source.render(i, dpi=dpi)
    scale = dpi / 72
    lines = (reader or shared_ocr_process()).lines(image, cancelled)
    del image
    out: list[Char] = []
    for line in lines:
        quad, text = line[0], line[1]
        if not text:
            continue
        xs = [p[0] / scale for p in quad]
        ys = [p[1] / scale for p in quad]
        lx0, lx1, ly0, ly1 = min(xs), max(xs), min(ys), max(ys)
        spans = _word_spans(line, text, scale)
        if spans is None:  # divide the line in proportion to the characters' widths
            total = sum(_char_width(ch) for ch in text) or 1
            x, spans = lx0, []
            for ch in text:
                w = (lx1 - lx0) * _char_width(ch) / total
                spans.append((ch, x, x + w))
                x += w
        gap = "\n" if out else ""
        for ch, x0, x1 in spans:
            if ch.isspace():
                gap = gap or " "
                continue
            out.append(Char(ch, x0, ly0, x1, ly1, gap))
            gap = ""
    return out


def _ocr_lines(engine, pixels) -> list:
    """RapidOCR's lines ([quad, text, score, word boxes, words]) for a page, detected in overlapping
    horizontal bands: the detector's working memory grows with the area it looks at (measured ≈270
    bytes a pixel: ≈500 MB for a whole A4 page at 137 dpi, ≈75 MB for a band of 256 rows). A line
    belongs to the band whose core holds its centre, so a line in an overlap is read once; a line up
    to the overlap's height (64 px, ≈34 pt) always lies whole in that band, a taller heading may be
    read in part."""
    import numpy as np

    height = pixels.shape[0]
    if height <= _OCR_BAND * 1.25:
        bands = [(0, height)]
    else:
        stride = _OCR_BAND - _OCR_OVERLAP
        tops = list(range(0, height - _OCR_OVERLAP, stride))
        bands = [(top, min(top + _OCR_BAND, height)) for top in tops]
        if bands[-1][1] < height:
            bands.append((height - _OCR_BAND, height))
    lines = []
    for k, (top, bottom) in enumerate(bands):
        core_top = top + _OCR_OVERLAP / 2 if k else 0
        core_bottom = bottom - _OCR_OVERLAP / 2 if k < len(bands) - 1 else height
        with _OCR_LOCK:
            try:
                result, _ = engine(np.ascontiguousarray(pixels[top:bottom]), return_word_box=True)
            finally:
                _give_back_memory()
        for line in result or ():
            centre = sum(pt[1] for pt in line[0]) / len(line[0]) + top
            if not core_top <= centre < core_bottom:
                continue
            line = list(line)
            line[0] = [[pt[0], pt[1] + top] for pt in line[0]]
            if len(line) > 3 and line[3]:
                line[3] = [[[pt[0], pt[1] + top] for pt in box] for box in line[3]]
            lines.append(line)
    return lines


def _word_spans(line, text: str, scale: float) -> list[tuple[str, float, float]] | None:
    """(char, x0, x1) from RapidOCR's word boxes, when they add up to the line's text."""
    if len(line) < 5 or not line[3] or not line[4]:
        return None
    boxes, words = line[3], line[4]
    if len(boxes) != len(words) or "".join(words).replace(" ", "") != text.replace(" ", ""):
        return None
    spans = []
    for box, word in zip(boxes, words, strict=True):
        bx = [p[0] / scale for p in box]
        x0, x1 = min(bx), max(bx)
        letters = [ch for ch in word if not ch.isspace()]
        if not letters:
            continue
        step = (x1 - x0) / len(letters)
        spans += [(ch, x0 + k * step, x0 + (k + 1) * step) for k, ch in enumerate(letters)]
    return spans


# -- proposals ---------------------------------------------------------------------------------------
def propose(source: Source, page_index: int, names: Iterable[str] = (), credit_codes: bool = False,
            ocr: bool = True, reader: OcrProcess | None = None,
            cancelled: Callable[[], bool] | None = None) -> list[Box]:
    """Boxes proposed automatically for one page: ID numbers, phone numbers, bank cards, e-mail
    addresses, the given names, labelled fields, and credit codes when ``credit_codes``. A page
    without a text layer, or mostly covered by images, is read by OCR (unless ``ocr`` is False) in
    ``reader``'s process (``ocr_chars``; Cancelled when ``cancelled()`` turns True meanwhile)."""
    names = tuple(names)
    boxes: list[Box] = []
    if source.has_text(page_index):
        chars = source.chars(page_index)
        for m in detect(chars, names, credit_codes):
            boxes += _boxes_for(chars, m, page_index, "auto")
    if ocr and source.needs_ocr(page_index):
        chars = ocr_chars(source, page_index, reader, cancelled)
        pad = 1.0  # OCR boxes are less exact
        for m in detect(chars, names, credit_codes):
            for b in _boxes_for(chars, m, page_index, "ocr"):
                b = Box(b.page, b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad, b.category, b.kind, b.value,
                        b.source)
                if not any(_same_place(b, other) for other in boxes):  # read by both: one box
                    boxes.append(b)
    return boxes


def _same_place(a: Box, b: Box) -> bool:
    """Two boxes over the same value at (nearly) the same place."""
    if a.kind != b.kind or _compact(a.value) != _compact(b.value):
        return False
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return False
    smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
    return w * h >= 0.5 * smaller


def propose_all(source: Source, names: Iterable[str] = (), credit_codes: bool = False, ocr: bool = True,
                progress: Callable[[int, int], object] | None = None,
                cancelled: Callable[[], bool] | None = None, reader: OcrProcess | None = None) -> list[Box]:
    """``propose`` for every page; ``progress(done, total)`` after each, Cancelled when ``cancelled()``.
    Scanned pages are read in ``reader``'s process, or in one started for this call (when a page
    needs it) and ended before it returns."""
    names = tuple(names)
    boxes: list[Box] = []
    total = source.page_count
    own = reader is None
    reader = reader or OcrProcess()
    try:
        for i in range(total):
            if cancelled is not None and cancelled():
                raise Cancelled()
            boxes += propose(source, i, names, credit_codes, ocr, reader, cancelled)
            if progress is not None:
                progress(i + 1, total)
    finally:
        if own:
            reader.close()
    return boxes


def names_from_case(case: Mapping, events: Iterable[Mapping] = ()) -> list[str]:
    """The names recorded on a case that a release must not show: the applicant (and a legal
    representative or contact person), and third parties consulted (consultation_start events)."""
    import json

    names: list[str] = []

    def add(text) -> None:
        if not isinstance(text, str):
            return
        text = text.strip()
        if not text:
            return
        names.append(text)
        for part in re.split(r"[、，,；;（）()\s/：:]+", text):
            part = part.strip()
            if 2 <= len(part) < len(text) and part not in ("联系人", "法定代表人", "负责人"):
                names.append(part)

    keys = case.keys() if hasattr(case, "keys") else ()
    for key in ("applicant_name", "legal_rep", "contact_person"):
        if key in keys:
            add(case[key])
    for event in events:
        if event["type"] != "consultation_start":
            continue
        payload = event["payload"]
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                continue
        if isinstance(payload, dict) and payload.get("kind", "third_party") == "third_party":
            add(payload.get("party"))
    return list(dict.fromkeys(names))


# -- release -----------------------------------------------------------------------------------------
@dataclass
class _Encoded:
    data: bytes
    width: int
    height: int
    bilevel: bool
    image: object = None  # the pixels encoded (PIL image), for the paint check


def _paint(image, boxes: Iterable[Box], scale: float) -> None:
    """Boxes painted solid black into ``image`` (pixels = points × ``scale``), padded."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    pad = PAD_PT * scale
    for b in boxes:
        draw.rectangle((int(b.x0 * scale - pad), int(b.y0 * scale - pad),
                        int(b.x1 * scale + pad + 1), int(b.y1 * scale + pad + 1)), fill=0)


def _photo_like(gray) -> bool:
    """Whether a greyscale page has so many mid-grey pixels that black and white would lose it."""
    from PIL import Image

    # every 16th pixel as it is (averaging would grey the edges of text), then only blocks of 3×3
    # such pixels that are all mid-grey: the anti-aliased edges of text go, a photo's areas stay
    sample = gray.resize((max(3, gray.width // 4), max(3, gray.height // 4)), Image.Resampling.NEAREST)
    blocks = sample.point(lambda v: 255 if 48 <= v < 208 else 0).reduce(3)
    return blocks.histogram()[255] >= _PHOTO_SHARE * (blocks.width * blocks.height)


def _encode(gray, mode: str) -> _Encoded:
    """A greyscale page as CCITT G4 (bilevel) or greyscale JPEG; ``mode``: auto / bilevel / grey."""
    from PIL import Image

    bilevel = mode == "bilevel" or (mode == "auto" and not _photo_like(gray))
    out = io.BytesIO()
    if bilevel:
        bw = gray.point(lambda v: 255 if v >= 160 else 0, "1")
        bw.save(out, "TIFF", compression="group4", strip_size=(bw.width + 7) // 8 * bw.height)
        out.seek(0)
        with Image.open(out) as tif:
            offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
        if len(offsets) != 1:
            raise RuntimeError("G4 encoder wrote more than one strip")
        raw = out.getvalue()[offsets[0]:offsets[0] + counts[0]]
        return _Encoded(raw, bw.width, bw.height, True, bw)
    gray.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return _Encoded(out.getvalue(), gray.width, gray.height, False, gray)


class _PdfWriter:
    """An image-only PDF written page by page (one page's image in memory at a time)."""

    def __init__(self, fp, page_count: int):
        self.fp = fp
        self.page_count = page_count
        self.offsets: dict[int, int] = {}
        self.done = 0
        fp.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _obj(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.fp.tell()
        self.fp.write(b"%d 0 obj\n" % number)
        if stream is None:
            self.fp.write(body + b"\nendobj\n")
        else:
            self.fp.write(body + b"\nstream\n" + stream + b"\nendstream\nendobj\n")

    @staticmethod
    def _page_numbers(k: int) -> tuple[int, int, int]:
        base = 4 + 3 * k
        return base, base + 1, base + 2

    def add_page(self, width_pt: float, height_pt: float, image: _Encoded) -> None:
        page, content, xobject = self._page_numbers(self.done)
        if image.bilevel:
            head = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 1 /Filter [/CCITTFaxDecode] /DecodeParms [<< /K -1 /BlackIs1 true "
                    b"/Columns %d /Rows %d >>] /Length %d >>"
                    % (image.width, image.height, image.width, image.height, len(image.data)))
        else:
            head = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>"
                    % (image.width, image.height, len(image.data)))
        self._obj(xobject, head, image.data)
        draw = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (width_pt, height_pt)
        self._obj(content, b"<< /Length %d >>" % len(draw), draw)
        self._obj(page, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /XObject "
                        b"<< /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (width_pt, height_pt, xobject, content))
        self.done += 1

    def close(self) -> None:
        if self.done != self.page_count:
            raise RuntimeError("not every page was written")
        kids = b" ".join(b"%d 0 R" % self._page_numbers(k)[0] for k in range(self.page_count))
        self._obj(2, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % self.page_count)
        self._obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        self._obj(3, b"<< /Producer (Disclosure Desk) >>")
        size = 4 + 3 * self.page_count
        xref = self.fp.tell()
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, size)]
        self.fp.write(b"".join(lines))
        self.fp.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


def release(source: Source, boxes: Iterable[Box], out_path: str | os.PathLike, dpi: int = DEFAULT_DPI,
            progress: Callable[[int, int], object] | None = None,
            cancelled: Callable[[], bool] | None = None, image_mode: str = "auto") -> ReleaseResult:
    """Write the release version of ``source`` to ``out_path``: every page rendered at ``dpi`` with
    ``boxes`` painted solid, as an image-only PDF; then ``check_release``. ``progress(done, total)``
    after each page; ``cancelled()`` returning True stops with Cancelled. On a failed check LeakFound
    is raised. In both cases nothing is left at ``out_path`` (written to a temporary file beside it,
    renamed only when the check has passed). ``image_mode``: "auto" (G4, or JPEG for photo-like
    pages), "bilevel" or "grey"."""
    if image_mode not in ("auto", "bilevel", "grey"):
        raise ValueError(image_mode)
    out_path = Path(out_path)
    boxes = list(boxes)
    by_page: dict[int, list[Box]] = {}
    for b in boxes:
        if not 0 <= b.page < source.page_count:
            raise ValueError(f"box on page {b.page} of a {source.page_count}-page document")
        by_page.setdefault(b.page, []).append(b)
    total = source.page_count
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.{threading.get_ident()}.part")
    unpainted: list[Leak] = []
    try:
        with open(tmp, "wb") as fp:
            writer = _PdfWriter(fp, total)
            for i in range(total):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                width, height = source.page_size(i)
                page_dpi = min(dpi, (_MAX_PAGE_PIXELS / max(width * height / 72 / 72, 1e-6)) ** 0.5)
                scale = page_dpi / 72  # a poster-sized page is rendered coarser, to stay within memory
                gray = source.render(i, dpi=page_dpi, grayscale=True)
                page_boxes = by_page.get(i, ())
                _paint(gray, page_boxes, scale)
                encoded = _encode(gray, image_mode)
                unpainted += [Leak(i, b.category, b.kind, "页面图像")
                              for b in _unpainted(encoded.image, page_boxes, scale)]
                writer.add_page(width, height, encoded)
                del gray, encoded
                if progress is not None:
                    progress(i + 1, total)
            writer.close()
        if cancelled is not None and cancelled():
            raise Cancelled()
        leaks = unpainted + check_release(tmp, boxes, look=False)
        if leaks:
            raise LeakFound(sorted(set(leaks), key=lambda x: (x.page, x.category, x.kind, x.where)))
        digest = hashlib.sha256()
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        size = tmp.stat().st_size
        os.replace(tmp, out_path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    counts: dict[int, dict[str, int]] = {}
    for b in boxes:
        per = counts.setdefault(b.page, {})
        per[b.category] = per.get(b.category, 0) + 1
    return ReleaseResult(out_path, digest.hexdigest(), total, size, dict(sorted(counts.items())))


# -- the check ---------------------------------------------------------------------------------------
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_CJK_UTF8 = re.compile(rb"(?:[\xe3-\xe9][\x80-\xbf]{2}){2,}")
_ASCII_RUN = re.compile(rb"[0-9A-Za-z@.\-_+%]{5,}")


@dataclass
class _Needle:
    page: int
    category: str
    kind: str
    text: str  # normalised: no whitespace, full-width as ASCII
    compact: str  # digits and letters only, for numbers written with spaces or hyphens
    encodings: list[bytes] = field(default_factory=list)


def _normalise(text: str) -> str:
    return "".join(_norm_char(ch) for ch in text if not ch.isspace())


def _compact(text: str) -> str:
    return "".join(ch for ch in _normalise(text) if ch not in _SEPARATORS)


def _needles(values: Iterable[Box | str]) -> list[_Needle]:
    needles: dict[str, _Needle] = {}
    for v in values:
        if isinstance(v, Box):
            text, page, category, kind = v.value, v.page, v.category, v.kind
        else:
            text, page, category, kind = str(v), 0, "other", "manual"
        norm = _normalise(text or "")
        if len(norm) < 2 or norm in needles:
            continue
        compact = _compact(norm)
        enc = {norm.encode("utf-8"), norm.encode("utf-16-be"), norm.encode("utf-16-le"),
               norm.encode("utf-16-be").hex().encode(), norm.encode("utf-16-be").hex().upper().encode()}
        try:
            enc.add(norm.encode("gb18030"))
        except UnicodeEncodeError:
            pass
        if compact and compact != norm:
            enc.add(compact.encode("utf-8"))
        needles[norm] = _Needle(page, category, kind, norm, compact, sorted(enc))
    return list(needles.values())


def _streams(data: bytes):
    """(dictionary, start, end) of each stream in a PDF file's bytes."""
    for m in _STREAM.finditer(data):
        start = m.end()
        head_start = data.rfind(b"obj", 0, m.start())
        head = data[head_start if head_start >= 0 else max(0, m.start() - 2000):m.start() + 2]
        length = re.search(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)", head)
        if length:
            end = start + int(length.group(1))
            if data[end:end + 12].lstrip(b"\r\n").startswith(b"endstream"):
                yield head, start, end
                continue
        end = data.find(b"endstream", start)
        if end < 0:
            return
        yield head, start, end


def check_release(path: str | os.PathLike, values: Iterable[Box | str], dpi: float = 72,
                  look: bool = True) -> list[Leak]:
    """What of ``values`` can still be read from the PDF at ``path``: PDFium's text of every page,
    the raw bytes and every decompressed stream (values compared without whitespace, numbers also
    without separators, text in UTF-8, UTF-16, GB18030 and hex); and, for Boxes when ``look``, whether
    each box is dark in the page rendered at ``dpi``. [] when nothing leaks. (``release`` checks the
    painted pixels as it encodes them and calls this with ``look=False``.)"""
    import pypdfium2 as pdfium

    path = Path(path)
    values = list(values)
    needles = _needles(values)
    leaks: dict[tuple, Leak] = {}

    def leak(page: int, n_or_box, where: str) -> None:
        key = (page, n_or_box.category, n_or_box.kind, where)
        leaks.setdefault(key, Leak(page, n_or_box.category, n_or_box.kind, where))

    boxes_by_page: dict[int, list[Box]] = {}
    for v in values:
        if isinstance(v, Box):
            boxes_by_page.setdefault(v.page, []).append(v)
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            raise RedactionInputError(f"{path.name}：PDF文件已损坏，无法检查") from None
        try:
            for i in range(len(doc)):
                page = doc[i]
                try:
                    tp = page.get_textpage()
                    try:
                        text = tp.get_text_range()
                    finally:
                        tp.close()
                    if needles and text.strip():
                        norm, compact = _normalise(text), _compact(text)
                        for n in needles:
                            if n.text in norm or (len(n.compact) >= 5 and n.compact in compact):
                                leak(i, n, "文本")
                    if look and i in boxes_by_page:
                        _check_painted(page, boxes_by_page[i], dpi, lambda b, i=i: leak(i, b, "页面图像"))
                finally:
                    page.close()
        finally:
            doc.close()
    data = path.read_bytes()
    if needles:
        _search_bytes(data, needles, lambda n: leak(n.page, n, "文件内容"))
    return sorted(leaks.values(), key=lambda x: (x.page, x.category, x.kind, x.where))


def _check_painted(page, boxes: Sequence[Box], dpi: float, report) -> None:
    scale = dpi / 72
    bitmap = page.render(scale=scale, grayscale=True, draw_annots=False, may_draw_forms=False)
    try:
        image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    for b in _unpainted(image, boxes, scale):
        report(b)


def _unpainted(image, boxes: Iterable[Box], scale: float) -> list[Box]:
    """The boxes whose area in ``image`` (pixels = points × ``scale``) is not dark."""
    out = []
    for b in boxes:
        if b.x1 * scale <= 0 or b.y1 * scale <= 0 or b.x0 * scale >= image.width or b.y0 * scale >= image.height:
            continue  # off the page: nothing there to see
        x0, y0 = max(0, int(b.x0 * scale + 1)), max(0, int(b.y0 * scale + 1))
        x1, y1 = min(image.width, int(b.x1 * scale)), min(image.height, int(b.y1 * scale))
        if x1 <= x0 or y1 <= y0:  # a small box: its centre
            cx = min(max(0, int((b.x0 + b.x1) / 2 * scale)), image.width - 1)
            cy = min(max(0, int((b.y0 + b.y1) / 2 * scale)), image.height - 1)
            x0, y0, x1, y1 = cx, cy, cx + 1, cy + 1
        region = image.crop((x0, y0, x1, y1))
        if region.mode != "L":
            region = region.convert("L")
        hist = region.histogram()
        if sum(hist[96:]) > 0.02 * max(1, region.width * region.height):
            out.append(b)
    return out


def _decoded(head: bytes, payload: bytes) -> bytes:
    """A stream's payload through its ASCII85, ASCIIHex and Flate filters (as far as they work)."""
    import base64

    filters = re.findall(rb"/(ASCII85Decode|A85|ASCIIHexDecode|AHx|FlateDecode|Fl)\b", head)
    for name in filters:
        try:
            if name in (b"ASCII85Decode", b"A85"):
                body = re.sub(rb"\s", b"", payload)
                payload = base64.a85decode(body.removesuffix(b"~>").removeprefix(b"<~"))
            elif name in (b"ASCIIHexDecode", b"AHx"):
                body = re.sub(rb"[^0-9A-Fa-f]", b"", payload.split(b">")[0])
                payload = bytes.fromhex(body.decode() + ("0" if len(body) % 2 else ""))
            else:
                payload = zlib.decompressobj().decompress(payload, 64 << 20)
        except (ValueError, zlib.error):
            break
    return payload


_LITERAL_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]{4,})>")


def _pdf_strings(blob: bytes) -> str:
    """The text of every literal and hex string in PDF syntax, decoded (UTF-16 with a byte order
    mark, else PDFDocEncoding taken as Latin-1), one per line."""
    out: list[str] = []

    def text_of(raw: bytes) -> str:
        if raw.startswith(b"\xfe\xff"):
            return raw[2:].decode("utf-16-be", "ignore")
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:].decode("utf-8", "ignore")
        return raw.decode("latin-1")

    k, n = 0, len(blob)
    while True:
        k = blob.find(b"(", k)
        if k < 0:
            break
        depth, j, raw = 1, k + 1, bytearray()
        while j < n and depth:
            b = blob[j]
            if b == 0x5C and j + 1 < n:  # backslash
                nxt = blob[j + 1]
                if 0x30 <= nxt <= 0x37:
                    m = re.match(rb"[0-7]{1,3}", blob[j + 1:j + 4])
                    raw.append(int(m.group(), 8) & 0xFF)
                    j += 1 + len(m.group())
                    continue
                if nxt in (0x0A, 0x0D):  # a line continuation
                    j += 2
                    continue
                raw += _LITERAL_ESCAPES.get(nxt, bytes([nxt]))
                j += 2
                continue
            if b == 0x28:
                depth += 1
            elif b == 0x29:
                depth -= 1
                if not depth:
                    break
            raw.append(b)
            j += 1
        if raw:
            out.append(text_of(bytes(raw)))
        k = j + 1
    for m in _HEX_STRING.finditer(blob):
        digits = re.sub(rb"\s", b"", m.group(1))
        if len(digits) % 2:
            digits += b"0"
        out.append(text_of(bytes.fromhex(digits.decode())))
    return "\n".join(out)


def _search_bytes(data: bytes, needles: Sequence[_Needle], report) -> None:
    """Needles in the file: its structure and every stream decompressed, in every encoding; inside
    image data (random-looking bytes where a short GB18030 or UTF-16 string would match by chance) as
    UTF-8 text and as runs of ASCII letters and digits."""
    images: list[bytes] = []
    parts: list[bytes] = []
    syntax: list[bytes] = []  # object syntax, whose (strings) and <strings> are decoded as well
    last = 0
    for head, start, end in _streams(data):
        if start < last:
            continue
        syntax.append(data[last:start])
        payload, last = data[start:end], end
        payload = _decoded(head, payload)
        if b"/Image" in head:
            images.append(payload)
        else:
            (syntax if re.search(rb"/Type\s*/(ObjStm|Metadata)", head) else parts).append(payload)
    syntax.append(data[last:])
    strings = "\n".join(_normalise(_pdf_strings(part)) for part in syntax)
    structure = b"\n".join([*syntax, *parts, strings.encode("utf-8")])
    found = set()
    for n in needles:
        if any(e in structure for e in n.encodings):
            found.add(id(n))
            report(n)
    remaining = [n for n in needles if id(n) not in found]
    if not remaining or not images:
        return
    for blob in images:
        runs = [m.group() for m in _ASCII_RUN.finditer(blob)] + [m.group() for m in _CJK_UTF8.finditer(blob)]
        if not runs:
            continue
        joined = b"\n".join(runs)
        for n in list(remaining):
            if n.text.encode("utf-8") in joined or (len(n.compact) >= 5 and n.compact.encode() in joined):
                report(n)
                remaining.remove(n)
        if not remaining:
            return
