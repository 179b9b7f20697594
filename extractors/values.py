"""Cell text to numbers (TEMPLATE.md §3): raw kept, blank is null, 增/减 signed, 万元."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class ValueKind(str, Enum):
    """How a field's cells are read."""

    COUNT = "count"
    CHANGE = "change"
    AMOUNT = "amount_wan_yuan"
    AMOUNT_YUAN = "amount_yuan"  # an amount whose header says 元: converted to 万元


@dataclass(frozen=True)
class CellValue:
    """A normalized cell: the number (or None), the raw text, and what was done to it."""

    value: int | float | None
    raw: str
    note: str | None = None
    unreadable: bool = False


# Characters scrapers and PDF exports leave around figures: `?` from a lost non-breaking
# space (sample 000_e67d…: `?1`, `0?`), zero-width spaces, BOMs.
_ARTIFACTS = re.compile(r"[?？\u200b\u200c\u200d\u2060\ufeff\xa0\s]")
_NULL_MARKERS = frozenset({"", "/", "／", "-", "—", "——", "－", "–", "无", "空", "\\"})
_ZERO_WORDS = frozenset({"持平", "无变化", "不变"})
_UNITS = re.compile(r"(件次|件|项|个|条|次|宗|家|人次|人)$")
_CHANGE = re.compile(r"^(增加|增|减少|减|新增)?([+-]?\d+(?:\.\d+)?)$")
_YUAN_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(万元|万|元)?$")
YUAN_PER_WAN = 10_000


def clean_cell_text(raw: str) -> str:
    """The cell's text with full-width forms folded and artifacts removed."""
    text = unicodedata.normalize("NFKC", raw)
    return _ARTIFACTS.sub("", text)


def is_value_text(raw: str) -> bool:
    """Whether a cell reads as a figure or a blank marker rather than a label."""
    text = clean_cell_text(raw).replace(",", "")
    if text in _NULL_MARKERS or text in _ZERO_WORDS:
        return True
    text = _UNITS.sub("", text.removesuffix("万元").removesuffix("元"))
    return bool(_CHANGE.match(text))


# Reports repeat a few short figures (0, 1, blank) thousands of times over a batch.
@lru_cache(maxsize=65536)
def normalize_value(raw: str, kind: ValueKind = ValueKind.COUNT) -> CellValue:
    """Read one cell.

    Args:
        raw: the cell text as extracted.
        kind: COUNT for integers, CHANGE for signed 增/减 figures, AMOUNT for 万元.

    Returns:
        The value with the raw text; an unreadable cell is ``None`` with
        ``unreadable=True`` (never a guess).

    Example:
        >>> normalize_value("增63", ValueKind.CHANGE).value
        63
    """
    text = clean_cell_text(raw).replace(",", "")
    if text in _NULL_MARKERS:
        return CellValue(None, raw, note=None if not text else "null marker")
    if text in _ZERO_WORDS:
        return CellValue(0, raw, note="no change")
    if kind in (ValueKind.AMOUNT, ValueKind.AMOUNT_YUAN):
        return _amount(text, raw, "元" if kind is ValueKind.AMOUNT_YUAN else "万元")
    text = _UNITS.sub("", text)
    match = _CHANGE.match(text)
    if not match:
        return CellValue(None, raw, unreadable=True)
    prefix, digits = match.groups()
    number = float(digits)
    if prefix and prefix.startswith("减"):
        number = -abs(number)
    if number != int(number):
        return CellValue(None, raw, note="fraction in a count field", unreadable=True)
    return CellValue(int(number), raw)


def _amount(text: str, raw: str, header_unit: str) -> CellValue:
    match = _YUAN_AMOUNT.match(text)
    if not match:
        return CellValue(None, raw, unreadable=True)
    number, unit = float(match.group(1)), match.group(2) or header_unit
    if unit == "元":
        return CellValue(
            _tidy(number / YUAN_PER_WAN),
            raw,
            note=f"converted from {number:g} 元 to 万元",
        )
    return CellValue(_tidy(number), raw)


def _tidy(number: float) -> int | float:
    rounded = round(number, 6)
    return int(rounded) if rounded == int(rounded) else rounded
