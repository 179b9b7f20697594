"""Ruled table grids on a level page image: ruling lines → cell boxes → rows and columns.

Ruling lines are what morphological opening with long thin kernels keeps of the ink;
text strokes are far shorter than a table cell is wide or a row is high. Each connected
set of lines is a candidate table; its cells are the blank regions the lines enclose,
so a merged cell is one region and its spans follow from which column and row starts
it covers (pdfplumber's ``edges → intersections → cells`` idea, on pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.geometry import cluster
from extractors.ocr.engine import Image
from extractors.ocr.lines import Box

# Kernel lengths in inches: a horizontal rule is longer than any text stroke (a 12-pt 一
# is 0.16 in) and at least one cell wide (table 4's cells are 0.42 in), a vertical rule segment at least as long as the lowest table row (table 4
# header rows are 0.24 in); a 12-pt character's tallest stroke is ~0.16 in.
_H_KERNEL_INCH = 0.35
_V_KERNEL_INCH = 0.19
# Rules are drawn this much thicker (inches) so the cells they enclose are closed.
_BRIDGE_INCH = 0.04
# Gaps up to this long (inches) in a rule are bridged: blur, noise, a seal's dropped
# ink break a rule over a few pixels; a merged cell leaves a gap of a whole cell. A
# horizontal rule where a seal's star crosses it breaks over up to 0.17 in (JPEG's
# chroma bleeds the star's red onto it and the dropout lifts it), and over 0.22 in where
# the seal's ring runs along it; the narrowest columns (30 pt, 0.42 in; the kernel
# above assumes 0.35 in) are wider than that, rows (0.24 in high) are not.
_GAP_INCH = 0.08
_H_GAP_INCH = 0.3
# Pinholes up to this many pixels in a vertical rule are closed before it is found.
_PINHOLE = 3
# A rule under a seal or faintly printed survives as dashes shorter than the kernels: a
# gap of up to _MEND_SPAN_INCH between two pieces of one rule is the rule, broken, when
# the line across it is inked over at least _MEND_INKED_SHARE of its length. Where a
# merged cell leaves a rule out, the line across it meets only a few strokes of text.
_MEND_SPAN_INCH = 1.7
_MEND_INKED_SHARE = 0.7
# A table is at least this wide (share of the page) and has at least this many rules
# each way; smaller line sets are underlines, boxes around a stamp or a signature.
_MIN_TABLE_WIDTH_SHARE = 0.2
_MIN_RULES = 2
# Regions smaller than this (inches) are line junction artifacts, not cells.
_MIN_CELL_INCH = 0.06
# Cell edges closer than this (inches) are one grid line (a rule is ~0.01-0.03 in thick).
_EDGE_TOLERANCE_INCH = 0.05


@dataclass(frozen=True)
class GridCell:
    """One cell of a recovered grid: its box (inside the rules) and grid placement."""

    box: Box
    row: int
    col: int
    row_span: int
    col_span: int


@dataclass(frozen=True)
class Grid:
    """A ruled table found on a page image."""

    box: Box
    n_rows: int
    n_cols: int
    cells: list[GridCell]


def ink_to_rules(ink: Image, dpi: float) -> tuple[Image, Image]:
    """Horizontal and vertical rule masks of an ink mask, gaps bridged."""
    h_len = max(10, int(_H_KERNEL_INCH * dpi))
    v_len = max(10, int(_V_KERNEL_INCH * dpi))
    bridge = max(3, int(_GAP_INCH * dpi))
    h_bridge = max(3, int(_H_GAP_INCH * dpi))
    # Open first (text strokes go), then close along the rule to bridge the breaks that
    # noise and blur leave; closing first would join strokes of adjacent characters.
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1))
    )
    horizontal = _mend(horizontal, ink, dpi, vertical=False)
    horizontal = cv2.morphologyEx(
        horizontal,
        cv2.MORPH_CLOSE,
        cv2.getStructuringElement(cv2.MORPH_RECT, (h_bridge, 1)),
    )
    # A vertical rule segment is barely longer than its kernel in a low table row, so
    # pinholes (noise, a seal's removed ink) are closed first; text lines in a cell
    # stand further apart than this.
    mended = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, _PINHOLE))
    )
    vertical = cv2.morphologyEx(
        mended, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len))
    )
    vertical = _mend(vertical, mended, dpi, vertical=True)
    vertical = cv2.morphologyEx(
        vertical,
        cv2.MORPH_CLOSE,
        cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)),
    )
    return horizontal, vertical


def _mend(rules: Image, ink: Image, dpi: float, vertical: bool) -> Image:
    """The rules with the gaps between two pieces of one rule closed where the line
    across the gap is mostly inked (see _MEND_INKED_SHARE)."""
    span = int(_MEND_SPAN_INCH * dpi)
    at = np.flatnonzero(rules.any(axis=0 if vertical else 1))
    lines = rules[:, at].T if vertical else rules[at]
    steps = np.diff((lines > 0).astype(np.int8), axis=1)
    # A gap opens after a piece ends (-1) and closes where the next piece starts (+1)
    # on the same line; keys order both by line, then by position along it.
    length = lines.shape[1]
    end_line, end = np.nonzero(steps == -1)
    start_line, start = np.nonzero(steps == 1)
    starts = start_line * length + start
    following = np.searchsorted(starts, end_line * length + end)
    mended: Image | None = None
    for line, last, k in zip(end_line, end, following, strict=True):
        if k == len(starts) or start_line[k] != line:
            continue
        a, b, c = int(last) + 1, int(start[k]) + 1, int(at[line])
        if b - a > span:
            continue
        # Ink on the line itself or beside it (a rule is 2-4 px thick).
        across = (
            ink[a:b, max(0, c - 1) : c + 2].any(axis=1)
            if vertical
            else ink[max(0, c - 1) : c + 2, a:b].any(axis=0)
        )
        if across.mean() < _MEND_INKED_SHARE:
            continue
        if mended is None:
            mended = rules.copy()
        if vertical:
            mended[a:b, c] = 255
        else:
            mended[c, a:b] = 255
    return rules if mended is None else mended


def rules_to_grids(horizontal: Image, vertical: Image, dpi: float) -> list[Grid]:
    """Tables formed by connected rules, each with its cells, top to bottom."""
    bridge = max(3, int(_BRIDGE_INCH * dpi))
    # Thicken both ways so rule ends meet and every cell is closed.
    lines = cv2.dilate(
        cv2.bitwise_or(horizontal, vertical),
        cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, bridge)),
    )
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    page_width = lines.shape[1]
    grids = []
    for k in range(1, n):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if w < _MIN_TABLE_WIDTH_SHARE * page_width:
            continue
        region = (labels[y : y + h, x : x + w] == k).astype(np.uint8) * 255
        if not _has_rules(
            horizontal[y : y + h, x : x + w], vertical[y : y + h, x : x + w]
        ):
            continue
        grid = region_to_grid(region, Box(x, y, x + w, y + h), dpi)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: g.box.top)


def region_to_grid(lines: Image, where: Box, dpi: float) -> Grid | None:
    """The cells enclosed by one table's rules, placed on rows and columns.

    Args:
        lines: The table's (thickened) rule mask, cropped to ``where``.
        where: The crop's position on the page.
        dpi: Page resolution.

    Returns:
        The grid, or None when the rules enclose fewer than two cells.
    """
    blank = cv2.bitwise_not(lines)
    n, _, stats, _ = cv2.connectedComponentsWithStats(blank, connectivity=4)
    h, w = lines.shape
    minimum = max(3, int(_MIN_CELL_INCH * dpi))
    boxes = []
    for k in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        touches_edge = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        if touches_edge or bw < minimum or bh < minimum:
            continue
        boxes.append(
            Box(where.x0 + x, where.top + y, where.x0 + x + bw, where.top + y + bh)
        )
    if len(boxes) < 2:
        return None
    tolerance = max(2, int(_EDGE_TOLERANCE_INCH * dpi))
    col_starts = cluster([b.x0 for b in boxes], tolerance)
    row_starts = cluster([b.top for b in boxes], tolerance)
    cells = []
    for b in boxes:
        col = _index(col_starts, b.x0)
        row = _index(row_starts, b.top)
        col_end = _index(col_starts, b.x1, floor=True)
        row_end = _index(row_starts, b.bottom, floor=True)
        cells.append(
            GridCell(b, row, col, max(1, row_end - row + 1), max(1, col_end - col + 1))
        )
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(where, len(row_starts), len(col_starts), cells)


def _index(starts: list[float], position: float, floor: bool = False) -> int:
    """Index of the grid line at ``position`` (or the last one before it, if floor)."""
    if floor:
        before = [i for i, s in enumerate(starts) if s < position]
        return before[-1] if before else 0
    return int(np.argmin([abs(s - position) for s in starts]))


def _has_rules(horizontal: Image, vertical: Image) -> bool:
    h_rules = len(np.flatnonzero(np.diff(horizontal.any(axis=1).astype(np.int8)) == 1))
    v_rules = len(np.flatnonzero(np.diff(vertical.any(axis=0).astype(np.int8)) == 1))
    return h_rules + int(horizontal[0].any()) >= _MIN_RULES and (
        v_rules + int(vertical[:, 0].any()) >= _MIN_RULES
    )


def draw_grids(gray: Image, grids: list[Grid]) -> Image:
    """Debug view: the page in colour with each found cell boxed and labelled r,c."""
    view = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    for grid in grids:
        b = grid.box
        cv2.rectangle(view, (b.x0, b.top), (b.x1, b.bottom), (255, 0, 0), 2)
        for cell in grid.cells:
            c = cell.box
            cv2.rectangle(view, (c.x0, c.top), (c.x1, c.bottom), (0, 0, 255), 1)
            label = f"{cell.row},{cell.col}"
            if cell.row_span > 1 or cell.col_span > 1:
                label += f" {cell.row_span}x{cell.col_span}"
            cv2.putText(
                view,
                label,
                (c.x0 + 2, c.top + 10),
                cv2.FONT_HERSHEY_PLAIN,
                0.7,
                (0, 128, 0),
                1,
            )
    return view
