"""`nianbao` command line: extract, run the backlog flow, load the store, serve the inbox,
start a local Prefect server.

Exit codes, the same for every command: 0 when every file was processed or unchanged,
1 when a file failed (or a JSON was refused by ``load``), 2 for a mistake in the command
line or the setup (a missing path, an empty folder, a bad setting, no database or
server): one line saying what to do, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from extractors.batch import (
    BatchSummary,
    FileOutcome,
    Outcome,
    backlog_inputs,
    find_inputs,
    input_roots,
    run_batch,
    settle_unchanged,
)
from extractors.ledger import outcome_line
from extractors.options import ReaderOptions, Settings
from extractors.report import Report
from flows.cli_views import UsageError, add_view_commands
from flows.progress import progress_bar

_console = Console(stderr=True)
# Above this many files the closing summary lists only failures and counts.
SUMMARY_TABLE_MAX_FILES = 50


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nianbao` console script."""
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        return int(args.run(args))
    except UsageError as exc:
        _console.print(f"nianbao: {exc}", style="red", highlight=False, soft_wrap=True)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise UsageError(
            "bad NIANBAO_ setting: "
            + _validation_text(exc, "NIANBAO_")
            + "; fix or unset that environment variable"
        ) from exc
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="政府信息公开工作年度报告 → validated canonical JSON",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    extract = sub.add_parser("extract", help="extract files or folders to JSON")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    extract.add_argument("--out", type=Path, default=Path(settings.output_dir))
    extract.add_argument("--force", action="store_true", help="redo unchanged files")
    _add_limits(extract, settings)
    extract.set_defaults(run=_extract)

    backlog = sub.add_parser("backlog", help="run the Prefect process-backlog flow")
    backlog.add_argument("folder", type=Path, nargs="?", help="searched recursively")
    backlog.add_argument("--glob", help="files matching a glob (** recurses)")
    backlog.add_argument(
        "--manifest", type=Path, help="CSV listing files (path column)"
    )
    backlog.add_argument("--out", type=Path, default=Path(settings.output_dir))
    backlog.add_argument("--force", action="store_true", help="redo unchanged files")
    backlog.add_argument(
        "--workers", type=int, default=4, help="documents extracted at once"
    )
    backlog.add_argument("--dask-address", help="run tasks on this Dask scheduler")
    backlog.add_argument(
        "--dask", action="store_true", help="run tasks on a local Dask cluster"
    )
    backlog.add_argument(
        "-v", "--verbose", action="store_true", help="show Dask's own log lines"
    )
    _add_limits(backlog, settings)
    backlog.set_defaults(run=_backlog)

    load = sub.add_parser("load", help="load report JSONs into DuckDB or PostgreSQL")
    load.add_argument("out_dir", type=Path, metavar="OUTPUT_DIR")
    target = load.add_mutually_exclusive_group()
    target.add_argument(
        "--db", type=Path, help="DuckDB file (default OUTPUT_DIR/nianbao.duckdb)"
    )
    target.add_argument("--postgres", metavar="URL", help="PostgreSQL URL instead")
    load.add_argument("--parquet", type=Path, metavar="DIR", help="export tables")
    load.set_defaults(run=_load)

    serve = sub.add_parser("serve", help="serve the inbox flow on a cron schedule")
    serve.add_argument("inbox", type=Path, metavar="INBOX")
    serve.add_argument("--out", type=Path, default=Path(settings.output_dir))
    serve.add_argument("--cron", default="*/10 * * * *", help='e.g. "*/5 * * * *"')
    serve.add_argument(
        "--min-age", type=float, default=10.0, help="seconds a file must be settled"
    )
    serve.set_defaults(run=_serve)

    server = sub.add_parser(
        "server", help="start a local Prefect server for the deployments, offline"
    )
    server.add_argument("--host", default="127.0.0.1", help="listen address")
    server.add_argument("--port", type=int, default=4200)
    server.add_argument(
        "--home", type=Path, help="Prefect's home (default $PREFECT_HOME, ./.prefect)"
    )
    server.set_defaults(run=_server)

    schema = sub.add_parser("schema", help="print the JSON Schema of the output")
    schema.add_argument("--out", type=Path, help="write to this file instead")
    schema.set_defaults(run=_schema)

    add_view_commands(sub)  # review, compare, export
    return parser


def _add_limits(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument("--max-pages", type=int, default=settings.max_pages)
    parser.add_argument("--max-bytes", type=int, default=settings.max_file_bytes)
    parser.add_argument(
        "--time-limit",
        type=float,
        default=settings.time_limit_seconds,
        help="seconds one document may take before it fails with `timeout`",
    )
    parser.add_argument(
        "--memory-limit",
        type=int,
        default=settings.memory_limit_mb,
        help="MiB one document's extraction may use",
    )


def _validation_text(exc: ValidationError, prefix: str = "--") -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
        for e in exc.errors()
    )


def _limits(args: argparse.Namespace) -> ReaderOptions:
    try:
        return ReaderOptions(
            max_pages=args.max_pages,
            max_file_bytes=args.max_bytes,
            time_limit_seconds=args.time_limit,
            memory_limit_mb=args.memory_limit,
        )
    except ValidationError as exc:
        raise UsageError(f"bad limit: {_validation_text(exc)}") from exc


def _existing(path: Path, what: str) -> Path:
    if not path.exists():
        raise UsageError(f"{path} does not exist; give an existing {what}")
    return path


def _exit_code(summary: BatchSummary) -> int:
    failed = any(f.outcome is Outcome.FAILED for f in summary.files)
    return EXIT_FAILED if failed else EXIT_OK


def _extract(args: argparse.Namespace) -> int:
    options = _limits(args)
    for path in args.paths:
        _existing(path, "file or folder")
    inputs = find_inputs(args.paths, [args.out])
    if not inputs:
        raise UsageError(f"no input files in {' '.join(map(str, args.paths))}")
    with _progress("extract") as progress:
        task = progress.add_task("", total=len(inputs))

        def done(outcome: FileOutcome) -> None:
            progress.update(task, description=Path(outcome.file).name, advance=1)

        summary = run_batch(inputs, args.out, args.force, options, done, args.paths)
    _print_summary(summary)
    return _exit_code(summary)


def _backlog_inputs(args: argparse.Namespace) -> list[Path]:
    """List the backlog before Prefect starts, to refuse a missing or empty one fast."""
    if not (args.folder or args.glob or args.manifest):
        raise UsageError("give a FOLDER, --glob PATTERN or --manifest CSV")
    if args.folder:
        _existing(args.folder, "folder")
    if args.manifest:
        _existing(args.manifest, "CSV manifest")
    try:
        inputs = backlog_inputs(
            str(args.folder) if args.folder else None,
            args.glob,
            str(args.manifest) if args.manifest else None,
            str(args.out),
        )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(
            f"cannot read the manifest {args.manifest}: {exc}; "
            "give a UTF-8 CSV with a path column"
        ) from exc
    if not inputs:
        raise UsageError("no input files: the folder, glob or manifest lists none")
    return inputs


def _backlog(args: argparse.Namespace) -> int:
    options = _limits(args)
    folder = str(args.folder) if args.folder else None
    manifest = str(args.manifest) if args.manifest else None
    roots = input_roots(folder, args.glob, manifest)
    inputs = _backlog_inputs(args)
    settled = settle_unchanged(inputs, args.out, roots, args.force)
    if settled is not None:  # nothing to extract: no Prefect server, no flow run
        _print_summary(settled)
        return _exit_code(settled)
    # Prefect (and Dask) load only for the commands that need them.
    from flows.extract import backlog_flow, backlog_runner, progress_hooks

    runner = backlog_runner(args.workers, args.dask_address, args.dask)
    if not args.verbose:
        # Dask logs every connection at INFO, and a comm closed at a clean shutdown with
        # its traceback: noise unless asked for. Set after backlog_runner imported it.
        logging.getLogger("distributed").setLevel(logging.WARNING)
    with _progress("backlog") as progress:
        bar = progress.add_task("", total=len(inputs))

        def advance(outcome: FileOutcome) -> None:
            progress.update(bar, description=Path(outcome.file).name, advance=1)

        progress_hooks.append(advance)
        try:
            summary = backlog_flow(runner)(
                folder, str(args.out), args.force, args.glob, manifest, options
            )
        finally:
            progress_hooks.remove(advance)
    _print_summary(summary)
    return _exit_code(summary)


def _load(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from extractors.layout import report_jsons
    from flows.store import (
        StoreUnavailable,
        export_parquet,
        load_outputs,
        open_store,
        store_url,
        table_counts,
    )

    if not args.out_dir.is_dir():
        raise UsageError(
            f"{args.out_dir} is not a folder; give the --out folder of extract"
        )
    found = report_jsons(args.out_dir)
    if not found:
        raise UsageError(f"no report JSON in {args.out_dir}; run nianbao extract first")
    url = store_url(args.db, args.postgres, args.out_dir)
    try:
        engine = open_store(url)
    except StoreUnavailable as exc:  # server down, database missing: what to run
        raise UsageError(str(exc)) from exc
    except DBAPIError as exc:
        raise UsageError(_database_problem(url, exc)) from exc
    try:
        with _progress("load") as progress:
            bar = progress.add_task("", total=len(found))
            summary = load_outputs(
                engine,
                args.out_dir,
                lambda path: progress.update(bar, description=path.name, advance=1),
            )
        counts = table_counts(engine)
        if args.parquet:
            export_parquet(engine, args.parquet)
    except DBAPIError as exc:
        raise UsageError(_database_problem(url, exc)) from exc
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    _console.print(
        f"loaded {summary.documents} documents into {where}: "
        + ", ".join(f"{k}={v}" for k, v in summary.rows.items())
        + f", S2 checks={summary.s2_checks}",
        style="bold",
    )
    _console.print(
        "store now holds " + ", ".join(f"{k}={v}" for k, v in counts.items())
    )
    if args.parquet:
        _console.print(f"Parquet files in {args.parquet}")
    for path, reason in summary.rejected.items():
        _console.print(f"[red]{Path(path).name}: not a report JSON[/red] {reason}")
    return EXIT_FAILED if summary.rejected else EXIT_OK


def _database_problem(url: str, exc: Exception) -> str:
    from sqlalchemy.engine import make_url

    where = make_url(url).render_as_string(hide_password=True)
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return (
        f"cannot use the database {where}: {first}; start the server, create the "
        "database, or check the URL"
    )


def _serve(args: argparse.Namespace) -> int:
    from flows.inbox import cron_problem, serve_inbox, server_problem

    problem = cron_problem(args.cron) or server_problem()
    if problem:
        raise UsageError(problem)
    args.inbox.mkdir(parents=True, exist_ok=True)
    serve_inbox(str(args.inbox), str(args.out), args.cron, args.min_age)
    return EXIT_OK


def _server(args: argparse.Namespace) -> int:
    # flows/__init__ defaults PREFECT_HOME to ./.prefect, so it is always set here;
    # set before Prefect loads, so this process (which creates the pool) uses it too.
    home = (args.home or Path(os.environ["PREFECT_HOME"])).resolve()
    os.environ["PREFECT_HOME"] = str(home)
    from flows.server import ServerFailed, serve_locally

    try:
        return serve_locally(home, args.host, args.port)
    except ServerFailed as exc:
        raise UsageError(str(exc)) from exc


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.out:
        if not args.out.parent.is_dir():
            raise UsageError(
                f"folder {args.out.parent} does not exist; create it or give another --out"
            )
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _progress(label: str) -> Progress:
    return progress_bar(label, _console)


def _print_summary(summary: BatchSummary) -> None:
    if not sys.stdout.isatty():
        # Logs, pipes and cron mail: one plain line per file, nothing cut.
        for f in summary.files:
            print(outcome_line(f))
        print(" ".join(f"{k}={v}" for k, v in summary.counts.items()))
        return
    if len(summary.files) > SUMMARY_TABLE_MAX_FILES:
        _print_failures(summary, brief=True)
        return
    table = Table(title="nianbao summary")
    table.add_column("file", overflow="fold")
    for column in ("outcome", "status", "template", "tables", "cells"):
        table.add_column(column)
    table.add_column("failed checks", justify="right")
    table.add_column("warnings", justify="right")
    for f in summary.files:
        table.add_row(
            f.file,
            f.outcome.value,
            f.status or f.error_code or "",
            f.template or "",
            str(f.tables_found),
            str(f.cells),
            str(len(f.failed_checks)),
            str(f.warnings),
        )
    _console.print(table)
    _print_failures(summary)


def _print_failures(summary: BatchSummary, brief: bool = False) -> None:
    for f in summary.files:
        if f.error_code:
            kind = f" ({f.detected_kind})" if f.detected_kind else ""
            _console.print(
                f"[red]{f.file}: {f.error_code}{kind}[/red] {f.message}",
                highlight=False,
            )
        elif f.failed_checks and not brief:
            _console.print(f"{f.file}: failed " + ", ".join(f.failed_checks))
    if brief:
        checked = sum(1 for f in summary.files if f.failed_checks)
        _console.print(
            f"{checked} processed file(s) with failed checks: see _summary.csv"
        )
    counts = " ".join(f"{k}={v}" for k, v in summary.counts.items())
    _console.print(counts, style="bold")


if __name__ == "__main__":
    sys.exit(main())
