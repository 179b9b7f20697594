"""Prefect flow `process-inbox`: new files dropped in a folder, on a schedule.

Each run takes the files lying directly in the inbox, extracts them like a backlog, then
moves each one out: to ``archive/`` when it was processed (or was unchanged), to
``failed/`` when it is no usable document. Files younger than ``min_age_seconds`` are
left for the next run, since an upload may still be writing them. ``nianbao serve``
serves this flow with a cron schedule.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.batch import BatchSummary, Outcome, file_sha256
from extractors.sniff import EXTENSION_FORMATS
from flows.extract import publish_summary, run_files, save_summary

ARCHIVE = "archive"
FAILED = "failed"
DEFAULT_MIN_AGE_SECONDS = 10.0
DEFAULT_CRON = "*/10 * * * *"


@task(name="list-inbox", cache_policy=NO_CACHE)
def list_inbox(inbox: Path, min_age_seconds: float) -> list[Path]:
    """Report files directly in the inbox that nothing has written for a while."""
    settled = time.time() - min_age_seconds
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file()
        and p.suffix.lower() in EXTENSION_FORMATS
        and p.stat().st_mtime <= settled
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

    Returns:
        The outcome of every file taken this run (paths as they were in the inbox);
        also written to ``<out_dir>/_summary.json`` / ``_summary.csv`` and published as
        the artifacts ``inbox-files`` and ``inbox-summary``.
    """
    folder = Path(inbox)
    target = Path(out_dir)
    files = list_inbox(folder, min_age_seconds)
    summary = run_files(files, target)
    for outcome in summary.files:
        where = FAILED if outcome.outcome is Outcome.FAILED else ARCHIVE
        move_file(Path(outcome.file), folder / where)
    save_summary(summary, target)
    publish_summary(summary, "inbox")
    print(f"inbox: {len(files)} files: {summary.counts}")
    return summary


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
