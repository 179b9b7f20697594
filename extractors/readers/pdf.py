"""Text PDFs (exported from Word or WPS): paragraphs and ruled tables from the text.

pdfium reads each page's chars, ruling lines and images
(:mod:`extractors.readers.pdf_layer`); pdfplumber's table geometry turns the lines into
cell boxes, and camelot's lattice parser is the second engine on pages where that grid
is weak (see :mod:`extractors.readers.pdf_camelot`). Running headers, footers and page numbers are
dropped, text inside tables is kept out of the paragraphs, and a table that goes on at
the top of the next page is joined into one :class:`~extractors.document.Table`.
Pages whose text layer is garbage are reported as ``needs_ocr`` warnings.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.document import (
    BBox,
    Document,
    InputFormat,
    ReaderWarning,
    Table,
    TextBlock,
)
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.pdf_camelot import ENGINE as CAMELOT_ENGINE
from extractors.readers.pdf_camelot import find_camelot_boxes
from extractors.readers.pdf_columns import columns_gutter, lines_in_reading_order
from extractors.readers.pdf_join import continues, fragments_to_table
from extractors.readers.pdf_layer import open_pdf, read_layer
from extractors.readers.pdf_quality import (
    garbage_reason,
    has_figures_on_image,
    has_rules,
    looks_scanned,
)
from extractors.readers.pdf_tables import (
    Fragment,
    boxes_to_fragment,
    find_ruled_boxes,
    inside_any,
    overlap_share,
)
from extractors.readers.pdf_text import (
    Char,
    Line,
    Margins,
    Paragraph,
    dedupe_chars,
    find_fake_bold,
    find_margins,
    find_running_lines,
    starts_paragraph,
    summarize_font,
)
from extractors.readers.pdf_unruled import find_unruled_tables
from extractors.readers.scan import ocr_pdf_pages

_log = logging.getLogger(__name__)

PDFPLUMBER_ENGINE = "pdfplumber"


@dataclass
class _Page:
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


class PdfTextReader(Reader):
    """Reads PDFs with a text layer into paragraphs and table grids."""

    formats = (InputFormat.PDF,)

    def read(self) -> Document:
        """Read every page: text blocks, joined tables and per-page warnings.

        Returns:
            The document; ``source.pages`` is set.

        Raises:
            DocumentLoadError: ``encrypted`` when the file needs a password, ``corrupt``
                when it cannot be parsed, ``too_large`` when it has more pages than
                ``options.max_pages``.
        """
        document = Document(source=self.source)
        pdf = self._open()
        try:
            n_pages = len(pdf)
            if n_pages == 0:
                raise DocumentLoadError(ErrorCode.EMPTY, "the PDF has no pages")
            if n_pages > self.options.max_pages:
                raise DocumentLoadError(
                    ErrorCode.TOO_LARGE,
                    f"{n_pages} pages is over the limit of {self.options.max_pages}",
                )
            document.source = self.source.model_copy(update={"pages": n_pages})
            pages: list[_Page] = []
            for number in range(1, n_pages + 1):
                last = pages[-1].fragments[-1:] if pages else []
                carried = last[0].figure_centres if last else []
                pages.append(self._read_page(pdf, number, document.warnings, carried))
        finally:
            pdf.close()
        failed = [w for w in document.warnings if w.code == "page_failed"]
        if len(failed) == n_pages:
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"no page could be read: {failed[0].message}"
            )
        self._second_engine(pages)
        _drop_running_lines(pages)
        blocks, tables = _assemble(pages)
        document.blocks = blocks
        document.tables = tables
        # Pages flagged needs_ocr (scans, garbage text layers) are OCR'd and merged in.
        return ocr_pdf_pages(document, self.data, self.options)

    def _open(self) -> pdfium.PdfDocument:
        try:
            return open_pdf(self.data)
        except pdfium.PdfiumError as exc:
            if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise DocumentLoadError(
                    ErrorCode.ENCRYPTED, "the PDF is encrypted and needs a password"
                ) from exc
            if _has_empty_page_tree(self.data):
                raise DocumentLoadError(
                    ErrorCode.EMPTY, "the PDF has no pages"
                ) from exc
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"not a readable PDF: {exc}"
            ) from exc

    def _read_page(
        self,
        pdf: pdfium.PdfDocument,
        number: int,
        warnings: list[ReaderWarning],
        carried: list[float],
    ) -> _Page:
        result = _Page(number=number, width=0.0, height=0.0)
        try:
            page = pdf[number - 1]
            try:
                layer = read_layer(page)
            finally:
                page.close()
            result.width, result.height = layer.width, layer.height
            result.turned = layer.turned
            raw = layer.chars
            if looks_scanned(layer, raw):
                warnings.append(
                    ReaderWarning(
                        code="needs_ocr",
                        message="no text layer on this page, only an image",
                        page=number,
                    )
                )
                return result
            reason = garbage_reason(raw)
            if reason is not None:
                warnings.append(
                    ReaderWarning(code="needs_ocr", message=reason, page=number)
                )
                return result
            # Fake-bold copies would double every char of a heading or table cell;
            # pdfium drops most of them itself (layer.fake_bold remembers those).
            doubled = find_fake_bold(raw)
            chars = dedupe_chars(raw) if doubled else raw
            fake_bold = layer.fake_bold | doubled
            for boxes in find_ruled_boxes(layer.edges):
                fragment = boxes_to_fragment(boxes, chars, number, PDFPLUMBER_ENGINE)
                if fragment is not None:
                    result.fragments.append(fragment)
            # Lines that make no grid, or a grid drawn as a picture: camelot looks.
            ruled_elsewise = has_rules(layer) or has_figures_on_image(layer, chars)
            if not result.fragments and not ruled_elsewise:
                result.fragments = find_unruled_tables(chars, number, carried)
            if any(f.is_weak() for f in result.fragments) or (
                not result.fragments and ruled_elsewise
            ):
                result.chars, result.fake_bold = chars, fake_bold
            else:
                result.lines = _body_lines(chars, result.fragments, number, fake_bold)
        except Exception as exc:  # one bad page must not sink the document
            _log.warning("page %d failed: %s", number, exc, exc_info=True)
            warnings.append(
                ReaderWarning(
                    code="page_failed", message=f"page unreadable: {exc}", page=number
                )
            )
        return result

    def _second_engine(self, pages: list[_Page]) -> None:
        """Let camelot re-read pages with weak grids and keep the better grid."""
        weak = [p for p in pages if p.chars is not None]
        if not weak:
            return
        # camelot reads pages as stored; a turned page's boxes would not fit its chars.
        unturned = [p for p in weak if p.turned == 0]
        found = find_camelot_boxes(
            self.data,
            [p.number for p in unturned],
            {p.number: p.height for p in unturned},
        )
        for page in weak:
            assert page.chars is not None
            candidates = [
                frag
                for boxes in found.get(page.number, [])
                if (
                    frag := boxes_to_fragment(
                        boxes, page.chars, page.number, CAMELOT_ENGINE
                    )
                )
            ]
            page.fragments = choose_fragments(
                page.fragments, candidates
            ) or find_unruled_tables(page.chars, page.number)
            page.lines = _body_lines(
                page.chars, page.fragments, page.number, page.fake_bold
            )
            page.chars = None


def choose_fragments(
    plumber: list[Fragment], camelot: list[Fragment]
) -> list[Fragment]:
    """Per table, the better of the two engines' grids (see ``Fragment.score``).

    Args:
        plumber: pdfplumber's fragments of a page.
        camelot: camelot's fragments of the same page.

    Returns:
        The chosen fragments; camelot tables pdfplumber missed are added.
    """
    chosen: list[Fragment] = []
    used: set[int] = set()
    for frag in plumber:
        best = frag
        for i, other in enumerate(camelot):
            if overlap_share(frag.bbox, other.bbox) > 0.5:
                used.add(i)
                if frag.is_weak() and other.score() > best.score():
                    best = other
        chosen.append(best)
    chosen.extend(
        other
        for i, other in enumerate(camelot)
        if i not in used and not other.is_weak()
    )
    return sorted(chosen, key=lambda f: f.ys[0])


def _body_lines(
    chars: Sequence[Char],
    fragments: Sequence[Fragment],
    number: int,
    fake_bold: set[tuple[str, int, int]],
) -> list[Line]:
    boxes = [f.bbox for f in fragments]
    outside = [c for c in chars if not inside_any(c, boxes)] if boxes else chars
    return lines_in_reading_order(outside, number, fake_bold)


def _drop_running_lines(pages: list[_Page]) -> None:
    running = find_running_lines([p.lines for p in pages], [p.height for p in pages])
    for index, page in enumerate(pages):
        page.lines = [
            line for i, line in enumerate(page.lines) if (index, i) not in running
        ]


def _page_paragraphs(page: _Page, margins: Margins) -> list[Paragraph]:
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


def _assemble(pages: Sequence[_Page]) -> tuple[list[TextBlock], list[Table]]:
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


def _has_empty_page_tree(data: bytes) -> bool:
    """True for a well-formed PDF without pages, which pdfium refuses to open at all
    (pdfminer opens it and counts none)."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages) == 0
    except Exception:  # not a PDF pdfminer can read either: corrupt, as pdfium said
        return False


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
