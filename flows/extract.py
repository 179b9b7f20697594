"""Prefect flows: one report, or a backlog folder with one task per document."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.schemas.objects import State
from prefect.futures import wait

from extractors.batch import (
    BatchSummary,
    FileOutcome,
    Outcome,
    find_inputs,
    output_names,
    process_file,
    write_summary,
)
from extractors.errors import ErrorCode


@task(name="extract-file", task_run_name="extract-{path.name}")
def extract_file(
    path: Path, out_dir: Path, output_name: str, force: bool
) -> FileOutcome:
    """Extract one document and write its JSON (bad input is an outcome, not a crash)."""
    return process_file(path, out_dir, output_name, force)


@flow(name="extract-report", log_prints=True)
def extract_report(
    path: str, out_dir: str = "output", force: bool = False
) -> FileOutcome:
    """One report file to its JSON in ``out_dir``."""
    source = Path(path)
    return extract_file(source, Path(out_dir), f"{source.stem}.json", force)


@flow(name="process-backlog", log_prints=True)
def process_backlog(
    folder: str, out_dir: str = "output", force: bool = False
) -> BatchSummary:
    """Every report under ``folder``: one task each, a failure stays in its own task.

    Ends with a summary JSON in ``out_dir`` and two artifacts: a table of every file's
    outcome and a markdown summary.
    """
    inputs = find_inputs([Path(folder)])
    names = output_names(inputs)
    target = Path(out_dir)
    futures = [extract_file.submit(p, target, names[p], force) for p in inputs]
    wait(futures)
    summary = BatchSummary(
        files=[_outcome(p, f.state) for p, f in zip(inputs, futures, strict=True)]
    )
    write_summary(summary, target)
    _publish(summary)
    print(f"{len(inputs)} files: {summary.counts}")
    return summary


def _outcome(path: Path, state: State[FileOutcome]) -> FileOutcome:
    if state.is_completed():
        result = state.result()
        if isinstance(result, FileOutcome):
            return result
    return FileOutcome(
        file=str(path),
        outcome=Outcome.FAILED,
        error_code=ErrorCode.INTERNAL.value,
        message=f"task ended {state.name}: {state.message or ''}".strip(),
    )


def _publish(summary: BatchSummary) -> None:
    rows = [
        {
            "file": f.file,
            "outcome": f.outcome.value,
            "status": f.status or "",
            "reason": f.error_code or "",
            "failed_checks": ", ".join(f.failed_checks),
        }
        for f in summary.files
    ]
    create_table_artifact(key="backlog-files", table=rows, description="Every file")
    counts = summary.counts
    failed = [f for f in summary.files if f.outcome is Outcome.FAILED]
    lines = [
        "# Backlog summary",
        "",
        " | ".join(f"{k}: {v}" for k, v in counts.items()),
        "",
        *(f"- `{f.file}`: **{f.error_code}** {f.message}" for f in failed),
    ]
    create_markdown_artifact(key="backlog-summary", markdown="\n".join(lines))
