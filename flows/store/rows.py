"""One report as rows of the store's tables: plain dicts keyed by column name.

No database here: :mod:`flows.store` writes these rows. Keys are stable across re-loads:
the document's sha256 plus positions in the JSON's lists (or the value's table, row and
column key), so the same JSON always gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from extractors.crossyear import issuer_key
from extractors.report import CellRecord, Check, Report
from flows.store.schema import ORIGIN_REPORT
from flows.views.labels import TABLE_KINDS

SEVERITY_WARNING = "warning"
SEVERITY_ERROR = "error"

Rows = dict[str, list[dict[str, Any]]]


def report_rows(report: Report, json_file: str | None = None) -> Rows:
    """The report as rows of the store's tables (its own checks only; S2 comes later)."""
    sha = report.source.sha256
    meta = report.report
    by_table = meta.template_by_table
    document = {
        "sha256": sha,
        "file": report.source.file,
        "json_file": json_file,
        "schema_version": report.schema_version,
        "pipeline_version": report.pipeline_version,
        "media_type": report.source.media_type,
        "format": report.source.format.value,
        "size_bytes": report.source.size_bytes,
        "pages": report.source.pages,
        "ocr": report.source.ocr,
        "title": meta.title,
        "issuer": meta.issuer,
        "issuer_key": issuer_key(meta.issuer, meta.region),
        "region": meta.region,
        "year": meta.year,
        "template": meta.template,
        **{f"template_{t}": by_table.get(t) for t in TABLE_KINDS},
        "status": report.status.value,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
    }
    section_rows = [
        {
            "sha256": sha,
            "ordinal": i,
            "level": s.level,
            "number": s.number,
            "heading": s.heading,
            "category": s.category,
            "text": s.text,
            "page": s.page,
        }
        for i, s in enumerate(report.sections)
    ]
    provenance: dict[tuple[str, str, str], CellRecord] = {}
    for found in report.cells:
        # The mapper keeps the first reading of a value; so does the store.
        provenance.setdefault((found.table, found.row, found.column), found)
    cell_rows = []
    for table_name in TABLE_KINDS:
        values = getattr(report, table_name)
        for row_key, fields in values.items():
            for column_key, value in fields.items():
                record: CellRecord | None = provenance.get(
                    (table_name, row_key, column_key)
                )
                cell_rows.append(
                    {
                        "sha256": sha,
                        "table_name": table_name,
                        "row_key": row_key,
                        "column_key": column_key,
                        "value": value,
                        "raw": record.raw if record else None,
                        "page": record.page if record else None,
                        "confidence": record.confidence if record else None,
                        "source_table": record.source_table if record else None,
                        "grid_row": record.grid_row if record else None,
                        "grid_col": record.grid_col if record else None,
                        "note": record.note if record else None,
                        **_box_columns(record),
                    }
                )
    return {
        "documents": [document],
        "sections": section_rows,
        "cells": cell_rows,
        "checks": check_rows(sha, ORIGIN_REPORT, report.checks),
        "findings": _finding_rows(report),
        "suggestions": [
            {
                "sha256": sha,
                "ordinal": i,
                "scope": s.scope,
                "value": s.value,
                "because": s.because,
            }
            for i, s in enumerate(report.suggestions)
        ],
    }


def _box_columns(record: CellRecord | None) -> dict[str, float | None]:
    box = record.bbox if record else None
    return {
        "bbox_x0": box.x0 if box else None,
        "bbox_top": box.top if box else None,
        "bbox_x1": box.x1 if box else None,
        "bbox_bottom": box.bottom if box else None,
    }


def _finding_rows(report: Report) -> list[dict[str, Any]]:
    sha = report.source.sha256
    rows = [
        {
            "sha256": sha,
            "severity": SEVERITY_WARNING,
            "ordinal": i,
            "code": w.code,
            "message": w.message,
            "scope": w.where,
            "page": w.page,
            "component": None,
        }
        for i, w in enumerate(report.warnings)
    ]
    rows.extend(
        {
            "sha256": sha,
            "severity": SEVERITY_ERROR,
            "ordinal": i,
            "code": e.code,
            "message": e.message,
            "scope": None,
            "page": e.page,
            "component": e.component,
        }
        for i, e in enumerate(report.errors)
    )
    return rows


def check_rows(
    sha: str, origin: str, found: Iterable[Check], start: int = 0
) -> list[dict[str, Any]]:
    """Rows of ``checks`` for these checks of one document, numbered from ``start``."""
    return [
        {
            "sha256": sha,
            "origin": origin,
            "ordinal": start + i,
            "rule": c.rule,
            "scope": c.scope,
            "status": c.status.value,
            "expected": c.expected,
            "actual": c.actual,
            "message": c.message,
            "other_sha256": None,
        }
        for i, c in enumerate(found)
    ]
