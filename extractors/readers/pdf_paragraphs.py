"""Text PDF lines into paragraphs: running headers and footers, margins, breaks.

Works on :class:`~extractors.readers.pdf_text.Line` objects of whole pages; a page's
margins decide where a paragraph starts (indent, short line, numbering, font change,
wide gap), and lines repeated in the page margins are running headers or page numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from extractors.readers.pdf_text import NUMBERED_START, Line

# Page numbers as printed in footers: "- 1 -", "第 1 页", "1/6", "第1页 共6页".
_PAGE_NUMBER = re.compile(
    r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$"
    r"|^\d+\s*/\s*\d+$|^[Pp]age\s*\d+(?:\s*of\s*\d+)?$"
)
# Share of the page height at top and bottom where running headers and footers live.
_MARGIN_ZONE = 0.12
# Tolerance (pt) when deciding that a line starts at the body's left margin.
_INDENT_SHARE = 0.8
# A line ending this many font sizes before the right margin ends its paragraph.
_SHORT_LINE_SHARE = 1.5
# How many lines must end at the same x before that x is taken as the right margin.
_FULL_LINES_FOR_MARGIN = 3
# A vertical gap this many times the usual line gap separates paragraphs.
_GAP_FACTOR = 1.8


def _normalize_running(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def find_running_lines(
    pages: Sequence[Sequence[Line]], heights: Sequence[float]
) -> set[tuple[int, int]]:
    """Lines that are running headers, footers or page numbers.

    A line counts when it sits in the top or bottom margin zone of its page and either
    reads as a page number or repeats (digits ignored) on at least half of the pages.

    Args:
        pages: The lines of each page, in page order.
        heights: Each page's height in points.

    Returns:
        ``(page index, line index)`` pairs to drop.
    """
    in_zone: list[tuple[int, int, str, bool]] = []
    for p, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for i, line in enumerate(lines):
            top_zone = line.bottom < height * _MARGIN_ZONE
            bottom_zone = line.top > height * (1 - _MARGIN_ZONE)
            if top_zone or bottom_zone:
                in_zone.append((p, i, _normalize_running(line.text), top_zone))
    pages_with: dict[tuple[str, bool], set[int]] = {}
    for p, _, text, top_zone in in_zone:
        pages_with.setdefault((text, top_zone), set()).add(p)
    repeat_floor = max(2, (len(pages) + 1) // 2)
    running: set[tuple[int, int]] = set()
    for p, i, text, top_zone in in_zone:
        line_text = pages[p][i].text.strip()
        if (
            _PAGE_NUMBER.match(line_text)
            or len(pages_with[(text, top_zone)]) >= repeat_floor
        ):
            running.add((p, i))
    return running


@dataclass(frozen=True)
class Margins:
    """Where body lines of a page start and end."""

    left: float
    right: float
    line_gap: float


def find_margins(
    lines: Sequence[Line], page_width: float, fallback: Margins | None = None
) -> Margins:
    """The body's left and right margin and usual line gap, from the lines' edges.

    Args:
        lines: Body lines (running headers removed) of a page or a whole document.
        page_width: Width of the page, for the right margin when lines do not show it.
        fallback: Used when there are too few lines to tell.

    Returns:
        The most common left edge, most common right edge and median line gap.
    """
    if len(lines) < 4 and fallback is not None:
        return fallback
    lefts = Counter(round(line.x0) for line in lines)
    rights = Counter(round(line.x1) for line in lines)
    gaps = [
        b.top - a.bottom
        for a, b in pairwise(lines)
        if a.page == b.page and b.top > a.bottom
    ]
    default_gap = fallback.line_gap if fallback else 6.0
    # The leftmost edge shared by two lines or more: indented first lines and centred
    # titles sit right of it.
    shared = [x for x, n in lefts.items() if n >= 2]
    left = min(shared) if shared else min(lefts, default=0)
    # Justified lines all end at the right margin; punctuation may hang past it.
    # Too few full lines to show it: Word pages have equal side margins.
    common = max(rights.values(), default=0)
    right = (
        max(r for r, n in rights.items() if n == common)
        if common >= _FULL_LINES_FOR_MARGIN
        else page_width - left
    )
    return Margins(
        left=float(left),
        right=float(right),
        line_gap=median(gaps) if gaps else default_gap,
    )


def starts_paragraph(
    prev: Line, line: Line, margins: Margins, prev_margins: Margins | None = None
) -> bool:
    """True when ``line`` begins a new paragraph after ``prev``.

    A new paragraph starts at an indented line, after a short line, at a numbered line
    (一、 （一） 1.), at a change of font size or weight, or after a wide vertical gap.
    ``margins`` are those of ``line``'s column; ``prev_margins`` those of ``prev``'s
    when it stands in another column (the foot of the left one), else the same.
    """
    size = line.size or 10.0
    # Across a page break the vertical gap says nothing; the other cues still hold.
    wide_gap = (
        line.page == prev.page
        and line.top - prev.bottom > _GAP_FACTOR * margins.line_gap + 2
    )
    return (
        wide_gap
        or line.x0 > margins.left + _INDENT_SHARE * size
        or bool(NUMBERED_START.match(line.text))
        or prev.x1 < (prev_margins or margins).right - _SHORT_LINE_SHARE * size
        or abs(line.size - prev.size) > 1.0
        or line.bold != prev.bold
    )


def summarize_font(lines: Sequence[Line]) -> tuple[float | None, bool | None]:
    """Typical font size and weight of some lines (weighted by text length)."""
    if not lines:
        return None, None
    sizes: Counter[float] = Counter()
    bold = 0
    total = 0
    for line in lines:
        sizes[line.size] += len(line.text)
        total += len(line.text)
        bold += len(line.text) if line.bold else 0
    return sizes.most_common(1)[0][0], bold * 2 > total
