"""The scheduled inbox: new files are extracted, then archived or set aside as failed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from report_factory import make_report, to_text

from extractors.batch import Outcome


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_inbox_moves_files_to_archive_or_failed(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.inbox import process_inbox

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.txt").write_text(to_text(make_report(seed=1)), "utf-8")
    (inbox / "gbk.txt").write_bytes(
        to_text(make_report("2021", "2021", seed=2)).encode("gbk")
    )
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "notes.md").write_text("not a report type", "utf-8")
    for path in inbox.iterdir():
        _age(path, 60)
    (inbox / "uploading.txt").write_text(to_text(make_report(seed=3)), "utf-8")
    out = tmp_path / "out"

    summary = process_inbox(str(inbox), str(out), min_age_seconds=30)
    assert {Path(f.file).name: f.outcome for f in summary.files} == {
        "empty.txt": Outcome.FAILED,
        "gbk.txt": Outcome.PROCESSED,
        "report.txt": Outcome.PROCESSED,
    }
    assert sorted(p.name for p in (inbox / "archive").iterdir()) == [
        "gbk.txt",
        "report.txt",
    ]
    assert [p.name for p in (inbox / "failed").iterdir()] == ["empty.txt"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        "notes.md",
        "uploading.txt",
    ]
    assert (out / "report.json").exists() and (out / "gbk.json").exists()

    # Next run: the settled upload, and a new report under an archived name.
    _age(inbox / "uploading.txt", 60)
    (inbox / "report.txt").write_text(to_text(make_report(seed=9)), "utf-8")
    _age(inbox / "report.txt", 60)
    again = process_inbox(str(inbox), str(out), min_age_seconds=30)
    assert again.counts == {"processed": 2, "unchanged": 0, "failed": 0}
    archived = sorted(p.name for p in (inbox / "archive").iterdir())
    assert len(archived) == 4 and "uploading.txt" in archived
    assert [n for n in archived if n.startswith("report-")]  # both report.txt kept


def test_serve_builds_a_cron_deployment(tmp_path: Path) -> None:
    from flows.inbox import process_inbox

    deployment = process_inbox.to_deployment(
        name="nianbao-inbox",
        cron="*/5 * * * *",
        parameters={"inbox": str(tmp_path), "out_dir": str(tmp_path / "out")},
    )
    assert deployment.flow_name == "process-inbox"
    assert [s.schedule.cron for s in deployment.schedules] == ["*/5 * * * *"]  # type: ignore[union-attr]
