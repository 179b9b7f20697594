"""Year over year on made-up reports of one issuer: every change listed, S2 flagged."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from report_factory import LEVEL2, REQUEST_COLUMNS, MadeUpReport, make_report, to_text

from extractors.pipeline import extract
from extractors.report import CheckStatus, Report
from flows.cli import main
from flows.views.compare import Comparison, compare_reports


def extracted(tmp_path: Path, made: MadeUpReport) -> Path:
    """The made-up report as text, extracted to JSON; returns the JSON path."""
    source = tmp_path / f"report_{made.year}.txt"
    source.write_text(to_text(made), encoding="utf-8")
    target = tmp_path / f"report_{made.year}.json"
    target.write_text(extract(source).model_dump_json(), encoding="utf-8")
    return target


def changed_scopes(before: MadeUpReport, after: MadeUpReport) -> set[str]:
    scopes = set()
    for kind in ("active_disclosure", "requests", "review_litigation"):
        old, new = getattr(before, kind), getattr(after, kind)
        for row in {*old, *new}:
            for field in {*old.get(row, {}), *new.get(row, {})}:
                if old.get(row, {}).get(field, "absent") != new.get(row, {}).get(
                    field, "absent"
                ):
                    scopes.add(f"{kind}.{row}.{field}")
    return scopes


def test_every_change_listed_and_broken_carry_over_flagged(tmp_path: Path) -> None:
    last = make_report(seed=1, year=2022)
    this = make_report(seed=2, year=2023)
    # One column carries over correctly, one is broken on purpose.
    this.requests["carried_over"]["natural_person"] = last.requests[
        "carried_to_next_year"
    ]["natural_person"]
    this.requests["carried_over"]["research_institution"] = (
        int(last.requests["carried_to_next_year"]["research_institution"] or 0) + 5
    )
    a = Report.model_validate_json(extracted(tmp_path, this).read_bytes())
    b = Report.model_validate_json(extracted(tmp_path, last).read_bytes())

    comparison = compare_reports(a, b)  # either order: the earlier year is "previous"

    assert (comparison.previous.year, comparison.current.year) == (2022, 2023)
    assert comparison.warnings == []
    assert {v.scope for v in comparison.changed} == changed_scopes(last, this)
    for v in comparison.changed:
        if v.previous is not None and v.current is not None:
            assert v.change == pytest.approx(v.current - v.previous)
    broken = {
        c
        for c in REQUEST_COLUMNS
        if last.requests["carried_to_next_year"][c] != this.requests["carried_over"][c]
    }
    assert "research_institution" in broken and "natural_person" not in broken
    assert {c.scope for c in comparison.broken_carry_over} == {
        f"requests.carried_over.{c}" for c in broken
    }
    passed = {c.scope for c in comparison.carry_over if c.status is CheckStatus.PASS}
    assert "requests.carried_over.natural_person" in passed
    research = next(
        c for c in comparison.carry_over if c.scope.endswith("research_institution")
    )
    assert (research.expected, research.actual) == (
        last.requests["carried_to_next_year"]["research_institution"],
        this.requests["carried_over"]["research_institution"],
    )


def test_new_and_removed_sections_by_category(tmp_path: Path) -> None:
    last = make_report(seed=1, year=2022)
    this = make_report(seed=1, year=2023)
    this.level2 = [h for h in LEVEL2 if h[1] != "platform_construction"]
    this.level2.append(("（六）收取信息处理费情况", "fee_collection"))
    comparison = compare_reports(
        Report.model_validate_json(extracted(tmp_path, last).read_bytes()),
        Report.model_validate_json(extracted(tmp_path, this).read_bytes()),
    )
    assert [s.category for s in comparison.new_sections] == ["fee_collection"]
    assert [s.category for s in comparison.removed_sections] == [
        "platform_construction"
    ]


def test_years_apart_skip_carry_over(tmp_path: Path) -> None:
    comparison = compare_reports(
        Report.model_validate_json(
            extracted(tmp_path, make_report(year=2020)).read_bytes()
        ),
        Report.model_validate_json(
            extracted(tmp_path, make_report(year=2023)).read_bytes()
        ),
    )
    assert {c.status for c in comparison.carry_over} == {CheckStatus.SKIPPED}
    assert "do not follow" in comparison.warnings[0]


def test_cli_compare_writes_html_and_json(tmp_path: Path) -> None:
    last = extracted(tmp_path, make_report(seed=1, year=2022))
    this = extracted(tmp_path, make_report(seed=2, year=2023))
    out = tmp_path / "cmp"
    assert main(["compare", str(last), str(this), "--out", str(out)]) == 0
    comparison = Comparison.model_validate(
        json.loads((out / "compare.json").read_text(encoding="utf-8"))
    )
    page = lxml.html.fromstring((out / "compare.html").read_text(encoding="utf-8"))
    rows = page.xpath('//table[@class="compare"]//tr[@data-status]')
    assert len(rows) == len(comparison.values)
    assert {r.get("data-scope") for r in rows if r.get("data-status") == "changed"} == {
        v.scope for v in comparison.changed
    }
    flagged = page.xpath('//tr[@data-status="fail"]/@data-scope')
    assert set(flagged) == {c.scope for c in comparison.broken_carry_over}
