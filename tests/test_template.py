"""Made-up reports in the 2019, 2021 and mixed formats: every value back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_factory import MadeUpReport, assert_values, make_report, to_text

from extractors.pipeline import extract
from extractors.report import CheckStatus, Report


def run_text(tmp_path: Path, made: MadeUpReport, encoding: str = "utf-8") -> Report:
    path = tmp_path / "report.txt"
    path.write_bytes(to_text(made).encode(encoding))
    return extract(path)


@pytest.mark.parametrize(
    ("active", "requests", "template"),
    [
        ("2019", "2019", "2019"),
        ("2021", "2021", "2021"),
        ("2019", "2021", "mixed"),
        ("2021", "2019", "mixed"),
    ],
)
def test_every_value_in_each_format(
    tmp_path: Path, active: str, requests: str, template: str
) -> None:
    made = make_report(active, requests, seed=7)
    report = run_text(tmp_path, made)
    assert_values(report, made)
    assert report.report.template == template
    assert report.report.template_by_table == {
        "active_disclosure": active,
        "requests": requests,
        "review_litigation": requests,
    }
    assert [c for c in report.checks if c.status is CheckStatus.FAIL] == []
    assert {c.rule for c in report.checks} == {"R1", "R2", "R3", "R4", "S1"}
    assert not [w for w in report.warnings if w.code != "table_not_found"]


def test_2021_other_handling_rows(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=3)
    made.requests["other_handling.overdue_correction"]["natural_person"] = 17
    made.requests["other_handling.unpaid_fee"]["natural_person"] = 4
    made.requests["other_handling.other"]["natural_person"] = 9
    report = run_text(tmp_path, made)
    assert report.requests["other_handling.overdue_correction"]["natural_person"] == 17
    assert report.requests["other_handling.unpaid_fee"]["natural_person"] == 4
    assert report.requests["other_handling.other"]["natural_person"] == 9
    assert "other_handling" not in report.requests


def test_gbk_encoded_text(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=11)
    report = run_text(tmp_path, made, encoding="gbk")
    assert_values(report, made)
    assert report.report.region == "洪泽区"
    assert report.report.year == 2022


def test_blanks_are_null_and_count_as_zero_in_checks(tmp_path: Path) -> None:
    made = make_report("2019", "2019", seed=5)
    made.review_litigation["litigation_after_review"] = {
        "maintained": 3,
        "corrected": None,
        "other": 1,
        "pending": None,
        "total": 4,
    }
    made.requests["withheld.state_secret"] = dict.fromkeys(
        made.requests["disclosed"], 0
    )
    made.requests["withheld.state_secret"]["research_institution"] = None
    report = run_text(tmp_path, made)
    assert_values(report, made)
    r4 = next(
        c
        for c in report.checks
        if c.rule == "R4" and c.scope == "review_litigation.litigation_after_review"
    )
    assert r4.status is CheckStatus.PASS


def test_deliberate_inconsistencies_fail_exactly_their_checks(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=9)
    made.requests["disclosed"]["total"] = (
        int(made.requests["disclosed"]["total"] or 0) + 1
    )
    made.review_litigation["review"]["total"] = 999
    made.requests["carried_to_next_year"]["legal_service_org"] = 50
    made.requests["carried_to_next_year"]["total"] = sum(
        int(made.requests["carried_to_next_year"][c] or 0)
        for c in made.requests["carried_to_next_year"]
        if c != "total"
    )
    made.narrative_received = 12345
    report = run_text(tmp_path, made)
    assert_values(report, made)
    failed = {(c.rule, c.scope) for c in report.checks if c.status is CheckStatus.FAIL}
    assert failed == {
        ("R3", "requests.disclosed"),
        ("R2", "requests.total"),
        ("R4", "review_litigation.review"),
        ("R1", "requests.legal_service_org"),
        ("R1", "requests.total"),
        ("S1", "requests.new_received.total"),
    }
    s1 = next(c for c in report.checks if c.rule == "S1")
    assert (s1.expected, s1.actual) == (12345, made.requests["new_received"]["total"])


def test_renamed_headings_keep_their_categories(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=2)
    made.level1 = [
        ("一、概述", "overall"),
        ("二、主动公开政府信息情况", "active_disclosure_stats"),
        ("三、收到和处理政府信息公开申请情况", "requests_stats"),
        (
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "review_litigation_stats",
        ),
        ("五、政府信息公开工作存在的不足及改进措施", "problems_improvements"),
        ("六、其他需要报告的事项", "other_matters"),
    ]
    made.level2 = [
        ("（一）主动公开", "active_disclosure"),
        ("（二）依申请公开", "request_disclosure"),
        ("（三）政府信息管理", "information_management"),
        ("（四）平台建设", "platform_construction"),
        ("（五）监督保障", "supervision_guarantee"),
        ("（六）推进年度工作要点", "annual_work_points"),
        ("（七）附录说明", "unknown"),
    ]
    report = run_text(tmp_path, made)
    for level, expected in ((1, made.level1), (2, made.level2)):
        found = [(s.heading, s.category) for s in report.sections if s.level == level]
        assert found == expected


def test_region_and_title_from_the_title_line(tmp_path: Path) -> None:
    made = make_report(
        "2019", "2019", seed=4, issuer="鞍山市人民政府", region="鞍山市", year=2020
    )
    report = run_text(tmp_path, made)
    assert report.report.title == "鞍山市人民政府2020年政府信息公开工作年度报告"
    assert report.report.issuer == "鞍山市人民政府"
    assert (report.report.region, report.report.year) == ("鞍山市", 2020)
