"""Ruled tables of text PDFs: cell boxes to grids, and grids joined across pages.

Both table engines (pdfplumber, camelot lattice) only supply cell boxes; the grid, the
spans and the cell text are computed here the same way for both, from the page's
deduplicated chars. A merged cell is one box, so it becomes one :class:`TableCell` with
its spans; grid positions no box covers are filled with empty cells, so blanks keep
their column.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.document import BBox, Table, TableCell
from extractors.readers.pdf_text import (
    NUMBERED_START,
    Char,
    chars_to_lines,
    is_cjk,
    join_texts,
)

_log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

# Boundaries closer than this (pt) are one grid line: Word draws cell borders of
# neighbouring cells a fraction of a point apart.
_SNAP = 2.0
# Outer edges of two fragments of one table differ by at most this (pt); in
# szfgs2024.pdf table 2 is 1.2 pt wider on p4 than on p3.
_EDGE_TOLERANCE = 4.0
# Two figures in one cell: a column line the engine did not see.
_SEVERAL_NUMBERS = re.compile(r"\d\s+\d")
_NUMBER = re.compile(
    r"^[\s?？]*[-+增减]?\s*[\d０-９][\d０-９,，.．\s]*(?:万元|元|件|项|个|%)?\s*$"
)


def is_value_text(text: str) -> bool:
    """True when a cell's text reads as a number (a value, not a label)."""
    return bool(_NUMBER.match(text))


@dataclass
class Fragment:
    """The part of one table that lies on one page."""

    page: int
    engine: str
    xs: list[float]
    ys: list[float]
    cells: list[TableCell]
    holes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Rows of the fragment's grid."""
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        """Columns of the fragment's grid."""
        return len(self.xs) - 1

    @property
    def bbox(self) -> Box:
        """The fragment's outer box on its page."""
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def value_cells(self) -> int:
        """How many cells hold a number."""
        return sum(1 for c in self.cells if c.text and is_value_text(c.text))

    def is_weak(self) -> bool:
        """True when the grid looks wrong: holes in it, or cells holding several numbers.

        A fragment without value cells is not weak by itself: a table's header rows
        often end a page alone.
        """
        return self.holes > 0 or any(
            _SEVERAL_NUMBERS.search(c.text) for c in self.cells
        )

    def score(self) -> tuple[int, int]:
        """Higher is better: more value cells, then fewer holes."""
        return (self.value_cells, -self.holes)


def is_visible_edge(obj: Mapping[str, Any]) -> bool:
    """False for rects that draw no visible border.

    Word exports paragraph shading as white filled rects without a stroke; pdfplumber
    would read their edges as ruling lines and find a one-column "table" of body text
    (szfgs2024.pdf p3).
    """
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    if not obj.get("fill"):
        return False
    color = obj.get("non_stroking_color")
    if isinstance(color, (tuple, list)):
        white = (len(color) in (1, 3) and all(v >= 0.95 for v in color)) or (
            len(color) == 4 and all(v <= 0.05 for v in color)
        )
        if white:
            # A thin white rect is still invisible; a thin dark one is a border.
            return False
    return True


def snap(values: Iterable[float], tolerance: float = _SNAP) -> list[float]:
    """Sorted values with near-equal ones collapsed to their first."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _nearest(bounds: Sequence[float], value: float) -> int:
    i = bisect_right(bounds, value)
    if i == 0:
        return 0
    if i == len(bounds):
        return len(bounds) - 1
    return i if bounds[i] - value < value - bounds[i - 1] else i - 1


def cell_text(chars: Sequence[Char], page: int) -> str:
    """Text of one cell: its lines joined as wrapped text."""
    return join_texts(line.text for line in chars_to_lines(chars, page))


def boxes_to_fragment(
    boxes: Sequence[Box], chars: Sequence[Char], page: int, engine: str
) -> Fragment | None:
    """A grid from cell boxes, with each box's text read from the chars inside it.

    Args:
        boxes: Cell boxes ``(x0, top, x1, bottom)``; a merged cell is one box.
        chars: The page's deduplicated chars (only those inside the boxes are used).
        page: 1-based page number.
        engine: Name of the engine that found the boxes.

    Returns:
        The fragment, or None when the boxes do not make a table of two columns or
        more (a single column of boxes is a framed paragraph, not a table).
    """
    if not boxes:
        return None
    xs = snap(v for b in boxes for v in (b[0], b[2]))
    ys = snap(v for b in boxes for v in (b[1], b[3]))
    if len(xs) < 3 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    owner: list[list[int]] = [[-1] * n_cols for _ in range(n_rows)]
    cells: list[TableCell] = []
    for x0, top, x1, bottom in sorted(boxes, key=lambda b: (b[1], b[0])):
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        if r1 <= r0 or c1 <= c0 or owner[r0][c0] >= 0:
            continue
        index = len(cells)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] < 0:
                    owner[r][c] = index
        cells.append(
            TableCell(
                row=r0,
                col=c0,
                row_span=r1 - r0,
                col_span=c1 - c0,
                page=page,
                bbox=BBox(x0=xs[c0], top=ys[r0], x1=xs[c1], bottom=ys[r1]),
            )
        )
    holes = 0
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] < 0:
                holes += 1
                owner[r][c] = len(cells)
                cells.append(
                    TableCell(
                        row=r,
                        col=c,
                        page=page,
                        bbox=BBox(x0=xs[c], top=ys[r], x1=xs[c + 1], bottom=ys[r + 1]),
                    )
                )
    inside: list[list[Char]] = [[] for _ in cells]
    for ch in chars:
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        c = bisect_right(xs, cx) - 1
        r = bisect_right(ys, cy) - 1
        if 0 <= r < n_rows and 0 <= c < n_cols:
            inside[owner[r][c]].append(ch)
    for cell, cell_chars in zip(cells, inside, strict=True):
        if cell_chars:
            cell.text = cell_text(cell_chars, page)
    cells.sort(key=lambda c: (c.row, c.col))
    return Fragment(page=page, engine=engine, xs=xs, ys=ys, cells=cells, holes=holes)


def inside_any(ch: Char, boxes: Sequence[Box]) -> bool:
    """True when a char's centre lies in one of the boxes."""
    cx = (ch["x0"] + ch["x1"]) / 2
    cy = (ch["top"] + ch["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def overlap_share(a: Box, b: Box) -> float:
    """Area of the intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def continues(prev: Fragment, nxt: Fragment) -> bool:
    """True when ``nxt`` (top of the next page) can be the rest of ``prev``.

    The caller checks that nothing but running headers lies between them; here only
    the geometry is compared: the same outer edges, and column lines of one a subset
    of the other's (a sub-table of fewer columns continues a wider one, as table 2 of
    the 2021 template does).
    """
    if nxt.page != prev.page + 1:
        return False
    if abs(prev.xs[0] - nxt.xs[0]) > _EDGE_TOLERANCE:
        return False
    if abs(prev.xs[-1] - nxt.xs[-1]) > _EDGE_TOLERANCE:
        return False

    def subset(small: list[float], big: list[float]) -> bool:
        return all(min(abs(x - y) for y in big) <= _EDGE_TOLERANCE for x in small)

    return subset(nxt.xs, prev.xs) or subset(prev.xs, nxt.xs)


def _row_texts(frag: Fragment, row: int) -> list[str]:
    return [c.text for c in frag.cells if c.row == row]


def _header_rows(frag: Fragment) -> int:
    for r in range(frag.n_rows):
        if any(is_value_text(c.text) for c in frag.cells if c.row == r):
            return r
    return 0


def drop_repeated_header(first: Fragment, nxt: Fragment) -> None:
    """Remove header rows that a continuation repeats from the table's first page."""
    h = _header_rows(first)
    if h == 0 or nxt.n_rows <= h:
        return
    if any(_row_texts(first, r) != _row_texts(nxt, r) for r in range(h)):
        return
    if any(c.row < h < c.row + c.row_span for c in nxt.cells):
        return
    nxt.cells = [c for c in nxt.cells if c.row >= h]
    for c in nxt.cells:
        c.row -= h
    nxt.ys = nxt.ys[h:]
    nxt.notes.append(f"dropped {h} repeated header row(s)")


def _is_group_label(cell: TableCell, row: list[TableCell]) -> bool:
    """A label with more labels right of it: a group (row header) over sub-rows."""
    if cell.text and is_value_text(cell.text):
        return False
    return any(
        c.col > cell.col
        and c.text
        and not is_value_text(c.text)
        and any(map(is_cjk, c.text))
        for c in row
    )


def _merge_seam(table: Table, seam: int) -> None:
    """Join group labels that a page break cut in two.

    In szfgs2024.pdf the merged label （四）无法提供 ends p4 as '（四）无' and starts
    p5 as '法提供', and the tall 三、本年度办理结果 cell goes on as an empty box. A
    label at the top of the continuation is glued to the label above when both are
    group labels of the same columns and the lower one does not start a new number
    (or one of the two parts is empty).
    """
    above_row = table.row_cells(seam - 1)
    below_row = [c for c in table.cells if c.row == seam]
    for below in below_row:
        above = next(
            (
                c
                for c in above_row
                if c.col == below.col and c.col_span == below.col_span
            ),
            None,
        )
        if above is None or not (above.text or below.text):
            continue
        if not (
            _is_group_label(above, above_row) and _is_group_label(below, below_row)
        ):
            continue
        # Two printed labels: the lower one is a new group when it starts a number.
        # One of them empty: the text sits on one page only (Word centres it in the
        # whole merged cell), so the parts belong together.
        if above.text and below.text and NUMBERED_START.match(below.text):
            continue
        above.text = join_texts([above.text, below.text])
        above.row_span += below.row_span
        table.cells.remove(below)


def fragments_to_table(fragments: Sequence[Fragment], order: int) -> Table:
    """One table from its fragments on consecutive pages.

    Args:
        fragments: The table's fragments, first page first.
        order: The table's position in the document's reading order.

    Returns:
        The joined table; column lines of all fragments are unified, and each cell
        keeps the page and box it was read from.
    """
    for nxt in fragments[1:]:
        drop_repeated_header(fragments[0], nxt)
    # Column lines of later pages snap to the first page's with the looser edge
    # tolerance: Word shifts a continued table's borders by a few points.
    xs = list(fragments[0].xs)
    for frag in fragments[1:]:
        xs.extend(x for x in frag.xs if min(abs(x - y) for y in xs) > _EDGE_TOLERANCE)
    xs.sort()
    cells: list[TableCell] = []
    seams: list[int] = []
    offset = 0
    for frag in fragments:
        if offset:
            seams.append(offset)
        for cell in frag.cells:
            assert cell.bbox is not None
            c0 = _nearest(xs, cell.bbox.x0)
            c1 = max(_nearest(xs, cell.bbox.x1), c0 + 1)
            cells.append(
                cell.model_copy(
                    update={"row": cell.row + offset, "col": c0, "col_span": c1 - c0}
                )
            )
        offset += frag.n_rows
    pages = sorted({f.page for f in fragments})
    engines = list(dict.fromkeys(f.engine for f in fragments))
    table = Table(
        order=order,
        n_rows=offset,
        n_cols=len(xs) - 1,
        cells=cells,
        page=pages[0],
        pages=pages,
        engine="+".join(engines),
    )
    for seam in seams:
        _merge_seam(table, seam)
    table.cells.sort(key=lambda c: (c.row, c.col))
    return table
