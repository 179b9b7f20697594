"""One page's text layer and drawing read with pdfium: chars, ruling edges, images.

pdfium reads a page's content stream ~10× faster than pdfminer (pdfplumber's parser),
which was ~80% of the reader's time. This module gives the rest of the reader what it
used from pdfplumber, in the same shapes: char dicts (``text``, ``x0``, ``x1``, ``top``,
``bottom``, ``size``, ``fontname``) and edge dicts (``x0``, ``x1``, ``top``, ``bottom``,
``width``, ``height``, ``orientation``) in points from the top-left corner.

Coordinates are those of the page as its text reads: when the glyphs are drawn rotated
(a landscape table turned onto a portrait page, with or without ``/Rotate`` to show it
upright on screen) the whole page is turned so that lines run left to right. ``/Rotate``
alone never turns the frame: it says how a viewer shows the page, not how text runs.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.readers.pdf_text import DUPLICATE_TOLERANCE, Char, char_key

Point = tuple[float, float]
Matrix = tuple[float, float, float, float, float, float]
_TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
_WANTED = (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, _TEXT)
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# A segment counts as a horizontal or vertical rule when it is this close (pt) to it.
_AXIS_TOLERANCE = 0.5
# Colours at or above this (0–255 per channel) are white: Word's invisible shading.
_WHITE = 242
# Form XObjects nest; deeper than this is no document a reader needs.
_MAX_FORM_DEPTH = 6


@dataclass
class PageLayer:
    """What one page holds for the reader, upright."""

    width: float
    height: float
    # Degrees the page was turned (counter-clockwise) so that its text reads upright.
    turned: int = 0
    chars: list[Char] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, float]] = field(default_factory=list)
    # Keys (see pdf_text.char_key) of glyphs drawn twice to fake a bold face: pdfium
    # drops the second copy from the text, so the copies are found among the objects.
    fake_bold: set[tuple[str, int, int]] = field(default_factory=set)


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    """The document opened by pdfium (empty user password accepted).

    Raises:
        pypdfium2.PdfiumError: When the file is not a PDF, is damaged beyond repair, or
            needs a password.
    """
    return pdfium.PdfDocument(data, password="")


def read_layer(page: pdfium.PdfPage) -> PageLayer:
    """Chars, visible ruling edges and image boxes of one page, upright.

    Args:
        page: An open pdfium page.

    Returns:
        The page's layer; ``turned`` says how it was rotated to read upright.
    """
    # The crop box as stored: get_bbox() would turn it by /Rotate, which the glyphs'
    # coordinates are not.
    x0, y0, x1, y1 = page.get_cropbox()
    textpage = page.get_textpage()
    try:
        raw = list(_raw_chars(textpage))
        objects = list(_objects(page))
        doubled = _doubled_text([obj for kind, obj, _ in objects if kind == _TEXT])
    finally:
        textpage.close()
    turned = _reading_rotation(raw)
    to_page = _frame(turned, (x0, y0, x1, y1))
    width, height = (x1 - x0, y1 - y0) if turned in (0, 180) else (y1 - y0, x1 - x0)
    layer = PageLayer(width=width, height=height, turned=turned)
    for text, box, size, font in raw:
        if turned == 0:  # the common case, without the general mapping's calls
            left, top, right, bottom = (
                box[0] - x0,
                y1 - box[3],
                box[2] - x0,
                y1 - box[1],
            )
        else:
            left, top, right, bottom = _box(to_page, box)
        layer.chars.append(
            {
                "text": text,
                "x0": left,
                "x1": right,
                "top": top,
                "bottom": bottom,
                "size": size,
                "fontname": font,
            }
        )
    for box in doubled:
        left, top, right, bottom = _box(to_page, box)
        layer.fake_bold.update(
            char_key(ch)
            for ch in layer.chars
            if left <= (ch["x0"] + ch["x1"]) / 2 <= right
            and top <= (ch["top"] + ch["bottom"]) / 2 <= bottom
        )
    for kind, obj, matrix in objects:
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            layer.edges.extend(_path_edges(obj, matrix, to_page))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            corners = (left, bottom, right, top)
            im_x0, im_top, im_x1, im_bottom = _box(to_page, corners)
            layer.images.append(
                {"x0": im_x0, "top": im_top, "x1": im_x1, "bottom": im_bottom}
            )
    return layer


_RawChar = tuple[str, tuple[float, float, float, float], float, str]


def _raw_chars(textpage: pdfium.PdfTextPage) -> Iterator[_RawChar]:
    """Glyphs in content-stream order: text, user-space box, size, font name.

    pdfium adds spaces and line breaks of its own between glyphs; those are skipped,
    the reader groups glyphs itself. A glyph without a Unicode mapping reads U+FFFD.
    """
    handle = textpage.raw
    rect = pdfium_c.FS_RECTF()
    fonts: dict[bytes, str] = {}
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for i in range(pdfium_c.FPDFText_CountChars(handle)):
        if pdfium_c.FPDFText_IsGenerated(handle, i):
            continue
        code = pdfium_c.FPDFText_GetUnicode(handle, i)
        if code in (0, 0xFFFE, 0xFFFF) or pdfium_c.FPDFText_HasUnicodeMapError(
            handle, i
        ):
            text = "\ufffd"
        else:
            text = chr(code)
        if not pdfium_c.FPDFText_GetLooseCharBox(handle, i, rect):
            continue
        # Asking for the font is cheaper than finding the char's text object.
        n = pdfium_c.FPDFText_GetFontInfo(handle, i, buffer, len(buffer), flags)
        name = buffer.value if n else b""
        font = fonts.get(name)
        if font is None:
            font = fonts[name] = name.decode("utf-8", "replace")
        size = pdfium_c.FPDFText_GetFontSize(handle, i)
        yield text, (rect.left, rect.bottom, rect.right, rect.top), size, font


def _reading_rotation(raw: list[_RawChar]) -> int:
    """Counter-clockwise degrees the text is drawn at (0, 90, 180, 270).

    Judged by how consecutive glyphs advance: the turn under which most of them step
    right along a line is the one that makes the page read upright.
    """
    ink = [box for text, box, _, _ in raw if not text.isspace()]
    if len(ink) < 2:
        return 0
    best, best_score = 0, -1
    for turned in (0, 90, 180, 270):
        to_page = _frame(turned, (0.0, 0.0, 0.0, 0.0))
        boxes = [_box(to_page, b) for b in ink]
        score = sum(
            1
            for a, b in pairwise(boxes)
            if b[0] > a[0] and abs(b[1] - a[1]) < (a[3] - a[1]) / 2
        )
        if turned == 0 and 2 * score >= len(boxes) - 1:
            return 0  # most glyphs already step right: no need to try the turns
        if score > best_score:
            best, best_score = turned, score
    return best


def _frame(
    turned: int, bbox: tuple[float, float, float, float]
) -> Callable[[Point], Point]:
    """Maps a user-space point to the upright page's top-left coordinates."""
    x0, y0, x1, y1 = bbox

    def to_page(point: Point) -> Point:
        x, y = point
        if turned == 90:
            return (y - y0, x - x0)
        if turned == 180:
            return (x1 - x, y - y0)
        if turned == 270:
            return (y1 - y, x1 - x)
        return (x - x0, y1 - y)

    return to_page


def _box(
    to_page: Callable[[Point], Point], box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A user-space box ``(left, bottom, right, top)`` as ``(x0, top, x1, bottom)``."""
    a = to_page((box[0], box[1]))
    b = to_page((box[2], box[3]))
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[int, Any, Matrix]]:
    """Path and image objects with the matrix of the forms they sit in."""
    stack: list[Matrix] = [_IDENTITY]
    for obj in page.get_objects(max_depth=_MAX_FORM_DEPTH):
        del stack[obj.level + 1 :]
        parent = stack[obj.level] if obj.level < len(stack) else stack[-1]
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            own = obj.get_matrix().get()
            stack.append(_compose(own, parent))
        elif obj.type in _WANTED and (obj.type != _TEXT or obj.level == 0):
            # Text boxes are only compared with each other (fake bold), not mapped.
            yield obj.type, obj, parent


def _doubled_text(objects: list[Any]) -> list[tuple[float, float, float, float]]:
    """User-space boxes of text objects drawn again a fraction of a point away.

    pdfium leaves the copy out of the page's text, so it is told by its box alone: two
    text objects of the same size at (almost) the same place are one run overprinted.
    """
    # Boxes by their corner on a grid of the tolerance: a twin is in a neighbour cell.
    seen: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    doubled: list[tuple[float, float, float, float]] = []
    for obj in objects:
        box = obj.get_bounds()
        gx, gy = int(box[0] // DUPLICATE_TOLERANCE), int(box[1] // DUPLICATE_TOLERANCE)
        if any(
            all(abs(v - w) < DUPLICATE_TOLERANCE for v, w in zip(box, t, strict=True))
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for t in seen.get((gx + dx, gy + dy), ())
        ):
            doubled.append(box)
        seen.setdefault((gx, gy), []).append(box)
    return doubled


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _visible(getter: Callable[..., int], handle: Any) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(handle, r, g, b, a):
        return False
    white = min(r.value, g.value, b.value) >= _WHITE
    return a.value > 0 and not white


def _path_edges(
    obj: Any, parent: Matrix, to_page: Callable[[Point], Point]
) -> list[dict[str, Any]]:
    """Edges of a path's straight, axis-aligned segments, if the path shows.

    As in pdfplumber, a closed rectangle gives its four sides whether it is stroked
    or filled; white or unpainted paths give nothing (Word's paragraph shading).
    """
    handle = obj.raw
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(handle, fill_mode, stroke):
        return []
    stroked = bool(stroke.value) and _visible(
        pdfium_c.FPDFPageObj_GetStrokeColor, handle
    )
    filled = bool(fill_mode.value) and _visible(
        pdfium_c.FPDFPageObj_GetFillColor, handle
    )
    if not (stroked or filled):
        return []
    matrix = _compose(obj.get_matrix().get(), parent)
    x, y = ctypes.c_float(), ctypes.c_float()
    segments: list[tuple[Point, Point]] = []
    start: Point | None = None
    current: Point | None = None
    for i in range(pdfium_c.FPDFPath_CountSegments(handle)):
        segment = pdfium_c.FPDFPath_GetPathSegment(handle, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = to_page(_apply(matrix, x.value, y.value))
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = current = point
            continue
        if current is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            segments.append((current, point))
        current = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            segments.append((point, start))
            current = start
    return [edge for a, b in segments if (edge := _edge(a, b)) is not None]


def _edge(a: Point, b: Point) -> dict[str, Any] | None:
    x0, x1 = sorted((a[0], b[0]))
    top, bottom = sorted((a[1], b[1]))
    if bottom - top <= _AXIS_TOLERANCE and x1 > x0:
        mid = (top + bottom) / 2
        return {
            "x0": x0,
            "x1": x1,
            "top": mid,
            "bottom": mid,
            "width": x1 - x0,
            "height": 0.0,
            "orientation": "h",
            "object_type": "line",
        }
    if x1 - x0 <= _AXIS_TOLERANCE and bottom > top:
        mid = (x0 + x1) / 2
        return {
            "x0": mid,
            "x1": mid,
            "top": top,
            "bottom": bottom,
            "width": 0.0,
            "height": bottom - top,
            "orientation": "v",
            "object_type": "line",
        }
    return None
