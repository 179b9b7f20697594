"""Two-column text pages: lines in reading order, left column before right.

Some reports set their narrative in two columns. Grouping such a page's chars into
printed lines would join each left-column line with the right-column line beside it.
Here a page's gutter is found (a vertical strip near the middle that no char crosses
while many lines have text on both sides of it); lines are then built per column,
and a run of two-column lines is read down the left column, then down the right.
Lines that cross the gutter (a title, a full-width paragraph) stay whole and close a
run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

from extractors.readers.pdf_text import Char, Line, chars_to_lines, group_rows

# The gutter lies in this middle share of the text's width.
_MIDDLE = (0.3, 0.7)
# A gutter is at least this many font sizes wide.
_MIN_GUTTER = 1.5
# A line starting this close (pt) to a column's left edge goes on with a paragraph.
_EDGE_TOLERANCE = 1.0
# At least this many lines must have text on both sides of the gutter.
_MIN_SPLIT_ROWS = 6


def find_gutter(chars: Sequence[Char]) -> tuple[float, float] | None:
    """The white strip between two columns of text, or None on a one-column page.

    Each printed row votes for the points of the middle of the page where it has a
    wide gap with text on both sides; the strip most rows vote for is the gutter when
    enough of them do (full-width rows, a title or a paragraph above the columns,
    simply do not vote).

    Args:
        chars: The page's body chars (outside tables).

    Returns:
        ``(left, right)`` x of the gutter.
    """
    ink = [c for c in chars if not c["text"].isspace()]
    if not ink:
        return None
    left = min(c["x0"] for c in ink)
    right = max(c["x1"] for c in ink)
    size = median(c["size"] for c in ink)
    low = int(left + _MIDDLE[0] * (right - left))
    high = int(left + _MIDDLE[1] * (right - left))
    votes = [0] * (high - low + 1)
    for row in group_rows(ink):
        edge = None
        for x0, x1 in sorted((c["x0"], c["x1"]) for c in row):
            if edge is not None and x0 - edge >= _MIN_GUTTER * size:
                for x in range(max(low, math.ceil(edge)), min(high, int(x0)) + 1):
                    votes[x - low] += 1
            edge = x1 if edge is None else max(edge, x1)
    most = max(votes)
    if most < _MIN_SPLIT_ROWS:
        return None
    best = votes.index(most)
    start = end = best
    while start > 0 and votes[start - 1] == most:
        start -= 1
    while end + 1 < len(votes) and votes[end + 1] == most:
        end += 1
    return (float(low + start), float(low + end))


def lines_in_reading_order(
    chars: Sequence[Char], page: int, fake_bold: set[tuple[str, int, int]]
) -> list[Line]:
    """A page's printed lines, a two-column page's read column by column.

    Args:
        chars: The page's body chars (outside tables), deduplicated.
        page: 1-based page number.
        fake_bold: Keys of fake-bold chars (see pdf_text.find_fake_bold).

    Returns:
        The lines top to bottom; within a run of two-column lines, the left column's
        lines first. On a one-column page, what ``chars_to_lines`` gives.
    """
    gutter = find_gutter(chars)
    if gutter is None:
        return chars_to_lines(chars, page, fake_bold)
    middle = sum(gutter) / 2
    rows = group_rows(chars)
    kinds = [_side(row, gutter, middle) for row in rows]
    out: list[Line] = []
    i = 0
    while i < len(rows):
        if kinds[i] != "both":
            out.extend(chars_to_lines(rows[i], page, fake_bold))
            i += 1
            continue
        end = i
        while end + 1 < len(rows) and kinds[end + 1] != "cross":
            end += 1
        # The run ends at its last row with text on both sides, plus the left
        # column's one extra line when balanced columns have an odd number of lines
        # (a line that goes on with a paragraph: it starts at the column's edge, where
        # a heading after the columns would be indented).
        while kinds[end] != "both":
            end -= 1
        run = rows[i : end + 1]
        left_n = sum(1 for k in kinds[i : end + 1] if k != "right")
        right_n = sum(1 for k in kinds[i : end + 1] if k != "left")
        edge = min(c["x0"] for row in run for c in row)
        if (
            end + 1 < len(rows)
            and kinds[end + 1] == "left"
            and left_n == right_n
            and min(c["x0"] for c in rows[end + 1]) - edge < _EDGE_TOLERANCE
        ):
            run.append(rows[end + 1])
            end += 1
        run_chars = [c for row in run for c in row]
        out.extend(
            chars_to_lines([c for c in run_chars if c["x1"] <= middle], page, fake_bold)
        )
        out.extend(
            chars_to_lines([c for c in run_chars if c["x1"] > middle], page, fake_bold)
        )
        i = end + 1
    return out


def _side(row: list[Char], gutter: tuple[float, float], middle: float) -> str:
    """``cross`` (text over the gutter), ``both``, ``left`` or ``right``."""
    if any(c["x0"] < gutter[1] and c["x1"] > gutter[0] for c in row):
        return "cross"
    on_left = any(c["x1"] <= middle for c in row)
    on_right = any(c["x1"] > middle for c in row)
    return "both" if on_left and on_right else "left" if on_left else "right"


def columns_gutter(lines: Sequence[Line]) -> tuple[float, float] | None:
    """The gutter between the columns of a page's lines, or None on a one-column page.

    Lines read by :func:`lines_in_reading_order` lie wholly on one side of the gutter
    or cross it; a page is two-column when enough lines of each side stand beside a
    line of the other side (a signature block on the right of a one-column page does
    not).

    Args:
        lines: A page's lines.

    Returns:
        ``(left, right)``: the right edge of the left column and the left edge of the
        right column.
    """
    if not lines:
        return None
    middle = (min(ln.x0 for ln in lines) + max(ln.x1 for ln in lines)) / 2
    left = [ln for ln in lines if ln.x1 < middle]
    right = [ln for ln in lines if ln.x0 > middle]
    beside = sum(
        1 for r in right if any(abs(r.top - other.top) < r.size / 2 for other in left)
    )
    if beside < _MIN_SPLIT_ROWS:
        return None
    return (max(ln.x1 for ln in left), min(ln.x0 for ln in right))
