"""The mapper on grids as other readers produce them: spans, fragments, long table 4."""

from __future__ import annotations

from pathlib import Path

from conftest import source_info
from report_factory import (
    REQUEST_COLUMNS,
    make_report,
    request_row_keys,
    result_rows,
    to_text,
)

from extractors.checks import check_report
from extractors.document import (
    Document,
    InputFormat,
    Table,
    TableCell,
    cells_from_rows,
)
from extractors.pipeline import build_report, extract
from extractors.report import CheckStatus
from extractors.template.mapper import map_tables
from extractors.template.specs import TableKind, TemplateVersion

SOURCE = source_info(InputFormat.HTML, "grid.html")
APPLICANT_HEADERS = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
]


def table(rows: list[list[str]], order: int = 0, page: int | None = None) -> Table:
    return Table(
        order=order,
        n_rows=len(rows),
        n_cols=max(len(r) for r in rows),
        cells=cells_from_rows(rows, page),
        engine="test",
        page=page,
        pages=[page] if page else [],
    )


def requests_rows(
    values: dict[str, dict[str, int | float | None]], template: str
) -> list[list[str]]:
    labels = {k: label for k, _, label in result_rows(template)}
    labels.update(
        new_received="一、本年新收政府信息公开申请数量",
        carried_over="二、上年结转政府信息公开申请数量",
        result_total="（七）总计",
        carried_to_next_year="四、结转下年度继续办理",
    )
    return [
        [
            labels[key],
            *(
                "" if values[key][c] is None else str(values[key][c])
                for c in REQUEST_COLUMNS
            ),
        ]
        for key in request_row_keys(template)
    ]


def test_review_table_printed_long_with_groups_as_rows() -> None:
    grid = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", "30", "4", "1", "1", "36"],
        ["行政诉讼（未经复议直接起诉）", "19", "0", "1", "10", "30"],
        ["行政诉讼（复议后起诉）", "3", "", "1", "", "4"],
    ]
    mapped = map_tables(Document(source=SOURCE, tables=[table(grid)]))
    values = mapped.values[TableKind.REVIEW_LITIGATION]
    assert values["review"] == {
        "maintained": 30,
        "corrected": 4,
        "other": 1,
        "pending": 1,
        "total": 36,
    }
    assert values["litigation_direct"]["pending"] == 10
    assert values["litigation_after_review"] == {
        "maintained": 3,
        "corrected": None,
        "other": 1,
        "pending": None,
        "total": 4,
    }


def test_merged_value_cell_and_group_spans() -> None:
    cells = [
        TableCell(row=0, col=0, col_span=4, text="第二十条第（五）项"),
        TableCell(row=1, col=0, text="信息内容"),
        TableCell(row=1, col=1, col_span=3, text="本年处理决定数量"),
        TableCell(row=2, col=0, text="行政许可"),
        TableCell(row=2, col=1, col_span=3, text="447228"),
        TableCell(row=3, col=0, text="行政事业性收费"),
        TableCell(row=3, col=1, col_span=3, text="96171.6"),
        TableCell(row=4, col=0, text="规章"),
        TableCell(row=4, col=1, text="1"),
        TableCell(row=4, col=2, text="0"),
        TableCell(row=4, col=3, text="11"),
    ]
    grid = Table(order=0, n_rows=5, n_cols=4, cells=cells, engine="test")
    mapped = map_tables(Document(source=SOURCE, tables=[grid]))
    assert mapped.templates[TableKind.ACTIVE_DISCLOSURE] is TemplateVersion.V2021
    values = mapped.values[TableKind.ACTIVE_DISCLOSURE]
    assert values["administrative_license"] == {"decisions": 447228}
    assert values["administrative_fees"] == {"amount_wan_yuan": 96171.6}
    assert values["rules"] == {"issued": 1, "repealed": 0, "in_force": 11}


def test_table_split_over_pages_without_repeated_header() -> None:
    made = make_report("2021", "2021", seed=21)
    rows = requests_rows(made.requests, "2021")
    header = [
        [
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "申请人情况",
        ],
        ["自然人", "法人或其他组织", "总计"],
    ]
    first = table(header + rows[:13], order=0, page=4)
    second = table(rows[13:], order=1, page=5)
    mapped = map_tables(Document(source=SOURCE, tables=[first, second]))
    assert mapped.values[TableKind.REQUESTS] == made.requests
    assert mapped.kinds == {0: TableKind.REQUESTS, 1: TableKind.REQUESTS}
    pages = {c.row: c.page for c in mapped.cells}
    assert pages["new_received"] == 4
    assert pages["carried_to_next_year"] == 5


def test_generic_tables_are_kept_but_not_mapped() -> None:
    contacts = table([["单位", "电话"], ["办公室", "0517-83605210"]])
    report = build_report(Document(source=SOURCE, tables=[contacts]))
    assert report.tables[0].kind is None
    assert report.tables[0].rows == [["单位", "电话"], ["办公室", "0517-83605210"]]
    assert report.requests == {}
    assert [w.code for w in report.warnings] == ["not_a_report"]


def test_unreadable_cell_is_null_warned_and_suggested_never_applied() -> None:
    made = make_report("2019", "2019", seed=8)
    rows = requests_rows(made.requests, "2019")
    disclosed = next(i for i, r in enumerate(rows) if r[0].endswith("予以公开"))
    expected_total = made.requests["disclosed"]["total"]
    rows[disclosed][-1] = "7I"
    report = build_report(Document(source=SOURCE, tables=[table(rows)]))
    assert report.requests["disclosed"]["total"] is None
    assert report.status.value == "partial_success"
    assert any(
        w.code == "unreadable_value" and w.where == "requests.disclosed.total"
        for w in report.warnings
    )
    assert [(s.scope, s.value) for s in report.suggestions] == [
        ("requests.disclosed.total", expected_total)
    ]
    r3 = next(
        c for c in report.checks if c.rule == "R3" and c.scope == "requests.disclosed"
    )
    assert r3.status is CheckStatus.FAIL


def test_checks_skip_when_a_table_is_missing() -> None:
    checks, suggestions = check_report({}, "")
    assert {c.status for c in checks} == {CheckStatus.SKIPPED}
    assert suggestions == []


def test_amount_header_in_yuan_is_converted_to_wan_yuan() -> None:
    grid = [
        ["第二十条第（八）项"],
        ["信息内容", "本年收费金额（单位：元）"],
        ["行政事业性收费", "39400"],
        ["第二十条第（五）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "12"],
        ["行政处罚", "3"],
    ]
    mapped = map_tables(Document(source=SOURCE, tables=[table(grid)]))
    fees = mapped.values[TableKind.ACTIVE_DISCLOSURE]["administrative_fees"]
    assert fees == {"amount_wan_yuan": 3.94}
    note = next(c.note for c in mapped.cells if c.row == "administrative_fees")
    assert note is not None and "元" in note


def test_tables_3_and_4_in_one_grid_are_cut_apart(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=12)
    text = to_text(made)
    # A scrape with no heading line between the two tables joins them in one pipe block.
    text = text.replace("\n四、政府信息公开行政复议、行政诉讼情况\n", "\n")
    path = tmp_path / "stacked.txt"
    path.write_text(text, encoding="utf-8")
    report = extract(path)
    assert report.requests == made.requests
    assert report.review_litigation == made.review_litigation


def test_misprinted_label_lands_on_its_row_and_is_reported() -> None:
    made = make_report("2021", "2021", seed=40)
    rows = requests_rows(made.requests, "2021")
    misprinted = next(i for i, r in enumerate(rows) if r[0].startswith("2.其他法律"))
    rows[misprinted][0] = "2.其他法律行政止公开"  # seen in a real 2024 PDF
    mapped = map_tables(Document(source=SOURCE, tables=[table(rows)]))
    assert mapped.values[TableKind.REQUESTS] == made.requests
    near = [w for w in mapped.warnings if w.code == "approximate_row"]
    assert [w.where for w in near] == ["requests.withheld.prohibited_by_law"]
    assert "其他法律行政止公开" in near[0].message
    assert mapped.missing == []


def test_a_row_printed_twice_keeps_the_first() -> None:
    made = make_report("2019", "2019", seed=41)
    rows = requests_rows(made.requests, "2019")
    disclosed = next(i for i, r in enumerate(rows) if r[0].endswith("予以公开"))
    copy = [rows[disclosed][0], *["99"] * 7]
    rows.insert(disclosed + 1, copy)
    mapped = map_tables(Document(source=SOURCE, tables=[table(rows)]))
    assert mapped.values[TableKind.REQUESTS] == made.requests
    assert [w.where for w in mapped.warnings if w.code == "duplicate_row"] == [
        "requests.disclosed"
    ]


def test_columns_named_by_header_total_first_and_a_second_total() -> None:
    made = make_report("2019", "2019", seed=42)
    header = ["", "总计", *APPLICANT_HEADERS, "合计"]
    rows = [header]
    for row in requests_rows(made.requests, "2019"):
        label, *figures = row
        extra = str(sum(int(v) for v in figures[1:6]))  # the organisations' 合计
        rows.append([label, figures[-1], *figures[:-1], extra])
    mapped = map_tables(Document(source=SOURCE, tables=[table(rows)]))
    assert mapped.values[TableKind.REQUESTS] == made.requests
    assert not [w for w in mapped.warnings if w.code != "approximate_row"]


def test_no_header_reads_columns_in_template_order_with_a_warning() -> None:
    made = make_report("2019", "2019", seed=43)
    rows = requests_rows(made.requests, "2019")
    mapped = map_tables(Document(source=SOURCE, tables=[table(rows)]))
    assert mapped.values[TableKind.REQUESTS] == made.requests
    warned = [w for w in mapped.warnings if w.code == "columns_by_order"]
    assert [w.where for w in warned] == ["requests"]


def test_a_shifted_reading_that_balances_is_suggested_not_applied() -> None:
    header = ["", *APPLICANT_HEADERS, "总计", "备注"]
    # The figures of 予以公开 sit one column right of their headers (a merged cell):
    # 5 + 1 = 6 in printed order, but 商业企业 = 5 … 总计 = 0 under the headers.
    shifted = ["（一）予以公开", "", "5", "1", "0", "0", "0", "0", "6"]
    grid = table(
        [header, shifted, ["（二）部分公开", "1", "0", "0", "0", "0", "0", "1"]]
    )
    mapped = map_tables(Document(source=SOURCE, tables=[grid]))
    disclosed = mapped.values[TableKind.REQUESTS]["disclosed"]
    assert (disclosed["commercial_enterprise"], disclosed["total"]) == (5, 0)
    suggested = {(s.scope, s.value) for s in mapped.suggestions}
    assert suggested == {
        ("requests.disclosed.natural_person", 5),
        ("requests.disclosed.commercial_enterprise", 1),
        ("requests.disclosed.research_institution", 0),
        ("requests.disclosed.total", 6),
    }
    assert all("one cell to the left" in s.because for s in mapped.suggestions)
    assert "requests.disclosed.total" in mapped.doubtful
    assert "requests.partially_disclosed.total" not in mapped.doubtful


def test_a_cells_other_readings_are_doubtful_and_suggested() -> None:
    cells = cells_from_rows([["", *APPLICANT_HEADERS, "总计"], ["（一）予以公开"]])
    for col, text in enumerate(["1", "0", "0", "0", "0", "0", "11"], start=1):
        alternatives = ["1", "11"] if text == "11" else []
        cells.append(TableCell(row=1, col=col, text=text, alternatives=alternatives))
    grid = Table(order=0, n_rows=2, n_cols=8, cells=cells, engine="test")
    mapped = map_tables(Document(source=SOURCE, tables=[grid]))
    assert mapped.values[TableKind.REQUESTS]["disclosed"]["total"] == 11
    assert [(s.scope, s.value) for s in mapped.suggestions] == [
        ("requests.disclosed.total", 1)
    ]
    assert mapped.doubtful == ["requests.disclosed.total"]


def test_wide_review_header_degraded_by_word_exports() -> None:
    """LibreOffice's Word exports: a group's field labels merged into one blank cell,
    and 行政复议's 总计 spanning into the next column."""
    fields = ["结果维持", "结果纠正", "其他结果", "尚未审结"]
    cells = [
        TableCell(row=0, col=0, col_span=5, text="行政复议"),
        TableCell(row=0, col=5, col_span=11, text="行政诉讼"),
        *(TableCell(row=1, col=c, row_span=2, text=t) for c, t in enumerate(fields)),
        TableCell(row=1, col=4, row_span=2, col_span=2, text="总计"),
        TableCell(row=1, col=6, col_span=5, text="未经复议直接起诉"),
        TableCell(row=1, col=11, col_span=5, text="复议后起诉"),
        *(TableCell(row=2, col=6 + c, text=t) for c, t in enumerate([*fields, "总计"])),
        TableCell(row=2, col=11, col_span=5, text=""),
    ]
    figures = [
        "30",
        "4",
        "1",
        "1",
        "36",
        "19",
        "0",
        "1",
        "10",
        "30",
        "3",
        "",
        "1",
        "",
        "4",
    ]
    cols = [0, 1, 2, 3, 4, *range(6, 16)]
    cells += [
        TableCell(row=3, col=c, col_span=2 if c == 4 else 1, text=t)
        for c, t in zip(cols, figures, strict=True)
    ]
    grid = Table(order=0, n_rows=4, n_cols=16, cells=cells, engine="test")
    mapped = map_tables(Document(source=SOURCE, tables=[grid]))
    values = mapped.values[TableKind.REVIEW_LITIGATION]
    assert values["review"]["total"] == 36
    assert values["litigation_direct"] == {
        "maintained": 19,
        "corrected": 0,
        "other": 1,
        "pending": 10,
        "total": 30,
    }
    assert values["litigation_after_review"] == {
        "maintained": 3,
        "corrected": None,
        "other": 1,
        "pending": None,
        "total": 4,
    }
    assert not [w for w in mapped.warnings if w.code == "cells_out_of_line"]


def _wide_review_grid(labels: dict[int, str]) -> Table:
    """Table 4 printed wide, ruled, with the field label of some columns replaced."""
    fields = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [
        TableCell(row=0, col=0, col_span=5, text="行政复议"),
        TableCell(row=0, col=5, col_span=10, text="行政诉讼"),
        *(TableCell(row=1, col=c, row_span=2, text=t) for c, t in enumerate(fields)),
        TableCell(row=1, col=5, col_span=5, text="未经复议直接起诉"),
        TableCell(row=1, col=10, col_span=5, text="复议后起诉"),
        *(
            TableCell(row=2, col=5 + c, text=labels.get(5 + c, t))
            for c, t in enumerate(fields * 2)
        ),
    ]
    figures = [
        "1",
        "2",
        "3",
        "4",
        "10",
        "5",
        "6",
        "7",
        "8",
        "26",
        "0",
        "1",
        "0",
        "2",
        "3",
    ]
    cells += [TableCell(row=3, col=c, text=t) for c, t in enumerate(figures)]
    return Table(order=0, n_rows=4, n_cols=15, cells=cells, engine="test")


def test_misread_column_label_named_by_its_sibling_group() -> None:
    # OCR read 尚未审结 as 尚末审结 and 结果纠正 as 结果纠止 (a seal over them): their
    # groups name every other column as 行政复议 does, so they are its fields.
    grid = _wide_review_grid({8: "尚末审结", 11: "结果纠止"})
    values = map_tables(Document(source=SOURCE, tables=[grid])).values[
        TableKind.REVIEW_LITIGATION
    ]
    assert values["litigation_direct"] == {
        "maintained": 5,
        "corrected": 6,
        "other": 7,
        "pending": 8,
        "total": 26,
    }
    assert values["litigation_after_review"]["corrected"] == 1


def test_unrelated_column_label_is_not_named_by_its_sibling_group() -> None:
    grid = _wide_review_grid({8: "备注说明"})
    mapped = map_tables(Document(source=SOURCE, tables=[grid]))
    values = mapped.values[TableKind.REVIEW_LITIGATION]
    assert values["litigation_direct"]["pending"] is None
    assert values["litigation_direct"]["total"] == 26
    # Not read, and said so: the cell is missing and named.
    scope = "review_litigation.litigation_direct.pending"
    assert mapped.missing == [scope]
    assert [w.code for w in mapped.warnings if w.where == scope] == ["missing_column"]


def test_column_label_too_short_to_judge_is_named_by_its_place_and_doubted() -> None:
    # 其他结果 read as 其地 under a seal: the lone unnamed column of a group named as its
    # sibling is, its figure read but doubtful.
    scope = "review_litigation.litigation_direct.other"
    mapped = map_tables(
        Document(source=SOURCE, tables=[_wide_review_grid({7: "其地"})])
    )
    assert mapped.values[TableKind.REVIEW_LITIGATION]["litigation_direct"]["other"] == 7
    assert scope in mapped.doubtful and not mapped.missing
    assert [w.code for w in mapped.warnings if w.where == scope] == ["column_by_place"]
    # Its label read as nothing: no column at all, and said so.
    mapped = map_tables(Document(source=SOURCE, tables=[_wide_review_grid({7: ""})]))
    assert (
        mapped.values[TableKind.REVIEW_LITIGATION]["litigation_direct"]["other"] is None
    )
    assert mapped.missing == [scope]
