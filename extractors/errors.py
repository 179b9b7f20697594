"""Exceptions: bad input (a finding about the file) kept apart from pipeline defects."""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    """Why a file could not be turned into a document (TEMPLATE.md §6)."""

    EMPTY = "empty"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    UNSUPPORTED_TYPE = "unsupported_type"
    WRONG_ENCODING = "wrong_encoding"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    MISSING_DEPENDENCY = "missing_dependency"
    INTERNAL = "internal_error"


class NianbaoError(Exception):
    """Base of every exception this library raises on purpose."""


class DocumentLoadError(NianbaoError):
    """The input cannot be read as a document; ``code`` says why."""

    def __init__(self, code: ErrorCode, message: str, page: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.page = page
