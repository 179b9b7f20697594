"""Scanned reports: image files and scanned PDF pages read by OCR.

Made-up reports in both template formats are laid out as PDFs, rendered at 150 dpi and
degraded (rotation up to ±1.5°, blur, noise, JPEG artifacts), then read back. Every
table cell must come back exact, or else be flagged: no silent errors.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import source_info
from pdf_factory import made_up_to_pdf
from PIL import Image
from report_factory import REVIEW_FIELDS, REVIEW_GROUPS, MadeUpReport, make_report
from scan_factory import (
    TABLES,
    Degradation,
    cell_outcomes,
    degrade,
    erase_rules,
    render_pages,
    replace_page,
    save_images_pdf,
    scan_pages,
    scan_pdf,
)

from extractors.document import (
    Document,
    InputFormat,
    Table,
    TableCell,
    TextBlock,
)
from extractors.errors import DocumentLoadError
from extractors.ocr.engine import NUMERIC_GLYPHS, decode_numeric
from extractors.ocr.grid import ink_to_rules, rules_to_grids
from extractors.ocr.layout import pages_to_items
from extractors.ocr.lines import Box
from extractors.ocr.page import OcrLine, PageOcr
from extractors.ocr.prepare import (
    find_keystone,
    find_skew,
    image_to_ink,
    level_keystone,
)
from extractors.options import OcrOptions, ReaderOptions
from extractors.pipeline import build_report, extract
from extractors.readers import read_document
from extractors.readers.scan import ImageReader
from extractors.report import Report
from extractors.template.mapper import Label, map_tables, match_row
from extractors.template.specs import SPECS, TableKind, TemplateVersion

# The accuracy the OCR path must reach on the degraded corpus (share of cells exact).
MIN_CELL_ACCURACY = 0.995


@dataclass
class Scanned:
    """A made-up report, its scanned file and what the pipeline read from it."""

    made: MadeUpReport
    path: Path
    report: Report


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Scanned]:
    """Both formats and a mixed report as multi-page TIFF scans, read once per module."""
    folder = tmp_path_factory.mktemp("scans")
    out = []
    for active, requests, seed in (
        ("2019", "2019", 11),
        ("2021", "2021", 12),
        ("2021", "2019", 13),
    ):
        made = make_report(active, requests, seed=seed)
        pdf = made_up_to_pdf(made, folder / f"{seed}.pdf")
        pages = scan_pdf(pdf, random.Random(seed))
        tiff = folder / f"{seed}.tif"
        pages[0].save(tiff, save_all=True, append_images=pages[1:], dpi=(150, 150))
        out.append(Scanned(made, tiff, extract(tiff)))
    return out


def _cell_outcomes(scan: Scanned) -> list[tuple[str, bool, bool]]:
    return cell_outcomes(scan.made, scan.report)


def test_scanned_cells_exact_and_no_silent_errors(corpus: list[Scanned]) -> None:
    outcomes = [o for scan in corpus for o in _cell_outcomes(scan)]
    exact = sum(1 for _, ok, _ in outcomes if ok)
    assert exact / len(outcomes) >= MIN_CELL_ACCURACY, [o for o in outcomes if not o[1]]
    silent = [scope for scope, ok, flagged in outcomes if not ok and not flagged]
    assert silent == []


def test_scanned_report_source_and_provenance(corpus: list[Scanned]) -> None:
    for scan in corpus:
        report = scan.report
        assert report.source.ocr and report.source.pages == 3
        assert report.report.template == scan.made.template
        ocr_cells = [c for c in report.cells if c.confidence is not None]
        assert len(ocr_cells) == len(report.cells) > 150
        assert all(c.page is not None and c.bbox is not None for c in report.cells)


def test_scanned_level1_headings(corpus: list[Scanned]) -> None:
    for scan in corpus:
        level1 = [s.category for s in scan.report.sections if s.level == 1]
        assert level1 == [category for _, category in scan.made.level1]


@pytest.fixture(scope="module")
def last_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[MadeUpReport, Path]:
    """A 2019 report's text PDF; its last page holds table 4."""
    folder = tmp_path_factory.mktemp("pages")
    made = make_report("2019", "2019", seed=21)
    return made, made_up_to_pdf(made, folder / "report.pdf")


@pytest.mark.parametrize(("turn", "suffix"), [(180, ".png"), (90, ".jpg")])
def test_turned_page_image_is_read_upright(
    last_page: tuple[MadeUpReport, Path], tmp_path: Path, turn: int, suffix: str
) -> None:
    made, pdf = last_page
    page = scan_pdf(pdf, random.Random(turn))[-1].rotate(turn, expand=True)
    path = tmp_path / f"page{suffix}"
    page.save(path)
    document = read_document(path)
    assert document.source.format is InputFormat.IMAGE and document.source.ocr
    assert document.source.media_type == (
        "image/png" if suffix == ".png" else "image/jpeg"
    )
    notes = [w.message for w in document.warnings if w.code == "ocr_page"]
    assert len(notes) == 1 and "turned" in notes[0]
    report = extract(path)
    assert report.review_litigation == made.review_litigation


def test_pdf_with_one_scanned_page(
    last_page: tuple[MadeUpReport, Path], tmp_path: Path
) -> None:
    made, pdf = last_page
    scanned = save_images_pdf(scan_pdf(pdf, random.Random(5)), tmp_path / "scan.pdf")
    mixed = replace_page(pdf, scanned, 2, tmp_path / "mixed.pdf")
    document = read_document(mixed)
    assert document.source.ocr
    assert [w.page for w in document.warnings if w.code == "ocr_page"] == [3]
    assert not [w for w in document.warnings if w.code == "needs_ocr"]
    report = extract(mixed)
    assert report.review_litigation == made.review_litigation
    assert report.requests == made.requests  # pages 1-2 on the text path, page 3 OCR'd
    assert report.active_disclosure == made.active_disclosure


def test_fully_scanned_pdf(
    last_page: tuple[MadeUpReport, Path], tmp_path: Path
) -> None:
    made, pdf = last_page
    scanned = save_images_pdf(scan_pdf(pdf, random.Random(6)), tmp_path / "scan.pdf")
    report = extract(scanned)
    assert report.source.ocr and report.source.pages == 3
    assert [w.page for w in report.warnings if w.code == "ocr_page"] == [1, 2, 3]
    # Values OCR read with low confidence are named, and keep the status from success.
    doubtful = [w.where for w in report.warnings if w.code == "low_confidence"]
    assert [e.code for e in report.errors] == (["low_confidence"] if doubtful else [])
    assert report.status.value == ("partial_success" if doubtful else "success")
    for table in TABLES:
        assert getattr(report, table) == getattr(made, table)


def test_ocr_switched_off_reports_needs_ocr(
    last_page: tuple[MadeUpReport, Path], tmp_path: Path
) -> None:
    _, pdf = last_page
    path = tmp_path / "page.png"
    render_pages(pdf)[-1].save(path)
    document = read_document(path, ReaderOptions(do_ocr=False))
    assert [w.code for w in document.warnings] == ["needs_ocr"]
    assert not document.source.ocr and not document.tables


def test_broken_image_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)
    assert caught.value.code.value == "corrupt"


def test_ocr_options_reject_bad_dpi() -> None:
    with pytest.raises(ValueError, match="dpi"):
        OcrOptions(dpi=20)
    assert ReaderOptions.resolve({"ocr_options": {"dpi": 300}}).ocr_options.dpi == 300


@pytest.mark.parametrize("angle", [-2.5, -1.2, 0.0, 0.7, 2.0])
def test_find_skew(angle: float) -> None:
    page = Image.new("L", (1200, 1600), 255)
    pixels = np.asarray(page).copy()
    for y in range(200, 1400, 40):
        pixels[y : y + 3, 150:1050] = 0  # ruled lines
    turned = np.asarray(Image.fromarray(pixels).rotate(angle, fillcolor=255))
    assert find_skew(image_to_ink(turned, 150)) == pytest.approx(angle, abs=0.1)


def test_grid_with_merged_cells() -> None:
    pixels = np.full((600, 900), 255, dtype=np.uint8)
    rows, cols = [100, 160, 220, 280, 340], [100, 300, 500, 700]
    for y in rows:
        pixels[y : y + 2, 100:702] = 0
    for x in cols:
        pixels[100:342, x : x + 2] = 0
    pixels[163:218, 300:302] = 255  # row 1: columns 0-1 merged
    pixels[160:162, 503:699] = 255  # column 2: rows 0-1 merged
    grids = rules_to_grids(*ink_to_rules(image_to_ink(pixels, 150), 150), 150)
    assert len(grids) == 1
    grid = grids[0]
    assert (grid.n_rows, grid.n_cols) == (4, 3)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}
    assert spans[(1, 0)] == (1, 2)
    assert spans[(0, 2)] == (2, 1)
    assert len(grid.cells) == 4 * 3 - 2


def test_numeric_decoding_pools_look_alikes() -> None:
    outputs = list(NUMERIC_GLYPHS)
    blank, other = 0, len(outputs) + 1
    steps = np.zeros((5, len(outputs) + 2), dtype=np.float32)
    steps[0, outputs.index("1") + 1] = 0.9
    steps[1, blank] = 1.0
    steps[2, outputs.index("0") + 1] = 0.6  # o and O pooled into 0
    steps[3, outputs.index("0") + 1] = 0.8
    steps[4, blank] = 1.0
    steps[:, other] = 1.0 - steps.sum(axis=1)
    assert decode_numeric(steps, outputs) == ("10", pytest.approx(0.8))
    steps[2] = 0.0
    steps[2, other] = 0.7
    steps[2, blank] = 0.3
    assert decode_numeric(steps, outputs)[0] is None


def test_low_confidence_cell_is_flagged_and_gets_a_suggestion() -> None:
    rows = [
        ["行政复议", "", "", "", "", "行政诉讼"],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"],
    ]
    cells = [
        TableCell(row=r, col=c, text=t, confidence=0.99)
        for r, row in enumerate(rows)
        for c, t in enumerate(row)
    ]
    # 结果维持 1 + 结果纠正 2 + 其他结果 (printed 3, misread 8) + 尚未审结 4 = 总计 10.
    figures = ["1", "2", "8", "4", "10", *(["0"] * 10)]
    cells += [
        TableCell(row=2, col=c, text=t, confidence=0.41 if c == 2 else 0.99)
        for c, t in enumerate(figures)
    ]
    table = Table(order=0, n_rows=3, n_cols=15, cells=cells, engine="ocr")
    source = source_info(InputFormat.IMAGE, "x.png")
    mapped = map_tables(Document(source=source, tables=[table]))
    low = [w for w in mapped.warnings if w.code == "low_confidence"]
    assert [w.where for w in low] == ["review_litigation.review.other"]
    assert mapped.doubtful == ["review_litigation.review.other"]
    report = build_report(Document(source=source, tables=[table]))
    assert report.review_litigation["review"]["other"] == 8  # never overwritten
    assert [(s.scope, s.value) for s in report.suggestions] == [
        ("review_litigation.review.other", 3)
    ]


def test_table_rules_survive_degradation(last_page: tuple[MadeUpReport, Path]) -> None:
    _, pdf = last_page
    page = np.asarray(scan_pdf(pdf, random.Random(3))[-1])
    ink = image_to_ink(page, 150)
    skew = find_skew(ink)
    level = cv2.warpAffine(
        page,
        cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), -skew, 1.0),
        (page.shape[1], page.shape[0]),
        borderValue=255,
    )
    grids = rules_to_grids(*ink_to_rules(image_to_ink(level, 150), 150), 150)
    assert [(g.n_rows, g.n_cols) for g in grids][-1] == (4, 15)  # table 4


def test_ocr_label_one_character_off_still_names_its_row() -> None:
    spec = SPECS[TableKind.REQUESTS][TemplateVersion.V2021]
    misread = [Label.of("（四）无法提供"), Label.of("2.没有现成信息需要男行制作")]
    assert match_row(spec, misread) is None  # text layers are matched exactly
    row = match_row(spec, misread, near=True)
    assert row is not None and row.key == "unable.needs_creation"


def test_running_lines_dropped_and_a_high_title_kept() -> None:
    def line(text: str, top: int, margin: bool) -> OcrLine:
        return OcrLine(Box(100, top, 900, top + 25), text, 0.99, margin)

    pages = [
        PageOcr(
            1, 150.0, 1754, [line("某某区2022年政府信息公开工作年度报告", 60, True)]
        ),
        PageOcr(2, 150.0, 1754, []),
    ]
    for page in pages:
        page.lines += [
            line("政府信息公开专栏", 20, True),
            line("一、总体情况", 400, False),
            line(f"- {page.number} -", 1700, True),
        ]
    texts = [i.text for i in pages_to_items(pages) if isinstance(i, TextBlock)]
    assert texts == [
        "某某区2022年政府信息公开工作年度报告",
        "一、总体情况",
        "一、总体情况",
    ]
    dropped = pages_to_items(pages, drop_margins=True)
    assert [i.text for i in dropped if isinstance(i, TextBlock)] == ["一、总体情况"] * 2


# --- tables without rules, seals, pages photographed askew (issue 15) ---------------

# Share of cells read exact on whole reports scanned without table rules, page breaks
# inside their tables (issue 15's goal); every cell not read exact must be flagged.
MIN_UNRULED_ACCURACY = 0.995


def _scan_report(
    made: MadeUpReport,
    folder: Path,
    seed: int,
    *,
    rules: bool,
    perspective: float,
    breaks: dict[str, frozenset[int]] | None = None,
) -> Path:
    pdf = made_up_to_pdf(made, folder / f"{seed}.pdf", **(breaks or {}))
    pages = render_pages(pdf)
    if not rules:
        pages = erase_rules(pdf)
    how = Degradation(perspective=perspective)
    scanned = scan_pages(pages, random.Random(seed), how)
    tiff = folder / f"{seed}.tif"
    scanned[0].save(tiff, save_all=True, append_images=scanned[1:], dpi=(150, 150))
    return tiff


# Where the page breaks fall in the reports scanned without rules. 2019, as laid out:
# table 2's last row (政府集中采购, a label and two figures) alone at the top of page 2.
# 2019 with table 3 broken after its first header row: table 4's two group-header rows
# end page 3, its column words and figures open page 4. 2021 with table 2's last row
# (行政事业性收费, one figure) alone at the top of page 2. 2019 with table 3's whole
# header ending page 2: its column words over narrow columns run together for the
# detector. 2021 as laid out: a label of table 3 wrapped over four lines, its last
# line nearer the next row's figures than its own.
UNRULED_CASES: tuple[tuple[str, int, dict[str, frozenset[int]]], ...] = (
    ("2019", 11, {}),
    ("2021", 12, {}),
    ("2019", 13, {"requests_break_before": frozenset({1})}),
    ("2021", 14, {"active_break_before": frozenset({13})}),
    ("2019", 31, {"requests_break_before": frozenset({3})}),
    ("2021", 31, {}),
)


@pytest.fixture(scope="module")
def unruled(tmp_path_factory: pytest.TempPathFactory) -> list[Scanned]:
    """Both formats printed without table rules, scanned slightly askew."""
    out = []
    for template, seed, breaks in UNRULED_CASES:
        made = make_report(template, template, seed=seed)
        # A folder a case: the scan is named by its seed.
        folder = tmp_path_factory.mktemp(f"unruled{template}")
        path = _scan_report(
            made, folder, seed, rules=False, perspective=0.008, breaks=breaks
        )
        out.append(Scanned(made, path, extract(path)))
    return out


def test_tables_without_rules_are_read_and_no_error_is_silent(
    unruled: list[Scanned],
) -> None:
    outcomes = [o for scan in unruled for o in _cell_outcomes(scan)]
    exact = sum(1 for _, ok, _ in outcomes if ok)
    assert len(outcomes) > 750
    assert exact / len(outcomes) >= MIN_UNRULED_ACCURACY, [
        o for o in outcomes if not o[1]
    ]
    assert [scope for scope, ok, flagged in outcomes if not ok and not flagged] == []
    for scan in unruled:
        assert scan.report.review_litigation == scan.made.review_litigation
        assert not [w for w in scan.report.warnings if w.code == "table_not_found"]


def test_unruled_table_cut_by_a_page_break_is_joined(unruled: list[Scanned]) -> None:
    lone_two, _, header_split, lone_one, _, _ = unruled
    # A lone row at the top of the next page: its figures on their columns.
    for scan in (lone_two, lone_one):
        assert scan.report.active_disclosure == scan.made.active_disclosure
        assert not [w for w in scan.report.warnings if w.code == "missing_row"]
    document = read_document(lone_two.path)
    first = next(t for t in document.tables if any("规章" in c.text for c in t.cells))
    assert first.pages == [1, 2]
    procurement = next(
        r for r in first.rows_of_cells().values() if r[0].text == "政府集中采购"
    )
    assert {c.page for c in procurement} == {2}
    # The break inside table 4's header: the group words on page 3 head page 4's rows.
    assert header_split.report.review_litigation == header_split.made.review_litigation
    document = read_document(header_split.path)
    review = next(t for t in document.tables if t.n_cols == 15)
    assert review.pages == [3, 4]
    pages_of = {c.text: c.page for c in review.cells if c.text}
    assert pages_of["行政复议"] == 3 and pages_of["复议后起诉"] == 3
    figures = [c for c in review.cells if c.row == review.n_rows - 1]
    assert {c.page for c in figures} == {4}


def test_unruled_header_words_and_wrapped_labels_go_to_their_cells(
    unruled: list[Scanned],
) -> None:
    header_alone, wrapped = unruled[4:]
    for scan in (header_alone, wrapped):
        assert scan.report.requests == scan.made.requests
        assert not [w for w in scan.report.warnings if w.code == "missing_column"]
    # Each column word of table 3 on a cell of its own, over its figures.
    document = read_document(header_alone.path)
    requests = next(t for t in document.tables if t.pages == [2, 3])
    grid = requests.grid()
    words = next(row for row in grid if "自然人" in row)
    figures = next(row for row in grid if "一、本年新收政府信息公开申请数量" in row)
    received = header_alone.made.requests["new_received"]
    for word, field in (
        ("自然人", "natural_person"),
        ("科研机", "research_institution"),
        ("社会公", "social_welfare_org"),
        ("法律服", "legal_service_org"),
    ):
        assert figures[words.index(word)] == str(received[field])
    # The wrapped label's last line (开申请) stays with the first three.
    document = read_document(wrapped.path)
    labels = [c.text for t in document.tables for c in t.cells]
    assert any(t.startswith("2.申请人逾期") and t.endswith("公开申请") for t in labels)
    assert "3.其他" in labels


def test_unruled_table_prints_its_header_into_the_grid(
    last_page: tuple[MadeUpReport, Path],
) -> None:
    made, pdf = last_page
    page = degrade(erase_rules(pdf)[-1], random.Random(2), Degradation())
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    document = ImageReader(
        buffer.getvalue(), source_info(InputFormat.IMAGE, "p.png"), ReaderOptions()
    ).read()
    table = next(t for t in document.tables if t.n_cols == 15)
    texts = [c.text for c in table.cells]
    assert {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"} <= set(texts)
    figures = sorted(
        (c for c in table.cells if c.row == table.n_rows - 1), key=lambda c: c.col
    )
    printed = [
        str(made.review_litigation[g][f]) for g in REVIEW_GROUPS for f in REVIEW_FIELDS
    ]
    assert [c.text for c in figures] == printed
    assert all(c.bbox is not None and c.confidence is not None for c in figures)


def test_fanned_lines_are_levelled_by_the_keystone_step() -> None:
    pixels = np.full((1600, 1200), 255, dtype=np.uint8)
    for y in range(200, 1400, 40):
        pixels[y : y + 3, 150:1050] = 0
    # The top right corner seen 24 px higher: a line's slope falls from 1.15° at the
    # top edge to 0 at the bottom, 0.86° and 0.29° at the middles of the inked thirds.
    corners = np.array([[0, 0], [1200, 0], [1200, 1600], [0, 1600]], np.float32)
    seen = np.array([[0, 0], [1200, -24], [1200, 1600], [0, 1600]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners, seen)
    fanned = cv2.warpPerspective(pixels, matrix, (1200, 1600), borderValue=255)
    keystone = find_keystone(image_to_ink(fanned, 150))
    assert keystone is not None
    assert keystone.top_angle - keystone.bottom_angle == pytest.approx(0.57, abs=0.1)
    levelled = level_keystone(fanned, keystone)
    assert find_keystone(image_to_ink(levelled, 150)) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_page_photographed_askew_is_read(
    last_page: tuple[MadeUpReport, Path], tmp_path: Path, seed: int
) -> None:
    made, pdf = last_page
    page = render_pages(pdf)[-1]
    path = tmp_path / "askew.png"
    degrade(page, random.Random(seed), Degradation(perspective=0.012)).save(path)
    assert extract(path).review_litigation == made.review_litigation
