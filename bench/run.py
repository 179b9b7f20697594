"""Throughput of nianbao per input kind, side by side with bare PDF libraries.

Every made-up report (tests/report_factory.py) is written as scraped text and as a
Word-like PDF (tests/pdf_factory.py) in the 2019, 2021 and mixed formats with table 3
split over a page break; a second PDF set prints its tables borderless or as
three-line tables (三线表), one with table 3 on a turned landscape page; the real
samples are added. For each kind, in fresh processes (so that peak RSS is each one's
alone), on the same files in the same run:

* nianbao's reader alone and the whole pipeline (``extractors.pipeline.extract``):
  pages per second, mean and p95 latency per page, peak RSS;
* for PDFs, bare ``pdfplumber`` ``extract_text()`` + ``extract_tables()`` on every
  page (the reference of issue 15: the ratio pipeline ÷ bare must be ≥ 1.5) and bare
  ``pypdfium2`` text extraction (the floor: parsing only), each with its peak RSS.

A text file has no pages; it counts the pages of its PDF rendition. HTML
(bench/html_bench.py, documents per second) and scans (bench/scan_bench.py, in its own
process) are measured in the same run, and so is the backlog's orchestration
(bench/backlog.py: the Prefect flow against the plain guarded loop). ``make bench``
runs this and writes the whole of docs/benchmarks.md.

Usage: ``python bench/run.py [--docs N] [--repeat R] [--write PATH] [--no-html]
[--no-scan] [--no-backlog] [--only backlog]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GOAL_PAGES_PER_SECOND = 20.0
# Issue 15: the text-PDF pipeline at least this many times bare pdfplumber's speed.
GOAL_VS_PDFPLUMBER = 1.5
FORMATS = (("2019", "2019"), ("2021", "2021"), ("2021", "2019"), ("2019", "2021"))
# Table-3 rows before which the generated PDFs break the page: inside （四）无法提供.
SPLIT_ROWS = frozenset({16})
# How the second PDF set is drawn, in turn (tests/pdf_factory.py ReportPdf options).
UNRULED_DRAWINGS: tuple[dict[str, object], ...] = (
    {"rules": "none", "tables_on_new_page": True, "table_size": 8.0},
    {"rules": "three_line", "tables_on_new_page": True, "table_size": 8.0},
    {"landscape_tables": frozenset({1}), "turn": 90},
)
REAL_PDF = ROOT / "samples" / "szfgs2024.pdf"

NOTES = [
    "Reading the figures:",
    "",
    "- The reader parses each page once with pdfium (pypdfium2): chars with their "
    "boxes, sizes and fonts, ruling lines from the path objects, image boxes "
    "(extractors/readers/pdf_layer.py). pdfplumber's table geometry (edges to "
    "intersections to cells) runs on those lines; pdfminer, which was ~80% of the "
    "reader's time, no longer parses pages (it is asked only whether a file pdfium "
    "refuses has an empty page tree). Bare pdfplumber parses every page with "
    "pdfminer, which is why the reader can beat it.",
    "- Tables printed without rules (borderless, three-line) are rebuilt from word "
    "positions (extractors/readers/pdf_unruled.py) on pages with no ruling grid; "
    "pages whose glyphs are drawn turned are turned upright first (pdf_layer).",
    "- *pypdfium2 text* is `get_textpage().get_text_range()` on every page: parsing "
    "and nothing else, the floor for any reader.",
    "- camelot (lattice, pdfium rendering) runs only on pages whose ruled grid is weak "
    "or drawn as a picture; it costs ~0.2 s a page and lifts peak RSS to ~300–400 MB "
    "(300 dpi rendering + OpenCV); no page of this corpus needs it.",
    "- *pipeline* is `extractors.pipeline.extract`: reader + outline + template "
    "mapping + checks + metadata.",
]

SCAN_NOTES = [
    "Reading the figures (from the OCR work, measured with bench/scan_bench.py):",
    "",
    "- One onnxruntime thread per session, two pages at a time "
    "(extractors/readers/scan.py): two intra-op threads cost ~30% more CPU per page.",
    "- Recognition dominates. No text detector runs on ruled pages: table cells and "
    "text lines are found from the ruling lines and projection profiles, and all "
    "crops of a page go to the recognizer in width-sorted batches of at most 16 "
    "heights of width (larger batches cost ~35% more CPU), narrowed to 0.7 of their "
    "width (`SQUEEZE`); readings under 0.92 are read again unnarrowed.",
    "- The detector (tables without rules) reads at 112.5 dpi at most.",
    "- Text pages of a PDF never reach OCR: only pages flagged `needs_ocr` are "
    "rendered (200 dpi by default, `OcrOptions.dpi`).",
    "- Peak RSS includes building the corpus in the same process; the loaded models "
    "take ~180 MB of it.",
]


@dataclass(frozen=True)
class KindResult:
    """One input kind's figures."""

    kind: str
    documents: int
    pages: int
    reader_pages_per_s: float
    pipeline_pages_per_s: float
    reader_ms_per_page_mean: float
    reader_ms_per_page_p95: float
    pipeline_ms_per_page_mean: float
    peak_rss_mb: float
    pdfplumber_pages_per_s: float | None = None
    pdfplumber_peak_rss_mb: float | None = None
    pdfium_pages_per_s: float | None = None

    @property
    def pipeline_vs_pdfplumber(self) -> float | None:
        """Pipeline speed over bare pdfplumber text+tables speed (>1: faster)."""
        if not self.pdfplumber_pages_per_s:
            return None
        return self.pipeline_pages_per_s / self.pdfplumber_pages_per_s

    @property
    def reader_vs_pdfplumber(self) -> float | None:
        """Reader speed over bare pdfplumber text+tables speed (>1: faster)."""
        if not self.pdfplumber_pages_per_s:
            return None
        return self.reader_pages_per_s / self.pdfplumber_pages_per_s


def _pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def build_corpus(folder: Path, docs: int) -> dict[str, list[tuple[Path, int]]]:
    """Write the corpus: (file, pages) per kind."""
    from pdf_factory import made_up_to_pdf
    from report_factory import make_report, to_text

    corpus: dict[str, list[tuple[Path, int]]] = {
        "text": [],
        "pdf": [],
        "pdf (borderless, three-line, turned)": [],
        # The real PDF alone: Word's dense content streams parse slower than reportlab's.
        "pdf (szfgs2024 only)": [(REAL_PDF, _pages(REAL_PDF))],
    }
    for i in range(docs):
        active, requests = FORMATS[i % len(FORMATS)]
        made = make_report(active, requests, seed=100 + i)
        pdf = made_up_to_pdf(
            made, folder / f"r{i:03}.pdf", requests_break_before=SPLIT_ROWS
        )
        txt = folder / f"r{i:03}.txt"
        txt.write_text(to_text(made), encoding="utf-8")
        corpus["pdf"].append((pdf, _pages(pdf)))
        corpus["text"].append((txt, _pages(pdf)))
        drawn = made_up_to_pdf(
            made,
            folder / f"u{i:03}.pdf",
            drawing=UNRULED_DRAWINGS[i % len(UNRULED_DRAWINGS)],
        )
        corpus["pdf (borderless, three-line, turned)"].append((drawn, _pages(drawn)))
    corpus["pdf"].append((REAL_PDF, _pages(REAL_PDF)))
    # The real text sample is a 4-page report when printed (its own PDF is not public).
    corpus["text"].append((ROOT / "samples" / "000_e67d0018f5985882.txt", 4))
    return corpus


def _timed(
    run: Callable[[Path], object], files: list[tuple[Path, int]], repeat: int
) -> list[float]:
    """Seconds per page of each file (best of ``repeat`` runs)."""
    per_page: list[float] = []
    for path, pages in files:
        best = float("inf")
        for _ in range(repeat):
            # CPU time of this process: pages per second per core, and steady when
            # other jobs share the machine (wall time doubles under load).
            start = time.process_time()
            run(path)
            best = min(best, time.process_time() - start)
        per_page.append(best / pages)
    return per_page


def _rate(per_page: list[float], files: list[tuple[Path, int]]) -> float:
    total = sum(t * p for t, (_, p) in zip(per_page, files, strict=True))
    return sum(p for _, p in files) / total


def bare_pdfplumber(path: Path) -> None:
    """pdfplumber's text and tables of every page, nothing else (the reference)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()


def bare_pdfium(path: Path) -> None:
    """pypdfium2's text of every page, nothing else (the floor)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            page.get_textpage().get_text_range()
    finally:
        pdf.close()


def measure_kind(kind: str, files: list[tuple[Path, int]], repeat: int) -> KindResult:
    """Run in a worker process: nianbao's reader and pipeline timings."""
    from extractors.pipeline import extract
    from extractors.readers import read_document

    # Warm-up: imports, jieba's dictionary, font caches are not per-document costs.
    extract(files[0][0])
    pages = sum(p for _, p in files)
    reader = _timed(read_document, files, repeat)
    pipeline = _timed(extract, files, repeat)
    reader_rate = _rate(reader, files)
    pipeline_rate = _rate(pipeline, files)
    return KindResult(
        kind=kind,
        documents=len(files),
        pages=pages,
        reader_pages_per_s=reader_rate,
        pipeline_pages_per_s=pipeline_rate,
        reader_ms_per_page_mean=1000 / reader_rate,
        reader_ms_per_page_p95=1000 * _p95(reader),
        pipeline_ms_per_page_mean=1000 / pipeline_rate,
        peak_rss_mb=_peak_rss_mb(),
    )


def measure_bare(files: list[tuple[Path, int]], repeat: int) -> dict[str, float]:
    """Run in a worker process: the bare libraries on the same files."""
    bare_pdfplumber(files[0][0])
    bare_pdfium(files[0][0])
    plumber = _rate(_timed(bare_pdfplumber, files, repeat), files)
    pdfium = _rate(_timed(bare_pdfium, files, repeat), files)
    return {
        "pdfplumber_pages_per_s": plumber,
        "pdfplumber_peak_rss_mb": _peak_rss_mb(),
        "pdfium_pages_per_s": pdfium,
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


def _worker(mode: str, kind: str, listing: Path, repeat: int) -> None:
    files = [(Path(p), n) for p, n in json.loads(listing.read_text())]
    if mode == "bare":
        print(json.dumps(measure_bare(files, repeat)))
    else:
        print(json.dumps(asdict(measure_kind(kind, files, repeat))))


def _in_worker(mode: str, kind: str, listing: Path, repeat: int) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            mode,
            kind,
            str(listing),
            "--repeat",
            str(repeat),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    figures: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def run_kind(
    kind: str, files: list[tuple[Path, int]], repeat: int, tmp: Path
) -> KindResult:
    """Measure one kind in fresh interpreters (nianbao's and the bare libraries')."""
    listing = tmp / f"{abs(hash(kind))}-{len(files)}.json"
    listing.write_text(json.dumps([[str(p), n] for p, n in files]))
    figures = _in_worker("nianbao", kind, listing, repeat)
    if kind.startswith("pdf"):
        figures.update(_in_worker("bare", kind, listing, repeat))
    return KindResult(**figures)  # type: ignore[arg-type]


def html_section() -> list[str]:
    """The HTML benchmark's figures as a markdown section."""
    from html_bench import run_html_bench

    result = run_html_bench()
    lines = [
        "## HTML",
        "",
        "bench/html_bench.py, documents per second, CPU time of one process:",
        "",
        "| page | size | reader docs/s | pipeline docs/s |",
        "|---|---|---|---|",
    ]
    for shape, size in result.pages.items():
        lines.append(
            f"| {shape} | {size / 1024:.0f} KB | {result.reader_docs_per_s[shape]:.0f} "
            f"| {result.pipeline_docs_per_s[shape]:.0f} |"
        )
    lines += [
        "",
        "Goal ≥ 100 HTML documents/s on one core. In a batch each document also runs "
        "in a guarded child process (extractors/guard.py), which re-imports the "
        "program's main module: ~0.1 s a document from a small script, ~0.15–0.2 s "
        "under `nianbao` (measured by hand, not by this bench: the backlog section "
        "has the whole cost); `nianbao backlog --workers 2` uses both cores.",
    ]
    return lines


def scan_section() -> list[str]:
    """The scanned-page benchmark (bench/scan_bench.py, its own process)."""
    from scan_bench import run_scan_bench

    result = run_scan_bench()
    return [
        "## Scanned pages (OCR)",
        "",
        "bench/scan_bench.py in a fresh process: made-up reports (2019 and 2021 "
        "formats, 3 A4 pages each) rendered at 150 dpi and degraded like scans "
        "(tests/scan_factory.py: slight rotation, blur, noise, JPEG), read from "
        "multi-page TIFF through the whole pipeline; model loading included.",
        "",
        result.markdown(),
        "",
        *SCAN_NOTES,
    ]


def backlog_section() -> list[str]:
    """The backlog benchmark (bench/backlog.py, 1,000 files, its own processes)."""
    from backlog import run_backlog_bench

    return run_backlog_bench(echo=False).markdown()


def pdf_ratios(results: list[KindResult]) -> list[str]:
    """One line per PDF kind: the issue-15 ratio, printed by ``make bench``."""
    lines = []
    for r in results:
        if r.pipeline_vs_pdfplumber is None:
            continue
        verdict = "met" if r.pipeline_vs_pdfplumber >= GOAL_VS_PDFPLUMBER else "NOT met"
        lines.append(
            f"- {r.kind}: pipeline {r.pipeline_pages_per_s:.1f} pages/s vs bare "
            f"pdfplumber text+tables {r.pdfplumber_pages_per_s:.1f} pages/s = "
            f"{r.pipeline_vs_pdfplumber:.2f}× (goal ≥ {GOAL_VS_PDFPLUMBER}×: "
            f"{verdict})"
        )
    return lines


def to_markdown(
    results: list[KindResult],
    sections: list[list[str]],
    docs: int,
    load: tuple[float, float],
) -> str:
    """The figures as the docs/benchmarks.md page."""
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` (`python bench/run.py`) on "
        f"{time.strftime('%Y-%m-%d %H:%M')}: {platform.processor() or platform.machine()},"
        f" Python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} at the start and {load[1]:.1f} at the end (other jobs slow the "
        "wall-clock figures, scans above all; CPU-time figures much less); one process "
        "(one core) per measurement. Do not edit by hand: rerun it.",
        "",
        "## Text and PDF",
        "",
        f"Corpus: {docs} made-up reports (tests/report_factory.py) in the 2019, 2021 and "
        "mixed formats, each written as scraped text, as a Word-like PDF "
        "(tests/pdf_factory.py; A4, running header, page numbers, fake-bold headings, "
        "table 3 split over a page break) and as a PDF with borderless tables, "
        "three-line tables or table 3 on a turned landscape page (in turn), plus the "
        "real samples (szfgs2024.pdf, 000_e67d0018f5985882.txt). A text file counts the "
        "pages of its PDF rendition. Times are CPU seconds of the measuring process (per "
        "core, steady when other jobs share the machine); latency is per page, best of "
        "the repeats per document. The bare libraries run on the same files in the same "
        "run, in a process of their own.",
        "",
        "| kind | docs | pages | reader pages/s | pipeline pages/s | reader ms/page "
        "(mean / p95) | pipeline ms/page | peak RSS MB | bare pdfplumber text+tables "
        "pages/s (peak RSS MB) | pypdfium2 text pages/s | pipeline ÷ pdfplumber | "
        "reader ÷ pdfplumber |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        plumber = (
            f"{r.pdfplumber_pages_per_s:.1f} ({r.pdfplumber_peak_rss_mb:.0f})"
            if r.pdfplumber_pages_per_s
            else "–"
        )
        pdfium = f"{r.pdfium_pages_per_s:.0f}" if r.pdfium_pages_per_s else "–"
        vs_pipeline = (
            f"{r.pipeline_vs_pdfplumber:.2f}×" if r.pipeline_vs_pdfplumber else "–"
        )
        vs_reader = f"{r.reader_vs_pdfplumber:.2f}×" if r.reader_vs_pdfplumber else "–"
        lines.append(
            f"| {r.kind} | {r.documents} | {r.pages} | {r.reader_pages_per_s:.1f} | "
            f"{r.pipeline_pages_per_s:.1f} | {r.reader_ms_per_page_mean:.1f} / "
            f"{r.reader_ms_per_page_p95:.1f} | {r.pipeline_ms_per_page_mean:.1f} | "
            f"{r.peak_rss_mb:.0f} | {plumber} | {pdfium} | {vs_pipeline} | {vs_reader} |"
        )
    lines += [
        "",
        f"Goals: ≥ {GOAL_PAGES_PER_SECOND:.0f} pages/s per core end to end; the "
        f"text-PDF pipeline ≥ {GOAL_VS_PDFPLUMBER}× bare pdfplumber "
        "`extract_text()` + `extract_tables()` on the same pages (issue 15):",
        "",
        *pdf_ratios(results),
        "",
        *NOTES,
    ]
    for section in sections:
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build the corpus, measure every kind, print the page and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=12, help="made-up reports per kind")
    parser.add_argument("--repeat", type=int, default=3, help="runs per document")
    parser.add_argument(
        "--write",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="where to write the page (default docs/benchmarks.md)",
    )
    parser.add_argument("--no-html", action="store_true", help="skip the HTML part")
    parser.add_argument("--no-scan", action="store_true", help="skip the scan part")
    parser.add_argument(
        "--no-accuracy",
        action="store_true",
        help="skip the accuracy parts (layouts, flattened text, unruled and sealed scans)",
    )
    parser.add_argument(
        "--no-backlog", action="store_true", help="skip the backlog orchestration part"
    )
    parser.add_argument(
        "--only",
        choices=["backlog"],
        help="measure this part alone and print it (the page is written only whole)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("MODE", "KIND", "LISTING"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker[0], args.worker[1], Path(args.worker[2]), args.repeat)
        return 0
    if args.only == "backlog":
        print("\n".join(backlog_section()))
        return 0
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = build_corpus(tmp, args.docs)
        results = [
            run_kind(kind, files, args.repeat, tmp) for kind, files in corpus.items()
        ]
    sections = []
    if not args.no_html:
        sections.append(html_section())
    if not args.no_scan:
        sections.append(scan_section())
    if not args.no_accuracy:
        from accuracy import accuracy_section
        from flat_split import flat_section
        from scan_accuracy import unruled_section
        from seal_accuracy import seal_section

        sections.append(accuracy_section().splitlines())
        sections.append(flat_section().splitlines())
        if not args.no_scan:
            sections.append(unruled_section())
            sections.append(seal_section())
    if not args.no_backlog:
        sections.append(backlog_section())
    load = (load_before, os.getloadavg()[0])
    page = to_markdown(results, sections, args.docs, load)
    print(page)
    args.write.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
