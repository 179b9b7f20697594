"""Cells of a flattened digit run: `6233440` is 62 / 33 / 440, not any other split.

Web archivers save a report table as one line with no separator between cells, so each
row's figures arrive as one run of digits (a blank cell simply vanishes). The template
says how many fields the row has, of which kinds, and which equations hold between them
(R3: six applicant columns add up to 总计; R4: each table-4 group; R1/R2 across rows). A
run is split by enumerating its segmentations under those rules: the numbers are small,
no figure has a leading zero, a space always ends a cell. Splits are ranked by

1. equations broken (within the run, then across runs),
2. vanished cells,

and splits equal on both *fit equally*: the most plausible one (signed or zero changes,
counts of similar widths, in-force ≥ issued, ≥ 1 万元 per procurement project, then the
earliest cells longest) becomes the cell text, and the others are kept as alternatives so
the value is flagged, never silently guessed. A report's own broken arithmetic stays
broken: no split is ever preferred for being more consistent than every plausible one
when none satisfies the rules; that run is reported as having no consistent split.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import product
from math import prod
from statistics import pvariance

from extractors.checks import Equation, Term
from extractors.values import ValueKind, normalize_value

# Widest figure of each kind, in digits (integer part for amounts): beyond these a
# split is not a reading of any real report.
MAX_COUNT_DIGITS = 7
MAX_AMOUNT_DIGITS = 12
# A run is never split more ways than this (a 15-cell table-4 run has a few hundred).
MAX_SPLITS = 20_000
# Joint reading of the runs several splits fit: candidates per run, combinations in all.
MAX_COMBINATIONS = 20_000
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

    ONE = "one"  # exactly one split satisfies the rules (or only one exists)
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

    def walk(pos: int, slot: int, left: int) -> None:
        if len(out) >= MAX_SPLITS or (keep is not None and cells and not keep(cells)):
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


def split_runs(
    runs: Sequence[tuple[str, Sequence[Slot]]], equations: Sequence[Equation]
) -> list[RunSplit]:
    """Split every run of one table, using the equations within and across runs.

    Args:
        runs: each row's raw figures (spaces kept) and the slots they fill, in order.
        equations: the template's equations over the slots' terms.

    Returns:
        One :class:`RunSplit` per run, in order.
    """
    splits: list[RunSplit] = []
    for raw, slots in runs:
        own = [e for e in equations if _within(e, slots)]
        best, status = _fitting(raw, slots, own)
        splits.append(
            RunSplit(raw, tuple(slots), best[0], status=status, candidates=best)
        )
    _across(
        splits, [e for e in equations if not any(_within(e, s.slots) for s in splits)]
    )
    for split in splits:
        best = split.candidates
        split.cells = best[0]
        if len(best) > 1:
            if split.status is SplitStatus.ONE:
                split.status = SplitStatus.SEVERAL
            split.alternatives = tuple(
                tuple(_distinct(c[i] for c in best[1:] if c[i] != best[0][i]))
                for i in range(len(split.slots))
            )
    return splits


def _across(splits: list[RunSplit], equations: Sequence[Equation]) -> None:
    """Among equally fitting splits of the runs the equations across runs (R1, R2)
    touch, keep those some reading of the other runs satisfies: each equation in turn
    until none rules out more, then every combination if few enough remain. An
    equation no combination satisfies is the report's own failure and rules out none.
    Runs with one split stay as read."""
    open_runs = [
        s
        for s in splits
        if len(s.candidates) > 1 and any(_touches(e, s.slots) for e in equations)
    ]
    if not open_runs:
        return
    printed = {t for s in splits for t in _terms(s.slots)}
    touching = [
        e
        for e in equations
        if any(_touches(e, s.slots) for s in open_runs)
        and printed & set(e.left)
        and printed & set(e.right)  # a side with no printed row is no equation
    ]
    fixed: dict[Term, float] = {}
    for split in splits:
        if split not in open_runs:
            fixed.update(_values(split.slots, split.candidates[0]))
    while any([_arc(eq, open_runs, fixed) for eq in touching]):
        pass
    still = [s for s in open_runs if len(s.candidates) > 1]
    choices = [[_values(s.slots, c) for c in s.candidates] for s in still]
    if not still or prod(len(c) for c in choices) > MAX_COMBINATIONS:
        return  # left flagged with every reading that survived
    for split in open_runs:
        if split not in still:
            fixed.update(_values(split.slots, split.candidates[0]))
    scored = [
        (
            _broken(
                touching, _merged(fixed, [choices[i][k] for i, k in enumerate(picks)])
            ),
            picks,
        )
        for picks in product(*(range(len(c)) for c in choices))
    ]
    low = min(b for b, _ in scored)
    for i, split in enumerate(still):
        kept = sorted({picks[i] for b, picks in scored if b == low})
        split.candidates = [split.candidates[k] for k in kept]


def _arc(eq: Equation, runs: list[RunSplit], fixed: dict[Term, float]) -> bool:
    """Drop the splits with which no reading of the other runs satisfies ``eq``."""
    sign = {**dict.fromkeys(eq.left, 1.0), **dict.fromkeys(eq.right, -1.0)}
    base = sum(sign[t] * v for t, v in fixed.items() if t in sign)
    involved = [s for s in runs if _touches(eq, s.slots)]
    parts = [
        [
            round(
                sum(sign[t] * v for t, v in _values(s.slots, c).items() if t in sign), 6
            )
            for c in s.candidates
        ]
        for s in involved
    ]
    before: list[set[float]] = [{0.0}]
    for options in parts:
        before.append({round(p + o, 6) for p in before[-1] for o in options})
    if not any(abs(base + p) < 1e-6 for p in before[-1]):
        return False  # no reading satisfies it: the report's own failure
    after: list[set[float]] = [{0.0}]
    for options in reversed(parts):
        after.append({round(p + o, 6) for p in after[-1] for o in options})
    after.reverse()
    changed = False
    for i, split in enumerate(involved):
        keep = [
            k
            for k, o in enumerate(parts[i])
            if any(round(-base - p - o, 6) in after[i + 1] for p in before[i])
        ]
        if len(keep) < len(split.candidates):
            split.candidates = [split.candidates[k] for k in keep]
            changed = True
    return changed


def _merged(
    fixed: dict[Term, float], parts: list[dict[Term, float]]
) -> dict[Term, float]:
    values = dict(fixed)
    for part in parts:
        values.update(part)
    return values


def _fitting(
    raw: str, slots: Sequence[Slot], own: Sequence[Equation]
) -> tuple[list[tuple[str, ...]], SplitStatus]:
    """The splits with the fewest broken equations plus assumptions, likeliest first.

    An assumption (a vanished cell, a change printed without 增/减) weighs as much as a
    broken equation: a split that balances only by dropping a cell ties with printed
    figures that do not balance, so the reading is flagged, never silently repaired.
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
                (_broken(own, _values(slots, cells)) + _assumed(slots, cells), cells)
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
        key=lambda c: (_residual(own, _values(slots, c)), _implausibility(slots, c))
    )
    if _broken(own, _values(slots, best[0])):
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
        return not eqs or not _broken(eqs, _values(slots[: last + 1], cells))

    return keep


def _assumed(slots: Sequence[Slot], cells: Sequence[str]) -> int:
    """Assumptions a split makes: vanished cells, and changes printed with no 增/减
    (reports print a change as 增63 / 减5 / 0, sample 000_e67d…)."""
    return sum(
        not cell
        or (slot.kind is ValueKind.CHANGE and cell != "0" and not _SIGNED.match(cell))
        for slot, cell in zip(slots, cells, strict=False)
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
    unsigned = sum(
        s.kind is ValueKind.CHANGE and c not in ("", "0") and not _SIGNED.match(c)
        for s, c in zip(slots, cells, strict=True)
    )
    return (unsigned, cells.count(""), penalty, spread, *(-len(c) for c in cells))


def _numbers(slots: Sequence[Slot], cells: Sequence[str]) -> list[float | None]:
    out: list[float | None] = []
    for slot, cell in zip(slots, cells, strict=True):
        value = normalize_value(cell, slot.kind).value if cell else None
        out.append(None if value is None else float(value))
    return out


def _values(slots: Sequence[Slot], cells: Sequence[str]) -> dict[Term, float]:
    """The split's figures by term; a vanished cell counts 0, as in the checks."""
    return {
        s.term: 0.0 if v is None else v
        for s, v in zip(slots, _numbers(slots, cells), strict=False)
    }


def _broken(equations: Sequence[Equation], values: dict[Term, float]) -> int:
    """Equations that fail; one with no printed cell on a side is not counted."""
    broken = 0
    for eq in equations:
        left = [values[t] for t in eq.left if t in values]
        right = [values[t] for t in eq.right if t in values]
        if left and right and abs(sum(left) - sum(right)) > 1e-6:
            broken += 1
    return broken


def _residual(equations: Sequence[Equation], values: dict[Term, float]) -> float:
    """How far the equations are off in all."""
    total = 0.0
    for eq in equations:
        left = [values[t] for t in eq.left if t in values]
        right = [values[t] for t in eq.right if t in values]
        if left and right:
            total += abs(sum(left) - sum(right))
    return total


def _terms(slots: Sequence[Slot]) -> set[Term]:
    return {s.term for s in slots}


def _within(eq: Equation, slots: Sequence[Slot]) -> bool:
    return set(eq.left) | set(eq.right) <= _terms(slots)


def _touches(eq: Equation, slots: Sequence[Slot]) -> bool:
    return bool((set(eq.left) | set(eq.right)) & _terms(slots))


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


def _distinct(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text not in out:
            out.append(text)
        if len(out) == MAX_ALTERNATIVES:
            break
    return out
