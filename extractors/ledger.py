"""The outcome ledger: one JSON line per file per run, appended, never rewritten.

``<out>/_outcomes.jsonl`` is the lasting record of everything ever processed into an
output folder. ``_summary.json``, ``_summary.csv``, the review index and ``export`` are
built from it: the latest outcome of every file, not only the last run's. It also
remembers which JSON each input was given (see :mod:`extractors.layout`) and why a file
failed after the inbox moved it away.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections import Counter
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from extractors import PIPELINE_VERSION
from extractors.atomic import write_json_atomic, write_text_atomic

_log = logging.getLogger(__name__)

LEDGER_NAME = "_outcomes.jsonl"
SUMMARY_NAME = "_summary.json"
SUMMARY_CSV_NAME = "_summary.csv"


class Outcome(str, Enum):
    """What became of one input file."""

    PROCESSED = "processed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class FileOutcome(BaseModel):
    """One file's outcome in one run: a line of the ledger and of the summary."""

    file: str = Field(
        description="The input's path as given (from the working folder)."
    )
    outcome: Outcome
    name: str | None = Field(
        default=None,
        description="The input's place in the output folder: the relative path its JSON "
        "has or would have (anshan/2019.json); the ledger's key.",
    )
    source: str | None = Field(
        default=None, description="Path relative to the folder given (= source.file)."
    )
    owner: str | None = Field(
        default=None, description="Who holds `name`: absolute input path or sha256."
    )
    sha256: str | None = None
    status: str | None = Field(default=None, description="The report's status.")
    error_code: str | None = None
    detected_kind: str | None = Field(
        default=None, description="What an unsupported file is (zip, ofd, mht, ole…)."
    )
    message: str = ""
    output: str | None = Field(
        default=None, description="The JSON written, relative to the output folder."
    )
    template: str | None = None
    tables_found: int = 0
    cells: int = 0
    failed_checks: list[str] = Field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0
    pipeline_version: str = PIPELINE_VERSION
    at: str = Field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"),
        description="When the outcome was recorded (UTC).",
    )


class BatchSummary(BaseModel):
    """Files with their outcomes: one run's, or every file an output folder has seen."""

    pipeline_version: str = PIPELINE_VERSION
    files: list[FileOutcome] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many files ended with each outcome."""
        counted = Counter(f.outcome.value for f in self.files)
        return {o.value: counted.get(o.value, 0) for o in Outcome}


def outcome_line(outcome: FileOutcome) -> str:
    """One plain line for a file: name, outcome, status or reason, its JSON, failed checks.

    Tab-separated and never cut, for logs, cron mail and ``grep``.
    """
    fields = [
        outcome.file,
        outcome.outcome.value,
        outcome.status or outcome.error_code or "",
    ]
    if outcome.detected_kind:
        fields.append(f"kind={outcome.detected_kind}")
    if outcome.output:
        fields.append(f"json={outcome.output}")
    if outcome.failed_checks:
        fields.append("failed " + ", ".join(outcome.failed_checks))
    elif outcome.error_code and outcome.message:
        fields.append(outcome.message)
    return "\t".join(f for f in fields if f)


def append_outcomes(out_dir: Path, outcomes: list[FileOutcome]) -> None:
    """Append outcomes to the folder's ledger, one line each, in one write."""
    if not outcomes:
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(o.model_dump_json() + "\n" for o in outcomes)
    # O_APPEND: concurrent runs (an inbox tick and a manual extract) interleave whole
    # lines; the file is created with the process umask like every other output.
    fd = os.open(out_dir / LEDGER_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, lines.encode("utf-8"))
    finally:
        os.close(fd)


def read_ledger(out_dir: Path) -> list[FileOutcome]:
    """Every outcome recorded in the folder, oldest first (a torn line is skipped)."""
    try:
        text = (out_dir / LEDGER_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(FileOutcome.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            _log.warning("%s line %d skipped: %s", LEDGER_NAME, number, exc)
    return records


def latest_outcomes(records: list[FileOutcome]) -> list[FileOutcome]:
    """The latest outcome of every file (by its ``name``), sorted by name."""
    latest: dict[str, FileOutcome] = {}
    for record in records:
        latest[record.name or record.file] = record
    return [latest[key] for key in sorted(latest)]


def name_owners(records: list[FileOutcome]) -> dict[str, str]:
    """Output names given so far and who holds each (the latest holder wins)."""
    return {r.name: r.owner for r in records if r.name and r.owner}


def folder_summary(out_dir: Path) -> BatchSummary:
    """Every file ever processed into ``out_dir`` with its latest outcome."""
    return BatchSummary(files=latest_outcomes(read_ledger(out_dir)))


def write_summary(run: BatchSummary, out_dir: Path) -> Path:
    """Write ``_summary.json`` and ``_summary.csv`` from the folder's ledger.

    Both list every file ever processed into ``out_dir`` with its latest outcome;
    ``last_run`` in the JSON counts the run that just ended.
    """
    summary = folder_summary(out_dir)
    target = out_dir / SUMMARY_NAME
    payload = summary.model_dump(mode="json")
    payload["counts"] = summary.counts
    payload["last_run"] = {
        "counts": run.counts,
        "files": [f.name or f.file for f in run.files],
    }
    write_json_atomic(target, payload)
    write_text_atomic(out_dir / SUMMARY_CSV_NAME, summary_csv(summary))
    return target


SUMMARY_CSV_COLUMNS = (
    "file",
    "outcome",
    "status",
    "reason",
    "detected_kind",
    "message",
    "failed_checks",
    "output",
    "sha256",
    "at",
    "seconds",
)


def summary_csv(summary: BatchSummary) -> str:
    """One CSV row per file: outcome, status, reason (error code) and failed checks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_CSV_COLUMNS)
    for f in summary.files:
        writer.writerow(
            [
                f.source or f.file,
                f.outcome.value,
                f.status or "",
                f.error_code or "",
                f.detected_kind or "",
                f.message,
                "; ".join(f.failed_checks),
                f.output or "",
                f.sha256 or "",
                f.at,
                f.seconds,
            ]
        )
    return buffer.getvalue()
