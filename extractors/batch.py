"""Files in, one JSON each out, every file accounted for (TEMPLATE.md §6).

Each input ends with exactly one outcome: ``processed`` (JSON written), ``unchanged`` (the
same bytes were processed by this pipeline version before: not redone) or ``failed`` (no
usable document, with an error code). Outputs are written atomically, so a run that is
killed leaves either the old JSON or the new one, never half of one.
"""

from __future__ import annotations

import csv
import errno
import glob
import hashlib
import io
import json
import logging
import os
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field

from extractors import PIPELINE_VERSION
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.guard import extract_guarded
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.report import CheckStatus, Report
from extractors.sniff import EXTENSION_FORMATS

_log = logging.getLogger(__name__)

SUMMARY_NAME = "_summary.json"
SUMMARY_CSV_NAME = "_summary.csv"
# OSErrors that say the file is not there or not ours to read: retrying cannot help.
# Anything else while reading (EIO, ESTALE on a network mount, EAGAIN…) may pass.
_PERMANENT_ERRNOS = {
    errno.ENOENT,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.EACCES,
    errno.EPERM,
    errno.ENAMETOOLONG,
    errno.ELOOP,
}


class Outcome(str, Enum):
    """What became of one input file."""

    PROCESSED = "processed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class FileOutcome(BaseModel):
    """One line of a batch summary."""

    file: str
    outcome: Outcome
    sha256: str | None = None
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
            # Not only regular files: a folder or a pipe named like a report is an
            # input too, and ends `failed`/`unreadable` instead of going unnoticed.
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in EXTENSION_FORMATS
            )
        else:
            found.append(path)
    return found


def glob_inputs(pattern: str) -> list[Path]:
    """Files matching a shell glob (``**`` recurses), sorted; folders are skipped."""
    return sorted(
        Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file()
    )


def read_manifest(manifest: Path) -> list[Path]:
    """Paths listed in a CSV manifest, in its order.

    The paths are the ``path`` column when the header has one, else the first column.
    Relative paths are taken from the manifest's folder; blank lines are skipped.
    """
    text = manifest.read_text(encoding="utf-8-sig")
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("path") if "path" in header else 0
    if "path" in header or header[0] in {"file", "filename"}:
        rows = rows[1:]
    paths = [Path(row[column].strip()) for row in rows if len(row) > column]
    return [p if p.is_absolute() else manifest.parent / p for p in paths]


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
    raise_transient: bool = False,
) -> FileOutcome:
    """Extract one file and write its JSON; never raises for bad input.

    Args:
        path: the input file.
        out_dir: where the JSON goes.
        output_name: file name of the JSON (default ``<stem>.json``).
        force: redo the file even if its JSON is up to date.
        options: reader limits.
        raise_transient: re-raise an OSError while reading that may pass on a retry
            (see :func:`is_transient`) instead of recording the file as failed, so a
            caller with retries (the Prefect task) can try again.

    Returns:
        The file's outcome.
    """
    started = time.perf_counter()
    target = out_dir / (output_name or f"{path.stem}.json")
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # Reading a FIFO would block forever; a folder cannot be read at all.
            return _failed(path, ErrorCode.UNREADABLE, "not a regular file", started)
        digest = file_sha256(path)
    except OSError as exc:
        if raise_transient and is_transient(exc):
            raise
        return _failed(
            path, ErrorCode.UNREADABLE, f"cannot read the file: {exc}", started
        )
    if not force and is_current(target, digest):
        return unchanged(path, target, digest)
    try:
        # In a child process with the options' time and memory limits: a hostile file
        # must not stall or exhaust the batch.
        report = extract_guarded(path, ReaderOptions.resolve(options), extract)
    except DocumentLoadError as exc:
        return _failed(path, exc.code, exc.message, started, digest)
    except Exception as exc:  # a defect must fail this file only, never the batch
        _log.exception("extracting %s failed", path)
        return _failed(path, ErrorCode.INTERNAL, repr(exc), started, digest)
    write_json_atomic(target, report.model_dump(mode="json"))
    return summarize(path, report, target, time.perf_counter() - started)


def check_unchanged(
    path: Path, out_dir: Path, output_name: str, force: bool = False
) -> FileOutcome | None:
    """The ``unchanged`` outcome when the file's JSON is current, else None (redo it).

    Cheap (one hash, one small read), so a batch can sort out the work to do before
    scheduling any; an unreadable file is left to :func:`process_file` to report.
    """
    if force:
        return None
    target = out_dir / output_name
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # never open a pipe here; process_file reports it
        digest = file_sha256(path)
    except OSError:
        return None
    return unchanged(path, target, digest) if is_current(target, digest) else None


def unchanged(path: Path, target: Path, digest: str) -> FileOutcome:
    """The outcome of a file whose JSON is already up to date."""
    return FileOutcome(
        file=str(path),
        outcome=Outcome.UNCHANGED,
        sha256=digest,
        output=str(target),
        message="same file and pipeline version as the existing JSON",
    )


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks so large PDFs need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_transient(exc: BaseException) -> bool:
    """Whether a read error may pass on a retry (an I/O hiccup, not a missing file)."""
    return isinstance(exc, OSError) and exc.errno not in _PERMANENT_ERRNOS


def summarize(path: Path, report: Report, target: Path, seconds: float) -> FileOutcome:
    """The summary line of a processed file."""
    return FileOutcome(
        file=str(path),
        outcome=Outcome.PROCESSED,
        sha256=report.source.sha256,
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
    on_done: Callable[[FileOutcome], None] | None = None,
) -> BatchSummary:
    """Process files one after another and write the batch summary.

    Args:
        inputs: the files, in order.
        out_dir: where JSON and the summary go.
        force: redo files whose JSON is up to date.
        options: reader limits.
        on_done: called after each file (progress display).
    """
    names = output_names(inputs)
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
    summary = BatchSummary()
    for path in inputs:
        summary.files.append(process_file(path, out_dir, names[path], force, options))
        if on_done is not None:
            on_done(summary.files[-1])
    write_summary(summary, out_dir)
    return summary


def write_summary(summary: BatchSummary, out_dir: Path) -> Path:
    """Write the batch summary next to the outputs: ``_summary.json`` and ``_summary.csv``."""
    target = out_dir / SUMMARY_NAME
    payload = summary.model_dump(mode="json")
    payload["counts"] = summary.counts
    write_json_atomic(target, payload)
    _write_text_atomic(out_dir / SUMMARY_CSV_NAME, summary_csv(summary))
    return target


SUMMARY_CSV_COLUMNS = (
    "file",
    "outcome",
    "status",
    "reason",
    "message",
    "failed_checks",
    "output",
    "sha256",
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
                f.file,
                f.outcome.value,
                f.status or "",
                f.error_code or "",
                f.message,
                "; ".join(f.failed_checks),
                f.output or "",
                f.sha256 or "",
                f.seconds,
            ]
        )
    return buffer.getvalue()


def write_json_atomic(target: Path, payload: object) -> None:
    """Write JSON via a temporary file and a rename, so readers never see half a file."""
    _write_text_atomic(target, json.dumps(payload, ensure_ascii=False, indent=1))


def _write_text_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many.

    A process killed between ``mkstemp`` and the rename leaves a ``.<name>.*.tmp``;
    the JSON it was for is untouched (old or absent), so the file is just litter.
    """
    removed = 0
    for tmp in out_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed


def is_current(target: Path, digest: str) -> bool:
    """Whether ``target`` is the JSON of these bytes by this pipeline version.

    The output JSON itself is the cache record (its ``source.sha256`` and
    ``pipeline_version``): written atomically, it cannot claim work that was not done.
    """
    try:
        existing = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    source = existing.get("source") or {}
    return bool(
        source.get("sha256") == digest
        and existing.get("pipeline_version") == PIPELINE_VERSION
    )


def _failed(
    path: Path,
    code: ErrorCode,
    message: str,
    started: float,
    digest: str | None = None,
) -> FileOutcome:
    return FileOutcome(
        file=str(path),
        outcome=Outcome.FAILED,
        sha256=digest,
        error_code=code.value,
        message=message,
        seconds=round(time.perf_counter() - started, 3),
    )
