"""Tables printed without a ruling grid (borderless, three-line 三线表), from word positions.

With no column lines to go by, the grid is rebuilt from where the text sits:

* a table is a run of printed lines around lines that hold several figures, in the
  table's own (smaller) type or split into several runs of text;
* value columns are where the figures line up (their centres), plus header words that
  sit over a column no figure is in (a column blank in every row);
* label columns are where the labels line up left of the figures;
* a cell's wrapped lines (tight leading, one column) are one cell; rows are the
  figures' baselines, and a label that sits between rows or over several (a merged
  group label, vertically centred, as Word prints it) spans the rows it stands beside.

The grid goes out as cell boxes through :func:`~extractors.readers.pdf_tables.
boxes_to_fragment`, so its text is read the same way as a ruled table's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from extractors.geometry import cluster
from extractors.readers.pdf_bands import (
    bounds_between,
    column_bounds,
    covered_bands,
    nearest_centre,
    widened,
)
from extractors.readers.pdf_tables import (
    Box,
    Fragment,
    boxes_to_fragment,
    is_value_text,
)
from extractors.readers.pdf_text import Char, chars_to_lines, group_rows

ENGINE = "words"

# A horizontal gap wider than this many font sizes separates two cells of a row.
_CELL_GAP = 1.0
# Wrapped lines of one cell: the next line starts within this many font sizes.
_WRAP_LEADING = 0.6
# Lines of one table are at most this many font sizes apart vertically.
_ROW_GAP = 3.0
# Type this much larger than the figures' is body text, not the table's.
_SIZE_SLACK = 0.6
# A table has at least this many rows that hold figures.
_MIN_VALUE_ROWS = 2
# Header words this share of the column pitch from every figure column: a new column.
_NEW_COLUMN = 0.6
# A sub-row's labels start at least this many font sizes right of its group label.
_GUTTER = 0.5
# A label this share of the row pitch or more from every figure row is a row of its own.
_OWN_ROW = 0.75


@dataclass
class _Block:
    """One cell's text: a run of chars, or its wrapped lines joined."""

    chars: list[Char]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    numeric: bool

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2


def find_unruled_tables(
    chars: Sequence[Char], page: int, carried: Sequence[float] = ()
) -> list[Fragment]:
    """Tables of a page that prints them without column lines.

    Args:
        chars: The page's deduplicated chars (a page without ruled tables).
        page: 1-based page number.
        carried: Figure-column centres of the unruled table that ended the page
            before: the first table here keeps them when its figures fit them (a
            continuation of one row or two cannot show its columns by itself).

    Returns:
        One fragment per table found, top to bottom; none when no run of lines
        holds figures in columns.
    """
    rows = [_segments(row, page) for row in group_rows(chars)]
    fragments = []
    for k, region in enumerate(_regions(rows)):
        fragment = _grid(region, page, chars, carried if k == 0 else ())
        if fragment is not None:
            fragments.append(fragment)
    return fragments


def _segments(row: list[Char], page: int) -> list[_Block]:
    """A printed line cut at wide gaps: the texts of its cells, left to right."""
    row = sorted((c for c in row if not c["text"].isspace()), key=lambda c: c["x0"])
    runs: list[list[Char]] = []
    for ch in row:
        if runs and ch["x0"] - runs[-1][-1]["x1"] <= _CELL_GAP * ch["size"]:
            runs[-1].append(ch)
        else:
            runs.append([ch])
    blocks = []
    for run in runs:
        line = chars_to_lines(run, page)[0]
        blocks.append(
            _Block(
                chars=run,
                x0=line.x0,
                x1=line.x1,
                top=line.top,
                bottom=line.bottom,
                size=line.size,
                numeric=is_value_text(line.text),
            )
        )
    return blocks


def _is_value_row(row: list[_Block]) -> bool:
    return len(row) >= 2 and any(b.numeric for b in row)


def _regions(rows: list[list[_Block]]) -> list[list[list[_Block]]]:
    """Runs of printed lines that make a table each."""
    regions: list[list[list[_Block]]] = []
    i = 0
    while i < len(rows):
        if not _is_value_row(rows[i]):
            i += 1
            continue
        size = median(b.size for b in rows[i] if b.numeric)

        def belongs(
            row: list[_Block], neighbour: list[_Block], size: float = size
        ) -> bool:
            gap = max(
                row[0].top - max(b.bottom for b in neighbour),
                min(b.top for b in neighbour) - max(b.bottom for b in row),
            )
            small = max(b.size for b in row) <= size + _SIZE_SLACK
            return gap <= _ROW_GAP * size and (small or len(row) >= 2)

        start = i
        while start > 0 and belongs(rows[start - 1], rows[start]):
            start -= 1
        end = i
        while end + 1 < len(rows) and belongs(rows[end + 1], rows[end]):
            end += 1
        region = rows[start : end + 1]
        value_rows = [r for r in region if _is_value_row(r)]
        # One row of several figures may be a table too (table 4; the rest of a
        # table that a page break left one row of).
        if len(value_rows) >= _MIN_VALUE_ROWS or any(
            sum(b.numeric for b in r) >= 2 for r in value_rows
        ):
            regions.append(region)
        i = end + 1
    return regions


def _columns(
    blocks: list[_Block], size: float, carried: Sequence[float] = ()
) -> tuple[list[float], int]:
    """Column centres, labels' then figures', and how many are label columns."""
    if carried and _fits(blocks, carried, size):
        first = (
            carried[0] - (carried[1] - carried[0]) / 2
            if len(carried) > 1
            else carried[0] - 2 * size
        )
        labels = cluster([b.centre_x for b in blocks if b.centre_x <= first], size)
        return [*labels, *carried], len(labels)
    values = _merged_out(
        blocks, cluster([b.centre_x for b in blocks if b.numeric], size), size
    )
    gap = median(b - a for a, b in pairwise(values)) if len(values) > 1 else 4 * size
    first = values[0] - gap / 2
    # Header words over a column no figure is in (blank in every row).
    for b in blocks:
        far = min(abs(b.centre_x - v) for v in values) > _NEW_COLUMN * gap
        if not b.numeric and b.centre_x > first and far:
            values = sorted([*values, b.centre_x])
    labels = cluster([b.centre_x for b in blocks if b.centre_x <= first], size)
    return [*labels, *values], len(labels)


def _fits(blocks: list[_Block], centres: Sequence[float], size: float) -> bool:
    """True when every figure stands on one of the columns, or midway between two
    neighbours (a value merged over both)."""
    spots = [*centres, *((a + b) / 2 for a, b in pairwise(centres))]
    return all(
        min(abs(b.centre_x - x) for x in spots) <= size / 2 for b in blocks if b.numeric
    )


def _merged_out(blocks: list[_Block], centres: list[float], size: float) -> list[float]:
    """Figure columns without those that are merged cells over two columns.

    A figure centred over two columns (one value printed across both, 2019 table 2)
    lines up halfway between them and never shares a row with either.
    """
    rows = cluster([b.centre_y for b in blocks if b.numeric], size / 2)
    used: list[set[int]] = [set() for _ in centres]
    for b in blocks:
        if b.numeric:
            used[nearest_centre(centres, b.centre_x)].add(
                nearest_centre(rows, b.centre_y)
            )
    return [
        c
        for k, c in enumerate(centres)
        if not (0 < k < len(centres) - 1 and not used[k] & (used[k - 1] | used[k + 1]))
    ]


def _join_wrapped(blocks: list[_Block]) -> list[_Block]:
    """Wrapped lines of one cell (stacked, overlapping, tight leading) as one block."""
    out: list[_Block] = []
    for b in sorted(blocks, key=lambda b: b.top):
        above = [
            prev
            for prev in out
            if not prev.numeric
            and not b.numeric
            and _overlaps(prev, b)
            and 0 <= b.top - prev.bottom <= _WRAP_LEADING * b.size
        ]
        if above:
            prev = above[-1]
            prev.chars.extend(b.chars)
            prev.x0, prev.x1 = min(prev.x0, b.x0), max(prev.x1, b.x1)
            prev.bottom = b.bottom
            continue
        out.append(b)
    return out


def _overlaps(a: _Block, b: _Block) -> bool:
    """True when two blocks share at least half of the narrower one's width."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    return shared >= 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)


def _rows(blocks: list[_Block], size: float) -> list[float]:
    """Row centres: the figures' lines, and labels far from every figure line."""
    figures = cluster([b.centre_y for b in blocks if b.numeric], size / 2)
    # Figure rows may have header rows between them; the closest two are one row apart.
    pitch = min(b - a for a, b in pairwise(figures)) if len(figures) > 1 else 0.0
    own = [
        b.centre_y
        for b in blocks
        if not b.numeric
        and min(abs(b.centre_y - f) for f in figures) >= _OWN_ROW * (pitch or 2 * size)
    ]
    return sorted([*figures, *cluster(own, size / 2)])


def _grid(
    region: list[list[_Block]],
    page: int,
    chars: Sequence[Char],
    carried: Sequence[float],
) -> Fragment | None:
    blocks = [b for row in region for b in row]
    size = median(b.size for b in blocks if b.numeric)
    col_centres, n_labels = _columns(blocks, size, carried)
    if len(col_centres) == n_labels:
        return None
    blocks = _join_wrapped(blocks)
    row_centres = _rows(blocks, size)
    left = min(b.x0 for b in blocks) - 1
    right = max(b.x1 for b in blocks) + 1
    xs = column_bounds(
        col_centres, n_labels, [(b.x0, b.x1) for b in blocks], left, right
    )
    ys = bounds_between(
        row_centres, min(b.top for b in blocks) - 1, max(b.bottom for b in blocks) + 1
    )
    spans: list[tuple[_Block, list[int], list[int]]] = []
    for b in blocks:
        cols = covered_bands(xs, b.x0, b.x1)
        spans.append(
            (
                b,
                widened(
                    covered_bands(ys, b.top, b.bottom),
                    ys,
                    [(c["top"] + c["bottom"]) / 2 for c in b.chars],
                ),
                widened(cols, xs, [(c["x0"] + c["x1"]) / 2 for c in b.chars]),
            )
        )
    owner: dict[tuple[int, int], int] = {}
    _hoist(spans, n_labels, size, ys)
    boxes: list[Box] = []
    order = sorted(
        range(len(spans)), key=lambda k: (not spans[k][0].numeric, spans[k][2][0])
    )
    for k in order:
        b, rows, cols = spans[k]
        cells = [(r, c) for r in rows for c in cols]
        if any(p in owner for p in cells):
            cells = [p for p in cells if p not in owner][:1]
            if not cells:
                continue
            rows, cols = [cells[0][0]], [cells[0][1]]
        if not b.numeric and cols[-1] < n_labels:
            # The last label of its rows reaches to the figures, as a merged cell.
            while cols[-1] + 1 < n_labels and all(
                (r, cols[-1] + 1) not in owner
                and not any(
                    r in rr and cols[-1] + 1 in cc for _, rr, cc in spans if _ is not b
                )
                for r in rows
            ):
                cols.append(cols[-1] + 1)
        for r in rows:
            for c in cols:
                owner[(r, c)] = k
        boxes.append((xs[cols[0]], ys[rows[0]], xs[cols[-1] + 1], ys[rows[-1] + 1]))
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if (r, c) not in owner:
                boxes.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
    fragment = boxes_to_fragment(boxes, chars, page, ENGINE)
    if fragment is not None:
        fragment.figure_centres = col_centres[n_labels:]
    return fragment


def _hoist(
    spans: list[tuple[_Block, list[int], list[int]]],
    n_labels: int,
    size: float,
    ys: list[float],
) -> None:
    """Stretch centred group labels over the rows they stand beside.

    A label may span rows above and below that are free in its columns and hold a
    label wholly to its right (its sub-rows); of those, it takes the rows it sits
    centred beside.
    """
    taken: dict[int, list[tuple[int, _Block]]] = {}
    for b, rows, cols in spans:
        for r in rows:
            taken.setdefault(r, []).extend((c, b) for c in cols)

    def sub_row(r: int, b: _Block, cols: list[int]) -> bool:
        here = taken.get(r, [])
        if any(c in cols for c, _ in here):
            return False
        gutter = b.x1 + _GUTTER * size
        # Labels left of this one (a higher group's, such as 三、本年度办理结果) do not
        # count; those right of it must clear it by a gutter.
        labels = [o for c, o in here if c < n_labels and not o.numeric and o.x1 > b.x0]
        return bool(labels) and all(o.x0 >= gutter for o in labels)

    for b, rows, cols in spans:
        if b.numeric or cols[-1] >= n_labels:
            continue
        up = rows[0]
        while sub_row(up - 1, b, cols):
            up -= 1
        down = rows[-1]
        while sub_row(down + 1, b, cols):
            down += 1
        # The group's rows are those the label is centred beside (rows differ in
        # height, so centred means by distance, not by count).
        first, last = min(
            (
                (r0, r1)
                for r0 in range(up, rows[0] + 1)
                for r1 in range(rows[-1], down + 1)
            ),
            key=lambda span: (
                abs((ys[span[0]] + ys[span[1] + 1]) / 2 - b.centre_y),
                span[1] - span[0],
            ),
        )
        rows[:] = list(range(first, last + 1))
        for r in rows:
            taken.setdefault(r, []).extend((c, b) for c in cols)
