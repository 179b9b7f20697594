"""`nianbao server`: a local Prefect server for the deployments, offline.

The server is ``prefect server start`` in a child process, with its home (SQLite
database, UI build, log) under the project's ``.prefect`` unless ``PREFECT_HOME`` says
otherwise, telemetry and the UI's promotional content off, listening on loopback. Once
it answers, the ``process`` work pool of ``prefect.yaml`` is created (when missing), and
the lines to run next are printed: the ``PREFECT_API_URL`` to export, the deploy and
worker commands and a run. Nothing is downloaded: the server and its UI come with the
``prefect`` package.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from flows.deploy import WORK_POOL, WORK_POOL_TYPE

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 4200
# A fresh home migrates its database first: ~30 s on a busy 2-core machine.
STARTUP_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
LOG_NAME = "server.log"


class ServerFailed(RuntimeError):
    """The server did not start (port taken, crashed, too slow) or stopped by itself;
    the message says what to do."""


def offline_environment(home: Path) -> dict[str, str]:
    """The environment of the server process: its home, no telemetry, no API URL."""
    env = dict(os.environ)
    env.pop(
        "PREFECT_API_URL", None
    )  # the server is the API; it must not look elsewhere
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        DO_NOT_TRACK="1",
    )
    return env


def api_url(host: str, port: int) -> str:
    """The ``PREFECT_API_URL`` of a server listening on ``host:port``."""
    reachable = LOOPBACK if host in ("0.0.0.0", "") else host
    return f"http://{reachable}:{port}/api"


def start_server(
    home: Path, host: str = LOOPBACK, port: int = DEFAULT_PORT
) -> subprocess.Popen[bytes]:
    """Start ``prefect server start`` on ``host:port``, logging to ``<home>/server.log``.

    Raises:
        ServerFailed: the port is taken.
    """
    with socket.socket() as probe:
        # As uvicorn binds: a port whose last server just stopped (TIME_WAIT) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServerFailed(
                f"cannot listen on {host}:{port} ({exc.strerror}); a server may already "
                f"run there: give another --port, or use it with "
                f"`export PREFECT_API_URL={api_url(host, port)}`"
            ) from exc
    home.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", host, "--port", str(port), "--analytics-off"]
    with (home / LOG_NAME).open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=offline_environment(home)
        )


def wait_until_up(
    process: subprocess.Popen[bytes],
    url: str,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> None:
    """Return once the API at ``url`` answers its health check.

    Raises:
        ServerFailed: the process ended, or did not answer within ``timeout``.
    """
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(
                f"the Prefect server exited with code {process.returncode}; see its log"
            )
        try:
            if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.5)
    raise ServerFailed(
        f"the Prefect server did not answer at {url} within {timeout:.0f} s; see its log"
    )


def ensure_work_pool(url: str, name: str = WORK_POOL) -> bool:
    """Create the ``process`` work pool ``name`` on the server at ``url`` unless it exists.

    Returns:
        True when it was created.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.workers.process import ProcessWorker

    with (
        temporary_settings({PREFECT_API_URL: url}),
        get_client(sync_client=True) as client,
    ):
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type=WORK_POOL_TYPE,
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return True


def next_steps(url: str, home: Path, pool: str = WORK_POOL) -> str:
    """What to run in another shell, from the project folder (holding ``prefect.yaml``)."""
    bin_dir = Path(sys.executable).parent
    return "\n".join(
        [
            f"Prefect server: {url.removesuffix('/api')} (home {home}, log "
            f"{home / LOG_NAME}); work pool {pool!r} ({WORK_POOL_TYPE}).",
            "In another shell, from the project folder:",
            f"  export PREFECT_API_URL={url}",
            f"  {bin_dir / 'prefect'} --no-prompt deploy --all",
            f"  {bin_dir / 'prefect'} worker start --pool {pool}",
            f"  {bin_dir / 'prefect'} deployment run process-backlog/nianbao-backlog "
            "-p folder=/data/reports -p out_dir=/data/output",
            "Ctrl-C stops the server.",
        ]
    )


def serve_locally(home: Path, host: str = LOOPBACK, port: int = DEFAULT_PORT) -> int:
    """Run a server until Ctrl-C or SIGTERM: start, wait, create the pool, print the steps.

    Returns:
        0 once stopped by Ctrl-C or SIGTERM.

    Raises:
        ServerFailed: see :func:`start_server` and :func:`wait_until_up`; also
            when the server ends by itself.
    """
    url = api_url(host, port)
    process = start_server(home, host, port)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    log = home / LOG_NAME
    try:
        try:
            wait_until_up(process, url)
        except ServerFailed as exc:
            raise ServerFailed(f"{exc}: {log}") from exc
        ensure_work_pool(url)
        print(next_steps(url, home), flush=True)
        code = process.wait()
        raise ServerFailed(
            f"the Prefect server stopped by itself (exit code {code}); see its log: {log}"
        )
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server gracefully (SIGTERM), killing it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # a SIGTERM stops the server like Ctrl-C does
