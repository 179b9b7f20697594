"""Pictures of tables inside documents, read by OCR as scanned pages.

Web pages, Word files and web archives often carry the statistics tables as pictures
(a screenshot of the Word table, a scan pasted in). When a document has no table of its
own, its pictures go through the same OCR path as a scanned page
(:class:`~extractors.readers.scan.ImageReader`), and the tables read from them are
added after the document's text, each with an ``ocr_image`` note naming the picture.
One function serves every format: the formats only differ in how they find pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.document import Document, ReaderWarning, Table, TableCell, TextBlock
from extractors.errors import DocumentLoadError
from extractors.options import ReaderOptions
from extractors.readers.scan import ImageReader

# Logos, icons and spacer GIFs are small; a picture of a statistics table is not.
MIN_TABLE_IMAGE_BYTES = 8 * 1024
# OCR is costly: a page with more pictures than this is a photo gallery, not a report.
MAX_OCR_IMAGES = 20
# A picture that states no resolution is taken to span the text column of an A4 page
# (156 mm in the national standard GB/T 9704): tables are pasted as wide as the text.
TEXT_COLUMN_INCH = 6.14


@dataclass(frozen=True)
class ImagePart:
    """A picture a document shows, with the address the document uses for it."""

    location: str
    media_type: str
    data: bytes


class PictureReader(ImageReader):
    """An image file that is a picture inside a document, not a whole scanned page."""

    width_inch = TEXT_COLUMN_INCH


def add_picture_tables(
    document: Document, images: list[ImagePart], options: ReaderOptions
) -> Document:
    """Read the pictures of a document that has no table, and add their tables.

    Args:
        document: What the format's reader found; left as it is when it has tables,
            when OCR is off or when there are no pictures.
        images: The document's pictures in document order; small ones (icons) and
            those beyond :data:`MAX_OCR_IMAGES` are skipped.
        options: ``do_ocr`` and the OCR settings.

    Returns:
        The document with the pictures' tables (and the text around them in the
        picture) after its own items, without page or box (a picture is no page of
        the source); ``source.ocr`` set and the ``no_tables`` warning dropped when a
        table was read. A picture that cannot be decoded becomes an
        ``image_unreadable`` warning.
    """
    wanted = [i for i in images if len(i.data) >= MIN_TABLE_IMAGE_BYTES]
    if document.tables or not wanted or not options.do_ocr:
        return document
    order = len(document.items())
    tables_before = len(document.tables)
    for image in wanted[:MAX_OCR_IMAGES]:
        source = document.source.model_copy(
            update={"file": f"{document.source.file}/{image.location}"}
        )
        try:
            scanned = PictureReader(image.data, source, options).read()
        except DocumentLoadError as exc:
            document.warnings.append(
                ReaderWarning(
                    code="image_unreadable",
                    message=f"picture {image.location}: {exc.message}",
                )
            )
            continue
        if not scanned.tables:
            continue
        for item in scanned.items():
            if isinstance(item, Table):
                document.tables.append(_unplaced_table(item, order))
            else:
                document.blocks.append(_unplaced_block(item, order))
            order += 1
        document.warnings.append(
            ReaderWarning(
                code="ocr_image",
                message=f"tables read by OCR from picture {image.location}",
            )
        )
    if len(document.tables) > tables_before:
        document.source = document.source.model_copy(update={"ocr": True})
        document.warnings = [w for w in document.warnings if w.code != "no_tables"]
    return document


def _unplaced_block(block: TextBlock, order: int) -> TextBlock:
    return block.model_copy(update={"order": order, "page": None, "bbox": None})


def _unplaced_table(table: Table, order: int) -> Table:
    cells: list[TableCell] = [
        cell.model_copy(update={"page": None, "bbox": None}) for cell in table.cells
    ]
    return table.model_copy(
        update={"order": order, "page": None, "pages": [], "cells": cells}
    )
