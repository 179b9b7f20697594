"""Reading a table's flattened runs together: the equations across rows (R1, R2).

Each run is first split alone (:mod:`extractors.readers.flat_split`); where several
splits fit a run equally, the equations across runs keep those some reading of the other
rows agrees with (`1|13` or `11|3` in one row is settled by the column's sum).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from math import prod

from extractors.checks import Equation, Term
from extractors.readers.flat_split import (
    RunSplit,
    Slot,
    SplitStatus,
    broken,
    figures,
    first_distinct,
    fitting,
    terms_of,
    touches,
    within,
)

# Combinations of the runs' remaining splits tried in all; beyond, they stay flagged.
MAX_COMBINATIONS = 20_000


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
        own = [e for e in equations if within(e, slots)]
        best, status = fitting(raw, slots, own)
        splits.append(
            RunSplit(raw, tuple(slots), best[0], status=status, candidates=best)
        )
    _across(
        splits, [e for e in equations if not any(within(e, s.slots) for s in splits)]
    )
    for split in splits:
        best = split.candidates
        split.cells = best[0]
        if len(best) > 1:
            if split.status is SplitStatus.ONE:
                split.status = SplitStatus.SEVERAL
            split.alternatives = tuple(
                tuple(first_distinct(c[i] for c in best[1:] if c[i] != best[0][i]))
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
        if len(s.candidates) > 1 and any(touches(e, s.slots) for e in equations)
    ]
    if not open_runs:
        return
    printed = {t for s in splits for t in terms_of(s.slots)}
    touching = [
        e
        for e in equations
        if any(touches(e, s.slots) for s in open_runs)
        and printed & set(e.left)
        and printed & set(e.right)  # a side with no printed row is no equation
    ]
    fixed: dict[Term, float] = {}
    for split in splits:
        if split not in open_runs:
            fixed.update(figures(split.slots, split.candidates[0]))
    while any([_arc(eq, open_runs, fixed) for eq in touching]):
        pass
    still = [s for s in open_runs if len(s.candidates) > 1]
    choices = [[figures(s.slots, c) for c in s.candidates] for s in still]
    if not still or prod(len(c) for c in choices) > MAX_COMBINATIONS:
        return  # left flagged with every reading that survived
    for split in open_runs:
        if split not in still:
            fixed.update(figures(split.slots, split.candidates[0]))
    scored = [
        (
            broken(
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
    involved = [s for s in runs if touches(eq, s.slots)]
    parts = [
        [
            round(
                sum(sign[t] * v for t, v in figures(s.slots, c).items() if t in sign), 6
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
