"""Prefect flows run offline; a bad file fails its own task, never the batch."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SAMPLES

from extractors.batch import Outcome, Target


@pytest.fixture
def backlog(tmp_path: Path) -> Path:
    folder = tmp_path / "backlog"
    folder.mkdir()
    (folder / "anshan.txt").write_bytes(
        (SAMPLES / "000_e67d0018f5985882.txt").read_bytes()
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"%PDF-1.4\n%broken beyond repair")
    return folder


def test_flows_run_without_a_server_or_telemetry() -> None:
    import flows  # noqa: F401  (sets the offline environment)

    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert "PREFECT_API_URL" not in os.environ


def test_process_backlog_accounts_for_every_file(
    prefect_harness: None, backlog: Path, tmp_path: Path
) -> None:
    from flows.extract import process_backlog

    out = tmp_path / "out"
    summary = process_backlog(str(backlog), str(out))
    outcomes = {Path(f.file).name: (f.outcome, f.error_code) for f in summary.files}
    assert outcomes == {
        "anshan.txt": (Outcome.PROCESSED, None),
        "empty.txt": (Outcome.FAILED, "empty"),
        "fake.pdf": (Outcome.FAILED, "corrupt"),
    }
    report = json.loads((out / "anshan.json").read_text("utf-8"))
    assert report["requests"]["new_received"]["total"] == 148
    rerun = process_backlog(str(backlog), str(out))
    assert rerun.counts == {"processed": 0, "unchanged": 1, "failed": 2}


def test_extract_report_flow(prefect_harness: None, tmp_path: Path) -> None:
    from flows.extract import extract_report

    outcome = extract_report(str(SAMPLES / "000_e67d0018f5985882.txt"), str(tmp_path))
    assert outcome.outcome is Outcome.PROCESSED
    assert outcome.failed_checks == [
        "R1 requests.commercial_enterprise",
        "R1 requests.other_org",
        "S1 requests.new_received.total",
    ]


def test_task_body_is_the_library_call(tmp_path: Path) -> None:
    from flows.extract import extract_files

    sample = SAMPLES / "000_e67d0018f5985882.txt"
    target = Target("sub/x.json", "sub/sample.txt", str(sample))
    [outcome] = extract_files.fn([(sample, target)], tmp_path, False)
    assert (outcome.outcome, outcome.output) == (Outcome.PROCESSED, "sub/x.json")
    written = json.loads((tmp_path / "sub" / "x.json").read_text("utf-8"))
    assert written["source"]["file"] == "sub/sample.txt"
