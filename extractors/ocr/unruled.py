"""Tables printed without rules (or whose grid the scan lost): text boxes → rows, columns.

Where no ruling grid encloses them, a table's lines still stand apart from running text:
each printed line breaks into several segments separated by wide blank runs (a label and
its figures). Such a stretch of the page is handed to the text detector, whose boxes are
recognized, then placed on a grid: rows by their baselines, columns by the x-alignment
of the figures (right of the labels), and the header words above the figures on the
columns they stand over, so the mapper sees the header row(s) as printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from extractors.geometry import cluster
from extractors.ocr.engine import Image, OcrEngine
from extractors.ocr.lines import Box, band_to_segments, ink_to_bands

# A printed line is a table row when it breaks into at least this many segments, and a
# stretch of the page is a table when it holds at least _MIN_TABLE_ROWS such lines or
# one line of at least _MIN_WIDE_SEGMENTS (table 4 has one row of 15 figures).
_MIN_ROW_SEGMENTS = 3
_MIN_TABLE_ROWS = 2
_MIN_WIDE_SEGMENTS = 6
# The lines right above a table's first row, closer than this many line heights to
# each other, are its header (column words that run together, stacked header lines);
# a heading or paragraph before a table stands further off.
_HEADER_GAP = 1.0
# A line inside a table (between its rows) covers less than this share of its width;
# a paragraph or heading line runs across.
_MAX_INNER_SHARE = 0.5
# Two table rows this many line heights apart (blank between) still belong together.
_MAX_ROW_GAP = 2.5
# Boxes whose baselines lie within this share of the line height share a row; figures
# whose centres lie within this share of it share a column.
_BASELINE_TOLERANCE = 0.5
_COLUMN_TOLERANCE = 1.0
# Lines thinner than this (inches) are rule remnants or noise.
_MIN_TEXT_HEIGHT_INCH = 0.03
# The detector sees a table without rules with this margin (inches) around its text.
_DETECT_MARGIN_INCH = 0.1
# The detector reads a table in strips this tall (pixels), overlapping by this much.
_STRIP = 384
_STRIP_OVERLAP = 64


@dataclass(frozen=True)
class ReadBox:
    """A detected text box and what the recognizer read in it."""

    box: Box
    text: str
    confidence: float
    figure: bool


@dataclass(frozen=True)
class PlacedCell:
    """A cell of a rebuilt table: grid place and the boxes that fill it."""

    row: int
    col: int
    col_span: int
    boxes: tuple[ReadBox, ...]


def find_unruled_tables(ink: Image, dpi: float) -> list[Box]:
    """Stretches of a page whose lines break into columns: tables without a grid.

    Args:
        ink: The page's text ink, with ruled tables already blanked out.
        dpi: Page resolution.

    Returns:
        One box per table, top to bottom, spanning its header and rows.
    """
    minimum = max(2, round(_MIN_TEXT_HEIGHT_INCH * dpi))
    bands = [(t, b) for t, b in ink_to_bands(ink) if b - t >= minimum]
    if not bands:
        return []
    height = float(np.median([b - t for t, b in bands]))
    lines = []
    for top, bottom in bands:
        segments = band_to_segments(ink, top, bottom, height)
        segments = [s for s in segments if s.height >= minimum]
        if segments:
            lines.append(segments)
    tables: list[list[list[Box]]] = []
    run: list[list[Box]] = []
    pending: list[list[Box]] = []  # lines after the run's last row, kept if one follows
    start = 0  # the first line not yet in a table
    for index, line in enumerate(lines):
        last = pending[-1] if pending else run[-1] if run else None
        near = last is not None and line[0].top - _bottom(last) <= _MAX_ROW_GAP * height
        if len(line) >= _MIN_ROW_SEGMENTS or (near and len(line) >= 2):
            if near:
                run += [*pending, line]
            else:
                start = _close(run, tables, index - len(pending), start)
                run = [*_header_above(lines, start, index, height), line]
            pending = []
        elif near and _inside(line, run):
            pending.append(line)
        elif run:
            start = _close(run, tables, index - len(pending), start)
            run, pending = [], []
    _close(run, tables, len(lines), start)
    return [
        Box(
            min(s.x0 for line in t for s in line),
            min(s.top for line in t for s in line),
            max(s.x1 for line in t for s in line),
            max(s.bottom for line in t for s in line),
        )
        for t in tables
    ]


def _close(
    run: list[list[Box]], tables: list[list[list[Box]]], end: int, start: int
) -> int:
    """Keep a run of lines as a table when enough of them are columnar.

    Returns:
        The first line a next table may take (``end`` if this run was kept).
    """
    rows = sum(1 for line in run if len(line) >= _MIN_ROW_SEGMENTS)
    if rows >= _MIN_TABLE_ROWS or any(len(line) >= _MIN_WIDE_SEGMENTS for line in run):
        tables.append(run)
        return end
    return start


def _inside(line: list[Box], run: list[list[Box]]) -> bool:
    """Whether a one- or two-segment line sits within a table's columns (a wrapped
    label, a spanning sub-heading) rather than across the page (body text)."""
    x0 = min(s.x0 for r in run for s in r)
    x1 = max(s.x1 for r in run for s in r)
    width = sum(s.width for s in line)
    return width < _MAX_INNER_SHARE * (x1 - x0)


def _bottom(line: list[Box]) -> int:
    return max(s.bottom for s in line)


def _header_above(
    lines: list[list[Box]], start: int, index: int, height: float
) -> list[list[Box]]:
    """The lines right above a table's first row (its header), from ``start`` on."""
    header: list[list[Box]] = []
    below = lines[index][0].top
    for line in reversed(lines[start:index]):
        if below - _bottom(line) > _HEADER_GAP * height:
            break
        header.insert(0, line)
        below = line[0].top
    return header


def detect_boxes(
    image: Image, ink: Image, region: Box, dpi: float, engine: OcrEngine
) -> list[Box]:
    """The text detector's boxes in a region of a page, fitted to their ink.

    Args:
        image: The prepared page (grayscale).
        ink: Its text ink (rules removed), to fit the boxes to.
        region: Where a table without rules lies (:func:`find_unruled_tables`).
        dpi: Page resolution.
        engine: The OCR engine.

    Returns:
        Boxes in page pixels. The detector's boxes carry a margin of their own;
        fitted to the ink they measure like a cell's text lines (the page's figure
        width check compares widths).
    """
    pad = round(_DETECT_MARGIN_INCH * dpi)
    h, w = image.shape[:2]
    x0, top = max(0, region.x0 - pad), max(0, region.top - pad)
    x1, bottom = min(w, region.x1 + pad), min(h, region.bottom + pad)
    minimum = max(2, round(_MIN_TEXT_HEIGHT_INCH * dpi))
    found = []
    for a, b, c, d in _detect_in_strips(image[top:bottom, x0:x1], dpi, engine):
        local = ink[top + b : top + d, x0 + a : x0 + c]
        rows = np.flatnonzero(local.any(axis=1))
        cols = np.flatnonzero(local.any(axis=0))
        if rows.size == 0 or rows[-1] - rows[0] + 1 < minimum:
            continue
        found.append(
            Box(
                x0 + a + int(cols[0]),
                top + b + int(rows[0]),
                x0 + a + int(cols[-1]) + 1,
                top + b + int(rows[-1]) + 1,
            )
        )
    return found


def _detect_in_strips(
    image: Image, dpi: float, engine: OcrEngine
) -> list[tuple[int, int, int, int]]:
    """Detector boxes of a tall image, found strip by strip.

    The detector's memory grows with its input (a whole table at 150 dpi took ~170 MB
    more); strips overlap by more than a text line, and a box is kept from the strip
    whose own (non-overlapping) part holds its middle.
    """
    h = image.shape[0]
    boxes = []
    for start in range(0, h, _STRIP):
        low, high = (
            max(0, start - _STRIP_OVERLAP),
            min(h, start + _STRIP + _STRIP_OVERLAP),
        )
        for a, b, c, d in engine.detect(image[low:high], dpi):
            if start <= low + (b + d) / 2 < start + _STRIP:
                boxes.append((a, low + b, c, low + d))
    return boxes


def place_boxes(boxes: Sequence[ReadBox]) -> tuple[list[PlacedCell], int, int]:
    """Rows by baselines, columns by figure alignment; header words over their columns.

    The rows are the baselines of the figures (a row holds a figure or more); a
    label wraps over lines around its figures' baseline, so every other box below the
    header joins the figure row nearest it. Lines above the first figure row are header
    rows of their own. Columns are the x-alignments of the figures; every box left of
    the first of them is a label, on label columns of its own (aligned by centre, as
    cells centre their text). A box right of the labels takes the figure column nearest
    its centre and spans the figure columns its width covers (a header over merged
    columns). Figure rows get a cell at every figure column, blank where nothing is
    printed, so figures keep their places.

    Returns:
        The cells, the number of rows and the number of columns.
    """
    if not boxes:
        return [], 0, 0
    height = float(np.median([b.box.height for b in boxes]))
    lines = _rows(boxes, _BASELINE_TOLERANCE * height)
    figure_rows = [line for line in lines if any(b.figure for b in line)]
    if not figure_rows:
        return [], 0, 0
    tolerance = _COLUMN_TOLERANCE * height
    # The columns are where the fullest rows put their figures; a row of fewer
    # figures may centre one over merged columns (a 2019 table 2 sub-table).
    most = max(sum(b.figure for b in line) for line in figure_rows)
    anchors = cluster(
        [
            _centre(b)
            for line in figure_rows
            if sum(b.figure for b in line) == most
            for b in line
            if b.figure
        ],
        tolerance,
    )
    first_top = min(b.box.top for b in figure_rows[0])
    header = [
        line
        for line in lines
        if line not in figure_rows and all(b.box.bottom <= first_top for b in line)
    ]
    rows: list[list[ReadBox]] = [*header, *(list(line) for line in figure_rows)]
    first = anchors[0] - tolerance
    middles = [_middle(line) for line in figure_rows]
    for line in lines:
        if line in figure_rows or line in header:
            continue
        if any(_centre(b) >= first for b in line):
            # Words over the figure columns: a sub-table's header or a heading row.
            rows.append(list(line))
            continue
        for b in line:
            nearest = int(np.argmin([abs(m - _middle([b])) for m in middles]))
            rows[len(header) + nearest].append(b)
    rows.sort(key=_middle)
    label_centres = [_centre(b) for row in rows for b in row if _centre(b) < first]
    labels = cluster(label_centres, tolerance)
    cells: list[PlacedCell] = []
    for r, row in enumerate(rows):
        figures = any(b.figure for b in row)
        # Blanks hold the places of missing figures only where the figures stand on
        # the columns; figures over merged columns are read in order instead.
        aligned = all(
            min(abs(_centre(b) - a) for a in anchors) <= tolerance
            for b in row
            if b.figure
        )
        cells.extend(_row_cells(r, row, labels, anchors, first, figures and aligned))
    return cells, len(rows), len(labels) + len(anchors)


def _row_cells(
    r: int,
    row: list[ReadBox],
    labels: list[float],
    anchors: list[float],
    first: float,
    figures: bool,
) -> list[PlacedCell]:
    """One row's boxes on the label and figure columns (see :func:`place_boxes`)."""
    taken: dict[int, list[ReadBox]] = {}
    spans: dict[int, int] = {}
    for b in row:
        if labels and _centre(b) < first:
            col, span = _nearest(labels, _centre(b)), 1
        else:
            k = _nearest(anchors, _centre(b))
            covered = [i for i, a in enumerate(anchors) if b.box.x0 <= a <= b.box.x1]
            start = min([k, *covered])
            span = max([k, *covered]) - start + 1
            col = len(labels) + start
        taken.setdefault(col, []).append(b)
        spans[col] = max(spans.get(col, 1), span)
    if figures:
        for k in range(len(anchors)):
            taken.setdefault(len(labels) + k, [])
    cells = []
    covered_until = -1
    for col in sorted(taken):
        if col <= covered_until:  # under a wider header box on the left
            continue
        span = spans.get(col, 1)
        # A wrapped label reads top line first.
        ordered = sorted(taken[col], key=lambda b: (b.box.top, b.box.x0))
        cells.append(PlacedCell(r, col, span, tuple(ordered)))
        covered_until = col + span - 1
    return cells


def _rows(boxes: Sequence[ReadBox], tolerance: float) -> list[list[ReadBox]]:
    """Boxes grouped by baseline (box bottom), top to bottom, each row left to right."""
    rows: list[list[ReadBox]] = []
    for b in sorted(boxes, key=lambda b: b.box.bottom):
        if rows and b.box.bottom - rows[-1][-1].box.bottom <= tolerance:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [sorted(row, key=lambda b: b.box.x0) for row in rows]


def _middle(line: Sequence[ReadBox]) -> float:
    return (min(b.box.top for b in line) + max(b.box.bottom for b in line)) / 2


def _centre(b: ReadBox) -> float:
    return (b.box.x0 + b.box.x1) / 2


def _nearest(positions: list[float], x: float) -> int:
    return int(np.argmin([abs(p - x) for p in positions]))
