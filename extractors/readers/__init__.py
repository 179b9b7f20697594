"""Readers, one per input kind, and the function that picks one for a file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from extractors.document import MEDIA_TYPES, Document, InputFormat, SourceInfo
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.readers.base import Reader
from extractors.readers.doc import DocReader
from extractors.readers.docx import DocxReader
from extractors.readers.html import HtmlReader
from extractors.readers.mht import MhtReader
from extractors.readers.ofd import OfdReader
from extractors.readers.pdf import PdfTextReader
from extractors.readers.scan import ImageReader
from extractors.readers.text import TextReader
from extractors.sniff import sniff_format

# Each reader says which formats it reads; the registry is built from that.
READERS: dict[InputFormat, type[Reader]] = {
    fmt: reader
    for reader in (
        TextReader,
        HtmlReader,
        DocxReader,
        DocReader,
        PdfTextReader,
        OfdReader,
        MhtReader,
        ImageReader,
    )
    for fmt in reader.formats
}


def read_document(path: Path, options: ReaderOptions | None = None) -> Document:
    """Read one file into a :class:`Document`, whatever its format.

    Raises:
        DocumentLoadError: the file is unreadable, empty, of a kind no reader handles,
            or its reader failed to load it.
    """
    options = ReaderOptions.resolve(options)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise DocumentLoadError(ErrorCode.UNREADABLE, f"{path} is a directory") from exc
    except OSError as exc:
        raise DocumentLoadError(
            ErrorCode.UNREADABLE, f"cannot read {path}: {exc}"
        ) from exc
    if len(data) > options.max_file_bytes:
        raise DocumentLoadError(
            ErrorCode.TOO_LARGE,
            f"{len(data)} bytes is over the limit of {options.max_file_bytes}",
        )
    fmt = sniff_format(data, path.name)
    reader_class = READERS.get(fmt)
    if reader_class is None:
        raise DocumentLoadError(
            ErrorCode.UNSUPPORTED_TYPE, f"no reader for {fmt.value} input yet"
        )
    source = SourceInfo(
        file=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=MEDIA_TYPES[fmt],
        format=fmt,
        size_bytes=len(data),
    )
    return reader_class(data, source, options, path.parent).read()
