"""HTML tables: a table's own rows and cells, cell text, and layout versus data.

A table with tables inside, a single cell, headings or page-long text in its cells is
page layout: its cells are regions of the page, read as text. Any other table is data.
"""

from __future__ import annotations

from lxml import etree

from extractors.readers.grid import (
    MAX_ROW_SPAN,
    RawCell,
    is_page_text,
    normalize_text,
    parse_span,
    trim_empty_rows,
)

# Elements that start a new line inside a table cell.
_LINE_TAGS = (
    "p", "div", "br", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "blockquote", "center", "section", "article", "address", "ul", "ol", "dl",
)  # fmt: skip
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def read_table_rows(table: etree._Element) -> list[list[RawCell]] | None:
    """The cells of a data table, row by row; None when the table is page layout.

    Args:
        table: a ``<table>`` element (its line-break elements are marked in place).
    """
    if table.find(".//table") is not None:
        return None
    _mark_cell_lines(table)
    rows = trim_empty_rows([_raw_cells(tr) for tr in own_rows(table)])
    if sum(len(r) for r in rows) <= 1 or _holds_page_text(table, rows):
        return None
    return rows


def _holds_page_text(table: etree._Element, rows: list[list[RawCell]]) -> bool:
    """Whether a table without inner tables is page layout: headings or long text."""
    if is_page_text(c.text for row in rows for c in row):
        return True
    return next(table.iter(*_HEADING_TAGS), None) is not None


def own_rows(table: etree._Element) -> list[etree._Element]:
    """The table's rows, not those of tables nested in its cells."""
    rows: list[etree._Element] = table.xpath(
        "./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"
    )
    return rows


def own_cells(tr: etree._Element) -> list[etree._Element]:
    """The row's ``<td>``/``<th>`` cells."""
    return [c for c in tr if _tag(c) in ("td", "th")]


def _raw_cells(tr: etree._Element) -> list[RawCell]:
    parent = tr.getparent()
    in_head = parent is not None and _tag(parent) == "thead"
    return [
        RawCell(
            text=_cell_text(td),
            row_span=parse_span(td.get("rowspan"), limit=MAX_ROW_SPAN),
            col_span=max(parse_span(td.get("colspan")), 1),
            header=in_head or _tag(td) == "th",
        )
        for td in own_cells(tr)
    ]


def _cell_text(td: etree._Element) -> str:
    # lxml's text serializer reads a cell ~7x faster than itertext (bench/html_bench.py);
    # line breaks inside cells were marked by _mark_cell_lines beforehand.
    return normalize_text(
        etree.tostring(td, method="text", encoding="unicode", with_tail=False)
    )


def _mark_cell_lines(table: etree._Element) -> None:
    """Put a line break around each paragraph, <div> and <br> inside the cells.

    Word puts one ``<p>`` per line in a cell (a label wrapped over two lines becomes
    two paragraphs); normalize_text later joins lines between Chinese characters.
    """
    for el in table.iter(*_LINE_TAGS):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None
