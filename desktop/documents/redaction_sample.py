"""Generated documents with planted personal data, for the redaction tests and the benchmark: text
pages (one ID number wrapped across a line break, a table whose bank card number wraps inside its
cell) and scanned pages (an image with no text layer)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.identity import resident_id_check_char


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def luhn_complete(prefix: str) -> str:
    """``prefix`` with the Luhn check digit appended."""
    total = 0
    for i, ch in enumerate(reversed(prefix + "0")):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Planted:
    id_number: str = resident_id("11010119900307757")
    wrapped_id: str = resident_id("44030419851231002")  # split over two lines
    mobile: str = "13812345678"
    landline: str = "010-62345678"
    card: str = luhn_complete("622202020011234567")  # 19 digits, in a table cell, wrapped
    email: str = "zhang.sanfeng@example.com"
    applicant: str = "张三丰"
    third_party: str = "李四光"
    table_name: str = "王小明"
    table_phone: str = "13987654321"
    address: str = "北京市海淀区中关村大街27号"
    scan_id: str = resident_id("32010219760615123")
    scan_phone: str = "15911112222"
    scan_name: str = "赵六"
    kept: str = "本机关依法公开以下政府信息"  # must stay legible

    def values(self) -> list[str]:
        return [self.id_number, self.wrapped_id, self.mobile, self.landline, self.card, self.email,
                self.applicant, self.third_party, self.table_name, self.table_phone, self.address]

    def scan_values(self) -> list[str]:
        return [self.scan_id, self.scan_phone, self.scan_name]


PLANTED = Planted()


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from desktop.documents.fonts import SERIF, unpacked

    if SERIF.name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(SERIF.name, str(unpacked(SERIF))))
    return SERIF.name


def scan_image(p: Planted = PLANTED, dpi: int = 150):
    """An A4 'scan' (greyscale PIL image) with the scan values and an unredacted heading."""
    from PIL import Image, ImageDraw, ImageFont

    from desktop.documents.fonts import SERIF, unpacked

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    size = round(dpi * 14 / 72)
    font = ImageFont.truetype(str(unpacked(SERIF)), size)
    lines = [f"{p.kept}（扫描件）", f"当事人{p.scan_name}，身份证号码{p.scan_id}",
             f"联系手机：{p.scan_phone}", "以上信息经核对无误。"]
    for k, line in enumerate(lines):
        draw.text((round(dpi * 1.0), round(dpi * 1.2) + k * round(size * 2.2)), line, font=font, fill=20)
    return image


def text_page(c, p: Planted = PLANTED) -> None:
    """One A4 text page on the reportlab canvas ``c`` with every planted value."""
    from reportlab.lib.pagesizes import A4

    font = _font()
    w, h = A4
    c.setFont(font, 14)
    c.drawString(72, h - 72, p.kept)
    c.setFont(font, 11)
    y = h - 110
    for line in (f"申请人{p.applicant}，身份证号：{p.id_number}，手机 {p.mobile}。",
                 f"座机：{p.landline}，电子邮箱 {p.email}",
                 f"第三方{p.third_party}的证件号码为{p.wrapped_id[:10]}",
                 f"{p.wrapped_id[10:]}，已征求其意见。",
                 f"住址：{p.address}",
                 "公开内容：2024年度预算执行情况，共计12项，金额合计3,456,789.00元。"):
        c.drawString(72, y, line)
        y -= 20
    # a table: the bank card number wraps inside its narrow cell
    top, rows = y - 20, [("姓名", "联系电话", "银行卡号"), (p.table_name, p.table_phone, (p.card[:10], p.card[10:]))]
    xs = (72, 172, 302, 432)
    row_h = 40
    for r, row in enumerate(rows):
        for k, cell in enumerate(row):
            x0, y0 = xs[k], top - (r + 1) * row_h
            c.rect(x0, y0, xs[k + 1] - x0, row_h)
            parts = cell if isinstance(cell, tuple) else (cell,)
            for j, part in enumerate(parts):
                c.drawString(x0 + 6, y0 + row_h - 16 - j * 14, part)
    c.drawString(72, top - 3 * row_h - 20, "以上为申请人提供的信息，本机关不对外公开。")


def sample_pdf(path: Path, text_pages: int = 1, scanned_pages: int = 1, p: Planted = PLANTED) -> Path:
    """A PDF of ``text_pages`` text pages then ``scanned_pages`` image-only pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("申请人张三丰的材料")  # metadata that must not survive
    c.setAuthor(p.applicant)
    for _ in range(text_pages):
        text_page(c, p)
        c.showPage()
    if scanned_pages:
        buf = io.BytesIO()
        scan_image(p).save(buf, "PNG")
        reader = ImageReader(io.BytesIO(buf.getvalue()))
        for _ in range(scanned_pages):
            c.drawImage(reader, 0, 0, A4[0], A4[1])
            c.showPage()
    c.save()
    return path
