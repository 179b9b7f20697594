"""One scanned page to table grids and text lines: prepare, find grids, recognize.

Every crop of the page (each text line of each cell, each line of running text) is
recognized in one batched call, which keeps the recognizer busy with full batches. Cells
whose reading is a number take the numbers-only reading of the same model output.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractors.document import BBox, Table, TableCell
from extractors.ocr.engine import SURE_READING, Image, LineReading, OcrEngine
from extractors.ocr.grid import Grid, GridCell, ink_to_rules, rules_to_grids
from extractors.ocr.lines import (
    Box,
    band_to_segments,
    crop,
    ink_to_bands,
    line_crops,
    masked_crop,
    other_renderings,
    remove_specks,
    without_strays,
)
from extractors.ocr.prepare import PreparedPage, prepare_page
from extractors.ocr.unruled import detect_boxes, find_unruled_tables
from extractors.ocr.unruled_grid import ReadBox
from extractors.textnorm import has_cjk

_log = logging.getLogger(__name__)

ENGINE = "ocr"
# Running headers and page numbers sit in the top and bottom margins of a page: text
# whose middle lies in this share of the page height at either end is marked, and the
# layout drops it when it is a page number or repeats on other pages (an A4 report's
# body starts ~12% down; a tightly cropped scan may start its title higher).
_MARGIN_SHARE = 0.08
# A cell's ink this close to its edge (inches) is a remnant of the rule, not text.
_CELL_INSET_INCH = 0.01
# Lines thinner than this (inches) inside a cell are rule remnants or noise.
_MIN_TEXT_HEIGHT_INCH = 0.03


# Ink width of a glyph in digit widths (min, max); the digit width is measured on each
# page (fonts differ: WenQuanYi's digits are 0.73 of their height, SimSun's ~0.7), so
# one dropped or doubled character in a figure of up to four digits falls outside.
_GLYPH_WIDTHS: dict[str, tuple[float, float]] = {
    **dict.fromkeys("023456789", (0.85, 1.15)),
    "1": (0.35, 1.15),
    "增": (1.0, 1.8),
    "减": (1.0, 1.8),
    ".": (0.1, 0.6),
    ",": (0.1, 0.6),
    "-": (0.3, 1.6),
    "/": (0.2, 1.0),
}
_FIT_SLACK = 0.1
# A digit's ink width over its height when a page has too few figures to measure it.
_DEFAULT_DIGIT_WIDTH = 0.75
_MIN_DIGIT_SAMPLES = 5
# Confidence given to a figure whose reading does not fit its ink, or that was read as
# letters (below LOW_CONFIDENCE of the mapper, so it is flagged).
_MISFIT_CONFIDENCE = 0.5
# Readings of at most this many Latin marks may be a figure read as letters.
_MAX_BROKEN_FIGURE = 4


@dataclass
class OcrLine:
    """A line of running text outside the tables, as read."""

    box: Box
    text: str
    confidence: float
    in_margin: bool = False


@dataclass(frozen=True)
class UnruledPart:
    """A table without rules as found on one page: its text boxes, read.

    It becomes a table (alone or joined with the part a page break cut off, see
    ``ocr.parts``) once the pages around it are read. ``sure`` as in
    :class:`~extractors.ocr.unruled.Region`.
    """

    page: int
    dpi: float
    region: Box
    boxes: tuple[ReadBox, ...]
    sure: bool


@dataclass
class PageOcr:
    """What OCR found on one page, in page pixels of the prepared image."""

    number: int
    dpi: float
    height: int
    lines: list[OcrLine] = field(default_factory=list)
    tables: list[tuple[Box, Table]] = field(default_factory=list)
    parts: list[UnruledPart] = field(default_factory=list)
    skew: float = 0.0
    turned: int = 0


def ocr_page(gray: Image, dpi: float, number: int, engine: OcrEngine) -> PageOcr:
    """Recognize one page image: level it, read its ruled tables and its text lines.

    Args:
        gray: The page, grayscale.
        dpi: Its resolution (for the size thresholds and point coordinates).
        number: 1-based page number, recorded on cells.
        engine: The OCR engine.

    Returns:
        The page's text lines and tables; ``Table.order`` is left 0 for the reader.
    """
    page = prepare_page(gray, dpi, engine, line_crops)
    clean = remove_specks(page.ink, dpi)
    horizontal, vertical = ink_to_rules(page.ink, dpi)
    grids = rules_to_grids(horizontal, vertical, dpi)
    # Rules are taken out of the text with a pixel's margin: blur leaves a fringe.
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    cell_ink = cv2.bitwise_and(clean, cv2.bitwise_not(rules))
    # Rules outside tables (a header's underline) are not text either.
    text_ink = cell_ink.copy()
    for grid in grids:
        b = grid.box
        text_ink[b.top : b.bottom, b.x0 : b.x1] = 0
    crops: list[Image] = []
    boxes: list[Box] = []
    cell_lines: list[list[list[int]]] = []
    for grid in grids:
        per_cell = []
        for cell in grid.cells:
            found = _cell_lines(cell_ink, cell.box, dpi)
            per_cell.append(list(range(len(crops), len(crops) + len(found))))
            crops.extend(crop(page.image, b, dpi) for b in found)
            boxes.extend(found)
        cell_lines.append(per_cell)
    # Tables without a grid: the detector finds their text boxes.
    margin = round(_MARGIN_SHARE * page.image.shape[0])
    unruled = find_unruled_tables(text_ink, dpi, margin)
    detected: list[list[int]] = []
    gaps: dict[int, tuple[tuple[int, int], ...]] = {}
    for region in unruled:
        fitted = detect_boxes(page.image, cell_ink, region.box, dpi, engine)
        detected.append(list(range(len(crops), len(crops) + len(fitted))))
        for d in fitted:
            gaps[len(crops)] = d.gaps
            crops.append(crop(page.image, d.box, dpi))
            boxes.append(d.box)
        b = region.box
        text_ink[b.top : b.bottom, b.x0 : b.x1] = 0
    text_boxes = _body_lines(text_ink, page)
    first_text = len(crops)
    crops.extend(crop(page.image, b, dpi) for b in text_boxes)
    readings = engine.read_lines(crops)
    result = PageOcr(
        number, dpi, page.image.shape[0], skew=page.skew, turned=page.turned
    )
    # The page's own digit width, from its one-line figure cells (see fits_ink).
    unit = digit_width(
        [
            (readings[lines[0]].numeric or "", boxes[lines[0]])
            for per_cell in cell_lines
            for lines in per_cell
            if len(lines) == 1
        ]
        + [(readings[i].numeric or "", boxes[i]) for d in detected for i in d]
    )
    one_line = [
        lines[0] for per_cell in cell_lines for lines in per_cell if len(lines) == 1
    ]
    _reread_doubtful_figures(
        one_line, readings, boxes, page.image, cell_ink, unit, dpi, engine
    )
    for grid, per_cell in zip(grids, cell_lines, strict=True):
        table = _grid_to_table(grid, per_cell, readings, boxes, unit, number, dpi)
        result.tables.append((grid.box, table))
    result.tables.sort(key=lambda pair: pair[0].top)
    for region, indexes in zip(unruled, detected, strict=True):
        read = tuple(
            _read_box(readings[i], boxes[i], crops[i], gaps[i], unit, number)
            for i in indexes
        )
        result.parts.append(UnruledPart(number, dpi, region.box, read, region.sure))
    for i, box in enumerate(text_boxes):
        reading = readings[first_text + i]
        if reading.text.strip():
            margin = _in_margin(box, page.image.shape[0])
            result.lines.append(OcrLine(box, reading.text, reading.confidence, margin))
    return result


def _cell_lines(ink: Image, box: Box, dpi: float) -> list[Box]:
    """The text lines inside one cell, in page pixels."""
    inset = max(1, round(_CELL_INSET_INCH * dpi))
    x0, top = box.x0 + inset, box.top + inset
    x1, bottom = box.x1 - inset, box.bottom - inset
    if x1 <= x0 or bottom <= top:
        return []
    local = ink[top:bottom, x0:x1]
    minimum = max(2, round(_MIN_TEXT_HEIGHT_INCH * dpi))
    lines = []
    for band_top, band_bottom in ink_to_bands(local):
        if band_bottom - band_top < minimum:
            continue
        cols = np.flatnonzero(local[band_top:band_bottom].any(axis=0))
        lines.append(
            Box(
                x0 + int(cols[0]),
                top + band_top,
                x0 + int(cols[-1]) + 1,
                top + band_bottom,
            )
        )
    return lines


def _body_lines(ink: Image, page: PreparedPage) -> list[Box]:
    """Text-line segments outside tables, top to bottom."""
    minimum = max(2, round(_MIN_TEXT_HEIGHT_INCH * page.dpi))
    boxes: list[Box] = []
    for top, bottom in ink_to_bands(ink):
        if bottom - top >= minimum:
            segments = band_to_segments(ink, top, bottom)
            boxes.extend(b for b in segments if b.height >= minimum)
    return boxes


def _reread_doubtful_figures(
    indexes: list[int],
    readings: list[LineReading],
    boxes: list[Box],
    gray: Image,
    ink: Image,
    unit: float,
    dpi: float,
    engine: OcrEngine,
) -> None:
    """Figures that read badly, read again from other renderings of their ink (in place).

    A seal's remnant or a speck beside a figure is read as one more character (1 as
    15, 7 as 7.), and print lifted out of seal ink is faint and crossed by what is left
    of the seal's strokes (1 read as nothing, 11 as 1). A doubtful figure (see
    :func:`doubtful_figure`) is read again from its tall glyphs alone when marks stand
    beside them, and from its crop with the contrast stretched and binarized; the
    surest of those readings that is a clean figure fitting its ink is taken when it
    is no less sure than the first. Otherwise the first stays (flagged).
    """
    retry: list[tuple[int, Box]] = []
    crops: list[Image] = []
    for i in indexes:
        if not doubtful_figure(readings[i], boxes[i], unit):
            continue
        trimmed = without_strays(ink, boxes[i])
        box = boxes[i] if trimmed is None else trimmed[0]
        plain = (
            crop(gray, box, dpi)
            if trimmed is None
            else masked_crop(gray, box, trimmed[1], dpi)
        )
        for rendering in (plain, *other_renderings(plain)):
            retry.append((i, box))
            crops.append(rendering)
    for (i, box), again in zip(retry, engine.read_lines(crops), strict=True):
        text = again.numeric
        if (
            text
            and _clean_figure(text)
            and fits_ink(text, box, unit)
            and again.numeric_confidence >= _figure_certainty(readings[i])
        ):
            readings[i] = again
            boxes[i] = box


def doubtful_figure(reading: LineReading, box: Box, unit: float) -> bool:
    """Whether a one-line cell's reading may be a figure read wrong: a figure that does
    not start and end as figures do, does not fit its ink or is not sure, or a few marks
    that are not text (nothing read, a broken figure read as letters)."""
    text = reading.numeric
    if text and any(c.isdigit() for c in text):
        return (
            not (_clean_figure(text) and fits_ink(text, box, unit))
            or reading.numeric_confidence < SURE_READING
        )
    return not has_cjk(reading.text) and len(reading.text) <= _MAX_BROKEN_FIGURE


def _figure_certainty(reading: LineReading) -> float:
    """How sure a reading is as a figure (0 when it is not one)."""
    return reading.numeric_confidence if reading.numeric else 0.0


def _clean_figure(text: str) -> bool:
    """Whether a figure's reading starts and ends as figures do (no stray mark read)."""
    return text[-1].isdigit() and (text[0].isdigit() or text[0] in "增减")


def _read_box(
    reading: LineReading,
    box: Box,
    image: Image,
    gaps: tuple[tuple[int, int], ...],
    unit: float,
    number: int,
) -> ReadBox:
    """A detected box's reading; a figure whose reading does not fit its ink is doubtful.

    Where the text read is the plain text reading, its characters are placed (offsets
    from the box's left edge; the crop has an equal margin either side).
    """
    text, confidence = read_cell([reading])
    figure = reading.numeric is not None and text == reading.numeric
    if figure and not fits_ink(text, box, unit):
        confidence = min(confidence, _MISFIT_CONFIDENCE)
    places: tuple[float, ...] = ()
    if text == reading.text and len(reading.positions) == len(text):
        width = image.shape[1]
        margin = (width - box.width) / 2
        places = tuple(p * width - margin for p in reading.positions)
    return ReadBox(box, text, confidence, figure, number, places, gaps)


def _in_margin(box: Box, height: int) -> bool:
    middle = (box.top + box.bottom) / 2
    return not _MARGIN_SHARE * height <= middle <= (1 - _MARGIN_SHARE) * height


def _grid_to_table(
    grid: Grid,
    per_cell: list[list[int]],
    readings: list[LineReading],
    boxes: list[Box],
    unit: float,
    number: int,
    dpi: float,
) -> Table:
    cells = [
        _to_cell(
            cell,
            [readings[i] for i in indexes],
            [boxes[i] for i in indexes],
            unit,
            number,
            dpi,
        )
        for cell, indexes in zip(grid.cells, per_cell, strict=True)
    ]
    return Table(
        order=0,
        n_rows=grid.n_rows,
        n_cols=grid.n_cols,
        cells=cells,
        page=number,
        pages=[number],
        engine=ENGINE,
    )


def _to_cell(
    cell: GridCell,
    lines: list[LineReading],
    boxes: list[Box],
    unit: float,
    number: int,
    dpi: float,
) -> TableCell:
    """A table cell from the readings of its lines; blank cells are read with certainty."""
    text, confidence = read_cell(lines)
    if len(boxes) == 1 and text and not fits_ink(text, boxes[0], unit):
        confidence = min(confidence, _MISFIT_CONFIDENCE)
    return TableCell(
        row=cell.row,
        col=cell.col,
        row_span=cell.row_span,
        col_span=cell.col_span,
        text=text,
        page=number,
        bbox=to_points(cell.box, dpi),
        confidence=round(confidence, 4),
    )


def read_cell(lines: list[LineReading]) -> tuple[str, float]:
    """A cell's text and confidence from its lines' readings.

    A one-line cell whose numbers-only reading has a digit is a figure and takes that
    reading; other cells join their lines (CJK text wraps without spaces).
    """
    if not lines:
        return "", 1.0
    if len(lines) == 1:
        line = lines[0]
        if line.numeric and any(c.isdigit() for c in line.numeric):
            return line.numeric, line.numeric_confidence
        if line.numeric is None and _reads_as_broken_figure(line):
            # Flagged: a glyph the recognizer took for a letter is read as a digit.
            return line.digits, min(line.digits_confidence, _MISFIT_CONFIDENCE)
    return "".join(r.text for r in lines), min(r.confidence for r in lines)


def _reads_as_broken_figure(line: LineReading) -> bool:
    """Whether a line read as a few Latin marks reads as a figure when forced to digits
    (a figure broken by a seal's stroke: 0 read as Q, 7 as T, 1 as f)."""
    return (
        len(line.text) <= _MAX_BROKEN_FIGURE
        and not has_cjk(line.text)
        and line.digits.isdigit()
        and len(line.digits) == len(line.text)
    )


def digit_width(figures: list[tuple[str, Box]]) -> float:
    """A page's digit width (ink width over height) from its plain-digit figures."""
    samples = [
        box.width / max(box.height, 1) / len(text)
        for text, box in figures
        if text.isdigit() and "1" not in text
    ]
    if len(samples) < _MIN_DIGIT_SAMPLES:
        return _DEFAULT_DIGIT_WIDTH
    return float(np.median(samples))


def fits_ink(text: str, box: Box, unit: float) -> bool:
    """Whether a figure's reading is as wide as its ink, in the page's digit widths.

    A recognizer that drops or doubles a character (减5 read as 5, 13 as 1) still
    reports high confidence for what it emitted; the width of the ink does not lie.
    Text other than figures is not judged.
    """
    if any(ch not in _GLYPH_WIDTHS for ch in text):
        return True
    low = sum(_GLYPH_WIDTHS[ch][0] for ch in text) * unit
    high = sum(_GLYPH_WIDTHS[ch][1] for ch in text) * unit
    ratio = box.width / max(box.height, 1)
    return low * (1 - _FIT_SLACK) <= ratio <= high * (1 + _FIT_SLACK)


def to_points(box: Box, dpi: float) -> BBox:
    """A pixel box as a BBox in points (1/72 in)."""
    k = 72.0 / dpi
    return BBox(x0=box.x0 * k, top=box.top * k, x1=box.x1 * k, bottom=box.bottom * k)
