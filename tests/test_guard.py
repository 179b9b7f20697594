"""Time and memory limits per document: a hostile file fails alone, quickly."""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import time
from pathlib import Path

import pytest
from conftest import SAMPLES

from extractors.errors import DocumentLoadError
from extractors.guard import extract_guarded
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.report import Report


def _hang(path: Path, options: ReaderOptions) -> Report:
    time.sleep(60)
    raise AssertionError("not reached")


def _hog(path: Path, options: ReaderOptions) -> Report:
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]
    raise AssertionError(f"allocated {len(hoard)} blocks")


def _bug(path: Path, options: ReaderOptions) -> Report:
    raise KeyError("a defect")


def test_guarded_extraction_returns_the_same_report() -> None:
    path = SAMPLES / "000_e67d0018f5985882.txt"
    guarded = extract_guarded(path, ReaderOptions(), extract)
    assert guarded == extract(path)


def test_a_file_that_hangs_is_stopped_at_the_time_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentLoadError) as caught:
        extract_guarded(Path("x"), ReaderOptions(time_limit_seconds=1), _hang)
    assert caught.value.code.value == "timeout"
    assert time.perf_counter() - started < 5


def test_a_file_that_exhausts_memory_fails_with_too_large() -> None:
    with pytest.raises(DocumentLoadError) as caught:
        extract_guarded(Path("x"), ReaderOptions(memory_limit_mb=512), _hog)
    assert caught.value.code.value == "too_large"


def test_a_defect_in_the_child_is_an_internal_error() -> None:
    with pytest.raises(DocumentLoadError) as caught:
        extract_guarded(Path("x"), ReaderOptions(), _bug)
    assert caught.value.code.value == "internal_error"
    assert "a defect" in caught.value.message


@pytest.mark.parametrize(
    "bad",
    [{"time_limit_seconds": 0}, {"memory_limit_mb": -1}, {"max_pages": 0}],
)
def test_options_reject_bad_limits(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReaderOptions(**bad)


def _guarded_in_a_daemon(
    answers: multiprocessing.queues.Queue[tuple[str, object]],
    path: Path,
    options: ReaderOptions,
) -> None:
    try:
        report = extract_guarded(path, options, extract)
        answers.put(("report", report.model_dump_json()))
    except DocumentLoadError as exc:
        answers.put(("error", exc.code.value))


@pytest.mark.parametrize(
    ("sample", "options", "answer"),
    [
        ("000_e67d0018f5985882.txt", ReaderOptions(), "report"),
        ("szfgs2024.pdf", ReaderOptions(time_limit_seconds=0.05), "timeout"),
        ("big.txt", ReaderOptions(memory_limit_mb=400), "too_large"),
    ],
)
def test_limits_hold_in_a_daemonic_process(
    sample: str, options: ReaderOptions, answer: str, tmp_path: Path
) -> None:
    """Dask's workers are daemonic, and may not start children: a helper does."""
    path = SAMPLES / sample
    if sample == "big.txt":  # a report followed by 100 MB of notes
        path = tmp_path / sample
        with path.open("w", encoding="utf-8") as big:
            big.write((SAMPLES / "000_e67d0018f5985882.txt").read_text("utf-8"))
            for _ in range(300):
                big.write(("附注：" + "政府信息公开" * 20 + "\n") * 1000)
    context = multiprocessing.get_context("spawn")
    answers: multiprocessing.queues.Queue[tuple[str, object]] = context.Queue()
    daemon = context.Process(
        target=_guarded_in_a_daemon,
        args=(answers, path, options),
        daemon=True,
    )
    daemon.start()
    kind, payload = answers.get(timeout=180)
    daemon.join()
    if answer == "report":
        assert kind == "report"
        assert Report.model_validate_json(str(payload)) == extract(path)
    else:
        assert (kind, payload) == ("error", answer)
