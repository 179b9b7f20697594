"""Flattened archived pages and whitespace-aligned text: made-up reports read back.

Every cell comes back exact, or, where several splits of a flattened run fit the
template's rules equally, flagged low-confidence with the right value among the
suggestions; a report's own broken arithmetic stays the report's (the checks fail, the
run is reported), never repaired into another split.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from conftest import SAMPLES, answer_key
from flat_factory import (
    FlatStyle,
    corpus,
    plausible,
    to_aligned,
    to_flat,
    with_blanks,
    with_broken_sums,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from report_factory import MadeUpReport, make_report

from extractors.checks import check_report, consistency_equations
from extractors.pipeline import extract
from extractors.readers.flat import read_flat, split_run_in, strip_portal
from extractors.readers.flat_joint import split_runs
from extractors.readers.flat_split import Slot, SplitStatus
from extractors.report import CheckStatus, Report
from extractors.values import ValueKind

TABLES = ("active_disclosure", "requests", "review_litigation")
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)


def _extract(tmp_path: Path, text: str, name: str = "page.txt") -> Report:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _made_cells(made: MadeUpReport) -> dict[str, int | float | None]:
    return {
        f"{table}.{row}.{name}": value
        for table in TABLES
        for row, fields in getattr(made, table).items()
        for name, value in fields.items()
    }


def assert_exact_or_flagged(report: Report, made: MadeUpReport) -> int:
    """Each cell exact, or flagged with the right value suggested; returns how many
    were flagged with a wrong preferred reading."""
    doubtful = {w.where for w in report.warnings if w.code == "low_confidence"}
    proposed = {(s.scope, s.value) for s in report.suggestions}
    wrong = 0
    for scope, value in _made_cells(made).items():
        table, row, name = (
            scope.split(".", 2)[0],
            *scope.split(".", 1)[1].rsplit(".", 1),
        )
        read = getattr(report, table)[row][name]
        if read != value:
            assert scope in doubtful, f"{scope}: read {read}, made {value}, not flagged"
            assert (scope, value) in proposed, f"{scope}: {value} not among suggestions"
            wrong += 1
    return wrong


def _failing(report: Report) -> set[tuple[str, str]]:
    return {
        (c.rule, c.scope)
        for c in report.checks
        if c.rule.startswith("R") and c.status is CheckStatus.FAIL
    }


@pytest.mark.parametrize(("name", "made", "style"), corpus(), ids=lambda v: str(v)[:14])
def test_archived_page_reads_back(
    tmp_path: Path, name: str, made: MadeUpReport, style: FlatStyle
) -> None:
    report = _extract(tmp_path, to_flat(made, style))
    assert_exact_or_flagged(report, made)
    assert report.report.year == made.year
    assert report.report.template == made.template
    assert report.report.title == made.title
    assert [s.category for s in report.sections if s.level == 1] == [
        c for _, c in made.level1
    ]
    assert [s.heading for s in report.sections if s.level == 2] == [
        h for h, _ in made.level2
    ]
    # Exactly the report's own failures (none but in the broken one), never the reader's.
    own, _ = check_report(
        {"requests": made.requests, "review_litigation": made.review_litigation}, ""
    )
    assert _failing(report) == {
        (c.rule, c.scope) for c in own if c.status is CheckStatus.FAIL
    }
    inconsistent = [w for w in report.warnings if w.code == "flat_run_inconsistent"]
    assert len(inconsistent) == (2 if name.endswith("broken") else 0)


def test_most_cells_of_the_corpus_are_exact(tmp_path: Path) -> None:
    total = wrong = 0
    for name, made, style in corpus():
        report = _extract(tmp_path, to_flat(made, style), f"{name}.txt")
        wrong += assert_exact_or_flagged(report, made)
        total += len(_made_cells(made))
    assert wrong / total < 0.08  # the rest are flagged with the right suggestion


def test_blank_cells_vanish_and_come_back_blank(tmp_path: Path) -> None:
    made = with_blanks(plausible(make_report("2019", "2019", seed=5), 5))
    report = _extract(tmp_path, to_flat(made))
    fees = report.active_disclosure["administrative_fees"]
    assert fees == made.active_disclosure["administrative_fees"]
    assert fees["change"] is None
    assert set(report.requests["not_processed.duplicate"].values()) == {None}
    assert report.requests == made.requests


def test_yuan_amount_is_converted_to_wan_yuan(tmp_path: Path) -> None:
    made = plausible(make_report("2019", "2019", seed=1), 1)
    text = to_flat(made, FlatStyle(yuan=True))
    amount = made.active_disclosure["centralized_procurement"]["amount_wan_yuan"]
    assert f"{amount * 10_000:.2f}元" in text
    report = _extract(tmp_path, text)
    assert_exact_or_flagged(report, made)  # 9|538478000.00元 or 95|38478000.00元
    scope = "active_disclosure.centralized_procurement.amount_wan_yuan"
    read = report.active_disclosure["centralized_procurement"]["amount_wan_yuan"]
    suggested = {s.value for s in report.suggestions if s.scope == scope}
    assert amount in {read, *suggested}
    assert all(v < 100_000 for v in {read, *suggested})  # every reading in 万元


def _slots(row: str, fields: tuple[str, ...], table: str = "requests") -> list[Slot]:
    kinds = {"change": ValueKind.CHANGE, "amount_wan_yuan": ValueKind.AMOUNT}
    return [Slot((table, row, f), kinds.get(f, ValueKind.COUNT)) for f in fields]


@pytest.mark.parametrize(
    ("run", "fields", "cells", "status"),
    [
        ("6233440", ("issued", "repealed", "in_force"), ("62", "33", "440"), "several"),
        ("3960181", ("prev_items", "change", "decisions"), ("396", "0", "181"), "one"),
        (
            "71增63133",
            ("prev_items", "change", "decisions"),
            ("71", "增63", "133"),
            "several",
        ),
        ("24252.311082", ("amount_wan_yuan",), ("24252.311082",), "one"),
        (
            "13575394432.52元",
            ("projects", "amount_wan_yuan"),
            ("135", "75394432.52元"),
            "several",
        ),
        ("230 000023", APPLICANTS, ("23", "0", "0", "0", "0", "0", "23"), "one"),
        ("640020470", APPLICANTS, ("64", "0", "0", "2", "0", "4", "70"), "one"),
        ("2200003 25", APPLICANTS, ("22", "0", "0", "0", "0", "3", "25"), "several"),
    ],
)
def test_runs_split_as_printed(
    run: str, fields: tuple[str, ...], cells: tuple[str, ...], status: str
) -> None:
    slots = _slots(
        "new_received", fields, "requests" if "total" in fields else "active"
    )
    split = split_runs([(run, slots)], consistency_equations(["new_received"]))[0]
    assert split.status.value == status
    # Where several fit, the printed reading is the preferred one or an alternative.
    assert split.cells == cells or (status == "several" and cells in split.candidates)
    assert any(split.alternatives) == (status == "several")


def test_a_run_no_split_balances_is_reported_not_repaired() -> None:
    # Printed 2 1 13 5 13 1 36: the parts add up to 35. Read as printed, reported.
    slots = _slots("disclosed", APPLICANTS)
    split = split_runs([("2113513136", slots)], consistency_equations(["disclosed"]))[0]
    assert split.status is SplitStatus.NONE
    printed = ("2", "1", "13", "5", "13", "1", "36")
    # Readings off by as little as the printed one come first (2 11 3 5 13 1 36 too);
    # the other rows' equations pick among them in a whole table.
    assert printed in split.candidates[:4]
    assert split.cells[-1] == "36" and sum(map(int, split.cells[:-1])) == 35


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from([0, 0, 0, 1, 2, 3, 5, 7, 12, 13, 30, 148]),
        min_size=6,
        max_size=6,
    )
)
def test_the_printed_split_is_always_among_the_readings(parts: list[int]) -> None:
    figures = [*parts, sum(parts)]
    run = "".join(str(v) for v in figures)
    split = split_runs(
        [(run, _slots("disclosed", APPLICANTS))], consistency_equations(["disclosed"])
    )[0]
    printed = tuple(str(v) for v in figures)
    assert split.status is not SplitStatus.NONE
    assert printed == split.cells or printed in split.candidates


def test_glued_numbering_belongs_to_the_next_label() -> None:
    made = plausible(make_report("2019", "2019", seed=3), 3)
    page = read_flat(to_flat(made))
    assert page is not None
    requests = next(
        t for t in page.tables if any("国家秘密" in c.text for c in t.cells)
    )
    labels = [row[0] for row in requests.grid() if row and row[0].startswith("2.")]
    assert labels == [
        "2.其他法律行政法规禁止公开",
        "2.没有现成信息需要另行制作",
        "2.重复申请",
    ]


def test_portal_chrome_is_dropped() -> None:
    body = (
        "当前位置： 首页政务公开年报 某区2021年度报告 来源：某区人民政府 "
        "时间：2022-02-08 16:34 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --> "
        "根据《条例》编制本报告。 附件下载"
    )
    assert strip_portal(body) == "根据《条例》编制本报告。"


@pytest.mark.parametrize(
    ("block", "heading", "rest"),
    [
        ("（一）主动公开方面。按照要求公开。", "（一）主动公开方面", "按照要求公开。"),
        (
            "（一）基本情况今年，我区公开信息2599条。",
            "（一）基本情况",
            "今年，我区公开信息2599条。",
        ),
        ("一、总体情况2019年，我区…", "一、总体情况", "2019年，我区…"),
        (
            "六、其他需要报告的事项 无其他需要报告的事项",
            "六、其他需要报告的事项",
            "无其他需要报告的事项",
        ),
        ("（二）改进措施：一是丰富形式。", "（二）改进措施", "一是丰富形式。"),
        ("（一）加强组织领导，健全机制。", "（一）加强组织领导，健全机制。", ""),
    ],
)
def test_run_in_headings_are_split_out(block: str, heading: str, rest: str) -> None:
    assert split_run_in(block) == (heading, rest)


def test_title_comes_first_for_the_metadata_stage() -> None:
    made = plausible(make_report("2021", "2021", seed=2), 2)
    page = read_flat(to_flat(made))
    assert page is not None
    assert page.blocks[0].text == made.title
    assert page.header["发布机构"] == made.issuer


@pytest.mark.parametrize(
    ("template", "seed", "wide"),
    [("2019", 1, 2), ("2021", 2, 2), ("2019", 7, 2), ("2019", 3, 1), ("2021", 4, 1)],
)
def test_whitespace_aligned_text_reads_exact(
    tmp_path: Path, template: str, seed: int, wide: int
) -> None:
    # CJK two columns wide (a terminal dump), or one (some PDF text dumps).
    made = make_report(template, template, seed=seed)
    report = _extract(tmp_path, to_aligned(made, wide))
    assert [report.active_disclosure, report.requests, report.review_litigation] == [
        made.active_disclosure,
        made.requests,
        made.review_litigation,
    ]
    assert [s.category for s in report.sections if s.level == 1] == [
        c for _, c in made.level1
    ]
    assert report.tables and {t.engine for t in report.tables} == {"text-layout"}
    assert _failing(report) == set()


def test_whitespace_aligned_blank_cells_keep_their_column(tmp_path: Path) -> None:
    made = with_blanks(make_report("2019", "2019", seed=4))
    broken = with_broken_sums(made)
    report = _extract(tmp_path, to_aligned(broken))
    assert report.active_disclosure == broken.active_disclosure
    assert report.requests["not_processed.duplicate"] == dict.fromkeys(APPLICANTS)
    assert report.review_litigation == broken.review_litigation
    assert ("R4", "review_litigation.review") in _failing(report)


def test_real_pdf_layout_dump_reads_what_stands_in_columns(tmp_path: Path) -> None:
    # The szfgs2024 sample as a PDF text dump (pdfplumber's layout mode pads CJK as one
    # column; labels wrap over lines; figures sit a single space apart): tables 2 and 3
    # read exactly, table 4's header does not line up, so it is refused, never misread.
    with pdfplumber.open(SAMPLES / "szfgs2024.pdf") as pdf:
        text = "\n".join(page.extract_text(layout=True) for page in pdf.pages)
    report = _extract(tmp_path, text, "szfgs2024.txt")
    key = answer_key("szfgs2024")
    for table in ("active_disclosure", "requests"):
        assert getattr(report, table) == key[table], table
    assert all(v is None for g in report.review_litigation.values() for v in g.values())
    assert "layout_table_unaligned" in {w.code for w in report.warnings}
    assert _failing(report) == set()
    assert [s.category for s in report.sections if s.level == 1] == [
        c for _, c in key["sections_level1"]
    ]
