"""Scanned versions of made-up reports: page images degraded the way scanners do.

A made-up report (report_factory) is laid out as a PDF (pdf_factory), rendered to page
images at scanner resolution, then degraded: a small rotation, a slight perspective (a
page photographed from a little to the side), blur, sensor noise and JPEG artifacts,
each drawn from a seeded generator so a test's pages are reproducible. A red seal can be
stamped over figures and the table rules erased (a table printed without a grid).
Image pages are written as PNG/JPEG/TIFF files or as a PDF with no text layer.
"""

from __future__ import annotations

import dataclasses
import io
import random
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from pdf_factory import (
    ACTIVE_WIDTHS,
    FONT_CANDIDATES,
    REVIEW_WIDTHS,
    ReportPdf,
    active_disclosure_rows,
    requests_rows,
    requests_widths,
    review_litigation_rows,
    spans,
)
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from report_factory import MadeUpReport

from extractors.report import Report

# The made-up report's tables whose every value a scan must read or flag.
TABLES = ("active_disclosure", "requests", "review_litigation")
# Seal ink as scanned: a bright red (multiplied over the page, as ink on paper).
SEAL_RED = (225, 35, 45)


@dataclass(frozen=True)
class Degradation:
    """How badly a page is scanned."""

    max_angle: float = 1.5  # degrees, either way
    blur: float = 0.6  # Gaussian radius in pixels
    noise: float = 10.0  # σ of Gaussian noise in grey levels
    jpeg_quality: int = 60
    # Corners moved by up to this share of the page's size (0.01 ≈ a phone photo
    # taken a little off-axis); 0 keeps the page flat as on a scanner's glass.
    perspective: float = 0.0


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
    """One page (gray or RGB) as a scanner would deliver it."""
    mode = page.mode
    white = 255 if mode == "L" else (255, 255, 255)
    angle = rng.uniform(-how.max_angle, how.max_angle)
    out = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=white)
    if how.perspective:
        out = _tilt(out, rng, how.perspective)
    if how.blur:
        out = out.filter(ImageFilter.GaussianBlur(how.blur))
    pixels = np.asarray(out, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(
        0, how.noise, pixels.shape
    )
    out = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), mode)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=how.jpeg_quality)
    # A fresh image: the decoded JPEG's info (quantization tables…) breaks TIFF saving.
    decoded = Image.open(io.BytesIO(buffer.getvalue())).convert(mode)
    return Image.fromarray(np.asarray(decoded), mode)


def _tilt(page: Image.Image, rng: random.Random, share: float) -> Image.Image:
    """The page seen slightly from the side: each corner moved up to ``share``."""
    w, h = page.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [
        (x + rng.uniform(-share, share) * w, y + rng.uniform(-share, share) * h)
        for x, y in corners
    ]
    matrix = cv2.getPerspectiveTransform(
        np.array(corners, dtype=np.float32), np.array(moved, dtype=np.float32)
    )
    pixels = np.asarray(page)
    white = 255 if page.mode == "L" else (255, 255, 255)
    warped = cv2.warpPerspective(
        pixels, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=white
    )
    return Image.fromarray(warped, page.mode)


def erase_rules(pdf: Path, dpi: int = 150) -> list[Image.Image]:
    """The PDF's pages rendered as if its tables were printed without a grid.

    Within each table's area (pdfplumber finds it from the PDF's drawn lines) the ink
    runs a quarter inch long and at most two pixels thick are the 0.5 pt rules; text
    strokes are shorter or thicker, and text outside tables is left alone.
    """
    k = dpi / 72
    with pdfplumber.open(pdf) as document:
        areas = [[t.bbox for t in page.find_tables()] for page in document.pages]
    out = []
    for page, boxes in zip(render_pages(pdf, dpi), areas, strict=True):
        pixels = np.asarray(page).copy()
        ink = (pixels < 200).astype(np.uint8)
        length = dpi // 4
        rules = np.zeros_like(ink)
        for run, thick in (((1, length), (3, length)), ((length, 1), (length, 3))):
            lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(run, np.uint8))
            strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(thick, np.uint8))
            rules |= lines & (1 - strokes)
        rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
        inside = np.zeros_like(ink)
        for x0, top, x1, bottom in boxes:
            inside[
                round(top * k) - 3 : round(bottom * k) + 3,
                round(x0 * k) - 3 : round(x1 * k) + 3,
            ] = 1
        pixels[(rules & inside) > 0] = 255
        out.append(Image.fromarray(pixels, "L"))
    return out


def figure_row_centre(pdf: Path, index: int, dpi: int = 150) -> tuple[int, int]:
    """Pixel centre of the table row with the most figures on page ``index``."""
    k = dpi / 72
    with pdfplumber.open(pdf) as document:
        words = document.pages[index].extract_words()
    figures = [w for w in words if w["text"].isdigit()]
    rows: dict[int, list[float]] = {}
    for w in figures:
        rows.setdefault(round(w["top"]), []).append((w["x0"] + w["x1"]) / 2)
    top, xs = max(rows.items(), key=lambda item: len(item[1]))
    height = next(w["bottom"] - w["top"] for w in figures if round(w["top"]) == top)
    return round(float(np.median(xs)) * k), round((top + height / 2) * k)


def stamp_seal(
    page: Image.Image, centre: tuple[int, int], radius: int, text: str
) -> Image.Image:
    """An RGB copy of the page with a round red seal (公章) stamped at ``centre``.

    Ring, star and issuer name in red ink, multiplied over the print as a stamp's ink
    lies over toner: figures under it stay dark, paper turns red.
    """
    seal = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(seal)
    x, y = centre
    draw.ellipse(
        (x - radius, y - radius, x + radius, y + radius),
        outline=SEAL_RED,
        width=max(3, radius // 14),
    )
    star = [
        (
            x + radius * (0.3 if i % 2 == 0 else 0.12) * np.sin(np.pi * i / 5),
            y - radius * (0.3 if i % 2 == 0 else 0.12) * np.cos(np.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=SEAL_RED)
    font_path = next(str(p) for p in FONT_CANDIDATES if p.exists())
    size = max(10, radius // 4)
    font = ImageFont.truetype(font_path, size)
    for i, char in enumerate(text):
        # Characters along the upper arc, from lower left to lower right.
        theta = np.radians(-120 + 240 * i / max(1, len(text) - 1))
        cx = x + (radius - size) * np.sin(theta)
        cy = y - (radius - size) * np.cos(theta)
        draw.text((cx, cy), char, fill=SEAL_RED, font=font, anchor="mm")
    draw.text((x, y + radius * 0.5), "专用章", fill=SEAL_RED, font=font, anchor="mm")
    base = np.asarray(page.convert("RGB"), dtype=np.uint16)
    ink = np.asarray(seal, dtype=np.uint16)
    return Image.fromarray((base * ink // 255).astype(np.uint8), "RGB")


# Where seals land over table 4 (inches from the middle of its row of figures, at most)
# and how large they are: issuers' seals are 38-42 mm across, 0.75-0.83 in in radius;
# a copy scaled to the page, or a smaller department seal, is down to ~0.55 in.
SEAL_REACH_ACROSS_INCH = 0.67
SEAL_REACH_DOWN_INCH = 0.13
SEAL_RADIUS_INCH = (0.55, 0.83)


def seal_over_figures(
    pdf: Path, rng: random.Random, dpi: int = 150
) -> tuple[Image.Image, tuple[int, int]]:
    """The last page of a PDF with a seal stamped over its widest row of figures.

    The seal's centre and radius are drawn from ``rng`` (see SEAL_*); returns the page
    (not yet degraded) and the centre in pixels.
    """
    pages = render_pages(pdf, dpi)
    x, y = figure_row_centre(pdf, len(pages) - 1, dpi)
    centre = (
        x + round(rng.uniform(-1, 1) * SEAL_REACH_ACROSS_INCH * dpi),
        y + round(rng.uniform(-1, 1) * SEAL_REACH_DOWN_INCH * dpi),
    )
    radius = round(rng.uniform(*SEAL_RADIUS_INCH) * dpi)
    return stamp_seal(pages[-1], centre, radius, "某某市人民政府"), centre


def sealed_scan(pdf: Path, rng: random.Random, path: Path) -> Path:
    """A JPEG scan of the PDF's last page with a seal over its figures (see
    :func:`seal_over_figures`), degraded with ``rng``."""
    page, _ = seal_over_figures(pdf, rng)
    degrade(page, rng, Degradation()).save(path)
    return path


def scan_pdf(
    pdf: Path, rng: random.Random, dpi: int = 150, how: Degradation | None = None
) -> list[Image.Image]:
    """The degraded page images of a PDF."""
    return [degrade(p, rng, how or Degradation()) for p in render_pages(pdf, dpi)]


def scan_pages(
    pages: list[Image.Image], rng: random.Random, how: Degradation | None = None
) -> list[Image.Image]:
    """Degraded copies of page images already prepared (rules erased, seal stamped)."""
    return [degrade(p, rng, how or Degradation()) for p in pages]


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


def table_pictures(made: MadeUpReport, folder: Path, dpi: int = 150) -> list[bytes]:
    """The report's three tables as PNG pictures, as a site or Word file pastes them.

    Each table is laid out alone on a page, rendered and cropped to its ink with a
    small white margin; the PNGs state no resolution (screenshots do not).
    """
    doc = ReportPdf(header=None, page_numbers=False)
    doc.y = 0.0  # all of table 3 fits on one page from the top edge
    doc.table(
        active_disclosure_rows(made.active_template, made.active_disclosure),
        ACTIVE_WIDTHS,
    )
    doc.new_page()
    doc.y = 0.0
    requests = requests_rows(made.requests_template, made.requests)
    doc.table(spans(requests), requests_widths(requests))
    doc.new_page()
    doc.table(review_litigation_rows(made.review_litigation), REVIEW_WIDTHS, size=8)
    pdf = doc.save(folder / "tables.pdf")
    pictures = []
    margin = dpi // 10
    for page in render_pages(pdf, dpi):
        pixels = np.asarray(page)
        rows = np.flatnonzero((pixels < 128).any(axis=1))
        cols = np.flatnonzero((pixels < 128).any(axis=0))
        box = (
            int(cols[0]) - margin,
            int(rows[0]) - margin,
            int(cols[-1]) + margin,
            int(rows[-1]) + margin,
        )
        buffer = io.BytesIO()
        page.crop(box).save(buffer, "PNG")
        pictures.append(buffer.getvalue())
    return pictures


def cell_outcomes(made: MadeUpReport, report: Report) -> list[tuple[str, bool, bool]]:
    """(scope, exact, flagged) for every value of the made-up report's tables.

    Shared by tests/readers/test_scan.py and bench/scan_bench.py.
    """
    # Warnings name a cell (low_confidence, unreadable_value), a row (missing_row) or
    # a column in every row (missing_column: requests.*.legal_service_org).
    warned = [w.where for w in report.warnings if w.where and "." in w.where]
    failed = [c.scope for c in report.checks if c.status == "fail"]
    outcomes = []
    for table in TABLES:
        expected = getattr(made, table)
        got = getattr(report, table)
        for row, fields in expected.items():
            for field, value in fields.items():
                scope = f"{table}.{row}.{field}"
                exact = got.get(row, {}).get(field, "missing") == value
                flagged = any(
                    scope == w or scope.startswith(f"{w}.") or fnmatchcase(scope, w)
                    for w in warned
                )
                # A failed check flags every cell of its row (R3, R4) or column (R1, R2).
                flagged = flagged or any(
                    scope.startswith(f"{f}.")
                    or (f.startswith(f"{table}.") and f.endswith(f".{field}"))
                    for f in failed
                )
                outcomes.append((scope, exact, flagged))
    return outcomes


@dataclass
class Tally:
    """Cells over many scans: exact, wrong but flagged, and the ones not exact."""

    total: int = 0
    exact: int = 0
    flagged: int = 0
    losses: list[tuple[str, str, bool]] = dataclasses.field(default_factory=list)

    def add(self, case: str, outcomes: list[tuple[str, bool, bool]]) -> None:
        """Count one scan's (scope, exact, flagged) outcomes under its case name."""
        self.total += len(outcomes)
        self.exact += sum(1 for _, ok, _ in outcomes if ok)
        self.flagged += sum(1 for _, ok, f in outcomes if not ok and f)
        self.losses += [(case, scope, f) for scope, ok, f in outcomes if not ok]

    @property
    def silent(self) -> int:
        """Cells wrong and not flagged."""
        return self.total - self.exact - self.flagged

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{self.exact}/{self.total} = {self.exact / max(1, self.total):.2%} exact; "
            f"wrong and flagged {self.flagged}; wrong and silent {self.silent}"
        )

    def table(self) -> list[str]:
        """The counts as a markdown table."""
        return [
            "| cells | exact | wrong, flagged | wrong, silent |",
            "|---:|---:|---:|---:|",
            f"| {self.total} | {self.exact} ({self.exact / max(1, self.total):.2%}) "
            f"| {self.flagged} | {self.silent} |",
        ]
