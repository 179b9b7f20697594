"""One document through every stage: read → outline → map → check → Report.

Exceptions are caught once, here, at the document boundary: a stage that fails becomes an
error in the report and the other stages still run (docling's habit).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache
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
from extractors.template.specs import SPECS, TableKind
from extractors.textnorm import fold, label_key

_log = logging.getLogger(__name__)
T = TypeVar("T")

# A document with no statistics table and fewer known level-1 sections than this is not
# a disclosure report (the six level-1 sections are the template's backbone).
MIN_REPORT_SECTIONS = 2
# Nor is one whose text holds fewer of the template's row labels than this; a report
# whose tables were lost (images, text without figures) still prints a dozen or more.
MIN_TEMPLATE_LABELS = 3
# Row labels shorter than this (其他, 总计, 维持) are common words, no evidence.
MIN_DISTINCTIVE_LABEL = 6
# Errors name at most this many cells; the warnings name each one.
MAX_SCOPES_LISTED = 10
# A disclosure annual report's title (folded: no spaces).
_REPORT_TITLE = re.compile(r"(?:信息公开|政务公开).*(?:年度报告|工作报告|年报)")


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
            mapped.missing,
        ),
        no_checks,
    )
    report.checks, report.suggestions = checks
    report.suggestions.extend(mapped.suggestions)
    _note_not_a_report(report, mapped, document)
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


def _note_not_a_report(
    report: Report, mapped: MappedTables, document: Document
) -> None:
    if mapped.values:
        for kind in TableKind:
            if kind not in mapped.values:
                report.warnings.append(
                    Finding(
                        code="table_not_found",
                        message=f"the {kind.value} table was not found",
                        where=kind.value,
                    )
                )
        return
    evidence = report_evidence(report, document)
    if evidence:
        # It says it is a report, so the reader lost its tables: the document's fault
        # is not established, and "not a report" would hide the loss.
        report.errors.append(
            ErrorItem(
                code="tables_unreadable",
                message="the document presents itself as an annual report ("
                + "; ".join(evidence)
                + ") but no statistics table could be read from it",
                component="template",
            )
        )
        return
    message = (
        "no statistics table, no report title, sections or row labels: "
        "this does not look like an information-disclosure annual report"
    )
    report.warnings.append(Finding(code="not_a_report", message=message))
    report.errors.append(
        ErrorItem(code="not_a_report", message=message, component="template")
    )


def report_evidence(report: Report, document: Document) -> list[str]:
    """What in a document says it is a disclosure annual report, apart from its tables.

    Args:
        report: the report with its sections and metadata already found.
        document: the reader's output (its text is searched for template row labels).

    Returns:
        One phrase per kind of evidence found (title, level-1 sections, row labels);
        empty when the document does not present itself as a report.
    """
    evidence = []
    title = report.report.title or ""
    if _REPORT_TITLE.search(fold(title)):
        evidence.append(f"title {title!r}")
    known = {s.category for s in report.sections if s.category in LEVEL1_LEXICON}
    if len(known) >= MIN_REPORT_SECTIONS:
        evidence.append(f"{len(known)} of the template's level-1 sections")
    labels = _template_labels_in(fold(document.text))
    if len(labels) >= MIN_TEMPLATE_LABELS:
        evidence.append(f"{len(labels)} table row labels such as {labels[0]!r}")
    return evidence


def _template_labels_in(text: str) -> list[str]:
    """Distinctive row labels of the template (any format) that the text contains."""
    return [label for label in _distinctive_labels() if label in text]


@lru_cache(maxsize=1)
def _distinctive_labels() -> tuple[str, ...]:
    # Short labels (其他, 总计) occur in any text; long ones are the template's own.
    found = {
        label_key(label)
        for versions in SPECS.values()
        for spec in versions.values()
        for row in spec.rows
        for label in row.labels
    }
    return tuple(sorted(k for k in found if len(k) >= MIN_DISTINCTIVE_LABEL))


def _status(report: Report, mapped: MappedTables) -> Status:
    """Success only when every template cell was read; derived from expected vs read."""
    for code, message in _template_losses(mapped):
        report.errors.append(
            ErrorItem(code=code, message=message, component="template")
        )
    for warning in report.warnings:
        if warning.code == "needs_ocr":
            report.errors.append(
                ErrorItem(code="needs_ocr", message=warning.message, page=warning.page)
            )
    if not mapped.values:
        return Status.FAILURE
    return Status.PARTIAL_SUCCESS if report.errors else Status.SUCCESS


def _template_losses(mapped: MappedTables) -> list[tuple[str, str]]:
    """(code, message) of each way the tables fall short of the template."""
    losses = []
    if mapped.unreadable:
        losses.append(
            (
                "unreadable_values",
                f"{len(mapped.unreadable)} cell(s) could not be read: "
                + _scopes(mapped.unreadable),
            )
        )
    lost = [kind.value for kind in TableKind if kind not in mapped.values]
    if mapped.values and lost:
        losses.append(
            ("tables_missing", "statistics table(s) not found: " + ", ".join(lost))
        )
    blank = [
        kind.value
        for kind, rows in mapped.values.items()
        if all(v is None for fields in rows.values() for v in fields.values())
    ]
    if blank:
        # Real reports print their zeros or leave some cells empty; a table with no
        # figure at all was not read.
        losses.append(
            (
                "table_blank",
                "statistics table(s) found but no figure read in them: "
                + ", ".join(blank),
            )
        )
    if mapped.missing:
        losses.append(
            (
                "cells_missing",
                f"{len(mapped.missing)} template cell(s) were not read "
                "(row or column not found): " + _scopes(mapped.missing),
            )
        )
    # A cell may be doubted twice (read with low confidence, in a row another
    # reading balances): it counts once.
    doubtful = list(dict.fromkeys(mapped.doubtful))
    if doubtful:
        losses.append(
            (
                "low_confidence",
                f"{len(doubtful)} value(s) read with low confidence: "
                + _scopes(doubtful),
            )
        )
    return losses


def _scopes(scopes: list[str]) -> str:
    shown = ", ".join(scopes[:MAX_SCOPES_LISTED])
    more = len(scopes) - MAX_SCOPES_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def _stage(report: Report, name: str, run: Callable[[], T], fallback: T) -> T:
    try:
        return run()
    except Exception as exc:  # a defect in one stage must not lose the document
        _log.exception("stage %s failed on %s", name, report.source.file)
        report.errors.append(
            ErrorItem(code="internal_error", message=f"{name}: {exc!r}", component=name)
        )
        return fallback
