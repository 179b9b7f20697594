"""The deployments as Prefect users run them, on 127.0.0.1: `nianbao server` (a real
Prefect server with its own home), `prefect deploy --all` of the project's prefect.yaml,
a `prefect worker start --pool nianbao` process, and flow runs of the backlog, load and
inbox deployments through that worker, checked by their outputs and artifacts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psutil
import pytest
from conftest import ROOT, _free_port
from report_factory import MadeUpReport, assert_values, make_report, to_text

from extractors.report import Report
from flows.deploy import RUN_RETRIES, WORK_POOL

PREFECT = [sys.executable, "-m", "prefect"]
SERVER_START_SECONDS = 150.0  # a fresh home migrates its database first
RUN_SECONDS = 600.0
STOP_SECONDS = 60.0  # above the 30 s `nianbao server` gives its server to stop


@dataclass
class Site:
    """A running server with the deployments applied and a worker polling its pool."""

    url: str
    env: dict[str, str]


def _stop_tree(process: subprocess.Popen[bytes]) -> list[str]:
    """SIGTERM a process, then kill it and every process it started that is left.

    Returns:
        The command lines of the processes that had to be killed.
    """
    try:
        tree = [
            psutil.Process(process.pid),
            *psutil.Process(process.pid).children(True),
        ]
    except psutil.NoSuchProcess:
        tree = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
    killed = []
    for left in tree:
        with suppress(psutil.NoSuchProcess):
            if left.is_running() and left.status() != psutil.STATUS_ZOMBIE:
                killed.append(" ".join(left.cmdline()))
            left.kill()
    process.wait()
    return killed


def _wait_for_line(log: Path, start: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        for line in log.read_text("utf-8", "replace").splitlines():
            if line.strip().startswith(start):
                return line.strip()
        assert process.poll() is None, f"nianbao server exited: {log.read_text()}"
        time.sleep(0.5)
    raise AssertionError(f"nianbao server printed no {start!r}: {log.read_text()}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`nianbao server`, then the deployments, then a worker; all stopped afterwards."""
    base = tmp_path_factory.mktemp("site")
    home = base / "prefect-home"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    started: list[subprocess.Popen[bytes]] = []
    try:
        server_log = base / "server.out"
        with server_log.open("wb") as out:
            server = subprocess.Popen(
                [
                    *(sys.executable, "-m", "flows.cli"),
                    "server",
                    "--port",
                    str(_free_port()),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=base,
            )
        started.append(server)
        export = _wait_for_line(server_log, "export PREFECT_API_URL=", server)
        url = export.removeprefix("export PREFECT_API_URL=")
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api")
        assert (home / "prefect.db").is_file()  # the home given, not ./.prefect
        assert not (base / ".prefect").exists()
        env["PREFECT_API_URL"] = url

        deployed = subprocess.run(
            [*PREFECT, "--no-prompt", "deploy", "--all"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,  # where prefect.yaml is, as a user runs it
            timeout=300,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        with (base / "worker.out").open("wb") as out:
            worker = subprocess.Popen(
                [*PREFECT, "worker", "start", "--pool", WORK_POOL],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=base,
            )
        started.append(worker)
        yield Site(url, env)
    finally:
        killed = [_stop_tree(p) for p in reversed(started)]  # the worker first
    # Reached when all went well: SIGTERM stopped `nianbao server` and its server.
    assert killed[-1] == [] and server.returncode == 0, killed


@contextmanager
def _api(site: Site) -> Iterator[Any]:
    """A client of the site's server (this process's own Prefect settings aside)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings({PREFECT_API_URL: site.url}),
        get_client(sync_client=True) as client,
    ):
        yield client


def _run(site: Site, deployment: str, parameters: dict[str, Any]) -> Any:
    """Run a deployment through the worker; the finished flow run."""
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: site.url}):
        run = run_deployment(
            deployment, parameters=parameters, timeout=RUN_SECONDS, poll_interval=2
        )
    assert run.state is not None and run.state.is_final(), f"{deployment}: {run.state}"
    assert run.state.is_completed(), f"{deployment} ended {run.state}"
    return run


def _artifacts(site: Site, run: Any) -> dict[str, Any]:
    """The run's artifacts by key."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with _api(site) as client:
        found = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
        )
    return {a.key: a for a in found if a.key}


def _values(made: MadeUpReport) -> dict[tuple[str, str, str], float | None]:
    tables = {
        "active_disclosure": made.active_disclosure,
        "requests": made.requests,
        "review_litigation": made.review_litigation,
    }
    return {
        (table, row, column): value
        for table, rows in tables.items()
        for row, columns in rows.items()
        for column, value in columns.items()
    }


def test_deployments_as_declared(site: Site) -> None:
    with _api(site) as client:
        pool = client.read_work_pool(WORK_POOL)
        inbox = client.read_deployment_by_name("process-inbox/nianbao-inbox")
        backlog = client.read_deployment_by_name("process-backlog/nianbao-backlog")
        load = client.read_deployment_by_name("load-outputs/nianbao-load")
    assert pool.type == "process"
    for deployment in (inbox, backlog, load):
        assert deployment.work_pool_name == WORK_POOL
        assert deployment.entrypoint.startswith("flows.deploy:")
        assert deployment.pull_steps == [
            {
                "prefect.deployments.steps.set_working_directory": {
                    "directory": str(ROOT)
                }
            }
        ]
        assert deployment.global_concurrency_limit is not None
        assert deployment.global_concurrency_limit.limit == 1
    # The inbox's schedule is declared but off until pointed at a real inbox.
    assert [(s.schedule.cron, s.active) for s in inbox.schedules] == [  # type: ignore[union-attr]
        ("*/10 * * * *", False)
    ]
    assert inbox.parameter_openapi_schema["required"] == ["inbox"]
    # Typed parameters, described from the flows' docstrings.
    properties = backlog.parameter_openapi_schema["properties"]
    assert properties["force"]["type"] == "boolean"
    assert "recursively" in properties["folder"]["description"]
    assert properties["options"]["anyOf"][0]["$ref"].endswith("ReaderOptions")
    assert backlog.schedules == [] and load.schedules == []


def test_a_run_with_a_mistyped_parameter_is_refused(site: Site) -> None:
    """The server checks a run's parameters against the flow's types before any run."""
    from prefect.exceptions import PrefectHTTPStatusError

    with _api(site) as client:
        backlog = client.read_deployment_by_name("process-backlog/nianbao-backlog")
        with pytest.raises(PrefectHTTPStatusError, match="force"):
            client.create_flow_run_from_deployment(
                backlog.id, parameters={"force": "not a boolean"}
            )


def test_backlog_then_load_through_the_worker(site: Site, tmp_path: Path) -> None:
    folder, out = tmp_path / "reports", tmp_path / "out"
    (folder / "2021").mkdir(parents=True)
    made = {
        "2021/hongze.txt": make_report("2021", "2021", seed=11, year=2021),
        "hongze-2022.txt": make_report("2021", "2021", seed=12, year=2022),
        "anshan.txt": make_report(
            "2019",
            "2019",
            seed=13,
            issuer="辽宁省鞍山市人民政府",
            region="鞍山市",
            year=2020,
        ),
    }
    for name, report in made.items():
        encoding = "gbk" if name == "anshan.txt" else "utf-8"
        (folder / name).write_bytes(to_text(report).encode(encoding))
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Cat")

    run = _run(
        site,
        "process-backlog/nianbao-backlog",
        {"folder": str(folder), "out_dir": str(out)},
    )
    assert run.empirical_policy.retries == RUN_RETRIES  # the deployment's flow ran
    for name, report in made.items():
        written = Report.model_validate_json(
            (out / name).with_suffix(".json").read_bytes()
        )
        assert written.status == "success"
        assert_values(written, report)
    summary = json.loads((out / "_summary.json").read_text("utf-8"))
    assert summary["last_run"]["counts"] == {
        "processed": 3,
        "unchanged": 0,
        "failed": 1,
    }

    artifacts = _artifacts(site, run)
    assert {"backlog-files", "backlog-summary", "backlog-progress"} <= set(artifacts)
    rows = json.loads(artifacts["backlog-files"].data)
    assert {
        Path(r["file"]).name: (r["outcome"], r["status"] or r["reason"]) for r in rows
    } == {
        "hongze.txt": ("processed", "success"),
        "hongze-2022.txt": ("processed", "success"),
        "anshan.txt": ("processed", "success"),
        "truncated.pdf": ("failed", "corrupt"),
    }
    assert (
        "processed: 3 | unchanged: 0 | failed: 1" in artifacts["backlog-summary"].data
    )
    assert "truncated.pdf" in artifacts["backlog-summary"].data
    assert artifacts["backlog-progress"].data == 100.0

    # The store from the backlog's output, through the load deployment.
    db = tmp_path / "store.duckdb"
    parquet = tmp_path / "parquet"
    run = _run(
        site,
        "load-outputs/nianbao-load",
        {"out_dir": str(out), "db": str(db), "parquet": str(parquet)},
    )
    assert "3 documents" in _artifacts(site, run)["load-summary"].data
    with duckdb.connect(str(db), read_only=True) as store:
        documents = store.execute(
            "SELECT sha256, file, issuer, year, status FROM documents"
        ).fetchall()
        assert sorted((Path(d[1]).name, d[2], d[3], d[4]) for d in documents) == sorted(
            (Path(name).name, r.issuer, r.year, "success") for name, r in made.items()
        )
        for sha, file, *_ in documents:
            stored = {
                (table, row, column): value
                for table, row, column, value in store.execute(
                    "SELECT table_name, row_key, column_key, value FROM cells "
                    "WHERE sha256 = ?",
                    [sha],
                ).fetchall()
            }
            assert stored == _values(made[file]), file
        # Hongze's 2021 and 2022 reports are one issuer's two years: S2 is computed.
        s2 = store.execute(
            "SELECT count(*) FROM checks WHERE rule = 'S2' AND origin = 'store'"
        ).fetchone()
        assert s2 is not None and s2[0] > 0
        # The Parquet export holds the same rows.
        for table in ("documents", "cells", "checks"):
            counted = store.execute(
                f"SELECT (SELECT count(*) FROM {table}), "
                f"(SELECT count(*) FROM read_parquet('{parquet / table}.parquet'))"
            ).fetchone()
            assert counted is not None and counted[0] == counted[1] > 0, table


def test_inbox_through_the_worker(site: Site, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    made = make_report("2021", "2021", seed=21)
    (inbox / "new.txt").write_text(to_text(made), "utf-8")
    (inbox / "empty.txt").write_bytes(b"")

    run = _run(
        site,
        "process-inbox/nianbao-inbox",
        {"inbox": str(inbox), "out_dir": str(out), "min_age_seconds": 0},
    )
    assert_values(Report.model_validate_json((out / "new.json").read_bytes()), made)
    assert [p.name for p in (inbox / "archive").iterdir()] == ["new.txt"]
    assert [p.name for p in (inbox / "failed").iterdir()] == ["empty.txt"]
    assert sorted(p.name for p in inbox.iterdir()) == ["archive", "failed"]
    artifacts = _artifacts(site, run)
    assert {"inbox-files", "inbox-summary", "inbox-progress"} <= set(artifacts)


def test_server_refuses_a_taken_port(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One line saying what to do (exit 2), and no server process left behind."""
    from flows.cli import main

    # `server` exports its home to this process's environment: restored afterwards.
    monkeypatch.setenv("PREFECT_HOME", os.environ["PREFECT_HOME"])

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["server", "--port", str(port), "--home", str(tmp_path / "home")])
    assert code == 2
    line = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line
    assert f"PREFECT_API_URL=http://127.0.0.1:{port}/api" in line
    assert not (tmp_path / "home").exists()
