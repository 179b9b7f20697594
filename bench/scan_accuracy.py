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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pdf_factory import made_up_to_pdf  # noqa: E402
from report_factory import MadeUpReport, make_report  # noqa: E402
from scan_factory import (  # noqa: E402
    Degradation,
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


def main() -> None:
    """Scan every case, read it, print per-case and total counts and the losses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[31])
    parser.add_argument("--keep", type=Path, help="keep the scans in this folder")
    args = parser.parse_args()
    total = exact = flagged = silent = 0
    losses = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for case in cases(tuple(args.seeds)):
            made, tiff = scan_case(case, folder)
            found = cell_outcomes(made, extract(tiff))
            ok = sum(e for _, e, _ in found)
            wrong_flagged = sum(1 for _, e, f in found if not e and f)
            print(
                f"{case.name}: {ok}/{len(found)} exact, wrong and flagged "
                f"{wrong_flagged}, wrong and silent {len(found) - ok - wrong_flagged}",
                flush=True,
            )
            total += len(found)
            exact += ok
            flagged += wrong_flagged
            silent += len(found) - ok - wrong_flagged
            losses += [(case.name, s, f) for s, e, f in found if not e]
    print(
        f"\ntotal {exact}/{total} = {exact / total:.2%} exact; "
        f"wrong and flagged {flagged}; wrong and silent {silent}"
    )
    for name, scope, was_flagged in losses:
        print(f"  {name}: {scope}{'' if was_flagged else '  SILENT'}")


if __name__ == "__main__":
    main()
