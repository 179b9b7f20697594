"""Figures read exact under a red seal (公章) stamped over table 4 of scanned reports.

Made-up reports (tests/report_factory.py) of both formats are laid out as PDFs; the last
page (table 4) gets a seal stamped over its row of figures at a position and size drawn
per case (tests/scan_factory.py ``seal_over_figures``), is degraded like a scan and
saved as a JPEG, then read by the whole pipeline. Each of table 4's 15 figures counts
as exact, wrong but flagged (a warning naming it or its group, or a failed check over
its group), or wrong and unflagged (silent). ``python bench/seal_accuracy.py`` prints
the counts and every figure not read exact.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pdf_factory import made_up_to_pdf  # noqa: E402
from report_factory import make_report  # noqa: E402
from scan_factory import Tally, cell_outcomes, sealed_scan  # noqa: E402

from extractors.pipeline import extract  # noqa: E402

# Made-up reports (both formats in turn) and seal placements on each.
REPORTS = 12
SEALS = 6


def measure(reports: int = REPORTS, seals: int = SEALS) -> Tally:
    """Stamp, scan and read every case; count table 4's figures."""
    tally = Tally()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for number in range(reports):
            template = ("2019", "2021")[number % 2]
            made = make_report(template, template, seed=100 + number)
            pdf = made_up_to_pdf(made, folder / f"{number}.pdf")
            for placement in range(seals):
                rng = random.Random(1000 * number + placement)
                path = sealed_scan(pdf, rng, folder / f"{number}_{placement}.jpg")
                found = [
                    o
                    for o in cell_outcomes(made, extract(path))
                    if o[0].startswith("review_litigation.")
                ]
                tally.add(f"{template}/{number}/{placement}", found)
    return tally


def seal_section(reports: int = REPORTS, seals: int = SEALS) -> list[str]:
    """The markdown section for docs/benchmarks.md."""
    started = time.perf_counter()
    tally = measure(reports, seals)
    elapsed = time.perf_counter() - started
    return [
        "## Figures under a seal (scans)",
        "",
        f"bench/seal_accuracy.py: {reports} made-up reports (both formats), each scanned "
        f"{seals} times with a red seal (radius 0.55–0.83 in) stamped over table 4's "
        "figures at a different place, degraded and saved as JPEG. "
        f"{elapsed:.0f} s.",
        "",
        *tally.table(),
    ]


def main() -> None:
    """Print the counts and every figure not read exact."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=REPORTS, help="made-up reports")
    parser.add_argument("--seals", type=int, default=SEALS, help="placements each")
    args = parser.parse_args()
    tally = measure(args.reports, args.seals)
    print(f"table 4 under a seal: {tally.summary()}")
    for name, scope, was_flagged in tally.losses:
        print(f"  {name}: {scope}{'' if was_flagged else '  SILENT'}")


if __name__ == "__main__":
    main()
