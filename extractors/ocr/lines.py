"""Text lines on a level page by projection profiles, and crops of them for recognition.

Government reports are set in one column of plain text on white paper, so rows of ink
separated by blank rows are the text lines; within a line, a blank run much wider than
the line is tall separates segments (a centred page number, a date set flush right).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.ocr.engine import Image

# Ink blobs smaller than this many pixels at 150 dpi are scanner noise, not print; the
# smallest printed mark, a 9-pt full stop, is ~9 px at 150 dpi.
_SPECK_AREA_150 = 4
# Blank rows inside one text line (between the strokes of 二/三) are shorter than this
# share of the line's height; a gap between lines of a table cell is ~30% of the line.
_MIN_BAND_SHARE = 0.45
# A blank run this many line heights wide splits a line into segments.
_SEGMENT_GAP = 1.6
# A single text line for the orientation check is this much wider than tall, and at most
# this many times the typical line height.
_LINE_MIN_RATIO = 3
# Text under ~7 pt (0.09 in) is footnote print or rule remnants, not worth classifying.
_LINE_MIN_HEIGHT_INCH = 0.09
_LINE_MAX_HEIGHT = 1.5
# Padding around a line crop in pixels at 150 dpi: the recognizer was trained on crops
# with a little margin and reads the outer strokes badly without it.
_PAD_150 = 4


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels (x1/bottom exclusive)."""

    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.x1 - self.x0


def remove_specks(ink: Image, dpi: float) -> Image:
    """The ink mask without blobs too small to be print."""
    limit = max(2, round(_SPECK_AREA_150 * (dpi / 150.0) ** 2))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, dtype=np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= limit).astype(np.uint8) * 255
    cleaned: Image = keep[labels]
    return cleaned


def ink_to_bands(ink: Image) -> list[tuple[int, int]]:
    """Runs of rows with ink, (top, bottom exclusive), stroke gaps inside a line closed."""
    inked = np.flatnonzero(ink.any(axis=1))
    if inked.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(inked) > 1)
    starts = [int(inked[0]), *(int(inked[b + 1]) for b in breaks)]
    ends = [*(int(inked[b]) + 1 for b in breaks), int(inked[-1]) + 1]
    bands = list(zip(starts, ends, strict=True))
    return _merge_thin(bands)


def _merge_thin(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge a band much thinner than the typical line into its nearer neighbour."""
    if len(bands) < 2:
        return bands
    typical = float(np.median([b - t for t, b in bands]))
    merged = list(bands)
    changed = True
    while changed and len(merged) > 1:
        changed = False
        for i, (top, bottom) in enumerate(merged):
            if bottom - top >= _MIN_BAND_SHARE * typical:
                continue
            up = top - merged[i - 1][1] if i > 0 else None
            down = merged[i + 1][0] - bottom if i + 1 < len(merged) else None
            if up is not None and (down is None or up <= down) and up < typical / 2:
                merged[i - 1 : i + 1] = [(merged[i - 1][0], bottom)]
            elif down is not None and down < typical / 2:
                merged[i : i + 2] = [(top, merged[i + 1][1])]
            else:
                continue
            changed = True
            break
    return merged


def band_to_segments(
    ink: Image, top: int, bottom: int, line_height: float | None = None
) -> list[Box]:
    """Split one text line into segments at blank runs wider than the line is tall.

    ``line_height`` replaces the band's own height as the measure, for bands that hold
    several lines (a wrapped table label beside its figures).
    """
    cols = np.flatnonzero(ink[top:bottom].any(axis=0))
    if cols.size == 0:
        return []
    gap = max(4, int(_SEGMENT_GAP * (line_height or bottom - top)))
    breaks = np.flatnonzero(np.diff(cols) > gap)
    starts = [int(cols[0]), *(int(cols[b + 1]) for b in breaks)]
    ends = [*(int(cols[b]) + 1 for b in breaks), int(cols[-1]) + 1]
    segments = []
    for x0, x1 in zip(starts, ends, strict=True):
        rows = np.flatnonzero(ink[top:bottom, x0:x1].any(axis=1))
        segments.append(Box(x0, top + int(rows[0]), x1, top + int(rows[-1]) + 1))
    return segments


def find_lines(ink: Image) -> list[Box]:
    """Text-line segments of an ink mask (specks already removed), top to bottom."""
    return [
        segment
        for top, bottom in ink_to_bands(ink)
        for segment in band_to_segments(ink, top, bottom)
    ]


def without_strays(ink: Image, box: Box) -> tuple[Box, Image] | None:
    """A text line's box and ink mask without the marks beside its glyphs, if any.

    Glyphs of a figure are as tall as the line, or stand between tall ones (a decimal
    point); a mark wholly left or right of every tall glyph is a stray (a seal's
    remnant, dirt, the end of a rule). Strokes of a glyph broken apart overlap its tall
    part and stay.

    Returns:
        The box around what is kept and the mask of it (box-sized), or None when the
        line has no stray or no tall glyph.
    """
    local = ink[box.top : box.bottom, box.x0 : box.x1]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(local, connectivity=8)
    tall = [k for k in range(1, n) if stats[k, cv2.CC_STAT_HEIGHT] >= box.height / 2]
    if not tall:
        return None
    left = min(int(stats[k, cv2.CC_STAT_LEFT]) for k in tall)
    right = max(
        int(stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH]) for k in tall
    )
    kept = [
        k
        for k in range(1, n)
        if stats[k, cv2.CC_STAT_LEFT] < right
        and stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH] > left
    ]
    if len(kept) == n - 1:
        return None
    mask = np.isin(labels, kept)
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    trimmed = Box(
        box.x0 + int(cols[0]),
        box.top + int(rows[0]),
        box.x0 + int(cols[-1]) + 1,
        box.top + int(rows[-1]) + 1,
    )
    inner = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return trimmed, inner.astype(np.uint8) * 255


def masked_crop(gray: Image, box: Box, mask: Image, dpi: float) -> Image:
    """The crop of a box (as :func:`crop`) with only the ink under ``mask`` kept.

    The mask is widened by a pixel so the blurred edges of the kept strokes stay.
    """
    piece = gray[box.top : box.bottom, box.x0 : box.x1].copy()
    keep = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    piece[keep == 0] = 255
    return _with_margin(piece, dpi)


def crop(gray: Image, box: Box, dpi: float) -> Image:
    """The grayscale crop of a box with a white margin, for the recognizer."""
    return _with_margin(gray[box.top : box.bottom, box.x0 : box.x1], dpi)


def other_renderings(piece: Image) -> list[Image]:
    """A crop with its contrast stretched (faint print darkened), and binarized at Otsu's
    threshold (faint marks around the print dropped), for a second reading."""
    darkest = int(piece.min())
    if darkest >= 255:
        return []
    scale = 255.0 / (255 - darkest)
    stretched = np.clip((piece.astype(np.float32) - darkest) * scale, 0, 255)
    _, binary = cv2.threshold(piece, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return [stretched.astype(np.uint8), binary]


def _with_margin(piece: Image, dpi: float) -> Image:
    pad = max(2, round(_PAD_150 * dpi / 150.0))
    return cv2.copyMakeBorder(piece, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def line_crops(gray: Image, ink: Image, dpi: float) -> list[Image]:
    """Crops of the page's single text lines, longest first (for the orientation check).

    Blobs much taller than the typical line (wrapped table text whose lines touch) are
    left out: the orientation classifier only knows single lines.
    """
    lines = find_lines(remove_specks(ink, dpi))
    if not lines:
        return []
    lowest = _LINE_MIN_HEIGHT_INCH * dpi
    lines = [b for b in lines if b.height >= lowest]
    if not lines:
        return []
    typical = float(np.median([b.height for b in lines]))
    lines = [
        b
        for b in lines
        if b.width > _LINE_MIN_RATIO * b.height
        and b.height <= _LINE_MAX_HEIGHT * typical
    ]
    lines.sort(key=lambda b: -b.width)
    return [crop(gray, b, dpi) for b in lines]
