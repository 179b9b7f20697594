"""The one base every reader shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from extractors.document import Document, InputFormat, SourceInfo
from extractors.options import ReaderOptions


class Reader(ABC):
    """Turns the bytes of one file of its format into a :class:`Document`.

    The file's bytes arrive already read and sniffed; a reader knows only its own format.
    Any failure to load becomes :class:`~extractors.errors.DocumentLoadError`.
    """

    formats: ClassVar[tuple[InputFormat, ...]]

    def __init__(
        self,
        data: bytes,
        source: SourceInfo,
        options: ReaderOptions,
        folder: Path | None = None,
    ) -> None:
        self.data = data
        self.source = source
        self.options = options
        # The file's folder, where a web page's linked pictures lie (None: unknown).
        self.folder = folder

    @abstractmethod
    def read(self) -> Document:
        """Read the whole file into a document."""
