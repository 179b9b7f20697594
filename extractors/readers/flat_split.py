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
from collections.abc import Iterable, Sequence
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
# Other readings kept per cell, most plausible first.
MAX_ALTERNATIVES = 12

_COUNT = re.compile(rf"0|[1-9]\d{{0,{MAX_COUNT_DIGITS - 1}}}")
_CHANGE = re.compile(rf"0|[增减+\-]?[1-9]\d{{0,{MAX_COUNT_DIGITS - 1}}}")
_AMOUNT = re.compile(rf"(?:0|[1-9]\d{{0,{MAX_AMOUNT_DIGITS - 1}}})(?:\.\d+)?(?:万元|元)?")
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
    run: str, kinds: Sequence[ValueKind], blanks: int = 0
) -> list[tuple[str, ...]]:
    """Every segmentation of a run into cells of these kinds, with exactly ``blanks``
    of them vanished ("")."""
    text, breaks = _compact(run)
    out: list[tuple[str, ...]] = []
    cells: list[str] = []

    def walk(pos: int, slot: int, left: int) -> None:
        if len(out) >= MAX_SPLITS:
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
    values: dict[Term, float] = {}
    splits: list[RunSplit] = []
    tied: list[list[tuple[str, ...]]] = []
    for raw, slots in runs:
        own = [e for e in equations if _within(e, slots)]
        best, status = _consistent(raw, slots, own)
        best.sort(key=lambda c, slots=slots: _implausibility(slots, c))
        splits.append(RunSplit(raw, tuple(slots), best[0], status=status))
        tied.append(best)
        values.update(_values(slots, best[0]))
    # Across runs (R1, R2): among equally fitting splits keep those the other runs'
    # readings agree with; a run with one split is never re-read.
    for split, best in zip(splits, tied, strict=True):
        if len(best) > 1:
            across = [e for e in equations if _touches(e, split.slots)]
            others = {t: v for t, v in values.items() if t not in _terms(split.slots)}
            scored = [
                (_broken(across, {**others, **_values(split.slots, c)}), c) for c in best
            ]
            low = min(s for s, _ in scored)
            best[:] = [c for s, c in scored if s == low]
        best.sort(key=lambda c: _implausibility(split.slots, c))
        split.cells = best[0]
        split.candidates = best
        values.update(_values(split.slots, split.cells))
        if len(best) > 1:
            split.status = SplitStatus.SEVERAL
            split.alternatives = tuple(
                tuple(_distinct(c[i] for c in best[1:] if c[i] != best[0][i]))
                for i in range(len(split.slots))
            )
    return splits


def _consistent(
    raw: str, slots: Sequence[Slot], own: Sequence[Equation]
) -> tuple[list[tuple[str, ...]], SplitStatus]:
    """The splits with fewest broken equations, then fewest vanished cells."""
    kinds = [s.kind for s in slots]
    found: list[tuple[str, ...]] = []
    for blanks in range(len(slots)):
        splits = enumerate_splits(raw, kinds, blanks)
        if not splits:
            continue
        scored = [(_broken(own, _values(slots, c)), c) for c in splits]
        low = min(s for s, _ in scored)
        kept = [c for s, c in scored if s == low]
        if low == 0:
            return kept, SplitStatus.ONE
        found = found or kept
        if not own:
            break
    if not found:
        return [tuple("" for _ in slots)], SplitStatus.NONE
    # Every split breaks an equation: the document's own arithmetic fails. Read it
    # the most plausible way; the checks report the failure.
    found.sort(key=lambda c: _implausibility(slots, c))
    status = SplitStatus.ONE if len(found) == 1 else SplitStatus.NONE
    return found, status


def _implausibility(slots: Sequence[Slot], cells: Sequence[str]) -> tuple[float, ...]:
    """Smaller is likelier: rule-free evidence, then similar widths, then leftmost."""
    penalty = 0
    for slot, cell in zip(slots, cells, strict=True):
        if slot.kind is ValueKind.CHANGE and cell not in ("", "0"):
            penalty += not _SIGNED.match(cell)  # printed changes carry 增/减 or are 0
    by_field = {s.term[2]: v for s, v in zip(slots, _numbers(slots, cells), strict=True)}
    for high, low in AT_LEAST:
        if by_field.get(high) is not None and by_field.get(low) is not None:
            penalty += by_field[high] < by_field[low]  # type: ignore[operator]
    widths = [
        len(c) for s, c in zip(slots, cells, strict=True) if c and s.kind is ValueKind.COUNT
    ]
    spread = pvariance(widths) if len(widths) > 1 else 0.0
    return (penalty, spread, *(-len(c) for c in cells))


def _numbers(slots: Sequence[Slot], cells: Sequence[str]) -> list[float | None]:
    out: list[float | None] = []
    for slot, cell in zip(slots, cells, strict=True):
        value = normalize_value(cell, slot.kind).value if cell else None
        out.append(None if value is None else float(value))
    return out


def _values(slots: Sequence[Slot], cells: Sequence[str]) -> dict[Term, float]:
    return {
        s.term: v
        for s, v in zip(slots, _numbers(slots, cells), strict=True)
        if v is not None
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
