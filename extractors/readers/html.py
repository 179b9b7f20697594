"""Report web pages, including Word's "save as web page" HTML.

Government sites publish the report as a page: the body text in ``<p>``/``<div>``, the
statistics as ``<table>`` with rowspan/colspan, often pasted from Word (``<p><span>``
inside cells, mso styles, ``&nbsp;`` padding, ``<o:p>``), often inside a layout table,
and surrounded by site chrome (navigation, header, footer, share buttons).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

from extractors.document import Document, InputFormat, ReaderWarning, Table, TextBlock
from extractors.readers.base import Reader
from extractors.readers.grid import normalize_text, rows_to_cells
from extractors.readers.html_charset import decode_html, unwrap_mhtml
from extractors.readers.html_pictures import page_pictures
from extractors.readers.html_tables import own_cells, own_rows, read_table_rows
from extractors.readers.pictures import add_picture_tables

_log = logging.getLogger(__name__)

# Never content: code, forms, media, and the page head (the <title> is read apart).
_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "meta", "link",
        "nav", "aside", "form", "button", "select", "option", "textarea", "input",
        "iframe", "object", "embed", "svg", "canvas", "map", "audio", "video", "xml",
    }
)  # fmt: skip
# <header>/<footer> are site chrome at page level but an article's own inside <article>.
_PAGE_CHROME_TAGS = frozenset({"header", "footer"})
_BLOCK_TAGS = frozenset(
    {
        "html", "body", "main", "article", "section", "div", "p", "blockquote", "center",
        "pre", "address", "ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption",
        "caption", "fieldset", "details", "summary", "hr", "header", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "thead", "tbody", "tfoot",
    }
)  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# class/id words of typical site chrome on Chinese government portals (当前位置 =
# "position"/"dqwz", 分享 = "share"/"fenxiang", 友情链接 = "friendlink"/"yqlj").
_CHROME_WORD = re.compile(
    r"^(nav|navbar|topnav|subnav|menu|header|footer|foot|breadcrumbs?|bread|crumbs?|"
    r"sidebar|share|fenxiang|bdsharebuttonbox|copyright|toolbar|topbar|banner|skip|"
    r"login|searchbox|searchbar|friendlink|yqlj|dqwz|position|location)"
    r"([-_].*)?$|.*[-_](nav|menu|footer|share|crumbs?|breadcrumbs?|copyright)$",
    re.IGNORECASE,
)
# A "chrome" wrapper holding over half the page's text is the content, misnamed,
# unless that text is mostly links (a portal's 400-item menu outweighs a short report).
_CHROME_MAX_TEXT_SHARE = 0.5
_CHROME_MIN_LINK_SHARE = 0.5
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Words without which no element can be hidden: one look at the page spares most pages
# a check of every element's style (~1.5 ms on a Word export; a regex scan costs as much).
_HIDING_WORDS = ("display", "visibility", "hidden")
# Not Word's `mso-bidi-font-weight:normal`, which concerns right-to-left scripts only.
_BOLD_STYLE = re.compile(
    r"(?<![-\w])font-weight\s*:\s*(bold|bolder|[6-9]00)", re.IGNORECASE
)
_NORMAL_STYLE = re.compile(
    r"(?<![-\w])font-weight\s*:\s*(normal|lighter|[1-5]00)", re.IGNORECASE
)
# Deeper nesting comes from unclosed tags in broken pages; below it text is read flat.
_MAX_DEPTH = 200
_TITLE_SEPARATORS = re.compile(r"\s*[-_|—–]+\s*")


@dataclass(frozen=True)
class _Context:
    """What an element inherits from its ancestors."""

    bold: bool = False
    heading: int | None = None
    in_article: bool = False


@dataclass(frozen=True)
class _Piece:
    text: str
    bold: bool
    heading: int | None


class HtmlReader(Reader):
    """Reads an HTML page: text blocks in reading order, innermost tables as grids."""

    formats = (InputFormat.HTML,)

    def read(self) -> Document:
        """Decode, parse and walk the page.

        Returns:
            The page's text blocks and data tables in document order, with warnings
            for a lying charset, a page without text, or a page without tables. A
            page without tables has its pictures read by OCR
            (:func:`~extractors.readers.pictures.add_picture_tables`).

        Raises:
            DocumentLoadError: ``wrong_encoding`` when no encoding decodes the bytes.
        """
        unwrapped = unwrap_mhtml(self.data)
        if unwrapped is None:
            text, warnings = decode_html(self.data)
        else:
            text, warnings = decode_html(*unwrapped)
        document = Document(source=self.source, warnings=warnings)
        root = _parse(text)
        if root is None:
            document.warnings.append(
                ReaderWarning(code="no_text", message="the page has no HTML content")
            )
            return document
        title = _page_title(root)
        images = len(root.findall(".//img"))
        _strip_invisible(root, text)
        body = root.find("body")
        walker = _Walker(body if body is not None else root)
        walker.run()
        items = walker.items
        if title and not _title_in_blocks(title, items):
            # Some sites print the report title only in <title> (and in chrome we drop).
            items = [TextBlock(text=title, order=0), *items]
        for order, item in enumerate(items):
            item.order = order
        document.blocks = [i for i in items if isinstance(i, TextBlock)]
        document.tables = [i for i in items if isinstance(i, Table)]
        document.running_text = [title] if title else []
        _add_content_warnings(document, images)
        if document.tables or not images or not self.options.do_ocr:
            return document
        return add_picture_tables(
            document, page_pictures(root, self.folder), self.options
        )


def _parse(text: str) -> etree._Element | None:
    # Bytes plus an explicit encoding: libxml2 then ignores the page's <meta charset>,
    # which decode_html has already judged (and may have overruled).
    # lxml.etree's parser, not lxml.html's: the latter picks each element's Python class
    # in Python, which cost a third of the reading time (bench/html_bench.py).
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


class _Walker:
    """Walks the element tree once, emitting text blocks and tables in order."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.items: list[TextBlock | Table] = []
        self.pieces: list[_Piece] = []
        self.total_text = 0

    def run(self) -> None:
        self.total_text = len(_text_content(self.root))
        self.visit(self.root, _Context(), 0)
        self.flush()

    def visit(self, el: etree._Element, ctx: _Context, depth: int) -> None:
        tag = _tag(el)
        if tag is None or self.dropped(el, tag, ctx):
            return
        if tag == "table":
            self.table(el, ctx, depth)
            return
        if tag == "br":
            self.flush()
            return
        ctx = _child_context(el, tag, ctx)
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if depth > _MAX_DEPTH:
            self.add(_text_content(el), ctx)
        else:
            self.add(el.text, ctx)
            for child in el:
                self.visit(child, ctx, depth + 1)
                self.add(child.tail, ctx)
        if block:
            self.flush()

    def dropped(self, el: etree._Element, tag: str, ctx: _Context) -> bool:
        if tag in _DROP_TAGS:
            return True
        if tag in _PAGE_CHROME_TAGS and not ctx.in_article:
            return True
        names = f"{el.get('class') or ''} {el.get('id') or ''}".split()
        if not any(_CHROME_WORD.match(name) for name in names):
            return False
        if el.find(".//table") is not None:
            return False
        text = len(_text_content(el))
        if text <= _CHROME_MAX_TEXT_SHARE * self.total_text:
            return True
        links = sum(len(_text_content(a)) for a in el.iter("a"))
        return links >= _CHROME_MIN_LINK_SHARE * text

    def add(self, text: str | None, ctx: _Context) -> None:
        if text:
            self.pieces.append(_Piece(text, ctx.bold, ctx.heading))

    def flush(self) -> None:
        if not self.pieces:
            return
        text = normalize_text("".join(p.text for p in self.pieces))
        if text:
            inked = [p for p in self.pieces if p.text.strip()]
            levels = {p.heading for p in inked}
            self.items.append(
                TextBlock(
                    text=text,
                    order=len(self.items),
                    bold=all(p.bold for p in inked),
                    heading_level=levels.pop() if len(levels) == 1 else None,
                )
            )
        self.pieces = []

    def table(self, el: etree._Element, ctx: _Context, depth: int) -> None:
        raw_rows = read_table_rows(el)
        if raw_rows is None:
            # A layout table: its cells are page regions; inner tables are the data.
            self.flush()
            for tr in own_rows(el):
                for td in own_cells(tr):
                    self.visit(td, ctx, depth + 1)
            return
        self.flush()
        caption = el.find("caption")
        if caption is not None:
            self.visit(caption, ctx, depth + 1)
        cells, n_rows, n_cols = rows_to_cells(raw_rows)
        self.items.append(
            Table(
                order=len(self.items),
                n_rows=n_rows,
                n_cols=n_cols,
                cells=cells,
                engine="html",
            )
        )


def _tag(el: etree._Element) -> str | None:
    # Comments and processing instructions have a function, not a string, as tag.
    # libxml2's HTML parser lower-cases tag names already.
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _child_context(el: etree._Element, tag: str, ctx: _Context) -> _Context:
    bold = ctx.bold
    if tag in ("b", "strong") or tag in _HEADINGS:
        bold = True
    style = el.get("style")
    if style:
        if _BOLD_STYLE.search(style):
            bold = True
        elif _NORMAL_STYLE.search(style):
            bold = False
    heading = _HEADINGS.get(tag, ctx.heading)
    in_article = ctx.in_article or tag in ("article", "main")
    if (bold, heading, in_article) == (ctx.bold, ctx.heading, ctx.in_article):
        return ctx
    return _Context(bold=bold, heading=heading, in_article=in_article)


def _strip_invisible(root: etree._Element, text: str) -> None:
    """Remove scripts, styles, the head and hidden elements, keeping their tails."""
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    lowered = text.lower()
    if not any(word in lowered for word in _HIDING_WORDS):
        return
    hidden = [
        el
        for el in root.iter()
        if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")
    ]
    for el in hidden:
        _remove_keep_tail(el)


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _text_content(el: etree._Element) -> str:
    return "".join(el.itertext())


def _page_title(root: etree._Element) -> str:
    title = root.find(".//title")
    if title is None:
        return ""
    return normalize_text(_text_content(title))


def _title_in_blocks(title: str, items: list[TextBlock | Table]) -> bool:
    # "报告标题 - 某某市人民政府": the first part is the report's own title.
    head = max(_TITLE_SEPARATORS.split(title), key=len).replace(" ", "")
    for item in items[:20]:
        if isinstance(item, TextBlock) and head in item.text.replace(" ", ""):
            return True
    return False


def _add_content_warnings(document: Document, images: int) -> None:
    if not document.blocks and not document.tables:
        document.warnings.append(
            ReaderWarning(code="no_text", message="the page has no readable text")
        )
    if not document.tables:
        hint = f"; its {images} image(s) may hold the tables" if images else ""
        document.warnings.append(
            ReaderWarning(code="no_tables", message=f"the page has no data table{hint}")
        )
