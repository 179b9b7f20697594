"""Printed rows to the template's rows: label similarity and order together.

Reports print the template's rows in its order, with labels that are sometimes misprinted
(`2.其他法律行政止公开`), truncated, split over two cells or lines, or merged with a group
label. Each printed row is scored against every template row (:func:`similarity` over
its label forms); a global alignment (Needleman–Wunsch without gap costs) then picks the
order-preserving matching with the highest total, so a doubtful label lands between its
neighbours. Rows the alignment leaves out are matched afterwards only at full confidence
(a row printed out of order), or reported as duplicates or unmatched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from extractors.template.labels import (
    NEAR_WEIGHT,
    Label,
    is_full_confidence,
    similarity,
)
from extractors.template.specs import RowSpec, TableSpec


@dataclass(frozen=True)
class PrintedRow:
    """A printed row's label forms to compare: innermost first, then joined ones."""

    inner: tuple[Label, ...]  # the innermost label, joins, a label split over lines
    outer: tuple[Label, ...]  # group labels (（三）不予公开), a weaker hint
    printed: str  # the labels as printed, for findings

    def score(self, row: RowSpec) -> float:
        """How well this row's labels name a template row, 0..1."""
        best = max((similarity(label, row.labels) for label in self.inner), default=0)
        outer = max((similarity(label, row.labels) for label in self.outer), default=0)
        return max(best, outer * NEAR_WEIGHT)


class Fit(str, Enum):
    """How a printed row came to its template row."""

    ALIGNED = "aligned"  # full-confidence label in template order
    NEAR = "near"  # near label in template order: reported
    OUT_OF_ORDER = "out_of_order"  # full-confidence label, printed out of order
    DUPLICATE = "duplicate"  # names a row matched already: not read
    NONE = "none"


@dataclass(frozen=True)
class Match:
    """One printed row's outcome."""

    row: RowSpec | None
    fit: Fit
    score: float


def align_rows(spec: TableSpec, printed: Sequence[PrintedRow]) -> list[Match]:
    """Match printed rows to the spec's rows, keeping both orders.

    Args:
        spec: the table's template spec.
        printed: rows with values, in reading order (fragments concatenated).

    Returns:
        One :class:`Match` per printed row.
    """
    rows = spec.rows
    scores = [_scores(spec, p) for p in printed]
    n, m = len(printed), len(rows)
    # best[i][j]: the highest total aligning printed[i:] with rows[j:].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    matches: list[Match | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        here = scores[i][j]
        if here > 0 and here + best[i + 1][j + 1] >= best[i][j]:
            fit = Fit.ALIGNED if is_full_confidence(here) else Fit.NEAR
            matches[i] = Match(rows[j], fit, here)
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j]:
            i += 1
        else:
            j += 1
    taken = {match.row.key for match in matches if match and match.row}
    out = []
    for i, match in enumerate(matches):
        if match is None:
            match = _leftover(rows, scores[i], taken)
        out.append(match)
    return out


@lru_cache(maxsize=16384)
def _scores(spec: TableSpec, printed: PrintedRow) -> tuple[float, ...]:
    # Reports print the same labels over and over: one lookup per printed row, not
    # one per printed row and template row (the mapper's hot spot on HTML, 2× faster).
    return tuple(printed.score(row) for row in spec.rows)


def _leftover(
    rows: Sequence[RowSpec], scores: Sequence[float], taken: set[str]
) -> Match:
    top = max(range(len(rows)), key=lambda j: scores[j], default=None)
    if top is None or not is_full_confidence(scores[top]):
        return Match(None, Fit.NONE, 0.0)
    row = rows[top]
    if row.key in taken:
        return Match(row, Fit.DUPLICATE, scores[top])
    taken.add(row.key)
    return Match(row, Fit.OUT_OF_ORDER, scores[top])
