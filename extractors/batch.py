"""Files in, one JSON each out, every file accounted for (TEMPLATE.md §6).

Each input ends with exactly one outcome: ``processed`` (JSON written), ``unchanged`` (the
same bytes were processed by this pipeline version before: not redone) or ``failed`` (no
usable document, with an error code). Outputs are written atomically, so a run that is
killed leaves either the old JSON or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field

from extractors import PIPELINE_VERSION
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.report import CheckStatus, Report
from extractors.sniff import EXTENSION_FORMATS

_log = logging.getLogger(__name__)

SUMMARY_NAME = "_summary.json"


class Outcome(str, Enum):
    """What became of one input file."""

    PROCESSED = "processed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class FileOutcome(BaseModel):
    """One line of a batch summary."""

    file: str
    outcome: Outcome
    status: str | None = Field(default=None, description="The report's status.")
    error_code: str | None = None
    message: str = ""
    output: str | None = None
    template: str | None = None
    tables_found: int = 0
    cells: int = 0
    failed_checks: list[str] = Field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0


class BatchSummary(BaseModel):
    """Every file of a batch with its outcome."""

    pipeline_version: str = PIPELINE_VERSION
    files: list[FileOutcome] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many files ended with each outcome."""
        counted = Counter(f.outcome.value for f in self.files)
        return {o.value: counted.get(o.value, 0) for o in Outcome}


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files named, and report files inside folders named (recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in EXTENSION_FORMATS
            )
        else:
            found.append(path)
    return found


def output_names(inputs: list[Path]) -> dict[Path, str]:
    """`<stem>.json` per input; inputs sharing a stem keep their extension too."""
    stems = Counter(p.stem for p in inputs)
    return {
        p: f"{p.stem}.json" if stems[p.stem] == 1 else f"{p.name}.json" for p in inputs
    }


def process_file(
    path: Path,
    out_dir: Path,
    output_name: str | None = None,
    force: bool = False,
    options: ReaderOptions | None = None,
) -> FileOutcome:
    """Extract one file and write its JSON; never raises for bad input.

    Args:
        path: the input file.
        out_dir: where the JSON goes.
        output_name: file name of the JSON (default ``<stem>.json``).
        force: redo the file even if its JSON is up to date.
        options: reader limits.

    Returns:
        The file's outcome.
    """
    started = time.perf_counter()
    target = out_dir / (output_name or f"{path.stem}.json")
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return _failed(
            path, ErrorCode.UNREADABLE, f"cannot read the file: {exc}", started
        )
    if not force and _is_current(target, digest):
        return FileOutcome(
            file=str(path),
            outcome=Outcome.UNCHANGED,
            output=str(target),
            message="same file and pipeline version as the existing JSON",
        )
    try:
        report = extract(path, options)
    except DocumentLoadError as exc:
        return _failed(path, exc.code, exc.message, started)
    except Exception as exc:  # a defect must fail this file only, never the batch
        _log.exception("extracting %s failed", path)
        return _failed(path, ErrorCode.INTERNAL, repr(exc), started)
    write_json_atomic(target, report.model_dump(mode="json"))
    return summarize(path, report, target, time.perf_counter() - started)


def summarize(path: Path, report: Report, target: Path, seconds: float) -> FileOutcome:
    """The summary line of a processed file."""
    return FileOutcome(
        file=str(path),
        outcome=Outcome.PROCESSED,
        status=report.status.value,
        output=str(target),
        template=report.report.template,
        tables_found=sum(1 for t in report.tables if t.kind),
        cells=len(report.cells),
        failed_checks=[
            f"{c.rule} {c.scope}" for c in report.checks if c.status is CheckStatus.FAIL
        ],
        warnings=len(report.warnings),
        message="; ".join(e.message for e in report.errors),
        seconds=round(seconds, 3),
    )


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    force: bool = False,
    options: ReaderOptions | None = None,
) -> BatchSummary:
    """Process files one after another and write the batch summary."""
    names = output_names(inputs)
    summary = BatchSummary(
        files=[process_file(p, out_dir, names[p], force, options) for p in inputs]
    )
    write_summary(summary, out_dir)
    return summary


def write_summary(summary: BatchSummary, out_dir: Path) -> Path:
    """Write the batch summary next to the outputs."""
    target = out_dir / SUMMARY_NAME
    payload = summary.model_dump(mode="json")
    payload["counts"] = summary.counts
    write_json_atomic(target, payload)
    return target


def write_json_atomic(target: Path, payload: object) -> None:
    """Write JSON via a temporary file and a rename, so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_current(target: Path, digest: str) -> bool:
    try:
        existing = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    source = existing.get("source") or {}
    return bool(
        source.get("sha256") == digest
        and existing.get("pipeline_version") == PIPELINE_VERSION
    )


def _failed(path: Path, code: ErrorCode, message: str, started: float) -> FileOutcome:
    return FileOutcome(
        file=str(path),
        outcome=Outcome.FAILED,
        error_code=code.value,
        message=message,
        seconds=round(time.perf_counter() - started, 3),
    )
