from __future__ import annotations

import pytest
from report_factory import request_row_keys, result_rows

from extractors.checks import (
    APPLICANT_COLUMNS,
    REQUEST_FIELDS,
    check_narrative,
    check_report,
    checked_cells,
)
from extractors.report import CheckStatus

TABLES = {
    "requests": {
        "new_received": {"total": 148},
        "carried_over": {"total": 5},
        "carried_to_next_year": {"total": 6},
    },
    "review_litigation": {
        "review": {"total": 3},
        "litigation_direct": {"total": 1},
        "litigation_after_review": {"total": 1},
    },
}


@pytest.mark.parametrize(
    "text",
    [
        "2019年，共受理依申请公开148件次。",
        "本年度共收到政府信息公开申请 148 件，均按时答复。",
        "全年收到各类政府信息公开申请共148件。",
        "共收到信息公开申请148件。",
        "新收政府信息公开申请148件。",
        "共收到政府信息公开申请153件（含上年结转5件）。",
    ],
)
def test_s1_received_phrasings_agree_with_the_table(text: str) -> None:
    (check,) = [c for c in check_narrative(TABLES, text) if c.rule == "S1"]
    assert (check.scope, check.status) == (
        "requests.new_received.total",
        CheckStatus.PASS,
    )


def test_s1_mismatch_reports_both_figures() -> None:
    (check,) = check_narrative(TABLES, "共受理依申请公开59件次。")
    assert (check.status, check.expected, check.actual) == (CheckStatus.FAIL, 59, 148)


def test_s1_other_figures_only_when_stated() -> None:
    text = (
        "收到政府信息公开申请148件（含上年度结转申请5件，另有6件顺延到下年度答复）。"
        "政府信息公开行政复议3件，政府信息公开行政诉讼2件。其中网上申请43件。"
    )
    found = {c.scope: c.status for c in check_narrative(TABLES, text)}
    assert found == {
        "requests.new_received.total": CheckStatus.PASS,
        "requests.carried_over.total": CheckStatus.PASS,
        "requests.carried_to_next_year.total": CheckStatus.PASS,
        "review_litigation.review.total": CheckStatus.PASS,
        "review_litigation.litigation.total": CheckStatus.PASS,
    }


def test_s1_skipped_without_a_stated_figure() -> None:
    (check,) = check_narrative(TABLES, "进一步规范依申请公开办理流程。行政复议3件。")
    assert check.status is CheckStatus.SKIPPED


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_checked_cells_names_the_cells_of_every_check(template: str) -> None:
    rows = request_row_keys(template)
    tables = {
        "requests": {row: dict.fromkeys(REQUEST_FIELDS, 1) for row in rows},
        "review_litigation": TABLES["review_litigation"],
    }
    stated = (
        "收到政府信息公开申请1件，政府信息公开行政复议3件，政府信息公开行政诉讼2件。"
    )
    checks, _ = check_report(tables, stated)
    cells = checked_cells(rows)
    assert {(c.rule, c.scope) for c in checks} <= set(cells)
    assert cells[("R3", "requests.new_received")] == (
        *(("requests", "new_received", c) for c in APPLICANT_COLUMNS),
        ("requests", "new_received", "total"),
    )
    results = [key for key, _, _ in result_rows(template)]
    assert cells[("R2", "requests.natural_person")] == (
        *(("requests", r, "natural_person") for r in results),
        ("requests", "result_total", "natural_person"),
    )
    assert cells[("S1", "review_litigation.litigation.total")] == (
        ("review_litigation", "litigation_direct", "total"),
        ("review_litigation", "litigation_after_review", "total"),
    )
