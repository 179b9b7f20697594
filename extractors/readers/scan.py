"""Scanned input: image files (PNG, JPEG, TIFF) and the PDF pages with no usable text.

:class:`ImageReader` OCRs every page of an image file. :func:`ocr_pdf_pages` is what the
text-PDF reader calls for the pages it flagged ``needs_ocr``: those pages are rendered,
OCR'd and merged into the document at their place, page by page, so a mixed PDF keeps
its text pages on the exact text path and pays for OCR only where it must.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, ClassVar

from extractors.document import Document, InputFormat, ReaderWarning, Table, TextBlock
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.readers.base import Reader

if TYPE_CHECKING:
    from extractors.ocr.engine import Image, OcrEngine
    from extractors.ocr.page import PageOcr

# The OCR modules (OpenCV, numpy, onnxruntime: ~0.3 s and ~60 MB) are imported only when
# a page needs them, so reading text PDFs and web pages does not pay for them.

_log = logging.getLogger(__name__)

NEEDS_OCR = "needs_ocr"
# Pages OCR'd in parallel: the target machine has two cores.
MAX_PAGE_WORKERS = 2


class ImageReader(Reader):
    """Reads image files of scanned pages by OCR (multi-page TIFF: one page a frame)."""

    formats = (InputFormat.IMAGE,)
    # How wide the image is printed when it states no resolution (None: an A4 page).
    width_inch: ClassVar[float | None] = None

    def read(self) -> Document:
        """OCR every page of the image file.

        Returns:
            The document with ``source.ocr`` set; a page that fails becomes a
            ``page_failed`` warning and the other pages are kept.

        Raises:
            DocumentLoadError: ``corrupt`` when the image cannot be decoded,
                ``too_large`` when it has more frames than ``options.max_pages`` or
                more pixels than Pillow's decompression-bomb limit.
        """
        from extractors.ocr.layout import pages_to_items
        from extractors.ocr.prepare import (
            count_image_pages,
            image_media_type,
            load_image_pages,
        )

        n_pages = count_image_pages(self.data)
        if n_pages > self.options.max_pages:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE,
                f"{n_pages} pages is over the limit of {self.options.max_pages}",
            )
        media_type = image_media_type(self.data) or self.source.media_type
        document = Document(
            source=self.source.model_copy(
                update={
                    "pages": n_pages,
                    "ocr": self.options.do_ocr,
                    "media_type": media_type,
                }
            )
        )
        if not self.options.do_ocr:
            document.warnings.extend(_needs_ocr(n) for n in range(1, n_pages + 1))
            return document
        # Frames are decoded one at a time: a long TIFF never sits in memory whole.
        numbered = (
            (n, image, dpi)
            for n, (image, dpi) in enumerate(
                load_image_pages(self.data, self.width_inch), start=1
            )
        )
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
    from extractors.ocr.prepare import render_pdf_pages

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
    """OCR pages, up to one per core at a time, in page order.

    The recognizer runs one thread per page (see ``engine.SESSION_THREADS``); pages
    in parallel keep both cores busy through every stage, not only inference. No more
    pages are decoded than the workers can take, so a long scan never sits in memory.
    """
    from extractors.ocr.engine import get_engine

    engine = get_engine()
    workers = page_workers()
    pages: list[PageOcr] = []
    with ThreadPoolExecutor(workers, thread_name_prefix="ocr-page") as pool:
        running: deque[tuple[int, Future[PageOcr]]] = deque()
        for number, image, dpi in numbered:
            running.append((number, pool.submit(_ocr_one, image, dpi, number, engine)))
            if len(running) >= workers:
                _collect(*running.popleft(), pages, warnings)
        while running:
            _collect(*running.popleft(), pages, warnings)
    return pages


def page_workers() -> int:
    """Pages OCR'd at once: the cores this process may use, at most MAX_PAGE_WORKERS."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(MAX_PAGE_WORKERS, cores or os.cpu_count() or 1))


def _ocr_one(image: Image, dpi: float, number: int, engine: OcrEngine) -> PageOcr:
    from extractors.ocr.page import ocr_page

    started = time.perf_counter()
    page = ocr_page(image, dpi, number, engine)
    _log.debug("page %d OCR'd in %.2f s", number, time.perf_counter() - started)
    return page


def _collect(
    number: int,
    future: Future[PageOcr],
    pages: list[PageOcr],
    warnings: list[ReaderWarning],
) -> None:
    """A page's result into ``pages`` with its note, or its failure as a warning."""
    try:
        page = future.result()
    except Exception as exc:  # one bad page must not sink the document
        _log.warning("OCR of page %d failed: %s", number, exc, exc_info=exc)
        warnings.append(
            ReaderWarning(code="page_failed", message=f"OCR failed: {exc}", page=number)
        )
        return
    pages.append(page)
    note = "page read by OCR"
    if page.turned:
        note += f", turned {page.turned}°"
    if abs(page.skew) >= 0.1:
        note += f", deskewed {page.skew:+.1f}°"
    warnings.append(ReaderWarning(code="ocr_page", message=note, page=number))


def _needs_ocr(number: int) -> ReaderWarning:
    return ReaderWarning(
        code=NEEDS_OCR, message="scanned page; OCR is switched off", page=number
    )


def _add_items(document: Document, items: list[TextBlock | Table]) -> None:
    document.blocks = [i for i in items if isinstance(i, TextBlock)]
    document.tables = [i for i in items if isinstance(i, Table)]


def _merge_pages(document: Document, pages: list[PageOcr]) -> None:
    """Put OCR'd pages' items among the text pages' items, by page, and renumber."""
    from extractors.ocr.layout import pages_to_items

    existing = document.items()
    ocr_items = pages_to_items(pages, drop_margins=True)
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
    merged = _join_across_pages(merged)
    _add_items(
        document,
        [item.model_copy(update={"order": k}) for k, item in enumerate(merged)],
    )


def _join_across_pages(items: list[TextBlock | Table]) -> list[TextBlock | Table]:
    """Join a table that a page break splits between a text page and an OCR'd page.

    The text reader joins its own pages' tables and OCR its own; where one side of the
    break was OCR'd, the two parts meet only here.
    """
    from extractors.ocr.layout import join_tables
    from extractors.ocr.page import ENGINE

    out: list[TextBlock | Table] = []
    for item in items:
        previous = out[-1] if out else None
        if (
            isinstance(item, Table)
            and isinstance(previous, Table)
            and ENGINE in (item.engine, previous.engine)
            and item.page == max(previous.pages or [previous.page or 0]) + 1
        ):
            joined = join_tables(previous, item)
            if joined is not None:
                out[-1] = joined
                continue
        out.append(item)
    return out
