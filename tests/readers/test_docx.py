"""DocxReader: merges, styles, numbering, body order, protected and broken files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm
from expect import assert_canonical, assert_tiled, canonical
from markup_factory import html_bytes, outline, requests_rows, to_docx
from msoffcrypto.format.ooxml import OOXMLFile
from report_factory import assert_values, make_report, to_text
from scan_factory import table_pictures

from extractors.document import Table
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.readers.docx_numbering import format_number

ALT_CHUNK_RELATIONSHIP = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"
)
TEMPLATES = [("2019", "2019"), ("2021", "2021"), ("2019", "2021")]


@pytest.mark.parametrize(("active", "requests"), TEMPLATES)
def test_every_canonical_value_is_read(
    tmp_path: Path, active: str, requests: str
) -> None:
    expected = make_report(active, requests, seed=3)
    report = extract(to_docx(expected, tmp_path / "report.docx"))
    assert_canonical(report, expected)


def test_text_html_and_docx_give_the_same_report(tmp_path: Path) -> None:
    expected = make_report("2019", "2021", seed=11)
    text = tmp_path / "report.txt"
    text.write_text(to_text(expected), encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_bytes(html_bytes(expected, "gbk", style="word", declared="gb2312"))
    reports = [
        extract(text),
        extract(page),
        extract(to_docx(expected, tmp_path / "r.docx")),
    ]
    assert [r.source.format.value for r in reports] == ["text", "html", "docx"]
    first = canonical(reports[0])
    assert first[:3] == (
        expected.active_disclosure,
        expected.requests,
        expected.review_litigation,
    )
    for report in reports[1:]:
        assert canonical(report) == first
    categories = [[(s.level, s.category) for s in r.sections] for r in reports]
    assert categories[0] == categories[1] == categories[2]
    assert {c for _, c in expected.level1 + expected.level2} == {
        c for _, c in categories[0]
    }


def test_merges_become_one_cell_with_spans(tmp_path: Path) -> None:
    expected = make_report("2019", "2021")
    document = read_document(to_docx(expected, tmp_path / "r.docx"))
    table = next(t for t in document.tables if t.n_cols == 10)
    assert table.n_rows == len(requests_rows(expected))
    spans = {c.text: (c.row, c.col, c.row_span, c.col_span) for c in table.cells}
    assert spans["三、本年度办理结果"] == (5, 0, 22, 1)  # vMerge
    assert spans["申请人情况"] == (0, 3, 1, 7)  # gridSpan
    assert spans["法人或其他组织"] == (1, 4, 1, 5)
    assert spans["（三）不予公开"] == (7, 1, 8, 1)
    assert spans["（七）总计"] == (26, 1, 1, 2)
    note = next(c for c in table.cells if c.text.startswith("（本列数据"))
    assert (note.row, note.col, note.row_span, note.col_span) == (0, 0, 3, 3)
    assert_tiled(table)
    review = next(t for t in document.tables if t.n_cols == 15)
    assert [c.text for c in review.row_cells(3)] == [
        str(expected.review_litigation[g][f])
        for g in ("review", "litigation_direct", "litigation_after_review")
        for f in ("maintained", "corrected", "other", "pending", "total")
    ]


def test_styles_order_and_bold(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("一、总体情况", level=1)
    word.add_paragraph().add_run("（一）主动公开情况").bold = True
    mixed = word.add_paragraph()
    mixed.add_run("部分").bold = True
    mixed.add_run("加粗")
    word.add_table(rows=1, cols=2).cell(0, 0).text = "行政许可"
    word.add_heading("二、主动公开政府信息情况", level=2)
    path = tmp_path / "styles.docx"
    word.save(str(path))
    document = read_document(path)
    items = document.items()
    assert [type(i).__name__ for i in items] == ["TextBlock"] * 3 + [
        "Table",
        "TextBlock",
    ]
    first, second, third, table, last = items
    assert isinstance(table, Table) and table.grid() == [["行政许可", ""]]
    assert [b.heading_level for b in document.blocks] == [1, None, None, 2]
    assert [b.bold for b in document.blocks] == [True, True, False, True]
    assert first.order < second.order < third.order < table.order < last.order
    assert all(b.page is None for b in document.blocks)


def test_a_password_protected_docx_is_refused(tmp_path: Path) -> None:
    plain = to_docx(make_report(), tmp_path / "plain.docx")
    locked = tmp_path / "locked.docx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(DocumentLoadError) as caught:
        extract(locked)
    assert caught.value.code is ErrorCode.ENCRYPTED


def test_a_broken_docx_is_corrupt(tmp_path: Path) -> None:
    good = to_docx(make_report(), tmp_path / "good.docx").read_bytes()
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(broken, "w") as out,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    path = tmp_path / "broken.docx"
    path.write_bytes(broken.getvalue())
    with pytest.raises(DocumentLoadError) as caught:
        extract(path)
    assert caught.value.code is ErrorCode.CORRUPT
    path.write_bytes(good[: len(good) // 3])
    with pytest.raises(DocumentLoadError) as caught:
        extract(path)
    assert caught.value.code is ErrorCode.CORRUPT


def test_an_empty_docx_warns(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    report = extract(path)
    assert {"no_text", "not_a_report"} <= {w.code for w in report.warnings}


def test_list_numbered_headings_keep_their_numbers(tmp_path: Path) -> None:
    expected = make_report("2021", "2021", seed=5)
    typed = extract(to_docx(expected, tmp_path / "typed.docx"))
    numbered_path = to_docx(expected, tmp_path / "numbered.docx", numbered=True)
    numbered = extract(numbered_path)
    headings = [b.text for b in read_document(numbered_path).blocks]
    assert "一、总体情况" in headings and "（五）监督保障情况" in headings
    assert "六、其他需要报告的事项" in headings
    assert [(s.level, s.heading, s.category) for s in numbered.sections] == [
        (s.level, s.heading, s.category) for s in typed.sections
    ]
    assert canonical(numbered) == canonical(typed)


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCountingThousand", "十一"),
        (24, "chineseCounting", "二十四"),
        (3, "decimalEnclosedCircle", "③"),
        (2, "ideographTraditional", "乙"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (7, "decimal", "7"),
    ],
)
def test_word_number_formats(n: int, fmt: str, shown: str) -> None:
    assert format_number(n, fmt) == shown


def test_a_web_page_embedded_as_alt_chunk_is_read(tmp_path: Path) -> None:
    expected = make_report("2019", "2019", seed=13)
    word = docx.Document()
    word.add_paragraph("本文件由网站导出。")
    page = html_bytes(expected, "utf-8", style="word")
    chunk = Part(PackURI("/word/afchunk1.htm"), "text/html", page, word.part.package)
    rel_id = word.part.relate_to(chunk, ALT_CHUNK_RELATIONSHIP)
    body = word.element.body
    body.insert(
        len(body) - 1, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rel_id}"/>')
    )
    path = tmp_path / "exported.docx"
    word.save(str(path))
    report = extract(path)
    assert_canonical(report, expected)
    assert read_document(path).blocks[0].text == "本文件由网站导出。"


def test_grid_before_legacy_hmerge_and_inherited_heading(tmp_path: Path) -> None:
    word = docx.Document()
    custom = word.styles.add_style("ReportHeading", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = word.styles["Heading 2"]
    word.add_paragraph("（一）主动公开情况", style="ReportHeading")
    table = word.add_table(rows=3, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"{r}{c}"
    first, second, third = (row._tr for row in table.rows)
    # Row 0 starts one grid column in: <w:gridBefore w:val="1"/>, two cells.
    first.remove(first.tc_lst[0])
    first.insert(
        0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>')
    )
    # Row 1: its last cell continues the one to its left (legacy <w:hMerge/>).
    second.tc_lst[2].get_or_add_tcPr().append(parse_xml(f"<w:hMerge {nsdecls('w')}/>"))
    # Row 2: its first cell continues row 1's first cell (<w:vMerge/>), which restarts.
    second.tc_lst[0].get_or_add_tcPr().append(
        parse_xml(f'<w:vMerge {nsdecls("w")} w:val="restart"/>')
    )
    third.tc_lst[0].get_or_add_tcPr().append(parse_xml(f"<w:vMerge {nsdecls('w')}/>"))
    path = tmp_path / "merges.docx"
    word.save(str(path))
    document = read_document(path)
    assert document.blocks[0].heading_level == 2  # through basedOn Heading 2
    grid = document.tables[0]
    assert grid.grid() == [["", "01", "02"], ["10", "11", "11"], ["10", "21", "22"]]
    spans = {c.text: (c.row, c.col, c.row_span, c.col_span) for c in grid.cells}
    assert spans["11"] == (1, 1, 1, 2)
    assert spans["10"] == (1, 0, 2, 1)
    assert spans[""] == (0, 0, 1, 1)


def test_a_title_in_a_text_box_becomes_a_block(tmp_path: Path) -> None:
    word = docx.Document()
    anchor = word.add_paragraph()
    box = (
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        "<v:shape><v:textbox><w:txbxContent>"
        "<w:p><w:r><w:t>某市2023年政府信息公开工作年度报告</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    anchor._p.append(parse_xml(box))
    word.add_paragraph("一、总体情况")
    path = tmp_path / "cover.docx"
    word.save(str(path))
    texts = [b.text for b in read_document(path).blocks]
    assert texts == ["某市2023年政府信息公开工作年度报告", "一、总体情况"]


def test_a_macro_enabled_docm_is_read(tmp_path: Path) -> None:
    expected = make_report("2021", "2021", seed=21)
    plain = to_docx(expected, tmp_path / "r.docx").read_bytes()
    docm = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain)) as source,
        zipfile.ZipFile(docm, "w") as out,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument."
                    b"wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            out.writestr(item, data)
    path = tmp_path / "report.docm"
    path.write_bytes(docm.getvalue())
    assert_canonical(extract(path), expected)


def test_frame_tables_give_text_blocks(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_table(rows=1, cols=1).cell(
        0, 0
    ).text = "某市2023年政府信息公开工作年度报告"
    layout = word.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "栏目"
    layout.cell(0, 1).text = "本机关认真落实政务公开各项要求。" * 30
    path = tmp_path / "frames.docx"
    word.save(str(path))
    document = read_document(path)
    assert document.tables == []
    assert [b.text[:8] for b in document.blocks] == [
        "某市2023年政",
        "栏目",
        "本机关认真落实政",
    ]
    assert [b.order for b in document.blocks] == [0, 1, 2]


def test_tables_pasted_as_pictures_are_read_by_ocr(tmp_path: Path) -> None:
    made = make_report("2019", "2021", seed=43)
    pictures = iter(table_pictures(made, tmp_path))
    document = docx.Document()
    for kind, level, text, rows in outline(made):
        if rows is not None:
            document.add_picture(io.BytesIO(next(pictures)), width=Cm(15.6))
        elif kind == "heading" and level == 1:
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    path = tmp_path / "report.docx"
    document.save(str(path))
    read = read_document(path)
    assert read.source.ocr and len(read.tables) == 3
    assert [w.code for w in read.warnings] == ["ocr_image"] * 3
    report = extract(path)
    assert_values(report, made)
    assert not [w for w in report.warnings if w.code == "table_not_found"]
