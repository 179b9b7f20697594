"""Page diagnostics of text PDFs: which pages need OCR, which need the second engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extractors.readers.pdf_text import Char, is_cjk

# A page with at most this many glyphs and an image over this share of its area is a
# scan (scanned reports often carry a stamped text page number and nothing else).
_SCAN_MAX_GLYPHS = 10
_SCAN_IMAGE_SHARE = 0.3
# Ruling lines (pt long) on a page where pdfplumber found no table: camelot looks.
_RULE_MIN_LENGTH = 20.0
_RULES_FOR_TABLE = 3
# An image over this share of the page with this many digits printed on it may be a
# table grid drawn as a picture (a seal or logo is far smaller).
_GRID_IMAGE_SHARE = 0.05
_GRID_IMAGE_DIGITS = 8
# Share of a page's glyphs that may be unmapped or private-use before the text layer
# counts as garbage: one stray symbol glyph is common in good PDFs, a tenth is not.
_GARBAGE_SHARE = 0.1
# A page with this many glyphs and no CJK character has a font that maps to wrong codes.
_GARBAGE_MIN_GLYPHS = 40


def garbage_reason(chars: Sequence[Char]) -> str | None:
    """Why a page's text layer is unusable, or None when it reads fine.

    Args:
        chars: The page's chars.

    Returns:
        A short reason when the page needs OCR: many ``(cid:NN)`` glyphs with no Unicode
        mapping, private-use code points, or many glyphs and not one CJK character.
    """
    ink = [c["text"] for c in chars if not c["text"].isspace()]
    if not ink:
        return None
    unmapped = sum(1 for t in ink if t.startswith("(cid:"))
    private = sum(1 for t in ink if any("\ue000" <= ch <= "\uf8ff" for ch in t))
    if unmapped > _GARBAGE_SHARE * len(ink):
        return f"{unmapped} of {len(ink)} glyphs have no Unicode mapping ((cid:NN))"
    if private > _GARBAGE_SHARE * len(ink):
        return f"{private} of {len(ink)} glyphs are private-use code points"
    if len(ink) >= _GARBAGE_MIN_GLYPHS and not any(is_cjk(t[0]) for t in ink):
        return f"{len(ink)} glyphs and not one Chinese character: wrong font codes"
    return None


def looks_scanned(page: Any, raw: Sequence[Char]) -> bool:
    """True for a page that is an image with (almost) no text: a scanned page."""
    glyphs = sum(1 for c in raw if not c["text"].isspace())
    if glyphs > _SCAN_MAX_GLYPHS:
        return False
    area = float(page.width) * float(page.height)
    covered = sum(
        max(0.0, float(im["x1"]) - float(im["x0"]))
        * max(0.0, float(im["bottom"]) - float(im["top"]))
        for im in page.images
    )
    return area > 0 and covered / area >= _SCAN_IMAGE_SHARE


def has_rules(page: Any) -> bool:
    """True when a page draws ruling lines that could make a table of two columns.

    Counts distinct line positions, not lines: a framed paragraph has many edges but
    only two vertical positions, and is no table.
    """
    rows: set[int] = set()
    cols: set[int] = set()
    for edge in page.edges:
        if edge["orientation"] == "h" and edge["width"] >= _RULE_MIN_LENGTH:
            rows.add(round(edge["top"]))
        elif edge["orientation"] == "v" and edge["height"] >= _RULE_MIN_LENGTH / 2:
            cols.add(round(edge["x0"]))
    return len(rows) >= _RULES_FOR_TABLE and len(cols) >= _RULES_FOR_TABLE


def has_figures_on_image(page: Any, chars: Sequence[Char]) -> bool:
    """True when figures are printed over a large image: a table whose grid is a picture.

    Some exporters draw a table's ruling as one image under real text; pdfplumber sees
    no lines there, camelot renders the page and sees them.
    """
    area = float(page.width) * float(page.height)
    for im in page.images:
        x0, x1 = float(im["x0"]), float(im["x1"])
        top, bottom = float(im["top"]), float(im["bottom"])
        if (x1 - x0) * (bottom - top) < _GRID_IMAGE_SHARE * area:
            continue
        digits = sum(
            1
            for c in chars
            if c["text"].isdigit() and x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom
        )
        if digits >= _GRID_IMAGE_DIGITS:
            return True
    return False
