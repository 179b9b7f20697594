"""Small geometry shared by the readers that rebuild tables from positions.

Text PDFs without rules (readers/pdf_unruled.py) and scans (ocr/grid.py, ocr/unruled.py)
both group positions into lines and columns the same way.
"""

from __future__ import annotations

from collections.abc import Sequence


def cluster(values: Sequence[float], tolerance: float) -> list[float]:
    """Centres of groups of values, each within ``tolerance`` of its neighbour, ascending.

    Args:
        values: positions (x or y) in any order.
        tolerance: the largest gap between neighbours of one group.

    Returns:
        The mean of each group, smallest first.
    """
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]
