"""The command line: a user mistake is one line saying what to do and exit 2, never a
traceback; without a terminal, one plain line per file, nothing cut."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES
from report_factory import make_report, to_text

from extractors.batch import run_batch
from flows.cli import main

SAMPLE = SAMPLES / "000_e67d0018f5985882.txt"


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    run_batch([SAMPLE], out)
    return out


def _mistake(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the CLI; it must exit 2 with one line on stderr, and return that line."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_missing_manifest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _mistake(
        capsys,
        [
            "backlog",
            "--manifest",
            str(tmp_path / "missing.csv"),
            "--out",
            str(tmp_path),
        ],
    )
    assert "missing.csv does not exist" in line


def test_compare_with_a_missing_file(
    capsys: pytest.CaptureFixture[str], outputs: Path, tmp_path: Path
) -> None:
    report = str(outputs / f"{SAMPLE.stem}.json")
    line = _mistake(
        capsys,
        ["compare", report, str(tmp_path / "gone.json"), "--out", str(tmp_path / "c")],
    )
    assert "gone.json does not exist" in line


def test_compare_given_the_summary(
    capsys: pytest.CaptureFixture[str], outputs: Path, tmp_path: Path
) -> None:
    report = str(outputs / f"{SAMPLE.stem}.json")
    line = _mistake(
        capsys,
        [
            "compare",
            str(outputs / "_summary.json"),
            report,
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert "is not a report JSON" in line


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` must refuse here; were it to serve, the test fails instead of hanging."""
    import flows.inbox

    def serve(*args: object) -> None:
        raise AssertionError("serve did not refuse")

    monkeypatch.setattr(flows.inbox, "serve_inbox", serve)


def test_serve_with_a_bad_cron_creates_nothing(
    no_serving: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    line = _mistake(capsys, ["serve", str(inbox), "--cron", "not a cron"])
    assert "--cron" in line and "*/10 * * * *" in line
    assert not inbox.exists()


def test_serve_without_a_prefect_server_refuses_and_says_how(
    no_serving: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    inbox = tmp_path / "inbox"
    # No API URL in the environment nor in Prefect's settings (a test harness sets one).
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        line = _mistake(capsys, ["serve", str(inbox), "--out", str(tmp_path / "out")])
    assert "prefect server start" in line and "PREFECT_API_URL" in line
    assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in line
    assert not inbox.exists()


def test_serve_with_an_unreachable_server_refuses(
    no_serving: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    line = _mistake(capsys, ["serve", str(tmp_path / "inbox")])
    assert "no Prefect server answers at http://127.0.0.1:9/api" in line


def test_schema_into_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = _mistake(capsys, ["schema", "--out", str(tmp_path / "missing" / "x.json")])
    assert "does not exist" in line


def test_postgres_not_running(
    capsys: pytest.CaptureFixture[str], outputs: Path
) -> None:
    url = "postgresql://nobody@127.0.0.1:9/nianbao"
    line = _mistake(capsys, ["load", str(outputs), "--postgres", url])
    assert (
        "cannot use the database postgresql+psycopg://nobody@127.0.0.1:9/nianbao"
        in line
    )
    assert "start the server" in line


def test_bad_setting_in_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NIANBAO_MAX_PAGES", "abc")
    line = _mistake(capsys, ["extract", str(SAMPLE), "--out", str(tmp_path)])
    assert "NIANBAO_max_pages" in line or "NIANBAO_MAX_PAGES" in line.upper()


def test_bad_limit_on_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = _mistake(
        capsys, ["extract", str(SAMPLE), "--out", str(tmp_path), "--max-pages", "0"]
    )
    assert "max_pages" in line and "positive" in line


def test_load_a_missing_folder_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nonexistent"
    _mistake(capsys, ["load", str(missing)])
    assert not missing.exists()


@pytest.mark.parametrize("command", ["extract", "backlog", "load"])
def test_an_empty_folder_is_a_mistake_for_every_command(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = [command, str(empty)]
    if command != "load":
        argv += ["--out", str(tmp_path / "out")]
    line = _mistake(capsys, argv)
    assert "no " in line


def test_extract_a_missing_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = _mistake(
        capsys, ["extract", str(tmp_path / "gone.pdf"), "--out", str(tmp_path)]
    )
    assert "gone.pdf does not exist" in line


def test_export_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _mistake(capsys, ["export", str(tmp_path / "nope"), "--csv", str(tmp_path / "csv")])


def test_a_mistake_from_the_shell_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "NIANBAO_MAX_PAGES": "abc", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "extract",
            str(SAMPLE),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_without_a_terminal_one_plain_line_per_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "reports"
    for folder in ("anshan-city-government-information-office", "huaian"):
        (root / folder).mkdir(parents=True)
        shutil.copy(SAMPLE, root / folder / "2019.txt")
    (root / "huaian" / "2021.txt").write_text(to_text(make_report(seed=2)), "utf-8")
    (root / "huaian" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert main(["extract", str(root), "--out", str(tmp_path / "out")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5  # four files and the counts
    long_name = str(root / "anshan-city-government-information-office" / "2019.txt")
    first = lines[0].split("\t")
    assert first[:3] == [long_name, "processed", "success"]
    assert first[-1] == (
        "failed R1 requests.commercial_enterprise, R1 requests.other_org, "
        "S1 requests.new_received.total"
    )
    assert "json=anshan-city-government-information-office/2019.json" in lines[0]
    assert lines[1].split("\t")[:3] == [
        str(root / "huaian" / "2019.txt"),
        "processed",
        "success",
    ]
    assert "json=huaian/2019.json" in lines[1]
    assert lines[2].split("\t")[:3] == [
        str(root / "huaian" / "2021.txt"),
        "processed",
        "success",
    ]
    broken = lines[3].split("\t")
    assert broken[:3] == [str(root / "huaian" / "broken.pdf"), "failed", "corrupt"]
    assert lines[4] == "processed=3 unchanged=0 failed=1"
