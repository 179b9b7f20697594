"""Merged-cell tables to a grid, and the whitespace rules of markup text.

HTML and Word both describe a table row by row, each cell with its spans; the grid
position of a cell follows from the cells (and spans) before it. Both readers place cells
here so a merged cell ends up as ONE :class:`TableCell` at the right grid column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.document import TableCell

# Longer cell text is a page region's, not a figure's or a label's: the longest label
# of the three tables runs ~40 characters (table 3's note on its R1 rule).
LAYOUT_CELL_CHARS = 300
# Browsers cap colspan at 1000 and rowspan at 65534 (HTML table model).
MAX_COL_SPAN = 1000
MAX_ROW_SPAN = 65534

_CJK = (
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
# Markup wraps long lines (Word's HTML export at ~76 columns, mid-sentence); a browser
# shows no gap inside Chinese text, so a line break next to a CJK character is dropped.
_WRAP_NEAR_CJK = re.compile(rf"(?<={_CJK})[ \t\r\f]*\n\s*|\s*\n[ \t\r\f]*(?={_CJK})")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u3000]+")


@dataclass(frozen=True)
class RawCell:
    """A cell as the markup lists it: text and spans, grid position not yet known."""

    text: str
    row_span: int = 1
    col_span: int = 1
    header: bool = False


def normalize_text(raw: str) -> str:
    """Collapse markup whitespace the way a browser shows it.

    Zero-width characters go, line breaks beside Chinese characters go, any other run of
    whitespace (including ``&nbsp;`` and the ideographic space) becomes one space.
    """
    text = _INVISIBLE.sub("", raw)
    if "\n" in text:
        text = _WRAP_NEAR_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def rows_to_cells(rows: list[list[RawCell]]) -> tuple[list[TableCell], int, int]:
    """Place the cells of each row on a grid; return cells, row count, column count.

    A cell goes to the first grid column of its row not covered by a cell above it
    (rowspan); its spans cover the slots it occupies. A rowspan reaching past the last
    row is cut there (``rowspan="0"`` means "to the end"); a colspan running into a slot
    already covered from above is cut before it. Grid slots no cell covers (short rows)
    get an empty cell, so blanks keep their column.

    Args:
        rows: the cells of each table row in markup order.

    Returns:
        The placed cells (row-major), the number of rows and the number of columns.
    """
    n_rows = len(rows)
    covered: set[tuple[int, int]] = set()
    cells: list[TableCell] = []
    n_cols = 0
    for r, row in enumerate(rows):
        col = 0
        for raw in row:
            while (r, col) in covered:
                col += 1
            row_span = (
                n_rows - r if raw.row_span <= 0 else min(raw.row_span, n_rows - r)
            )
            col_span = 1
            while col_span < raw.col_span and (r, col + col_span) not in covered:
                col_span += 1
            for rr in range(r, r + row_span):
                for cc in range(col, col + col_span):
                    covered.add((rr, cc))
            cells.append(
                TableCell(
                    row=r,
                    col=col,
                    row_span=row_span,
                    col_span=col_span,
                    text=raw.text,
                    header=raw.header,
                )
            )
            col += col_span
            n_cols = max(n_cols, col)
    holes = [
        TableCell(row=r, col=c)
        for r in range(n_rows)
        for c in range(n_cols)
        if (r, c) not in covered
    ]
    if holes:
        cells = sorted([*cells, *holes], key=lambda cell: (cell.row, cell.col))
    return cells, n_rows, n_cols


def trim_empty_rows(rows: list[list[RawCell]]) -> list[list[RawCell]]:
    """Drop trailing rows with no text and no rowspan.

    Word's HTML export ends tables with a zero-height row of empty cells that only fixes
    column widths; it is not part of the table.
    """
    end = len(rows)
    while end and all(not c.text and c.row_span == 1 for c in rows[end - 1]):
        end -= 1
    return rows[:end]


def is_page_text(texts: Iterable[str]) -> bool:
    """Whether cell texts hold running text (a layout table), not table content."""
    return any(len(text) > LAYOUT_CELL_CHARS for text in texts)


def parse_span(value: str | None, default: int = 1, limit: int = MAX_COL_SPAN) -> int:
    """A span attribute as browsers read it: leading digits, else the default."""
    if value is None:
        return default
    match = re.match(r"\s*(\d+)", value)
    if match is None:
        return default
    return min(int(match.group(1)), limit)
