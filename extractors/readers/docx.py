"""Word (.docx) reports, read from the document XML.

python-docx opens the package and its styles; the body is walked as XML so paragraphs
and tables keep their order, and merged cells (``w:gridSpan`` across, ``w:vMerge`` down)
become one cell with spans, which python-docx's ``row.cells`` would repeat instead.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import OpcError
from lxml import etree

from extractors.document import (
    Document,
    InputFormat,
    ReaderWarning,
    Table,
    TextBlock,
)
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.docx_numbering import ListNumbers, style_numbers
from extractors.readers.docx_tables import (
    TBL,
    TC,
    VAL,
    WRAPPERS,
    P,
    W,
    paragraph_text,
    prop,
    run_text,
    runs,
    table_to_cells,
    text_boxes,
    to_int,
)
from extractors.readers.grid import is_page_text, normalize_text
from extractors.readers.html import HtmlReader
from extractors.readers.ole import OLE_MAGIC, refuse_ole
from extractors.readers.pictures import ImagePart, add_picture_tables

_log = logging.getLogger(__name__)

_HEADING_NAME = re.compile(r"^(heading|标题)\s*([1-9])$", re.IGNORECASE)
# w:outlineLvl 9 means body text; 0–8 are outline levels 1–9.
_BODY_OUTLINE = 9
_FALSE_VALUES = frozenset({"0", "false", "off", "none"})
# Word files made from web pages (CMS "export to Word") embed the page whole as an
# altChunk part instead of converting it to paragraphs.
_ALT_CHUNK = f"{W}altChunk"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Pictures: DrawingML's <a:blip r:embed> and the VML <v:imagedata r:id> of old files.
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_HTML_CHUNK_TYPES = frozenset({"text/html", "application/xhtml+xml", "message/rfc822"})
_DOCX_MAIN_TYPE = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_OTHER_MAIN_TYPES = re.compile(
    rb"application/vnd\.ms-word\.(?:document|template)\.macroEnabled\.main\+xml"
    rb"|application/vnd\.openxmlformats-officedocument\.wordprocessingml\.template"
    rb"\.main\+xml"
)
# Key of the default paragraph style (no styleId can hold spaces).
_DEFAULT_STYLE = " default"


@dataclass(frozen=True)
class _Style:
    bold: bool | None
    heading: int | None
    based_on: str | None


class DocxReader(Reader):
    """Reads a .docx: paragraphs as text blocks, tables as grids, in body order."""

    formats = (InputFormat.DOCX,)

    def read(self) -> Document:
        """Open the package and walk its body.

        Returns:
            The document's paragraphs and tables in body order.

        Raises:
            DocumentLoadError: ``encrypted`` for a password-protected file, ``corrupt``
                for a package or XML that cannot be opened.
        """
        if self.data.startswith(OLE_MAGIC):
            # A password-protected .docx is an OLE container, not a ZIP package.
            refuse_ole(self.data)
            raise DocumentLoadError(
                ErrorCode.CORRUPT, "an old binary Word file, not a .docx package"
            )
        try:
            package = docx.Document(io.BytesIO(_as_plain_docx(self.data)))
        except (
            OpcError,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            etree.XMLSyntaxError,
        ) as exc:
            raise DocumentLoadError(
                ErrorCode.CORRUPT, f"cannot open the Word package: {exc}"
            ) from exc
        styles = _read_styles(package.styles.element)
        numbers = ListNumbers(
            _numbering(package), style_numbers(package.styles.element)
        )
        walker = _BodyWalker(styles, numbers, partial(self._read_chunk, package))
        walker.walk(package.element.body)
        document = Document(source=self.source)
        document.blocks = [i for i in walker.items if isinstance(i, TextBlock)]
        document.tables = [i for i in walker.items if isinstance(i, Table)]
        document.running_text = _header_texts(package)
        if not walker.items:
            document.warnings.append(
                ReaderWarning(code="no_text", message="the document has no text")
            )
        elif not document.tables:
            document.warnings.append(
                ReaderWarning(code="no_tables", message="the document has no table")
            )
            if self.options.do_ocr:
                pictures = body_pictures(package)
                return add_picture_tables(document, pictures, self.options)
        return document

    def _read_chunk(self, package: DocxDocument, rel_id: str) -> Document | None:
        """An ``w:altChunk``'s embedded web page, read as HTML (None if not a page)."""
        rel = package.part.rels.get(rel_id)
        if rel is None or rel.is_external:
            return None
        part = rel.target_part
        if part.content_type not in _HTML_CHUNK_TYPES:
            _log.info("altChunk of type %s skipped", part.content_type)
            return None
        return HtmlReader(part.blob, self.source, self.options).read()


class _BodyWalker:
    """Emits blocks and tables of a body (or of a layout table's cells) in order."""

    def __init__(
        self,
        styles: dict[str, _Style],
        numbers: ListNumbers,
        read_chunk: Callable[[str], Document | None],
    ) -> None:
        self.styles = styles
        self.numbers = numbers
        self.read_chunk = read_chunk
        self.items: list[TextBlock | Table] = []

    def walk(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == P:
                self.paragraph(child)
            elif child.tag == TBL:
                self.table(child)
            elif child.tag in WRAPPERS:
                self.walk(child)
            elif child.tag == _ALT_CHUNK:
                self.chunk(child)

    def chunk(self, alt_chunk: etree._Element) -> None:
        chunk = self.read_chunk(alt_chunk.get(_REL_ID) or "")
        for item in [] if chunk is None else chunk.items():
            item.order = len(self.items)
            self.items.append(item)

    def paragraph(self, p: etree._Element) -> None:
        style_id = _style_id(p, "pPr", "pStyle")
        # Counted even when the paragraph is empty: Word numbers it all the same.
        number = self.numbers.number(p, self.chain_ids(style_id))
        text = normalize_text(paragraph_text(p))
        if text:
            if number:
                text = normalize_text(f"{number}{_number_gap(number)}{text}")
            self.items.append(
                TextBlock(
                    text=text,
                    order=len(self.items),
                    bold=self.all_runs_bold(p, style_id),
                    heading_level=self.heading_level(p, style_id),
                )
            )
        # Cover pages put the title in a text box anchored to a (often empty) paragraph.
        for box in text_boxes(p):
            self.walk(box)

    def heading_level(self, p: etree._Element, style_id: str | None) -> int | None:
        outline = p.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            level = to_int(outline.get(VAL))
            return level + 1 if level is not None and level < _BODY_OUTLINE else None
        return next((s.heading for s in self.chain(style_id) if s.heading), None)

    def all_runs_bold(self, p: etree._Element, style_id: str | None) -> bool:
        paragraph_bold = self.style_bold(style_id) or False
        inked = [r for r in runs(p) if run_text(r).strip()]
        if not inked:
            return False
        for run in inked:
            bold = _toggle(run.find(f"{W}rPr/{W}b"))
            run_style = _style_id(run, "rPr", "rStyle")
            if bold is None and run_style is not None:
                bold = self.style_bold(run_style)
            if not (paragraph_bold if bold is None else bold):
                return False
        return True

    def style_bold(self, style_id: str | None) -> bool | None:
        return next((s.bold for s in self.chain(style_id) if s.bold is not None), None)

    def chain(self, style_id: str | None) -> list[_Style]:
        """The style and those it is based on, nearest first."""
        return [self.styles[s] for s in self.chain_ids(style_id)]

    def chain_ids(self, style_id: str | None) -> list[str]:
        """Ids of the style and those it is based on, nearest first (cycles cut)."""
        found: list[str] = []
        current = style_id if style_id is not None else _DEFAULT_STYLE
        while current and current not in found and current in self.styles:
            found.append(current)
            current = self.styles[current].based_on or ""
        return found

    def table(self, tbl: etree._Element) -> None:
        nested = tbl.find(f".//{TBL}") is not None
        cells, n_rows, n_cols = ([], 0, 0) if nested else table_to_cells(tbl)
        if nested or len(cells) <= 1 or is_page_text(c.text for c in cells):
            # A layout table (a frame, or one around the real tables): its cells are
            # page regions, read as text; inner tables are the data.
            for tc in tbl.iter(TC):
                if _nearest_table(tc) is tbl:
                    self.walk(tc)
            return
        self.items.append(
            Table(
                order=len(self.items),
                n_rows=n_rows,
                n_cols=n_cols,
                cells=cells,
                engine="docx",
            )
        )


def _header_texts(package: DocxDocument) -> list[str]:
    """The text of every section's page headers, once each (a title may stand there)."""
    texts: list[str] = []
    for section in package.sections:
        for header in (section.first_page_header, section.header):
            for paragraph in header.paragraphs:
                text = paragraph.text.strip()
                if text and text not in texts:
                    texts.append(text)
    return texts


def body_pictures(package: DocxDocument) -> list[ImagePart]:
    """The pictures the body shows (DrawingML and old VML ones), in body order.

    Args:
        package: The opened Word package.
    """
    found: list[ImagePart] = []
    body = package.element.body
    for el in body.iter(_BLIP, _VML_IMAGE):
        rel_id = el.get(_EMBED) if el.tag == _BLIP else el.get(_REL_ID)
        rel = package.part.rels.get(rel_id or "")
        if rel is None or rel.is_external:
            continue
        part = rel.target_part
        if part.content_type.startswith("image/"):
            found.append(ImagePart(str(part.partname), part.content_type, part.blob))
    return found


def _as_plain_docx(data: bytes) -> bytes:
    """The package with a macro-enabled or template main part typed as a document.

    python-docx refuses .docm/.dotx/.dotm, whose body is the same WordprocessingML.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.read("[Content_Types].xml")
            if not _OTHER_MAIN_TYPES.search(types):
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
                for item in package.infolist():
                    content = package.read(item)
                    if item.filename == "[Content_Types].xml":
                        content = _OTHER_MAIN_TYPES.sub(_DOCX_MAIN_TYPE, content)
                    patched.writestr(item, content)
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError):
        return data  # python-docx reports the broken package


def _number_gap(number: str) -> str:
    # "一、总体情况" and "（一）主动公开" join as printed; "1." is followed by a tab.
    return "" if not number[-1].isascii() else " "


def _numbering(package: DocxDocument) -> etree._Element | None:
    # Not package.part.numbering_part, which adds an empty part when there is none.
    try:
        part = package.part.part_related_by(RT.NUMBERING)
    except KeyError:
        return None
    element: etree._Element | None = getattr(part, "element", None)
    return element


def _nearest_table(el: etree._Element) -> etree._Element | None:
    return next((a for a in el.iterancestors(TBL)), None)


def _style_id(el: etree._Element, props: str, name: str) -> str | None:
    found = el.find(f"{W}{props}/{W}{name}")
    return None if found is None else found.get(VAL)


def _toggle(el: etree._Element | None) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``) as True/False/unset."""
    if el is None:
        return None
    return (el.get(VAL) or "true").lower() not in _FALSE_VALUES


def _read_styles(styles: etree._Element) -> dict[str, _Style]:
    """Bold and heading level per style id; the default paragraph style as well."""
    found: dict[str, _Style] = {}
    for style in styles.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if not style_id:
            continue
        name_el = style.find(f"{W}name")
        name = (name_el.get(VAL) or "") if name_el is not None else ""
        heading: int | None = None
        named = _HEADING_NAME.match(name.strip())
        outline = to_int(prop(style, "pPr", "outlineLvl"))
        if named:
            heading = int(named.group(2))
        elif outline is not None and outline < _BODY_OUTLINE:
            heading = outline + 1
        based = style.find(f"{W}basedOn")
        entry = _Style(
            bold=_toggle(style.find(f"{W}rPr/{W}b")),
            heading=heading,
            based_on=None if based is None else based.get(VAL),
        )
        found[style_id] = entry
        if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in (
            "1",
            "true",
        ):
            found[_DEFAULT_STYLE] = entry
    return found
