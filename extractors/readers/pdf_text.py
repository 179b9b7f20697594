"""Text geometry of PDF pages: chars to printed lines (paragraphs: pdf_paragraphs).

Works on char dicts in pdfplumber's shape (``text``, ``x0``, ``x1``, ``top``,
``bottom``, ``size``, ``fontname``), read with pdfium by pdf_layer. Chinese body text
wraps mid-sentence and has no spaces, so lines join without a separator; a library's
own text extraction would put spaces between CJK and Latin runs ("2024 年"), which is
why lines are rebuilt here from the chars.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import median
from typing import Any

_log = logging.getLogger(__name__)

Char = Mapping[str, Any]

# Copies of a glyph closer than this (pt) are one glyph printed twice (fake bold);
# pdfplumber's dedupe_chars uses 1 pt, Word shifts the copy by 0.2–0.5 pt.
DUPLICATE_TOLERANCE = 1.5
# A gap wider than this share of the font size between two Latin chars is a word space.
_SPACE_GAP = 0.3
# Wide chars never get a space next to them: CJK ideographs, CJK punctuation, full-width
# forms. Word/WPS autospace draws a gap between "2024" and "年" that is not a space.
_WIDE = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018-\u201f]"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Kangxi radicals (U+2F00…) and CJK compatibility ideographs look like ordinary
# ideographs, and WPS/Word exports often map glyphs to them ("⼀、总体情况"); they are
# read as the unified ideographs they stand for, so numbering and labels match.
_IDEOGRAPH_LOOKALIKES = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in (*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00))
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1
    and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
# Fonts whose names say the weight is bold; 黑体/小标宋 are the heavy faces Chinese
# government templates use for headings and titles instead of a bold flag.
_BOLD_FONT = re.compile(
    r"bold|black|heavy|semibold|demi|黑体|simhei|heiti|小标宋|fzxbs", re.I
)
# Numbering that starts a paragraph: 一、 （一） (一) 1. 1、 1．
NUMBERED_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d)))"
)


@dataclass(frozen=True)
class Line:
    """One printed line of text on a page."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    page: int


@dataclass
class Paragraph:
    """Consecutive lines that read as one paragraph."""

    lines: list[Line] = field(default_factory=list)

    @property
    def page(self) -> int:
        """Page the paragraph starts on."""
        return self.lines[0].page

    @property
    def text(self) -> str:
        """The lines joined as one run of text."""
        return join_texts(line.text for line in self.lines)

    @property
    def top(self) -> float:
        """Top of the first line."""
        return self.lines[0].top


def is_wide(ch: str) -> bool:
    """True for CJK ideographs, CJK punctuation and full-width forms."""
    return bool(_WIDE.match(ch))


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs only."""
    return bool(_CJK.match(ch))


def join_texts(parts: Iterable[str]) -> str:
    """Join wrapped pieces of text: no separator, except a space between Latin words.

    Args:
        parts: Pieces in reading order (lines of a paragraph or of a table cell).

    Returns:
        The joined text.
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not is_wide(out[-1]) and not is_wide(part[0]):
            out += " "
        out += part
    return out


@cache
def is_bold_font(fontname: str) -> bool:
    """True when a font's name says it is a bold or heavy face (cached: a page has a
    few fonts and thousands of chars, and the case-blind search costs ~7 µs)."""
    return bool(_BOLD_FONT.search(fontname))


def find_fake_bold(raw_chars: Sequence[Char]) -> set[tuple[str, int, int]]:
    """Keys of chars printed twice at almost the same place (fake bold).

    Word and WPS fake a bold face by drawing each glyph twice, shifted by a fraction
    of a point; pdfplumber's ``dedupe_chars`` drops the copy, and this remembers it.

    Args:
        raw_chars: The page's chars before deduplication.

    Returns:
        Keys ``(text, round(x0), round(top))`` of chars that had a near duplicate; look
        a kept char up with :func:`char_key`.
    """
    by_text: dict[str, list[tuple[float, float]]] = {}
    for ch in raw_chars:
        by_text.setdefault(ch["text"], []).append((ch["x0"], ch["top"]))
    doubled: set[tuple[str, int, int]] = set()
    for text, places in by_text.items():
        if len(places) < 2 or text.isspace():
            continue
        places.sort()
        for i, (x, top) in enumerate(places):
            for x2, top2 in places[i + 1 :]:
                if x2 - x >= DUPLICATE_TOLERANCE:
                    break
                if abs(top2 - top) < DUPLICATE_TOLERANCE:
                    doubled.add((text, round(x), round(top)))
                    doubled.add((text, round(x2), round(top2)))
    return doubled


def dedupe_chars(chars: Sequence[Char]) -> list[Char]:
    """The chars without the near copies fake bold draws (the first copy is kept).

    Args:
        chars: A page's chars in content-stream order.

    Returns:
        The chars, each glyph once.
    """
    kept: list[Char] = []
    last_at: dict[str, list[Char]] = {}
    for ch in chars:
        twins = last_at.setdefault(ch["text"], [])
        if any(
            abs(ch["x0"] - t["x0"]) < DUPLICATE_TOLERANCE
            and abs(ch["top"] - t["top"]) < DUPLICATE_TOLERANCE
            for t in twins
        ):
            continue
        twins.append(ch)
        kept.append(ch)
    return kept


def char_key(ch: Char) -> tuple[str, int, int]:
    """The key :func:`find_fake_bold` uses for a char."""
    return (ch["text"], round(ch["x0"]), round(ch["top"]))


def group_rows(chars: Iterable[Char]) -> list[list[Char]]:
    """Chars grouped into printed lines, top to bottom (each line unsorted).

    A char joins the line above when its vertical middle falls inside that line's
    envelope; superscripts and mixed sizes stay on their line.
    """
    rows: list[list[Char]] = []
    envelope: tuple[float, float] = (0.0, -1.0)
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        mid = (ch["top"] + ch["bottom"]) / 2
        if rows and envelope[0] <= mid <= envelope[1]:
            rows[-1].append(ch)
            envelope = (min(envelope[0], ch["top"]), max(envelope[1], ch["bottom"]))
        else:
            rows.append([ch])
            envelope = (ch["top"], ch["bottom"])
    return rows


def chars_to_lines(
    chars: Iterable[Char], page: int, fake_bold: set[tuple[str, int, int]] | None = None
) -> list[Line]:
    """Group chars into printed lines, top to bottom, each left to right.

    Args:
        chars: pdfplumber chars (deduplicated) of one page or one table cell.
        page: 1-based page number the chars are on.
        fake_bold: Keys from :func:`find_fake_bold`, to mark fake-bold chars bold.

    Returns:
        The lines; lines with only whitespace are dropped.
    """
    rows = group_rows(chars)
    lines = [_row_to_line(row, page, fake_bold or set()) for row in rows]
    return [line for line in lines if line.text]


def _row_to_line(
    row: list[Char], page: int, fake_bold: set[tuple[str, int, int]]
) -> Line:
    row.sort(key=lambda c: c["x0"])
    ink = [c for c in row if not c["text"].isspace()]
    if not ink:
        return Line("", 0, 0, 0, 0, 0, False, page)
    size = median(c["size"] for c in ink)
    text = ""
    prev: Char | None = None
    pending_space = False
    for ch in row:
        t = ch["text"]
        if t.isspace():
            pending_space = prev is not None
            continue
        if prev is not None and text:
            gap = ch["x0"] - prev["x1"]
            latin_pair = not is_wide(text[-1]) and not is_wide(t[0])
            if latin_pair and (pending_space or gap > _SPACE_GAP * size):
                text += " "
        text += t
        prev = ch
        pending_space = False
    bold_count = sum(
        1
        for c in ink
        if is_bold_font(str(c.get("fontname", "")))
        or (fake_bold and char_key(c) in fake_bold)
    )
    return Line(
        text=text.translate(_IDEOGRAPH_LOOKALIKES),
        x0=min(c["x0"] for c in ink),
        top=min(c["top"] for c in ink),
        x1=max(c["x1"] for c in ink),
        bottom=max(c["bottom"] for c in ink),
        size=round(size, 1),
        bold=bold_count * 2 > len(ink),
        page=page,
    )
