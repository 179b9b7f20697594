"""Titles, issuers and headings as publishers print them, in every format the factories
render: a made-up report goes out as text, HTML, Word and PDF, and its title, issuer,
region, year, level-1/2 headings and their categories come back exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markup_factory import html_bytes, to_docx
from pdf_factory import made_up_to_pdf
from report_factory import (
    LEVEL2,
    MadeUpReport,
    assert_values,
    expected_sections,
    make_report,
    to_text,
)

from extractors.pipeline import extract
from extractors.report import CheckStatus, Report

FORMATS = ("txt", "html", "docx", "pdf")
UNNUMBERED_LEVEL2 = [
    ("政府信息主动公开情况", "active_disclosure"),
    ("（二）依申请公开情况", "request_disclosure"),
    ("政府信息管理", "information_management"),
    ("（四）政府信息公开平台建设情况", "platform_construction"),
    ("监督保障情况", "supervision_guarantee"),
]
GENERIC_LEVEL2 = [("（一）基本情况", "unknown"), ("（二）主要做法", "unknown")]
MEASURES = [
    ("（一）继续强化信息公开责任", "improvements"),
    ("（二）继续完善信息公开机制", "improvements"),
    ("（三）继续加强督导协调工作", "improvements"),
]
PROBLEMS_THEN_MEASURES = [("存在的主要问题", "problems"), ("改进措施", "improvements")]


@dataclass(frozen=True)
class Variant:
    """One way of printing a report's title and headings, and what must come back."""

    layout: str
    issuer: str
    region: str | None
    title_format: str = "{issuer}{year}年政府信息公开工作年度报告"
    site: str | None = None
    level2: list[tuple[str, str]] = field(default_factory=lambda: list(LEVEL2))
    problems_level2: list[tuple[str, str]] = field(default_factory=list)
    # Formats that print no page header, where the city of 市教育局 is known nowhere.
    region_unknown_in: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS


VARIANTS = {
    "two-line title, unnumbered level 2": Variant(
        "two_lines", "淮安市人民政府", "淮安市", level2=UNNUMBERED_LEVEL2
    ),
    "large-font title, district, measures under 五": Variant(
        "large", "江苏省淮安市洪泽区人民政府", "洪泽区", problems_level2=MEASURES
    ),
    "title in the page header, department": Variant(
        "header",
        "淮安市教育局",
        "淮安市",
        problems_level2=PROBLEMS_THEN_MEASURES,
        formats=("html", "docx", "pdf"),  # plain text has no page header
    ),
    "title in the first table, tax bureau": Variant(
        "table", "国家税务总局淮安市税务局", "淮安市", level2=UNNUMBERED_LEVEL2
    ),
    "department named by its level, city in the header": Variant(
        "line",
        "市教育局",
        "淮安市",
        site="淮安市人民政府",
        region_unknown_in=("txt",),
        problems_level2=MEASURES,
    ),
    "county after the year, generic level 2": Variant(
        "line",
        "涟水县人民政府",
        "涟水县",
        title_format="{year}年度{issuer}政府信息公开工作年度报告",
        level2=GENERIC_LEVEL2,
        problems_level2=[
            ("（一）存在的主要问题", "problems"),
            ("（二）改进措施", "improvements"),
        ],
    ),
}
CASES = [
    pytest.param(name, fmt, id=f"{name}-{fmt}")
    for name, variant in VARIANTS.items()
    for fmt in variant.formats
]


def made_up(variant: Variant, seed: int) -> MadeUpReport:
    """The variant's report, 2021 format, on the year 2023."""
    made = make_report(
        "2021", "2021", seed=seed, issuer=variant.issuer, region="", year=2023
    )
    made.title_layout = variant.layout
    made.title_format = variant.title_format
    made.site = variant.site
    made.level2 = list(variant.level2)
    made.problems_level2 = list(variant.problems_level2)
    return made


def render(made: MadeUpReport, fmt: str, folder: Path) -> Path:
    path = folder / f"report.{fmt}"
    if fmt == "txt":
        path.write_text(to_text(made), "utf-8")
    elif fmt == "html":
        path.write_bytes(html_bytes(made, "utf-8"))
    elif fmt == "docx":
        to_docx(made, path)
    else:
        made_up_to_pdf(made, path)
    return path


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_title_issuer_region_and_headings_come_back_exactly(
    name: str, fmt: str, tmp_path: Path
) -> None:
    variant = VARIANTS[name]
    made = made_up(variant, seed=list(VARIANTS).index(name) + 20)
    report: Report = extract(render(made, fmt, tmp_path))
    meta = report.report
    region = None if fmt in variant.region_unknown_in else variant.region
    assert (meta.title, meta.issuer, meta.region, meta.year) == (
        made.title,
        variant.issuer,
        region,
        2023,
    )
    found = [(s.level, s.heading, s.category) for s in report.sections if s.level <= 2]
    assert found == expected_sections(made)
    # The title and headings moved nothing else: every figure read, no check failed.
    assert_values(report, made)
    assert [c for c in report.checks if c.status is CheckStatus.FAIL] == []
