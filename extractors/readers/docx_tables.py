"""Word tables and paragraph text, read from the document XML.

A merged cell becomes one :class:`TableCell` with spans: ``w:gridSpan`` widens a cell,
``w:vMerge`` continues the cell above (python-docx's ``row.cells`` would repeat it).
"""

from __future__ import annotations

from lxml import etree

from extractors.document import TableCell
from extractors.readers.grid import normalize_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
P, TBL, TR, TC = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc"
VAL = f"{W}val"
_TXBX = f"{W}txbxContent"
# Containers that only wrap body content (content controls, custom XML, tracked moves).
WRAPPERS = frozenset(
    {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}moveTo"}
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
    rows = [tr for tr in children(tbl) if tr.tag == TR]
    covered: set[tuple[int, int]] = set()
    n_cols = 0
    for r, tr in enumerate(rows):
        col = to_int(prop(tr, "trPr", "gridBefore")) or 0
        header = tr.find(f"{W}trPr/{W}tblHeader") is not None
        still_open: dict[int, int] = {}
        for tc in (c for c in children(tr) if c.tag == TC):
            span = max(to_int(prop(tc, "tcPr", "gridSpan")) or 1, 1)
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            above = open_cells.get(col)
            if merge is not None and merge.get(VAL) != "restart" and above is not None:
                cell = cells[above]
                cells[above] = cell.model_copy(update={"row_span": cell.row_span + 1})
                still_open[col] = above
            elif (
                prop(tc, "tcPr", "hMerge") == "continue"
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
    for run in runs(p):
        parts.append(run_text(run))
    return "".join(parts)


def runs(p: etree._Element) -> list[etree._Element]:
    """The runs of a paragraph, not those of text boxes or fallback copies."""
    # Runs sit in hyperlinks, insertions, fields and content controls too; mc:Fallback
    # repeats a text box's runs for old readers and would double them.
    return [
        r
        for r in p.iter(f"{W}r")
        if not any(a.tag == _MC_FALLBACK for a in r.iterancestors())
        and _nearest_paragraph(r) is p
    ]


def text_boxes(p: etree._Element) -> list[etree._Element]:
    """Contents (``w:txbxContent``) of the text boxes anchored in a paragraph."""
    return [
        box
        for box in p.iter(_TXBX)
        if not any(a.tag in (_MC_FALLBACK, _TXBX) for a in box.iterancestors())
    ]


def run_text(run: etree._Element) -> str:
    """A run's visible text: ``w:t``, tabs and breaks (``w:delText`` is not read)."""
    parts: list[str] = []
    for el in run:
        tag = el.tag
        if tag == f"{W}t" and el.text:
            parts.append(el.text)
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    lines = [paragraph_text(p) for p in tc.iter(P)]
    return "\n".join(line for line in lines if line.strip())


def children(el: etree._Element) -> list[etree._Element]:
    """Direct children, looking through content-control and custom-XML wrappers."""
    out: list[etree._Element] = []
    for child in el:
        if child.tag in WRAPPERS:
            out.extend(children(child))
        else:
            out.append(child)
    return out


def _nearest_paragraph(el: etree._Element) -> etree._Element | None:
    return next((a for a in el.iterancestors(P)), None)


def prop(el: etree._Element, props: str, name: str) -> str | None:
    """The ``w:val`` of property ``name`` in the element's ``props`` (e.g. tcPr)."""
    found = el.find(f"{W}{props}/{W}{name}")
    if found is None:
        return None
    value = found.get(VAL)
    return "continue" if value is None and name == "hMerge" else value


def to_int(value: str | None) -> int | None:
    """An attribute as an int; None when absent or not a number."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
