"""OCR'd pages to the Document's reading order: lines into paragraphs, tables between.

A Chinese report indents a paragraph's first line by two characters and ends its last
line short of the right margin; headings stand on short lines of their own. So a line
starts a new paragraph when it is indented, when the line before ended short, when a
wide vertical gap or a table lies between, or when it starts on another page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from extractors.document import Table, TableCell, TextBlock
from extractors.geometry import cluster
from extractors.ocr.page import OcrLine, PageOcr, to_points
from extractors.ocr.parts import settle_parts

# A line indented by more than this many line heights starts a paragraph (first-line
# indent is two characters; OCR boxes wobble by a fraction of one).
_INDENT_HEIGHTS = 1.0
# A line ending this many line heights short of the right margin ends its paragraph.
_SHORT_HEIGHTS = 2.0
# A line opening with a level-1/2 heading number starts a paragraph even when the page
# gives no other cue (a last page holding only headings and one-line paragraphs).
_HEADING_START = re.compile(
    r"^(?:第?[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])"
)
# A page number as printed in a margin: "- 2 -", "—2—", "第 2 页", "2/5", "2".
_PAGE_NUMBER = re.compile(
    r"^[-—–_.。·\s]*(?:第\s*)?\d+\s*(?:页|/\s*\d+)?[-—–_.。·\s]*$"
)
# Column edges of a table's two parts on consecutive pages agree within this many points
# (scans of the two pages are levelled separately and shift by a few points).
_COLUMN_TOLERANCE_PT = 6.0
# Farther apart than this (points) the two parts' left borders belong to different tables.
_MAX_SHIFT_PT = 36.0
# A vertical gap over this many line heights separates paragraphs (body leading is ~0.8).
_GAP_HEIGHTS = 1.2


@dataclass
class _Paragraph:
    lines: list[OcrLine]
    page: PageOcr

    @property
    def top(self) -> int:
        return self.lines[0].box.top


def pages_to_items(
    pages: list[PageOcr], first_order: int = 0, drop_margins: bool = False
) -> list[TextBlock | Table]:
    """Paragraphs and tables of OCR'd pages in reading order, numbered from first_order.

    Args:
        pages: OCR results in page order.
        first_order: The ``order`` of the first item.
        drop_margins: Drop every line in the page margins. Right for rendered PDF
            pages, which keep the page's geometry (and whose text pages lost their
            running lines in the text reader); image files may be cropped to the
            text, so there only page numbers and repeated lines go.

    Returns:
        Text blocks and tables, ``order`` set consecutively.
    """
    pages = settle_parts(_drop_running_lines(pages, drop_margins))
    items: list[TextBlock | Table] = []
    order = first_order
    # Margins from all pages: a short last page may hold only indented lines.
    lefts = [line.box.x0 for page in pages for line in page.lines]
    rights = [line.box.x1 for page in pages for line in page.lines]
    left = float(np.percentile(lefts, 10)) if lefts else 0.0
    right = float(np.percentile(rights, 90)) if rights else 0.0
    for page in pages:
        placed: list[tuple[int, _Paragraph | Table]] = [
            (p.top, p) for p in _paragraphs(page, left, right)
        ]
        placed.extend((box.top, table) for box, table in page.tables)
        placed.sort(key=lambda pair: pair[0])
        for k, (_, item) in enumerate(placed):
            if isinstance(item, Table):
                previous = items[-1] if items and k == 0 else None
                if isinstance(previous, Table):
                    joined = join_tables(previous, item)
                    if joined is not None:  # the table goes on from the page before
                        items[-1] = joined
                        continue
                items.append(item.model_copy(update={"order": order}))
            else:
                items.append(_to_block(item, order))
            order += 1
    return items


def _drop_running_lines(pages: list[PageOcr], drop_margins: bool) -> list[PageOcr]:
    """Pages without their running headers and page numbers.

    A margin line goes when it reads as a page number (- 2 -, 第2页) or when its text,
    digits aside, is in the margin of another page too; other margin lines (a title
    on a tightly cropped scan) stay.
    """

    def key(line: OcrLine) -> str:
        return re.sub(r"[\d\s]", "", line.text)

    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            if line.in_margin:
                seen.setdefault(key(line), set()).add(page.number)
    kept = []
    for page in pages:
        lines = [
            line
            for line in page.lines
            if not line.in_margin
            or not (
                drop_margins
                or _PAGE_NUMBER.match(line.text.strip())
                or len(seen[key(line)]) > 1
            )
        ]
        kept.append(replace(page, lines=lines))
    return kept


def join_tables(first: Table, second: Table) -> Table | None:
    """``second`` appended below ``first`` when both parts span the same width.

    A table broken by a page break goes on at the top of the next page, often without
    its header. Each part's grid knows only the column rules it crosses (a merged
    header has fewer, a block of figures more), so both are placed on the union of
    their column starts.

    Returns:
        The joined table, or None when the parts' left and right borders differ.
    """
    a = [c.bbox for c in first.cells]
    b = [c.bbox for c in second.cells]
    if not a or not b or any(box is None for box in [*a, *b]):
        return None
    first_boxes = [box for box in a if box is not None]
    second_boxes = [box for box in b if box is not None]
    # The two pages sit differently on the scanner: align the parts' left borders.
    shift = min(x.x0 for x in second_boxes) - min(x.x0 for x in first_boxes)
    right_gap = max(x.x1 for x in second_boxes) - shift - max(x.x1 for x in first_boxes)
    if abs(shift) > _MAX_SHIFT_PT or abs(right_gap) > _COLUMN_TOLERANCE_PT:
        return None
    starts = cluster(
        [x.x0 for x in first_boxes] + [x.x0 - shift for x in second_boxes],
        _COLUMN_TOLERANCE_PT,
    )
    cells = [
        _regrid(cell, box.x0, box.x1, starts, 0)
        for cell, box in zip(first.cells, first_boxes, strict=True)
    ]
    cells += [
        _regrid(cell, box.x0 - shift, box.x1 - shift, starts, first.n_rows)
        for cell, box in zip(second.cells, second_boxes, strict=True)
    ]
    return first.model_copy(
        update={
            "n_rows": first.n_rows + second.n_rows,
            "n_cols": len(starts),
            "cells": cells,
            "pages": [*first.pages, *second.pages],
        }
    )


def _regrid(
    cell: TableCell, x0: float, x1: float, starts: list[float], row_offset: int
) -> TableCell:
    """A cell placed on new column starts (its span: the starts it covers)."""
    col = min(range(len(starts)), key=lambda i: abs(starts[i] - x0))
    covered = [i for i, s in enumerate(starts) if s < x1 - _COLUMN_TOLERANCE_PT]
    last = max([col, *covered])
    return cell.model_copy(
        update={"row": cell.row + row_offset, "col": col, "col_span": last - col + 1}
    )


def _paragraphs(page: PageOcr, left: float, right: float) -> list[_Paragraph]:
    lines = sorted(page.lines, key=lambda line: (line.box.top, line.box.x0))
    if not lines:
        return []
    height = float(np.median([line.box.height for line in lines]))
    table_tops = [box.top for box, _ in page.tables]
    paragraphs: list[_Paragraph] = []
    for line in lines:
        if paragraphs and not _starts_paragraph(
            paragraphs[-1].lines[-1], line, height, left, right, table_tops
        ):
            paragraphs[-1].lines.append(line)
        else:
            paragraphs.append(_Paragraph([line], page))
    return paragraphs


def _starts_paragraph(
    before: OcrLine,
    line: OcrLine,
    height: float,
    left: float,
    right: float,
    table_tops: list[int],
) -> bool:
    if line.box.top < before.box.bottom:  # a second segment of the same printed line
        return True
    if any(before.box.bottom <= t <= line.box.top for t in table_tops):
        return True
    if _HEADING_START.match(line.text.strip()):
        return True
    return (
        line.box.x0 - left > _INDENT_HEIGHTS * height
        or right - before.box.x1 > _SHORT_HEIGHTS * height
        or line.box.top - before.box.bottom > _GAP_HEIGHTS * height
    )


def _to_block(paragraph: _Paragraph, order: int) -> TextBlock:
    lines = paragraph.lines
    page = paragraph.page
    box = lines[0].box
    bbox = to_points(box, page.dpi).model_copy(
        update={
            "x1": max(line.box.x1 for line in lines) * 72.0 / page.dpi,
            "bottom": lines[-1].box.bottom * 72.0 / page.dpi,
            "x0": min(line.box.x0 for line in lines) * 72.0 / page.dpi,
        }
    )
    height = float(np.median([line.box.height for line in lines]))
    return TextBlock(
        text="".join(line.text for line in lines),
        order=order,
        page=page.number,
        bbox=bbox,
        font_size=round(height * 72.0 / page.dpi, 1),
    )
