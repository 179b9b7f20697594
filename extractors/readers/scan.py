"""Scanned input: image files (PNG, JPEG, TIFF) and the PDF pages with no usable text.

:class:`ImageReader` OCRs every page of an image file. :func:`ocr_pdf_pages` is what the
text-PDF reader calls for the pages it flagged ``needs_ocr``: those pages are rendered,
OCR'd and merged into the document at their place, page by page, so a mixed PDF keeps
its text pages on the exact text path and pays for OCR only where it must.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from extractors.document import Document, InputFormat, ReaderWarning, Table, TextBlock
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.ocr.engine import Image, get_engine
from extractors.ocr.layout import pages_to_items
from extractors.ocr.page import PageOcr, ocr_page
from extractors.ocr.prepare import load_image_pages, render_pdf_pages
from extractors.options import ReaderOptions
from extractors.readers.base import Reader

_log = logging.getLogger(__name__)

NEEDS_OCR = "needs_ocr"


class ImageReader(Reader):
    """Reads image files of scanned pages by OCR (multi-page TIFF: one page a frame)."""

    formats = (InputFormat.IMAGE,)

    def read(self) -> Document:
        """OCR every page of the image file.

        Returns:
            The document with ``source.ocr`` set; a page that fails becomes a
            ``page_failed`` warning and the other pages are kept.

        Raises:
            DocumentLoadError: ``corrupt`` when the image cannot be decoded,
                ``too_large`` when it has more frames than ``options.max_pages``.
        """
        frames = list(load_image_pages(self.data))
        if not frames:
            raise DocumentLoadError(ErrorCode.CORRUPT, "the image has no frames")
        if len(frames) > self.options.max_pages:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE,
                f"{len(frames)} pages is over the limit of {self.options.max_pages}",
            )
        document = Document(
            source=self.source.model_copy(
                update={"pages": len(frames), "ocr": self.options.do_ocr}
            )
        )
        numbered = [(n, image, dpi) for n, (image, dpi) in enumerate(frames, start=1)]
        if not self.options.do_ocr:
            document.warnings.extend(_needs_ocr(n) for n, _, _ in numbered)
            return document
        pages = _ocr_pages(numbered, document.warnings)
        _add_items(document, pages_to_items(pages))
        return document


def ocr_pdf_pages(document: Document, data: bytes, options: ReaderOptions) -> Document:
    """OCR the PDF pages a text-PDF reader flagged ``needs_ocr`` and merge them in.

    Args:
        document: The text reader's document; its ``needs_ocr`` warnings name the pages.
        data: The PDF file.
        options: ``do_ocr`` and ``ocr_options.dpi`` are used.

    Returns:
        The same document, with the OCR'd pages' blocks and tables placed among the
        other pages' items, ``needs_ocr`` warnings replaced by ``ocr_page`` notes and
        ``source.ocr`` set. Unchanged when no page needs OCR or OCR is off.
    """
    wanted = sorted(
        {w.page for w in document.warnings if w.code == NEEDS_OCR and w.page}
    )
    if not wanted or not options.do_ocr:
        return document
    dpi = float(options.ocr_options.dpi)
    warnings: list[ReaderWarning] = []
    numbered = ((n, image, dpi) for n, image in render_pdf_pages(data, wanted, dpi))
    pages = _ocr_pages(numbered, warnings)
    done = {p.number for p in pages}
    document.warnings = [
        w for w in document.warnings if not (w.code == NEEDS_OCR and w.page in done)
    ]
    document.warnings.extend(warnings)
    _merge_pages(document, pages)
    document.source = document.source.model_copy(update={"ocr": True})
    return document


def _ocr_pages(
    numbered: Iterable[tuple[int, Image, float]], warnings: list[ReaderWarning]
) -> list[PageOcr]:
    engine = get_engine()
    pages = []
    for number, image, dpi in numbered:
        started = time.perf_counter()
        try:
            page = ocr_page(image, dpi, number, engine)
        except Exception as exc:  # one bad page must not sink the document
            _log.warning("OCR of page %d failed: %s", number, exc, exc_info=True)
            warnings.append(
                ReaderWarning(
                    code="page_failed", message=f"OCR failed: {exc}", page=number
                )
            )
            continue
        pages.append(page)
        note = f"page read by OCR in {time.perf_counter() - started:.1f} s"
        if page.turned:
            note += f", turned {page.turned}°"
        if abs(page.skew) >= 0.1:
            note += f", deskewed {page.skew:+.1f}°"
        warnings.append(ReaderWarning(code="ocr_page", message=note, page=number))
    return pages


def _needs_ocr(number: int) -> ReaderWarning:
    return ReaderWarning(
        code=NEEDS_OCR, message="scanned page; OCR is switched off", page=number
    )


def _add_items(document: Document, items: list[TextBlock | Table]) -> None:
    document.blocks = [i for i in items if isinstance(i, TextBlock)]
    document.tables = [i for i in items if isinstance(i, Table)]


def _merge_pages(document: Document, pages: list[PageOcr]) -> None:
    """Put OCR'd pages' items among the text pages' items, by page, and renumber."""
    existing = document.items()
    ocr_items = pages_to_items(pages)
    by_page: dict[int, list[TextBlock | Table]] = {}
    for item in ocr_items:
        by_page.setdefault(item.page or 0, []).append(item)
    merged: list[TextBlock | Table] = []
    for item in existing:
        page = item.page or 0
        for number in sorted(p for p in by_page if p < page):
            merged.extend(by_page.pop(number))
        merged.append(item)
    for number in sorted(by_page):
        merged.extend(by_page[number])
    _add_items(
        document,
        [item.model_copy(update={"order": k}) for k, item in enumerate(merged)],
    )
