"""Scanned-page throughput: OCR pages per second and peak RSS, with a time breakdown.

Made-up reports (tests/report_factory.py, both formats) are laid out as PDFs, rendered
at 150 dpi and degraded like scans (tests/scan_factory.py), saved as multi-page TIFFs and
run through the whole pipeline (``extractors.pipeline.extract``). Each report is scanned
twice: as printed, and printed without table rules and photographed slightly askew, so
the text-detector fallback for tables without a grid is part of the figure. The measurement runs
in a fresh process so that peak RSS is the OCR path's alone, and reports wall time (what
a user waits, with onnxruntime's two threads) and CPU time (comparable on a busy
machine). bench/run.py calls :func:`run_scan_bench`; ``python bench/scan_bench.py``
runs it alone and prints a markdown section.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

GOAL_PAGES_PER_SECOND = 1.0
# Functions (file part, name) whose cumulative time makes up the breakdown, by label.
_STAGES = {
    "onnxruntime (recognition, detection)": ("onnxruntime", "run"),
    "text detection (tables without rules)": ("ocr/engine", "detect"),
    "page preparation (deskew, orientation)": ("ocr/prepare", "prepare_page"),
    "rule and cell finding": ("ocr/grid", "rules_to_grids"),
    "rendering/decoding": ("ocr/prepare", "load_image_pages"),
}


@dataclass(frozen=True)
class ScanBenchResult:
    """Figures of one scanned-page run."""

    documents: int
    pages: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    breakdown: dict[str, float]  # stage -> share of wall time
    goal_pages_per_s: float = GOAL_PAGES_PER_SECOND
    unruled_documents: int = 0  # of ``documents``: tables without rules, askew

    @property
    def pages_per_s(self) -> float:
        """Scanned pages per wall-clock second."""
        return self.pages / self.wall_s

    @property
    def cpu_s_per_page(self) -> float:
        """CPU seconds per page (both threads together)."""
        return self.cpu_s / self.pages

    def markdown(self) -> str:
        """The result as a section of docs/benchmarks.md."""
        shares = ", ".join(f"{k} {v:.0%}" for k, v in self.breakdown.items())
        return "\n".join(
            [
                "| docs | pages | pages/s (wall) | s/page (wall) | CPU s/page | "
                "peak RSS MB |",
                "|---|---|---|---|---|---|",
                f"| {self.documents} | {self.pages} | {self.pages_per_s:.2f} | "
                f"{self.wall_s / self.pages:.2f} | {self.cpu_s_per_page:.2f} | "
                f"{self.peak_rss_mb:.0f} |",
                "",
                f"{self.unruled_documents} of the {self.documents} documents print "
                "their tables without rules and were photographed slightly askew "
                "(text-detector fallback).",
                "",
                f"Goal: ≥ {self.goal_pages_per_s:g} scanned page/s. Where the time "
                f"goes (share of wall time): {shares}.",
            ]
        )


def build_corpus(folder: Path, seeds: tuple[int, ...] = (1, 2)) -> list[Path]:
    """Degraded multi-page TIFF scans of made-up reports, both formats per seed, each
    once as printed and once without table rules and askew (``unruled_`` files)."""
    from pdf_factory import made_up_to_pdf
    from report_factory import make_report
    from scan_factory import Degradation, erase_rules, render_pages, scan_pages

    paths = []
    for seed in seeds:
        for template in ("2019", "2021"):
            made = make_report(template, template, seed=seed)
            pdf = made_up_to_pdf(made, folder / f"{template}_{seed}.pdf")
            clean = render_pages(pdf)
            for name, pages, how in (
                (f"{template}_{seed}", clean, Degradation()),
                (
                    f"unruled_{template}_{seed}",
                    erase_rules(pdf),
                    Degradation(perspective=0.008),
                ),
            ):
                scanned = scan_pages(pages, random.Random(seed), how)
                tiff = folder / f"{name}.tif"
                scanned[0].save(
                    tiff, save_all=True, append_images=scanned[1:], dpi=(150, 150)
                )
                paths.append(tiff)
    return paths


def measure(paths: list[Path]) -> ScanBenchResult:
    """Run the pipeline over scanned files in this process and time it."""
    from extractors.ocr.engine import get_engine
    from extractors.pipeline import extract

    get_engine()  # model loading is a one-off per process, not a per-page cost
    profile = cProfile.Profile()
    pages = 0
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    profile.enable()
    for path in paths:
        pages += extract(path).source.pages or 0
    profile.disable()
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    breakdown = {}
    for label, (where, name) in _STAGES.items():
        spent = sum(v[3] for k, v in stats.items() if where in k[0] and k[2] == name)
        breakdown[label] = spent / wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    unruled = sum(1 for p in paths if p.name.startswith("unruled_"))
    return ScanBenchResult(
        len(paths), pages, wall, cpu, peak, breakdown, unruled_documents=unruled
    )


def run_scan_bench(seeds: tuple[int, ...] = (1, 2)) -> ScanBenchResult:
    """Measure scanned-page throughput in a fresh process (for bench/run.py).

    Args:
        seeds: Made-up report seeds; each gives a 2019 and a 2021 report of 3 pages,
            each scanned as printed and without rules (12 pages a seed).

    Returns:
        The figures of the run.
    """
    command = [sys.executable, __file__, "--json", "--seeds", *map(str, seeds)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return ScanBenchResult(**figures)


def main() -> None:
    """Build the corpus, measure, print a markdown section (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = build_corpus(Path(folder), tuple(args.seeds))
        result = measure(paths)
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        print(result.markdown())


if __name__ == "__main__":
    main()
