"""Cells read exact on scans of tables printed without rules, page breaks placed on purpose.

Made-up reports (tests/report_factory.py) of both formats are laid out as PDFs with a
page break forced where tables are hard to join without rules: inside table 3's header,
right under it, before its last row alone, and before the last rows of table 2. The
pages are rendered with the table rules erased, photographed slightly askew and
degraded (tests/scan_factory.py), then read by the whole pipeline. Each template cell
counts as exact, wrong but flagged (a warning naming the cell or its row, or a failed check over it; a table-level warning alone does not count), or wrong and
unflagged (a silent error). ``python bench/scan_accuracy.py`` prints the counts and
every cell not read exact.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pdf_factory import made_up_to_pdf  # noqa: E402
from report_factory import MadeUpReport, make_report  # noqa: E402
from scan_factory import (  # noqa: E402
    Degradation,
    Tally,
    cell_outcomes,
    erase_rules,
    scan_pages,
)

from extractors.pipeline import extract  # noqa: E402

# Table 3's rows 0-2 are its header; 25 (2019) and 27 (2021) its last row.
_LAST_REQUESTS_ROW = {"2019": 25, "2021": 27}


@dataclass(frozen=True)
class Case:
    """One made-up report and where its page breaks are forced."""

    template: str
    seed: int
    requests_break: frozenset[int] = frozenset()
    active_break: frozenset[int] = frozenset()

    @property
    def name(self) -> str:
        """A short label for the printout."""
        parts = [f"{self.template}/{self.seed}"]
        if self.requests_break:
            parts.append(f"t3 break {sorted(self.requests_break)}")
        if self.active_break:
            parts.append(f"t2 break {sorted(self.active_break)}")
        return ", ".join(parts)


def cases(seeds: tuple[int, ...]) -> list[Case]:
    """Per seed, both formats with the page breaks that matter for unruled tables."""
    out = []
    for seed in seeds:
        for template in ("2019", "2021"):
            last = _LAST_REQUESTS_ROW[template]
            out += [
                Case(template, seed),
                Case(template, seed, requests_break=frozenset({1})),
                Case(template, seed, requests_break=frozenset({2})),
                Case(template, seed, requests_break=frozenset({3})),
                Case(template, seed, requests_break=frozenset({last})),
                # 2019: the last three rows (fees, procurement) on the next page;
                # 2021: the fee row alone, one label and one figure.
                Case(
                    template,
                    seed,
                    active_break=frozenset({14} if template == "2019" else {13}),
                ),
            ]
    return out


def scan_case(case: Case, folder: Path) -> tuple[MadeUpReport, Path]:
    """The case's report as a degraded multi-page TIFF without table rules."""
    made = make_report(case.template, case.template, seed=case.seed)
    stem = case.name.replace("/", "_").replace(" ", "").replace(",", "_")
    pdf = made_up_to_pdf(
        made,
        folder / f"{stem}.pdf",
        requests_break_before=case.requests_break,
        active_break_before=case.active_break,
    )
    how = Degradation(perspective=0.008)
    pages = scan_pages(erase_rules(pdf), random.Random(case.seed), how)
    tiff = folder / f"{stem}.tif"
    pages[0].save(tiff, save_all=True, append_images=pages[1:], dpi=(150, 150))
    return made, tiff


def measure(seeds: tuple[int, ...], folder: Path, progress: bool = False) -> Tally:
    """Scan and read every case of these seeds in ``folder``; count the cells."""
    tally = Tally()
    for case in cases(seeds):
        made, tiff = scan_case(case, folder)
        found = cell_outcomes(made, extract(tiff))
        tally.add(case.name, found)
        if progress:
            one = Tally()
            one.add(case.name, found)
            print(f"{case.name}: {one.summary()}", flush=True)
    return tally


def unruled_section(seeds: tuple[int, ...] = (31, 32)) -> list[str]:
    """The markdown section for docs/benchmarks.md."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        tally = measure(seeds, Path(temporary))
    elapsed = time.perf_counter() - started
    return [
        "## Tables without rules (scans)",
        "",
        f"bench/scan_accuracy.py: made-up reports (seeds {', '.join(map(str, seeds))}; "
        "both formats) printed without table rules, page breaks forced inside and "
        "around tables 2 and 3, scanned slightly askew; every template cell of every "
        f"report. {elapsed:.0f} s.",
        "",
        *tally.table(),
    ]


def main() -> None:
    """Scan every case, read it, print per-case and total counts and the losses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[31])
    parser.add_argument("--keep", type=Path, help="keep the scans in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        tally = measure(tuple(args.seeds), folder, progress=True)
    print(f"\ntotal {tally.summary()}")
    for name, scope, was_flagged in tally.losses:
        print(f"  {name}: {scope}{'' if was_flagged else '  SILENT'}")


if __name__ == "__main__":
    main()
