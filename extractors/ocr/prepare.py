"""Page images for OCR: rendering, binarizing, deskewing and turning pages upright.

Every step is a small function on grayscale ``uint8`` arrays (dark ink on light paper).
Skew is found by the projection-profile method: text lines and ruling lines give the
sharpest row profile when they are level. Pages turned by 90° are found the same way
(rows of a level page are sharper than its columns), pages upside down by the PP-OCR
orientation classifier on a few text lines.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image as PilImage
from PIL import ImageSequence

from extractors.errors import DocumentLoadError, ErrorCode
from extractors.ocr.engine import Image, OcrEngine
from extractors.ocr.grid import ink_to_rules
from extractors.ocr.seal import to_gray

_log = logging.getLogger(__name__)

# Skew search range and steps in degrees: scanners and phone photos of flat pages stay
# within ±3°; a coarse pass then a fine pass around the best coarse angle.
MAX_SKEW = 3.0
_COARSE_STEP = 0.25
_FINE_STEP = 0.05
# Skew is measured on a copy this many pixels wide (a 150-dpi A4 page is 1240): enough
# to resolve 0.05° over the page width, and ~20x cheaper than full size. The coarse pass
# runs on a copy half as wide again: 0.25° steps still tell apart there, and it found
# the same angle on every page of the scan bench at ~40% less time for the search.
_SKEW_WIDTH = 800
# Below this angle the page is left as it is (resampling blurs more than it helps).
_MIN_SKEW = 0.1
# A page whose top and bottom thirds differ in skew by this much (degrees) was
# photographed at an angle; below it the two measurements agree within their step.
_MIN_KEYSTONE = 0.15
# Each third must be this tall (pixels) and hold this much ink to be measured.
_MIN_KEYSTONE_BAND = 60
_MIN_KEYSTONE_INK = 2000
# A turned page's column profile must beat its row profile by this factor: level text
# pages score ~3-10x higher on rows, so a 1.5x margin never turns a level page.
_TURN_MARGIN = 1.5
# Text lines the orientation classifier looks at (at least _MIN_…), and by how much their
# mean probability of being upside down must exceed that of the same lines turned over.
_ORIENTATION_LINES = 12
_MIN_ORIENTATION_LINES = 2
_UPSIDE_DOWN_MARGIN = 0.3
# Adaptive threshold window (px at 150 dpi, scaled) and offset; the offset keeps paper
# grain and scanner noise (σ≈10 grey levels) out of the ink.
_THRESHOLD_WINDOW_INCH = 0.2
_THRESHOLD_OFFSET = 18
# (gray, ink, dpi) → crops of a few text lines on the page (see ``ocr.lines``).
LineCropper = Callable[[Image, Image, float], list[Image]]
# Images that state no resolution are taken as A4 pages (long side 11.69 in); a stated
# resolution outside this range is a placeholder (72 dpi from screen-capture tools).
A4_LONG_SIDE_INCH = 11.69
_MIN_STATED_DPI = 100
_MAX_STATED_DPI = 1200
# A picture narrower than this resolution over its printed width is a thumbnail; it is
# read as if it had this much (OCR still fails on it, honestly, as unreadable).
_MIN_PICTURE_DPI = 60


@dataclass(frozen=True)
class PreparedPage:
    """A page image ready for OCR and what was done to it."""

    image: Image
    ink: Image
    dpi: float
    skew: float
    turned: int  # degrees counter-clockwise: 0, 90, 180 or 270


def render_pdf_pages(
    data: bytes, pages: list[int], dpi: float
) -> Iterator[tuple[int, Image]]:
    """Render PDF pages to grayscale images with pdfium.

    Args:
        data: The PDF file.
        pages: 1-based page numbers.
        dpi: Rendering resolution.

    Yields:
        (page number, image) pairs, one page in memory at a time.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"pdfium cannot open the PDF: {exc}"
        ) from exc
    try:
        for number in pages:
            page = pdf[number - 1]
            try:
                # In colour: seal ink is told from print by its hue (to_gray).
                bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)
                yield number, to_gray(bitmap.to_numpy(), dpi)
            finally:
                page.close()
    finally:
        pdf.close()


def count_image_pages(data: bytes) -> int:
    """How many pages (frames) an image file has, without decoding them.

    Raises:
        DocumentLoadError: ``corrupt`` or ``too_large`` as :func:`load_image_pages`.
    """
    with _decoding(), PilImage.open(io.BytesIO(data)) as picture:
        return int(getattr(picture, "n_frames", 1))


def load_image_pages(
    data: bytes, width_inch: float | None = None
) -> Iterator[tuple[Image, float]]:
    """Decode an image file (PNG, JPEG, TIFF incl. multi-page) into grayscale pages.

    Colour pages lose their seal ink on the way (see :func:`to_gray`).

    Args:
        data: The image file.
        width_inch: How wide the picture is printed when it may be no whole page
            (a picture of a table spans the text column); None for page scans.

    Yields:
        (image, dpi) per page; when the file states no resolution (or a placeholder
        such as 72 dpi), it is taken from the page size as if the page were A4, or
        from ``width_inch``.

    Raises:
        DocumentLoadError: ``corrupt`` when the image cannot be decoded.
    """
    with _decoding():
        picture = PilImage.open(io.BytesIO(data))
        for frame in ImageSequence.Iterator(picture):
            colour = frame.mode not in ("1", "L", "LA", "I", "I;16", "F")
            pixels = np.asarray(frame.convert("RGB" if colour else "L"), np.uint8)
            dpi = _image_dpi(frame.info.get("dpi"), pixels.shape, width_inch)
            yield to_gray(pixels, dpi), dpi


@contextmanager
def _decoding() -> Iterator[None]:
    """Pillow's decoding failures as load errors."""
    try:
        yield
    except PilImage.DecompressionBombError as exc:
        # Pillow's guard against images that inflate to gigabytes (TEMPLATE §6).
        raise DocumentLoadError(ErrorCode.TOO_LARGE, str(exc)) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"cannot decode the image: {exc}"
        ) from exc


def _image_dpi(
    stated: object, shape: tuple[int, ...], width_inch: float | None
) -> float:
    """The stated resolution if plausible, else the one an A4 page of this size has
    (or a picture ``width_inch`` wide)."""
    value = stated[0] if isinstance(stated, tuple) and stated else None
    if isinstance(value, (int, float)) and _MIN_STATED_DPI <= value <= _MAX_STATED_DPI:
        return float(value)
    if width_inch is not None:
        return max(_MIN_PICTURE_DPI, shape[1] / width_inch)
    return max(shape[:2]) / A4_LONG_SIDE_INCH


def image_media_type(data: bytes) -> str | None:
    """The MIME type of an image file (image/png, image/jpeg, image/tiff), if known."""
    try:
        with PilImage.open(io.BytesIO(data)) as picture:
            mime = picture.get_format_mimetype()
    except (OSError, ValueError, SyntaxError, PilImage.DecompressionBombError):
        return None
    return mime


def image_to_ink(gray: Image, dpi: float) -> Image:
    """Binary ink mask (255 = ink) by adaptive threshold, robust to uneven lighting."""
    window = max(3, int(_THRESHOLD_WINDOW_INCH * dpi) | 1)
    return cv2.adaptiveThreshold(
        gray,
        255,
        cv2.ADAPTIVE_THRESH_MEAN_C,
        cv2.THRESH_BINARY_INV,
        window,
        _THRESHOLD_OFFSET,
    )


def find_skew(ink: Image) -> float:
    """The page's skew in degrees (counter-clockwise positive), within ±MAX_SKEW."""
    scale = min(1.0, _SKEW_WIDTH / ink.shape[1])
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    half = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, _COARSE_STEP)
    best = max(coarse, key=lambda a: _profile_score(half, float(a)))
    fine = np.arange(best - _COARSE_STEP, best + _COARSE_STEP + 1e-9, _FINE_STEP)
    # The best angle levels the page; the page's own skew is its opposite.
    return -float(max(fine, key=lambda a: _profile_score(small, float(a))))


@dataclass(frozen=True)
class Keystone:
    """What is left of the skew after levelling, measured at two heights of a page
    photographed at a slight angle (its lines fan out instead of running parallel)."""

    top_y: float
    top_angle: float
    bottom_y: float
    bottom_angle: float


def find_keystone(ink: Image) -> Keystone | None:
    """The skews of the top and bottom thirds of a levelled page, if they differ.

    Returns:
        None for a flat scan (both thirds level within ``_MIN_KEYSTONE`` degrees) or
        a page with too little ink in either third to tell.
    """
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    first, last = int(rows[0]), int(rows[-1]) + 1
    third = (last - first) // 3
    if third < _MIN_KEYSTONE_BAND:
        return None
    top, bottom = ink[first : first + third], ink[last - third : last]
    if min(np.count_nonzero(top), np.count_nonzero(bottom)) < _MIN_KEYSTONE_INK:
        return None
    found = Keystone(
        first + third / 2, find_skew(top), last - third / 2, find_skew(bottom)
    )
    if abs(found.top_angle - found.bottom_angle) < _MIN_KEYSTONE:
        return None
    return found


def level_keystone(image: Image, keystone: Keystone) -> Image:
    """The page warped so that lines at both measured heights run level.

    The lines through the two measured heights at their measured angles are mapped
    onto horizontal lines at the same heights by a perspective transform; lines in
    between follow, as they do on a page photographed slightly from the side.
    """
    h, w = image.shape[:2]
    centre = w / 2

    def line(y: float, angle: float) -> list[tuple[float, float]]:
        rise = centre * float(np.tan(np.radians(angle)))
        return [(0.0, y + rise), (float(w), y - rise)]

    source = line(keystone.top_y, keystone.top_angle) + line(
        keystone.bottom_y, keystone.bottom_angle
    )
    target = line(keystone.top_y, 0.0) + line(keystone.bottom_y, 0.0)
    matrix = cv2.getPerspectiveTransform(
        np.array(source, dtype=np.float32), np.array(target, dtype=np.float32)
    )
    return cv2.warpPerspective(
        image,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def rotate(image: Image, angle: float, fill: int) -> Image:
    """Rotate about the centre by ``angle`` degrees counter-clockwise, same size."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        image,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )


def is_turned(ink: Image) -> bool:
    """True when text runs vertically: the page is turned by 90° or 270°."""
    scale = min(1.0, _SKEW_WIDTH / max(ink.shape))
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rows = _sharpness(small.sum(axis=1, dtype=np.float64))
    cols = _sharpness(small.sum(axis=0, dtype=np.float64))
    return cols > _TURN_MARGIN * rows


def prepare_page(
    gray: Image, dpi: float, engine: OcrEngine, line_crops: LineCropper
) -> PreparedPage:
    """Turn a page upright and level it.

    Args:
        gray: The page as scanned.
        dpi: Its resolution.
        engine: For the 0/180° decision.
        line_crops: Finds a few text-line crops on an upright page.

    Returns:
        The prepared page with its ink mask.
    """
    turned = 0
    ink = image_to_ink(gray, dpi)
    if is_turned(ink):
        gray = np.ascontiguousarray(np.rot90(gray, k=-1))
        ink = np.ascontiguousarray(np.rot90(ink, k=-1))
        turned = 270
    skew = find_skew(ink)
    if abs(skew) >= _MIN_SKEW:
        gray = rotate(gray, -skew, 255)  # cv2 turns counter-clockwise for positive
        ink = image_to_ink(gray, dpi)
    keystone = find_keystone(ink)
    if keystone is not None:
        gray = level_keystone(gray, keystone)
        ink = image_to_ink(gray, dpi)
    if _upside_down(gray, ink, dpi, engine, line_crops):
        gray = np.ascontiguousarray(gray[::-1, ::-1])
        ink = np.ascontiguousarray(ink[::-1, ::-1])
        turned = (turned + 180) % 360
    if turned or abs(skew) >= _MIN_SKEW:
        _log.debug("page turned %d°, skew %.2f°", turned, skew)
    return PreparedPage(gray, ink, dpi, skew, turned)


def _upside_down(
    gray: Image, ink: Image, dpi: float, engine: OcrEngine, line_crops: LineCropper
) -> bool:
    """Whether the classifier finds the text lines more upright when turned over.

    Each line is classified as it stands and turned by 180°; comparing the two keeps
    lines the classifier is unsure of (short ones, table text between rules) from
    flipping a level page on their own.
    """
    horizontal, vertical = ink_to_rules(ink, dpi)
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    text_only = cv2.subtract(ink, rules)
    crops = line_crops(gray, text_only, dpi)[:_ORIENTATION_LINES]
    if len(crops) < _MIN_ORIENTATION_LINES:
        return False
    as_is = float(np.mean(engine.upside_down(crops)))
    turned = float(np.mean(engine.upside_down([c[::-1, ::-1] for c in crops])))
    return as_is - turned > _UPSIDE_DOWN_MARGIN


def _profile_score(small: Image, angle: float) -> float:
    h, w = small.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(small, matrix, (w, h), flags=cv2.INTER_NEAREST)
    return _sharpness(turned.sum(axis=1, dtype=np.float64))


def _sharpness(profile: np.ndarray) -> float:
    """Sum of squared differences of a projection profile: high when lines are level."""
    return float(np.square(np.diff(profile)).sum())
