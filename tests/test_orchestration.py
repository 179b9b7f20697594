"""Orchestration that costs nothing when idle: a backlog where nothing changed is settled
in plain Python, with no Prefect server and no flow run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from report_factory import make_report, to_text

from extractors.batch import run_batch, settle_unchanged
from extractors.ledger import read_ledger
from flows import extract as extract_flows
from flows.cli import main

COPIES = 100  # of ten distinct reports: 1,000 unchanged files


@pytest.fixture(scope="module")
def settled_backlog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """1,000 inputs, each with its current JSON, as a finished run leaves them.

    Ten reports are extracted for real; the other groups are byte-identical copies of
    the inputs beside copies of their JSONs (same bytes, so the same sha256): what a
    run over them would write, without spending minutes extracting them again.
    """
    root = tmp_path_factory.mktemp("idle")
    folder, out = root / "in", root / "out"
    first = folder / "g000"
    first.mkdir(parents=True)
    for seed in range(10):
        template = "2021" if seed % 2 else "2019"
        made = make_report(template, template, seed=seed)
        (first / f"{seed:02d}.txt").write_text(to_text(made), "utf-8")
    summary = run_batch(sorted(first.iterdir()), out, roots=[folder])
    assert summary.counts["processed"] == 10
    (out / "_outcomes.jsonl").unlink()  # the copies below were never in a run either
    for group in range(1, COPIES):
        shutil.copytree(first, folder / f"g{group:03d}")
        shutil.copytree(out / "g000", out / f"g{group:03d}")
    return folder, out


def _no_flow(*args: object, **kwargs: object) -> None:
    raise AssertionError("a Prefect flow was started for a backlog with no work")


def test_an_unchanged_backlog_starts_no_prefect(
    settled_backlog: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, out = settled_backlog
    monkeypatch.setattr(extract_flows, "backlog_flow", _no_flow)
    monkeypatch.setattr(extract_flows, "backlog_runner", _no_flow)
    # How long this takes is bench/backlog.py's to measure (a timed test fails on a
    # busy machine); here: no flow is started and every file is accounted for.
    before = len(read_ledger(out))
    assert main(["backlog", str(folder), "--out", str(out)]) == 0
    added = read_ledger(out)[before:]
    assert len(added) == 1000
    assert {a.outcome.value for a in added} == {"unchanged"}
    assert len({a.name for a in added}) == 1000
    # An unchanged file shows the figures of the JSON that stands.
    first = next(a for a in added if a.name == "g042/03.json")
    assert (first.status, first.output) == ("success", "g042/03.json")
    assert first.cells > 0
    summary = json.loads((out / "_summary.json").read_text("utf-8"))
    assert summary["last_run"]["counts"] == {
        "processed": 0,
        "unchanged": 1000,
        "failed": 0,
    }
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "processed=0 unchanged=1000 failed=0"


def test_one_changed_file_leaves_the_run_to_the_flow(
    settled_backlog: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, out = settled_backlog
    inputs = sorted(folder.rglob("*.txt"))
    assert settle_unchanged(inputs, out, [folder]) is not None
    assert settle_unchanged(inputs, out, [folder], force=True) is None
    changed = tmp_path / "in"
    shutil.copytree(folder / "g000", changed / "g000")
    shutil.copytree(out / "g000", tmp_path / "out" / "g000")
    edited = changed / "g000" / "05.txt"
    edited.write_text(edited.read_text("utf-8") + "\n附：更正说明。\n", "utf-8")
    before = read_ledger(tmp_path / "out")
    assert (
        settle_unchanged(sorted(changed.rglob("*.txt")), tmp_path / "out", [changed])
        is None
    )
    assert read_ledger(tmp_path / "out") == before  # the flow records this run


def test_the_backlog_flow_publishes_its_progress(
    prefect_harness: None, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.extract import process_backlog

    folder = tmp_path / "in"
    folder.mkdir()
    for seed in range(3):
        (folder / f"{seed}.txt").write_text(to_text(make_report(seed=seed)), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    summary = process_backlog(str(folder), str(tmp_path / "out"))
    assert summary.counts == {"processed": 3, "unchanged": 0, "failed": 1}
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["backlog-progress"])
            )
        )
    latest = max(artifacts, key=lambda a: a.updated or a.created or 0)
    assert latest.type == "progress"
    assert latest.data == 100.0
    assert latest.description == "Files done of 4"


def test_progress_shows_total_rate_and_time_left(
    settled_backlog: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from flows import cli

    folder, out = settled_backlog
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=160)
    monkeypatch.setattr(cli, "_console", terminal)
    assert main(["extract", str(folder / "g007"), "--out", str(out)]) == 0
    drawn = screen.getvalue()
    assert "10/10" in drawn
    assert "files/s" in drawn
    assert "ETA" in drawn
