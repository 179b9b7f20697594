"""The format-neutral document every reader produces.

Readers (text, HTML, PDF, scans) converge on :class:`Document` before any analysis, so the
outline, template mapping and checks are written once and know nothing of the input format.
Blocks and tables carry an ``order`` index: their position in reading order, which lets the
outline place a table under the heading it follows.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class InputFormat(str, Enum):
    """The kinds of input a reader exists for."""

    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"
    RTF = "rtf"
    WPS = "wps"
    OFD = "ofd"
    MHT = "mht"
    IMAGE = "image"


MEDIA_TYPES: dict[InputFormat, str] = {
    InputFormat.TEXT: "text/plain",
    InputFormat.HTML: "text/html",
    InputFormat.PDF: "application/pdf",
    InputFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    InputFormat.DOC: "application/msword",
    InputFormat.RTF: "application/rtf",
    # WPS Office's own type (its Linux MIME package); .wps is Word 97–2003 inside.
    InputFormat.WPS: "application/wps-office.wps",
    InputFormat.OFD: "application/ofd",
    InputFormat.MHT: "multipart/related",
    InputFormat.IMAGE: "image/*",
}


class BBox(BaseModel):
    """A box on a page in points, origin top-left (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float


class TextBlock(BaseModel):
    """One paragraph or line of running text, in reading order."""

    text: str
    order: int = Field(description="Position in the document's reading order.")
    page: int | None = Field(default=None, description="1-based page number, if paged.")
    bbox: BBox | None = None
    font_size: float | None = None
    bold: bool | None = None
    heading_level: int | None = Field(
        default=None,
        description="Level the reader knows from markup (<h2>, Word style), if any.",
    )


class TableCell(BaseModel):
    """One cell of a table grid; a merged cell appears once with its spans."""

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    header: bool = False
    page: int | None = None
    bbox: BBox | None = None
    confidence: float | None = Field(
        default=None, description="Reading confidence 0..1 (OCR); None when exact."
    )
    alternatives: list[str] = Field(
        default_factory=list,
        description="Other readings of this cell the reader could not rule out "
        "(another split of a flattened digit run); the text is the preferred one.",
    )


class Table(BaseModel):
    """A table as a grid of cells, with the engine that found it."""

    order: int = Field(description="Position in the document's reading order.")
    n_rows: int
    n_cols: int
    cells: list[TableCell]
    page: int | None = Field(default=None, description="First page the table is on.")
    pages: list[int] = Field(default_factory=list)
    engine: str = Field(description="What produced the grid (text, html, pdfplumber…).")
    spans_known: bool = Field(
        default=True,
        description="False when the source lost merged-cell structure (scraped text), "
        "so column positions of header and data rows need not line up.",
    )

    def row_cells(self, row: int) -> list[TableCell]:
        """Distinct cells covering grid row ``row``, left to right."""
        return self.rows_of_cells().get(row, [])

    def rows_of_cells(self) -> dict[int, list[TableCell]]:
        """Every grid row's distinct covering cells, left to right, in one pass."""
        rows: dict[int, list[TableCell]] = {}
        for cell in sorted(self.cells, key=lambda c: c.col):
            for r in range(cell.row, cell.row + cell.row_span):
                rows.setdefault(r, []).append(cell)
        return rows

    def grid(self) -> list[list[str]]:
        """The table as rows of strings, merged cells repeated over their span."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    rows[r][c] = cell.text
        return rows


class SourceInfo(BaseModel):
    """What was read: the file and how."""

    file: str
    sha256: str
    media_type: str
    format: InputFormat
    size_bytes: int
    pages: int | None = None
    ocr: bool = False


class ReaderWarning(BaseModel):
    """Something a reader noticed but could work around."""

    code: str
    message: str
    page: int | None = None


class Document(BaseModel):
    """Everything a reader found in one file, format-neutral."""

    source: SourceInfo
    blocks: list[TextBlock] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[ReaderWarning] = Field(default_factory=list)
    running_text: list[str] = Field(
        default_factory=list,
        description="Text printed around the body, not in it: running headers and "
        "footers of a PDF, a Word section's header, a web page's <title>.",
    )

    def items(self) -> list[TextBlock | Table]:
        """Blocks and tables merged in reading order."""
        merged: list[TextBlock | Table] = [*self.blocks, *self.tables]
        return sorted(merged, key=lambda item: item.order)

    @property
    def text(self) -> str:
        """All running text (not tables), one block per line."""
        return "\n".join(b.text for b in self.blocks)


def cells_from_rows(rows: list[list[str]], page: int | None = None) -> list[TableCell]:
    """Cells for a span-less grid given as rows of strings (ragged rows allowed)."""
    return [
        TableCell(row=r, col=c, text=text, page=page)
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
    ]


def spanless_table(rows: list[list[TableCell]], order: int, engine: str) -> Table:
    """A table from rows of cells whose merged-cell structure was lost (text sources):
    each cell renumbered to its place, ragged rows allowed."""
    cells = [
        cell.model_copy(update={"row": r, "col": c})
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
    ]
    return Table(
        order=order,
        n_rows=len(rows),
        n_cols=max((len(row) for row in rows), default=0),
        cells=cells,
        engine=engine,
        spans_known=False,
    )
