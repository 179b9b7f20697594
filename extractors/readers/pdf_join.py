"""Tables that a page break cut in two, joined back into one grid.

A fragment at the top of a page continues the table that ended the page before when
nothing but running headers lies between them and their column lines agree. Joining
unifies the column lines, drops a header the continuation repeats, glues group labels
the break cut ('（四）无' / '法提供', szfgs2024.pdf) and rows Word let break across
the pages ('8.属' / '于行政查询事项').
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from extractors.document import Table, TableCell
from extractors.readers.pdf_tables import Fragment, is_value_text, nearest
from extractors.readers.pdf_text import NUMBERED_START, is_cjk, join_texts

_log = logging.getLogger(__name__)

# Outer edges of two fragments of one table differ by at most this (pt); in
# szfgs2024.pdf table 2 is 1.2 pt wider on p4 than on p3.
_EDGE_TOLERANCE = 4.0


def continues(prev: Fragment, nxt: Fragment) -> bool:
    """True when ``nxt`` (top of the next page) can be the rest of ``prev``.

    The caller checks that nothing but running headers lies between them; here only
    the geometry is compared: the same outer edges, and column lines of one a subset
    of the other's (a sub-table of fewer columns continues a wider one, as table 2 of
    the 2021 template does).
    """
    if nxt.page != prev.page + 1:
        return False
    if prev.figure_centres and nxt.figure_centres:
        # Unruled tables have no outer edges; their figure columns must agree.
        return len(prev.figure_centres) == len(nxt.figure_centres) and all(
            abs(a - b) <= _EDGE_TOLERANCE
            for a, b in zip(prev.figure_centres, nxt.figure_centres, strict=True)
        )
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
    nxt.full_cells = {(r - h, c) for r, c in nxt.full_cells if r >= h}
    _log.debug("page %d: dropped %d repeated header row(s)", nxt.page, h)


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


def _merge_split_row(table: Table, seam: int, full: set[int]) -> None:
    """Join a row that a page break split in two (Word's "allow row to break").

    The second part repeats the row's cells: the label goes on ('8.属' / '于行政查询事
    项') and the figures stay on one side, blank on the other. The parts are one row
    when every cell of the lower row matches a cell of the upper one, no cell holds
    text on both sides next to a figure, the lower label starts no new number, and a
    label cut in two shows it: its upper part's last line fills the cell. A blank row
    that merely starts the next page ('行政处罚' after '行政许可 447228') has a short
    label above and stays a row.
    """
    above_row = table.row_cells(seam - 1)
    below_row = [c for c in table.cells if c.row == seam]
    pairs: list[tuple[TableCell, TableCell]] = []
    for below in below_row:
        above = next(
            (
                c
                for c in above_row
                if c.col == below.col
                and c.col_span == below.col_span
                and c.row + c.row_span == seam
            ),
            None,
        )
        if above is None:
            return
        pairs.append((above, below))
    if not pairs:
        return
    values = [(is_value_text(a.text), is_value_text(b.text)) for a, b in pairs]
    if not any(a or b for a, b in values):
        return
    for (above, below), (a_value, b_value) in zip(pairs, values, strict=True):
        if (a_value and below.text) or (b_value and above.text):
            return
        label = below.text and not b_value
        if label and NUMBERED_START.match(below.text):
            return
        if label and above.text and id(above) not in full:
            return
    for above, below in pairs:
        above.text = join_texts([above.text, below.text])
        table.cells.remove(below)
    _drop_row(table, seam)


def _drop_row(table: Table, row: int) -> None:
    """Remove an emptied grid row; cells spanning it get one row shorter."""
    for cell in list(table.cells):
        if cell.row > row:
            cell.row -= 1
        elif cell.row + cell.row_span > row:
            cell.row_span -= 1
            if cell.row_span == 0:
                table.cells.remove(cell)
    table.n_rows -= 1


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
    # Outer edges are the first page's: an unruled table's edges are where its text
    # happens to end, which differs from page to page.
    xs = list(fragments[0].xs)
    for frag in fragments[1:]:
        xs.extend(
            x for x in frag.xs[1:-1] if min(abs(x - y) for y in xs) > _EDGE_TOLERANCE
        )
    xs.sort()
    cells: list[TableCell] = []
    seams: list[int] = []
    full: set[int] = set()  # id() of joined cells whose last line fills the cell
    offset = 0
    for frag in fragments:
        if offset:
            seams.append(offset)
        for cell in frag.cells:
            assert cell.bbox is not None
            c0 = 0 if cell.bbox.x0 == frag.xs[0] else nearest(xs, cell.bbox.x0)
            c1 = (
                len(xs) - 1
                if cell.bbox.x1 == frag.xs[-1]
                else nearest(xs, cell.bbox.x1)
            )
            c1 = max(c1, c0 + 1)
            joined = cell.model_copy(
                update={"row": cell.row + offset, "col": c0, "col_span": c1 - c0}
            )
            if (cell.row, cell.col) in frag.full_cells:
                full.add(id(joined))
            cells.append(joined)
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
    # Last seam first: dropping a split row's second part shifts only the rows below.
    for seam in reversed(seams):
        _merge_seam(table, seam)
        _merge_split_row(table, seam, full)
    table.cells.sort(key=lambda c: (c.row, c.col))
    _mark_header(table)
    return table


def _mark_header(table: Table) -> None:
    """Flag the cells above the first row that holds a figure as header cells."""
    first_values = next(
        (
            r
            for r in range(table.n_rows)
            if any(c.row == r and is_value_text(c.text) for c in table.cells)
        ),
        0,
    )
    for cell in table.cells:
        cell.header = cell.row + cell.row_span <= first_values
