"""A backlog in chunks: one Prefect task per chunk of documents, each its own outcome.

A task per document cost more orchestration than extracting a short text report: the
task run's creation and its state events, which Prefect's API server records one by
one (measured: ~45 ms of the server's CPU and ~12 ms of the flow's per task run on the
loaded 2-core reference machine, against ~25 ms to extract a text report). A chunk pays that once for many
documents. Inside a chunk every document still goes through the guard (time and memory
limits), gets its ledger line the moment it is done, and advances the progress (the
command's bar and the ``<prefix>-progress`` artifact) while the task runs in the flow's
own process (threads, an in-process Dask cluster). From a remote Dask worker the
progress arrives with the chunk; the ledger line is written by the worker itself.

This module keeps the two pieces of state a chunk needs across threads and retries:
the run's progress, looked up by flow run id, and the documents finished by earlier
attempts of a task run, so that a retry redoes only the others.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from extractors.batch import FileOutcome

# At most this many documents per task: a task run's ~60 ms of CPU is under 5% of 50
# short text reports (~25 ms each); PDFs take far longer per document.
MAX_CHUNK = 50
# Chunks per worker at least (when the backlog allows): the last chunks to finish leave
# other workers idle for at most about an eighth of a worker's share.
CHUNKS_PER_WORKER = 8
# The progress artifact is updated at most this often (an API call each, ~60 ms on the
# loaded reference machine), at a new whole percent, and at the end.
PROGRESS_INTERVAL_SECONDS = 5.0

# Called once per finished file; the CLI hangs its progress bar here. A callback is
# not a flow parameter because parameters must serialize.
progress_hooks: list[Callable[[FileOutcome], None]] = []

_Item = TypeVar("_Item")


def chunk_size(documents: int, workers: int) -> int:
    """Documents per task: enough chunks for every worker, none over :data:`MAX_CHUNK`."""
    wanted = max(1, workers) * CHUNKS_PER_WORKER
    return max(1, min(MAX_CHUNK, math.ceil(documents / wanted)))


def split_chunks(items: Sequence[_Item], size: int) -> list[list[_Item]]:
    """``items`` in order, cut into lists of ``size`` (the last may be shorter)."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def runner_workers(runner: TaskRunner[Any] | None, default: int) -> int:
    """How many tasks the runner runs at once (threads, or the Dask cluster's threads)."""
    if isinstance(runner, ThreadPoolTaskRunner):
        # Prefect keeps the bound in a private field (no public accessor in 3.x).
        return int(runner._max_workers)
    dask = sys.modules.get("prefect_dask.task_runners")
    if dask is not None and isinstance(runner, dask.DaskTaskRunner):
        threads = runner.client.nthreads()  # workers of a remote cluster: known now
        return max(1, int(sum(threads.values())))
    return default


class RunProgress:
    """One run's progress: every outcome seen once, the hooks, a throttled artifact.

    Outcomes come from the tasks' threads (in-process runners) and from the flow as
    chunks finish; each file counts once, whichever reports it first. The artifact is
    updated from the flow's thread only (:meth:`publish`): an API call takes tens of
    milliseconds, which a task's thread would spend instead of extracting.
    """

    def __init__(self, prefix: str, total: int) -> None:
        self.total = total
        self.seen: dict[str, FileOutcome] = {}
        self.shown = -1
        self.shown_at = time.monotonic()
        self._lock = threading.Lock()
        # Typed sync-or-async; called from a sync flow it returns the UUID.
        self.artifact = cast(
            UUID,
            create_progress_artifact(
                progress=0.0 if total else 100.0,
                key=f"{prefix}-progress",
                description=f"Files done of {total}",
            ),
        )

    def record(self, outcome: FileOutcome) -> bool:
        """Count a finished file (False when it was counted already)."""
        with self._lock:
            if outcome.file in self.seen:
                return False
            self.seen[outcome.file] = outcome
            for hook in progress_hooks:
                hook(outcome)
        return True

    def outcome_of(self, path: Path) -> FileOutcome | None:
        """The outcome recorded for ``path``, if any."""
        with self._lock:
            return self.seen.get(str(path))

    def publish(self, final: bool = False) -> None:
        """Update the artifact: at a new whole percent, at most every few seconds."""
        with self._lock:
            done = len(self.seen)
        percent = 100 * done // self.total if self.total else 100
        due = time.monotonic() - self.shown_at >= PROGRESS_INTERVAL_SECONDS
        if percent != self.shown and (due or final):
            update_progress_artifact(self.artifact, float(percent))
            self.shown, self.shown_at = percent, time.monotonic()


_runs: dict[UUID, RunProgress] = {}
_finished: dict[UUID, dict[Path, FileOutcome]] = {}
_state_lock = threading.Lock()


def register_run(flow_run: UUID, progress: RunProgress) -> None:
    """Let tasks of this flow run that run in this process report to ``progress``."""
    with _state_lock:
        _runs[flow_run] = progress


def unregister_run(flow_run: UUID) -> None:
    """The run is over: its tasks report nothing more."""
    with _state_lock:
        _runs.pop(flow_run, None)


def run_progress(flow_run: UUID | None) -> RunProgress | None:
    """The progress of a flow run started in this process (None in a remote worker)."""
    with _state_lock:
        return _runs.get(flow_run) if flow_run else None


def finished_documents(task_run: UUID | None) -> dict[Path, FileOutcome]:
    """Documents done by earlier attempts of this task run (to fill in, not copied).

    Prefect retries a task in the same call, in the same process, so they are kept in
    memory until :func:`forget_task_run`.
    """
    if task_run is None:
        return {}
    with _state_lock:
        return _finished.setdefault(task_run, {})


def forget_task_run(task_run: UUID | None) -> None:
    """The task run is over: no attempt will follow."""
    if task_run is not None:
        with _state_lock:
            _finished.pop(task_run, None)
