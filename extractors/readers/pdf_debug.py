"""Debug view of the text-PDF reader: what it found, drawn over the rendered page.

Table cells are outlined in red (camelot's in orange, those of tables read without
rules in green), text blocks in blue, so a wrong grid or a paragraph cut in two shows
at a glance (pages the reader turned to read upright are drawn as stored, so their
boxes do not line up)::

    python -m extractors.readers.pdf_debug samples/szfgs2024.pdf 4 /tmp/p4.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import pdfplumber

from extractors.document import Document, InputFormat, SourceInfo
from extractors.options import ReaderOptions
from extractors.readers.pdf import PdfTextReader

_TABLE_COLORS = {
    "pdfplumber": (220, 30, 30),
    "camelot-lattice": (240, 140, 0),
    "words": (20, 150, 60),
}
_BLOCK_COLOR = (30, 60, 220)


def draw_page(
    path: Path,
    page: int,
    out: Path,
    document: Document | None = None,
    resolution: int = 100,
) -> Path:
    """Render one page with the reader's cells and blocks drawn on it.

    Args:
        path: The PDF.
        page: 1-based page number.
        out: Where to write the PNG.
        document: The document read from ``path``; read here when None.
        resolution: Rendering resolution in dpi.

    Returns:
        ``out``.
    """
    if document is None:
        data = path.read_bytes()
        source = SourceInfo(
            file=path.name,
            sha256="",
            media_type="application/pdf",
            format=InputFormat.PDF,
            size_bytes=len(data),
        )
        document = PdfTextReader(data, source, ReaderOptions()).read()
    with pdfplumber.open(path) as pdf:
        image = pdf.pages[page - 1].to_image(resolution=resolution)
        for table in document.tables:
            color = _TABLE_COLORS.get(table.engine.split("+")[0], (220, 30, 30))
            for cell in table.cells:
                if cell.page == page and cell.bbox is not None:
                    box = (cell.bbox.x0, cell.bbox.top, cell.bbox.x1, cell.bbox.bottom)
                    image.draw_rect(box, fill=(*color, 20), stroke=color)
        for block in document.blocks:
            if block.page == page and block.bbox is not None:
                box = (block.bbox.x0, block.bbox.top, block.bbox.x1, block.bbox.bottom)
                image.draw_rect(box, fill=(*_BLOCK_COLOR, 20), stroke=_BLOCK_COLOR)
        image.save(out)
    return out


if __name__ == "__main__":
    draw_page(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
