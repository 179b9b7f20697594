"""Saved web pages (.mht/.mhtml, Word's "web archive"): MIME parts to the HTML reader.

A browser's "save as single file" packs the page and everything it shows into one MIME
``multipart/related`` message. The HTML part is read by
:class:`~extractors.readers.html.HtmlReader` exactly as a downloaded page is (which
undoes the part's transfer encoding and honours its MIME charset). Sites often post the
statistics tables as pictures; when the page itself holds no table, the pictures the
archive carries are read by OCR as scanned pages and their tables added after the text.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message

from extractors.document import (
    Document,
    InputFormat,
    ReaderWarning,
    Table,
    TableCell,
    TextBlock,
)
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.html import HtmlReader
from extractors.readers.scan import ImageReader

# Logos, icons and spacer GIFs are small; a picture of a statistics table is not.
MIN_TABLE_IMAGE_BYTES = 8 * 1024
# OCR is costly: a page with more pictures than this is a photo gallery, not a report.
MAX_OCR_IMAGES = 20


@dataclass(frozen=True)
class ImagePart:
    """A picture packed into the archive, with the address the page uses for it."""

    location: str
    media_type: str
    data: bytes


class MhtReader(Reader):
    """Reads single-file web archives: the page's HTML, and its pictures when no table."""

    formats = (InputFormat.MHT,)

    def read(self) -> Document:
        """Unpack the MIME message and read its HTML page (and pictures if needed).

        Returns:
            The page's document; tables OCR'd from pictures come after its text, without
            page or box (a picture is no page of the source), each with an
            ``ocr_image`` note naming the picture.

        Raises:
            DocumentLoadError: ``corrupt`` when the archive holds no HTML page.
        """
        message = email.message_from_bytes(self.data, policy=email.policy.compat32)
        parts = list(message.walk())
        if not any(p.get_content_type() == "text/html" for p in parts):
            raise DocumentLoadError(
                ErrorCode.CORRUPT, "a MIME web archive without an HTML page"
            )
        document = HtmlReader(self.data, self.source, self.options).read()
        images = image_parts(parts)
        if document.tables or not images or not self.options.do_ocr:
            return document
        return self._read_pictures(document, images[:MAX_OCR_IMAGES])

    def _read_pictures(self, document: Document, images: list[ImagePart]) -> Document:
        order = len(document.items())
        tables_before = len(document.tables)
        for image in images:
            source = self.source.model_copy(
                update={"file": f"{self.source.file}/{image.location}"}
            )
            try:
                scanned = ImageReader(image.data, source, self.options).read()
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


def image_parts(parts: list[Message]) -> list[ImagePart]:
    """The archive's pictures large enough to hold a table, in archive order.

    Args:
        parts: the MIME message's parts (``Message.walk()``).
    """
    found: list[ImagePart] = []
    for part in parts:
        if part.get_content_maintype() != "image":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or len(payload) < MIN_TABLE_IMAGE_BYTES:
            continue
        location = str(
            part.get("Content-Location") or part.get("Content-ID") or "image"
        ).strip("<> ")
        found.append(ImagePart(location, part.get_content_type(), payload))
    return found


def _unplaced_block(block: TextBlock, order: int) -> TextBlock:
    return block.model_copy(update={"order": order, "page": None, "bbox": None})


def _unplaced_table(table: Table, order: int) -> Table:
    cells: list[TableCell] = [
        cell.model_copy(update={"page": None, "bbox": None}) for cell in table.cells
    ]
    return table.model_copy(
        update={"order": order, "page": None, "pages": [], "cells": cells}
    )
