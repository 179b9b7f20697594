"""HtmlReader: encodings, merged cells, Word exports, layout tables, site chrome."""

from __future__ import annotations

from pathlib import Path

import pytest
from markup_factory import html_bytes, requests_rows
from report_factory import MadeUpReport, make_report

from extractors.document import Document, Table
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.report import Report

TEMPLATES = [("2019", "2019"), ("2021", "2021"), ("2019", "2021")]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_canonical(report: Report, expected: MadeUpReport) -> None:
    assert report.active_disclosure == expected.active_disclosure
    assert report.requests == expected.requests
    assert report.review_litigation == expected.review_litigation
    assert report.report.template == expected.template
    assert report.report.region == expected.region
    assert report.report.year == expected.year
    assert [(s.level, s.category) for s in report.sections if s.level == 1] == [
        (1, category) for _, category in expected.level1
    ]
    assert all(
        c.status.value == "pass" for c in report.checks if c.rule.startswith("R")
    )


def table_with(document: Document, text: str) -> Table:
    return next(t for t in document.tables if any(c.text == text for c in t.cells))


@pytest.mark.parametrize(("active", "requests"), TEMPLATES)
@pytest.mark.parametrize("style", ["plain", "word", "portal"])
@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("utf-8", "utf-8"), ("gbk", "gbk"), ("gb2312", "gb2312"), ("gb18030", "gb18030")],
)
def test_every_canonical_value_is_read(
    tmp_path: Path, active: str, requests: str, style: str, encoding: str, declared: str
) -> None:
    expected = make_report(active, requests, seed=len(style) + len(encoding))
    page = html_bytes(expected, encoding, style=style, declared=declared)
    report = extract(write(tmp_path, "report.html", page))
    assert_canonical(report, expected)
    assert report.status.value == "success"
    assert not [w for w in report.warnings if "encoding" in w.code]


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("utf-8", "gb2312"), ("gbk", "utf-8"), ("gbk", "iso-8859-1")],
)
def test_a_lying_meta_charset_loses_to_the_bytes(
    tmp_path: Path, encoding: str, declared: str
) -> None:
    expected = make_report("2021", "2021")
    page = html_bytes(expected, encoding, declared=declared)
    report = extract(write(tmp_path, "report.html", page))
    assert_canonical(report, expected)
    mismatch = [w for w in report.warnings if w.code == "declared_encoding_mismatch"]
    assert len(mismatch) == 1
    assert declared in mismatch[0].message


def test_a_blank_cell_stays_null_at_its_column(tmp_path: Path) -> None:
    expected = make_report("2019", "2019")
    row = expected.requests["withheld.state_secret"]
    blank = next(c for c, v in row.items() if v == 0 and c != "total")
    row[blank] = None
    report = extract(
        write(tmp_path, "r.html", html_bytes(expected, "utf-8", style="word"))
    )
    assert report.requests["withheld.state_secret"] == row


def test_merged_cells_are_one_cell_on_the_grid(tmp_path: Path) -> None:
    expected = make_report("2019", "2021")
    document = read_document(write(tmp_path, "r.html", html_bytes(expected, "utf-8")))
    table = table_with(document, "三、本年度办理结果")
    assert (table.n_rows, table.n_cols) == (len(requests_rows(expected)), 10)
    by_text = {c.text: c for c in table.cells}
    group = by_text["三、本年度办理结果"]
    assert (group.row, group.col, group.row_span, group.col_span) == (5, 0, 22, 1)
    note = next(c for c in table.cells if c.text.startswith("（本列数据"))
    assert (note.row, note.col, note.row_span, note.col_span) == (0, 0, 3, 3)
    withheld = by_text["（三）不予公开"]
    assert (withheld.row, withheld.col, withheld.row_span) == (7, 1, 8)
    # A row under both row-spanning groups: its label at col 2, figures at cols 3..9.
    row = table.row_cells(8)
    assert [c.col for c in row] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert row[2].text == "2.其他法律行政法规禁止公开"
    values = expected.requests["withheld.prohibited_by_law"]
    assert [c.text for c in row[3:]] == [str(v) for v in values.values()]
    # Every grid slot is covered exactly once.
    slots = [
        (r, c)
        for cell in table.cells
        for r in range(cell.row, cell.row + cell.row_span)
        for c in range(cell.col, cell.col + cell.col_span)
    ]
    assert len(slots) == len(set(slots)) == table.n_rows * table.n_cols


def test_word_export_cells_have_clean_text(tmp_path: Path) -> None:
    expected = make_report("2019", "2019")
    page = html_bytes(expected, "gbk", style="word", declared="gb2312")
    document = read_document(write(tmp_path, "r.htm", page))
    table = table_with(
        document, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    )
    assert table.n_rows == len(requests_rows(expected))  # the width row is dropped
    texts = [c.text for c in table.cells]
    assert not [t for t in texts if t != t.strip() or "\xa0" in t or "\n" in t]
    assert document.blocks[0].text == expected.title
    assert document.blocks[0].bold is True
    heading = next(b for b in document.blocks if b.text == "一、总体情况")
    assert heading.bold is True  # <b style='mso-bidi-font-weight:normal'> is bold
    assert not [b for b in document.blocks if "mso" in b.text or "Print" in b.text]


def test_blocks_and_tables_interleave_in_document_order(tmp_path: Path) -> None:
    expected = make_report("2021", "2021")
    document = read_document(write(tmp_path, "r.html", html_bytes(expected, "utf-8")))
    sequence = [
        "TABLE" if isinstance(item, Table) else item.text for item in document.items()
    ]
    for heading, _ in expected.level1[1:4]:
        assert sequence[sequence.index(heading) + 1] == "TABLE"
    assert [i.order for i in document.items()] == list(range(len(sequence)))
    levels = {b.text: b.heading_level for b in document.blocks}
    assert levels[expected.title] == 1
    assert levels["二、主动公开政府信息情况"] == 2
    strong = next(b for b in document.blocks if b.text == "（一）主动公开情况")
    assert (strong.bold, strong.heading_level) == (True, None)
    assert all(b.page is None for b in document.blocks)
    assert all(c.page is None for t in document.tables for c in t.cells)


def test_site_chrome_goes_and_layout_text_stays(tmp_path: Path) -> None:
    expected = make_report("2019", "2019")
    page = html_bytes(expected, "utf-8", style="portal")
    document = read_document(write(tmp_path, "r.html", page))
    text = document.text
    for chrome in [
        "网站首页",
        "互动交流",
        "当前位置",
        "信息公开指南",
        "分享到",
        "版权所有",
    ]:
        assert chrome not in text
    assert "统计代码" not in text and "首页导航" not in text
    assert "发布日期：2023-01-20 来源：政府办公室" in text
    assert len(document.tables) == 3  # the layout table is not one of them


def test_nested_layout_tables_keep_the_innermost(tmp_path: Path) -> None:
    page = (
        "<html><body><table><tr><td>外层说明文字<table><tr><td>"
        "<table border=1><tr><td>行政许可</td><td>5</td></tr>"
        "<tr><td>行政处罚</td><td>7</td></tr></table>"
        "</td></tr></table>页脚前的正文</td></tr></table></body></html>"
    ).encode()
    document = read_document(write(tmp_path, "nested.html", page))
    assert [t.grid() for t in document.tables] == [
        [["行政许可", "5"], ["行政处罚", "7"]]
    ]
    assert [b.text for b in document.blocks] == ["外层说明文字", "页脚前的正文"]
    assert (
        document.blocks[0].order < document.tables[0].order < document.blocks[1].order
    )


def test_ragged_rows_and_bad_spans_still_make_a_grid(tmp_path: Path) -> None:
    page = (
        "<table><tr><td rowspan=9>甲</td><td colspan='2x'>乙</td><td>丙</td></tr>"
        "<tr><td>1</td></tr><tr><td colspan=0>2</td><td rowspan=0>3</td></tr></table>"
    ).encode()
    table = read_document(write(tmp_path, "bad.html", page)).tables[0]
    assert table.grid() == [
        ["甲", "乙", "乙", "丙"],
        ["甲", "1", "", ""],
        ["甲", "2", "3", ""],
    ]
    assert table.row_cells(1)[2].text == ""


def test_html_under_a_pdf_name_is_read_as_html(tmp_path: Path) -> None:
    expected = make_report("2019", "2019")
    report = extract(write(tmp_path, "report.pdf", html_bytes(expected, "gbk")))
    assert report.source.format.value == "html"
    assert_canonical(report, expected)


def test_a_page_without_report_tables_is_processed_with_a_warning(
    tmp_path: Path,
) -> None:
    page = "<html><body><h1>关于举办读书活动的通知</h1><p>各单位：请按时参加。</p></body></html>"
    report = extract(write(tmp_path, "notice.html", page.encode("gbk")))
    codes = {w.code for w in report.warnings}
    assert {"not_a_report", "no_tables"} <= codes
    assert report.requests == {} and report.tables == []


def test_a_page_in_a_wrong_declared_encoding_warns(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="big5"></head><body><p>政府信息公开工作年度报告</p>'
    )
    path = write(tmp_path, "wrong.html", page.encode("gbk"))
    document = read_document(path)
    assert [b.text for b in document.blocks] == ["政府信息公开工作年度报告"]
    report = extract(path)
    assert "declared_encoding_mismatch" in {w.code for w in report.warnings}


def test_empty_inputs_fail_clearly_or_warn(tmp_path: Path) -> None:
    with pytest.raises(DocumentLoadError) as caught:
        extract(write(tmp_path, "empty.html", b""))
    assert caught.value.code is ErrorCode.EMPTY
    for markup in [b"<html></html>", b"<html><body><script>x=1</script></body></html>"]:
        document = read_document(write(tmp_path, "blank.html", markup))
        assert document.blocks == [] and document.tables == []
        assert {w.code for w in document.warnings} >= {"no_text", "no_tables"}


def test_undecodable_bytes_never_crash(tmp_path: Path) -> None:
    page = b"<html><body><p>" + bytes(range(0x80, 0x100)) * 20 + b"</p></body></html>"
    try:
        document = read_document(write(tmp_path, "noise.html", page))
    except DocumentLoadError as exc:
        assert exc.code is ErrorCode.WRONG_ENCODING
    else:
        assert document.source.format.value == "html"
