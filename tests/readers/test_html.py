"""HtmlReader: encodings, merged cells, Word exports, layout tables, site chrome."""

from __future__ import annotations

import base64
import quopri
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from conftest import source_info
from expect import assert_canonical, assert_tiled
from hypothesis import given, settings
from hypothesis import strategies as st
from markup_factory import html_bytes, outline, requests_rows, to_html
from report_factory import MadeUpReport, assert_values, make_report
from scan_factory import table_pictures

from extractors.document import Document, InputFormat, Table
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.readers.html import HtmlReader
from extractors.sniff import sniff_format

TEMPLATES = [("2019", "2019"), ("2021", "2021"), ("2019", "2021")]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


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
    assert_tiled(table)


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


def test_hidden_elements_and_wrapped_lines(tmp_path: Path) -> None:
    page = (
        "<html><head><title>某县2023年政府信息公开工作年度报告_某县人民政府</title></head>"
        "<body><div style='DISPLAY: none'>隐藏的导航</div>"
        "<p>本年新收政府信息\n    公开申请<span hidden>隐藏</span>数量</p>"
        "<table><tr><td><p>本年新收</p><p>申请数量</p></td>"
        "<td>1<br>2</td><td><span style='visibility:hidden'>x</span>3</td></tr>"
        "</table></body></html>"
    ).encode("gbk")
    document = read_document(write(tmp_path, "hidden.html", page))
    texts = [b.text for b in document.blocks]
    # No <h1> carries the title, so the <title> becomes the first block.
    assert texts == [
        "某县2023年政府信息公开工作年度报告_某县人民政府",
        "本年新收政府信息公开申请数量",
    ]
    assert document.tables[0].grid() == [["本年新收申请数量", "1 2", "3"]]


@pytest.mark.parametrize("name", ["report.mht", "report.doc"])
def test_a_single_file_web_archive_is_read(tmp_path: Path, name: str) -> None:
    expected = make_report("2019", "2019", seed=9)
    archive = MIMEMultipart("related")
    page = MIMEText("", "html", "gb2312")
    page.replace_header("Content-Transfer-Encoding", "quoted-printable")
    markup = to_html(expected, style="word", charset="gb2312").encode("gb2312")
    page.set_payload(quopri.encodestring(markup).decode("ascii"))
    archive.attach(page)
    # Sites serve Word's web archives under .doc names too.
    path = write(tmp_path, name, archive.as_bytes())
    assert sniff_format(path.read_bytes(), path.name).value == "mht"
    assert_canonical(extract(path), expected)


def test_a_layout_table_without_inner_tables_gives_text(tmp_path: Path) -> None:
    sentence = (
        "本机关认真落实政务公开各项要求，持续推进决策、执行、管理、服务、结果公开。"
    )
    body = "".join(f"<p>第{i}段：{sentence * 4}</p>" for i in range(4))
    page = (
        "<html><body><table><tr><td class='lm'>栏目</td>"
        f"<td><h2>一、总体情况</h2>{body}</td></tr></table>"
        "<table><tr><td>发布日期</td><td>2023-01-20</td></tr></table></body></html>"
    ).encode()
    document = read_document(write(tmp_path, "layout.html", page))
    assert [b.text for b in document.blocks][:2] == ["栏目", "一、总体情况"]
    assert document.blocks[1].heading_level == 2
    assert len(document.blocks) == 6
    assert [t.grid() for t in document.tables] == [[["发布日期", "2023-01-20"]]]


_TOKENS = [
    "<table>", "</table>", "<tr>", "</tr>", "<td rowspan=3>", "<td colspan=2>", "<td>",
    "</td>", "<th rowspan=0>", "<p>", "</p>", "<br>", "<b>", "</b>", "<h2>", "</h2>",
    "<div class='nav'>", "<div>", "</div>", "<script>", "</script>", "<!--", "-->",
    "<o:p>", "&nbsp;", "　", "\n", "行政许可", "123", "增5", "<meta charset='gbk'>",
    "<tbody>", "<caption>", "<span style='display:none'>", "</span>", "<![if x]>",
]  # fmt: skip


@given(
    st.lists(st.sampled_from(_TOKENS), max_size=60), st.sampled_from(["utf-8", "gbk"])
)
@settings(max_examples=150, deadline=None)
def test_any_markup_reads_without_crashing(tokens: list[str], encoding: str) -> None:
    data = ("<html><body>" + "".join(tokens)).encode(encoding)
    source = source_info(InputFormat.HTML, "x.html", len(data))
    document = HtmlReader(data, source, ReaderOptions()).read()
    for table in document.tables:
        assert_tiled(table)
    assert [i.order for i in document.items()] == list(range(len(document.items())))


@pytest.mark.parametrize("declared", ["gb2312", "gbk", "gb18030"])
def test_gb18030_only_characters_under_a_gb2312_meta(
    tmp_path: Path, declared: str
) -> None:
    # 𠮷 (U+20BB7) and 䶮 (U+4DAE) exist only in GB18030 (four-byte sequences);
    # pages declaring gb2312 carry them in names all the same.
    text = "𠮷祥街道䶮家村政府信息公开工作年度报告"
    page = f'<html><head><meta charset="{declared}"></head><body><p>{text}</p>'
    document = read_document(write(tmp_path, "r.html", page.encode("gb18030")))
    assert [b.text for b in document.blocks] == [text]
    assert document.warnings == [w for w in document.warnings if w.code == "no_tables"]


def _page_with_pictures(made: MadeUpReport, sources: list[str]) -> bytes:
    """The plain page with each table replaced by an ``<img>`` of the given source."""
    parts, pictures = [], iter(sources)
    for kind, level, text, rows in outline(made):
        if rows is not None:
            parts.append(f'<p><img src="{next(pictures)}" width="600"></p>')
        elif kind == "title":
            parts.append(f"<h1>{text}</h1>")
        elif kind == "heading" and level == 1:
            parts.append(f"<h2>{text}</h2>")
        else:
            parts.append(f"<p>{text}</p>")
    body = "".join(parts)
    return (
        f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
    )


def test_tables_as_pictures_inline_and_linked_are_read_by_ocr(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=41)
    first, second, third = table_pictures(made, tmp_path)
    folder = tmp_path / "report_files"
    folder.mkdir()
    (folder / "t2.png").write_bytes(second)
    (folder / "表 3.png").write_bytes(third)
    inline = "data:image/png;base64," + base64.b64encode(first).decode()
    sources = [inline, "report_files/t2.png", "report_files/%E8%A1%A8%203.png"]
    path = write(tmp_path, "report.html", _page_with_pictures(made, sources))
    document = read_document(path)
    assert document.source.ocr
    notes = [w.message for w in document.warnings if w.code == "ocr_image"]
    assert len(notes) == 3 and "data-uri" in notes[0]
    assert not [w for w in document.warnings if w.code == "no_tables"]
    report = extract(path)
    assert_values(report, made)
    assert not [w for w in report.warnings if w.code == "table_not_found"]


def test_pictures_outside_the_page_folder_or_remote_are_not_read(
    tmp_path: Path,
) -> None:
    made = make_report("2019", "2019", seed=42)
    pictures = table_pictures(made, tmp_path)
    page_folder = tmp_path / "site"
    page_folder.mkdir()
    (tmp_path / "secret.png").write_bytes(pictures[0])
    sources = ["../secret.png", "http://example.invalid/t.png", "missing.png"]
    path = write(page_folder, "report.html", _page_with_pictures(made, sources))
    document = read_document(path)
    assert not document.tables and not document.source.ocr
    assert [w.code for w in document.warnings] == ["no_tables"]
