"""Prefect flows: one report, or a backlog (folder, glob or manifest) with one task each.

The output JSON is the only cache record: a file whose JSON already carries the same
sha256 and pipeline version is ``unchanged`` and gets no task at all, so a re-run of a
large backlog costs one hash per file (``--force`` redoes everything). Every outcome is
appended to the output folder's ledger as it arrives, so a killed run loses none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from prefect import Flow, Task, flow, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from extractors.batch import (
    BatchSummary,
    FileOutcome,
    Outcome,
    Target,
    backlog_inputs,
    check_unchanged,
    close_bundles,
    default_target,
    input_roots,
    is_transient,
    open_bundles,
    plan_batch,
    process_file,
    remove_stale_temporaries,
    write_summary,
)
from extractors.errors import ErrorCode
from extractors.ledger import append_outcomes
from extractors.options import ReaderOptions

DEFAULT_WORKERS = 4
# Read errors that may pass (EIO, a network mount's hiccup) get these retries; a corrupt
# or missing file never raises out of the task, so it is never retried.
READ_RETRY_DELAYS: list[float] = [1.0, 5.0]

# Called once per finished file, in completion order; the CLI hangs its progress bar
# here. A callback is not a flow parameter because parameters must serialize.
progress_hooks: list[Callable[[FileOutcome], None]] = []


def _retry_transient(task: Task[..., Any], run: TaskRun, state: State[Any]) -> bool:
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)


@task(
    name="extract-file",
    task_run_name="extract-{path.name}",
    retries=len(READ_RETRY_DELAYS),
    retry_delay_seconds=READ_RETRY_DELAYS,
    retry_condition_fn=_retry_transient,
    cache_policy=NO_CACHE,  # the output JSON is the cache (see the module docstring)
)
def extract_file(
    path: Path,
    out_dir: Path,
    target: Target,
    force: bool,
    options: ReaderOptions | None = None,
) -> FileOutcome:
    """Extract one document and write its JSON (bad input is an outcome, not a crash)."""
    return process_file(path, out_dir, target, force, options, raise_transient=True)


@task(name="list-inputs", cache_policy=NO_CACHE)
def list_inputs(
    folder: str | None,
    pattern: str | None,
    manifest: str | None,
    out_dir: str | None = None,
) -> list[Path]:
    """The backlog's files: a folder (recursive), a glob, a CSV manifest, or several."""
    return backlog_inputs(folder, pattern, manifest, out_dir)


@task(name="find-unchanged", cache_policy=NO_CACHE)
def find_unchanged(
    inputs: list[Path], out_dir: Path, targets: dict[Path, Target], force: bool
) -> dict[Path, FileOutcome]:
    """Files whose JSON is current, decided before any extraction task is scheduled."""
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
    found: dict[Path, FileOutcome] = {}
    for path in inputs:
        outcome = check_unchanged(path, out_dir, targets[path], force)
        if outcome is not None:
            found[path] = outcome
    return found


@task(name="write-summary", cache_policy=NO_CACHE)
def save_summary(summary: BatchSummary, out_dir: Path) -> Path:
    """``_summary.json`` and ``_summary.csv`` in the output folder."""
    return write_summary(summary, out_dir)


@flow(name="extract-report", log_prints=True)
def extract_report(
    path: str, out_dir: str = "output", force: bool = False
) -> FileOutcome:
    """One report file to its JSON in ``out_dir`` (recorded in the folder's ledger)."""
    source, target = Path(path), Path(out_dir)
    planned = plan_batch([source], target).get(source, default_target(source))
    outcome = extract_file(source, target, planned, force)
    append_outcomes(target, [outcome])
    return outcome


@flow(name="process-backlog", log_prints=True)
def process_backlog(
    folder: str | None = None,
    out_dir: str = "output",
    force: bool = False,
    pattern: str | None = None,
    manifest: str | None = None,
    options: ReaderOptions | None = None,
) -> BatchSummary:
    """Every report of a backlog: one task each, a failure stays in its own task.

    Args:
        folder: a folder searched recursively for report files.
        out_dir: where the JSON files and the summary go.
        force: redo files whose JSON is current.
        pattern: a glob (``**`` recurses) adding files to the backlog.
        manifest: a CSV whose ``path`` (or first) column lists files.
        options: reader limits.

    Returns:
        Every input with its outcome, in input order; published as the artifacts
        ``backlog-files`` (a table) and ``backlog-summary`` (markdown). The outcomes
        are appended to ``_outcomes.jsonl``, and ``_summary.json`` / ``_summary.csv``
        list every file the output folder has seen.
    """
    inputs = list_inputs(folder, pattern, manifest, out_dir)
    roots = input_roots(folder, pattern, manifest)
    summary = run_files(inputs, Path(out_dir), force, options, roots)
    save_summary(summary, Path(out_dir))
    publish_summary(summary, "backlog")
    print(f"{len(inputs)} files: {summary.counts}")
    return summary


def run_files(
    inputs: list[Path],
    target: Path,
    force: bool = False,
    options: ReaderOptions | None = None,
    roots: list[Path] | None = None,
    by_content: bool = False,
    prefix: str = "backlog",
) -> BatchSummary:
    """Schedule one extraction task per file that needs one; call inside a flow.

    The share of files done is the progress artifact ``<prefix>-progress``.

    Args:
        inputs: the files.
        target: the output folder.
        force: redo files whose JSON is current.
        options: reader limits.
        roots: folders whose layout the output mirrors.
        by_content: tell inputs apart by their bytes (the inbox): no JSON is replaced.
        prefix: the artifact's key prefix (the flow's name for its run).
    """
    inputs, bundle_roots, refused = open_bundles(inputs, target, roots or [])
    targets = plan_batch(inputs, target, bundle_roots, by_content)
    done = find_unchanged(inputs, target, targets, force)
    append_outcomes(target, [*refused, *done.values()])
    for outcome in [*refused, *done.values()]:
        _notify(outcome)
    progress = _ProgressArtifact(prefix, len(refused) + len(inputs))
    progress.advance(len(refused) + len(done))
    futures: dict[Path, PrefectFuture[FileOutcome]] = {
        p: extract_file.submit(p, target, targets[p], force, options)
        for p in inputs
        if p not in done
    }
    paths = {id(f): p for p, f in futures.items()}
    for future in as_completed(list(futures.values())):
        future.wait()  # sets the final state; without it the state is read from the API
        path = paths[id(future)]
        outcome = _outcome(path, targets[path], future.state)
        append_outcomes(target, [outcome])
        done[path] = outcome
        _notify(outcome)
        progress.advance(1)
    close_bundles(target)
    return BatchSummary(files=[*refused, *(done[p] for p in inputs)])


class _ProgressArtifact:
    """A Prefect progress artifact: percent of files done, updated at each whole percent
    (one API call per file would cost more than a short document)."""

    def __init__(self, prefix: str, total: int) -> None:
        self.total, self.finished, self.shown = total, 0, 0
        # Typed sync-or-async; called from a sync flow it returns the UUID.
        self.artifact = cast(
            UUID,
            create_progress_artifact(
                progress=0.0 if total else 100.0,
                key=f"{prefix}-progress",
                description=f"Files done of {total}",
            ),
        )

    def advance(self, files: int) -> None:
        self.finished += files
        if not self.total:
            return
        percent = int(100 * self.finished / self.total)
        if percent > self.shown:
            self.shown = percent
            update_progress_artifact(self.artifact, float(percent))


def backlog_runner(
    workers: int = DEFAULT_WORKERS,
    dask_address: str | None = None,
    dask_local: bool = False,
) -> TaskRunner[Any]:
    """The task runner for a backlog: threads, or a Dask cluster to scale out.

    Args:
        workers: most documents extracted at once (threads, or local Dask workers).
        dask_address: a running Dask scheduler (``tcp://host:8786``); its workers must
            see the same input and output paths.
        dask_local: start a LocalCluster of ``workers`` single-threaded workers
            (in-process threads, so no worker needs its own Prefect API).
    """
    if dask_address or dask_local:
        from prefect_dask.task_runners import (
            DaskTaskRunner,
        )  # loads dask only when asked for

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": False,
                "dashboard_address": None,
            }
        )
    return ThreadPoolTaskRunner(max_workers=workers)


def backlog_flow(
    runner: TaskRunner[Any],
) -> Flow[..., BatchSummary]:
    """``process-backlog`` on another task runner (concurrency is set per runner)."""
    return process_backlog.with_options(task_runner=runner)


def _notify(outcome: FileOutcome) -> None:
    for hook in progress_hooks:
        hook(outcome)


def _outcome(path: Path, target: Target, state: State[FileOutcome]) -> FileOutcome:
    if state.is_completed():
        result = state.result()
        if isinstance(result, FileOutcome):
            return result
    exc = state.result(raise_on_failure=False)
    transient = isinstance(exc, BaseException) and is_transient(exc)
    return FileOutcome(
        file=str(path),
        outcome=Outcome.FAILED,
        name=target.name,
        source=target.source,
        owner=target.owner,
        error_code=(ErrorCode.UNREADABLE if transient else ErrorCode.INTERNAL).value,
        message=f"task ended {state.name}: {state.message or ''}".strip(),
    )


def publish_summary(summary: BatchSummary, prefix: str) -> None:
    """Keyed artifacts: ``<prefix>-files`` (one row per file) and ``<prefix>-summary``."""
    rows = [
        {
            "file": f.file,
            "output": f.output or "",
            "outcome": f.outcome.value,
            "status": f.status or "",
            "reason": f.error_code or "",
            "failed_checks": ", ".join(f.failed_checks),
        }
        for f in summary.files
    ]
    create_table_artifact(
        key=f"{prefix}-files", table=rows, description="Every file and its outcome"
    )
    counts = summary.counts
    failed = [f for f in summary.files if f.outcome is Outcome.FAILED]
    checked = [f for f in summary.files if f.failed_checks]
    lines = [
        f"# {prefix.capitalize()} summary",
        "",
        " | ".join(f"{k}: {v}" for k, v in counts.items()),
        "",
        *(f"- `{f.file}`: **{f.error_code}** {f.message}" for f in failed),
        "",
        f"{len(checked)} processed file(s) with failed checks.",
    ]
    create_markdown_artifact(key=f"{prefix}-summary", markdown="\n".join(lines))
