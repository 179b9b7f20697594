"""`nianbao` command line: extract files, run the backlog flow, print the JSON Schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from extractors.batch import (
    BatchSummary,
    Outcome,
    find_inputs,
    output_names,
    process_file,
    write_summary,
)
from extractors.options import ReaderOptions, Settings
from extractors.report import Report

_console = Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nianbao` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    return int(args.run(args))


def _parser() -> argparse.ArgumentParser:
    settings = Settings()
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="政府信息公开工作年度报告 → validated canonical JSON",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    extract = sub.add_parser("extract", help="extract files or folders to JSON")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    extract.add_argument("--out", type=Path, default=Path(settings.output_dir))
    extract.add_argument("--force", action="store_true", help="redo unchanged files")
    extract.add_argument("--max-pages", type=int, default=settings.max_pages)
    extract.add_argument("--max-bytes", type=int, default=settings.max_file_bytes)
    extract.set_defaults(run=_extract)

    backlog = sub.add_parser("backlog", help="run the Prefect process-backlog flow")
    backlog.add_argument("folder", type=Path)
    backlog.add_argument("--out", type=Path, default=Path(settings.output_dir))
    backlog.add_argument("--force", action="store_true")
    backlog.set_defaults(run=_backlog)

    schema = sub.add_parser("schema", help="print the JSON Schema of the output")
    schema.add_argument("--out", type=Path, help="write to this file instead")
    schema.set_defaults(run=_schema)
    return parser


def _extract(args: argparse.Namespace) -> int:
    options = ReaderOptions(max_pages=args.max_pages, max_file_bytes=args.max_bytes)
    inputs = find_inputs(args.paths)
    if not inputs:
        _console.print("[red]no input files found[/red]")
        return 2
    names = output_names(inputs)
    summary = BatchSummary()
    with Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=_console,
    ) as progress:
        task = progress.add_task("", total=len(inputs))
        for path in inputs:
            progress.update(task, description=path.name)
            summary.files.append(
                process_file(path, args.out, names[path], args.force, options)
            )
            progress.advance(task)
    write_summary(summary, args.out)
    _print_summary(summary)
    return 1 if any(f.outcome is Outcome.FAILED for f in summary.files) else 0


def _backlog(args: argparse.Namespace) -> int:
    from flows.extract import process_backlog  # Prefect loads only for this command

    summary = process_backlog(str(args.folder), str(args.out), args.force)
    _print_summary(summary)
    return 1 if any(f.outcome is Outcome.FAILED for f in summary.files) else 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _print_summary(summary: BatchSummary) -> None:
    table = Table(title="nianbao summary")
    for column in ("file", "outcome", "status", "template", "tables", "cells"):
        table.add_column(column)
    table.add_column("failed checks", justify="right")
    table.add_column("warnings", justify="right")
    for f in summary.files:
        table.add_row(
            Path(f.file).name,
            f.outcome.value,
            f.status or f.error_code or "",
            f.template or "",
            str(f.tables_found),
            str(f.cells),
            str(len(f.failed_checks)),
            str(f.warnings),
        )
    _console.print(table)
    for f in summary.files:
        if f.error_code:
            _console.print(
                f"[red]{Path(f.file).name}: {f.error_code}[/red] {f.message}"
            )
        elif f.failed_checks:
            _console.print(f"{Path(f.file).name}: failed " + ", ".join(f.failed_checks))
    counts = " ".join(f"{k}={v}" for k, v in summary.counts.items())
    _console.print(counts, style="bold")


if __name__ == "__main__":
    sys.exit(main())
