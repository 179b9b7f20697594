"""Prefect flows: one report, or a backlog (folder, glob or manifest) in chunks of files.

The output JSON is the only cache record: a file whose JSON already carries the same
sha256 and pipeline version is ``unchanged`` and gets no task at all, so a re-run of a
large backlog costs one hash per file (``--force`` redoes everything). The files left
are extracted by one task per chunk of files (:mod:`flows.chunks`: a task per file cost
as much orchestration as a short report's extraction). Every outcome is appended to the
output folder's ledger as it arrives, so a killed run loses none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import Flow, Task, flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.context import FlowRunContext, TaskRunContext
from prefect.futures import as_completed
from prefect.runtime import task_run as current_task_run
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
    failed_outcome,
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
from flows.chunks import (
    RunProgress,
    chunk_size,
    finished_documents,
    forget_task_run,
    register_run,
    run_progress,
    runner_workers,
    split_chunks,
    unregister_run,
)
from flows.chunks import progress_hooks as progress_hooks

DEFAULT_WORKERS = 4
# Read errors that may pass (EIO, a network mount's hiccup) get these retries; a corrupt
# or missing file never raises out of the task, so it is never retried.
READ_RETRY_DELAYS: list[float] = [1.0, 5.0]

Document = tuple[Path, Target]


def retry_transient(task: Task[..., Any], run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry only a read error that may pass (EIO, a mount's
    hiccup), never a corrupt or missing file."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)


def _chunk_run_name() -> str:
    documents: list[Document] = current_task_run.parameters["documents"]
    first = documents[0][0].name if documents else "nothing"
    more = len(documents) - 1
    return f"extract-{first}" + (f"-and-{more}-more" if more else "")


@task(
    name="extract-files",
    task_run_name=_chunk_run_name,
    retries=len(READ_RETRY_DELAYS),
    retry_delay_seconds=READ_RETRY_DELAYS,
    retry_condition_fn=retry_transient,
    cache_policy=NO_CACHE,  # the output JSON is the cache (see the module docstring)
)
def extract_files(
    documents: list[Document],
    out_dir: Path,
    force: bool,
    options: ReaderOptions | None = None,
) -> list[FileOutcome]:
    """Extract a chunk of documents in turn and write their JSONs; one outcome each.

    Each document is guarded and recorded (ledger, progress) as soon as it is done, and
    bad input is an outcome, not a crash. A read error that may pass leaves its
    document for the task's retry while the others go on; a retry redoes only the
    documents not yet done, and the last try records those ``failed``.
    """
    context = TaskRunContext.get()
    task_run = context.task_run if context else None
    last_try = context is None or context.task_run.run_count > context.task.retries
    done = finished_documents(task_run.id if task_run else None)
    progress = run_progress(task_run.flow_run_id if task_run else None)
    retry: BaseException | None = None
    for path, target in documents:
        if path in done:
            continue
        try:
            outcome = process_file(
                path, out_dir, target, force, options, raise_transient=not last_try
            )
        except Exception as exc:  # a read error that may pass, or the JSON unwritable
            if not last_try and is_transient(exc):
                retry = retry or exc
                continue
            code = ErrorCode.UNREADABLE if is_transient(exc) else ErrorCode.INTERNAL
            outcome = failed_outcome(path, target, code, repr(exc))
        append_outcomes(out_dir, [outcome])
        done[path] = outcome
        if progress is not None:
            progress.record(outcome)
    if retry is not None:
        raise retry
    forget_task_run(task_run.id if task_run else None)
    return [done[path] for path, _ in documents]


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
    [outcome] = extract_files([(source, planned)], target, force)
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
    """Every report of a backlog, in chunks of files; a failure stays with its file.

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
    """Extract the files that need it, one task per chunk of files; call inside a flow.

    Chunks are sized from the number of files and of the task runner's workers
    (:func:`flows.chunks.chunk_size`). The share of files done is the progress
    artifact ``<prefix>-progress``.

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
    progress = RunProgress(prefix, len(refused) + len(inputs))
    for outcome in [*refused, *done.values()]:
        progress.record(outcome)
    context = FlowRunContext.get()
    flow_run = context.flow_run.id if context and context.flow_run else None
    if flow_run is not None:
        register_run(flow_run, progress)
    try:
        todo = [(p, targets[p]) for p in inputs if p not in done]
        workers = runner_workers(context.task_runner if context else None, 1)
        chunks = split_chunks(todo, chunk_size(len(todo), workers))
        futures = [extract_files.submit(c, target, force, options) for c in chunks]
        chunk_of = {id(f): c for f, c in zip(futures, chunks, strict=True)}
        for future in as_completed(futures):
            future.wait()  # sets the final state; else the state is read from the API
            for outcome in _chunk_outcomes(
                chunk_of[id(future)], future.state, progress, target
            ):
                done[Path(outcome.file)] = outcome
            progress.publish()
    finally:
        if flow_run is not None:
            unregister_run(flow_run)
    progress.publish(final=True)
    close_bundles(target)
    return BatchSummary(files=[*refused, *(done[p] for p in inputs)])


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


def _chunk_outcomes(
    chunk: list[Document],
    state: State[list[FileOutcome]],
    progress: RunProgress,
    out_dir: Path,
) -> list[FileOutcome]:
    """A finished chunk's outcomes, each file counted once in the run's progress.

    A chunk that did not complete (its worker died, or a defect in the task) keeps
    the outcomes its files already reported; the others are ``failed`` here.
    """
    if state.is_completed():
        outcomes: list[FileOutcome] = state.result()
        for outcome in outcomes:
            progress.record(outcome)  # from a remote worker: first heard of now
        return outcomes
    exc = state.result(raise_on_failure=False)
    transient = isinstance(exc, BaseException) and is_transient(exc)
    code = ErrorCode.UNREADABLE if transient else ErrorCode.INTERNAL
    message = f"task ended {state.name}: {state.message or ''}".strip()
    outcomes = []
    for path, target in chunk:
        known = progress.outcome_of(path)
        if known is None:
            known = failed_outcome(path, target, code, message)
            append_outcomes(out_dir, [known])
            progress.record(known)
        outcomes.append(known)
    return outcomes


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
