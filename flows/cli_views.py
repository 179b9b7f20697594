"""`nianbao review`, `compare` and `export`: the commands that show results to people.

The views themselves are :mod:`flows.views` (no argparse, no console); this module is
their command line: arguments, progress, one-line usage errors, what was written.

The views are imported inside the commands: the guard's children re-import the
program's main module (`nianbao` → this CLI) for every document, and openpyxl, Jinja2
and the review pages cost ~0.3 s a document there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from extractors.layout import report_jsons
from extractors.report import Report
from flows.progress import progress_bar

_console = Console(stderr=True)

COMPARE_NAME = "compare"


class UsageError(Exception):
    """A mistake in the command line or the setup: one line saying what to do, exit 2."""


def report_argument(path: Path) -> Report:
    """A report JSON named on the command line, or a UsageError saying what is wrong."""
    from flows.views.review_site import read_report

    if not path.is_file():
        raise UsageError(
            f"{path} does not exist; give a report JSON written by extract"
        )
    try:
        return read_report(path)
    except (ValidationError, ValueError) as exc:
        raise UsageError(
            f"{path} is not a report JSON (summaries and other files are not); "
            "give one written by extract"
        ) from exc


def add_view_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the review, compare and export subcommands to the `nianbao` parser."""
    from flows.views.review_site import DEFAULT_PAGE_SCALE

    review = sub.add_parser(
        "review", help="static HTML review pages for report JSONs and a batch index"
    )
    review.add_argument("path", type=Path, metavar="REPORT_JSON_OR_DIR")
    review.add_argument("--out", type=Path, required=True, help="folder for the pages")
    review.add_argument(
        "--sources",
        type=Path,
        help="folder with the input files, for PDF page images "
        "(default: the paths recorded in _summary.json)",
    )
    review.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_PAGE_SCALE,
        help="pixels per PDF point of page images",
    )
    review.set_defaults(run=_review)

    compare = sub.add_parser(
        "compare", help="year-over-year comparison of two reports of one issuer"
    )
    compare.add_argument("first", type=Path, metavar="A.json")
    compare.add_argument("second", type=Path, metavar="B.json")
    compare.add_argument(
        "--out", type=Path, required=True, help="folder for compare.html/.json"
    )
    compare.set_defaults(run=_compare)

    export = sub.add_parser(
        "export", help="one spreadsheet sheet or CSV per table across a batch"
    )
    export.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR")
    export.add_argument("--xlsx", type=Path, metavar="FILE", help="Excel workbook")
    export.add_argument("--csv", type=Path, metavar="DIR", help="folder for CSVs")
    export.set_defaults(run=_export)


def _review(args: argparse.Namespace) -> int:
    from flows.views.review_site import build_review_site

    if not args.path.exists():
        raise UsageError(f"{args.path} does not exist; give an output folder or JSON")
    with progress_bar("review", _console) as progress:
        bar = progress.add_task("", total=None)

        def written(path: Path, total: int) -> None:
            progress.update(bar, total=total, description=path.name, advance=1)

        site = build_review_site(
            args.path, args.out, args.sources, args.scale, on_page=written
        )
    if not site.pages:
        raise UsageError(f"no report JSON in {args.path}; run nianbao extract first")
    _console.print(
        f"{len(site.pages)} review pages, {site.images} page images in {args.out}"
    )
    if site.index:
        _console.print(f"index: {site.index}")
    for name in site.missing_sources:
        _console.print(f"[yellow]{name}: source PDF not found (use --sources)[/yellow]")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from flows.views.compare import compare_reports, comparison_page

    comparison = compare_reports(
        report_argument(args.first), report_argument(args.second)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    payload = comparison.model_dump(mode="json")
    (args.out / f"{COMPARE_NAME}.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (args.out / f"{COMPARE_NAME}.html").write_text(
        comparison_page(comparison), encoding="utf-8"
    )
    for warning in comparison.warnings:
        _console.print(f"[yellow]{warning}[/yellow]")
    _console.print(
        f"{comparison.previous.year} → {comparison.current.year}: "
        f"{len(comparison.changed)} of {len(comparison.values)} values changed"
    )
    for check in comparison.broken_carry_over:
        _console.print(f"[red]S2 {check.scope}[/red]: {check.message}")
    _console.print(f"written: {args.out / COMPARE_NAME}.html, .json")
    return 0


def _export(args: argparse.Namespace) -> int:
    from flows.views.export import batch_sheets, write_csv, write_xlsx
    from flows.views.review_site import find_reports

    if args.xlsx is None and args.csv is None:
        raise UsageError("give --xlsx FILE and/or --csv DIR")
    if not args.output_dir.is_dir():
        raise UsageError(f"{args.output_dir} is not a folder; give an output folder")
    with progress_bar("export", _console) as progress:
        bar = progress.add_task("", total=len(report_jsons(args.output_dir)))
        reports, skipped = find_reports(
            args.output_dir,
            lambda path: progress.update(bar, description=path.name, advance=1),
        )
    if not reports:
        raise UsageError(f"no report JSON in {args.output_dir}; run extract first")
    sheets = batch_sheets(r for _, r in reports)
    if args.xlsx is not None:
        _console.print(f"written: {write_xlsx(sheets, args.xlsx)}")
    if args.csv is not None:
        for path in write_csv(sheets, args.csv):
            _console.print(f"written: {path}")
    _console.print(f"{len(reports)} reports exported; {len(skipped)} files skipped")
    return 0
