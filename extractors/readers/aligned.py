"""Plain-text tables aligned by whitespace: pdftotext ``-layout`` dumps, text copied
from Word.

A table line has cells separated by two or more spaces (or a tab, or an ideographic
space; figures may stand a single space apart). Columns are found by character
position, CJK characters counting two display columns (or one, as some PDF text dumps
pad them): the figures of a table's lines are grouped by where they stand, so a blank
cell is a gap at its column, not a shift of the cells after it. Blank lines and page
numbers inside a table are skipped, a label wrapped around its figures' line is joined.
A stretch whose figures do not stand in columns (two in one column, more columns than
any row has figures) is not read as a table: its lines stay text, with a warning, so no
figure is ever read from the wrong column. Justified prose with wide gaps is no table:
a table prints at least MIN_EXACT_LABELS of the template's labels as cells of their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.document import (
    ReaderWarning,
    Table,
    TableCell,
    TextBlock,
    cells_from_rows,
    spanless_table,
)
from extractors.template.mapper import Label, classify_table, match_row
from extractors.template.specs import SPECS
from extractors.values import is_value_text

_GAP = re.compile(r" {2,}|\t+|\u3000+")
# A caption line (第二十条第（一）项, 申请人情况) is this short and stands just above a table.
MAX_CAPTION_CHARS = 20
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*$")
# A numbered line with this many characters after its number is a heading.
MIN_HEADING_WORDS = 4
# A wrapped row label is known by an opening of at least this many characters.
MIN_OPENING_CHARS = 4
# A table prints at least this many of the template's labels as cells of their own.
MIN_EXACT_LABELS = 3
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


def display_width(text: str, wide: int = 2) -> int:
    """Display columns of a text: wide (CJK, full-width) characters take ``wide``."""
    return sum(wide if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def laid_cells(line: str, wide: int = 2) -> list[LaidCell]:
    """A line cut at its gaps of two or more spaces, with each cell's position."""
    cells: list[LaidCell] = []
    position = 0
    for gap in [*_GAP.finditer(line), None]:
        end = gap.start() if gap else len(line)
        piece = line[position:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            start = display_width(line[: position + lead], wide)
            cells.extend(_figures_apart(piece.strip(), start, wide))
        position = gap.end() if gap else len(line)
    return cells


def _figures_apart(text: str, start: int, wide: int) -> list[LaidCell]:
    """A cell of figures a single space apart (tight columns: `3001 53`) is several."""
    words = text.split(" ")
    if len(words) == 1 or not all(is_value_text(w) for w in words):
        return [LaidCell(text, start, start + display_width(text, wide))]
    cells = []
    for word in words:
        cells.append(LaidCell(word, start, start + display_width(word, wide)))
        start += display_width(word, wide) + 1
    return cells


@dataclass
class AlignedText:
    """What the aligned reader found: blocks, tables, and tables it would not read."""

    blocks: list[TextBlock]
    tables: list[Table]
    warnings: list[ReaderWarning]


def read_aligned(text: str) -> AlignedText | None:
    """Blocks and tables of a whitespace-aligned text; None when it holds no table.

    Args:
        text: the decoded file.

    Returns:
        Non-table lines as blocks and each run of table lines as one grid, in order.
    """
    # Blank lines and page numbers stand between a table's rows in page dumps.
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not _PAGE_NUMBER.match(line)
    ]
    laid = [laid_cells(line) for line in lines]
    in_table = [len(cells) >= 2 for cells in laid]
    for i in range(len(lines) - 2, 0, -1):
        # Between table lines, a one-cell line is a row with blank figures, a label
        # wrapped over lines or a merged label printed down the page, not a heading.
        if (
            len(laid[i]) == 1
            and in_table[i - 1]
            and in_table[i + 1]
            and (_opens_a_row(laid[i][0].text) or not _is_heading(laid[i][0].text))
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
    warnings: list[ReaderWarning] = []
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
        grid = _grid([laid[k] for k in range(i, j)], order)
        if grid is None:
            # Some dumps pad CJK characters as one column: try that reading too.
            grid = _grid([laid_cells(lines[k], wide=1) for k in range(i, j)], order)
        if grid is not None and _is_statistics_table(grid):
            tables.append(grid)
            order += 1
        else:
            # Justified prose has wide gaps too, and a dump may not keep the grid's
            # positions: its lines stay text, never figures read from the wrong column.
            if grid is None and _is_statistics_table(_grid_of_lines(laid[i:j])):
                warnings.append(
                    ReaderWarning(
                        code="layout_table_unaligned",
                        message=f"a statistics table's figures ({lines[i].strip()[:30]}"
                        "…) do not stand in columns; not read",
                    )
                )
            for k in range(i, j):
                blocks.append(TextBlock(text=lines[k].strip(), order=order))
                order += 1
        i = j
    return AlignedText(blocks, tables, warnings)


def _grid_of_lines(lines: list[list[LaidCell]]) -> Table:
    """The lines' cells as rows, to tell whether they hold a statistics table."""
    rows = [[c.text for c in cells] for cells in lines]
    return Table(
        order=0,
        n_rows=len(rows),
        n_cols=max(len(r) for r in rows),
        cells=cells_from_rows(rows),
        engine="text",
    )


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


def _is_statistics_table(table: Table) -> bool:
    """One of the three tables, with its own labels in cells of their own (prose that
    mentions 行政复议 or 结果维持 in justified lines is not)."""
    exact = sum(_names_a_row(c.text) or _names_a_column(c.text) for c in table.cells)
    return exact >= MIN_EXACT_LABELS and classify_table(table) is not None


def _names_a_column(text: str) -> bool:
    key = Label.of(text).key
    return any(
        key in column.labels
        for versions in SPECS.values()
        for spec in versions.values()
        for column in spec.columns
    )


def _opens_a_row(text: str) -> bool:
    """Whether a line starts with a template row's label (the row's label may wrap:
    （二）部分公开（区分处理的，只计这一情…); a section heading does not."""
    key = Label.of(text).key
    return _names_a_row(text) or any(
        len(synonym) >= MIN_OPENING_CHARS and key.startswith(synonym)
        for versions in SPECS.values()
        for spec in versions.values()
        for row in spec.rows
        for synonym in row.labels
    )


def _names_a_row(text: str) -> bool:
    """Whether a line is exactly the label of a template row (not a heading)."""
    label = Label.of(text)
    for versions in SPECS.values():
        for spec in versions.values():
            row = match_row(spec, [label])
            if row is not None and label.key in row.labels:
                return True
    return False


def _is_heading(text: str) -> bool:
    """A numbered heading with words (三、收到…), not a label piece (三、 / 本)."""
    number = _NUMBERED_HEADING.match(text)
    return number is not None and len(text) - number.end() >= MIN_HEADING_WORDS


def _is_caption(line: str, cells: list[LaidCell]) -> bool:
    text = line.strip()
    return (
        len(cells) == 1
        and len(text) <= MAX_CAPTION_CHARS
        and not _NUMBERED_HEADING.match(text)
        and not text.endswith(("。", "：", ":"))
    )


def _grid(lines: list[list[LaidCell]], order: int) -> Table | None:
    """Rows of label cells, then one cell per figure column (blank where none); None
    when the figures do not stand in columns (two in one column, or more columns than
    any row has figures: a dump whose positions do not follow the printed grid)."""
    figures = [c for cells in lines for c in cells if is_value_text(c.text)]
    columns = _columns([c.centre for c in figures])
    widest = max(sum(is_value_text(c.text) for c in cells) for cells in lines)
    if len(columns) > widest:
        return None
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
            if placed[k] and is_value_text(cell.text):
                return None
            placed[k] = f"{placed[k]} {cell.text}".strip()
        header = not any(is_value_text(c.text) for c in cells)
        rows.append(
            [TableCell(row=0, col=0, text=c.text, header=header) for c in labels]
            + [TableCell(row=0, col=0, text=t, header=header) for t in placed]
        )
    rows = _join_wrapped_labels(rows)
    return spanless_table(rows, order, "text-layout")


def _join_wrapped_labels(rows: list[list[TableCell]]) -> list[list[TableCell]]:
    """A label wrapped over lines prints its figures on a middle line with no label
    (（二）部分公开（区分处理的，只计这一情 / figures / 形，不计其他情形）): the label
    lines just above and below become that row's label."""

    def label_only(row: list[TableCell]) -> bool:
        texts = [c.text for c in row if c.text]
        return (
            len(texts) == 1 and row[0].text == texts[0] and not is_value_text(texts[0])
        )

    def unlabeled(row: list[TableCell]) -> bool:
        texts = [c.text for c in row if c.text]
        return bool(texts) and all(is_value_text(t) for t in texts)

    out: list[list[TableCell]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if (
            label_only(row)
            and i + 1 < len(rows)
            and unlabeled(rows[i + 1])
            and not any(c.header for c in rows[i + 1])
        ):
            label = row[0].text
            figures = rows[i + 1]
            i += 2
            if (
                i < len(rows)
                and label_only(rows[i])
                and not _names_a_row(rows[i][0].text)
            ):
                label += rows[i][0].text
                i += 1
            out.append([row[0].model_copy(update={"text": label}), *figures])
            continue
        out.append(row)
        i += 1
    return out


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
