"""OFD packages (GB/T 33190): the pages' text, path and image objects, in millimetres.

An OFD is a ZIP: ``OFD.xml`` names each document's ``Document.xml``, which lists the
pages (each a ``Content.xml``), the templates pages draw on, and the resource files
(fonts, images). Every object has a ``Boundary`` ("x y w h", mm, origin top-left) and
may carry a ``CTM`` that maps its own coordinates into that boundary. Paths inside the
package are relative to the file that names them, or absolute from the package root.
Only what the report's reading needs is kept: glyph positions and sizes, stroked and
filled paths (table rules), images with their box, and page sizes.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from extractors.errors import DocumentLoadError, ErrorCode

# Limits against hostile packages: no part of a report's OFD comes near them.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
# A4 portrait when neither page nor document gives a PhysicalBox.
_DEFAULT_BOX = (0.0, 0.0, 210.0, 297.0)
# OFD's default stroke width (mm), GB/T 33190 §9.1.
_DEFAULT_LINE_WIDTH = 0.353
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Glyph:
    """One character at its baseline origin on the page (mm)."""

    text: str
    x: float
    y: float
    size: float
    bold: bool


@dataclass(frozen=True)
class Stroke:
    """A path's subpaths as point lists on the page (mm); closed ones end at the start."""

    subpaths: tuple[tuple[tuple[float, float], ...], ...]
    width: float
    stroke: bool
    fill: bool
    stroke_rgb: tuple[int, int, int]
    fill_rgb: tuple[int, int, int]


@dataclass(frozen=True)
class Picture:
    """An image drawn into a box on the page (mm)."""

    data: bytes
    x: float
    y: float
    width: float
    height: float


@dataclass
class OfdPage:
    """One page: its size (mm) and its objects in drawing order."""

    width: float
    height: float
    objects: list[Glyph | Stroke | Picture] = field(default_factory=list)


def local(element: etree._Element) -> str:
    """An element's tag without its namespace (``ofd:Page`` → ``Page``); "" for comments."""
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def numbers(text: str | None) -> list[float]:
    """The numbers of an OFD number list ("0 0 210 297")."""
    return [float(n) for n in _NUMBER.findall(text or "")]


class OfdPackage:
    """An opened OFD file whose pages are read on demand.

    Raises:
        DocumentLoadError: ``corrupt`` for a broken ZIP or missing parts, ``encrypted``
            for an encrypted package, ``too_large`` past the size limits.
    """

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"broken OFD (ZIP) package: {exc}"
            ) from exc
        self.names = {info.filename.lstrip("/"): info for info in self.zip.infolist()}
        if sum(info.file_size for info in self.names.values()) > MAX_TOTAL_BYTES:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE, "the OFD package unpacks to over 512 MB"
            )
        root = self.xml("OFD.xml")
        doc_root = _find_text(root, "DocRoot")
        if doc_root is None:
            raise DocumentLoadError(ErrorCode.CORRUPT, "OFD.xml names no DocRoot")
        if any(local(e) == "Encryptions" for e in root.iter()) or any(
            n.lower().endswith("encryptions.xml") for n in self.names
        ):
            raise DocumentLoadError(ErrorCode.ENCRYPTED, "the OFD file is encrypted")
        self.document_path = _resolve("", doc_root)
        self.document = self.xml(self.document_path)
        self.base = posixpath.dirname(self.document_path)
        common = _child(self.document, "CommonData")
        self.default_box = _box(common, _DEFAULT_BOX)
        self.fonts: dict[str, tuple[str, bool]] = {}
        self.media: dict[str, str] = {}
        self.templates: dict[str, str] = {}
        if common is not None:
            for item in common:
                if local(item) in ("PublicRes", "DocumentRes") and item.text:
                    self._read_res(_resolve(self.base, item.text.strip()))
                elif local(item) == "TemplatePage" and item.get("BaseLoc"):
                    self.templates[item.get("ID", "")] = _resolve(
                        self.base, item.get("BaseLoc", "")
                    )
        pages = _child(self.document, "Pages")
        self.page_paths = [
            _resolve(self.base, page.get("BaseLoc", ""))
            for page in (pages if pages is not None else [])
            if local(page) == "Page"
        ]

    def read(self, path: str) -> bytes:
        """The bytes of a part, by its path inside the package."""
        info = self.names.get(path.lstrip("/"))
        if info is None:
            raise DocumentLoadError(ErrorCode.CORRUPT, f"the OFD lacks its part {path}")
        if info.file_size > MAX_PART_BYTES:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE, f"the OFD part {path} is over 64 MB"
            )
        with self.zip.open(info) as stream:
            return stream.read(MAX_PART_BYTES + 1)[:MAX_PART_BYTES]

    def xml(self, path: str) -> etree._Element:
        """A part parsed as XML (no entities, no DTD, no network)."""
        try:
            return etree.fromstring(self.read(path), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"the OFD part {path} is not XML: {exc}"
            ) from exc

    def page(self, index: int) -> OfdPage:
        """Page ``index`` (0-based) with its templates' objects drawn around it."""
        path = self.page_paths[index]
        content = self.xml(path)
        x0, y0, width, height = _box(_child(content, "Area"), self.default_box)
        page = OfdPage(width=width, height=height)
        origin = (-x0, -y0)
        back: list[etree._Element] = []
        front: list[etree._Element] = []
        for ref in content:
            if local(ref) != "Template":
                continue
            tpl = self.templates.get(ref.get("TemplateID", ""))
            if tpl is None:
                continue
            layer = front if ref.get("ZOrder") == "Foreground" else back
            layer.append(self.xml(tpl))
        for part in (*back, content, *front):
            body = _child(part, "Content")
            if body is None:
                continue
            try:
                self._collect(body, origin, page.objects)
            except ValueError as exc:  # a number attribute that is no number
                raise DocumentLoadError(
                    ErrorCode.CORRUPT, f"the OFD page {path} is malformed: {exc}"
                ) from exc
        return page

    def _read_res(self, path: str) -> None:
        res = self.xml(path)
        folder = _resolve(posixpath.dirname(path), res.get("BaseLoc", "") or ".")
        for element in res.iter():
            kind = local(element)
            if kind == "Font":
                name = f"{element.get('FontName', '')} {element.get('FamilyName', '')}"
                bold = element.get("Bold") == "true" or bool(_BOLD_NAME.search(name))
                self.fonts[element.get("ID", "")] = (name.strip(), bold)
            elif kind == "MultiMedia":
                file = _find_text(element, "MediaFile")
                if file:
                    self.media[element.get("ID", "")] = _resolve(folder, file)

    def _collect(
        self,
        container: etree._Element,
        origin: tuple[float, float],
        out: list[Glyph | Stroke | Picture],
    ) -> None:
        for obj in container:
            kind = local(obj)
            if kind in ("Layer", "PageBlock"):
                self._collect(obj, origin, out)
                continue
            bx, by, bw, bh = [*numbers(obj.get("Boundary")), 0.0, 0.0, 0.0, 0.0][:4]
            ctm = _matrix(obj.get("CTM"))
            place = (bx + origin[0], by + origin[1])
            if kind == "TextObject":
                out.extend(self._glyphs(obj, place, ctm))
            elif kind == "PathObject":
                stroke = _path(obj, place, ctm)
                if stroke is not None:
                    out.append(stroke)
            elif kind == "ImageObject":
                # Its CTM maps the unit square onto the Boundary ("w 0 0 h 0 0" as
                # producers write it): the picture fills its boundary box.
                media = self.media.get(obj.get("ResourceID", ""))
                if media is not None and media.lstrip("/") in self.names:
                    out.append(Picture(self.read(media), place[0], place[1], bw, bh))

    def _glyphs(
        self, obj: etree._Element, place: tuple[float, float], ctm: Matrix
    ) -> list[Glyph]:
        _, font_bold = self.fonts.get(obj.get("Font", ""), ("", False))
        bold = font_bold or float(obj.get("Weight", "400") or 400) >= 700
        scale = abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) ** 0.5
        size = float(obj.get("Size", "3.5") or 3.5) * scale
        glyphs: list[Glyph] = []
        x = y = 0.0
        for code in obj:
            if local(code) != "TextCode":
                continue
            text = code.text or ""
            x = float(code.get("X", x))
            y = float(code.get("Y", y))
            dxs = expand_deltas(code.get("DeltaX"))
            dys = expand_deltas(code.get("DeltaY"))
            for i, ch in enumerate(text):
                px = ctm[0] * x + ctm[2] * y + ctm[4] + place[0]
                py = ctm[1] * x + ctm[3] * y + ctm[5] + place[1]
                if not ch.isspace():
                    glyphs.append(Glyph(ch, px, py, size, bold))
                step = size if not ch.isascii() else size / 2
                x += dxs[i] if i < len(dxs) else step if not dys else 0.0
                y += dys[i] if i < len(dys) else 0.0
        return glyphs


# Font names that say the face is heavy: Chinese templates set headings in 黑体/小标宋.
_BOLD_NAME = re.compile(r"bold|black|heavy|黑体|simhei|heiti|小标宋", re.I)


def expand_deltas(text: str | None) -> list[float]:
    """A DeltaX/DeltaY list, with its ``g N v`` shorthand (N times v) expanded."""
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out.extend([float(tokens[i + 2])] * min(int(float(tokens[i + 1])), 100000))
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return out


def _path(
    obj: etree._Element, place: tuple[float, float], ctm: Matrix
) -> Stroke | None:
    """A PathObject's subpaths (curves as their end points: rules are straight)."""
    data = _find_text(obj, "AbbreviatedData") or ""
    tokens = data.split()
    subpaths: list[list[tuple[float, float]]] = []
    start = (0.0, 0.0)
    i = 0
    arity = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    while i < len(tokens):
        op = tokens[i]
        n = arity.get(op)
        if n is None:
            i += 1
            continue
        if i + n >= len(tokens) and n:
            break
        args = [float(t) for t in tokens[i + 1 : i + 1 + n]]
        i += 1 + n
        if op in ("S", "M"):
            start = (args[0], args[1])
            subpaths.append([start])
        elif op == "C":
            if subpaths:
                subpaths[-1].append(subpaths[-1][0])
        elif subpaths:
            subpaths[-1].append((args[-2], args[-1]))
    if not subpaths:
        return None

    def on_page(p: tuple[float, float]) -> tuple[float, float]:
        x, y = p
        return (
            ctm[0] * x + ctm[2] * y + ctm[4] + place[0],
            ctm[1] * x + ctm[3] * y + ctm[5] + place[1],
        )

    return Stroke(
        subpaths=tuple(tuple(on_page(p) for p in sp) for sp in subpaths if len(sp) > 1),
        width=float(obj.get("LineWidth", _DEFAULT_LINE_WIDTH) or _DEFAULT_LINE_WIDTH),
        stroke=obj.get("Stroke", "true") != "false",
        fill=obj.get("Fill", "false") == "true",
        stroke_rgb=_colour(_child(obj, "StrokeColor")),
        fill_rgb=_colour(_child(obj, "FillColor")),
    )


def _colour(element: etree._Element | None) -> tuple[int, int, int]:
    values = [
        int(v) for v in numbers(None if element is None else element.get("Value"))
    ]
    return (values[0], values[1], values[2]) if len(values) >= 3 else (0, 0, 0)


def _matrix(text: str | None) -> Matrix:
    values = numbers(text)
    if len(values) != 6:
        return IDENTITY
    a, b, c, d, e, f = values
    return (a, b, c, d, e, f)


def _box(
    area: etree._Element | None, default: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    values = numbers(_find_text(area, "PhysicalBox") if area is not None else None)
    if len(values) != 4 or values[2] <= 0 or values[3] <= 0:
        return default
    return (values[0], values[1], values[2], values[3])


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((c for c in element if local(c) == name), None)


def _find_text(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    for found in element.iter():
        if local(found) == name and found.text:
            return found.text.strip()
    return None


def _resolve(base: str, location: str) -> str:
    """A part path named in a file under ``base``: absolute from the root, else relative."""
    location = location.strip().replace("\\", "/")
    if location.startswith("/"):
        return posixpath.normpath(location).lstrip("/")
    return posixpath.normpath(posixpath.join(base, location)).lstrip("/")
