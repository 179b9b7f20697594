"""Accuracy on a perturbed corpus: made-up reports printed the way real ones are.

Each named layout of tests/variants.py (总计 first, a missing or extra column, misprinted,
split or shifted labels, thousands separators, all at once) is rendered from seeded
made-up reports in every format (scraped text, HTML, Word, PDF) and run through the
pipeline. Per layout it counts template cells read exactly, check failures the made-up
report does not have (false alarms), and, on a copy whose own figures break R1 and R3,
the report's own failures that were missed. bench/run.py includes
:func:`accuracy_section`; ``python bench/accuracy.py`` prints it alone.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from report_factory import MadeUpReport, make_report  # noqa: E402
from table_layout import Layout, expected_values, without_column  # noqa: E402
from variants import (  # noqa: E402
    FORMATS,
    LAYOUTS,
    own_failures,
    render,
    reported_failures,
)

from extractors.pipeline import extract  # noqa: E402
from extractors.report import Report  # noqa: E402

TABLES = ("active_disclosure", "requests", "review_litigation")
SEEDS = (101, 102)


@dataclass
class Tally:
    """One layout's counts over its documents."""

    documents: int = 0
    cells: int = 0
    exact: int = 0
    false_failures: int = 0
    missed_failures: int = 0
    undecided_failures: int = 0  # own failures over a cell the layout does not print

    @property
    def accuracy(self) -> float:
        """Share of template cells read exactly."""
        return self.exact / self.cells if self.cells else 0.0


def _made(layout: Layout, seed: int, broken: bool) -> MadeUpReport:
    template = "2021" if seed % 2 else "2019"
    made = make_report(template, template, seed=seed)
    if layout.missing_column:
        made = without_column(made, layout.missing_column)
    if broken:  # the report's own errors: R3 of a row, R2 and R1 of columns
        row = made.requests["disclosed"]
        row["natural_person"] = int(row["natural_person"] or 0) + 3
        carried = made.requests["carried_over"]
        carried["total"] = int(carried["total"] or 0) + 1
    return made


def _score(tally: Tally, report: Report, made: MadeUpReport, layout: Layout) -> None:
    expected = expected_values(made, layout)
    for table in TABLES:
        got = getattr(report, table)
        for row, fields in getattr(expected, table).items():
            for name, value in fields.items():
                tally.cells += 1
                tally.exact += got.get(row, {}).get(name, "missing") == value
    own = own_failures(made)
    found = reported_failures(report)
    # A check over a column the layout leaves out cannot be decided from the page: the
    # report says `skipped`, which is right, and is counted apart from a miss.
    skipped = {(c.rule, c.scope) for c in report.checks if c.status == "skipped"}
    tally.false_failures += len(found - own)
    tally.missed_failures += len(own - found - skipped)
    tally.undecided_failures += len(own & skipped)
    tally.documents += 1


def measure(seeds: tuple[int, ...] = SEEDS) -> dict[str, Tally]:
    """Run every layout in every format for each seed, clean and with own errors."""
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, layout in LAYOUTS.items():
            tally = tallies.setdefault(name, Tally())
            for seed in seeds:
                for broken in (False, True):
                    made = _made(layout, seed, broken)
                    for fmt in FORMATS:
                        report = extract(render(made, layout, fmt, folder))
                        _score(tally, report, made, layout)
    return tallies


def accuracy_section(seeds: tuple[int, ...] = SEEDS) -> str:
    """The markdown section for docs/benchmarks.md."""
    started = time.perf_counter()
    tallies = measure(seeds)
    elapsed = time.perf_counter() - started
    total = Tally()
    lines = [
        "## Accuracy on perturbed layouts",
        "",
        f"Made-up reports (seeds {', '.join(map(str, seeds))}; 2019 and 2021 formats) "
        f"printed in each layout of tests/variants.py, in {', '.join(FORMATS)}, each "
        "once as made and once with its own R1/R2/R3 errors. *False failures*: R1–R4 "
        "failures the made-up report does not have; *missed*: its own failures not "
        "reported; *skipped*: its own failures over a cell the layout does not print, "
        f"reported `skipped` (undecidable from the page). {elapsed:.0f} s.",
        "",
        "| layout | documents | cells | cell accuracy | false failures | missed "
        "| skipped |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in tallies.items():
        lines.append(
            f"| {name} | {t.documents} | {t.cells} | {t.accuracy:.2%} | "
            f"{t.false_failures} | {t.missed_failures} | {t.undecided_failures} |"
        )
        total.documents += t.documents
        total.cells += t.cells
        total.exact += t.exact
        total.false_failures += t.false_failures
        total.missed_failures += t.missed_failures
        total.undecided_failures += t.undecided_failures
    lines.append(
        f"| **all** | {total.documents} | {total.cells} | {total.accuracy:.2%} | "
        f"{total.false_failures} | {total.missed_failures} | "
        f"{total.undecided_failures} |"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(accuracy_section())
