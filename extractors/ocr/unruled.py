"""Tables printed without rules (or whose grid the scan lost): where they lie, their boxes.

Where no ruling grid encloses them, a table's lines still stand apart from running text:
each printed line breaks into several segments separated by wide blank runs (a label and
its figures). Such a stretch of the page is handed to the text detector, whose boxes are
recognized and then placed on rows and columns (``ocr.unruled_grid``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

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
# Lines thinner than this (inches) are rule remnants or noise.
_MIN_TEXT_HEIGHT_INCH = 0.03
# The detector sees a table without rules with this margin (inches) around its text.
_DETECT_MARGIN_INCH = 0.1
# The detector reads a table in strips this tall (pixels), overlapping by this much.
_STRIP = 384
_STRIP_OVERLAP = 64
# A blank run inside a detector box at least this share of its height wide may part two
# words the detector took together (header words over narrow columns stand ~0.9 of a
# line apart; the characters of a word ~0.1, full-width punctuation leaves up to ~0.65).
_GAP_SHARE = 0.5


@dataclass(frozen=True)
class DetectedBox:
    """A text detector's box fitted to its ink, and the wide blank runs inside it.

    ``gaps`` are (start, end) offsets from the box's left edge of the blank runs at
    least ``_GAP_SHARE`` of its height wide: where its text may be cut into the words
    of several columns (``ocr.unruled_grid``).
    """

    box: Box
    gaps: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Region:
    """Where a table without rules lies on a page.

    ``sure`` when its lines are columnar enough for a table on their own; else it is
    a few lines of two segments or more at the top or bottom of the page body: the
    header or the last rows of a table a page break cut (kept as a table only when
    it joins the part on the page before or after, see ``ocr.parts``).
    """

    box: Box
    sure: bool


def find_unruled_tables(ink: Image, dpi: float, margin: int = 0) -> list[Region]:
    """Stretches of a page whose lines break into columns: tables without a grid.

    Args:
        ink: The page's text ink, with ruled tables already blanked out.
        dpi: Page resolution.
        margin: Lines whose middle lies this close (pixels) to the page's top or
            bottom edge are running headers or page numbers, not the body.

    Returns:
        One region per table, top to bottom, spanning its header and rows.
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
    page_height = ink.shape[0]
    body = [
        i
        for i, line in enumerate(lines)
        if margin <= (line[0].top + _bottom(line)) / 2 <= page_height - margin
    ]
    tables = _columnar_runs(lines, height, body[-1] if body else -1)
    regions = [Region(_extent([lines[i] for i in t]), True) for t in tables]
    taken = {i for t in tables for i in t}
    for edge in _edge_runs(lines, body, taken, height):
        regions.append(Region(_extent([lines[i] for i in edge]), False))
    return sorted(regions, key=lambda r: r.box.top)


def _columnar_runs(
    lines: list[list[Box]], height: float, last_body: int
) -> list[list[int]]:
    """Runs of lines (indexes) columnar enough to be tables on their own.

    Short lines after a run's last row (a wrapped label's last line) belong to it
    when another row follows, or when they end the page body (a page break cut the
    table there).
    """
    tables: list[list[int]] = []
    run: list[int] = []
    pending: list[int] = []  # lines after the run's last row, kept if one follows
    start = 0  # the first line not yet in a table

    def close(end: int) -> int:
        kept = pending if pending and pending[-1] == last_body else []
        return _close(lines, run + kept, tables, end - len(pending) + len(kept), start)

    for index, line in enumerate(lines):
        last = pending[-1] if pending else run[-1] if run else None
        near = last is not None and _near(lines[last], line, height)
        if len(line) >= _MIN_ROW_SEGMENTS or (near and len(line) >= 2):
            if near:
                run += [*pending, index]
            else:
                start = close(index)
                run = [*_header_above(lines, start, index, height), index]
            pending = []
        elif near and _inside(line, [lines[i] for i in run]):
            pending.append(index)
        elif run:
            start = close(index)
            run, pending = [], []
    close(len(lines))
    return tables


def _edge_runs(
    lines: list[list[Box]], body: list[int], taken: set[int], height: float
) -> list[list[int]]:
    """Runs of segmented lines that open or close the page body outside the tables.

    A page break leaves a table's header or last rows at the bottom of one page and
    a row or two at the top of the next, too few to tell a table by (a label and two
    figures); their lines still break into segments, which body text does not.
    """
    runs: list[list[int]] = []
    for ends in (body, body[::-1]):
        run: list[int] = []
        for i in ends:
            line = lines[i]
            if i in taken or any(i in r for r in runs):
                break
            if run:
                above, below = sorted((lines[run[-1]], line), key=lambda x: x[0].top)
                if not _near(above, below, height):
                    break
            if len(line) < 2 and not (run and _inside(line, [lines[j] for j in run])):
                break
            run.append(i)
        if any(len(lines[i]) >= 2 for i in run):
            runs.append(sorted(run))
    return runs


def _near(above: list[Box], below: list[Box], height: float) -> bool:
    """Whether two lines are close enough to be rows of one table."""
    return below[0].top - _bottom(above) <= _MAX_ROW_GAP * height


def _extent(lines: list[list[Box]]) -> Box:
    return Box(
        min(s.x0 for line in lines for s in line),
        min(s.top for line in lines for s in line),
        max(s.x1 for line in lines for s in line),
        max(s.bottom for line in lines for s in line),
    )


def _close(
    lines: list[list[Box]],
    run: list[int],
    tables: list[list[int]],
    end: int,
    start: int,
) -> int:
    """Keep a run of lines as a table when enough of them are columnar.

    Returns:
        The first line a next table may take (``end`` if this run was kept).
    """
    sizes = [len(lines[i]) for i in run]
    rows = sum(1 for n in sizes if n >= _MIN_ROW_SEGMENTS)
    if rows >= _MIN_TABLE_ROWS or any(n >= _MIN_WIDE_SEGMENTS for n in sizes):
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
) -> list[int]:
    """The lines right above a table's first row (its header), from ``start`` on."""
    header: list[int] = []
    below = lines[index][0].top
    for i in range(index - 1, start - 1, -1):
        if below - _bottom(lines[i]) > _HEADER_GAP * height:
            break
        header.insert(0, i)
        below = lines[i][0].top
    return header


def detect_boxes(
    image: Image, ink: Image, region: Box, dpi: float, engine: OcrEngine
) -> list[DetectedBox]:
    """The text detector's boxes in a region of a page, fitted to their ink.

    Args:
        image: The prepared page (grayscale).
        ink: Its text ink (rules removed), to fit the boxes to.
        region: Where a table without rules lies (:func:`find_unruled_tables`).
        dpi: Page resolution.
        engine: The OCR engine.

    Returns:
        Boxes in page pixels with the wide blank runs inside them. The detector's
        boxes carry a margin of their own; fitted to the ink they measure like a
        cell's text lines (the page's figure width check compares widths).
    """
    pad = round(_DETECT_MARGIN_INCH * dpi)
    h, w = image.shape[:2]
    x0, top = max(0, region.x0 - pad), max(0, region.top - pad)
    x1, bottom = min(w, region.x1 + pad), min(h, region.bottom + pad)
    minimum = max(2, round(_MIN_TEXT_HEIGHT_INCH * dpi))
    # A detector box's margin may take in strokes of the line above or below (more
    # so as the detector sees the page at a lower resolution): a box holds the ink
    # blobs whose middle lies inside it, not every inked pixel it covers.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        ink[top:bottom, x0:x1], connectivity=8
    )
    left, upper = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    right = left + stats[1:, cv2.CC_STAT_WIDTH]
    lower = upper + stats[1:, cv2.CC_STAT_HEIGHT]
    middle_x, middle_y = (left + right) / 2, (upper + lower) / 2
    # Two strips may both keep a box of a line in their overlap (its middle a pixel
    # apart in each): a box holding only blobs a box before it held is that line again.
    taken = np.zeros(len(left), dtype=bool)
    found = []
    for a, b, c, d in _detect_in_strips(image[top:bottom, x0:x1], dpi, engine):
        held = (a <= middle_x) & (middle_x < c) & (b <= middle_y) & (middle_y < d)
        if not (held & ~taken).any():
            continue
        taken |= held
        a, b = max(a, int(left[held].min())), max(b, int(upper[held].min()))
        c, d = min(c, int(right[held].max())), min(d, int(lower[held].max()))
        if d - b < minimum:
            continue
        # Component k is row k - 1 of the stats taken above (0 is the background).
        inked = np.isin(labels[b:d, a:c], np.flatnonzero(held) + 1)
        gaps = _blank_runs(np.asarray(inked.any(axis=0)), _GAP_SHARE * (d - b))
        found.append(DetectedBox(Box(x0 + a, top + b, x0 + c, top + d), gaps))
    return found


def _blank_runs(
    inked: npt.NDArray[np.bool_], least: float
) -> tuple[tuple[int, int], ...]:
    """(start, end) of the runs of False in a column profile at least ``least`` long."""
    edges = np.flatnonzero(np.diff(np.r_[1, inked.astype(np.int8), 1]))
    runs = zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)
    return tuple((start, end) for start, end in runs if end - start >= least)


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
