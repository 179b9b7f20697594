"""Tables printed the way real reports print them, in every format: values exact, and
no check failure the made-up report does not itself have."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from report_factory import MadeUpReport, assert_values, make_report
from table_layout import Layout, expected_values, garbled_rows, without_column
from variants import FORMATS, LAYOUTS, own_failures, render
from variants import reported_failures as failures

from extractors.pipeline import extract, read_document
from extractors.report import Report
from extractors.template.mapper import map_tables
from extractors.template.specs import TableKind

CASES = [
    (name, fmt, "2021" if i % 2 else "2019")
    for i, name in enumerate(LAYOUTS)
    for fmt in FORMATS
]


def made_for(layout: Layout, template: str, seed: int) -> MadeUpReport:
    made = make_report(template, template, seed=seed)
    if layout.missing_column:
        made = without_column(made, layout.missing_column)
    return made


def codes(report: Report, code: str) -> set[str]:
    return {w.where or "" for w in report.warnings if w.code == code}


@pytest.mark.parametrize(("name", "fmt", "template"), CASES)
def test_layout_read_exactly_without_false_alarms(
    tmp_path: Path, name: str, fmt: str, template: str
) -> None:
    layout = LAYOUTS[name]
    made = made_for(layout, template, seed=31)
    report = extract(render(made, layout, fmt, tmp_path))
    assert_values(report, expected_values(made, layout))
    assert failures(report) == set()
    # Only misprinted labels are reported (one still holding a synonym whole, such as
    # 补正后申请容仍不明确 with 仍不明确, is read at full confidence).
    assert codes(report, "approximate_row") <= garbled_rows(made, layout)
    if layout.dropped or layout.swapped:
        assert codes(report, "approximate_row")
    if layout.missing_column:
        assert codes(report, "missing_column") == {
            f"requests.*.{layout.missing_column}"
        }
    else:
        assert not codes(report, "missing_column")
    if layout.shifted_row and fmt != "txt":  # scraped text has no columns to be off
        assert f"requests.{layout.shifted_row}" in codes(report, "cells_out_of_line")
    assert not codes(report, "unmatched_row") | codes(report, "columns_by_order")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (n, f)
        for n in ("plain", "total_first", "shifted_row", "everything")
        for f in FORMATS
    ],
)
def test_a_reports_own_broken_rules_are_reported_exactly(
    tmp_path: Path, name: str, fmt: str
) -> None:
    layout = LAYOUTS[name]
    made = made_for(layout, "2021", seed=32)
    made.requests["disclosed"]["natural_person"] = (
        int(made.requests["disclosed"]["natural_person"] or 0) + 3
    )  # breaks R3 of the row and R2 of the column
    made.requests["carried_over"]["total"] = (
        int(made.requests["carried_over"]["total"] or 0) + 1
    )  # breaks R3 of the row and R1 of the total column
    expected = own_failures(made)
    assert {("R3", "requests.disclosed"), ("R1", "requests.total")} <= expected
    report = extract(render(made, layout, fmt, tmp_path))
    assert_values(report, expected_values(made, layout))
    assert failures(report) == expected


def test_a_missing_column_is_null_and_its_scopes_missing(tmp_path: Path) -> None:
    layout = LAYOUTS["missing_column"]
    made = made_for(layout, "2019", seed=33)
    mapped = map_tables(read_document(render(made, layout, "html", tmp_path)))
    requests = mapped.values[TableKind.REQUESTS]
    assert all(v["research_institution"] is None for v in requests.values())
    assert sorted(mapped.missing) == sorted(
        f"requests.{row}.research_institution" for row in made.requests
    )


ZERO_ROWS = ("withheld.enforcement_files", "not_processed.publication")


def with_zero_rows(made: MadeUpReport) -> MadeUpReport:
    """The report with whole rows of zeros (as small offices print them), its rules
    kept: a result row's requests move to the carried-over-to-next-year row."""
    out = copy.deepcopy(made)
    requests = out.requests
    for row in ZERO_ROWS:
        for column, value in requests[row].items():
            moved = int(value or 0)
            requests[row][column] = 0
            total = requests["result_total"]
            total[column] = int(total[column] or 0) - moved
            carried = requests["carried_to_next_year"]
            carried[column] = int(carried[column] or 0) + moved
    # No lawsuits: scraped text drops the ten trailing empty cells of table 4's row.
    for group in ("litigation_direct", "litigation_after_review"):
        out.review_litigation[group] = dict.fromkeys(out.review_litigation[group], 0)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_of_zeros_printed_blank_are_read_as_blank_rows(
    tmp_path: Path, fmt: str
) -> None:
    # Real reports often leave zeros blank: a row of zeros is its label over empty
    # cells, not a header line, and table 4's row is partly empty.
    layout = LAYOUTS["blank_zeros"]
    made = with_zero_rows(made_for(layout, "2021", seed=34))
    report = extract(render(made, layout, fmt, tmp_path))
    expected = expected_values(made, layout)
    assert {v for row in ZERO_ROWS for v in expected.requests[row].values()} == {None}
    assert_values(report, expected)
    assert failures(report) == own_failures(made) == set()
    assert report.status == "success", report.errors
    assert not codes(report, "missing_row") | codes(report, "other_reading_balances")
