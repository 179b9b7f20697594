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
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = TOP

    def __post_init__(self) -> None:
        register_cjk_font()

    @property
    def leading(self) -> float:
        """Line pitch of body text."""
        return self.size * 1.75

    def _op(self, op: Op, page: int | None = None) -> None:
        self.pages[len(self.pages) - 1 if page is None else page].append(op)

    def new_page(self) -> None:
        """Start a new page."""
        self.pages.append([])
        self.y = TOP

    def _room(self, height: float) -> None:
        if self.y + height > BOTTOM:
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
        indent = 2 * self.size
        lines = wrap(text, TEXT_W, self.size, indent)
        for i, line in enumerate(lines):
            self._room(self.leading)
            x = MARGIN_X + (indent if i == 0 else 0.0)
            space = 0.0
            if i < len(lines) - 1 and len(line) > 1:
                room = MARGIN_X + TEXT_W - x
                spare = room - pdfmetrics.stringWidth(line, FONT_NAME, self.size)
                space = max(0.0, spare / (len(line) - 1))
            self._text(x, self.y, line, self.size, bold=int(bold), char_space=space)
            self.y += self.leading

    def table(
        self,
        rows: Sequence[Row],
        widths: Sequence[float],
        size: float = 9.0,
        break_before: frozenset[int] = frozenset(),
    ) -> None:
        """A ruled table; rows that do not fit go on the next page, header not repeated.

        Args:
            rows: Cells row by row (str or :class:`Span`).
            widths: Column widths in points.
            size: Font size in the cells.
            break_before: Row indexes that must start a new page.
        """
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
            if r in break_before or self.y + heights[r] > BOTTOM:
                self.new_page()
            where.append((len(self.pages) - 1, self.y))
            self.y += heights[r]
        for p in placed:
            self._draw_cell(p, wrapped[id(p)], xs, heights, where, size, lead)
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
    ) -> None:
        x0, x1 = xs[p.col], xs[p.col + p.cols]
        rows = range(p.row, p.row + p.rows)
        for page in sorted({where[r][0] for r in rows}):
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
            for op in ops:
                op(canvas)
            canvas.setFont(FONT_NAME, 9)
            if self.header:
                canvas.drawCentredString(PAGE_W / 2, PAGE_H - 50, self.header)
                canvas.line(MARGIN_X, PAGE_H - 56, PAGE_W - MARGIN_X, PAGE_H - 56)
            if self.page_numbers:
                canvas.drawCentredString(PAGE_W / 2, 50, f"- {number} -")
            canvas.showPage()
        canvas.save()
        return path


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
    header: str | None = "政府信息公开专栏",
    fake_bold_headings: bool = True,
    layout: Layout = PLAIN,
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
        header: Running header text, or None.
        fake_bold_headings: Draw level-1 headings twice, as WPS fakes bold.
        layout: How the tables are printed (tests/table_layout.py).

    Returns:
        ``path``.
    """
    if made.title_layout == "header":
        header = made.title
    elif made.site:
        header = made.site
    doc = ReportPdf(header=header)
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
