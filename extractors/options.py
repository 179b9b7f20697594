"""Options of the stages, with their defaults as named constants."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 500
# A 6-page text PDF takes ~0.3 s and a scanned page ~1 s here; two minutes leaves room
# for a 100-page scan while stopping a file that loops.
DEFAULT_TIME_LIMIT_SECONDS = 120.0
DEFAULT_MEMORY_LIMIT_MB = 3072
# Scanned PDF pages are rendered at this resolution for OCR: 9-pt table figures are then
# ~25 px tall, comfortably above the ~16 px where recognition starts to fail, while
# the page image stays small enough to keep rule finding under 0.1 s.
DEFAULT_OCR_DPI = 200
_OCR_DPI_RANGE = (72, 600)


class OcrOptions(BaseModel):
    """How scanned pages are read (extractors/ocr)."""

    dpi: int = Field(
        default=DEFAULT_OCR_DPI,
        description="Resolution PDF pages without a usable text layer are rendered at.",
    )

    @field_validator("dpi")
    @classmethod
    def _dpi_in_range(cls, value: int) -> int:
        low, high = _OCR_DPI_RANGE
        if not low <= value <= high:
            raise ValueError(f"dpi must be between {low} and {high}")
        return value


class ReaderOptions(BaseModel):
    """How readers treat their input."""

    max_file_bytes: int = Field(
        default=DEFAULT_MAX_FILE_BYTES,
        description="Files larger than this are rejected.",
    )
    max_pages: int = Field(
        default=DEFAULT_MAX_PAGES,
        description="Paged files with more pages are rejected.",
    )

    do_ocr: bool = Field(
        default=True,
        description="OCR image files and PDF pages without a usable text layer "
        "(otherwise they are reported as `needs_ocr`).",
    )
    ocr_options: OcrOptions = Field(
        default_factory=OcrOptions, description="How OCR reads scanned pages."
    )
    time_limit_seconds: float = Field(
        default=DEFAULT_TIME_LIMIT_SECONDS,
        description="Wall time one document may take in a batch before it fails "
        "with `timeout`.",
    )
    memory_limit_mb: int = Field(
        default=DEFAULT_MEMORY_LIMIT_MB,
        description="Address space one document's extraction may use in a batch.",
    )

    @field_validator("max_file_bytes", "max_pages", "memory_limit_mb")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @field_validator("time_limit_seconds")
    @classmethod
    def _positive_time(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    @classmethod
    def resolve(cls, value: ReaderOptions | dict[str, Any] | None) -> ReaderOptions:
        """Accept None (defaults), an instance, or a dict of fields."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        return cls.model_validate(value)


class Settings(BaseSettings):
    """Settings read from the environment (prefix ``NIANBAO_``)."""

    model_config = SettingsConfigDict(env_prefix="NIANBAO_")

    output_dir: str = Field(default="output", description="Where JSON is written.")
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
