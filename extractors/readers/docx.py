"""Word (.docx) reports, read from the document XML.

python-docx opens the package and its styles; the body is walked as XML so paragraphs
and tables keep their order, and merged cells (``w:gridSpan`` across, ``w:vMerge`` down)
become one cell with spans, which python-docx's ``row.cells`` would repeat instead.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass

import docx
from docx.opc.exceptions import OpcError
from lxml import etree

from extractors.document import (
    Document,
    InputFormat,
    ReaderWarning,
    Table,
    TableCell,
    TextBlock,
)
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.grid import normalize_text
from extractors.readers.ole import OLE_MAGIC, refuse_ole

_log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_VAL = f"{_W}val"
# Containers that only wrap body content (content controls, custom XML, tracked moves).
_WRAPPERS = frozenset(
    {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo"}
)
_HEADING_NAME = re.compile(r"^(heading|标题)\s*([1-9])$", re.IGNORECASE)
# w:outlineLvl 9 means body text; 0–8 are outline levels 1–9.
_BODY_OUTLINE = 9
_FALSE_VALUES = frozenset({"0", "false", "off", "none"})
# Key of the default paragraph style (no styleId can hold spaces).
_DEFAULT_STYLE = " default"


@dataclass(frozen=True)
class _Style:
    bold: bool | None
    heading: int | None
    based_on: str | None


class DocxReader(Reader):
    """Reads a .docx: paragraphs as text blocks, tables as grids, in body order."""

    formats = (InputFormat.DOCX,)

    def read(self) -> Document:
        """Open the package and walk its body.

        Returns:
            The document's paragraphs and tables in body order.

        Raises:
            DocumentLoadError: ``encrypted`` for a password-protected file, ``corrupt``
                for a package or XML that cannot be opened.
        """
        if self.data.startswith(OLE_MAGIC):
            # A password-protected .docx is an OLE container, not a ZIP package.
            refuse_ole(self.data)
            raise DocumentLoadError(
                ErrorCode.CORRUPT, "an old binary Word file, not a .docx package"
            )
        try:
            package = docx.Document(io.BytesIO(self.data))
        except (OpcError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"cannot open the Word package: {exc}"
            ) from exc
        styles = _read_styles(package.styles.element)
        walker = _BodyWalker(styles)
        walker.walk(package.element.body)
        document = Document(source=self.source)
        document.blocks = [i for i in walker.items if isinstance(i, TextBlock)]
        document.tables = [i for i in walker.items if isinstance(i, Table)]
        if not walker.items:
            document.warnings.append(
                ReaderWarning(code="no_text", message="the document has no text")
            )
        elif not document.tables:
            document.warnings.append(
                ReaderWarning(code="no_tables", message="the document has no table")
            )
        return document


class _BodyWalker:
    """Emits blocks and tables of a body (or of a layout table's cells) in order."""

    def __init__(self, styles: dict[str, _Style]) -> None:
        self.styles = styles
        self.items: list[TextBlock | Table] = []

    def walk(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag in _WRAPPERS:
                self.walk(child)

    def paragraph(self, p: etree._Element) -> None:
        text = normalize_text(paragraph_text(p))
        if not text:
            return
        style_id = _style_id(p, "pPr", "pStyle")
        self.items.append(
            TextBlock(
                text=text,
                order=len(self.items),
                bold=self.all_runs_bold(p, style_id),
                heading_level=self.heading_level(p, style_id),
            )
        )

    def heading_level(self, p: etree._Element, style_id: str | None) -> int | None:
        outline = p.find(f"{_W}pPr/{_W}outlineLvl")
        if outline is not None:
            level = _int(outline.get(_VAL))
            return level + 1 if level is not None and level < _BODY_OUTLINE else None
        return next((s.heading for s in self.chain(style_id) if s.heading), None)

    def all_runs_bold(self, p: etree._Element, style_id: str | None) -> bool:
        paragraph_bold = self.style_bold(style_id) or False
        inked = [r for r in _runs(p) if _run_text(r).strip()]
        if not inked:
            return False
        for run in inked:
            bold = _toggle(run.find(f"{_W}rPr/{_W}b"))
            run_style = _style_id(run, "rPr", "rStyle")
            if bold is None and run_style is not None:
                bold = self.style_bold(run_style)
            if not (paragraph_bold if bold is None else bold):
                return False
        return True

    def style_bold(self, style_id: str | None) -> bool | None:
        return next((s.bold for s in self.chain(style_id) if s.bold is not None), None)

    def chain(self, style_id: str | None) -> list[_Style]:
        """The style and those it is based on, nearest first (cycles cut)."""
        found: list[_Style] = []
        seen: set[str] = set()
        current = style_id if style_id is not None else _DEFAULT_STYLE
        while current and current not in seen and current in self.styles:
            seen.add(current)
            found.append(self.styles[current])
            current = self.styles[current].based_on or ""
        return found

    def table(self, tbl: etree._Element) -> None:
        if tbl.find(f".//{_TBL}") is not None:
            # A layout table around the real ones: its cells are page regions.
            for tc in tbl.iter(_TC):
                if _nearest_table(tc) is tbl:
                    self.walk(tc)
            return
        cells, n_rows, n_cols = table_to_cells(tbl)
        if not cells:
            return
        self.items.append(
            Table(
                order=len(self.items),
                n_rows=n_rows,
                n_cols=n_cols,
                cells=cells,
                engine="docx",
            )
        )


def table_to_cells(tbl: etree._Element) -> tuple[list[TableCell], int, int]:
    """Cells of a Word table with merges as spans; return cells, rows, columns.

    ``w:gridSpan`` widens a cell; a ``w:vMerge`` cell without ``restart`` continues the
    cell above in the same grid column, which grows by one row. ``w:gridBefore`` skips
    grid columns at the start of a row. Uncovered grid slots get empty cells.
    """
    cells: list[TableCell] = []
    # Grid column -> index in ``cells`` of the cell whose bottom row is the last row.
    open_cells: dict[int, int] = {}
    rows = [tr for tr in _children(tbl) if tr.tag == _TR]
    covered: set[tuple[int, int]] = set()
    n_cols = 0
    for r, tr in enumerate(rows):
        col = _int(_prop(tr, "trPr", "gridBefore")) or 0
        header = tr.find(f"{_W}trPr/{_W}tblHeader") is not None
        still_open: dict[int, int] = {}
        for tc in (c for c in _children(tr) if c.tag == _TC):
            span = max(_int(_prop(tc, "tcPr", "gridSpan")) or 1, 1)
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            above = open_cells.get(col)
            if merge is not None and merge.get(_VAL) != "restart" and above is not None:
                cell = cells[above]
                cells[above] = cell.model_copy(update={"row_span": cell.row_span + 1})
                still_open[col] = above
            elif (
                _prop(tc, "tcPr", "hMerge") == "continue"
                and cells
                and cells[-1].row == r
            ):
                # Legacy horizontal merge: this cell widens the one to its left.
                last = cells[-1]
                cells[-1] = last.model_copy(update={"col_span": last.col_span + span})
                still_open[last.col] = len(cells) - 1
            else:
                cells.append(
                    TableCell(
                        row=r,
                        col=col,
                        col_span=span,
                        text=normalize_text(_cell_text(tc)),
                        header=header,
                    )
                )
                still_open[col] = len(cells) - 1
            for c in range(col, col + span):
                covered.add((r, c))
            col += span
        n_cols = max(n_cols, col)
        open_cells = still_open
    holes = [
        TableCell(row=r, col=c)
        for r in range(len(rows))
        for c in range(n_cols)
        if (r, c) not in covered
    ]
    placed = sorted([*cells, *holes], key=lambda cell: (cell.row, cell.col))
    return placed, len(rows), n_cols


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a paragraph: runs, tabs and breaks, not deleted text."""
    parts: list[str] = []
    for run in _runs(p):
        parts.append(_run_text(run))
    return "".join(parts)


def _runs(p: etree._Element) -> list[etree._Element]:
    # Runs sit in hyperlinks, insertions, fields and content controls too; mc:Fallback
    # repeats a text box's runs for old readers and would double them.
    return [
        r
        for r in p.iter(f"{_W}r")
        if not any(a.tag == _MC_FALLBACK for a in r.iterancestors())
        and _nearest_paragraph(r) is p
    ]


def _run_text(run: etree._Element) -> str:
    parts: list[str] = []
    for el in run:
        tag = el.tag
        if tag == f"{_W}t" and el.text:
            parts.append(el.text)
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    lines = [paragraph_text(p) for p in tc.iter(_P)]
    return "\n".join(line for line in lines if line.strip())


def _children(el: etree._Element) -> list[etree._Element]:
    """Direct children, looking through content-control and custom-XML wrappers."""
    out: list[etree._Element] = []
    for child in el:
        if child.tag in _WRAPPERS:
            out.extend(_children(child))
        else:
            out.append(child)
    return out


def _nearest_table(el: etree._Element) -> etree._Element | None:
    return next((a for a in el.iterancestors(_TBL)), None)


def _nearest_paragraph(el: etree._Element) -> etree._Element | None:
    return next((a for a in el.iterancestors(_P)), None)


def _prop(el: etree._Element, props: str, name: str) -> str | None:
    found = el.find(f"{_W}{props}/{_W}{name}")
    if found is None:
        return None
    value = found.get(_VAL)
    return "continue" if value is None and name == "hMerge" else value


def _style_id(el: etree._Element, props: str, name: str) -> str | None:
    found = el.find(f"{_W}{props}/{_W}{name}")
    return None if found is None else found.get(_VAL)


def _toggle(el: etree._Element | None) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``) as True/False/unset."""
    if el is None:
        return None
    return (el.get(_VAL) or "true").lower() not in _FALSE_VALUES


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _read_styles(styles: etree._Element) -> dict[str, _Style]:
    """Bold and heading level per style id; the default paragraph style as well."""
    found: dict[str, _Style] = {}
    for style in styles.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId")
        if not style_id:
            continue
        name_el = style.find(f"{_W}name")
        name = (name_el.get(_VAL) or "") if name_el is not None else ""
        heading: int | None = None
        named = _HEADING_NAME.match(name.strip())
        outline = _int(_prop(style, "pPr", "outlineLvl"))
        if named:
            heading = int(named.group(2))
        elif outline is not None and outline < _BODY_OUTLINE:
            heading = outline + 1
        based = style.find(f"{_W}basedOn")
        entry = _Style(
            bold=_toggle(style.find(f"{_W}rPr/{_W}b")),
            heading=heading,
            based_on=None if based is None else based.get(_VAL),
        )
        found[style_id] = entry
        if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in (
            "1",
            "true",
        ):
            found[_DEFAULT_STYLE] = entry
    return found
