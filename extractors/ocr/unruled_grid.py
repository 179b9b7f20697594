"""A table without rules rebuilt from its read text boxes: rows, columns, header.

Rows are the baselines of the figures, columns the x-alignments of the figures (right
of the labels); the header words above the figures go on the columns they stand over,
so the mapper sees the header row(s) as printed (words of several columns the detector
took as one box are cut apart first). A label wraps over lines around its
figures' baseline; the lines of one cell stand closer together than those of two cells,
so a wrapped label goes to its row whole.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from extractors.geometry import cluster
from extractors.ocr.lines import Box

# Boxes whose baselines lie within this share of the line height share a row; figures
# whose centres lie within this share of it share a column.
_BASELINE_TOLERANCE = 0.5
_COLUMN_TOLERANCE = 1.0
# Lines of one wrapped label stand less than this many line heights apart (the leading
# of a cell's lines); the labels of two rows stand further off (cell padding between).
_STACK_GAP = 0.6


@dataclass(frozen=True)
class ReadBox:
    """A detected text box, what the recognizer read in it, and its page.

    ``places`` are the middles of the characters of ``text`` and ``gaps`` the wide
    blank runs inside the box (``ocr.unruled.DetectedBox``), both as offsets from the
    box's left edge; empty when not known.
    """

    box: Box
    text: str
    confidence: float
    figure: bool
    page: int = 0
    places: tuple[float, ...] = ()
    gaps: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class PlacedCell:
    """A cell of a rebuilt table: grid place and the boxes that fill it."""

    row: int
    col: int
    col_span: int
    boxes: tuple[ReadBox, ...]


@dataclass(frozen=True)
class FigureColumns:
    """Where a table's figures stand, as :func:`place_boxes` lays them out.

    ``anchors`` are the x-centres of the figure columns (empty when no box holds a
    figure: a header cut off from its rows), ``tolerance`` how far a figure may stand
    off its column, ``headed`` whether words stand over the figure columns above the
    first row of figures (a header; the upper lines of a wrapped label stand left of
    them).
    """

    anchors: list[float]
    tolerance: float
    headed: bool


def figure_columns(boxes: Sequence[ReadBox]) -> FigureColumns:
    """The figure columns of a table's boxes (see :class:`FigureColumns`)."""
    if not boxes:
        return FigureColumns([], 0.0, False)
    height = _line_height(boxes)
    lines = _rows(boxes, _BASELINE_TOLERANCE * height)
    figure_rows = [line for line in lines if any(b.figure for b in line)]
    tolerance = _COLUMN_TOLERANCE * height
    if not figure_rows:
        return FigureColumns([], tolerance, True)
    anchors = _anchors(figure_rows, tolerance)
    above = lines[: lines.index(figure_rows[0])]
    headed = any(_centre(b) >= anchors[0] - tolerance for line in above for b in line)
    return FigureColumns(anchors, tolerance, headed)


def place_boxes(boxes: Sequence[ReadBox]) -> tuple[list[PlacedCell], int, int]:
    """Rows by baselines, columns by figure alignment; header words over their columns.

    The rows are the baselines of the figures (a row holds a figure or more); a
    label wraps over lines around its figures' baseline, so the other boxes below the
    header join the figure row of their label (:func:`_label_rows`). Lines above the
    first figure row are header rows of their own. Columns are the x-alignments of the
    figures; every box left of the first of them is a label, on label columns of its
    own (aligned by centre, as cells centre their text). A box right of the labels
    takes the figure column nearest its centre and spans the figure columns its width
    covers (a header over merged columns). Figure rows get a cell at every figure
    column, blank where nothing is printed, so figures keep their places.

    Returns:
        The cells, the number of rows and the number of columns (none when no box
        holds a figure).
    """
    if not boxes:
        return [], 0, 0
    height = _line_height(boxes)
    lines = _rows(boxes, _BASELINE_TOLERANCE * height)
    figure_rows = [line for line in lines if any(b.figure for b in line)]
    if not figure_rows:
        return [], 0, 0
    tolerance = _COLUMN_TOLERANCE * height
    anchors = _anchors(figure_rows, tolerance)
    first = anchors[0] - tolerance
    # A figure left of the figure columns is a label read as one (三、 of a group
    # label read 8): it makes no row.
    words = [
        replace(w, figure=False) if w.figure and _centre(w) < first else w
        for b in boxes
        for w in _words_over_columns(b, anchors, tolerance)
    ]
    if words != list(boxes):
        lines = _rows(words, _BASELINE_TOLERANCE * height)
        figure_rows = [line for line in lines if any(b.figure for b in line)]
    first_top = min(b.box.top for b in figure_rows[0])
    header = [
        line
        for line in lines
        if line not in figure_rows and all(b.box.bottom <= first_top for b in line)
    ]
    rows: list[list[ReadBox]] = [*header, *(list(line) for line in figure_rows)]
    labels: list[ReadBox] = []
    for line in lines:
        if line in figure_rows or line in header:
            continue
        if any(_centre(b) >= first for b in line):
            # Words over the figure columns: a sub-table's header or a heading row.
            rows.append(list(line))
        else:
            labels.extend(line)
    for b, k in _label_rows(labels, figure_rows, first, height):
        rows[len(header) + k].append(b)
    rows.sort(key=_middle)
    label_centres = [_centre(b) for row in rows for b in row if _centre(b) < first]
    label_columns = cluster(label_centres, tolerance)
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
        cells.extend(
            _row_cells(r, row, label_columns, anchors, first, figures and aligned)
        )
    return cells, len(rows), len(label_columns) + len(anchors)


def _anchors(figure_rows: list[list[ReadBox]], tolerance: float) -> list[float]:
    """Figure column centres: where the fullest rows put their figures (a row of fewer
    figures may centre one over merged columns, as a 2019 table 2 sub-table does)."""
    most = max(sum(b.figure for b in line) for line in figure_rows)
    return cluster(
        [
            _centre(b)
            for line in figure_rows
            if sum(b.figure for b in line) == most
            for b in line
            if b.figure
        ],
        tolerance,
    )


def _words_over_columns(
    b: ReadBox, anchors: list[float], tolerance: float
) -> list[ReadBox]:
    """A box cut into the words it holds over several figure columns, or the box alone.

    The detector takes words a character apart as one box (the header words over
    narrow columns). Cut at its wide blank runs, the box's pieces are grouped, left
    to right, so that each group stands centred on a figure column of its own; when
    two groups or more fit, the box holds as many columns' words, and each character
    goes to the group its reading places it in. The text of a header merged over
    columns has no such gaps, or its pieces stand off the columns.
    """
    if b.figure or not b.gaps or len(b.places) != len(b.text):
        return [b]
    edges = [0, *(x for gap in b.gaps for x in gap), b.box.width]
    pieces = [
        (edges[i], edges[i + 1])
        for i in range(0, len(edges), 2)
        if edges[i + 1] > edges[i]
    ]
    groups = _column_groups(pieces, [a - b.box.x0 for a in anchors], tolerance)
    if len(groups) < 2:
        return [b]
    cuts = [(left[1] + right[0]) / 2 for left, right in itertools.pairwise(groups)]
    texts = [""] * len(groups)
    places: list[list[float]] = [[] for _ in groups]
    for char, x in zip(b.text, b.places, strict=True):
        k = bisect.bisect(cuts, x)
        texts[k] += char
        places[k].append(x - groups[k][0])
    if not all(texts):
        return [b]
    box = b.box
    return [
        replace(
            b,
            box=Box(box.x0 + x0, box.top, box.x0 + x1, box.bottom),
            text=text,
            places=tuple(at),
            gaps=(),
        )
        for (x0, x1), text, at in zip(groups, texts, places, strict=True)
    ]


def _column_groups(
    pieces: list[tuple[int, int]], anchors: list[float], tolerance: float
) -> list[tuple[int, int]]:
    """Consecutive pieces joined into as many groups as can each stand centred on a
    column of their own, left to right (extents of the groups; [] when none fits)."""

    @functools.cache
    def best(start: int, after: int) -> tuple[tuple[int, int], ...] | None:
        """The most groups of pieces[start:] on columns right of ``after``."""
        if start == len(pieces):
            return ()
        found: tuple[tuple[int, int], ...] | None = None
        for end in range(start + 1, len(pieces) + 1):
            x0, x1 = pieces[start][0], pieces[end - 1][1]
            column = _nearest(anchors, (x0 + x1) / 2)
            if column <= after or abs(anchors[column] - (x0 + x1) / 2) > tolerance:
                continue
            rest = best(end, column)
            if rest is not None and (found is None or len(rest) + 1 > len(found)):
                found = ((x0, x1), *rest)
        return found

    return list(best(0, -1) or ())


def _label_rows(
    orphans: list[ReadBox],
    figure_rows: list[list[ReadBox]],
    first: float,
    height: float,
) -> list[tuple[ReadBox, int]]:
    """Each label line off a baseline with its figure row (index into ``figure_rows``).

    The lines of a wrapped label are stacked closer than the labels of two rows; the
    figures stand at the height of one of its lines or between two. A stack that
    holds a line on one figure row's baseline goes to that row whole; a stack that
    holds none goes to the one figure row whose middle lies within it. Otherwise (a
    table whose rows stand as close as the lines of a cell) each line goes to the
    figure row nearest it.
    """
    owner = {
        id(b): k
        for k, line in enumerate(figure_rows)
        for b in line
        if _centre(b) < first and not b.figure
    }
    members = [b for line in figure_rows for b in line if id(b) in owner]
    stacks: list[list[ReadBox]] = []
    for b in sorted([*orphans, *members], key=lambda b: b.box.top):
        stack = next(
            (
                s
                for s in stacks
                if b.box.x0 < s[-1].box.x1
                and s[-1].box.x0 < b.box.x1
                and 0 <= b.box.top - s[-1].box.bottom <= _STACK_GAP * height
            ),
            None,
        )
        if stack is None:
            stacks.append([b])
        else:
            stack.append(b)
    middles = [_middle(line) for line in figure_rows]
    placed: list[tuple[ReadBox, int]] = []
    orphan_ids = {id(b) for b in orphans}
    for stack in stacks:
        owners = {owner[id(b)] for b in stack if id(b) in owner}
        top, bottom = _middle(stack[:1]), _middle(stack[-1:])
        inside = [k for k, m in enumerate(middles) if top <= m <= bottom]
        row = owners.pop() if len(owners) == 1 else None
        if row is None and not owners and len(inside) == 1:
            row = inside[0]
        for b in stack:
            if id(b) in orphan_ids:
                nearest = _nearest(middles, _middle([b]))
                placed.append((b, nearest if row is None else row))
    return placed


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


def _line_height(boxes: Sequence[ReadBox]) -> float:
    return float(np.median([b.box.height for b in boxes]))


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
