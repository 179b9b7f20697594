"""Batches: every file accounted for, atomic JSON, idempotent re-runs, schema-valid output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SAMPLES
from report_factory import make_report, to_text

from extractors.batch import Outcome, find_inputs, run_batch
from flows.cli import main

SCHEMA = json.loads(
    (ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8")
)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good 报告 (1).txt").write_text(
        to_text(make_report("2021", "2021")), "utf-8"
    )
    (folder / "sample.txt").write_bytes(
        (SAMPLES / "000_e67d0018f5985882.txt").read_bytes()
    )
    (folder / "notes.txt").write_text("会议纪要\n今天讨论了食堂菜单。\n", "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "garbage.html").write_bytes(bytes(range(256)) * 8)
    return folder


def test_every_file_has_exactly_one_outcome(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch(find_inputs([inbox]), out)
    by_name = {Path(f.file).name: f for f in summary.files}
    assert len(by_name) == 5
    assert by_name["good 报告 (1).txt"].outcome is Outcome.PROCESSED
    assert by_name["good 报告 (1).txt"].status == "success"
    assert by_name["sample.txt"].failed_checks == [
        "R1 requests.commercial_enterprise",
        "R1 requests.other_org",
        "S1 requests.new_received.total",
    ]
    assert (by_name["empty.txt"].outcome, by_name["empty.txt"].error_code) == (
        Outcome.FAILED,
        "empty",
    )
    assert by_name["garbage.html"].error_code == "unsupported_type"
    assert summary.counts == {"processed": 3, "unchanged": 0, "failed": 2}
    assert sorted(p.name for p in out.iterdir()) == [
        "_outcomes.jsonl",
        "_summary.csv",
        "_summary.json",
        "good 报告 (1).json",
        "notes.json",
        "sample.json",
    ]
    written = json.loads((out / "_summary.json").read_text("utf-8"))
    assert written["counts"] == summary.counts


def test_not_a_report_gives_json_with_warning_and_no_tables(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(find_inputs([inbox / "notes.txt"]), out)
    data = json.loads((out / "notes.json").read_text("utf-8"))
    assert [w["code"] for w in data["warnings"]] == ["not_a_report"]
    assert data["requests"] == {} and data["active_disclosure"] == {}
    # Processed (its text is kept), but nothing of the template was read.
    assert data["status"] == "failure"
    assert [e["code"] for e in data["errors"]] == ["not_a_report"]


def test_outputs_validate_against_the_published_schema(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_batch(find_inputs([inbox]), out)
    reports = [p for p in out.glob("*.json") if not p.name.startswith("_")]
    assert len(reports) == 3
    for path in reports:
        jsonschema.validate(json.loads(path.read_text("utf-8")), SCHEMA)


def test_rerun_is_idempotent_and_force_redoes(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(find_inputs([inbox]), out)
    before = (out / "sample.json").read_bytes()
    again = run_batch(find_inputs([inbox]), out)
    assert again.counts == {"processed": 0, "unchanged": 3, "failed": 2}
    forced = run_batch(find_inputs([inbox]), out, force=True)
    assert forced.counts == {"processed": 3, "unchanged": 0, "failed": 2}
    assert (out / "sample.json").read_bytes() == before
    assert not list(out.glob(".*.tmp"))


def test_changed_file_is_redone(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(find_inputs([inbox]), out)
    (inbox / "notes.txt").write_text("另一份会议纪要\n", "utf-8")
    again = run_batch(find_inputs([inbox]), out)
    redone = {Path(f.file).name for f in again.files if f.outcome is Outcome.PROCESSED}
    assert redone == {"notes.txt"}


def test_directory_named_like_a_report_is_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "report.pdf"
    folder.mkdir()
    summary = run_batch([folder], tmp_path / "out")
    assert (summary.files[0].outcome, summary.files[0].error_code) == (
        Outcome.FAILED,
        "unreadable",
    )


def test_unreadable_path_fails_alone(tmp_path: Path, inbox: Path) -> None:
    missing = tmp_path / "gone.txt"
    summary = run_batch([missing, inbox / "sample.txt"], tmp_path / "out")
    assert [f.outcome for f in summary.files] == [Outcome.FAILED, Outcome.PROCESSED]
    assert summary.files[0].error_code == "unreadable"


def test_cli_extract_writes_json_and_exit_code(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            "extract",
            str(inbox / "sample.txt"),
            str(inbox / "notes.txt"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads((out / "sample.json").read_text("utf-8"))
    assert data["requests"]["new_received"]["total"] == 148
    assert main(["extract", str(inbox), "--out", str(out)]) == 1  # two bad files


def test_cli_schema_matches_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text("utf-8")) == SCHEMA
