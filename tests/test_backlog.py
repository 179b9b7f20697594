"""The backlog at scale: 300 mixed files all accounted for, fast re-runs, a SIGKILLed run
that leaves no half-written output, manifests and globs, and a Dask cluster."""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backlog_factory import make_backlog
from conftest import ROOT

from extractors.batch import (
    Outcome,
    glob_inputs,
    is_transient,
    process_file,
    read_manifest,
)
from extractors.report import Report
from flows.cli import main

# A re-run only hashes each file and reads its JSON's header fields: seconds, not minutes.
RERUN_SECONDS = 15


@pytest.fixture(scope="module")
def backlog(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path_factory.mktemp("backlog")
    return folder, make_backlog(folder)


def _by_name(files: list[Path]) -> dict[str, Path]:
    return {p.name: p for p in files}


def test_backlog_of_300_accounts_for_every_file(
    prefect_harness: None, backlog: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    from flows.extract import backlog_flow, backlog_runner

    folder, expected = backlog
    out = tmp_path / "out"
    run = backlog_flow(backlog_runner(workers=2))
    summary = run(str(folder), str(out))
    assert len(summary.files) == 300
    got = {Path(f.file).name: f for f in summary.files}
    assert set(got) == set(expected)
    for name, code in expected.items():
        if code is None:
            assert (got[name].outcome, got[name].status) == (
                Outcome.PROCESSED,
                "success",
            ), name
        else:
            assert (got[name].outcome, got[name].error_code) == (
                Outcome.FAILED,
                code,
            ), name
    assert summary.counts == {"processed": 290, "unchanged": 0, "failed": 10}
    # The folder's layout is mirrored: batch0/…json, batch1/…json, batch2/…json.
    assert len(list(out.glob("batch[0-2]/[0-9]*.json"))) == 290
    with (out / "_summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert {r["reason"] for r in rows if r["outcome"] == "failed"} == {
        "empty",
        "unsupported_type",
        "corrupt",
    }
    assert (
        json.loads((out / "_summary.json").read_text("utf-8"))["counts"]
        == summary.counts
    )

    started = time.perf_counter()
    rerun = run(str(folder), str(out))
    elapsed = time.perf_counter() - started
    assert rerun.counts == {"processed": 0, "unchanged": 290, "failed": 10}
    assert elapsed < RERUN_SECONDS, f"re-run took {elapsed:.1f}s"

    forced = run(str(folder / "batch0"), str(out), force=True)
    assert forced.counts == {"processed": 97, "unchanged": 0, "failed": 0}


def test_killed_run_leaves_no_half_output_and_the_next_run_completes(
    backlog: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    folder, expected = backlog
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "extract", str(folder), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while len(list(out.glob("*/*.json"))) < 40:
            assert child.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run wrote nothing in time"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    done = list(out.glob("*/*.json"))
    assert 40 <= len(done) < 290
    assert not (out / "_summary.json").exists()  # written only when a run completes
    for path in done:  # every JSON present is whole and valid
        Report.model_validate(json.loads(path.read_text("utf-8")))

    assert main(["extract", str(folder), "--out", str(out)]) == 1  # ten broken files
    summary = json.loads((out / "_summary.json").read_text("utf-8"))
    assert summary["counts"] == {
        "processed": 290 - len(done),
        "unchanged": len(done),
        "failed": 10,
    }
    assert len(summary["files"]) == len(expected)
    assert not list(out.rglob(".*.tmp"))


def test_manifest_and_glob_select_files(
    prefect_harness: None, backlog: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    from flows.extract import process_backlog

    folder, _ = backlog
    manifest = folder / "manifest.csv"
    manifest.write_text(
        "path,note\nbatch0/0000-洪泽区-2020-gbk.txt,first\n"
        "incoming/empty.txt,broken\n\nbatch1/0001-鞍山市-2022-utf-8.txt,\n",
        "utf-8",
    )
    listed = read_manifest(manifest)
    assert [p.name for p in listed] == [
        "0000-洪泽区-2020-gbk.txt",
        "empty.txt",
        "0001-鞍山市-2022-utf-8.txt",
    ]
    pattern = str(folder / "batch2" / "0002-*.txt")
    assert [p.name for p in glob_inputs(pattern)] == [
        "0002-平潭综合实验区-2022-utf-8.txt"
    ]

    out = tmp_path / "out"
    summary = process_backlog(out_dir=str(out), manifest=str(manifest), pattern=pattern)
    # Folder, then glob, then manifest, each in its own order.
    assert [(Path(f.file).name, f.outcome.value) for f in summary.files] == [
        ("0002-平潭综合实验区-2022-utf-8.txt", "processed"),
        ("0000-洪泽区-2020-gbk.txt", "processed"),
        ("empty.txt", "failed"),
        ("0001-鞍山市-2022-utf-8.txt", "processed"),
    ]
    assert main(["backlog", "--manifest", str(manifest), "--out", str(out)]) == 1


def test_backlog_on_a_local_dask_cluster(
    prefect_harness: None, backlog: tuple[Path, dict[str, str | None]], tmp_path: Path
) -> None:
    from flows.extract import backlog_flow, backlog_runner

    folder, _ = backlog
    summary = backlog_flow(backlog_runner(workers=2, dask_local=True))(
        str(folder / "incoming"), str(tmp_path / "out")
    )
    assert summary.counts == {"processed": 0, "unchanged": 0, "failed": 10}
    small = tmp_path / "small"
    small.mkdir()
    for path in sorted((folder / "batch1").iterdir())[:6]:
        (small / path.name).write_bytes(path.read_bytes())
    summary = backlog_flow(backlog_runner(workers=2, dask_local=True))(
        str(small), str(tmp_path / "out")
    )
    assert summary.counts == {"processed": 6, "unchanged": 0, "failed": 0}


def test_only_transient_read_errors_are_retried(tmp_path: Path) -> None:
    assert is_transient(OSError(errno.EIO, "input/output error"))
    assert is_transient(OSError(errno.ESTALE, "stale file handle"))
    assert not is_transient(FileNotFoundError(errno.ENOENT, "gone"))
    assert not is_transient(IsADirectoryError(errno.EISDIR, "a folder"))
    assert not is_transient(ValueError("corrupt"))
    # A missing file is an outcome even when the caller asks for transient errors.
    gone = process_file(tmp_path / "gone.pdf", tmp_path, raise_transient=True)
    assert (gone.outcome, gone.error_code) == (Outcome.FAILED, "unreadable")


def test_prefect_retries_a_transient_read_error_only(prefect_harness: None) -> None:
    from prefect import flow, task

    from flows.extract import retry_transient

    calls = {"eio": 0, "missing": 0}

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_transient)
    def read(kind: str) -> str:
        calls[kind] += 1
        if kind == "eio" and calls[kind] < 3:
            raise OSError(errno.EIO, "input/output error")
        if kind == "missing":
            raise FileNotFoundError(errno.ENOENT, "gone")
        return "read"

    @flow
    def both() -> tuple[object, object]:
        eio, missing = read.submit("eio"), read.submit("missing")
        return eio.result(), missing.result(raise_on_failure=False)

    eio, missing = both()
    assert eio == "read" and isinstance(missing, FileNotFoundError)
    assert calls == {"eio": 3, "missing": 1}
