"""Input format from the file's bytes first, its extension second.

Government sites often serve HTML under a ``.pdf`` name, so content wins over the name.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from extractors.document import InputFormat
from extractors.errors import DocumentLoadError, ErrorCode

EXTENSION_FORMATS: dict[str, InputFormat] = {
    ".txt": InputFormat.TEXT,
    ".text": InputFormat.TEXT,
    ".html": InputFormat.HTML,
    ".htm": InputFormat.HTML,
    ".shtml": InputFormat.HTML,
    ".pdf": InputFormat.PDF,
    ".docx": InputFormat.DOCX,
    ".doc": InputFormat.DOC,
    ".rtf": InputFormat.RTF,
    ".wps": InputFormat.WPS,
    ".ofd": InputFormat.OFD,
    ".mht": InputFormat.MHT,
    ".mhtml": InputFormat.MHT,
    ".png": InputFormat.IMAGE,
    ".jpg": InputFormat.IMAGE,
    ".jpeg": InputFormat.IMAGE,
    ".tif": InputFormat.IMAGE,
    ".tiff": InputFormat.IMAGE,
}

_MAGIC: list[tuple[bytes, InputFormat]] = [
    (b"%PDF-", InputFormat.PDF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", InputFormat.DOC),
    (b"\x89PNG\r\n\x1a\n", InputFormat.IMAGE),
    (b"\xff\xd8\xff", InputFormat.IMAGE),
    (b"II*\x00", InputFormat.IMAGE),
    (b"MM\x00*", InputFormat.IMAGE),
    # Sites serve RTF under .doc names; LibreOffice converts it like a .doc.
    (b"{\\rtf", InputFormat.RTF),
]
# Names of what a file is, by its first bytes (what describe_kind reports).
_KIND_MAGIC: list[tuple[bytes, str]] = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
]
_HTML_MARKERS = (b"<html", b"<!doctype html", b"<body", b"<table", b"<head", b"<meta")
# Word 2003 XML ("WordML"), saved under .doc names; LibreOffice converts it like a .doc.
_WORDML_MARKERS = (b'progid="word.document"', b"<w:worddocument")
# How far a MIME archive's headers may run before its first blank line.
_MIME_HEADER_WINDOW = 4096
# How far to look for HTML tags: pages open with long comments or inline scripts.
_HTML_MARKER_WINDOW = 65536
# Share of control bytes above which a file is binary, not text (text has ~0).
_BINARY_CONTROL_SHARE = 0.05
# How far into a file the PDF header may sit (the spec allows junk before it).
_PDF_HEADER_WINDOW = 1024


def sniff_format(data: bytes, name: str = "") -> InputFormat:
    """Say which reader a file needs, from its content (and name when content is mute).

    Raises:
        DocumentLoadError: ``empty`` for a zero-byte or whitespace-only file,
            ``unsupported_type`` for binary data no reader handles.
    """
    if not data.strip():
        raise DocumentLoadError(ErrorCode.EMPTY, "the file is empty")
    head = data[:_PDF_HEADER_WINDOW]
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return _ole_kind(name) if fmt is InputFormat.DOC else fmt
    if b"%PDF-" in head:
        return InputFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _looks_binary(data[:4096]):
        raise DocumentLoadError(
            ErrorCode.UNSUPPORTED_TYPE,
            f"binary content ({describe_kind(data)}) that is no PDF, Word or image file",
        )
    if _is_json(data):
        raise DocumentLoadError(
            ErrorCode.UNSUPPORTED_TYPE,
            "a JSON file (json), not a report: an output or an answer key?",
        )
    if _is_wordml(data[:_PDF_HEADER_WINDOW]):
        return InputFormat.DOC
    if _is_mime_archive(data[:_MIME_HEADER_WINDOW]):
        return InputFormat.MHT
    if _looks_like_html(data[:_HTML_MARKER_WINDOW]):
        return InputFormat.HTML
    by_name = EXTENSION_FORMATS.get(Path(name).suffix.lower())
    if by_name is InputFormat.HTML:
        return InputFormat.HTML
    return InputFormat.TEXT


def _ole_kind(name: str) -> InputFormat:
    # WPS Office saves .wps as a Word 97–2003 OLE file: the bytes cannot tell them
    # apart, and both take the same LibreOffice path; the name only labels the source.
    if Path(name).suffix.lower() == ".wps":
        return InputFormat.WPS
    return InputFormat.DOC


def _is_mime_archive(head: bytes) -> bool:
    # A saved web page (.mht) is a MIME message: headers first, a multipart/related
    # body. Word's "web archive" under a .doc name is the same thing.
    headers = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    return b"mime-version:" in headers and b"multipart/related" in headers


def _is_wordml(head: bytes) -> bool:
    # Word's HTML export also names w:WordDocument (in an <xml> island), so only an XML
    # document that is no HTML page counts.
    lowered = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        lowered.startswith(b"<?xml")
        and b"<html" not in lowered
        and any(marker in lowered for marker in _WORDML_MARKERS)
    )


def _looks_like_html(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 pages (Word's "Unicode" web export): compare characters, not bytes.
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    lowered = head.lower()
    return any(marker in lowered for marker in _HTML_MARKERS)


def _sniff_zip(data: bytes) -> InputFormat:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"broken ZIP container: {exc}"
        ) from exc
    if "word/document.xml" in names:
        return InputFormat.DOCX
    if any(n.lstrip("/").lower() == "ofd.xml" for n in names):
        return InputFormat.OFD
    raise DocumentLoadError(
        ErrorCode.UNSUPPORTED_TYPE,
        "a ZIP archive that is not a Word (.docx) or OFD file",
    )


def _zip_kind(names: list[str]) -> str:
    return "ofd" if any(n.lower().endswith("ofd.xml") for n in names) else "zip"


def describe_kind(data: bytes) -> str:
    """A short name for what a file's bytes are, for files no reader takes.

    Returns:
        ``ofd``, ``zip``, ``ole`` (a compound file: Word, WPS, Excel…), ``rtf``,
        ``mht``, ``json``, ``pdf``, ``html``, another container's name, ``binary`` or
        ``text``.
    """
    head = data[:_PDF_HEADER_WINDOW]
    if head.startswith(b"PK\x03\x04"):
        try:
            return _zip_kind(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "zip"
    for magic, kind in _KIND_MAGIC:
        if head.startswith(magic):
            return kind
    if b"%PDF-" in head:
        return "pdf"
    if _looks_binary(data[:4096]):
        return "binary"
    if _is_mime_archive(data[:_MIME_HEADER_WINDOW]):
        return "mht"
    if _is_json(data):
        return "json"
    return "html" if _looks_like_html(data[:_HTML_MARKER_WINDOW]) else "text"


def _is_json(data: bytes) -> bool:
    # A report JSON (ours, or an answer key) is text, but no report to read.
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return False
    try:
        json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > _BINARY_CONTROL_SHARE * max(len(sample), 1)
