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
from email.message import Message

from extractors.document import Document, InputFormat
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.html import HtmlReader
from extractors.readers.pictures import ImagePart, add_picture_tables


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
        return add_picture_tables(document, image_parts(parts), self.options)


def image_parts(parts: list[Message]) -> list[ImagePart]:
    """The archive's pictures, in archive order.

    Args:
        parts: the MIME message's parts (``Message.walk()``).
    """
    found: list[ImagePart] = []
    for part in parts:
        if part.get_content_maintype() != "image":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        location = str(
            part.get("Content-Location") or part.get("Content-ID") or "image"
        ).strip("<> ")
        found.append(ImagePart(location, part.get_content_type(), payload))
    return found
