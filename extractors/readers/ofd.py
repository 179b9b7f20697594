"""OFD reports (GB/T 33190, China's fixed-layout format), read as the PDF they print as.

An OFD page is what a PDF page is: glyphs at positions, stroked paths, images. Its
objects are drawn one for one into a PDF (mm → pt, same top-left page origin as
pdfplumber's boxes), and :class:`~extractors.readers.pdf.PdfTextReader` reads that: the
ruled tables, paragraphs, running headers, page joins, OCR of image-only pages and the
review page's images then work exactly as for a PDF, with no second copy of that logic.
Glyphs are drawn in a built-in CID font (no font file needed): OFD text codes are
Unicode, so the embedded fonts' outlines are not needed to read the text.
"""

from __future__ import annotations

import io
import logging

from PIL import UnidentifiedImageError
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from extractors.document import Document, InputFormat, ReaderWarning
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.ofd_package import Glyph, OfdPackage, OfdPage, Picture, Stroke
from extractors.readers.pdf import PdfTextReader

_log = logging.getLogger(__name__)

MM_TO_PT = 72.0 / 25.4
# Adobe's Simplified Chinese CID font: every PDF reader knows it without embedding.
_FONT = "STSong-Light"
# A bold face is drawn twice this far apart (pt), as Word/WPS fake bold in their PDFs;
# the PDF reader reads such doubled glyphs as bold (pdf_text.find_fake_bold).
_BOLD_SHIFT = 0.4


class OfdReader(Reader):
    """Reads OFD packages: text objects, ruled tables and scanned (image-only) pages."""

    formats = (InputFormat.OFD,)

    def read(self) -> Document:
        """Draw the OFD's pages into a PDF and read that as a text PDF.

        Returns:
            The document with page numbers and boxes (pt, origin top-left) of the OFD's
            own pages; a page that cannot be drawn is a ``page_failed`` warning.

        Raises:
            DocumentLoadError: ``corrupt``/``encrypted`` for a package that cannot be
                opened, ``empty`` with no pages, ``too_large`` past ``max_pages``.
        """
        pdf, warnings = ofd_to_pdf(self.data, self.options.max_pages)
        document = PdfTextReader(pdf, self.source, self.options).read()
        document.warnings.extend(warnings)
        return document


def ofd_to_pdf(
    data: bytes, max_pages: int | None = None
) -> tuple[bytes, list[ReaderWarning]]:
    """An OFD file's pages drawn into a PDF, one PDF page per OFD page.

    Args:
        data: the OFD package's bytes.
        max_pages: refuse packages with more pages than this.

    Returns:
        The PDF's bytes and a ``page_failed`` warning per page that could not be read
        (drawn blank, so later pages keep their numbers).

    Raises:
        DocumentLoadError: as :class:`OfdReader`'s ``read``.
    """
    package = OfdPackage(data)
    n_pages = len(package.page_paths)
    if n_pages == 0:
        raise DocumentLoadError(ErrorCode.EMPTY, "the OFD has no pages")
    if max_pages is not None and n_pages > max_pages:
        raise DocumentLoadError(
            ErrorCode.TOO_LARGE, f"{n_pages} pages is over the limit of {max_pages}"
        )
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)
    warnings: list[ReaderWarning] = []
    for index in range(n_pages):
        try:
            page = package.page(index)
        except DocumentLoadError as exc:
            _log.warning("OFD page %d failed: %s", index + 1, exc.message)
            warnings.append(
                ReaderWarning(
                    code="page_failed",
                    message=f"page unreadable: {exc.message}",
                    page=index + 1,
                )
            )
            page = OfdPage(*package.default_box[2:])
        _draw_page(canvas, page, index + 1, warnings)
        canvas.showPage()
    if len(warnings) == n_pages:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"no page could be read: {warnings[0].message}"
        )
    canvas.save()
    return buffer.getvalue(), warnings


def _register_font() -> None:
    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def _draw_page(
    canvas: Canvas, page: OfdPage, number: int, warnings: list[ReaderWarning]
) -> None:
    height = page.height * MM_TO_PT
    canvas.setPageSize((page.width * MM_TO_PT, height))
    for obj in page.objects:
        if isinstance(obj, Glyph):
            _draw_glyph(canvas, obj, height)
        elif isinstance(obj, Stroke):
            _draw_stroke(canvas, obj, height)
        elif not _draw_picture(canvas, obj, height):
            warnings.append(
                ReaderWarning(
                    code="image_unreadable",
                    message="an image of the page could not be decoded",
                    page=number,
                )
            )


def _draw_glyph(canvas: Canvas, glyph: Glyph, height: float) -> None:
    size = glyph.size * MM_TO_PT
    if size <= 0:
        return
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(_FONT, size)
    x, baseline = glyph.x * MM_TO_PT, height - glyph.y * MM_TO_PT
    for shift in (0.0, _BOLD_SHIFT) if glyph.bold else (0.0,):
        canvas.drawString(x + shift, baseline, glyph.text)


def _draw_stroke(canvas: Canvas, stroke: Stroke, height: float) -> None:
    path = canvas.beginPath()
    for subpath in stroke.subpaths:
        (x, y), *rest = subpath
        path.moveTo(x * MM_TO_PT, height - y * MM_TO_PT)
        for x, y in rest:
            path.lineTo(x * MM_TO_PT, height - y * MM_TO_PT)
    canvas.setLineWidth(stroke.width * MM_TO_PT)
    canvas.setStrokeColorRGB(*(v / 255 for v in stroke.stroke_rgb))
    canvas.setFillColorRGB(*(v / 255 for v in stroke.fill_rgb))
    canvas.drawPath(path, stroke=int(stroke.stroke), fill=int(stroke.fill))


def _draw_picture(canvas: Canvas, picture: Picture, height: float) -> bool:
    try:
        canvas.drawImage(
            ImageReader(io.BytesIO(picture.data)),
            picture.x * MM_TO_PT,
            height - (picture.y + picture.height) * MM_TO_PT,
            picture.width * MM_TO_PT,
            picture.height * MM_TO_PT,
        )
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        _log.warning("undecodable OFD image: %s", exc)
        return False
    return True
