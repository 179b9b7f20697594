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

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.document import (
    Document,
    InputFormat,
    ReaderWarning,
)
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.pdf_assemble import PageContent, assemble, drop_running_lines
from extractors.readers.pdf_camelot import ENGINE as CAMELOT_ENGINE
from extractors.readers.pdf_camelot import find_camelot_boxes
from extractors.readers.pdf_columns import lines_in_reading_order
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
    dedupe_chars,
    find_fake_bold,
)
from extractors.readers.pdf_unruled import find_unruled_tables
from extractors.readers.scan import ocr_pdf_pages

_log = logging.getLogger(__name__)

PDFPLUMBER_ENGINE = "pdfplumber"


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
            pages: list[PageContent] = []
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
        document.running_text = drop_running_lines(pages)
        blocks, tables = assemble(pages)
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
    ) -> PageContent:
        result = PageContent(number=number, width=0.0, height=0.0)
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

    def _second_engine(self, pages: list[PageContent]) -> None:
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


def _has_empty_page_tree(data: bytes) -> bool:
    """True for a well-formed PDF without pages, which pdfium refuses to open at all
    (pdfminer opens it and counts none)."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages) == 0
    except Exception:  # not a PDF pdfminer can read either: corrupt, as pdfium said
        return False
