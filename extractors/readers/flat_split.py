"""Cells of a flattened digit run: `6233440` is 62 / 33 / 440, not any other split.

Web archivers save a report table as one line with no separator between cells, so each
row's figures arrive as one run of digits (a blank cell simply vanishes). The template
says how many fields the row has, of which kinds, and which equations hold between them
(R3: six applicant columns add up to 总计; R4: each table-4 group; R1/R2 across rows). A
run is split by enumerating its segmentations under those rules: the numbers are small,
no figure has a leading zero, a space always ends a cell. A split costs one for each
equation it breaks and each assumption it makes (a vanished cell; a change printed
without 增/减, which reports do not do). The cheapest splits of a run *fit equally*, and
the equations across runs then rule out those no reading of the other rows agrees with.
Of the splits left, the most plausible (in-force ≥ issued, ≥ 1 万元 per procurement
project, counts of similar widths, then the earliest cells longest) becomes the cell
text and the others are kept as alternatives: the value is flagged, never silently
guessed. A report's own broken arithmetic stays broken: a split balancing only by
dropping a cell ties with the printed figures, and a run no split balances is read the
least-off way and reported with its raw digits (the checks report the failure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from statistics import pvariance

from extractors.checks import Equation, Term
from extractors.values import ValueKind, normalize_value

# Widest figure of each kind, in digits (integer part for amounts): beyond these a
# split is not a reading of any real report.
MAX_COUNT_DIGITS = 7
MAX_AMOUNT_DIGITS = 12
# A run is never split more ways than this (a 15-cell table-4 run has a few hundred).
MAX_SPLITS = 20_000
# Nor searched longer than this many steps (a run far too long for its row).
MAX_STEPS = 200_000
# Other readings kept per cell, most plausible first.
MAX_ALTERNATIVES = 12

_COUNT = re.compile(rf"0|[1-9]\d{{0,{MAX_COUNT_DIGITS - 1}}}")
_CHANGE = re.compile(rf"0|[增减+\-]?[1-9]\d{{0,{MAX_COUNT_DIGITS - 1}}}")
_AMOUNT = re.compile(
    rf"(?:0|[1-9]\d{{0,{MAX_AMOUNT_DIGITS - 1}}})(?:\.\d+)?(?:万元|元)?"
)
_PATTERNS = {
    ValueKind.COUNT: _COUNT,
    ValueKind.CHANGE: _CHANGE,
    ValueKind.AMOUNT: _AMOUNT,
    ValueKind.AMOUNT_YUAN: _AMOUNT,
}
_SIGNED = re.compile(r"^[增减+\-]")

# Relations real reports keep but the template does not require (a field pair within
# one row: the first is at least the second). Breaking one makes a split less plausible,
# never inconsistent: this year's documents are still in force at year end, and a
# centralized procurement project is worth at least 1 万元.
AT_LEAST: tuple[tuple[str, str], ...] = (
    ("in_force", "issued"),
    ("amount_wan_yuan", "projects"),
)


class SplitStatus(str, Enum):
    """How well a run could be split."""

    ONE = "one"  # one split satisfies the rules (or only one exists)
    SEVERAL = "several"  # several splits satisfy them equally: flagged
    NONE = "none"  # every split breaks a rule: reported with the raw digits


@dataclass(frozen=True)
class Slot:
    """One field a run's figures fill: the cell it is and how it reads."""

    term: Term
    kind: ValueKind


@dataclass
class RunSplit:
    """The chosen reading of one run and what else it could have been."""

    raw: str
    slots: tuple[Slot, ...]
    cells: tuple[str, ...]  # "" where a cell vanished
    alternatives: tuple[tuple[str, ...], ...] = ()  # per cell, other readings
    status: SplitStatus = SplitStatus.ONE
    candidates: list[tuple[str, ...]] = field(default_factory=list, repr=False)


def enumerate_splits(
    run: str,
    kinds: Sequence[ValueKind],
    blanks: int = 0,
    keep: Callable[[list[str]], bool] | None = None,
) -> list[tuple[str, ...]]:
    """Every segmentation of a run into cells of these kinds, with exactly ``blanks``
    of them vanished (""); ``keep`` may reject a partial split as soon as it fails."""
    text, breaks = _compact(run)
    out: list[tuple[str, ...]] = []
    cells: list[str] = []
    steps = [0]

    def walk(pos: int, slot: int, left: int) -> None:
        steps[0] += 1
        if len(out) >= MAX_SPLITS or steps[0] > MAX_STEPS:
            return
        if keep is not None and cells and not keep(cells):
            return
        if slot == len(kinds):
            if pos == len(text) and left == 0:
                out.append(tuple(cells))
            return
        if len(text) - pos < len(kinds) - slot - left:
            return  # not enough characters for the cells still to come
        if left:
            cells.append("")
            walk(pos, slot + 1, left - 1)
            cells.pop()
        pattern = _PATTERNS[kinds[slot]]
        for end in range(pos + 1, len(text) + 1):
            if any(b in breaks for b in range(pos + 1, end)):
                break  # a space never falls inside a cell
            piece = text[pos:end]
            if pattern.fullmatch(piece):
                cells.append(piece)
                walk(end, slot + 1, left)
                cells.pop()
            elif not _could_grow(piece, pattern):
                break

    walk(0, 0, blanks)
    return out


def fitting(
    raw: str, slots: Sequence[Slot], own: Sequence[Equation]
) -> tuple[list[tuple[str, ...]], SplitStatus]:
    """The splits with the fewest broken equations plus assumptions, likeliest first.

    An assumption (a vanished cell, a change printed without 增/减) weighs as much as a
    broken equation: a split that balances only by dropping a cell ties with printed
    figures that do not balance, so the reading is flagged, never silently repaired.

    Args:
        raw: the run as printed (spaces kept).
        slots: the fields it fills, in order.
        own: the equations whose cells are all in this run (R3, R4).

    Returns:
        The equally cheapest splits, likeliest first, and ``NONE`` when the likeliest
        still breaks an equation (the report's own arithmetic), else ``ONE``.
    """
    kinds = [s.kind for s in slots]
    strict = enumerate_splits(raw, kinds, 0, _keeps(slots, own))
    if strict:
        strict.sort(key=lambda cells: _implausibility(slots, cells))
        return strict, SplitStatus.ONE
    scored: list[tuple[int, tuple[str, ...]]] = []
    blanks, limit = 0, len(slots)
    while blanks <= limit:
        for cells in enumerate_splits(raw, kinds, blanks):
            scored.append(
                (broken(own, figures(slots, cells)) + _assumed(slots, cells), cells)
            )
        if scored:
            # A split with more vanished cells than the best cost cannot tie with it.
            limit = min(limit, min(c for c, _ in scored))
        blanks += 1
    if not scored:
        return [tuple("" for _ in slots)], SplitStatus.NONE
    low = min(c for c, _ in scored)
    best = [cells for c, cells in scored if c == low]
    # A report's own sums are off by a little (a typo), not by a misread column.
    best.sort(
        key=lambda c: (_residual(own, figures(slots, c)), _implausibility(slots, c))
    )
    if broken(own, figures(slots, best[0])):
        # The document's own arithmetic fails: read it the most plausible way; the
        # checks report the failure.
        return best, SplitStatus.NONE
    return best, SplitStatus.ONE


def _keeps(
    slots: Sequence[Slot], own: Sequence[Equation]
) -> Callable[[list[str]], bool]:
    """A pruning test for partial splits: no assumption, no broken equation so far."""
    index = {s.term: i for i, s in enumerate(slots)}
    due: dict[int, list[Equation]] = {}
    for eq in own:
        due.setdefault(max(index[t] for t in (*eq.left, *eq.right)), []).append(eq)

    def keep(cells: list[str]) -> bool:
        last = len(cells) - 1
        if _assumed(slots[last : last + 1], cells[last:]):
            return False
        eqs = due.get(last)
        return not eqs or not broken(eqs, figures(slots[: last + 1], cells))

    return keep


def _assumed(slots: Sequence[Slot], cells: Sequence[str]) -> int:
    """Assumptions a split makes: vanished cells, and changes printed with no 增/减
    (reports print a change as 增63 / 减5 / 0, sample 000_e67d…)."""
    return sum(
        not cell or _unsigned(slot, cell)
        for slot, cell in zip(slots, cells, strict=False)
    )


def _unsigned(slot: Slot, cell: str) -> bool:
    """A change printed as a bare nonzero figure."""
    return (
        slot.kind is ValueKind.CHANGE
        and cell not in ("", "0")
        and not _SIGNED.match(cell)
    )


def _implausibility(slots: Sequence[Slot], cells: Sequence[str]) -> tuple[float, ...]:
    """Smaller is likelier: changes signed as printed, fewer vanished cells, the usual
    relations, then similar widths, then the earliest cells longest."""
    by_field = {
        s.term[2]: v for s, v in zip(slots, _numbers(slots, cells), strict=True)
    }
    penalty = sum(
        1
        for high, low in AT_LEAST
        if (h := by_field.get(high)) is not None
        and (lo := by_field.get(low)) is not None
        and h < lo
    )
    widths = [
        len(c)
        for s, c in zip(slots, cells, strict=True)
        if c and s.kind is ValueKind.COUNT
    ]
    spread = pvariance(widths) if len(widths) > 1 else 0.0
    unsigned = sum(_unsigned(s, c) for s, c in zip(slots, cells, strict=True))
    return (unsigned, cells.count(""), penalty, spread, *(-len(c) for c in cells))


def _numbers(slots: Sequence[Slot], cells: Sequence[str]) -> list[float | None]:
    out: list[float | None] = []
    for slot, cell in zip(slots, cells, strict=True):
        value = normalize_value(cell, slot.kind).value if cell else None
        out.append(None if value is None else float(value))
    return out


def figures(slots: Sequence[Slot], cells: Sequence[str]) -> dict[Term, float]:
    """The split's figures by term; a vanished cell counts 0, as in the checks."""
    return {
        s.term: 0.0 if v is None else v
        for s, v in zip(slots, _numbers(slots, cells), strict=False)
    }


def _offsets(equations: Sequence[Equation], values: dict[Term, float]) -> list[float]:
    """How far each equation is off; one with no printed cell on a side is skipped."""
    out = []
    for eq in equations:
        left = [values[t] for t in eq.left if t in values]
        right = [values[t] for t in eq.right if t in values]
        if left and right:
            out.append(abs(sum(left) - sum(right)))
    return out


def broken(equations: Sequence[Equation], values: dict[Term, float]) -> int:
    """How many equations fail."""
    return sum(off > 1e-6 for off in _offsets(equations, values))


def _residual(equations: Sequence[Equation], values: dict[Term, float]) -> float:
    """How far the equations are off in all."""
    return sum(_offsets(equations, values))


def terms_of(slots: Sequence[Slot]) -> set[Term]:
    """The cells a run fills."""
    return {s.term for s in slots}


def within(eq: Equation, slots: Sequence[Slot]) -> bool:
    """Whether every cell of an equation is in this run."""
    return set(eq.left) | set(eq.right) <= terms_of(slots)


def touches(eq: Equation, slots: Sequence[Slot]) -> bool:
    """Whether an equation has a cell in this run."""
    return bool((set(eq.left) | set(eq.right)) & terms_of(slots))


def _compact(run: str) -> tuple[str, set[int]]:
    """The run without spaces, and the positions where a space stood."""
    text: list[str] = []
    breaks: set[int] = set()
    for char in run.strip():
        if char.isspace():
            breaks.add(len(text))
        else:
            text.append(char)
    return "".join(text), breaks


def _could_grow(piece: str, pattern: re.Pattern[str]) -> bool:
    """Whether a longer piece could still be a cell (`增` alone is not, `增5` is)."""
    if pattern is _AMOUNT:
        return bool(re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d*)?(?:万)?", piece))
    return bool(re.fullmatch(r"[增减+\-]", piece)) and pattern is _CHANGE


def first_distinct(texts: Iterable[str]) -> list[str]:
    """The first MAX_ALTERNATIVES different texts, in order."""
    out: list[str] = []
    for text in texts:
        if text not in out:
            out.append(text)
        if len(out) == MAX_ALTERNATIVES:
            break
    return out
