"""Automatic list numbers of Word paragraphs (一、 （一） 1.), which the text lacks.

Word keeps a numbered heading's "一、" in numbering.xml, not in the paragraph's runs;
without it "一、总体情况" reads as "总体情况", and the outline loses its numbering. This
module replays the counters in body order and renders each paragraph's number.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{_W}val"
_LEVELS = 9
_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = [
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
]  # fmt: skip
_CHINESE_FORMATS = frozenset(
    {
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
    }
)


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


class ListNumbers:
    """Renders paragraph numbers, advancing Word's counters in reading order."""

    def __init__(
        self,
        numbering: etree._Element | None,
        style_numbers: dict[str, tuple[str, int]],
    ) -> None:
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.style_numbers = style_numbers
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            self._load(numbering)

    def _load(self, numbering: etree._Element) -> None:
        for abstract in numbering.iter(f"{_W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                ilvl = _int(lvl.get(f"{_W}ilvl")) or 0
                levels[ilvl] = _Level(
                    start=_int(_child_val(lvl, "start")) or 1,
                    fmt=_child_val(lvl, "numFmt") or "decimal",
                    text=_child_val(lvl, "lvlText") or "",
                )
            self.abstracts[abstract.get(f"{_W}abstractNumId") or ""] = levels
        for num in numbering.iter(f"{_W}num"):
            overrides = {
                _int(o.get(f"{_W}ilvl")) or 0: _int(_child_val(o, "startOverride")) or 1
                for o in num.iter(f"{_W}lvlOverride")
                if o.find(f"{_W}startOverride") is not None
            }
            abstract_id = _child_val(num, "abstractNumId") or ""
            self.nums[num.get(f"{_W}numId") or ""] = (abstract_id, overrides)

    def number(self, p: etree._Element, style_ids: list[str]) -> str:
        """The number Word shows before paragraph ``p`` ("" when not numbered).

        Args:
            p: a ``w:p`` element, passed in reading order.
            style_ids: its paragraph style and the styles it is based on.
        """
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        num_id: str | None = None
        ilvl = 0
        if num_pr is not None:
            num_id = _child_val(num_pr, "numId")
            ilvl = _int(_child_val(num_pr, "ilvl")) or 0
        else:
            inherited = next(
                (self.style_numbers[s] for s in style_ids if s in self.style_numbers),
                None,
            )
            if inherited is not None:
                num_id, ilvl = inherited
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstracts.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, [None] * _LEVELS)
        if num_id not in self.started:
            # A list instance with a start override restarts its abstract list.
            self.started.add(num_id)
            for level, start in overrides.items():
                if 0 <= level < _LEVELS:
                    counters[level] = start - 1
        current = counters[ilvl]
        counters[ilvl] = levels[ilvl].start if current is None else current + 1
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = None
        return self._render(levels, counters, ilvl)

    def _render(
        self, levels: dict[int, _Level], counters: list[int | None], ilvl: int
    ) -> str:
        level = levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return ""
        text = level.text
        for n in range(_LEVELS, 0, -1):
            marker = f"%{n}"
            if marker in text:
                ref = levels.get(n - 1, level)
                value = counters[n - 1]
                shown = ref.start if value is None else value
                text = text.replace(marker, format_number(shown, ref.fmt))
        return text


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's number formats (w:numFmt)."""
    if fmt in _CHINESE_FORMATS:
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt == "ideographDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt in ("ideographTraditional", "ideographZodiac"):
        return _STEMS[(n - 1) % len(_STEMS)]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def style_numbers(styles: etree._Element) -> dict[str, tuple[str, int]]:
    """Numbering (numId, level) that paragraph styles carry, by style id."""
    found: dict[str, tuple[str, int]] = {}
    for style in styles.iter(f"{_W}style"):
        num_pr = style.find(f"{_W}pPr/{_W}numPr")
        style_id = style.get(f"{_W}styleId")
        if num_pr is None or not style_id:
            continue
        num_id = _child_val(num_pr, "numId")
        if num_id:
            found[style_id] = (num_id, _int(_child_val(num_pr, "ilvl")) or 0)
    return found


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else (ten if tens == 1 else digits[tens] + ten)
    return head + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _child_val(el: etree._Element, name: str) -> str | None:
    child = el.find(f"{_W}{name}")
    return None if child is None else child.get(_VAL)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
