"""Files in, one JSON each out, every file accounted for (TEMPLATE.md §6).

Each input ends with exactly one outcome: ``processed`` (JSON written), ``unchanged`` (the
same bytes were processed by this pipeline version before: not redone) or ``failed`` (no
usable document, with an error code). Outputs are written atomically, so a run that is
killed leaves either the old JSON or the new one, never half of one. Where each JSON goes
is :mod:`extractors.layout`'s; the lasting record of outcomes is :mod:`extractors.ledger`.
"""

from __future__ import annotations

import csv
import errno
import glob
import hashlib
import io
import logging
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from extractors import PIPELINE_VERSION
from extractors.atomic import (
    remove_stale_temporaries,
    write_json_atomic,
)
from extractors.bundle import Refused, expand_inputs
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.guard import extract_guarded
from extractors.layout import glob_root, json_name, plan_outputs, relative_names
from extractors.ledger import (
    SUMMARY_NAME,
    BatchSummary,
    FileOutcome,
    Outcome,
    append_outcomes,
    name_owners,
    read_ledger,
    write_summary,
)
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.report import CheckStatus, Report
from extractors.sniff import EXTENSION_FORMATS, describe_kind

_log = logging.getLogger(__name__)

# Members of .zip bundles are unpacked here during a batch: inside the output folder
# (never scanned as input), at one place per member from run to run.
BUNDLES_DIR = ".bundles"

# How much of an unsupported file is read again to name its kind.
_KIND_SAMPLE_BYTES = 1 << 16
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

__all__ = [
    "SUMMARY_NAME",
    "BatchSummary",
    "FileOutcome",
    "Outcome",
    "remove_stale_temporaries",
    "write_summary",
]


@dataclass(frozen=True)
class Target:
    """Where one input goes in the output folder, and who it is."""

    name: str  # the JSON's path relative to the output folder: anshan/2019.json
    source: str  # the input's path relative to the folder given: anshan/2019.txt
    owner: str  # absolute input path, or its sha256 for an inbox


def find_inputs(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Files named, and every file inside folders named (recursively), sorted.

    Every file counts, whatever its extension: one no reader handles still gets its
    outcome (``failed: unsupported_type``). Hidden files and folders (``.git``,
    ``.DS_Store``) are skipped, and so is anything under ``exclude`` (the output folder
    when it lies inside an input folder).
    """
    skip = [p.absolute() for p in exclude]
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for entry in sorted(path.rglob("*")):
            inner = entry.relative_to(path).parts
            if any(part.startswith(".") for part in inner):
                continue
            if any(entry.absolute().is_relative_to(s) for s in skip):
                continue
            # Not only regular files: a folder or a pipe named like a report is an
            # input too, and ends `failed`/`unreadable` instead of going unnoticed.
            if not entry.is_dir() or entry.suffix.lower() in EXTENSION_FORMATS:
                found.append(entry)
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


def backlog_inputs(
    folder: str | None,
    pattern: str | None,
    manifest: str | None,
    out_dir: str | None = None,
) -> list[Path]:
    """A backlog's files: a folder (recursive), a glob, a CSV manifest, or several.

    Inputs are taken in that order, and a file named twice is one input.

    Raises:
        OSError, UnicodeDecodeError, csv.Error: the manifest cannot be read.
    """
    inputs: list[Path] = []
    if folder:
        inputs.extend(find_inputs([Path(folder)], [Path(out_dir)] if out_dir else []))
    if pattern:
        inputs.extend(glob_inputs(pattern))
    if manifest:
        inputs.extend(read_manifest(Path(manifest)))
    return list(dict.fromkeys(inputs))


def input_roots(
    folder: str | None, pattern: str | None, manifest: str | None
) -> list[Path]:
    """The folders a backlog's files are named relative to (their layout is mirrored)."""
    roots = [Path(folder)] if folder else []
    if pattern:
        roots.append(glob_root(pattern))
    if manifest:
        roots.append(Path(manifest).parent)
    return roots


def plan_batch(
    inputs: list[Path],
    out_dir: Path,
    roots: Sequence[Path] = (),
    by_content: bool = False,
) -> dict[Path, Target]:
    """Where each input's JSON goes: mirrored, unique, and the same as in earlier runs.

    Args:
        inputs: the files of the batch.
        out_dir: the output folder (its ledger says which names are given).
        roots: the folders the inputs were found in; names mirror paths under them.
        by_content: inputs are told apart by their bytes, not their path (an inbox,
            where one path holds a new document every year): a JSON is never replaced.
    """
    relative = relative_names(inputs, roots)

    def owner_of(path: Path) -> str:
        if by_content:
            try:
                return file_sha256(path)
            except OSError:
                pass  # process_file reports it; its path stands in
        return str(path.absolute())

    who = {p: owner_of(p) for p in inputs}
    names = plan_outputs(
        inputs, relative, name_owners(read_ledger(out_dir)), who.__getitem__
    )
    return {p: Target(names[p], relative[p], who[p]) for p in inputs}


def process_file(
    path: Path,
    out_dir: Path,
    target: Target | None = None,
    force: bool = False,
    options: ReaderOptions | None = None,
    raise_transient: bool = False,
) -> FileOutcome:
    """Extract one file and write its JSON; never raises for bad input.

    Args:
        path: the input file.
        out_dir: the output folder.
        target: where the JSON goes (:func:`plan_batch`); default ``<stem>.json``.
        force: redo the file even if its JSON is up to date.
        options: reader limits.
        raise_transient: re-raise an OSError while reading that may pass on a retry
            (see :func:`is_transient`) instead of recording the file as failed, so a
            caller with retries (the Prefect task) can try again.

    Returns:
        The file's outcome.
    """
    started = time.perf_counter()
    target = target or default_target(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # Reading a FIFO would block forever; a folder cannot be read at all.
            return failed_outcome(
                path, target, ErrorCode.UNREADABLE, "not a regular file"
            )
        digest = file_sha256(path)
    except OSError as exc:
        if raise_transient and is_transient(exc):
            raise
        return failed_outcome(
            path, target, ErrorCode.UNREADABLE, f"cannot read the file: {exc}"
        )
    if not force:
        done = _unchanged_outcome(path, out_dir, target, digest)
        if done is not None:
            return done
    try:
        # In a child process with the options' time and memory limits: a hostile file
        # must not stall or exhaust the batch.
        report = extract_guarded(path, ReaderOptions.resolve(options), extract)
    except DocumentLoadError as exc:
        failed = failed_outcome(path, target, exc.code, exc.message, started, digest)
        if exc.code is ErrorCode.UNSUPPORTED_TYPE:
            failed.detected_kind = _kind_of(path)
        return failed
    except Exception as exc:  # a defect must fail this file only, never the batch
        _log.exception("extracting %s failed", path)
        return failed_outcome(
            path, target, ErrorCode.INTERNAL, repr(exc), started, digest
        )
    report.source.file = target.source
    write_json_atomic(out_dir / target.name, report.model_dump(mode="json"))
    return summarize(path, report, target, time.perf_counter() - started)


def default_target(path: Path) -> Target:
    """An input named on its own: ``<stem>.json``, owned by its absolute path."""
    return Target(f"{path.stem}.json", path.name, str(path.absolute()))


def check_unchanged(
    path: Path, out_dir: Path, target: Target, force: bool = False
) -> FileOutcome | None:
    """The ``unchanged`` outcome when the file's JSON is current, else None (redo it).

    Cheap (one hash, one JSON read), so a batch can sort out the work to do before
    scheduling any; an unreadable file is left to :func:`process_file` to report.
    """
    if force:
        return None
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # never open a pipe here; process_file reports it
        digest = file_sha256(path)
    except OSError:
        return None
    return _unchanged_outcome(path, out_dir, target, digest)


def settle_unchanged(
    inputs: list[Path],
    out_dir: Path,
    roots: Sequence[Path] = (),
    force: bool = False,
) -> BatchSummary | None:
    """The run's outcomes when no input needs extracting, else None (work remains).

    Plain Python, before any orchestration starts: a re-run where nothing changed
    costs one hash and one JSON read per file, and no scheduler or API server. It
    stops at the first input that needs work, so a run with work wastes little. When
    nothing is left, every input's ``unchanged`` outcome (and each refused bundle's
    ``failed`` one) is appended to the ledger and the summary is written, as a run
    would.
    """
    if force:
        return None
    opened, opened_roots, refused = open_bundles(inputs, out_dir, roots)
    try:
        targets = plan_batch(opened, out_dir, opened_roots)
        unchanged = []
        for path in opened:
            outcome = check_unchanged(path, out_dir, targets[path])
            if outcome is None:
                return None
            unchanged.append(outcome)
    finally:
        close_bundles(out_dir)
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
    summary = BatchSummary(files=[*refused, *unchanged])
    append_outcomes(out_dir, summary.files)
    write_summary(summary, out_dir)
    return summary


def _unchanged_outcome(
    path: Path, out_dir: Path, target: Target, digest: str
) -> FileOutcome | None:
    existing = current_report(out_dir / target.name, digest)
    if existing is None:
        return None
    # The summary line of the JSON that stands, so an unchanged file still shows its
    # tables, values and failed checks.
    outcome = summarize(path, existing, target, 0.0)
    outcome.outcome = Outcome.UNCHANGED
    outcome.message = "same file and pipeline version as the existing JSON"
    return outcome


def current_report(json_path: Path, digest: str) -> Report | None:
    """The report at ``json_path`` if it is of these bytes by this pipeline version.

    The output JSON itself is the cache record (its ``source.sha256`` and
    ``pipeline_version``): written atomically, it cannot claim work that was not done.
    """
    try:
        existing = Report.model_validate_json(json_path.read_bytes())
    except (OSError, ValueError, ValidationError):
        return None
    if existing.source.sha256 != digest:
        return None
    return existing if existing.pipeline_version == PIPELINE_VERSION else None


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


def summarize(
    path: Path, report: Report, target: Target, seconds: float
) -> FileOutcome:
    """The summary line of a processed file."""
    return FileOutcome(
        file=str(path),
        outcome=Outcome.PROCESSED,
        name=target.name,
        source=target.source,
        owner=target.owner,
        sha256=report.source.sha256,
        status=report.status.value,
        output=target.name,
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


def open_bundles(
    inputs: list[Path], out_dir: Path, roots: Sequence[Path]
) -> tuple[list[Path], list[Path], list[FileOutcome]]:
    """Put the members of every ZIP bundle among the inputs in its place.

    Returns:
        The inputs to plan, the roots to name them by, and a failed outcome for each
        bundle or member refused (corrupt, unsafe path, too large, encrypted…).
    """
    inputs, roots, refused = expand_inputs(inputs, roots, out_dir / BUNDLES_DIR)
    return list(inputs), list(roots), [_refused(r) for r in refused]


def close_bundles(out_dir: Path) -> None:
    """Delete what :func:`open_bundles` unpacked (the JSONs stay)."""
    shutil.rmtree(out_dir / BUNDLES_DIR, ignore_errors=True)


def _refused(refused: Refused) -> FileOutcome:
    target = Target(json_name(refused.name), refused.name, str(refused.path.absolute()))
    error = refused.error
    return failed_outcome(refused.path, target, error.code, error.message)


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    force: bool = False,
    options: ReaderOptions | None = None,
    on_done: Callable[[FileOutcome], None] | None = None,
    roots: Sequence[Path] = (),
) -> BatchSummary:
    """Process files one after another, record each outcome, and write the summary.

    Args:
        inputs: the files, in order.
        out_dir: where JSON, the ledger and the summary go.
        force: redo files whose JSON is up to date.
        options: reader limits.
        on_done: called after each file (progress display).
        roots: the folders the inputs were found in (their layout is mirrored).

    Returns:
        This run's outcomes; ``_summary.json`` holds every file the folder has seen.
    """
    inputs, roots, refused = open_bundles(inputs, out_dir, roots)
    targets = plan_batch(inputs, out_dir, roots)
    if out_dir.is_dir():
        remove_stale_temporaries(out_dir)
    summary = BatchSummary()
    append_outcomes(out_dir, refused)
    for outcome in refused:
        summary.files.append(outcome)
        if on_done is not None:
            on_done(outcome)
    for path in inputs:
        outcome = process_file(path, out_dir, targets[path], force, options)
        append_outcomes(out_dir, [outcome])
        summary.files.append(outcome)
        if on_done is not None:
            on_done(outcome)
    close_bundles(out_dir)
    write_summary(summary, out_dir)
    return summary


def _kind_of(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return describe_kind(handle.read(_KIND_SAMPLE_BYTES))
    except OSError:
        return None


def failed_outcome(
    path: Path,
    target: Target,
    code: ErrorCode,
    message: str,
    started: float | None = None,
    digest: str | None = None,
) -> FileOutcome:
    """The ``failed`` outcome of one input, with its error code and why.

    Args:
        path: the input.
        target: where its JSON would have gone.
        code: the error code.
        message: what went wrong, in a line.
        started: when work on it began (``perf_counter``), to record the time spent.
        digest: its sha256, when it was read.
    """
    seconds = 0.0 if started is None else time.perf_counter() - started
    return FileOutcome(
        file=str(path),
        outcome=Outcome.FAILED,
        name=target.name,
        source=target.source,
        owner=target.owner,
        sha256=digest,
        error_code=code.value,
        message=message,
        seconds=round(seconds, 3),
    )
