"""Tables without rules over page breaks: parts joined by what the detector sees.

A page break cuts a table printed without rules anywhere: inside its header (the header
at the foot of one page, its rows on the next) or before its last row (a label and a
figure or two alone at the top of the next page). No rules tie the parts together, so
they are joined when the part above is the last thing on its page and the part below
the first on the next (no heading between), and the lower part's figures stand on the
upper part's figure columns (a lower part with a header of its own is a new table). The
joined parts are placed as one table, the lower part's boxes set under the upper
part's, so header words land over the figures below them. A part that is no table on
its own (a few segmented lines at a page edge, a header without figures) and joins
nothing goes back to the page's text lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from extractors.document import Table, TableCell
from extractors.ocr.lines import Box
from extractors.ocr.page import ENGINE, OcrLine, PageOcr, UnruledPart, to_points
from extractors.ocr.unruled_grid import (
    PlacedCell,
    ReadBox,
    figure_columns,
    place_boxes,
)

# Confidence of a blank cell under a column of figures in a table without rules.
_BLANK_CONFIDENCE = 0.5
# Two pages sit differently on the scanner by up to this much (inches) sideways; the
# figure columns of a table's two parts must agree once shifted by it.
_MAX_SHIFT_INCH = 0.25


@dataclass
class _Chain:
    """Parts of one table on consecutive pages, placed one under the other.

    ``frame`` holds every part's boxes in the first part's page coordinates, each
    later part moved below the one before (and sideways by the pages' shift);
    ``moves`` says how far each page's part was moved (one part a page).
    """

    parts: list[UnruledPart] = field(default_factory=list)
    frame: list[ReadBox] = field(default_factory=list)
    moves: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, part: UnruledPart, dx: int) -> None:
        bottom = max((b.box.bottom for b in self.frame), default=0)
        heights = [b.box.height for b in part.boxes]
        # One line height of blank between the parts: their lines stay apart.
        gap = round(float(np.median(heights))) if heights else 0
        dy = bottom + gap - part.region.top if self.frame else 0
        self.parts.append(part)
        self.moves[part.page] = (dx, dy)
        self.frame += [_moved(b, dx, dy) for b in part.boxes]


def settle_parts(pages: list[PageOcr]) -> list[PageOcr]:
    """The pages with their unruled parts made tables or given back as text lines.

    Args:
        pages: OCR'd pages in page order (running lines already dropped).

    Returns:
        Copies of the pages: each table lies on the page where it starts (its cells
        keep their own pages), and ``parts`` is empty.
    """
    chains: list[_Chain] = []
    for index, page in enumerate(pages):
        for part in sorted(page.parts, key=lambda p: p.region.top):
            before = pages[index - 1] if index else None
            chain = chains[-1] if chains else None
            if (
                chain is not None
                and before is not None
                and before.number == page.number - 1
                and chain.parts[-1].page == before.number
                and _last_on_page(chain.parts[-1], before)
                and _first_on_page(part, page)
            ):
                dx = _continues(chain, part)
                if dx is not None:
                    chain.add(part, dx)
                    continue
            chains.append(_Chain())
            chains[-1].add(part, 0)
    settled = {
        p.number: replace(p, lines=list(p.lines), tables=list(p.tables), parts=[])
        for p in pages
    }
    for chain in chains:
        first = chain.parts[0]
        table = _chain_table(chain)
        if table is not None and (first.sure or len(chain.parts) > 1):
            settled[first.page].tables.append((first.region, table))
            continue
        for part in chain.parts:
            settled[part.page].lines += [
                OcrLine(b.box, b.text, b.confidence) for b in part.boxes if b.text
            ]
    out = [settled[p.number] for p in pages]
    for page in out:
        page.tables.sort(key=lambda pair: pair[0].top)
    return out


def _last_on_page(part: UnruledPart, page: PageOcr) -> bool:
    """Nothing but margin lines below the part on its page."""
    below = part.region.bottom
    return not (
        any(line.box.top >= below for line in page.lines if not line.in_margin)
        or any(box.top >= below for box, _ in page.tables)
        or any(p.region.top >= below for p in page.parts)
    )


def _first_on_page(part: UnruledPart, page: PageOcr) -> bool:
    """Nothing but margin lines above the part on its page."""
    above = part.region.top
    return not (
        any(line.box.bottom <= above for line in page.lines if not line.in_margin)
        or any(box.bottom <= above for box, _ in page.tables)
        or any(p.region.bottom <= above for p in page.parts)
    )


def _continues(chain: _Chain, part: UnruledPart) -> int | None:
    """How far to shift ``part`` sideways to continue the chain, or None if it does not.

    A part without figures continues nothing. Under a header cut off from its rows
    (the chain has no figures yet) the rows follow when the header stands within
    their width; the pages are taken to sit alike (no figures to align them by).
    Under rows of figures the part goes on when it has no header of its own and its
    figures stand within the chain's figure columns, on them where the fullest rows
    put theirs (a row of fewer figures may centre them over merged columns). The
    shift is the one that puts the most of its columns on the chain's, the smallest
    of those (columns are evenly spaced).
    """
    below = figure_columns(part.boxes)
    if not below.anchors:
        return None
    above = figure_columns(chain.frame)
    most = _MAX_SHIFT_INCH * part.dpi
    if not above.anchors:
        x0 = min(b.box.x0 for b in chain.frame)
        x1 = max(b.box.x1 for b in chain.frame)
        inside = part.region.x0 - most <= x0 and x1 <= part.region.x1 + most
        return 0 if inside else None
    if below.headed:
        return None
    tolerance = above.tolerance
    low, high = above.anchors[0] - tolerance, above.anchors[-1] + tolerance
    best: tuple[int, float] | None = None  # (columns matched, shift)
    for x in below.anchors:
        for anchor in above.anchors:
            dx = anchor - x
            if abs(dx) > most:
                continue
            moved = [b + dx for b in below.anchors]
            if not all(low <= m <= high for m in moved):
                continue
            offsets = [_nearest(above.anchors, m) - m for m in moved]
            on = [o for o in offsets if abs(o) <= tolerance]
            shift = dx + float(np.mean(on))
            if best is None or (len(on), -abs(shift)) > (best[0], -abs(best[1])):
                best = (len(on), shift)
    return None if best is None else round(best[1])


def _chain_table(chain: _Chain) -> Table | None:
    """The chain's boxes placed as one table; None when no box holds a figure."""
    placed, n_rows, n_cols = place_boxes(chain.frame)
    if not placed:
        return None
    dpi = {p.page: p.dpi for p in chain.parts}
    row_pages = {cell.row: cell.boxes[0].page for cell in placed if cell.boxes}
    first = chain.parts[0].page
    cells = [
        _cell(
            cell,
            # Each box back on its own page, at its own place.
            [_moved(b, *(-d for d in chain.moves[b.page])) for b in cell.boxes],
            row_pages.get(cell.row, first),
            dpi,
        )
        for cell in placed
    ]
    return Table(
        order=0,
        n_rows=n_rows,
        n_cols=n_cols,
        cells=cells,
        page=first,
        pages=[p.page for p in chain.parts],
        engine=ENGINE,
    )


def _cell(
    cell: PlacedCell, boxes: list[ReadBox], row_page: int, dpi: dict[int, float]
) -> TableCell:
    """A rebuilt table's cell. A blank under a column of figures may be a figure the
    detector missed (no rule says the cell is empty): it is doubtful, not certain.
    The cell's box is where its first box's page shows it."""
    if not boxes:
        return TableCell(
            row=cell.row,
            col=cell.col,
            col_span=cell.col_span,
            page=row_page,
            confidence=_BLANK_CONFIDENCE,
        )
    page = boxes[0].page
    on_page = [b.box for b in boxes if b.page == page]
    where = Box(
        min(b.x0 for b in on_page),
        min(b.top for b in on_page),
        max(b.x1 for b in on_page),
        max(b.bottom for b in on_page),
    )
    return TableCell(
        row=cell.row,
        col=cell.col,
        col_span=cell.col_span,
        text="".join(b.text for b in boxes),
        page=page,
        bbox=to_points(where, dpi[page]),
        confidence=round(min(b.confidence for b in boxes), 4),
    )


def _nearest(positions: list[float], x: float) -> float:
    return min(positions, key=lambda p: abs(p - x))


def _moved(b: ReadBox, dx: int, dy: int) -> ReadBox:
    box = b.box
    return replace(b, box=Box(box.x0 + dx, box.top + dy, box.x1 + dx, box.bottom + dy))
