"""Ruled tables of text PDFs: cell boxes to grids (joined across pages in pdf_join).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from pdfplumber.utils.geometry import filter_edges

from extractors.document import BBox, TableCell
from extractors.readers.pdf_text import (
    Char,
    Line,
    chars_to_lines,
    join_texts,
)

_log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

# Boundaries closer than this (pt) are one grid line: Word draws cell borders of
# neighbouring cells a fraction of a point apart.
_SNAP = 2.0
# pdfplumber's default snap, join, edge-length and intersection tolerance (pt).
_PLUMBER_TOLERANCE = 3
# A cell's last line counts as full when it falls short of the cell's width by less
# than this many font sizes (cell padding on both sides plus one glyph).
_FULL_LINE_SLACK = 3.0
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
    # (row, col) of cells whose last text line fills the cell: text that may go on in
    # the same cell on the next page when the row is split by a page break.
    full_cells: set[tuple[int, int]] = field(default_factory=set)
    # Centres of the figure columns of a table read without rules (none for ruled
    # tables): what tells its continuation on the next page, lacking outer edges.
    figure_centres: list[float] = field(default_factory=list)

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


def find_ruled_boxes(edges: list[dict[str, Any]]) -> list[list[Box]]:
    """Cell boxes of the ruled tables the edges draw (pdfplumber's lines strategy).

    pdfplumber's own table finder needs its pdfminer page; its geometry functions are
    used here on the edges pdfium read (:mod:`extractors.readers.pdf_layer`), with
    pdfplumber's default tolerances.

    Args:
        edges: Visible ruling edges of a page, pdfplumber-shaped.

    Returns:
        One list of cell boxes ``(x0, top, x1, bottom)`` per table.
    """
    merged = merge_edges(
        filter_edges(edges, min_length=1),
        snap_x_tolerance=_PLUMBER_TOLERANCE,
        snap_y_tolerance=_PLUMBER_TOLERANCE,
        join_x_tolerance=_PLUMBER_TOLERANCE,
        join_y_tolerance=_PLUMBER_TOLERANCE,
    )
    usable = filter_edges(merged, min_length=_PLUMBER_TOLERANCE)
    crossings = edges_to_intersections(usable, _PLUMBER_TOLERANCE, _PLUMBER_TOLERANCE)
    return [
        [(float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in table]
        for table in cells_to_tables(intersections_to_cells(crossings))
    ]


def snap(values: Iterable[float], tolerance: float = _SNAP) -> list[float]:
    """Sorted values with near-equal ones collapsed to their first."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def nearest(bounds: Sequence[float], value: float) -> int:
    """Index of the boundary closest to ``value`` (bounds sorted)."""
    i = bisect_right(bounds, value)
    if i == 0:
        return 0
    if i == len(bounds):
        return len(bounds) - 1
    return i if bounds[i] - value < value - bounds[i - 1] else i - 1


def _last_line_fills(lines: Sequence[Line], cell: TableCell) -> bool:
    """True when the cell's last line spans the cell (less padding): wrapped text."""
    if not lines or cell.bbox is None:
        return False
    last = lines[-1]
    width = cell.bbox.x1 - cell.bbox.x0
    return last.x1 - last.x0 >= width - _FULL_LINE_SLACK * (last.size or 10.0)


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
        r0, r1 = nearest(ys, top), nearest(ys, bottom)
        c0, c1 = nearest(xs, x0), nearest(xs, x1)
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
    full: set[tuple[int, int]] = set()
    for cell, cell_chars in zip(cells, inside, strict=True):
        if cell_chars:
            lines = chars_to_lines(cell_chars, page)
            cell.text = join_texts(line.text for line in lines)
            if _last_line_fills(lines, cell):
                full.add((cell.row, cell.col))
    cells.sort(key=lambda c: (c.row, c.col))
    return Fragment(
        page=page,
        engine=engine,
        xs=xs,
        ys=ys,
        cells=cells,
        holes=holes,
        full_cells=full,
    )


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
