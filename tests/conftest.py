"""Shared fixtures. Prefect runs offline against a throwaway home for the whole session."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extractors.document import MEDIA_TYPES, InputFormat, SourceInfo

_PREFECT_HOME = tempfile.mkdtemp(prefix="nianbao-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ.pop("PREFECT_API_URL", None)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def source_info(fmt: InputFormat, name: str = "x", size: int = 1) -> SourceInfo:
    """A made-up source for documents a test builds by hand."""
    return SourceInfo(
        file=name, sha256="0", media_type=MEDIA_TYPES[fmt], format=fmt, size_bytes=size
    )


def answer_key(stem: str) -> dict[str, Any]:
    """The hand-checked answer key of a real sample."""
    path = SAMPLES / "expected" / f"{stem}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect backend for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (fails the tests if it cannot start)."""
    given = os.environ.get("NIANBAO_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="nianbao-pg-")) / "cluster"
    script = ROOT / "scripts" / "start-postgres.sh"
    started = subprocess.run(
        ["bash", str(script), str(folder), str(_free_port())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, f"PostgreSQL did not start: {started.stderr}"
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "--stop", str(folder)], timeout=60)
