"""Prefect flow `process-inbox`: new files dropped in a folder, on a schedule.

Each run takes the files lying directly in the inbox, extracts them like a backlog, then
moves each one out: to ``archive/`` when it was processed (or was unchanged), to
``failed/`` when it is no usable document. Every file lying there gets an outcome,
whatever its extension. Files younger than ``min_age_seconds`` are left for the next
run, since an upload may still be writing them. Inputs are told apart by their bytes:
next year's ``report.pdf`` gets its own JSON (``report~2.json``) and never replaces the
earlier one, and the ledger keeps why a file went to ``failed/``. ``nianbao serve``
serves this flow with a cron schedule.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.batch import BatchSummary, Outcome, file_sha256
from extractors.ledger import outcome_line
from flows.extract import publish_summary, run_files, save_summary

ARCHIVE = "archive"
FAILED = "failed"
DEFAULT_MIN_AGE_SECONDS = 10.0
DEFAULT_CRON = "*/10 * * * *"


@task(name="list-inbox", cache_policy=NO_CACHE)
def list_inbox(inbox: Path, min_age_seconds: float) -> list[Path]:
    """Files directly in the inbox (not hidden) that nothing has written for a while."""
    settled = time.time() - min_age_seconds
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.stat().st_mtime <= settled
    )


@task(name="move-file", task_run_name="move-{path.name}", cache_policy=NO_CACHE)
def move_file(path: Path, folder: Path) -> Path:
    """Move a handled file into ``folder``; a different file of the same name keeps both."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists() and file_sha256(target) != file_sha256(path):
        # Same name, other bytes (next year's report.pdf): keep both, tell them apart.
        target = folder / f"{path.stem}-{file_sha256(path)[:8]}{path.suffix}"
    shutil.move(path, target)
    return target


@flow(name="process-inbox", log_prints=True)
def process_inbox(
    inbox: str,
    out_dir: str = "output",
    min_age_seconds: float = DEFAULT_MIN_AGE_SECONDS,
) -> BatchSummary:
    """Extract the inbox's new files and move each to ``archive/`` or ``failed/``.

    Args:
        inbox: the folder files are dropped in (an existing folder).
        out_dir: where the JSON files and the summary go.
        min_age_seconds: a file modified more recently is left for the next run.

    Returns:
        The outcome of every file taken this run (paths as they were in the inbox),
        appended to ``<out_dir>/_outcomes.jsonl`` and published as the artifacts
        ``inbox-files`` and ``inbox-summary``; ``_summary.json`` / ``_summary.csv``
        list every file the output folder has seen.
    """
    folder = Path(inbox)
    target = Path(out_dir)
    files = list_inbox(folder, min_age_seconds)
    summary = run_files(files, target, roots=[folder], by_content=True, prefix="inbox")
    left = {str(p): p for p in files}
    for outcome in summary.files:
        path = left.pop(outcome.file, None)
        if path is None:  # a member of a ZIP bundle: the bundle itself is moved below
            print(outcome_line(outcome))
            continue
        where = FAILED if outcome.outcome is Outcome.FAILED else ARCHIVE
        moved = move_file(path, folder / where)
        print(f"{outcome_line(outcome)} -> {moved}")
    for bundle in left.values():  # opened: its members have their own outcomes
        print(
            f"{bundle.name}: bundle unpacked -> {move_file(bundle, folder / ARCHIVE)}"
        )
    save_summary(summary, target)
    publish_summary(summary, "inbox")
    print(f"inbox: {len(files)} files: {summary.counts}")
    return summary


def cron_problem(cron: str) -> str | None:
    """What is wrong with a cron expression, or None when Prefect accepts it."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return f"--cron {cron!r} is no cron expression ({type(exc).__name__}); " + (
            'write five fields, e.g. "*/10 * * * *"'
        )
    return None


def server_problem() -> str | None:
    """Why ``serve`` cannot run here (no Prefect server to serve to), or None.

    Serving registers a deployment and polls for its scheduled runs, which needs a
    running Prefect server; the in-process ephemeral API of the other commands would
    leave ``serve`` idling forever with nothing scheduled.
    """
    import httpx
    from prefect.settings import PREFECT_API_URL

    how = (
        "start one with `.venv/bin/nianbao server` (or `PREFECT_HOME=$PWD/.prefect "
        "PREFECT_SERVER_ANALYTICS_ENABLED=false .venv/bin/prefect server start &`) and "
        "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (see README, Deployments)"
    )
    # The environment first: Prefect reads its settings once, at import.
    url = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if not url:
        return f"serve needs a Prefect server and PREFECT_API_URL is not set: {how}"
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=5.0).raise_for_status()
    except httpx.HTTPError as exc:
        return f"no Prefect server answers at {url} ({type(exc).__name__}): {how}"
    return None


def serve_inbox(
    inbox: str,
    out_dir: str,
    cron: str = DEFAULT_CRON,
    min_age_seconds: float = DEFAULT_MIN_AGE_SECONDS,
) -> None:
    """Serve ``process-inbox`` on a cron schedule until interrupted (needs a Prefect API)."""
    process_inbox.serve(
        name="nianbao-inbox",
        cron=cron,
        parameters={
            "inbox": str(Path(inbox).resolve()),
            "out_dir": str(Path(out_dir).resolve()),
            "min_age_seconds": min_age_seconds,
        },
        tags=["nianbao"],
    )
