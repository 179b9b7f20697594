"""A real Dask cluster, started the default way (``dask scheduler``, then ``dask worker
--nworkers 2``: nanny processes whose workers are daemonic): the per-document time and
memory limits hold there, every outcome comes back, and the run's output stays quiet."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from pdf_factory import register_cjk_font
from report_factory import assert_values, make_report, to_text
from reportlab.pdfgen import canvas

from extractors.report import Report

# A 40-page PDF of dense text takes ~9 s to read on the reference machine; the limit is
# well under that and far above a text report's ~0.1 s.
TIME_LIMIT = "4"
SLOW_PAGES = 40
# A text report (or the sample PDF) is read well within 120 MiB of address space; a
# 100 MB text file (decoded, normalized, split into lines) needs far more than this.
MEMORY_LIMIT = "400"
BIG_LINES = 300_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker --nworkers 2`` on 127.0.0.1."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    port = str(_free_port())
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [
                    dask,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    port,
                    "--no-dashboard",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(logs / "scheduler.log").open("wb"),
                env=env,
            )
        )
        started.append(
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    address,
                    "--nworkers",
                    "2",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(logs / "worker.log").open("wb"),
                env=env,
            )
        )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)


def _slow_pdf(path: Path) -> None:
    """A real PDF whose text takes seconds to read: many pages, 100 lines each."""
    font = register_cjk_font()
    pdf = canvas.Canvas(str(path))
    for page in range(SLOW_PAGES):
        pdf.setFont(font, 6)
        for line in range(100):
            words = "政府信息公开工作年度报告" * 6
            pdf.drawString(20, 820 - 8 * line, f"第{page}页 第{line}行 {words}")
        pdf.showPage()
    pdf.save()


def test_limits_hold_on_a_real_dask_cluster(cluster: str, tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    made = {
        f"{seed}.txt": make_report(template, template, seed=seed)
        for seed, template in [(1, "2019"), (2, "2021"), (3, "2019")]
    }
    for name, report in made.items():
        (folder / name).write_text(to_text(report), "utf-8")
    _slow_pdf(folder / "slow.pdf")
    with (folder / "big.txt").open("w", encoding="utf-8") as big:
        big.write(to_text(make_report(seed=4)))
        for _ in range(BIG_LINES // 1000):
            big.write(("附注：" + "政府信息公开" * 20 + "\n") * 1000)

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "flows.cli", "backlog", str(folder)),
            *("--out", str(out), "--dask-address", cluster),
            *("--time-limit", TIME_LIMIT, "--memory-limit", MEMORY_LIMIT),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 1, done.stderr  # two documents failed
    assert "Traceback" not in done.stderr
    assert "daemonic" not in done.stdout + done.stderr
    assert len(done.stderr.splitlines()) < 10, done.stderr  # no Dask INFO flood

    outcomes = {
        Path(line.split("\t")[0]).name: line.split("\t")[1:3]
        for line in done.stdout.splitlines()[:-1]
    }
    assert outcomes == {
        "1.txt": ["processed", "success"],
        "2.txt": ["processed", "success"],
        "3.txt": ["processed", "success"],
        "slow.pdf": ["failed", "timeout"],
        "big.txt": ["failed", "too_large"],
    }
    assert done.stdout.splitlines()[-1] == "processed=3 unchanged=0 failed=2"
    for name, report in made.items():
        written = Report.model_validate_json(
            (out / name).with_suffix(".json").read_bytes()
        )
        assert_values(written, report)
    summary = json.loads((out / "_summary.json").read_text("utf-8"))
    assert summary["counts"] == {"processed": 3, "unchanged": 0, "failed": 2}


def test_a_local_dask_run_is_quiet_unless_verbose(tmp_path: Path) -> None:
    """Dask's INFO lines (~100 a run) and its closed-comm traceback at a clean shutdown
    show only with -v."""
    folder = tmp_path / "in"
    folder.mkdir()
    made = make_report(seed=7)
    (folder / "7.txt").write_text(to_text(made), "utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    stderr = {}
    for flags in ([], ["-v"]):
        done = subprocess.run(
            [
                *(sys.executable, "-m", "flows.cli", "backlog", str(folder)),
                *("--out", str(tmp_path / f"out{len(flags)}"), "--dask", *flags),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "processed=1 unchanged=0 failed=0"
        stderr[len(flags)] = done.stderr
    assert "Traceback" not in stderr[0]
    # (a warning, such as the dashboard's port being taken, still shows)
    assert "INFO    | distributed" not in stderr[0]
    assert (
        "INFO    | distributed.scheduler" in stderr[1]
    )  # the same lines are there when asked
    written = Report.model_validate_json((tmp_path / "out0" / "7.json").read_bytes())
    assert_values(written, made)
