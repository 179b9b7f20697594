"""Named table layouts (tests/table_layout.py) rendered in every format, and the R1–R4
failures a made-up report itself has, computed here apart from the library's checks.

Shared by tests/test_layouts.py and bench/accuracy.py.
"""

from __future__ import annotations

from pathlib import Path

from markup_factory import html_bytes, to_docx
from pdf_factory import made_up_to_pdf
from report_factory import APPLICANTS, REVIEW_FIELDS, MadeUpReport, to_text
from table_layout import Layout

from extractors.report import CheckStatus, Report

FORMATS = ("txt", "html", "docx", "pdf")

LAYOUTS: dict[str, Layout] = {
    "plain": Layout(),
    "total_first": Layout(total_first=True),
    "missing_column": Layout(missing_column="research_institution"),
    "extra_columns": Layout(extra_columns=True),
    "flat_header": Layout(flat_header=True),
    "dropped_1": Layout(dropped=1),
    "dropped_2": Layout(dropped=2),
    "dropped_3": Layout(dropped=3),
    "swapped_1": Layout(swapped=1),
    "swapped_2": Layout(swapped=2),
    "swapped_3": Layout(swapped=3),
    "split_lines": Layout(split="lines"),
    "split_cells": Layout(split="cells"),
    "shifted_row": Layout(shifted_row="carried_over"),
    "thousands": Layout(thousands=True),
    "blank_zeros": Layout(blank_zeros=True),
    "everything": Layout(
        total_first=True,
        extra_columns=True,
        dropped=2,
        split="lines",
        shifted_row="new_received",
        thousands=True,
    ),
}


def render(made: MadeUpReport, layout: Layout, fmt: str, folder: Path) -> Path:
    """Write a made-up report in one format with its tables printed in ``layout``."""
    path = folder / f"report.{fmt}"
    if fmt == "txt":
        path.write_text(to_text(made, layout), encoding="utf-8")
    elif fmt == "html":
        path.write_bytes(html_bytes(made, "utf-8", layout=layout))
    elif fmt == "docx":
        to_docx(made, path, layout=layout)
    else:
        made_up_to_pdf(made, path, layout=layout)
    return path


def own_failures(made: MadeUpReport) -> set[tuple[str, str]]:
    """(rule, scope) of every R1–R4 equation the report's own figures break."""
    requests = made.requests

    def cell(row: str, column: str) -> int:
        return int(requests[row][column] or 0)

    results = [
        r
        for r in requests
        if r not in ("new_received", "carried_over", "result_total")
        and r != "carried_to_next_year"
    ]
    out = set()
    for column in [*APPLICANTS, "total"]:
        if cell("new_received", column) + cell("carried_over", column) != cell(
            "result_total", column
        ) + cell("carried_to_next_year", column):
            out.add(("R1", f"requests.{column}"))
        if sum(cell(r, column) for r in results) != cell("result_total", column):
            out.add(("R2", f"requests.{column}"))
    for row in requests:
        if sum(cell(row, c) for c in APPLICANTS) != cell(row, "total"):
            out.add(("R3", f"requests.{row}"))
    for group, values in made.review_litigation.items():
        parts = sum(int(values[f] or 0) for f in REVIEW_FIELDS[:4])
        if parts != int(values["total"] or 0):
            out.add(("R4", f"review_litigation.{group}"))
    return out


def reported_failures(report: Report) -> set[tuple[str, str]]:
    """The R1–R4 failures a report states, as (rule, scope), to set against
    :func:`own_failures`."""
    return {
        (c.rule, c.scope)
        for c in report.checks
        if c.status is CheckStatus.FAIL and c.rule.startswith("R")
    }
