"""Writes OFD packages (GB/T 33190) of made-up reports, object by object.

The layout is pdf_factory's: :func:`made_up_to_ofd` runs
:func:`pdf_factory.made_up_to_pdf` against :class:`OfdCanvas`, which records what would
be drawn on the PDF canvas (glyph runs, cell rectangles, rules) and writes it as OFD
objects instead: a ``TextObject`` per run with its ``Boundary``, ``Font``, ``Size`` and
per-glyph ``DeltaX`` (``g N v`` shorthand where steps repeat), ``PathObject`` cell
frames and rules, fake-bold doubled runs as one run of weight 700, and the running
header (drawn identically on every page) moved into a ``TemplatePage`` as OFD
producers do. Pages can be swapped for an ``ImageObject`` (a scanned page).
Coordinates are millimetres with the origin top-left; reportlab's are points, bottom-up.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import pdf_factory
from pdf_factory import FONT_NAME
from report_factory import MadeUpReport
from reportlab.pdfbase import pdfmetrics

PT_TO_MM = 25.4 / 72.0
# How producers write text: a TextObject per run (WPS/Suwell), one per glyph (PDF→OFD
# converters), or runs of Size 1 scaled up to their size by a CTM.
TextStyle = Literal["runs", "glyphs", "scaled"]
NS = "http://www.ofdspec.org/2016"
_FONT_ID = 3
_TEMPLATE_ID = 4


def mm(value: float) -> str:
    """A length in points written as OFD millimetres."""
    return f"{value * PT_TO_MM:.3f}"


@dataclass(frozen=True)
class Run:
    """Glyphs drawn from one start point (pt, reportlab's bottom-up y)."""

    x: float
    baseline: float
    text: str
    size: float
    char_space: float = 0.0
    bold: bool = False


@dataclass(frozen=True)
class Path_:
    """A rectangle or a line (pt, bottom-up y) drawn with a stroke width."""

    points: tuple[tuple[float, float], ...]
    closed: bool
    width: float


@dataclass
class _TextObject:
    """reportlab's text object as ReportPdf uses it."""

    x: float
    y: float
    size: float = 12.0
    char_space: float = 0.0
    text: str = ""

    def setFont(self, name: str, size: float) -> None:
        self.size = size

    def setCharSpace(self, space: float) -> None:
        self.char_space = space

    def textOut(self, text: str) -> None:
        self.text += text


@dataclass
class OfdCanvas:
    """Stands in for reportlab's Canvas in pdf_factory and saves an OFD package."""

    path: str
    pagesize: tuple[float, float] = (pdf_factory.PAGE_W, pdf_factory.PAGE_H)
    pages: list[list[Run | Path_]] = field(default_factory=lambda: [[]])
    line_width: float = 1.0
    size: float = 12.0
    # Pages (0-based) written as one picture each instead of their objects.
    scanned: dict[int, bytes] = field(default_factory=dict)
    text_style: TextStyle = "runs"

    def beginText(self, x: float, y: float) -> _TextObject:
        return _TextObject(x, y)

    def drawText(self, obj: _TextObject) -> None:
        page = self.pages[-1]
        last = page[-1] if page else None
        if (
            isinstance(last, Run)
            and last.text == obj.text
            and last.baseline == obj.y
            and 0 < obj.x - last.x < 1.0
        ):
            # Word's fake bold (a second copy 0.4 pt right): OFD says weight 700.
            page[-1] = Run(
                last.x, last.baseline, last.text, last.size, last.char_space, True
            )
            return
        page.append(Run(obj.x, obj.y, obj.text, obj.size, obj.char_space))

    def setFont(self, name: str, size: float) -> None:
        self.size = size

    def setPageSize(self, size: tuple[float, float]) -> None:
        # Every OFD page here is portrait A4; pdf_factory sets it before each page.
        self.pagesize = size

    def setLineWidth(self, width: float) -> None:
        self.line_width = width

    def drawString(self, x: float, y: float, text: str) -> None:
        self.pages[-1].append(Run(x, y, text, self.size))

    def drawCentredString(self, x: float, y: float, text: str) -> None:
        width = pdfmetrics.stringWidth(text, FONT_NAME, self.size)
        self.drawString(x - width / 2, y, text)

    def rect(self, x: float, y: float, w: float, h: float, **_: Any) -> None:
        corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        self.pages[-1].append(Path_(corners, True, self.line_width))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.pages[-1].append(Path_(((x1, y1), (x2, y2)), False, self.line_width))

    def showPage(self) -> None:
        self.pages.append([])

    def save(self) -> None:
        pages = [p for p in self.pages if p] or [[]]
        write_ofd(Path(self.path), pages, self.scanned, self.text_style)


def made_up_to_ofd(
    made: MadeUpReport,
    path: Path,
    scanned: dict[int, bytes] | None = None,
    text_style: TextStyle = "runs",
    **kw: Any,
) -> Path:
    """A made-up report as an OFD package, laid out as ``made_up_to_pdf`` lays it out.

    Args:
        made: the report and its values.
        path: where to write the ``.ofd``.
        scanned: PNG bytes of pages (0-based) to write as image-only pages.
        text_style: how text objects are cut and sized (see ``TextStyle``).
        **kw: ``made_up_to_pdf``'s layout options.
    """

    def canvas(target: str, pagesize: tuple[float, float]) -> OfdCanvas:
        return OfdCanvas(
            target, pagesize, scanned=dict(scanned or {}), text_style=text_style
        )

    with mock.patch.object(pdf_factory, "Canvas", canvas):
        pdf_factory.made_up_to_pdf(made, path, **kw)
    return path


def write_ofd(
    path: Path,
    pages: list[list[Run | Path_]],
    scanned: dict[int, bytes],
    text_style: TextStyle = "runs",
) -> Path:
    """Write an OFD package of the recorded pages (see the module docstring)."""
    if text_style == "glyphs":
        pages = [[o for obj in page for o in _glyph_runs(obj)] for page in pages]
    scaled = text_style == "scaled"
    common = (
        [obj for obj in pages[0] if all(obj in p for p in pages[1:])]
        if len(pages) > 1
        else []
    )
    files: dict[str, str | bytes] = {
        "OFD.xml": _OFD_XML,
        "Doc_0/PublicRes.xml": _PUBLIC_RES,
        "Doc_0/DocumentRes.xml": _document_res(sorted(scanned)),
        "Doc_0/Tpls/Tpl_0/Content.xml": _page_xml(common, None, 90, scaled),
    }
    entries = []
    next_id = [1000]
    for index, objects in enumerate(pages):
        base = f"Pages/Page_{index}/Content.xml"
        entries.append(f'<ofd:Page ID="{10 + index}" BaseLoc="{base}"/>')
        own = [obj for obj in objects if obj not in common]
        image = index in scanned
        files[f"Doc_0/{base}"] = _page_xml(
            [] if image else own, 100 + index if image else None, next_id[0], scaled
        )
        next_id[0] += 10 * len(own) + 10
        if image:
            files[f"Doc_0/Res/page_{index}.png"] = scanned[index]
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}">'
        "<ofd:CommonData><ofd:MaxUnitID>99999</ofd:MaxUnitID><ofd:PageArea>"
        f"<ofd:PhysicalBox>0 0 {mm(pdf_factory.PAGE_W)} {mm(pdf_factory.PAGE_H)}"
        "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        f'<ofd:TemplatePage ID="{_TEMPLATE_ID}" BaseLoc="Tpls/Tpl_0/Content.xml"/>'
        f"</ofd:CommonData><ofd:Pages>{''.join(entries)}</ofd:Pages></ofd:Document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in files.items():
            package.writestr(name, content)
    path.write_bytes(buffer.getvalue())
    return path


_OFD_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
    'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID>'
    "<ofd:Creator>nianbao tests</ofd:Creator></ofd:DocInfo>"
    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)
_PUBLIC_RES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
    f'<ofd:Fonts><ofd:Font ID="{_FONT_ID}" FontName="宋体" FamilyName="宋体"/>'
    "</ofd:Fonts></ofd:Res>"
)


def _document_res(scanned: list[int]) -> str:
    media = "".join(
        f'<ofd:MultiMedia ID="{100 + i}" Type="Image" Format="PNG">'
        f"<ofd:MediaFile>page_{i}.png</ofd:MediaFile></ofd:MultiMedia>"
        for i in scanned
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" '
        f'BaseLoc="Res"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>'
    )


def _page_xml(
    objects: list[Run | Path_], image_id: int | None, first_id: int, scaled: bool
) -> str:
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}">',
        f'<ofd:Template TemplateID="{_TEMPLATE_ID}" ZOrder="Background"/>',
        f'<ofd:Content><ofd:Layer ID="{first_id}">',
    ]
    w, h = mm(pdf_factory.PAGE_W), mm(pdf_factory.PAGE_H)
    if image_id is not None:
        parts.append(
            f'<ofd:ImageObject ID="{first_id + 1}" Boundary="0 0 {w} {h}" '
            f'CTM="{w} 0 0 {h} 0 0" ResourceID="{image_id}"/>'
        )
    for k, obj in enumerate(objects, start=first_id + 1):
        parts.append(_text(obj, k, scaled) if isinstance(obj, Run) else _path(obj, k))
    parts.append("</ofd:Layer></ofd:Content></ofd:Page>")
    return "".join(parts)


def _steps(run: Run) -> list[float]:
    """Advances (pt) from each glyph of a run to the next."""
    return [
        pdfmetrics.stringWidth(ch, FONT_NAME, run.size) + run.char_space
        for ch in run.text[:-1]
    ]


def _glyph_runs(obj: Run | Path_) -> list[Run | Path_]:
    """A run cut into one run per glyph at its own position."""
    if not isinstance(obj, Run) or len(obj.text) < 2:
        return [obj]
    xs = [obj.x]
    for step in _steps(obj):
        xs.append(xs[-1] + step)
    return [
        Run(x, obj.baseline, ch, obj.size, 0.0, obj.bold)
        for x, ch in zip(xs, obj.text, strict=True)
    ]


def _text(run: Run, object_id: int, scaled: bool) -> str:
    """A TextObject whose boundary holds the run and whose codes sit on its baseline.

    ``scaled`` writes Size 1 and a CTM scaling it to the run's size: the TextCode's
    positions and advances are then in units of that size.
    """
    steps = _steps(run)
    width = sum(steps) + run.size
    top = pdf_factory.PAGE_H - run.baseline - run.size
    weight = ' Weight="700"' if run.bold else ""
    text = run.text.replace("&", "&amp;").replace("<", "&lt;")
    unit = run.size * PT_TO_MM if scaled else 1.0
    sizing = (
        f'Size="1" CTM="{unit:.4f} 0 0 {unit:.4f} 0 0"'
        if scaled
        else f'Size="{mm(run.size)}"'
    )
    advances = [step * PT_TO_MM / unit for step in steps]
    return (
        f'<ofd:TextObject ID="{object_id}" Boundary="{mm(run.x)} {mm(top)} '
        f'{mm(width)} {mm(run.size * 1.3)}" Font="{_FONT_ID}" {sizing}{weight}>'
        f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" '
        f'Y="{run.size * PT_TO_MM / unit:.4f}" DeltaX="{_delta_x(advances)}">{text}'
        "</ofd:TextCode></ofd:TextObject>"
    )


def _delta_x(steps: list[float]) -> str:
    """Glyph advances (already in the TextCode's units), equal runs as ``g N v``."""
    out: list[str] = []
    i = 0
    while i < len(steps):
        j = i
        while j + 1 < len(steps) and abs(steps[j + 1] - steps[i]) < 1e-6:
            j += 1
        count = j - i + 1
        out.append(
            f"g {count} {steps[i]:.4f}"
            if count > 2
            else " ".join(f"{s:.4f}" for s in steps[i : j + 1])
        )
        i = j + 1
    return " ".join(out)


def _path(path: Path_, object_id: int) -> str:
    """A PathObject in its own boundary (the points' box), stroked black."""
    xs = [x for x, _ in path.points]
    tops = [pdf_factory.PAGE_H - y for _, y in path.points]
    left, top = min(xs), min(tops)
    width, height = max(xs) - left, max(tops) - top
    moves = [f"{mm(x - left)} {mm(t - top)}" for x, t in zip(xs, tops, strict=True)]
    data = f"M {moves[0]} " + " ".join(f"L {m}" for m in moves[1:])
    if path.closed:
        data += " C"
    return (
        f'<ofd:PathObject ID="{object_id}" Boundary="{mm(left)} {mm(top)} '
        f'{mm(width)} {mm(height)}" LineWidth="{mm(path.width)}">'
        f'<ofd:StrokeColor Value="0 0 0"/><ofd:AbbreviatedData>{data}'
        "</ofd:AbbreviatedData></ofd:PathObject>"
    )
