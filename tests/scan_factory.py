"""Scanned versions of made-up reports: page images degraded the way scanners do.

A made-up report (report_factory) is laid out as a PDF (pdf_factory), rendered to page
images at scanner resolution, then degraded: a small rotation, blur, sensor noise and
JPEG artifacts, each drawn from a seeded generator so a test's pages are reproducible.
Image pages are written as PNG/JPEG/TIFF files or as a PDF with no text layer.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class Degradation:
    """How badly a page is scanned."""

    max_angle: float = 1.5  # degrees, either way
    blur: float = 0.6  # Gaussian radius in pixels
    noise: float = 10.0  # σ of Gaussian noise in grey levels
    jpeg_quality: int = 60


def render_pages(pdf: Path, dpi: int = 150) -> list[Image.Image]:
    """Grayscale page images of a PDF at ``dpi``."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()


def degrade(page: Image.Image, rng: random.Random, how: Degradation) -> Image.Image:
    """One page as a scanner would deliver it."""
    angle = rng.uniform(-how.max_angle, how.max_angle)
    out = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if how.blur:
        out = out.filter(ImageFilter.GaussianBlur(how.blur))
    pixels = np.asarray(out, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(
        0, how.noise, pixels.shape
    )
    out = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "L")
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=how.jpeg_quality)
    # A fresh image: the decoded JPEG's info (quantization tables…) breaks TIFF saving.
    decoded = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return Image.fromarray(np.asarray(decoded), "L")


def scan_pdf(
    pdf: Path, rng: random.Random, dpi: int = 150, how: Degradation | None = None
) -> list[Image.Image]:
    """The degraded page images of a PDF."""
    return [degrade(p, rng, how or Degradation()) for p in render_pages(pdf, dpi)]


def save_images_pdf(pages: list[Image.Image], path: Path, dpi: int = 150) -> Path:
    """A PDF of image-only pages (no text layer), like a scanner's PDF output."""
    first, *rest = pages
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path


def replace_page(text_pdf: Path, scanned_pdf: Path, index: int, path: Path) -> Path:
    """A copy of ``text_pdf`` whose page ``index`` (0-based) is the scanned one."""
    target = pdfium.PdfDocument(str(text_pdf))
    source = pdfium.PdfDocument(str(scanned_pdf))
    try:
        target.del_page(index)
        target.import_pages(source, [index], index)
        target.save(str(path))
    finally:
        source.close()
        target.close()
    return path
