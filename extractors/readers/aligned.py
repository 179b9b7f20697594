"""Plain-text tables aligned by whitespace: pdftotext ``-layout`` dumps, text copied
from Word.

A table line has cells separated by two or more spaces (or a tab, or an ideographic
space). Columns are found by character position, CJK characters counting two display
columns as in such dumps: the figures of a table's lines are grouped by where they
stand, so a blank cell is a gap at its column, not a shift of the cells after it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.document import Table, TableCell, TextBlock
from extractors.template.mapper import Label, match_row
from extractors.template.specs import SPECS
from extractors.values import is_value_text

_GAP = re.compile(r" {2,}|\t+|\u3000+")
# A caption line (第二十条第（一）项, 申请人情况) is this short and stands just above a table.
MAX_CAPTION_CHARS = 20
# A table has at least this many lines of two or more cells.
MIN_TABLE_LINES = 2
# Figures whose centres are this many display columns apart are in different columns.
MIN_COLUMN_GAP = 4
_NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])"
)


@dataclass(frozen=True)
class LaidCell:
    """A cell of a laid-out line: its text and display columns [start, end)."""

    text: str
    start: int
    end: int

    @property
    def centre(self) -> float:
        """Middle display column."""
        return (self.start + self.end) / 2


def display_width(text: str) -> int:
    """Display columns of a text: wide (CJK, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def laid_cells(line: str) -> list[LaidCell]:
    """A line cut at its gaps of two or more spaces, with each cell's position."""
    cells: list[LaidCell] = []
    position = 0
    for gap in [*_GAP.finditer(line), None]:
        end = gap.start() if gap else len(line)
        piece = line[position:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            text = piece.strip()
            start = display_width(line[: position + lead])
            cells.append(LaidCell(text, start, start + display_width(text)))
        position = gap.end() if gap else len(line)
    return cells


def read_aligned(text: str) -> tuple[list[TextBlock], list[Table]] | None:
    """Blocks and tables of a whitespace-aligned text; None when it holds no table.

    Args:
        text: the decoded file.

    Returns:
        Non-table lines as blocks and each run of table lines as one grid, in order.
    """
    lines = text.splitlines()
    laid = [laid_cells(line) for line in lines]
    in_table = [len(cells) >= 2 for cells in laid]
    for i in range(len(lines) - 2, 0, -1):
        # A row whose cells are all blank keeps only its label, between table lines.
        if (
            len(laid[i]) == 1
            and in_table[i - 1]
            and in_table[i + 1]
            and _names_a_row(laid[i][0].text)
        ):
            in_table[i] = True
    for i in range(len(lines) - 2, -1, -1):
        if _is_caption(lines[i], laid[i]) and in_table[i + 1]:
            in_table[i] = True
    _drop_lone_lines(laid, in_table)
    if not any(in_table):
        return None
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    order = 0
    i = 0
    while i < len(lines):
        if not in_table[i]:
            if lines[i].strip():
                blocks.append(TextBlock(text=lines[i].strip(), order=order))
                order += 1
            i += 1
            continue
        j = i
        while j < len(lines) and in_table[j]:
            j += 1
        tables.append(_grid([laid[k] for k in range(i, j)], order))
        order += 1
        i = j
    return blocks, tables


def _drop_lone_lines(laid: list[list[LaidCell]], in_table: list[bool]) -> None:
    """A stretch with fewer than MIN_TABLE_LINES lines of cells is prose with a gap."""
    i = 0
    while i < len(in_table):
        j = i
        while j < len(in_table) and in_table[j]:
            j += 1
        if j > i and sum(len(laid[k]) >= 2 for k in range(i, j)) < MIN_TABLE_LINES:
            in_table[i:j] = [False] * (j - i)
        i = max(j, i + 1)


def _names_a_row(text: str) -> bool:
    """Whether a line is exactly the label of a template row (not a heading)."""
    label = Label.of(text)
    for versions in SPECS.values():
        for spec in versions.values():
            row = match_row(spec, [label])
            if row is not None and label.key in row.labels:
                return True
    return False


def _is_caption(line: str, cells: list[LaidCell]) -> bool:
    text = line.strip()
    return (
        len(cells) == 1
        and len(text) <= MAX_CAPTION_CHARS
        and not _NUMBERED_HEADING.match(text)
        and not text.endswith(("。", "：", ":"))
    )


def _grid(lines: list[list[LaidCell]], order: int) -> Table:
    """Rows of label cells, then one cell per figure column (blank where none)."""
    figures = [c for cells in lines for c in cells if is_value_text(c.text)]
    columns = _columns([c.centre for c in figures])
    # Labels end before the first figure column starts; header words over a figure
    # column reach into it.
    edge = min((c.start for c in figures), default=0)
    rows: list[list[TableCell]] = []
    for cells in lines:
        labels = [c for c in cells if c.end <= edge or not columns]
        placed = [""] * len(columns)
        for cell in cells:
            if cell in labels:
                continue
            k = min(
                range(len(columns)), key=lambda n: _distance(columns[n], cell.centre)
            )
            placed[k] = f"{placed[k]} {cell.text}".strip()
        header = not any(is_value_text(c.text) for c in cells)
        rows.append(
            [TableCell(row=0, col=0, text=c.text, header=header) for c in labels]
            + [TableCell(row=0, col=0, text=t, header=header) for t in placed]
        )
    cells_out = [
        cell.model_copy(update={"row": r, "col": c})
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
    ]
    return Table(
        order=order,
        n_rows=len(rows),
        n_cols=max((len(r) for r in rows), default=0),
        cells=cells_out,
        engine="text-layout",
        spans_known=False,
    )


def _columns(centres: list[float]) -> list[tuple[float, float]]:
    """Figure columns as (leftmost, rightmost) centre, left to right."""
    spans: list[tuple[float, float]] = []
    for centre in sorted(centres):
        if spans and centre - spans[-1][1] < MIN_COLUMN_GAP:
            spans[-1] = (spans[-1][0], centre)
        else:
            spans.append((centre, centre))
    return spans


def _distance(span: tuple[float, float], centre: float) -> float:
    low, high = span
    return 0.0 if low <= centre <= high else min(abs(centre - low), abs(centre - high))
