"""The scheduled inbox: new files are extracted, then archived or set aside as failed."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

from report_factory import make_report, to_text

from extractors.batch import Outcome
from extractors.report import Report


def _report(path: Path) -> Report:
    return Report.model_validate_json(path.read_bytes())


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
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["uploading.txt"]
    assert (out / "report.json").exists() and (out / "gbk.json").exists()
    first_report = _report(out / "report.json")

    # Next run: the settled upload, and a new report under an archived name.
    _age(inbox / "uploading.txt", 60)
    (inbox / "report.txt").write_text(to_text(make_report(seed=9)), "utf-8")
    _age(inbox / "report.txt", 60)
    again = process_inbox(str(inbox), str(out), min_age_seconds=30)
    assert again.counts == {"processed": 2, "unchanged": 0, "failed": 0}
    archived = sorted(p.name for p in (inbox / "archive").iterdir())
    assert len(archived) == 4 and "uploading.txt" in archived
    assert [n for n in archived if n.startswith("report-")]  # both report.txt kept
    # Next year's report.txt got its own JSON; last year's is untouched.
    assert _report(out / "report.json") == first_report
    second = _report(out / "report~2.json")
    assert second.source.sha256 != first_report.source.sha256
    assert second.requests == make_report(seed=9).requests
    # The reason empty.txt went to failed/ survives the later tick.
    summary_files = {
        f["source"]: f
        for f in json.loads((out / "_summary.json").read_text("utf-8"))["files"]
    }
    assert summary_files["empty.txt"]["error_code"] == "empty"
    assert sorted(summary_files) == [
        "empty.txt",
        "gbk.txt",
        "report.txt",
        "uploading.txt",
    ]
    assert len([f for f in summary_files.values() if f["outcome"] == "processed"]) == 3


def test_every_file_in_the_inbox_gets_an_outcome(
    prefect_harness: None, tmp_path: Path
) -> None:
    from flows.inbox import process_inbox

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "report.ofd", "w") as ofd:
        ofd.writestr("OFD.xml", "<ofd:OFD/>")
    (inbox / "报告").write_text(to_text(make_report(seed=4)), "utf-8")
    for path in inbox.iterdir():
        _age(path, 60)
    summary = process_inbox(str(inbox), str(tmp_path / "out"), min_age_seconds=30)
    got = {
        Path(f.file).name: (f.outcome, f.error_code or f.status, f.detected_kind)
        for f in summary.files
    }
    assert got == {
        # An OFD package with no document in it: the OFD reader finds it broken.
        "report.ofd": (Outcome.FAILED, "corrupt", None),
        "报告": (Outcome.PROCESSED, "success", None),
    }
    assert [p.name for p in (inbox / "failed").iterdir()] == ["report.ofd"]


def test_serve_builds_a_cron_deployment(tmp_path: Path) -> None:
    from flows.inbox import process_inbox

    deployment = process_inbox.to_deployment(
        name="nianbao-inbox",
        cron="*/5 * * * *",
        parameters={"inbox": str(tmp_path), "out_dir": str(tmp_path / "out")},
    )
    assert deployment.flow_name == "process-inbox"
    assert [s.schedule.cron for s in deployment.schedules] == ["*/5 * * * *"]  # type: ignore[union-attr]
