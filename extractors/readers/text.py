"""Plain text: pipe rows, flattened archived pages, or whitespace-aligned tables.

Pipe rows are read here; text with none goes to the flattened-page reader
(:mod:`extractors.readers.flat`, when it holds an archiver header or a flat table), else
to the whitespace-aligned one (:mod:`extractors.readers.aligned`, when it holds a table),
else every line is a block. Scrapers flatten HTML tables to pipe rows (``| a | b |``)
and break a row across lines whenever a cell held a line break: a line starting with
``|`` at column 0 begins a row, an indented ``|`` line continues it (see
samples/000_e67d0018f5985882.txt).
"""

from __future__ import annotations

import re

from extractors.document import Document, InputFormat, Table, TextBlock, cells_from_rows
from extractors.encoding import decode_text
from extractors.readers.aligned import read_aligned
from extractors.readers.base import Reader
from extractors.readers.flat import read_flat

_ROW_START = re.compile(r"^\|")
_ROW_CONTINUATION = re.compile(r"^[ \t\u3000]+\|")


class TextReader(Reader):
    """Reads scraped plain text: lines become blocks, pipe rows become grids."""

    formats = (InputFormat.TEXT,)

    def read(self) -> Document:
        text, _encoding = decode_text(self.data)
        lines = text.splitlines()
        if not any(_ROW_START.match(line) for line in lines):
            flat = read_flat(text)
            if flat is not None:
                return Document(
                    source=self.source,
                    blocks=flat.blocks,
                    tables=flat.tables,
                    warnings=flat.warnings,
                )
            laid_out = read_aligned(text)
            if laid_out is not None and (laid_out.tables or laid_out.warnings):
                return Document(
                    source=self.source,
                    blocks=laid_out.blocks,
                    tables=laid_out.tables,
                    warnings=laid_out.warnings,
                )
        document = Document(source=self.source)
        table_rows: list[str] = []
        order = 0

        def flush_table() -> None:
            nonlocal order
            if table_rows:
                document.tables.append(rows_to_table(table_rows, order))
                order += 1
                table_rows.clear()

        for line in text.splitlines():
            if _ROW_START.match(line):
                table_rows.append(line)
            elif _ROW_CONTINUATION.match(line) and table_rows:
                table_rows[-1] += line.strip()
            else:
                flush_table()
                stripped = line.strip()
                if stripped:
                    document.blocks.append(TextBlock(text=stripped, order=order))
                    order += 1
        flush_table()
        return document


def rows_to_table(lines: list[str], order: int) -> Table:
    """A span-less grid from joined pipe rows."""
    rows = [split_pipe_row(line) for line in lines]
    return Table(
        order=order,
        n_rows=len(rows),
        n_cols=max((len(r) for r in rows), default=0),
        cells=cells_from_rows(rows),
        engine="text",
        spans_known=False,
    )


def split_pipe_row(line: str) -> list[str]:
    """Cells of one ``| a | b | ||`` row.

    Trailing empty cells are dropped: the scraper pads rows whose cells spanned columns
    with empty ``|`` to the table's width, and those pads carry no position.
    """
    parts = [part.strip() for part in line.strip().split("|")]
    cells = parts[1:-1] if line.rstrip().endswith("|") else parts[1:]
    while cells and not cells[-1]:
        cells.pop()
    return cells
