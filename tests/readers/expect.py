"""What the reader tests expect of a report read from a made-up report's rendering."""

from __future__ import annotations

from report_factory import MadeUpReport, assert_values

from extractors.document import Table
from extractors.report import Report


def canonical(report: Report) -> tuple[object, ...]:
    """The values and metadata two renderings of one report must share."""
    return (
        report.active_disclosure,
        report.requests,
        report.review_litigation,
        report.report.template,
        report.report.template_by_table,
        report.report.region,
        report.report.year,
    )


def assert_canonical(report: Report, expected: MadeUpReport) -> None:
    """Every canonical value, the format, region, year and level-1 categories."""
    assert_values(report, expected)
    assert report.report.template == expected.template
    assert report.report.region == expected.region
    assert report.report.year == expected.year
    assert [(s.level, s.category) for s in report.sections if s.level == 1] == [
        (1, category) for _, category in expected.level1
    ]
    assert all(
        c.status.value == "pass" for c in report.checks if c.rule.startswith("R")
    )
    assert report.status.value == "success"


def assert_tiled(table: Table) -> None:
    """Every grid slot is covered by exactly one cell (spans included)."""
    slots = [
        (r, c)
        for cell in table.cells
        for r in range(cell.row, cell.row + cell.row_span)
        for c in range(cell.col, cell.col + cell.col_span)
    ]
    assert len(slots) == len(set(slots)) == table.n_rows * table.n_cols
