"""Tables without rules that a page break cuts: finding the parts, joining them, placing.

Pages are built from text boxes with known readings (no OCR), laid out the way a page
break leaves an unruled table: the header at the foot of one page and its rows on the
next, or one labelled row alone at the top of the next page, with the second page
sitting a little to the side on the scanner.
"""

from __future__ import annotations

import itertools

import numpy as np

from extractors.document import Table, TextBlock
from extractors.ocr.layout import pages_to_items
from extractors.ocr.lines import Box
from extractors.ocr.page import OcrLine, PageOcr, UnruledPart
from extractors.ocr.unruled import detect_boxes, find_unruled_tables
from extractors.ocr.unruled_grid import ReadBox, place_boxes

DPI = 150.0
HEIGHT = 1754  # an A4 page at 150 dpi
FIGURES = (500, 700, 900)  # figure column centres of a table with a label column


def _box(text: str, x: int, top: int, page: int, width: int | None = None) -> ReadBox:
    """A read box centred on ``x``, one 16-px line tall, as wide as its text."""
    w = width or (11 * len(text) if text.isascii() else 18 * len(text))
    figure = text.replace(".", "").isdigit()
    return ReadBox(Box(x - w // 2, top, x + w // 2, top + 16), text, 0.99, figure, page)


def _part(boxes: list[ReadBox], sure: bool) -> UnruledPart:
    region = Box(
        min(b.box.x0 for b in boxes),
        min(b.box.top for b in boxes),
        max(b.box.x1 for b in boxes),
        max(b.box.bottom for b in boxes),
    )
    return UnruledPart(boxes[0].page, DPI, region, tuple(boxes), sure)


def _row(
    label: str, figures: list[str], top: int, page: int, dx: int = 0
) -> list[ReadBox]:
    return [
        _box(label, 250 + dx, top, page),
        *(_box(f, x + dx, top, page) for f, x in zip(figures, FIGURES, strict=False)),
    ]


def _line(text: str, top: int, margin: bool = False) -> OcrLine:
    return OcrLine(Box(150, top, 1000, top + 20), text, 0.99, margin)


def _tables(items: list[TextBlock | Table]) -> list[Table]:
    return [i for i in items if isinstance(i, Table)]


def _texts(items: list[TextBlock | Table]) -> list[str]:
    return [i.text for i in items if isinstance(i, TextBlock)]


def _grid(table: Table) -> list[list[str]]:
    return [
        [c.text for c in sorted(cells, key=lambda c: c.col)]
        for _, cells in sorted(table.rows_of_cells().items())
    ]


def test_a_header_at_the_foot_of_a_page_heads_the_rows_on_the_next() -> None:
    # Table 4's way: two group words over two columns each, the rest on page 2.
    xs = (300, 450, 600, 750)
    header = [
        _box("行政复议", 375, 1500, 1, width=200),
        _box("行政诉讼", 675, 1500, 1, width=200),
    ]
    words = [
        _box(w, x, 200, 2)
        for w, x in zip(["维持", "纠正", "维持", "纠正"], xs, strict=True)
    ]
    figures = [
        _box(f, x, 240, 2) for f, x in zip(["3", "12", "0", "7"], xs, strict=True)
    ]
    pages = [
        PageOcr(1, DPI, HEIGHT, [_line("四、行政复议、行政诉讼情况", 1450)]),
        PageOcr(2, DPI, HEIGHT, [_line("五、存在的主要问题", 300)]),
    ]
    pages[0].parts.append(_part(header, sure=False))
    pages[1].parts.append(_part(words + figures, sure=True))
    items = pages_to_items(pages)
    [table] = _tables(items)
    assert table.pages == [1, 2]
    assert _grid(table) == [
        ["行政复议", "行政诉讼"],
        ["维持", "纠正", "维持", "纠正"],
        ["3", "12", "0", "7"],
    ]
    spans = {c.text: (c.col, c.col_span) for c in table.cells}
    assert spans["行政复议"] == (0, 2) and spans["行政诉讼"] == (2, 2)
    # Cells keep the page they were read on, at their place on it.
    seven = next(c for c in table.cells if c.text == "7")
    assert seven.page == 2 and seven.bbox is not None
    assert round(seven.bbox.top * DPI / 72) == 240
    assert _texts(items) == ["四、行政复议、行政诉讼情况", "五、存在的主要问题"]


def test_a_lone_row_at_the_top_of_a_page_continues_the_table_above() -> None:
    above = [
        *_row("规章", ["1", "2", "3"], 1300, 1),
        *_row("行政许可", ["4", "5", "6"], 1340, 1),
        # A sub-table over two merged columns: its header, then the row cut off.
        _box("采购项目数量", 500, 1380, 1),
        _box("采购总金额", 800, 1380, 1),
    ]
    # Page 2 lies 12 px further right on the scanner.
    lone = [
        _box("政府集中采购", 262, 200, 2),
        _box("792", 512, 200, 2),
        _box("37519.3", 812, 200, 2),
    ]
    pages = [PageOcr(1, DPI, HEIGHT), PageOcr(2, DPI, HEIGHT)]
    pages[0].parts.append(_part(above, sure=True))
    pages[1].parts.append(_part(lone, sure=False))
    pages[1].lines.append(_line("三、收到和处理政府信息公开申请情况", 260))
    items = pages_to_items(pages)
    [table] = _tables(items)
    assert table.pages == [1, 2]
    rows = table.rows_of_cells()
    last = {c.col: c.text for c in rows[max(rows)]}
    assert last[0] == "政府集中采购" and last[1] == "792"
    header = {c.col: c.text for c in rows[max(rows) - 1]}
    amount = next(col for col, text in last.items() if text == "37519.3")
    assert header[amount] == "采购总金额"
    assert _texts(items) == ["三、收到和处理政府信息公开申请情况"]


def test_a_heading_between_keeps_the_parts_apart() -> None:
    above = [
        *_row("规章", ["1", "2", "3"], 1300, 1),
        *_row("许可", ["4", "5", "6"], 1340, 1),
    ]
    lone = _row("政府集中采购", ["7", "8"], 260, 2)
    pages = [
        PageOcr(1, DPI, HEIGHT),
        PageOcr(2, DPI, HEIGHT, [_line("三、依申请", 200)]),
    ]
    pages[0].parts.append(_part(above, sure=True))
    pages[1].parts.append(_part(lone, sure=False))
    items = pages_to_items(pages)
    [table] = _tables(items)
    assert table.pages == [1] and table.n_rows == 2
    # The lone row is no table of its own: its text stays text, in reading order.
    assert _texts(items) == ["三、依申请", "政府集中采购", "7", "8"]


def test_a_part_with_its_own_header_is_a_table_of_its_own() -> None:
    above = [
        *_row("规章", ["1", "2", "3"], 1300, 1),
        *_row("许可", ["4", "5", "6"], 1340, 1),
    ]
    below = [
        *_row("信息内容", ["数量", "金额", "总数"], 200, 2),
        *_row("处罚", ["7", "8", "9"], 240, 2),
        *_row("强制", ["1", "0", "1"], 280, 2),
    ]
    pages = [PageOcr(1, DPI, HEIGHT), PageOcr(2, DPI, HEIGHT)]
    pages[0].parts.append(_part(above, sure=True))
    pages[1].parts.append(_part(below, sure=True))
    tables = _tables(pages_to_items(pages))
    assert [t.pages for t in tables] == [[1], [2]]


def test_figures_off_the_columns_above_do_not_join() -> None:
    above = [
        *_row("规章", ["1", "2", "3"], 1300, 1),
        *_row("许可", ["4", "5", "6"], 1340, 1),
    ]
    # Figures halfway between the columns above: another table's layout.
    lone = _row("合计", ["7", "8"], 200, 2, dx=100)
    pages = [PageOcr(1, DPI, HEIGHT), PageOcr(2, DPI, HEIGHT)]
    pages[0].parts.append(_part(above, sure=True))
    pages[1].parts.append(_part(lone, sure=False))
    items = pages_to_items(pages)
    assert [t.pages for t in _tables(items)] == [[1]]
    assert _texts(items) == ["合计", "7", "8"]


def test_a_header_alone_that_joins_nothing_is_text() -> None:
    header = [_box("申请人情况", 600, 1500, 1), _box("自然人", 400, 1530, 1)]
    header.append(_box("法人或其他组织", 700, 1530, 1))
    page = PageOcr(1, DPI, HEIGHT)
    page.parts.append(_part(header, sure=True))
    items = pages_to_items([page])
    assert _tables(items) == []
    assert "".join(_texts(items)) == "申请人情况自然人法人或其他组织"


def test_a_wrapped_label_goes_to_its_row_whole() -> None:
    # Measured on a scan: the figures stand level with the label's second line, and
    # its last line lies nearer the next row's figures than its own.
    def label(text: str, top: int) -> ReadBox:
        return ReadBox(Box(344, top, 546, top + 19), text, 0.99, False, 1)

    def figures(top: int, texts: list[str], low: int = 15) -> list[ReadBox]:
        # ``low``: how tall the last figure's ink is (a scan's boxes differ by a pixel).
        return [
            ReadBox(
                Box(x - 8, top, x + 8, top + (low if k == 2 else 15)), t, 0.99, True, 1
            )
            for k, (x, t) in enumerate(zip(FIGURES, texts, strict=True))
        ]

    boxes = [
        label("4.无正当理由大量反复申请", 1240),
        *figures(1243, ["1", "0", "26"]),
        label("1.申请人无正当理由逾期", 1290),
        *figures(1316, ["2", "2", "10"]),
        label("不补正、行政机关不再处", 1315),
        label("理其政府信息公开申请", 1338),
        label("2.申请人逾期未按收费通", 1374),
        label("知要求缴纳费用、行政机", 1399),
        # The group label left of them, centred on the group's middle row.
        ReadBox(Box(239, 1376, 322, 1396), "(六)其他", 0.99, False, 1),
        ReadBox(Box(256, 1402, 293, 1420), "处理", 0.99, False, 1),
        *figures(1413, ["0", "1", "42"], low=14),
        label("关不再处理其政府信息公", 1423),
        ReadBox(Box(418, 1447, 473, 1466), "开申请", 0.99, False, 1),
        ReadBox(Box(419, 1485, 473, 1504), "3.其他", 0.99, False, 1),
        *figures(1487, ["1", "0", "21"]),
    ]
    placed, n_rows, _ = place_boxes(boxes)
    assert n_rows == 4
    texts = {(c.row, c.col): "".join(b.text for b in c.boxes) for c in placed}
    assert texts[(2, 0)] == "(六)其他处理"
    labels = {row: text for (row, col), text in texts.items() if col == 1}
    assert labels == {
        0: "4.无正当理由大量反复申请",
        1: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        2: "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        3: "3.其他",
    }


def _ink(lines: list[list[tuple[int, int]]], tops: list[int]) -> np.ndarray:
    """A page's ink: each line a row of 20-px tall segments (x0, x1)."""
    ink = np.zeros((HEIGHT, 1240), dtype=np.uint8)
    for segments, top in zip(lines, tops, strict=True):
        for x0, x1 in segments:
            ink[top : top + 20, x0:x1] = 255
    return ink


def test_segmented_lines_at_the_page_edges_are_candidate_parts() -> None:
    paragraph = [(150, 1090)]
    row = [(200, 330), (480, 520), (680, 760)]  # a label and two figures
    page_number = [(600, 640)]
    lines = [page_number, row, paragraph, paragraph, row, paragraph, row, page_number]
    tops = [60, 220, 300, 345, 400, 460, 1550, 1680]
    regions = find_unruled_tables(_ink(lines, tops), DPI, margin=140)
    # The rows opening and closing the page body may continue a table over a page
    # break; the one between paragraphs is text with gaps.
    assert [(r.box.top, r.sure) for r in regions] == [(220, False), (1550, False)]


def _run_together(words: list[tuple[str, int]], top: int, page: int) -> ReadBox:
    """One detector box over words centred on ``x`` each (18-px characters), with the
    blank runs between them and each character's middle, as read off a scan."""
    spans = [(x - 9 * len(text), x + 9 * len(text)) for text, x in words]
    x0 = spans[0][0]
    gaps = tuple(
        (left[1] - x0, right[0] - x0) for left, right in itertools.pairwise(spans)
    )
    places = tuple(
        start - x0 + 18 * k + 9.0
        for (text, _), (start, _) in zip(words, spans, strict=True)
        for k in range(len(text))
    )
    text = "".join(t for t, _ in words)
    box = Box(x0, top, spans[-1][1], top + 16)
    return ReadBox(box, text, 0.99, False, page, places, gaps)


def test_header_words_read_as_one_box_go_to_their_columns() -> None:
    # A 150-dpi scan's header words over narrow columns stand ~18 px apart; the
    # detector took three of them as one box, at the foot of page 1. Page 2, with the
    # rows, lies 12 px further left on the scanner.
    header = [
        _box("申请人情况", 700, 1470, 1),
        _box("自然人", 500, 1500, 1),
        _run_together([("科研机", 700), ("社会公", 900), ("总计", 1100)], 1500, 1),
    ]
    rows = [
        _box(text, x - 12, top, 2)
        for top, texts in ((200, ["3", "12", "0", "15"]), (240, ["1", "0", "2", "3"]))
        for text, x in zip(texts, [500, 700, 900, 1100], strict=True)
    ]
    rows += [_box("本年新收", 238, 200, 2), _box("上年结转", 238, 240, 2)]
    pages = [PageOcr(1, DPI, HEIGHT), PageOcr(2, DPI, HEIGHT)]
    pages[0].parts.append(_part(header, sure=False))
    pages[1].parts.append(_part(rows, sure=True))
    [table] = _tables(pages_to_items(pages))
    assert table.pages == [1, 2]
    assert _grid(table) == [
        ["申请人情况"],
        ["自然人", "科研机", "社会公", "总计"],
        ["本年新收", "3", "12", "0", "15"],
        ["上年结转", "1", "0", "2", "3"],
    ]
    # A cut word keeps its own place on its own page.
    word = next(c for c in table.cells if c.text == "社会公")
    assert word.page == 1 and word.col_span == 1 and word.bbox is not None
    assert round(word.bbox.x0 * DPI / 72) == 900 - 27
    assert round(word.bbox.x1 * DPI / 72) == 900 + 27


def test_a_header_merged_over_columns_is_not_cut() -> None:
    # 第二十条第（一）项 centred over the figure columns: the blank beside its
    # full-width bracket is as wide as a column gap, but neither side stands on a
    # column.
    merged = _run_together([("第二十条第", 655), ("（一）项", 745)], 1000, 1)
    label = _run_together([("一、", 220), ("本年新收", 300)], 1040, 1)
    boxes = [
        merged,
        label,
        *(_box(t, x, 1040, 1) for t, x in zip("123", FIGURES, strict=True)),
    ]
    placed, n_rows, _ = place_boxes(boxes)
    assert n_rows == 2
    texts = {
        (c.row, c.col, c.col_span): "".join(b.text for b in c.boxes) for c in placed
    }
    assert texts[(0, 2, 1)] == "第二十条第（一）项"
    assert texts[(1, 0, 1)] == "一、本年新收"


class _Detector:
    """The text detector's boxes, given (x0, top, x1, bottom) in page pixels."""

    def __init__(self, boxes: list[tuple[int, int, int, int]], origin: Box) -> None:
        self.boxes = boxes
        self.origin = origin  # where the image it is handed starts on the page

    def detect(self, gray: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
        x, y = self.origin.x0, self.origin.top
        return [(a - x, b - y, c - x, d - y) for a, b, c, d in self.boxes]


def test_a_detector_box_holds_its_own_line_and_its_wide_gaps() -> None:
    # Two lines of 16-px glyphs 5 px apart (a wrapped label's leading). Seen at a
    # lower resolution, the detector's box of the upper line reaches 4 px into the
    # lower one; its three words stand 2 px (characters) and 20 px (columns) apart.
    # The upper line comes twice, a pixel apart (two strips' overlap).
    ink = np.zeros((HEIGHT, 1240), dtype=np.uint8)
    upper = [300, 318, 336, 372, 390, 408, 444, 462]
    for x in upper:
        ink[400:416, x : x + 16] = 255
    for x in (300, 318, 336):
        ink[421:437, x : x + 16] = 255
    gray = 255 - ink
    region = Box(300, 400, 478, 437)
    pad = round(0.1 * DPI)
    origin = Box(
        region.x0 - pad, region.top - pad, region.x1 + pad, region.bottom + pad
    )
    boxes = [(296, 396, 482, 425), (296, 418, 356, 440), (296, 397, 482, 426)]
    detector = _Detector(boxes, origin)
    found = detect_boxes(gray, ink, region, DPI, detector)  # type: ignore[arg-type]
    assert [d.box for d in found] == [Box(300, 400, 478, 416), Box(300, 421, 352, 437)]
    # Offsets from the box's left edge of the blank runs over half its height.
    assert found[0].gaps == ((52, 72), (124, 144))
    assert found[1].gaps == ()


def test_a_figure_left_of_the_figure_columns_makes_no_row() -> None:
    # A group label's 三、 read as the figure 8, higher than the row beside it.
    boxes = [
        *_row("不掌握", ["1", "5", "2"], 860, 1),
        _box("8", 120, 911, 1),
        _box("没有现成", 250, 911, 1),
        *(_box(t, x, 925, 1) for t, x in zip(["0", "13", "1"], FIGURES, strict=True)),
        _box("本年", 120, 934, 1),
        *_row("补正后", ["0", "2", "2"], 972, 1),
    ]
    placed, n_rows, n_cols = place_boxes(boxes)
    assert (n_rows, n_cols) == (3, 5)
    texts = {(c.row, c.col): "".join(b.text for b in c.boxes) for c in placed}
    assert [texts[(1, col)] for col in range(1, 5)] == ["没有现成", "0", "13", "1"]
    assert texts[(1, 0)] == "8本年"
