"""A made-up report (tests/report_factory.py) rendered as a web page or a Word file.

Tables are printed with the merged cells of the national template: table 2's sub-table
headings across all columns, table 3's group labels spanning rows, table 4's two-level
header over one row of 15 figures. Pages come plain, as Word's "save as web page" export
(``<p><span>`` in cells, mso styles, ``&nbsp;`` padding, ``<o:p>``, wrapped source lines,
a trailing column-width row), or wrapped in a layout table with site chrome.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from report_factory import MEASURE_TEXT, MadeUpReport, narrative
from table_layout import PLAIN, Cell, Layout, Rows, tables
from table_layout import requests_rows as requests_layout_rows

CLOSING = {
    "problems_improvements": "个别单位政策解读质量有待提升，下一步将加强培训。",
    "other_matters": "无。",
}


def requests_rows(report: MadeUpReport, layout: Layout = PLAIN) -> Rows:
    """Table 3 of a report as printed."""
    return requests_layout_rows(report.requests_template, report.requests, layout)


def outline(
    report: MadeUpReport, layout: Layout = PLAIN
) -> list[tuple[str, int, str, Rows | None]]:
    """The body in order: (kind, level, text, table) with kind title/heading/text/table
    (a title in a table is a one-cell table)."""
    body = narrative(report)
    l1 = report.level1
    items: list[tuple[str, int, str, Rows | None]] = []
    for line in report.title_lines():
        if report.title_layout == "table":
            items.append(("table", 0, "", [[Cell(line)]]))
        else:
            items.append(("title", 0, line, None))
    items += [
        ("text", 0, f"本报告由{report.issuer}办公室编制。", None),
        ("heading", 1, l1[0][0], None),
    ]
    for heading, category in report.level2:
        items.append(("heading", 2, heading, None))
        items.append(("text", 0, body.get(category, "有关工作稳步推进。"), None))
    for (heading, _), rows in zip(l1[1:4], tables(report, layout), strict=True):
        items.append(("heading", 1, heading, None))
        items.append(("table", 0, "", rows))
    for heading, category in l1[4:]:
        items.append(("heading", 1, heading, None))
        items.append(("text", 0, CLOSING.get(category, "无。"), None))
        if category == "problems_improvements":
            for sub_heading, _ in report.problems_level2:
                items.append(("heading", 2, sub_heading, None))
                items.append(("text", 0, MEASURE_TEXT, None))
    return items


def to_html(
    report: MadeUpReport,
    *,
    style: str = "plain",
    charset: str = "utf-8",
    layout: Layout = PLAIN,
) -> str:
    """The report as a page; ``style`` is plain, word (Word export) or portal (layout
    table and site chrome around the content); ``layout`` how its tables are printed."""
    word = style == "word"
    parts: list[str] = []
    for kind, level, text, rows in outline(report, layout):
        if rows is not None:
            parts.append(_word_table(rows) if word else _plain_table(rows))
        elif word:
            parts.append(_word_paragraph(kind, level, text))
        elif kind == "title" and report.title_layout == "large":
            parts.append(
                f'<p style="text-align:center;font-size:22pt">{_esc(text)}</p>'
            )
        elif kind == "title":
            parts.append(f"<h1>{_esc(text)}</h1>")
        elif kind == "heading" and level == 1:
            parts.append(f"<h2>{_esc(text)}</h2>")
        elif kind == "heading":
            parts.append(f"<p><strong>{_esc(text)}</strong></p>")
        else:
            parts.append(f"<p>　　{_esc(text)}</p>")
    content = "\n".join(parts)
    if word:
        return _WORD_PAGE.format(charset=charset, body=content)
    if style == "portal":
        content = _PORTAL_CONTENT.format(body=content)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<title>{_esc(report.title)} - {_esc(report.site or report.issuer)}</title>"
        "<style>td{border:1px solid #000}</style><script>var s='首页导航';</script>"
        f"</head><body>{content}</body></html>"
    )


def html_bytes(
    report: MadeUpReport,
    encoding: str,
    *,
    style: str = "plain",
    declared: str = "",
    layout: Layout = PLAIN,
) -> bytes:
    """The page encoded in ``encoding``, declaring ``declared`` (default: the same)."""
    page = to_html(report, style=style, charset=declared or encoding, layout=layout)
    return page.encode(encoding)


def _esc(text: str) -> str:
    # A label wrapped by hand in its cell (Layout.split == "lines").
    return html.escape(text, quote=False).replace("\n", "<br>")


def _spans(cell: Cell) -> str:
    out = f" rowspan={cell.rowspan}" if cell.rowspan > 1 else ""
    return out + (f" colspan={cell.colspan}" if cell.colspan > 1 else "")


def _plain_table(rows: Rows) -> str:
    body = "".join(
        "<tr>" + "".join(f"<td{_spans(c)}>{_esc(c.text)}</td>" for c in row) + "</tr>\n"
        for row in rows
    )
    return f"<table border=1 cellspacing=0>\n<tbody>\n{body}</tbody></table>"


def _word_text(text: str) -> str:
    # Word wraps its HTML source mid-sentence, between Chinese characters; a browser
    # shows no gap there.
    escaped = _esc(text)
    middle = len(escaped) // 2
    for cut in range(middle, len(escaped) - 1):
        if _is_cjk(escaped[cut - 1]) and _is_cjk(escaped[cut]):
            return escaped[:cut] + "\n  " + escaped[cut:]
    return escaped


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _word_table(rows: Rows) -> str:
    out = [
        "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0 "
        "style='border-collapse:collapse;mso-yfti-tbllook:1184;mso-padding-alt:0cm'>"
    ]
    width = sum(c.colspan for c in rows[0])
    for r, row in enumerate(rows):
        out.append(f" <tr style='mso-yfti-irow:{r};height:20.0pt'>")
        for c in row:
            if c.text:
                inner = (
                    f"<span style='font-size:10.5pt;font-family:宋体'>&nbsp;"
                    f"{_word_text(c.text)}&nbsp;<span lang=EN-US><o:p></o:p></span></span>"
                )
            else:
                inner = "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
            out.append(
                f"  <td width=60{_spans(c)} valign=top style='width:45.0pt;border:solid "
                "windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt'>"
                f"\n  <p class=MsoNormal align=center style='text-align:center'>{inner}</p>"
                "\n  </td>"
            )
        out.append(" </tr>")
    out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>")
    out.extend("  <td width=60 style='border:none'></td>" for _ in range(width))
    out.append(" </tr>\n <![endif]>\n</table>")
    return "\n".join(out)


def _word_paragraph(kind: str, level: int, text: str) -> str:
    if kind == "title":
        return (
            "<p class=MsoNormal align=center style='text-align:center'><b><span "
            f"style='font-size:22.0pt;font-family:方正小标宋简体'>{_word_text(text)}"
            "<span lang=EN-US><o:p></o:p></span></span></b></p>"
        )
    if kind == "heading" and level == 1:
        return (
            "<p class=MsoNormal style='text-indent:32.0pt'><b style='mso-bidi-font-weight:"
            f"normal'><span style='font-family:黑体'>{_esc(text)}</span></b></p>"
        )
    font = "楷体_GB2312" if kind == "heading" else "仿宋_GB2312"
    return (
        f"<p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:{font}'>"
        f"{_word_text(text)}<span lang=EN-US><o:p></o:p></span></span></p>"
    )


_WORD_PAGE = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Print</w:View><w:Zoom>100</w:Zoom></w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal {{mso-style-parent:""; margin:0cm; text-align:justify; font-size:10.5pt;}}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
<div class=WordSection1 style='layout-grid:15.6pt'>
{body}
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
</div>
</body>
</html>
"""

_PORTAL_CONTENT = """<div id="header" class="header"><a href="/">网站首页</a></div>
<div class="nav"><ul><li><a href="/zwgk">政务公开</a></li><li>互动交流</li></ul></div>
<div class="position">当前位置：首页 &gt; 政府信息公开年报</div>
<table width="1000" class="layout" cellspacing="0"><tr>
<td class="left-menu" width="200"><ul><li>信息公开指南</li><li>信息公开制度</li></ul></td>
<td class="content" width="800">
<div class="info">发布日期：2023-01-20　来源：政府办公室</div>
{body}
<div class="bdsharebuttonbox">分享到：微信 微博</div>
</td></tr></table>
<div class="footer">版权所有 网站标识码 备案号</div>
<script>document.write('统计代码');</script>"""


def to_docx(
    report: MadeUpReport,
    path: Path,
    *,
    numbered: bool = False,
    layout: Layout = PLAIN,
) -> Path:
    """The report as a .docx: Heading 1 for level 1, bold runs for level 2, tables
    merged with python-docx (gridSpan across, vMerge down).

    With ``numbered``, the headings' 一、 and （一） are Word list numbers
    (numbering.xml, chineseCounting) instead of typed text; ``layout`` says how the
    tables are printed.
    """
    document = docx.Document()
    if numbered:
        _add_chinese_list(document)
    header = report.title if report.title_layout == "header" else report.site
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for kind, level, text, rows in outline(report, layout):
        if rows is not None:
            _docx_table(document, rows)
        elif kind == "title":
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            if report.title_layout == "large":
                run.font.size = Pt(22)
            else:
                run.bold = True
        elif kind == "heading" and numbered:
            words = re.sub(r"^[（(]?[一二三四五六七八九十]+[)）、]", "", text)
            paragraph = document.add_paragraph()
            paragraph.add_run(words).bold = True
            paragraph._p.get_or_add_pPr().append(_num_pr(level - 1))
        elif kind == "heading" and level == 1:
            document.add_heading(text, level=1)
        elif kind == "heading":
            document.add_paragraph().add_run(text).bold = True
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


_LIST_ID = "77"


def _add_chinese_list(document: DocxDocument) -> None:
    numbering = document.part.numbering_part.element
    levels = [("%1、", 0), ("（%2）", 1)]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/>'
        f'<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="{text}"/>'
        '<w:suff w:val="nothing"/></w:lvl>'
        for text, ilvl in levels
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{_LIST_ID}">{lvl_xml}'
        "</w:abstractNum>"
    )
    numbering.insert(0, abstract)  # abstractNum elements precede num elements
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{_LIST_ID}">'
            f'<w:abstractNumId w:val="{_LIST_ID}"/></w:num>'
        )
    )


def _num_pr(ilvl: int) -> BaseOxmlElement:
    return parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/>'
        f'<w:numId w:val="{_LIST_ID}"/></w:numPr>'
    )


def place(rows: Rows) -> list[tuple[int, int, Cell]]:
    """Grid positions of printed cells (the HTML table model), written apart from the
    library's so a shared mistake cannot hide."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken.update(
                (r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)
            )
            c += cell.colspan
    return placed


def _docx_table(document: DocxDocument, rows: Rows) -> None:
    n_cols = sum(c.colspan for c in rows[0])
    table = document.add_table(rows=len(rows), cols=n_cols)
    table.style = "Table Grid"
    for r, c, cell in place(rows):
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(
                table.cell(r + cell.rowspan - 1, c + cell.colspan - 1)
            )
        target.text = cell.text
