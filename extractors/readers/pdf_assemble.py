"""Pages of a text PDF put together: paragraphs and tables in reading order.

Each page's lines become paragraphs (two-column pages column by column), tables fall
in between where they stand, and a paragraph or a table that a page break cut in two
is joined with its rest at the top of the next page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.document import BBox, Table, TextBlock
from extractors.readers.pdf_columns import columns_gutter
from extractors.readers.pdf_join import continues, fragments_to_table
from extractors.readers.pdf_paragraphs import (
    Margins,
    find_margins,
    find_running_lines,
    starts_paragraph,
    summarize_font,
)
from extractors.readers.pdf_tables import Fragment
from extractors.readers.pdf_text import Char, Line, Paragraph


@dataclass
class PageContent:
    """What one page holds once its tables are settled."""

    number: int
    width: float
    height: float
    # Degrees the page was turned to read upright (camelot reads pages unturned).
    turned: int = 0
    lines: list[Line] = field(default_factory=list)
    fragments: list[Fragment] = field(default_factory=list)
    # Kept only for pages whose tables camelot must look at again.
    chars: list[Char] | None = None
    fake_bold: set[tuple[str, int, int]] = field(default_factory=set)


def drop_running_lines(pages: list[PageContent]) -> list[str]:
    """Drop running headers, footers and page numbers; return their texts, once each
    (a title printed only as the running header is found there)."""
    running = find_running_lines([p.lines for p in pages], [p.height for p in pages])
    texts: list[str] = []
    for index, page in enumerate(pages):
        kept = []
        for i, line in enumerate(page.lines):
            if (index, i) not in running:
                kept.append(line)
            elif line.text.strip() not in texts:
                texts.append(line.text.strip())
        page.lines = kept
    return texts


def _page_paragraphs(page: PageContent, margins: Margins) -> list[Paragraph]:
    """Paragraphs of one page, never running across a table.

    On a two-column page each column has its own margins; a paragraph may run on
    from the foot of the left column to the head of the right one.
    """
    tops = sorted(f.ys[0] for f in page.fragments)
    column_of = _columns_of(page.lines)
    by_column = {
        k: find_margins(
            [ln for ln, c in zip(page.lines, column_of, strict=True) if c == k],
            page.width,
            fallback=margins,
        )
        for k in set(column_of) - {None}
    }
    paragraphs: list[Paragraph] = []
    previous: Margins = margins
    for line, column in zip(page.lines, column_of, strict=True):
        line_margins = by_column.get(column, margins) if column is not None else margins
        last = paragraphs[-1].lines[-1] if paragraphs else None
        if (
            last is not None
            and not any(last.bottom <= t <= line.top for t in tops)
            and not starts_paragraph(last, line, line_margins, previous)
        ):
            paragraphs[-1].lines.append(line)
        else:
            paragraphs.append(Paragraph([line]))
        previous = line_margins
    return paragraphs


def _columns_of(lines: Sequence[Line]) -> list[int | None]:
    """0 or 1 for lines of a two-column page's left or right column, else None."""
    gutter = columns_gutter(lines)
    if gutter is None:
        return [None] * len(lines)
    return [
        0 if line.x1 <= gutter[0] else 1 if line.x0 >= gutter[1] else None
        for line in lines
    ]


def assemble(pages: Sequence[PageContent]) -> tuple[list[TextBlock], list[Table]]:
    """Paragraphs and tables in reading order, each joined across page breaks."""
    all_lines = [line for p in pages for line in p.lines]
    width = max((p.width for p in pages), default=0.0)
    doc_margins = find_margins(all_lines, width)
    items: list[Paragraph | list[Fragment]] = []
    for page in pages:
        margins = find_margins(page.lines, page.width, fallback=doc_margins)
        page_items = _in_reading_order(_page_paragraphs(page, margins), page.fragments)
        for k, item in enumerate(page_items):
            if k == 0 and items and _goes_on(items[-1], item, page.number, margins):
                if isinstance(item, Paragraph):
                    prev_par = items[-1]
                    assert isinstance(prev_par, Paragraph)
                    prev_par.lines.extend(item.lines)
                else:
                    prev_frags = items[-1]
                    assert isinstance(prev_frags, list)
                    prev_frags.extend(item)
                continue
            items.append(item)
    blocks: list[TextBlock] = []
    tables: list[Table] = []
    for order, item in enumerate(items):
        if isinstance(item, Paragraph):
            blocks.append(_paragraph_to_block(item, order))
        else:
            tables.append(fragments_to_table(item, order))
    return blocks, tables


def _in_reading_order(
    paragraphs: list[Paragraph], fragments: Sequence[Fragment]
) -> list[Paragraph | list[Fragment]]:
    """Paragraphs (already in reading order, columns too) with each table put before
    the first paragraph that starts below it."""
    items: list[Paragraph | list[Fragment]] = []
    queue = sorted(fragments, key=lambda f: f.ys[0])
    for paragraph in paragraphs:
        while queue and queue[0].ys[0] < paragraph.top:
            items.append([queue.pop(0)])
        items.append(paragraph)
    items.extend([f] for f in queue)
    return items


def _goes_on(
    prev: Paragraph | list[Fragment],
    item: Paragraph | list[Fragment],
    page: int,
    margins: Margins,
) -> bool:
    """True when the first item of a page continues the last item of the page before."""
    if isinstance(prev, Paragraph) and isinstance(item, Paragraph):
        last = prev.lines[-1]
        return last.page == page - 1 and not starts_paragraph(
            last, item.lines[0], margins
        )
    if isinstance(prev, list) and isinstance(item, list):
        return continues(prev[-1], item[0])
    return False


def _paragraph_to_block(paragraph: Paragraph, order: int) -> TextBlock:
    first_page = [line for line in paragraph.lines if line.page == paragraph.page]
    size, bold = summarize_font(paragraph.lines)
    return TextBlock(
        text=paragraph.text,
        order=order,
        page=paragraph.page,
        bbox=BBox(
            x0=min(line.x0 for line in first_page),
            top=min(line.top for line in first_page),
            x1=max(line.x1 for line in first_page),
            bottom=max(line.bottom for line in first_page),
        ),
        font_size=size,
        bold=bold,
    )
