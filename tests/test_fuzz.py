"""Mutation fuzzing: damaged copies of a valid PDF never crash or hang the batch."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pdf_factory import made_up_to_pdf
from report_factory import make_report

from extractors.batch import Outcome, run_batch
from extractors.errors import ErrorCode
from extractors.options import ReaderOptions

MUTANTS = 24
# Each mutant gets this long; a hang would fail it as `timeout`, never stall the run.
TIME_LIMIT = 20.0
KNOWN_CODES = {code.value for code in ErrorCode} - {ErrorCode.INTERNAL.value}


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["truncate", "flip", "splice"])
    if kind == "truncate":
        return data[: rng.randrange(1, len(data))]
    if kind == "flip":
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 64)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        return bytes(damaged)
    start = rng.randrange(len(data))
    return data[:start] + bytes(rng.randrange(256) for _ in range(512)) + data[start:]


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    valid = made_up_to_pdf(make_report("2021", "2021", seed=5), folder / "valid.pdf")
    data = valid.read_bytes()
    rng = random.Random(2026)
    paths = []
    for i in range(MUTANTS):
        path = folder / f"mutant-{i:02d}.pdf"
        path.write_bytes(mutate(data, rng))
        paths.append(path)
    return paths


def test_damaged_pdfs_end_processed_or_failed_with_a_known_code(
    mutants: list[Path], tmp_path: Path
) -> None:
    summary = run_batch(
        mutants, tmp_path / "out", options=ReaderOptions(time_limit_seconds=TIME_LIMIT)
    )
    assert len(summary.files) == MUTANTS
    for outcome in summary.files:
        if outcome.outcome is Outcome.FAILED:
            assert outcome.error_code in KNOWN_CODES, outcome.message
        else:
            assert outcome.outcome is Outcome.PROCESSED
            assert (tmp_path / "out" / f"{Path(outcome.file).stem}.json").exists()
    assert {f.outcome for f in summary.files} <= {Outcome.PROCESSED, Outcome.FAILED}
