"""Bands of a grid rebuilt from text positions: clusters, boundaries, coverage.

Geometry for :mod:`extractors.readers.pdf_unruled`: centres where texts line up,
boundaries between them (in the white between texts where there is some), and which
bands a text lies over.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import partial
from itertools import pairwise

# A text lies over a band when it covers this share of it (or of itself).
BAND_SHARE = 0.3


def nearest_centre(centres: Sequence[float], value: float) -> int:
    """Index of the centre closest to ``value``."""
    return min(range(len(centres)), key=lambda k: abs(centres[k] - value))


def bounds_between(centres: list[float], low: float, high: float) -> list[float]:
    """Boundaries between centres (midpoints), closed by ``low`` and ``high``."""
    return [low, *((a + b) / 2 for a, b in pairwise(centres)), high]


def column_bounds(
    centres: list[float],
    n_labels: int,
    extents: Sequence[tuple[float, float]],
    low: float,
    high: float,
) -> list[float]:
    """Column boundaries: midpoints between figure columns; up to the first of them,
    where the fewest texts cross, nearest the midpoint on ties (a label wider than
    half the gap to its neighbour column must not be cut in two)."""
    bounds = bounds_between(centres, low, high)
    for k in range(1, n_labels + 1):
        a, b = centres[k - 1], centres[k]
        middle = (a + b) / 2
        edges = [e for x0, x1 in extents for e in (x0 - 0.5, x1 + 0.5) if a < e < b]

        bounds[k] = min([middle, *edges], key=partial(_crossing, extents, middle))
    return bounds


def _crossing(
    extents: Sequence[tuple[float, float]], middle: float, x: float
) -> tuple[int, float]:
    """How many texts a boundary at ``x`` cuts, then how far it is from the middle."""
    return (sum(1 for x0, x1 in extents if x0 < x < x1), abs(x - middle))


def covered_bands(bounds: list[float], low: float, high: float) -> list[int]:
    """Bands a span ``low..high`` lies over (by 30% of the smaller of the two)."""
    out = []
    for k, (a, b) in enumerate(pairwise(bounds)):
        shared = min(b, high) - max(a, low)
        if shared > BAND_SHARE * min(b - a, high - low):
            out.append(k)
    if not out:
        middle = (low + high) / 2
        out.append(
            min(
                range(len(bounds) - 1),
                key=lambda k: abs((bounds[k] + bounds[k + 1]) / 2 - middle),
            )
        )
    return out


def widened(
    bands: list[int], bounds: Sequence[float], points: Sequence[float]
) -> list[int]:
    """The bands widened to every band one of the points falls in.

    A cell's box must hold all its chars: boxes_to_fragment reads chars by their
    centres, whatever share of the text the bands were chosen by.
    """
    last = len(bounds) - 2
    hits = [min(last, max(0, bisect_right(bounds, p) - 1)) for p in points]
    return list(range(min(*bands, *hits), max(*bands, *hits) + 1))
