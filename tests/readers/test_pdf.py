"""The text-PDF reader on PDFs made by reportlab in code, and on the real szfgs2024.pdf."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from conftest import SAMPLES, answer_key
from markup_factory import to_docx
from pdf_factory import (
    ACTIVE_WIDTHS,
    REVIEW_WIDTHS,
    ReportPdf,
    active_disclosure_rows,
    made_up_to_pdf,
    register_cjk_font,
    review_litigation_rows,
)
from PIL import Image, ImageDraw
from report_factory import MadeUpReport, assert_values, make_report, narrative
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from extractors.document import Document, Table, TableCell
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.readers.pdf import PDFPLUMBER_ENGINE, choose_fragments
from extractors.readers.pdf_camelot import ENGINE as CAMELOT_ENGINE
from extractors.readers.pdf_camelot import find_camelot_boxes
from extractors.readers.pdf_debug import draw_page
from extractors.readers.pdf_quality import garbage_reason
from extractors.readers.pdf_tables import Box, boxes_to_fragment
from extractors.readers.pdf_text import Char
from extractors.readers.pdf_unruled import ENGINE as UNRULED_ENGINE
from extractors.report import Status

# Table-3 grid row where the page must break: after the first row of （四）无法提供, so
# the merged label is cut in two as in szfgs2024.pdf.
SPLIT_INSIDE_UNABLE = frozenset({16})
SPLIT_INSIDE_ONE_LINE = frozenset({18})


def requests_table(document: Document) -> Table:
    """The table that holds table 3 (its label column says 本年新收)."""
    for table in document.tables:
        if any("本年新收" in cell.text for cell in table.cells):
            return table
    raise AssertionError("no table 3 in the document")


def cell_with(table: Table, text: str) -> list[int]:
    """row, col, row_span, col_span of the one cell whose text is ``text``."""
    found = [c for c in table.cells if c.text == text]
    assert len(found) == 1, f"{text!r} found {len(found)} times"
    return [found[0].row, found[0].col, found[0].row_span, found[0].col_span]


@pytest.mark.parametrize(
    ("active", "requests", "template"),
    [
        ("2019", "2019", "2019"),
        ("2021", "2021", "2021"),
        ("2021", "2019", "mixed"),
        ("2019", "2021", "mixed"),
    ],
)
def test_every_value_comes_back_from_a_word_like_pdf(
    tmp_path: Path, active: str, requests: str, template: str
) -> None:
    made = make_report(active, requests, seed=7)
    # Blank is not zero: an empty cell must stay null (and keep its column).
    made.requests["disclosed"]["research_institution"] = None
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", requests_break_before=SPLIT_INSIDE_UNABLE
    )

    report = extract(path)

    assert_values(report, made)
    assert report.report.template == template
    assert report.report.template_by_table == {
        "active_disclosure": active,
        "requests": requests,
        "review_litigation": requests,
    }
    assert report.source.pages is not None and report.source.pages >= 3
    assert [s.heading for s in report.sections if s.level == 1] == [
        heading for heading, _ in made.level1
    ]


def test_provenance_names_the_page_each_value_was_read_on(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=3)
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", requests_break_before=SPLIT_INSIDE_UNABLE
    )
    table = requests_table(read_document(path))
    not_held = next(c for c in table.cells if c.text == "1.本机关不掌握相关政府信息")
    assert not_held.page is not None

    report = extract(path)

    pages = {(c.row, c.column): c.page for c in report.cells if c.table == "requests"}
    received = next(c for c in table.cells if c.text.startswith("一、本年新收"))
    assert pages[("new_received", "total")] == received.page
    assert pages[("unable.not_held", "natural_person")] == not_held.page
    # The forced page break falls right after unable.not_held.
    assert pages[("unable.needs_creation", "natural_person")] == not_held.page + 1
    assert pages[("carried_to_next_year", "total")] == table.pages[-1]
    assert all(c.page is not None and c.bbox is not None for c in report.cells)


def test_table_split_without_header_is_one_table_with_its_labels_glued(
    tmp_path: Path,
) -> None:
    made = make_report("2021", "2021", seed=5)
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", requests_break_before=SPLIT_INSIDE_UNABLE
    )

    document = read_document(path)

    table = requests_table(document)
    assert {c.text for c in table.cells if c.header} == {
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    }
    assert len(table.pages) >= 2
    assert table.pages == list(
        range(table.page or 0, (table.page or 0) + len(table.pages))
    )
    assert table.engine == PDFPLUMBER_ENGINE
    assert (table.n_rows, table.n_cols) == (28, 10)
    # The merged labels cut by the page break are one cell each again.
    assert cell_with(table, "三、本年度办理结果") == [5, 0, 22, 1]
    assert cell_with(table, "（四）无法提供") == [15, 1, 3, 1]
    # Every grid position is covered exactly once and every cell knows its page and box.
    covered = [(r, c) for x in table.cells for r, c in _positions(x)]
    assert sorted(covered) == [(r, c) for r in range(28) for c in range(10)]
    assert all(c.page in table.pages and c.bbox is not None for c in table.cells)
    needs_creation = table.row_cells(16)
    assert needs_creation[2].text == "2.没有现成信息需要另行制作"
    not_held = table.row_cells(15)[2]
    assert not_held.page is not None and needs_creation[2].page == not_held.page + 1
    assert [c.text for c in needs_creation[3:]] == [
        str(v) for v in made.requests["unable.needs_creation"].values()
    ]


def test_label_cut_between_its_lines_is_rejoined(tmp_path: Path) -> None:
    """The page break falls between the two printed lines of （五）不予处理."""
    made = make_report("2021", "2021", seed=5)
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", requests_break_before=SPLIT_INSIDE_ONE_LINE
    )

    table = requests_table(read_document(path))

    assert cell_with(table, "（五）不予处理") == [18, 1, 5, 1]
    assert len(table.pages) >= 2


def _positions(cell: TableCell) -> list[tuple[int, int]]:
    return [
        (r, c)
        for r in range(cell.row, cell.row + cell.row_span)
        for c in range(cell.col, cell.col + cell.col_span)
    ]


def test_blank_cell_keeps_its_column(tmp_path: Path) -> None:
    made = make_report("2019", "2019", seed=2)
    made.requests["disclosed"]["research_institution"] = None
    path = made_up_to_pdf(made, tmp_path / "report.pdf")

    table = requests_table(read_document(path))

    row = next(r for r in range(table.n_rows) if "（一）予以公开" in table.grid()[r])
    values = [c.text for c in table.row_cells(row)][2:]
    assert values[2] == ""
    assert values == [
        "" if v is None else str(v) for v in made.requests["disclosed"].values()
    ]


def test_text_blocks_are_paragraphs_without_headers_footers_or_table_text(
    tmp_path: Path,
) -> None:
    made = make_report("2021", "2021", seed=1)
    path = made_up_to_pdf(made, tmp_path / "report.pdf", header="政府信息公开专栏")

    document = read_document(path)

    texts = [b.text for b in document.blocks]
    assert texts[0] == made.title
    assert not any("政府信息公开专栏" in t or t.startswith("- ") for t in texts)
    assert not any("本年新收" in t or "行政许可" in t or "结果维持" in t for t in texts)
    heading = next(b for b in document.blocks if b.text == "一、总体情况")
    assert heading.bold is True and heading.font_size == 12.0 and heading.page == 1
    inline = next(b for b in document.blocks if b.text.startswith("（一）主动公开情况"))
    assert inline.text.startswith("（一）主动公开情况。2022年，通过门户网站主动公开")
    assert inline.bold is False
    assert all(b.page is not None and b.bbox is not None for b in document.blocks)
    assert [b.order for b in document.items()] == list(range(len(document.items())))


def test_wrapped_paragraph_joins_without_spaces_and_keeps_numbers(
    tmp_path: Path,
) -> None:
    text = (
        "2024年，全市共受理政府信息公开申请3119件，答复3050件（含上年度结转申请34件，"
        "另有103件顺延到下年度答复），均在法定期限内予以答复。政府信息公开行政复议351件，"
        "网址www.huaian.gov.cn。"
    )
    doc = ReportPdf(header=None)
    doc.paragraph(text)
    doc.paragraph("第二段。")
    path = doc.save(tmp_path / "p.pdf")

    blocks = read_document(path).blocks

    assert [b.text for b in blocks] == [text, "第二段。"]


def test_autospace_gap_between_digits_and_cjk_is_not_a_space(tmp_path: Path) -> None:
    """WPS draws 2024 and 年 apart (autospace); the text must read 2024年."""
    font = register_cjk_font()
    canvas = Canvas(str(tmp_path / "gap.pdf"), pagesize=A4)
    x = 72.0
    for piece in ("共受理", "3119", "件，", "2024", "年"):
        canvas.setFont(font, 12)
        canvas.drawString(x, 700, piece)
        x += canvas.stringWidth(piece, font, 12) + 4  # a Word autospace gap
    canvas.save()

    blocks = read_document(tmp_path / "gap.pdf").blocks

    assert [b.text for b in blocks] == ["共受理3119件，2024年"]


def test_fake_bold_duplicates_are_dropped_and_marked_bold(tmp_path: Path) -> None:
    doc = ReportPdf(header=None, page_numbers=False)
    doc.heading("微软公司", bold=True)
    doc.paragraph("正文不加粗。")
    path = doc.save(tmp_path / "bold.pdf")

    blocks = read_document(path).blocks

    assert [(b.text, b.bold) for b in blocks] == [
        ("微软公司", True),
        ("正文不加粗。", False),
    ]
    with pdfplumber.open(path) as pdf:  # the fixture really prints each glyph twice
        assert [c["text"] for c in pdf.pages[0].chars].count("微") == 2


def test_garbage_and_image_pages_need_ocr(tmp_path: Path) -> None:
    font = register_cjk_font()
    path = tmp_path / "mixed.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setFont(font, 12)
    canvas.drawString(72, 700, "一、总体情况")
    canvas.showPage()
    # GBK bytes read as Latin-1: what a PDF with a broken font encoding yields.
    mojibake = "一、总体情况 二、主动公开".encode("gbk").decode("latin-1")
    canvas.setFont("Helvetica", 12)
    for i in range(6):
        canvas.drawString(72, 700 - 20 * i, mojibake)
    canvas.showPage()
    scan = Image.new("L", (800, 1100), 255)
    canvas.drawImage(ImageReader(scan), 0, 0, width=A4[0], height=A4[1])
    canvas.showPage()
    canvas.save()

    # OCR off: the detection itself (with OCR on, these pages are read by
    # extractors/readers/scan.py; see tests/readers/test_scan.py).
    document = read_document(path, ReaderOptions(do_ocr=False))

    assert [(w.code, w.page) for w in document.warnings] == [
        ("needs_ocr", 2),
        ("needs_ocr", 3),
    ]
    assert [b.text for b in document.blocks] == ["一、总体情况"]
    assert document.source.pages == 3


def test_garbage_reason_spots_unmapped_and_private_use_glyphs() -> None:
    def chars(texts: list[str]) -> list[dict[str, object]]:
        return [{"text": t} for t in texts]

    assert garbage_reason(chars(["(cid:12)"] * 30 + ["政"] * 30)) is not None
    assert garbage_reason(chars(["\ue01a"] * 20 + ["政"] * 20)) is not None
    assert garbage_reason(chars(["(cid:3)"] + ["政"] * 50)) is None
    assert garbage_reason(chars(list("政府信息公开工作年度报告"))) is None


def _tiny_pdf(path: Path, pages: int = 1, password: str | None = None) -> Path:
    font = register_cjk_font()
    encrypt = (
        StandardEncryption(password, ownerPassword="owner")
        if password is not None
        else None
    )
    canvas = Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for n in range(pages):
        canvas.setFont(font, 12)
        canvas.drawString(72, 700, f"第{n + 1}页正文")
        canvas.showPage()
    canvas.save()
    return path


def test_encrypted_pdf_needing_a_password_is_rejected(tmp_path: Path) -> None:
    path = _tiny_pdf(tmp_path / "locked.pdf", password="secret")

    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)

    assert caught.value.code is ErrorCode.ENCRYPTED


def test_encrypted_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = _tiny_pdf(tmp_path / "owner-only.pdf", password="")

    document = read_document(path)

    assert [b.text for b in document.blocks] == ["第1页正文"]


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_broken_pdf_is_corrupt(tmp_path: Path, damage: str) -> None:
    good = _tiny_pdf(tmp_path / "good.pdf").read_bytes()
    broken = (
        good[:200] if damage == "truncated" else b"%PDF-1.7\n" + bytes(range(256)) * 8
    )
    path = tmp_path / "broken.pdf"
    path.write_bytes(broken)

    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)

    assert caught.value.code is ErrorCode.CORRUPT
    assert caught.value.message


def test_more_pages_than_allowed_is_too_large(tmp_path: Path) -> None:
    path = _tiny_pdf(tmp_path / "long.pdf", pages=3)

    with pytest.raises(DocumentLoadError) as caught:
        read_document(path, ReaderOptions(max_pages=2))

    assert caught.value.code is ErrorCode.TOO_LARGE
    assert read_document(path, ReaderOptions(max_pages=3)).source.pages == 3


@pytest.fixture
def table4_pdf(tmp_path: Path) -> Path:
    made = make_report("2021", "2021", seed=4)
    doc = ReportPdf(header=None)
    doc.heading("四、政府信息公开行政复议、行政诉讼情况")
    doc.table(review_litigation_rows(made.review_litigation), REVIEW_WIDTHS, size=8)
    return doc.save(tmp_path / "t4.pdf")


def _plumber_fragment(path: Path) -> tuple[list[Box], list[Char], float]:
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        found = page.find_tables()[0]
        boxes = [
            (float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in found.cells
        ]
        return boxes, list(page.chars), float(page.height)


def test_camelot_lattice_reads_the_same_grid(table4_pdf: Path) -> None:
    boxes, chars, height = _plumber_fragment(table4_pdf)
    plumber = boxes_to_fragment(boxes, chars, 1, PDFPLUMBER_ENGINE)

    found = find_camelot_boxes(table4_pdf.read_bytes(), [1], {1: height})
    camelot = boxes_to_fragment(found[1][0], chars, 1, CAMELOT_ENGINE)

    assert plumber is not None and camelot is not None
    assert (
        (camelot.n_rows, camelot.n_cols) == (plumber.n_rows, plumber.n_cols) == (4, 15)
    )
    as_grid = [
        sorted((c.row, c.col, c.row_span, c.col_span, c.text) for c in f.cells)
        for f in (plumber, camelot)
    ]
    assert as_grid[0] == as_grid[1]


def test_weak_pdfplumber_grid_gives_way_to_camelot(table4_pdf: Path) -> None:
    boxes, chars, height = _plumber_fragment(table4_pdf)
    # A grid with a missing cell box: what pdfplumber returns when a border is broken.
    holed = boxes_to_fragment(boxes[:-1], chars, 1, PDFPLUMBER_ENGINE)
    found = find_camelot_boxes(table4_pdf.read_bytes(), [1], {1: height})
    camelot = [boxes_to_fragment(b, chars, 1, CAMELOT_ENGINE) for b in found[1]]

    assert holed is not None and holed.is_weak()
    chosen = choose_fragments([holed], [f for f in camelot if f is not None])

    assert [f.engine for f in chosen] == [CAMELOT_ENGINE]
    assert chosen[0].holes == 0


def test_real_sample_szfgs2024_values_and_structure() -> None:
    path = SAMPLES / "szfgs2024.pdf"
    key = answer_key("szfgs2024")

    document = read_document(path)
    report = extract(path)

    assert [t.pages for t in document.tables] == [[3, 4], [4, 5], [5]]
    requests = document.tables[1]
    assert cell_with(requests, "（四）无法提供")[2] == 3
    assert report.active_disclosure == key["active_disclosure"]
    assert report.requests == key["requests"]
    assert report.review_litigation == key["review_litigation"]
    # The shaded paragraph （五） on p3 is framed by white rects: text, not a table.
    assert any(
        b.text.startswith("（五）政府信息公开监督保障情况。") for b in document.blocks
    )
    assert not any(b.text.startswith("- ") for b in document.blocks)
    assert document.source.pages == 6 and document.warnings == []


def test_text_sample_figures_laid_out_as_pdf_read_the_same(tmp_path: Path) -> None:
    text_report = extract(SAMPLES / "000_e67d0018f5985882.txt")
    made = MadeUpReport(
        issuer="鞍山市人民政府",
        region="鞍山市",
        year=2019,
        active_template="2019",
        requests_template="2019",
        active_disclosure=text_report.active_disclosure,
        requests=text_report.requests,
        review_litigation=text_report.review_litigation,
    )
    path = made_up_to_pdf(
        made, tmp_path / "anshan.pdf", requests_break_before=frozenset({20})
    )

    pdf_report = extract(path)

    assert pdf_report.active_disclosure == text_report.active_disclosure
    assert pdf_report.requests == text_report.requests
    assert pdf_report.review_litigation == text_report.review_litigation
    assert pdf_report.review_litigation["litigation_after_review"]["corrected"] is None


def test_page_numbers_in_the_footer_only_are_dropped(tmp_path: Path) -> None:
    doc = ReportPdf(header=None, page_numbers=True)
    doc.paragraph("正文第一段。")
    doc.new_page()
    doc.paragraph("正文第二段。")
    path = doc.save(tmp_path / "numbers.pdf")

    document = read_document(path)

    assert [(b.text, b.page) for b in document.blocks] == [
        ("正文第一段。", 1),
        ("正文第二段。", 2),
    ]


def test_repeated_header_on_the_next_page_is_dropped(tmp_path: Path) -> None:
    header = ["项目", "本年制发件数", "本年废止件数", "现行有效件数"]
    rows = [[f"第{i}项", str(i), str(2 * i), str(3 * i)] for i in range(1, 7)]
    doc = ReportPdf(header=None)
    doc.heading("二、主动公开政府信息情况")
    doc.y = 640  # the first part ends at the foot of page 1
    doc.table([header, *rows[:3]], (150.0, 100.0, 100.0, 100.0))
    doc.new_page()
    doc.table([header, *rows[3:]], (150.0, 100.0, 100.0, 100.0))
    path = doc.save(tmp_path / "repeat.pdf")

    tables = read_document(path).tables

    assert len(tables) == 1
    assert tables[0].pages == [1, 2]
    assert tables[0].grid() == [header, *rows]


def test_table_ruled_by_an_image_is_read_by_camelot(tmp_path: Path) -> None:
    """pdfplumber sees no lines when the grid is a picture; camelot renders and does."""
    font = register_cjk_font()
    rows = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"],
        ["合计", "9", "26", "77"],
    ]
    widths, height, left, top, scale = [150, 100, 100, 100], 24, 72, 150, 4
    grid = Image.new("L", (sum(widths) * scale, len(rows) * height * scale), 255)
    draw = ImageDraw.Draw(grid)
    xs = [sum(widths[:i]) for i in range(len(widths) + 1)]
    for x in xs:
        draw.line([(x * scale, 0), (x * scale, grid.height)], fill=0, width=4)
    for r in range(len(rows) + 1):
        y = r * height * scale
        draw.line([(0, y), (grid.width, y)], fill=0, width=4)
    path = tmp_path / "image-grid.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    page_h = A4[1]
    canvas.drawImage(
        ImageReader(grid),
        left,
        page_h - top - len(rows) * height,
        width=sum(widths),
        height=len(rows) * height,
    )
    canvas.setFont(font, 10)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            centre = left + (xs[c] + xs[c + 1]) / 2
            canvas.drawCentredString(centre, page_h - top - r * height - 16, text)
    canvas.save()

    document = read_document(path)

    assert [t.engine for t in document.tables] == [CAMELOT_ENGINE]
    assert document.tables[0].grid() == rows
    assert document.blocks == []


def test_kangxi_radical_lookalikes_read_as_ideographs(tmp_path: Path) -> None:
    """WPS exports map 一/二 to Kangxi radicals ⼀/⼆ (U+2F00, U+2F06)."""
    doc = ReportPdf(header=None, page_numbers=False)
    doc.heading("\u2f00、总体情况", bold=False)
    doc.paragraph("第\u2f06⼗条规定。")
    path = doc.save(tmp_path / "radicals.pdf")

    blocks = read_document(path).blocks

    assert [b.text for b in blocks] == ["一、总体情况", "第二十条规定。"]


def test_debug_view_draws_the_page(tmp_path: Path) -> None:
    out = draw_page(SAMPLES / "szfgs2024.pdf", 4, tmp_path / "p4.png", resolution=50)

    with Image.open(out) as image:
        assert abs(image.size[0] - 595 * 50 / 72) < 1.5
        assert abs(image.size[1] - 842 * 50 / 72) < 1.5
        # Red cell outlines are drawn where the tables are.
        counts = dict((c, n) for n, c in image.convert("RGB").getcolors(1 << 20) or [])
        assert counts.get((220, 30, 30), 0) > 1000


def test_blank_row_starting_a_page_stays_its_own_row(tmp_path: Path) -> None:
    """A row with blank figures at the top of a page is not the rest of the row above."""
    made = make_report("2021", "2021", seed=6)
    made.active_disclosure["administrative_coercion"]["decisions"] = None
    doc = ReportPdf(header=None)
    doc.heading("二、主动公开政府信息情况")
    rows = active_disclosure_rows("2021", made.active_disclosure)
    coercion = next(i for i, row in enumerate(rows) if row[0] == "行政强制")
    doc.table(rows, ACTIVE_WIDTHS, break_before=frozenset({coercion}))
    path = doc.save(tmp_path / "blank-row.pdf")

    (table,) = read_document(path).tables
    report = extract(path)

    assert table.pages == [1, 2]
    assert [c.text for c in table.row_cells(coercion)] == ["行政强制", ""]
    assert report.active_disclosure == made.active_disclosure


@pytest.fixture(scope="module")
def office_pdfs(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[MadeUpReport, Path]]:
    """Reports written as .docx and printed to PDF by LibreOffice (a real office suite).

    LibreOffice, like Word, lets a table row break across pages: a long label goes on
    in the same cell on the next page ('8.属' / '于行政查询事项').
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (libreoffice-writer, scripts/apt-packages.txt) is missing"
        )
    folder = tmp_path_factory.mktemp("office")
    made = [
        make_report(active, requests, seed=20 + i)
        for i, (active, requests) in enumerate(
            [("2019", "2019"), ("2021", "2021"), ("2021", "2019")]
        )
    ]
    docs = [to_docx(m, folder / f"r{i}.docx") for i, m in enumerate(made)]
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, docs),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [(m, d.with_suffix(".pdf")) for m, d in zip(made, docs, strict=True)]


def test_office_suite_pdfs_with_rows_split_across_pages(
    office_pdfs: list[tuple[MadeUpReport, Path]],
) -> None:
    for made, path in office_pdfs:
        document = read_document(path)
        report = extract(path)

        assert_values(report, made)
        table = requests_table(document)
        assert len(table.pages) >= 2
        labels = {c.text for c in table.cells}
        assert "8.属于行政查询事项" in labels
        assert not any(c.text and c.text[0] == "于" for c in table.cells)


def test_framed_paragraph_is_text_not_a_table(tmp_path: Path) -> None:
    """A paragraph in a bordered box (one box per line, as Word draws borders)."""
    font = register_cjk_font()
    path = tmp_path / "framed.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    lines = [
        "（五）监督保障情况。全年组织4次政府信息公开栏目全",
        "覆盖检查，及时督促整改。",
    ]
    for i, text in enumerate(lines):
        top = 100 + 24 * i
        canvas.rect(72, A4[1] - top - 24, 450, 24, stroke=1, fill=0)
        x = 72 if i else 100
        obj = canvas.beginText(x, A4[1] - top - 18)
        obj.setFont(font, 14)
        if i == 0:  # justified: the first line runs to the right margin
            spare = 522 - x - canvas.stringWidth(text, font, 14)
            obj.setCharSpace(spare / (len(text) - 1))
        obj.textOut(text)
        canvas.drawText(obj)
    canvas.save()

    document = read_document(path)

    assert document.tables == []
    assert [b.text for b in document.blocks] == ["".join(lines)]


# Table 3 fits one page in 8 pt type when every table starts a page of its own.
ONE_PAGE_TABLES = {"tables_on_new_page": True, "table_size": 8.0}


@pytest.mark.parametrize("split", [False, True], ids=["one-page", "split"])
@pytest.mark.parametrize("year", ["2019", "2021"])
@pytest.mark.parametrize("rules", ["none", "three_line"])
def test_borderless_and_three_line_tables_read_every_value(
    tmp_path: Path, rules: str, year: str, split: bool
) -> None:
    made = make_report(year, year, seed=11)
    # Split: tables flow on from the text and break over pages, table 3 inside
    # （四）无法提供; the rest of a table goes on without a header.
    path = made_up_to_pdf(
        made,
        tmp_path / "report.pdf",
        drawing={"rules": rules} if split else {"rules": rules, **ONE_PAGE_TABLES},
        requests_break_before=SPLIT_INSIDE_UNABLE if split else frozenset(),
    )

    document = read_document(path)
    report = extract(path)

    assert [t.engine for t in document.tables] == [UNRULED_ENGINE] * 3
    assert len(requests_table(document).pages) == (2 if split else 1)
    for table in document.tables:
        covered = [
            (r, c)
            for cell in table.cells
            for r in range(cell.row, cell.row + cell.row_span)
            for c in range(cell.col, cell.col + cell.col_span)
        ]
        assert sorted(covered) == [
            (r, c) for r in range(table.n_rows) for c in range(table.n_cols)
        ]
    assert_values(report, made)
    assert report.status is Status.SUCCESS


def test_merged_group_label_of_a_borderless_table_spans_its_rows(
    tmp_path: Path,
) -> None:
    made = make_report("2021", "2021", seed=11)
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", drawing={"rules": "none", **ONE_PAGE_TABLES}
    )

    table = requests_table(read_document(path))

    # Printed once, centred beside its five sub-rows (as Word prints a merged cell).
    group = next(c for c in table.cells if c.text == "（五）不予处理")
    subs = [c for c in table.cells if c.text.startswith(("1.信访", "5.要求行政机关"))]
    assert group.row == subs[0].row
    assert group.row + group.row_span == subs[1].row + 1
    wrapped = next(c for c in table.cells if c.text.startswith("3.危及"))
    assert wrapped.text == "3.危及“三安全一稳定”"


@pytest.mark.parametrize(
    ("year", "drawing"),
    [
        ("2021", {"landscape_tables": frozenset({1})}),
        ("2019", {"landscape_tables": frozenset({1}), "turn": 90}),
        ("2021", {"landscape_tables": frozenset({1}), "turn": 270}),
        (
            "2019",
            {
                "landscape_tables": frozenset({1}),
                "turn": 90,
                "show_turned_upright": False,
            },
        ),
        ("2021", {"rotation": 90}),
        ("2019", {"rotation": 270}),
    ],
    ids=[
        "landscape-page",
        "turned-90-rotate-90",
        "turned-270-rotate-270",
        "turned-90-no-rotate",
        "rotate-90-upright-content",
        "rotate-270-upright-content",
    ],
)
def test_landscape_and_rotated_pages_read_upright(
    tmp_path: Path, year: str, drawing: dict[str, object]
) -> None:
    made = make_report(year, year, seed=5)
    path = made_up_to_pdf(made, tmp_path / "report.pdf", drawing=drawing)

    report = extract(path)

    assert_values(report, made)
    assert report.status is Status.SUCCESS
    with pdfplumber.open(path) as pdf:
        rotations = {int(page.rotation) for page in pdf.pages}
    expected = {drawing.get("rotation", 0)}
    if drawing.get("turn") and drawing.get("show_turned_upright", True):
        expected.add(drawing["turn"])
    assert rotations == expected


@pytest.mark.parametrize("year", ["2019", "2021"])
def test_two_column_narrative_reads_column_by_column(tmp_path: Path, year: str) -> None:
    made = make_report(year, year, seed=3)
    path = made_up_to_pdf(
        made, tmp_path / "report.pdf", drawing={"narrative_columns": 2}
    )
    texts = narrative(made)
    paragraphs = [f"{sub}。{texts.get(cat, '')}" for sub, cat in made.level2]

    document = read_document(path)
    report = extract(path)

    blocks = [b.text for b in document.blocks]
    # Every paragraph whole (one runs on from the foot of the left column to the head
    # of the right one), in order, and the heading after the columns after them.
    found = [blocks.index(p) for p in paragraphs]
    assert found == sorted(found)
    next_heading = made.level1[1][0]
    assert blocks.index(next_heading) > found[-1]
    assert [s.heading for s in report.sections if s.level == 2] == [
        sub for sub, _ in made.level2
    ]
    assert_values(report, made)
    assert report.status is Status.SUCCESS
