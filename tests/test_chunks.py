"""The backlog in chunks: every file one outcome, per-file progress, failures that stay
with their file, and retries that redo only the files not yet written."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from report_factory import MadeUpReport, assert_values, make_report, to_text

from extractors import batch
from extractors.batch import FileOutcome, Outcome
from extractors.ledger import read_ledger
from extractors.report import Report
from flows import chunks
from flows import extract as extract_flows
from flows.chunks import chunk_size, split_chunks


def test_chunks_keep_every_worker_busy_and_stay_small() -> None:
    # 1,000 files: 20 tasks of 50, whatever the workers (each gets ≥ 8 chunks).
    assert chunk_size(1000, 1) == 50
    assert chunk_size(1000, 2) == 50
    # Small backlogs: one file per task, so two workers share even four files.
    assert chunk_size(4, 2) == 1
    assert chunk_size(0, 4) == 1
    # 300 files on 2 workers: 16 chunks of 19 (the last 15), 8 per worker.
    assert chunk_size(300, 2) == 19
    cut = split_chunks(list(range(300)), 19)
    assert len(cut) == 16 and len(cut[-1]) == 15
    assert [i for c in cut for i in c] == list(range(300))


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, dict[str, MadeUpReport]]:
    """Five made-up reports of both templates and an empty file, in one folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    made = {}
    for seed in range(5):
        report = make_report(*(("2019", "2019"), ("2021", "2021"))[seed % 2], seed=seed)
        (folder / f"r{seed}.txt").write_text(to_text(report), "utf-8")
        made[f"r{seed}.txt"] = report
    (folder / "empty.txt").write_bytes(b"")
    return folder, made


@pytest.fixture
def one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of a small backlog in one chunk (one worker, one chunk per worker)."""
    monkeypatch.setattr(chunks, "CHUNKS_PER_WORKER", 1)


def _one_worker() -> Any:
    return extract_flows.backlog_flow(extract_flows.backlog_runner(workers=1))


def _calls(
    monkeypatch: pytest.MonkeyPatch, fail: Callable[[Path, int], Exception | None]
) -> dict[str, int]:
    """Count the task's calls of ``process_file`` per file; ``fail`` may raise."""
    calls: dict[str, int] = {}
    real = extract_flows.process_file

    def counted(path: Path, *args: Any, **kwargs: Any) -> FileOutcome:
        calls[path.name] = calls.get(path.name, 0) + 1
        problem = fail(path, calls[path.name])
        if problem is not None:
            raise problem
        return real(path, *args, **kwargs)

    monkeypatch.setattr(extract_flows, "process_file", counted)
    return calls


def _check_written(out: Path, made: dict[str, MadeUpReport]) -> None:
    for name, report in made.items():
        written = json.loads((out / name.replace(".txt", ".json")).read_text("utf-8"))
        assert_values(Report.model_validate(written), report)


def test_one_chunk_reports_every_file_as_it_is_done(
    prefect_harness: None,
    reports: tuple[Path, dict[str, MadeUpReport]],
    tmp_path: Path,
    one_chunk: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, made = reports
    out = tmp_path / "out"
    written_when_reported: list[tuple[str, int]] = []

    def reported(outcome: FileOutcome) -> None:
        # Per-file progress: each file is reported before the next one is written.
        written_when_reported.append(
            (Path(outcome.file).name, len(list(out.glob("*.json"))))
        )

    monkeypatch.setattr(chunks, "progress_hooks", [reported])
    # One document's extraction breaks in a way the library does not catch.
    calls = _calls(
        monkeypatch,
        lambda path, _: RuntimeError("a defect") if path.name == "r2.txt" else None,
    )
    summary = _one_worker()(str(folder), str(out))

    assert calls == {"empty.txt": 1, **{f"r{i}.txt": 1 for i in range(5)}}
    got = {
        Path(f.file).name: (f.outcome, f.status or f.error_code) for f in summary.files
    }
    assert got == {
        "empty.txt": (Outcome.FAILED, "empty"),
        "r0.txt": (Outcome.PROCESSED, "success"),
        "r1.txt": (Outcome.PROCESSED, "success"),
        "r2.txt": (Outcome.FAILED, "internal_error"),
        "r3.txt": (Outcome.PROCESSED, "success"),
        "r4.txt": (Outcome.PROCESSED, "success"),
    }
    assert "a defect" in next(
        f.message for f in summary.files if f.file.endswith("r2.txt")
    )
    _check_written(out, {k: v for k, v in made.items() if k != "r2.txt"})
    # One ledger line per file, and the progress saw each file once, in order, the
    # JSONs appearing one by one (r2 wrote none).
    assert sorted(Path(o.file).name for o in read_ledger(out)) == sorted(got)
    assert written_when_reported == [
        ("empty.txt", 0),
        ("r0.txt", 1),
        ("r1.txt", 2),
        ("r2.txt", 2),
        ("r3.txt", 3),
        ("r4.txt", 4),
    ]


def test_a_retry_redoes_only_the_files_not_yet_written(
    prefect_harness: None,
    reports: tuple[Path, dict[str, MadeUpReport]],
    tmp_path: Path,
    one_chunk: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, made = reports
    out = tmp_path / "out"
    calls = _calls(monkeypatch, lambda path, call: None)
    # Reading r1 hits an I/O error that passes by its second try; r3's never passes.
    reads: dict[str, int] = {}
    real_hash = batch.file_sha256

    def flaky_hash(path: Path) -> str:
        reads[path.name] = reads.get(path.name, 0) + 1
        if path.name == "r3.txt" or (path.name == "r1.txt" and reads[path.name] <= 2):
            raise OSError(errno.EIO, "input/output error")
        return real_hash(path)

    monkeypatch.setattr(batch, "file_sha256", flaky_hash)
    no_wait = extract_flows.extract_files.with_options(retry_delay_seconds=0)
    monkeypatch.setattr(extract_flows, "extract_files", no_wait)
    summary = _one_worker()(str(folder), str(out))

    # Three tries (the task's two retries): r3 on each, r1 twice, the others once.
    assert calls == {
        "empty.txt": 1,
        "r0.txt": 1,
        "r1.txt": 2,
        "r2.txt": 1,
        "r3.txt": 3,
        "r4.txt": 1,
    }
    got = {
        Path(f.file).name: (f.outcome, f.status or f.error_code) for f in summary.files
    }
    assert got["r1.txt"] == (Outcome.PROCESSED, "success")
    assert got["r3.txt"] == (Outcome.FAILED, "unreadable")
    assert "input/output error" in summary.files[4].message
    assert summary.counts == {"processed": 4, "unchanged": 0, "failed": 2}
    _check_written(out, {k: v for k, v in made.items() if k != "r3.txt"})
    assert sorted(Path(o.file).name for o in read_ledger(out)) == sorted(got)
    assert not chunks._finished  # no attempt is remembered once the task is over
