"""Builds disclosure-report PDFs with reportlab, laid out the way Word/WPS does it.

A :class:`ReportPdf` collects headings, justified paragraphs and ruled tables with
merged cells, flows them over A4 pages with a running header and "- N -" page numbers,
and splits a table over a page break without repeating its header, letting the text of
a merged cell fall on both pages as Word does ('（四）无' / '法提供'). The tables of
TEMPLATE.md are built from report_factory's made-up values; :func:`made_up_to_pdf` lays
a whole :class:`~report_factory.MadeUpReport` out.

Needs a CJK TrueType font (Debian ``fonts-wqy-zenhei``, see scripts/apt-packages.txt).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from report_factory import MEASURE_TEXT, MadeUpReport, Values, narrative
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from table_layout import PLAIN, Layout, Rows, active_rows, requests_rows, review_rows

FONT_NAME = "NianbaoCJK"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
PAGE_W, PAGE_H = A4
MARGIN_X = 72.0
TOP = 100.0
BOTTOM = PAGE_H - 100.0
TEXT_W = PAGE_W - 2 * MARGIN_X
# White between the two columns of a two-column narrative.
COLUMN_GAP = 24.0
# Bottom margin of landscape pages (a wide table needs the height).
LANDSCAPE_MARGIN = 60.0
# Word's fake bold: the same glyphs drawn again this far to the right.
FAKE_BOLD_SHIFT = 0.4

Op = Callable[[Canvas], None]


def register_cjk_font() -> str:
    """Register the first CJK font found and return its reportlab name."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for path in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
    raise FileNotFoundError(
        "no CJK TrueType font; install the Debian package fonts-wqy-zenhei "
        "(scripts/apt-packages.txt)"
    )


@dataclass(frozen=True)
class Span:
    """A table cell spanning rows and/or columns (HTML rowspan/colspan placement)."""

    text: str
    rows: int = 1
    cols: int = 1


Row = Sequence["str | Span"]


@dataclass(frozen=True)
class Placed:
    """A cell at its grid position."""

    text: str
    row: int
    col: int
    rows: int
    cols: int


def place_cells(rows: Sequence[Row]) -> tuple[list[Placed], int]:
    """Grid positions of cells given row by row, HTML style (spans skip taken slots).

    Returns:
        The placed cells and the number of columns.
    """
    taken: set[tuple[int, int]] = set()
    placed: list[Placed] = []
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            cell = item if isinstance(item, Span) else Span(item)
            while (r, c) in taken:
                c += 1
            placed.append(Placed(cell.text, r, c, cell.rows, cell.cols))
            for dr in range(cell.rows):
                for dc in range(cell.cols):
                    taken.add((r + dr, c + dc))
            c += cell.cols
    n_cols = max((c for _, c in taken), default=-1) + 1
    return placed, n_cols


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Greedy line breaking: anywhere between CJK chars, never inside a Latin word."""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and not ch.isspace() and tokens[-1][-1:].isascii():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines: list[str] = []
    line = ""
    limit = width - indent
    for tok in tokens:
        if line and pdfmetrics.stringWidth(line + tok, FONT_NAME, size) > limit:
            lines.append(line)
            line, limit = tok.lstrip(), width
        else:
            line += tok
    if line:
        lines.append(line)
    return lines


@dataclass
class ReportPdf:
    """A report laid out page by page; call :meth:`save` at the end.

    Args:
        header: Running header printed at the top of every page, or None.
        page_numbers: Print "- N -" at the bottom of every page.
        size: Body font size.
    """

    header: str | None = "淮安市人民政府文件"
    page_numbers: bool = True
    size: float = 12.0
    # /Rotate of every portrait page (content upright: a viewer shows it sideways).
    rotation: int = 0
    # How landscape pages are stored: 0 as landscape pages; 90 or 270 as portrait pages
    # with the content drawn turned that far counter-clockwise (a printer driver's way).
    turn: int = 0
    # Give turned pages the /Rotate that shows them upright; False leaves it out.
    show_turned_upright: bool = True
    # How tables are ruled: grid, three_line or none (see :meth:`table`).
    rules: str = "grid"
    # Start every table on a new page.
    tables_on_new_page: bool = False
    # Columns of the narrative under 一、总体情况 (1 or 2).
    narrative_columns: int = 1
    # Font size of every table's cells, when set (a smaller type fits table 3 on a page).
    table_size: float | None = None
    # Tables (0-based, in drawing order) set on landscape pages of their own.
    landscape_tables: frozenset[int] = frozenset()
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    tables_drawn: int = 0
    landscape: set[int] = field(default_factory=set)
    y: float = TOP

    def __post_init__(self) -> None:
        register_cjk_font()

    @property
    def leading(self) -> float:
        """Line pitch of body text."""
        return self.size * 1.75

    def _op(self, op: Op, page: int | None = None) -> None:
        self.pages[len(self.pages) - 1 if page is None else page].append(op)

    def new_page(self, landscape: bool | None = None) -> None:
        """Start a new page, landscape or portrait (None: as the page before)."""
        if landscape is None:
            landscape = len(self.pages) - 1 in self.landscape
        self.pages.append([])
        if landscape:
            self.landscape.add(len(self.pages) - 1)
        self.y = TOP

    @property
    def bottom(self) -> float:
        """Where the body of the current page ends."""
        landscape = len(self.pages) - 1 in self.landscape
        return PAGE_W - LANDSCAPE_MARGIN if landscape else BOTTOM

    def _room(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()

    def _text(self, x: float, top: float, text: str, size: float, **kw: float) -> None:
        bold = bool(kw.get("bold", 0))
        space = kw.get("char_space", 0.0)
        baseline = PAGE_H - top - size * 0.88

        def draw(canvas: Canvas) -> None:
            for dx in (0.0, FAKE_BOLD_SHIFT) if bold else (0.0,):
                obj = canvas.beginText(x + dx, baseline)
                obj.setFont(FONT_NAME, size)
                obj.setCharSpace(space)
                obj.textOut(text)
                canvas.drawText(obj)

        self._op(draw)

    def title(self, text: str, scale: float = 1.5, bold: bool = True) -> None:
        """A centred title line, ``scale`` times the body size."""
        size = self.size * scale
        self._room(size * 2)
        width = pdfmetrics.stringWidth(text, FONT_NAME, size)
        self._text(MARGIN_X + (TEXT_W - width) / 2, self.y, text, size, bold=int(bold))
        self.y += size * 2

    def heading(self, text: str, bold: bool = True) -> None:
        """A heading on its own line, indented two characters, fake bold."""
        self._room(self.leading)
        self._text(MARGIN_X + 2 * self.size, self.y, text, self.size, bold=int(bold))
        self.y += self.leading

    def paragraph(self, text: str, bold: bool = False) -> None:
        """A justified paragraph with a two-character first-line indent."""
        self._justified(
            wrap(text, TEXT_W, self.size, 2 * self.size), MARGIN_X, TEXT_W, bold
        )

    def _justified(
        self,
        lines: Sequence[str],
        left: float,
        width: float,
        bold: bool = False,
        indent_first: bool = True,
        last_is_full: bool = False,
    ) -> None:
        indent = 2 * self.size if indent_first else 0.0
        for i, line in enumerate(lines):
            self._room(self.leading)
            x = left + (indent if i == 0 else 0.0)
            space = 0.0
            if (i < len(lines) - 1 or last_is_full) and len(line) > 1:
                room = left + width - x
                spare = room - pdfmetrics.stringWidth(line, FONT_NAME, self.size)
                space = max(0.0, spare / (len(line) - 1))
            self._text(x, self.y, line, self.size, bold=int(bold), char_space=space)
            self.y += self.leading

    def narrative(self, texts: Sequence[str]) -> None:
        """Paragraphs in one column, or in ``self.narrative_columns`` (2) columns.

        Two columns are filled as a newspaper does: down the left column to the foot
        of the page, then down the right one, then on to the next page; the last two
        columns are balanced.
        """
        if self.narrative_columns == 1:
            for text in texts:
                self.paragraph(text)
            return
        width = (TEXT_W - COLUMN_GAP) / 2
        # (text of the line, starts a paragraph, ends a paragraph)
        lines = [
            (line, i == 0, i == len(wrapped) - 1)
            for text in texts
            for wrapped in [wrap(text, width, self.size, 2 * self.size)]
            for i, line in enumerate(wrapped)
        ]
        while lines:
            self._room(self.leading)
            top = self.y
            fit = max(1, int((self.bottom - top) // self.leading))
            # The last columns are balanced, as Word does before a section break.
            fit = min(fit, (len(lines) + 1) // 2)
            for column in (0, 1):
                self.y = top
                chunk, lines = lines[:fit], lines[fit:]
                for line, first, last in chunk:
                    self._justified(
                        [line],
                        MARGIN_X + column * (width + COLUMN_GAP),
                        width,
                        indent_first=first,
                        last_is_full=not last,
                    )
            self.y = top + fit * self.leading
            if lines:
                self.new_page()

    def table(
        self,
        rows: Sequence[Row],
        widths: Sequence[float],
        size: float = 9.0,
        break_before: frozenset[int] = frozenset(),
    ) -> None:
        """A table; rows that do not fit go on the next page, header not repeated.

        Args:
            rows: Cells row by row (str or :class:`Span`).
            widths: Column widths in points.
            size: Font size in the cells.
            break_before: Row indexes that must start a new page.

        ``self.rules`` says how it is ruled: ``grid`` (every cell boxed), ``three_line``
        (三线表: a rule over the table, one under the header rows, the rows above the
        first figure, and one under the table) or ``none`` (borderless: text alone).
        """
        index = self.tables_drawn
        self.tables_drawn += 1
        landscape = index in self.landscape_tables
        if landscape:
            self.new_page(landscape=True)
            scale = (PAGE_H - 2 * MARGIN_X) / sum(widths)
            widths = [w * scale for w in widths]
        elif self.tables_on_new_page:
            self.new_page()
        self._table(rows, widths, self.table_size or size, break_before)
        if landscape:
            self.new_page(landscape=False)

    def _table(
        self,
        rows: Sequence[Row],
        widths: Sequence[float],
        size: float,
        break_before: frozenset[int],
    ) -> None:
        rules = self.rules
        placed, n_cols = place_cells(rows)
        assert n_cols == len(widths), f"{n_cols} columns, {len(widths)} widths"
        xs = [MARGIN_X]
        for w in widths:
            xs.append(xs[-1] + w)
        lead = size * 1.3
        n_rows = len(rows)
        heights = [size * 2.2] * n_rows
        wrapped = {
            id(p): [
                line
                for part in p.text.split("\n")  # a label wrapped by hand
                for line in wrap(part, xs[p.col + p.cols] - xs[p.col] - 4, size)
            ]
            for p in placed
        }
        for p in sorted(placed, key=lambda p: p.rows):
            need = len(wrapped[id(p)]) * lead + 6
            have = sum(heights[p.row : p.row + p.rows])
            if need > have:
                heights[p.row + p.rows - 1] += need - have
        self.y += 6
        where: list[tuple[int, float]] = []
        for r in range(n_rows):
            if r in break_before or self.y + heights[r] > self.bottom:
                self.new_page()
            where.append((len(self.pages) - 1, self.y))
            self.y += heights[r]
        for p in placed:
            self._draw_cell(p, wrapped[id(p)], xs, heights, where, size, lead, rules)
        if rules == "three_line":
            head = next(
                r
                for r, row in enumerate(rows)
                if any(
                    any(ch.isdigit() for ch in str(getattr(c, "text", c))) for c in row
                )
            )
            last = n_rows - 1
            below = (where[last][0], where[last][1] + heights[last])
            for (page, top), width in (
                (where[0], 1.0),
                (where[head], 0.5),
                (below, 1.0),
            ):
                self._op(_rule(xs[0], xs[-1], top, width), page)
        self.y += 6

    def _draw_cell(
        self,
        p: Placed,
        lines: list[str],
        xs: list[float],
        heights: list[float],
        where: list[tuple[int, float]],
        size: float,
        lead: float,
        rules: str = "grid",
    ) -> None:
        x0, x1 = xs[p.col], xs[p.col + p.cols]
        rows = range(p.row, p.row + p.rows)
        boxed = sorted({where[r][0] for r in rows}) if rules == "grid" else []
        for page in boxed:
            on_page = [r for r in rows if where[r][0] == page]
            top = where[on_page[0]][1]
            bottom = where[on_page[-1]][1] + heights[on_page[-1]]

            def box(canvas: Canvas, top: float = top, bottom: float = bottom) -> None:
                canvas.setLineWidth(0.5)
                canvas.rect(
                    x0, PAGE_H - bottom, x1 - x0, bottom - top, stroke=1, fill=0
                )

            self._op(box, page)
        # Lines are centred over the whole merged height, which may run over a page
        # break; each line is drawn on the page its offset falls on.
        total = sum(heights[r] for r in rows)
        offset = (total - len(lines) * lead) / 2
        for line in lines:
            acc = 0.0
            for r in rows:
                if offset < acc + heights[r] or r == rows[-1]:
                    page, row_top = where[r]
                    top = row_top + (offset - acc)
                    nxt = r + 1
                    straddles = top + lead > row_top + heights[r]
                    if straddles and nxt in rows and where[nxt][0] != page:
                        # A line never straddles a page break: Word moves it on.
                        page, top = where[nxt]
                        offset = acc + heights[r]
                    break
                acc += heights[r]
            width = pdfmetrics.stringWidth(line, FONT_NAME, size)
            x = x0 + (x1 - x0 - width) / 2
            baseline = PAGE_H - top - size * 0.88 - (lead - size) / 2

            def text(
                canvas: Canvas, x: float = x, b: float = baseline, s: str = line
            ) -> None:
                canvas.setFont(FONT_NAME, size)
                canvas.drawString(x, b, s)

            self._op(text, page)
            offset += lead

    def save(self, path: Path) -> Path:
        """Write the PDF and return its path."""
        canvas = Canvas(str(path), pagesize=A4)
        for number, ops in enumerate(self.pages, start=1):
            width = PAGE_W
            if number - 1 in self.landscape:
                width = self._place_landscape(canvas)
            else:
                canvas.setPageSize(A4)
            for op in ops:
                op(canvas)
            canvas.setFont(FONT_NAME, 9)
            if self.header:
                canvas.drawCentredString(width / 2, PAGE_H - 50, self.header)
                canvas.line(MARGIN_X, PAGE_H - 56, width - MARGIN_X, PAGE_H - 56)
            if self.page_numbers:
                bottom = PAGE_W if number - 1 in self.landscape else PAGE_H
                canvas.drawCentredString(
                    width / 2, PAGE_H - bottom + 50, f"- {number} -"
                )
            canvas.showPage()
        canvas.save()
        self._set_rotations(path)
        return path

    def _set_rotations(self, path: Path) -> None:
        """Write each page's /Rotate (reportlab's own would swap the media box)."""
        rotations = [
            (self.turn if self.turn and self.show_turned_upright else 0)
            if number in self.landscape
            else self.rotation
            for number in range(len(self.pages))
        ]
        if not any(rotations):
            return
        pdf = pdfium.PdfDocument(path.read_bytes())
        for number, rotation in enumerate(rotations):
            pdf[number].set_rotation(rotation)
        pdf.save(str(path))
        pdf.close()

    def _place_landscape(self, canvas: Canvas) -> float:
        """Size and turn a landscape page; ops then draw in its upright frame.

        Ops flip ``top`` with the portrait height; shifting by the difference puts
        them on the landscape frame, which ``turn`` then rotates onto a portrait page.
        """
        if self.turn == 0:
            canvas.setPageSize((PAGE_H, PAGE_W))
        else:
            canvas.setPageSize(A4)
            if self.turn == 90:
                canvas.translate(PAGE_W, 0)
                canvas.rotate(90)
            else:
                canvas.translate(0, PAGE_H)
                canvas.rotate(-90)
        canvas.translate(0, PAGE_W - PAGE_H)
        return PAGE_H


def _rule(x0: float, x1: float, top: float, width: float) -> Op:
    """A horizontal rule across a table (三线表: 1 pt outer, 0.5 pt under the header)."""

    def draw(canvas: Canvas) -> None:
        canvas.setLineWidth(width)
        canvas.line(x0, PAGE_H - top, x1, PAGE_H - top)

    return draw


# --- the template's tables, from report_factory's made-up values ----------------------

LARGE_TITLE_SIZE = 22.0
REQUESTS_LABEL_WIDTHS = (30.0, 55.0, 110.0)
REQUESTS_VALUE_WIDTH = 36.0
REQUESTS_WIDTHS = (*REQUESTS_LABEL_WIDTHS, *([REQUESTS_VALUE_WIDTH] * 7))
ACTIVE_WIDTHS = (150.0, 100.0, 100.0, 100.0)
REVIEW_WIDTHS = tuple([30.0] * 15)


def spans(rows: Rows) -> list[Row]:
    """Printed cells (tests/table_layout.py) as this module's rows: a plain string
    for a cell without spans."""
    return [
        [
            c.text
            if c.rowspan == c.colspan == 1
            else Span(c.text, c.rowspan, c.colspan)
            for c in row
        ]
        for row in rows
    ]


def requests_widths(rows: Rows) -> tuple[float, ...]:
    """Column widths for table 3: label columns, then value columns sharing the rest."""
    n_values = sum(c.colspan for c in rows[-1]) - len(REQUESTS_LABEL_WIDTHS)
    value = min(REQUESTS_VALUE_WIDTH, (TEXT_W - sum(REQUESTS_LABEL_WIDTHS)) / n_values)
    return (*REQUESTS_LABEL_WIDTHS, *([value] * n_values))


def active_disclosure_rows(template: str, values: Values) -> list[Row]:
    """Table 2 (主动公开政府信息情况) as Word prints it, sub-table by sub-table."""
    return spans(active_rows(template, values))


def review_litigation_rows(values: Values) -> list[Row]:
    """Table 4 (行政复议、行政诉讼情况): a header block and one row of 15 numbers."""
    return spans(review_rows(values))


def made_up_to_pdf(
    made: MadeUpReport,
    path: Path,
    *,
    requests_break_before: frozenset[int] = frozenset(),
    active_break_before: frozenset[int] = frozenset(),
    header: str | None = "政府信息公开专栏",
    fake_bold_headings: bool = True,
    layout: Layout = PLAIN,
    drawing: dict[str, Any] | None = None,
) -> Path:
    """A made-up report as a Word-exported PDF (szfgs2024.pdf's layout).

    Numbered level-2 headings run into their paragraph ("（一）主动公开情况。2024年，…");
    unnumbered ones stand on their own line, fake bold. The title is laid out as
    ``made.title_layout`` says (a large plain font is 22pt; ``header`` prints it as the
    running header instead of ``header``).

    Args:
        made: The report and its values (tests/report_factory.py).
        path: Where to write the PDF.
        requests_break_before: Table-3 row indexes that must start a new page.
        active_break_before: Table-2 (主动公开) row indexes that must start a new page.
        header: Running header text, or None.
        fake_bold_headings: Draw level-1 headings twice, as WPS fakes bold.
        layout: How the tables are printed (tests/table_layout.py).
        drawing: :class:`ReportPdf` options for how rules and pages are drawn
            (``rules``, ``tables_on_new_page``, ``landscape_tables``, ``turn``,
            ``show_turned_upright``, ``rotation``).

    Returns:
        ``path``.
    """
    if made.title_layout == "header":
        header = made.title
    elif made.site:
        header = made.site
    doc = ReportPdf(header=header, **(drawing or {}))
    for line in made.title_lines():
        if made.title_layout == "table":
            doc.table([[line]], [TEXT_W], size=16)
        elif made.title_layout == "large":
            # 22pt plain, wrapped over as many centred lines as the width needs.
            for part in wrap(line, TEXT_W, LARGE_TITLE_SIZE):
                doc.title(part, scale=LARGE_TITLE_SIZE / doc.size, bold=False)
        else:
            doc.title(line)
    doc.paragraph(
        f"本报告由{made.issuer}办公室根据《中华人民共和国政府信息公开条例》规定编制。"
        f"报告所列统计期限自{made.year}年1月1日至{made.year}年12月31日。"
    )
    texts = narrative(made)
    requests = requests_rows(made.requests_template, made.requests, layout)
    tables: dict[str, Callable[[], None]] = {
        "active_disclosure_stats": lambda: doc.table(
            spans(active_rows(made.active_template, made.active_disclosure, layout)),
            ACTIVE_WIDTHS,
            break_before=active_break_before,
        ),
        "requests_stats": lambda: doc.table(
            spans(requests),
            requests_widths(requests),
            break_before=requests_break_before,
        ),
        "review_litigation_stats": lambda: doc.table(
            spans(review_rows(made.review_litigation, layout)), REVIEW_WIDTHS, size=8
        ),
    }
    for heading, category in made.level1:
        doc.heading(heading, bold=fake_bold_headings)
        if category == "overall":
            doc.paragraph(
                f"{made.year}年，本机关认真贯彻落实《条例》，圆满完成了各项任务。"
            )
            if all(sub.startswith(("（", "(")) for sub, _ in made.level2):
                doc.narrative(
                    [
                        f"{sub}。{texts.get(sub_category, '')}"
                        for sub, sub_category in made.level2
                    ]
                )
            else:  # unnumbered level-2 headings stand on their own bold lines
                for sub_heading, sub_category in made.level2:
                    _sub_section(doc, sub_heading, texts.get(sub_category, ""))
        elif category in tables:
            tables[category]()
        else:
            doc.paragraph("对照上级新要求和公众新期待，还有一些需要加强和改进的地方。")
        if category == "problems_improvements":
            for sub_heading, _ in made.problems_level2:
                _sub_section(doc, sub_heading, MEASURE_TEXT)
    return doc.save(path)


def _sub_section(doc: ReportPdf, heading: str, text: str) -> None:
    if heading.startswith(("（", "(")):
        doc.paragraph(f"{heading}。{text}")
    else:
        doc.heading(heading)
        doc.paragraph(text)
