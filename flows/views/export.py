"""Spreadsheets across a batch: one sheet (or CSV) per statistics table, one row per report.

Every sheet starts with the columns that name the report (file, issuer, region, year,
template) and then has one column per canonical key of the table in either template
format, headed `本年新收·自然人 (new_received.natural_person)`. A blank cell is a null in
the JSON; keys a report's format does not have are blank too.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from extractors.report import Report
from flows.views.labels import (
    META_LABELS,
    TABLE_KINDS,
    all_value_keys,
    bilingual,
    value_label,
)

_log = logging.getLogger(__name__)

Cell = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    """One table across the batch: column keys, their headers, and one row per report."""

    name: str
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def table_sheet(kind: str, reports: Iterable[Report]) -> Sheet:
    """One table of every report as rows, canonical keys as columns.

    Args:
        kind: table key (`active_disclosure`, `requests`, `review_litigation`).
        reports: the batch's reports, in the order their rows should appear.

    Returns:
        The sheet; keys are `file`, `issuer`, …, then dotted `row.field` keys.
    """
    reports = list(reports)
    value_keys = all_value_keys(kind)
    # Keys no spec knows (a future variant) still get a column, at the end.
    for report in reports:
        table: dict[str, dict[str, int | float | None]] = getattr(report, kind)
        for row, fields in table.items():
            value_keys.extend((row, f) for f in fields if (row, f) not in value_keys)
    keys = (*META_LABELS, *(f"{r}.{f}" for r, f in value_keys))
    headers = (
        *(bilingual(label, key) for key, label in META_LABELS.items()),
        *(bilingual(value_label(kind, r, f), f"{r}.{f}") for r, f in value_keys),
    )
    rows = []
    for report in reports:
        values: dict[str, dict[str, int | float | None]] = getattr(report, kind)
        meta = report.report
        rows.append(
            (
                report.source.file,
                meta.issuer,
                meta.region,
                meta.year,
                meta.template_by_table.get(kind) or meta.template,
                *(values.get(r, {}).get(f) for r, f in value_keys),
            )
        )
    return Sheet(name=kind, keys=keys, headers=headers, rows=tuple(rows))


def batch_sheets(reports: Iterable[Report]) -> list[Sheet]:
    """The three tables' sheets for a batch, reports sorted by file name."""
    ordered = sorted(reports, key=lambda r: r.source.file)
    return [table_sheet(kind, ordered) for kind in TABLE_KINDS]


def write_xlsx(sheets: Iterable[Sheet], target: Path) -> Path:
    """Write the sheets to one Excel workbook (numbers as numbers, nulls as empty cells)."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.headers))
        for row in sheet.rows:
            ws.append(list(row))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, header in enumerate(sheet.headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(
                max(12, len(header) // 2 + 4), 40
            )
        # Keep the report-naming columns and the header in view while scrolling.
        ws.freeze_panes = ws.cell(row=2, column=len(META_LABELS) + 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def write_csv(sheets: Iterable[Sheet], folder: Path) -> list[Path]:
    """Write one `<table>.csv` per sheet; nulls are empty fields."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in sheets:
        target = folder / f"{sheet.name}.csv"
        # A BOM, or Excel opens the Chinese headers as GBK mojibake.
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(sheet.headers)
            writer.writerows(
                ["" if v is None else v for v in row] for row in sheet.rows
            )
        written.append(target)
    return written
