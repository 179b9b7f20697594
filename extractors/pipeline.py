"""One document through every stage: read → outline → map → check → Report.

Exceptions are caught once, here, at the document boundary: a stage that fails becomes an
error in the report and the other stages still run (docling's habit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from extractors import PIPELINE_VERSION
from extractors.checks import check_report
from extractors.document import Document
from extractors.headings import LEVEL1_LEXICON
from extractors.metadata import find_metadata
from extractors.options import ReaderOptions
from extractors.outline import find_sections, table_captions
from extractors.readers import read_document
from extractors.report import (
    Check,
    ErrorItem,
    Finding,
    Report,
    ReportMeta,
    Section,
    Status,
    Suggestion,
    TableOut,
)
from extractors.template.mapper import MappedTables, map_tables
from extractors.template.specs import TableKind

_log = logging.getLogger(__name__)
T = TypeVar("T")

# A document with no statistics table and fewer known level-1 sections than this is not
# a disclosure report (the six level-1 sections are the template's backbone).
MIN_REPORT_SECTIONS = 2


def extract(path: Path, options: ReaderOptions | None = None) -> Report:
    """Read one report file and return its canonical report.

    Args:
        path: a text, HTML, PDF or Word file.
        options: reader limits; defaults when None.

    Returns:
        The report; its ``status`` says how well it went.

    Raises:
        DocumentLoadError: the file is no usable document (empty, corrupt, encrypted,
            unsupported); batch callers record it as ``failed``.

    Example:
        >>> report = extract(Path("samples/000_e67d0018f5985882.txt"))
        >>> report.requests["new_received"]["total"]
        148
    """
    return build_report(read_document(path, options))


def build_report(document: Document) -> Report:
    """Run every stage after the reader on a document."""
    report = Report(pipeline_version=PIPELINE_VERSION, source=document.source)
    report.warnings.extend(
        Finding(code=w.code, message=w.message, page=w.page) for w in document.warnings
    )
    no_sections: list[Section] = []
    sections = _stage(report, "outline", lambda: find_sections(document), no_sections)
    mapped = _stage(report, "template", lambda: map_tables(document), MappedTables())
    meta = _stage(report, "metadata", lambda: find_metadata(document), ReportMeta())
    report.sections = sections
    report.report = meta
    _apply_mapping(report, document, mapped)
    no_checks: tuple[list[Check], list[Suggestion]] = ([], [])
    checks = _stage(
        report,
        "checks",
        lambda: check_report(
            {
                "requests": report.requests,
                "review_litigation": report.review_litigation,
            },
            document.text,
            # Low-confidence OCR readings are doubtful too: a failing rule may
            # determine their value, proposed as a suggestion like an unreadable one.
            [*mapped.unreadable, *mapped.doubtful],
        ),
        no_checks,
    )
    report.checks, report.suggestions = checks
    report.suggestions.extend(mapped.suggestions)
    _note_not_a_report(report, mapped)
    report.status = _status(report, mapped)
    return report


def _apply_mapping(report: Report, document: Document, mapped: MappedTables) -> None:
    values = mapped.values
    report.active_disclosure = values.get(TableKind.ACTIVE_DISCLOSURE, {})
    report.requests = values.get(TableKind.REQUESTS, {})
    report.review_litigation = values.get(TableKind.REVIEW_LITIGATION, {})
    report.cells = mapped.cells
    report.warnings.extend(mapped.warnings)
    by_table = {kind.value: version.value for kind, version in mapped.templates.items()}
    report.report.template_by_table = by_table  # type: ignore[assignment]
    versions = set(by_table.values())
    if versions:
        report.report.template = versions.pop() if len(versions) == 1 else "mixed"  # type: ignore[assignment]
    captions = table_captions(document)
    report.tables = [
        TableOut(
            index=i,
            page=table.page,
            pages=table.pages,
            kind=mapped.kinds[i].value if i in mapped.kinds else None,
            engine=table.engine,
            label=captions[i],
            rows=table.grid(),
        )
        for i, table in enumerate(document.tables)
    ]


def _note_not_a_report(report: Report, mapped: MappedTables) -> None:
    known = {s.category for s in report.sections if s.category in LEVEL1_LEXICON}
    if not mapped.values and len(known) < MIN_REPORT_SECTIONS:
        report.warnings.append(
            Finding(
                code="not_a_report",
                message="no statistics table and no report sections: "
                "this does not look like an information-disclosure annual report",
            )
        )
        return
    for kind in TableKind:
        if kind not in mapped.values:
            report.warnings.append(
                Finding(
                    code="table_not_found",
                    message=f"the {kind.value} table was not found",
                    where=kind.value,
                )
            )


def _status(report: Report, mapped: MappedTables) -> Status:
    if mapped.unreadable:
        report.errors.append(
            ErrorItem(
                code="unreadable_values",
                message=f"{len(mapped.unreadable)} cell(s) could not be read: "
                + ", ".join(mapped.unreadable[:10]),
                component="template",
            )
        )
    for warning in report.warnings:
        if warning.code == "needs_ocr":
            report.errors.append(
                ErrorItem(code="needs_ocr", message=warning.message, page=warning.page)
            )
    return Status.PARTIAL_SUCCESS if report.errors else Status.SUCCESS


def _stage(report: Report, name: str, run: Callable[[], T], fallback: T) -> T:
    try:
        return run()
    except Exception as exc:  # a defect in one stage must not lose the document
        _log.exception("stage %s failed on %s", name, report.source.file)
        report.errors.append(
            ErrorItem(code="internal_error", message=f"{name}: {exc!r}", component=name)
        )
        return fallback
