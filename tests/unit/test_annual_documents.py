"""The annual report as the files an office publishes, each read back: the workbook (openpyxl, and
LibreOffice's rendering of it), the PDF (pdftotext, pdffonts), the web page (a parser and headless
Chromium); a draft, a year not yet over and a failing check marked on every page."""

import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from desktop.cli import main
from desktop.documents import annual_pdf
from desktop.documents.annual_tables import ReportState, label_pieces, part3_grid, part4_grid
from desktop.domain.annual_report import APPLICANT_COLUMNS, PART3_ROWS, PART4_COLUMNS, PARTS
from desktop.domain.annual_report import compute as compute_tables
from desktop.services import annual
from tests.helpers import flat, pdf_fonts, pdf_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

TEXT_ONE = "本年度，本机关共收到政府信息公开申请八件，均已依法答复。"
TEXT_FIVE = "存在答复期限紧张的问题，已优化承办流程。"
FEE = "发出收费通知2件，收费金额共计5800元，实际收取4700元。"
AGENCY = "某某市民政局"  # the test registry's agency (agency.ensure_defaults)


def complete(registry, staff, year=2025):
    """Write parts 一 and 五 and enter part 二: nothing left to keep the report a draft."""
    annual.save_text(registry, staff["head"], year, "一", TEXT_ONE)
    annual.save_text(registry, staff["head"], year, "五", TEXT_FIVE)
    annual.save_part2(registry, staff["head"], year, {("规章", "issued"): 2, ("行政事业性收费", "amount"): 12.5})


def pages(path) -> list[str]:
    """Each page's text (pdftotext -layout), without the page number."""
    return [re.sub(r"—\s*\d+\s*—", "", p) for p in pdf_text(path).split("\f") if p.strip()]


def words(path) -> list[tuple[int, str, float, float, float, float]]:
    """Every word pdftotext finds: (page, text, xMin, yMin, xMax, yMax); a word is one line of a cell."""
    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    out, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            out.append((page, m.group(5), *map(float, m.groups()[:4])))
    return out


def spelled(label: str, found) -> list[list[int]]:
    """Where each cell that shows ``label`` breaks it: the lines of a cell are words stacked one below
    the other (overlapping across); returns the break positions of every such stack."""
    stacks = []
    for first in found:
        if not label.startswith(first[1]):
            continue
        stack, at, breaks = [first], len(first[1]), []
        while at < len(label):
            last = stack[-1]
            below = [w for w in found if w[0] == last[0] and label[at:].startswith(w[1])
                     and 0 < w[3] - last[3] < 2 * (last[5] - last[3]) and min(w[4], last[4]) > max(w[2], last[2])]
            if not below:
                break
            breaks.append(at)
            stack.append(below[0])
            at += len(below[0][1])
        if at == len(label):
            stacks.append(breaks)
    return stacks


# -- the workbook ----------------------------------------------------------------------------------------
def test_workbook_names_a_cjk_font_sets_every_size_and_prints_on_a4_landscape(registry, dataset, tmp_path):
    complete(registry, dataset)
    out = annual.export(registry, 2025, tmp_path / "r.xlsx") and tmp_path / "r.xlsx"
    wb = openpyxl.load_workbook(out)
    for name, cols, last_row, titles in (("二、主动公开", 4, 15, "$1:$1"), ("三、收到和处理申请", 10, 29, "$1:$4"),
                                         ("四、复议诉讼", 15, 5, "$1:$4")):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == titles
        assert ws.max_row == last_row and ws.max_column == cols
        for r in range(1, last_row + 1):
            assert ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 20, (name, r)
            for c in range(1, cols + 1):
                if not isinstance(ws.cell(r, c), MergedCell):  # covered by a merged cell: never drawn
                    assert ws.cell(r, c).font.name == "宋体", (name, r, c)
        for c in range(1, cols + 1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width >= 10, (name, c)
        assert "草稿" not in ws["A1"].value and "未结束" not in ws["A1"].value
    ws = wb["三、收到和处理申请"]
    assert ws["A1"].value == f"{AGENCY}2025年政府信息公开工作年度报告　三、收到和处理政府信息公开申请情况"
    assert ws["A5"].font.name == "宋体" and ws["C25"].font.name == "宋体" and ws["E4"].font.b
    # the longest label gets the lines it needs; a one-line row does not
    assert ws.row_dimensions[25].height > ws.row_dimensions[10].height
    assert ws["C25"].alignment.wrap_text
    checks = wb["勾稽关系检查"]
    assert checks["A2"].font.name == "宋体" and checks.page_setup.orientation == "landscape"


def test_a_draft_workbook_says_so_in_its_title_row(registry, dataset, tmp_path):
    annual.export(registry, 2025, tmp_path / "draft.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "draft.xlsx")
    for name in ("二、主动公开", "三、收到和处理申请", "四、复议诉讼"):
        assert wb[name]["A1"].value.startswith(f"【草稿】{AGENCY}2025年政府信息公开工作年度报告"), name
    complete(registry, dataset, 2026)
    annual.export(registry, 2026, tmp_path / "open.xlsx")
    title = openpyxl.load_workbook(tmp_path / "open.xlsx")["三、收到和处理申请"]["A1"].value
    assert title.startswith(f"【未结束年度（数据截至2026年11月20日）】{AGENCY}2026年") and "草稿" not in title


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_the_workbook_without_text_over_text(registry, dataset, tmp_path):
    """LibreOffice's own rendering: every page A4 landscape, no word drawn over another, the header
    labels each on one line."""
    out = tmp_path / "r.xlsx"
    annual.export(registry, 2025, out)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], capture_output=True, check=True, timeout=180)
    pdf = tmp_path / "r.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+841.8\d* x 595.\d+ pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 4  # one page per sheet
    found = words(pdf)
    for page in {w[0] for w in found}:
        boxes = [w for w in found if w[0] == page]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap_x = min(a[4], b[4]) - max(a[2], b[2])
                overlap_y = min(a[5], b[5]) - max(a[3], b[3])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, f"page {page}: {a[1]} over {b[1]}"
    texts = {w[1] for w in found}
    assert set(APPLICANT_COLUMNS) | set(PART4_COLUMNS) | {"未经复议直接起诉", "法人或其他组织"} <= texts
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in "".join(w[1] for w in found)


# -- the PDF ---------------------------------------------------------------------------------------------
def test_the_published_pdf_has_no_check_line_no_helvetica_and_headers_broken_between_words(
        registry, dataset, tmp_path):
    complete(registry, dataset)
    pdf = tmp_path / "r.pdf"
    annual.export(registry, 2025, pdf)
    text = flat(pdf)
    assert TEXT_ONE in text and TEXT_FIVE in text and FEE in text
    assert "勾稽关系检查" not in text and "通过" not in text  # on screen and in the command, not in the report
    assert "草稿" not in text and "未结束" not in text and "请在此" not in text
    fonts = pdf_fonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # every font embedded
    assert not any("Helvetica" in row[0] for row in fonts), fonts
    # A label too wide for its cell breaks only between its pieces: 社会公益|组织, never 商业企|业.
    labels = {c.value for g in (part3_grid(annual.compute(registry, 2025)), part4_grid(annual.compute(registry, 2025)))
              for c in g.cells if isinstance(c.value, str)}
    found = words(pdf)
    for label in labels:
        ends = {0}
        for piece in label_pieces(label):
            ends.add(max(ends) + len(piece))
        stacks = spelled(label, found)
        assert stacks, f"{label} is not in the PDF"
        for breaks in stacks:
            assert set(breaks) <= ends, f"{label} broken inside a word at {breaks}"
    found = [w[1] for w in found]
    for label in ("商业企业", "科研机构", "自然人", "总计", "法人或其他组织", "未经复议直接起诉", "申请人情况"):
        assert label in found, label  # these fit on one line
    assert "社会公益" in found and "组织" in found and "（三）" in found and "不予公开" in found


def test_a_heading_never_stands_alone_at_the_foot_of_a_page(tmp_path):
    """However long the texts, every heading shares its page with what follows it."""
    report = compute_tables(2025, [])
    seen_at_foot = set()
    for n in range(0, 34):
        pdf = tmp_path / f"k{n}.pdf"
        texts = {"一": "甲" * 60, "五": "\n".join(["乙" * 30] * n), "六": ""}
        annual_pdf.write_pdf(report, pdf, "某局", texts, "本年度本机关未收取信息处理费，未发出收费通知。")
        for page in pages(pdf)[:-1]:
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            assert lines[-1] not in PARTS, f"{n}: page ends with the heading {lines[-1]}"
            seen_at_foot.add(lines[-1][:1])
    assert "乙" in seen_at_foot  # the loop did move part 五's text across a page foot


def test_a_draft_an_open_year_and_a_failing_report_are_marked_on_every_page(registry, dataset, tmp_path):
    pdf = tmp_path / "draft.pdf"
    annual.export(registry, 2025, pdf)
    texts = pages(pdf)
    assert len(texts) >= 2 and all("草稿" in p for p in texts)
    first = re.sub(r"\s+", "", texts[0])
    assert ("本报告为草稿，不能发布。尚未完成：一、总体情况尚未编写；二、主动公开政府信息情况的数据尚未填写；"
            "五、存在的主要问题及改进情况尚未编写。") in first

    complete(registry, dataset, 2026)
    annual.export(registry, 2026, tmp_path / "open.pdf")
    texts = pages(tmp_path / "open.pdf")
    assert all("未结束年度（数据截至2026年11月20日）" in p for p in texts) and not any("草稿" in p for p in texts)

    registry.conn.execute("UPDATE cases SET outcome = NULL WHERE case_no = 'F'")
    complete(registry, dataset, 2025)
    annual.export(registry, 2025, tmp_path / "failing.pdf")
    texts = pages(tmp_path / "failing.pdf")
    assert all("勾稽关系检查未通过，不得发布" in p for p in texts) and not any("草稿" in p for p in texts)
    assert "第一项加第二项之和等于第三项加第四项之和（社会公益组织：1+0≠0+0；总计：8+2≠7+2）" in flat(
        tmp_path / "failing.pdf")


def test_report_state_for_every_kind_of_year(registry, dataset):
    assert annual.state(registry, 2025).marks == ["草稿"]
    assert annual.state(registry, 2026).marks == ["草稿", "未结束年度（数据截至2026年11月20日）"]
    assert annual.state(registry, 2027).unfinished == "未结束年度（数据截至2026年11月20日）"  # a future year
    complete(registry, dataset)
    assert annual.state(registry, 2025) == ReportState() and annual.state(registry, 2025).publishable


# -- the web page ----------------------------------------------------------------------------------------
class Page(HTMLParser):
    """What the tests need of the page: every tag with its attributes, headings, paragraphs, tables."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self.paragraphs: list[str] = []
        self.tables: list[list[list[tuple[str, str, int, int]]]] = []
        self.text: list[str] = []
        self._open: list[str] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("wbr", "br", "meta", "col"):
            return
        self._open.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = [tag, "", int(attrs.get("rowspan", 1)), int(attrs.get("colspan", 1))]
        elif tag in ("h1", "h2", "p"):
            (self.headings if tag != "p" else self.paragraphs).append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(tuple(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell[1] += data
        elif self._open and self._open[-1] in ("h1", "h2"):
            self.headings[-1] += data
        elif self._open and self._open[-1] == "p":
            self.paragraphs[-1] += data


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


def test_the_web_page_is_the_whole_report_and_needs_nothing_from_elsewhere(registry, dataset, tmp_path):
    complete(registry, dataset)
    out = tmp_path / "r.html"
    annual.export(registry, 2025, out)
    page = parse(out)
    assert page.headings == [f"{AGENCY}2025年政府信息公开工作年度报告", *PARTS]
    assert TEXT_ONE in page.paragraphs and TEXT_FIVE in page.paragraphs
    assert any(FEE in p for p in page.paragraphs)
    tags = {t for t, _a in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "style", "base"}
    for _tag, attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs)  # no event handlers
        for value in attrs.values():
            assert "url(" not in (value or "") and "http" not in (value or "") and "@import" not in (value or "")
    assert all(attrs.get("style") for tag, attrs in page.tags if tag in ("table", "td", "th", "h1", "h2", "p"))
    two, three, four = page.tables
    assert three[0][0] == ("th", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
    assert [c[1] for c in three[2]] == list(APPLICANT_COLUMNS[1:])
    assert three[3][0][1:] == ("一、本年新收政府信息公开申请数量", 1, 3)
    assert [c[1] for c in three[3][1:]] == ["3", "1", "1", "1", "1", "1", "8"]
    labels = [c[1] for row in three for c in row if c[0] == "td" and not c[1].isdigit()]
    assert [r.label for r in PART3_ROWS if r.label in labels] == [r.label for r in PART3_ROWS]
    assert [c[1] for c in four[-1]] == ["1", "0", "0", "1", "2", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"]
    assert two[2] == [("td", "规章", 1, 1), ("td", "2", 1, 1), ("td", "0", 1, 1), ("td", "0", 1, 1)]
    assert two[-1] == [("td", "行政事业性收费", 1, 1), ("td", "12.5", 1, 3)]
    text = "".join(page.text)
    assert "草稿" not in text and "勾稽关系检查" not in text and "请在此" not in text


def test_a_draft_web_page_says_so(registry, dataset, tmp_path):
    out = tmp_path / "draft.html"
    annual.export(registry, 2026, out)
    page = parse(out)
    text = "".join(page.text)
    assert "【草稿】【未结束年度（数据截至2026年11月20日）】" in text and "尚未完成：一、总体情况尚未编写" in text
    watermark = [a for t, a in page.tags if t == "div" and "position:fixed" in (a.get("style") or "")]
    assert len(watermark) == 1  # printed on every page
    assert "【草稿】" in out.read_text("utf-8").split("<title>")[1].split("</title>")[0]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (scripts/install-system-deps.sh)")
def test_chromium_draws_the_web_page_within_1280_pixels(registry, dataset, tmp_path):
    from PIL import Image

    complete(registry, dataset)
    out = tmp_path / "r.html"
    annual.export(registry, 2025, out)
    shot = tmp_path / "r.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2600",
                    out.as_uri()], capture_output=True, check=True, timeout=120)
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 2600)
    dark = image.point(lambda v: 255 if v < 128 else 0)
    box = dark.getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert right - left > 1000 and left >= 40 and right <= 1240  # the tables use the width, nothing overflows
    assert bottom < 2560  # the whole report fits the shot: no runaway height from a squeezed column


# -- the command -----------------------------------------------------------------------------------------
def test_report_command_prints_the_checks_warns_about_a_draft_and_writes_html(registry, dataset, tmp_path, capsys):
    db = str(registry.target)
    assert main(["--db", db, "report", "annual", "--year", "2025", "--out", str(tmp_path / "d.pdf")]) == 0
    out, err = capsys.readouterr()
    assert "勾稽关系检查：第一项加第二项之和等于第三项加第四项之和：通过；" in out
    assert ("警告：报告为草稿，每页已标明“草稿”，不能发布。尚未完成：一、总体情况尚未编写；"
            "二、主动公开政府信息情况的数据尚未填写；五、存在的主要问题及改进情况尚未编写") in err

    complete(registry, dataset)
    assert main(["--db", db, "report", "annual", "--year", "2025", "--out", str(tmp_path / "r.html")]) == 0
    out, err = capsys.readouterr()
    assert "2025年度报告已写入" in out and "勾稽关系检查：" in out and err == ""
    assert parse(tmp_path / "r.html").headings[1:] == list(PARTS)

    year = date.today().year  # the command runs on the real clock: this year is not over
    assert main(["--db", db, "report", "annual", "--year", str(year), "--out", str(tmp_path / "y.xlsx")]) == 0
    assert f"警告：{year}年度尚未结束，报告已标明“未结束年度（数据截至" in capsys.readouterr().err

    registry.conn.execute("UPDATE cases SET outcome = NULL WHERE case_no = 'F'")
    assert main(["--db", db, "report", "annual", "--year", "2025", "--out", str(tmp_path / "f.html")]) == 3
    out, err = capsys.readouterr()
    assert "勾稽关系检查未通过：第一项加第二项之和等于第三项加第四项之和" in err and "未通过" in out
    assert "【勾稽关系检查未通过，不得发布】" in "".join(parse(tmp_path / "f.html").text)
