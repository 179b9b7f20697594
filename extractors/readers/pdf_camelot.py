"""camelot's lattice parser: the second table engine, for pages pdfplumber reads badly.

camelot renders the page (pdfium backend; ghostscript is never used) and finds ruling
lines in the image, which survives borders drawn as short, overlapping or broken strokes
that defeat pdfplumber's edge joining. It costs ~0.3 s a page, so it runs only on pages
whose pdfplumber grid is weak. Only its cell geometry is used: text is read from the
PDF's chars by :mod:`extractors.readers.pdf_tables`, the same way for both engines.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

from extractors.readers.pdf_tables import Box

_log = logging.getLogger(__name__)

ENGINE = "camelot-lattice"


def find_camelot_boxes(
    data: bytes, pages: Sequence[int], heights: dict[int, float]
) -> dict[int, list[list[Box]]]:
    """Cell boxes of the ruled tables camelot finds on some pages.

    Args:
        data: The PDF file's bytes.
        pages: 1-based numbers of the pages to parse.
        heights: Height of each of those pages in points, to flip camelot's
            bottom-left coordinates to pdfplumber's top-left ones.

    Returns:
        For each page, its tables as lists of merged-cell boxes ``(x0, top, x1,
        bottom)``. Pages camelot fails on are missing; a failure is logged, never
        raised, because this engine is only a second opinion.
    """
    if not pages:
        return {}
    try:
        from camelot.io import read_pdf
    except ImportError:  # pragma: no cover - camelot is a declared dependency
        _log.warning("camelot is not installed; no second table engine")
        return {}
    found: dict[int, list[list[Box]]] = {}
    try:
        with warnings.catch_warnings():
            # camelot warns on every page without a table; that is an answer here.
            warnings.simplefilter("ignore")
            tables = read_pdf(
                data,
                pages=",".join(str(p) for p in pages),
                flavor="lattice",
                backend="pdfium",
                use_fallback=False,
                suppress_stdout=True,
            )
    except Exception as exc:  # camelot raises many kinds; none may sink the reader
        _log.warning("camelot failed on pages %s: %s", list(pages), exc)
        return {}
    for table in tables:
        page = int(table.page)
        height = heights.get(page)
        if height is None:
            continue
        found.setdefault(page, []).append(camelot_cells_to_boxes(table.cells, height))
    return found


def camelot_cells_to_boxes(rows: Sequence[Sequence[Any]], height: float) -> list[Box]:
    """Merged-cell boxes from camelot's grid of cells and their border flags.

    A cell with no line on its right is one with its right neighbour, one with no line
    at its bottom is one with the cell below; each connected group is one merged cell.

    Args:
        rows: ``table.cells``: rows top to bottom of camelot ``Cell`` objects.
        height: Page height, to flip y.

    Returns:
        One box per merged cell, in top-left coordinates.
    """
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            cell = rows[r][c]
            if c + 1 < n_cols and not cell.right and not rows[r][c + 1].left:
                union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and not cell.bottom and not rows[r + 1][c].top:
                union(r * n_cols + c, (r + 1) * n_cols + c)
    groups: dict[int, list[float]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            cell = rows[r][c]
            x0, x1 = float(cell.x1), float(cell.x2)
            top, bottom = height - float(cell.y2), height - float(cell.y1)
            g = groups.setdefault(find(r * n_cols + c), [x0, top, x1, bottom])
            g[0], g[1] = min(g[0], x0), min(g[1], top)
            g[2], g[3] = max(g[2], x1), max(g[3], bottom)
    return [(g[0], g[1], g[2], g[3]) for g in groups.values()]
