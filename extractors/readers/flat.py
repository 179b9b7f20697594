"""Reports as web archivers save them: a few header lines, then the article on one line.

`标题: …` / `发布时间: …` header lines, a `==== 正文 ====` rule, then the page text with
the portal's breadcrumb and toolbar (当前位置 / 来源 / 时间 / 微信 微博 / 字号) around the
article, headings run in (`一、总体情况（一）主动公开方面。按照…`) and every table flattened
(see samples/pingtan20*_page.txt). The title goes first so the metadata stage finds it;
the body is cut into headings and paragraphs around the tables
(:mod:`extractors.readers.flat_tables`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.document import ReaderWarning, Table, TextBlock
from extractors.readers.flat_tables import find_tables, to_grid

# `key: value` lines an archiver writes above the page text.
_HEADER_LINE = re.compile(
    r"^(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录|来源|索引号|作者)\s*[:：]\s*(.*)$"
)
_BODY_RULE = re.compile(r"^=+\s*正文\s*=+\s*$")
# The portal's chrome around an article (breadcrumb, source and date, share and font
# buttons). A run of these near the start is cut up to its last one.
_PORTAL = re.compile(
    r"当前位置[:：]?|来源[:：]|发布时间[:：]|时间[:：]|微信|微博|QQ空间|字号[:：]?"
    r"|打印|全真版|文字版|文件下载|相关链接[:：]?|分享到[:：]?|-->|【[大中小]】"
)
_PORTAL_START = 40  # the chrome starts within this many characters of the body
_PORTAL_GAP = 100  # and its pieces lie at most this far apart (breadcrumb, title, date)
_TRAILER = re.compile(r"(?:\s*(?:附件下载|打印本页|关闭窗口|【打印】|【关闭】))+\s*$")

_NUMERALS = "一二三四五六七八九十"
# Headings start a sentence: at the text's start or after a sentence's end.
_AFTER = r"(?:^|(?<=[\s。；;：:！!？?]))"
_LEVEL1 = re.compile(rf"{_AFTER}([{_NUMERALS}]{{1,2}})、(?=[\u4e00-\u9fff])")
# A level-2 heading continuing its sequence may follow its level-1 heading directly
# (一、总体情况（一）主动公开方面); one restarting at （一） must start a sentence.
_LEVEL2 = re.compile(rf"(?<![第])[（(]([{_NUMERALS}]{{1,2}})[)）](?=[\u4e00-\u9fff])")
_SENTENCE_START = re.compile(rf"{_AFTER}")
# Where a run-in heading may end: a sentence mark, a comma or space, a figure, a bracket.
_HEADING_STOP = re.compile(r"[。；;：:！!？?，,\s\d（(]")
_SENTENCE_STOP = frozenset("。；;：:！!？?")
# Words headings end with, for a heading run into its text with no mark between
# (（一）基本情况今年，我区…).
_HEADING_END = re.compile(r".*(?:情况|方面|做法|问题|措施|事项)")
MAX_RUN_IN_HEADING = 30
# An archived page holds its article on one line; a line this long is one.
MIN_FLAT_LINE = 400


@dataclass
class FlatPage:
    """What the flat reader found: header fields, blocks, tables, warnings."""

    header: dict[str, str]
    blocks: list[TextBlock] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The archiver's header fields and the page text below them."""
    lines = text.splitlines()
    rule = next((i for i, line in enumerate(lines) if _BODY_RULE.match(line)), None)
    if rule is None:
        rule = 0
        while rule < len(lines) and _HEADER_LINE.match(lines[rule].strip()):
            rule += 1
        head, body = lines[:rule], lines[rule:]
    else:
        head, body = lines[:rule], lines[rule + 1 :]
    header = {}
    for line in head:
        match = _HEADER_LINE.match(line.strip())
        if match and match.group(2).strip():
            header[match.group(1)] = match.group(2).strip()
    return header, "\n".join(body)


def strip_portal(body: str) -> str:
    """The article without the portal's breadcrumb, toolbar and trailing links."""
    body = _TRAILER.sub("", body.strip())
    first = _PORTAL.search(body)
    if first is None or first.start() > _PORTAL_START:
        return body
    end = first.end()
    while (piece := _PORTAL.search(body, end)) and piece.start() - end <= _PORTAL_GAP:
        end = piece.end()
    return body[end:].strip()


def read_flat(text: str) -> FlatPage | None:
    """Read an archived page's text; None when it is not one (no header, no table).

    Args:
        text: the decoded file.

    Returns:
        Header fields, blocks (title first, run-in headings split out) and the tables
        as grids, or None when the text has neither archiver header nor a flat table.
    """
    header, body = split_header(text)
    lines = body.splitlines()
    archived = "标题" in header or any(len(line) > MIN_FLAT_LINE for line in lines)
    if not archived:
        return None  # line-broken text: its tables are laid out, not flattened
    body = strip_portal(" ".join(line.strip() for line in lines))
    tables = find_tables(body)
    if not tables and "标题" not in header:
        return None
    page = FlatPage(header)
    items: list[str | Table] = []
    if "标题" in header:
        items.append(header["标题"])
    position = 0
    counter = _Numbering()
    for table in tables:
        items.extend(_paragraphs(body[position : table.start], counter))
        grid, warnings = to_grid(table, 0)
        items.append(grid)
        page.warnings.extend(warnings)
        position = table.end
    items.extend(_paragraphs(body[position:], counter))
    for order, item in enumerate(items):
        if isinstance(item, Table):
            page.tables.append(item.model_copy(update={"order": order}))
        else:
            page.blocks.append(TextBlock(text=item, order=order))
    return page


@dataclass
class _Numbering:
    """The heading numbers seen so far: level 1 counts on, level 2 restarts under it."""

    level1: int = 0
    level2: int = 0


def _paragraphs(text: str, numbering: _Numbering) -> list[str]:
    """A stretch of text cut at its run-in headings, each heading its own block."""
    cuts: list[int] = []
    for match in sorted(
        [*_LEVEL1.finditer(text), *_LEVEL2.finditer(text)], key=lambda m: m.start()
    ):
        number = _NUMERALS.find(match.group(1)) + 1 if len(match.group(1)) == 1 else 0
        if match.re is _LEVEL1 and number == numbering.level1 + 1:
            numbering.level1, numbering.level2 = number, 0
        elif match.re is _LEVEL2 and (
            number == numbering.level2 + 1
            or (number == 1 and _SENTENCE_START.match(text, match.start()))
        ):
            numbering.level2 = number
        else:
            continue
        cuts.append(match.start())
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    out: list[str] = []
    for i, piece in enumerate(p.strip() for p in pieces):
        if not piece:
            continue
        if i == 0:
            out.extend(_title_split(piece))
        else:
            out.extend(p for p in split_run_in(piece) if p)
    return out


def split_run_in(block: str) -> tuple[str, str]:
    """A block opening with a numbered heading, as (heading, rest); the heading stops at
    a sentence mark, or where its last heading word ends (基本情况|今年…)."""
    number = _LEVEL1.match(block) or _LEVEL2.match(block)
    if number is None:
        return block, ""
    stop = _HEADING_STOP.search(block, number.end())
    end = stop.start() if stop else len(block)
    if end - number.end() > MAX_RUN_IN_HEADING:
        return block, ""
    candidate = block[number.end() : end]
    if stop is None or block[end] in _SENTENCE_STOP:
        heading_end = end
    else:
        words = _HEADING_END.match(candidate)
        if words is None:
            if block[end] in "，,":
                return block, ""  # a numbered sentence, not a heading
            heading_end = end
        else:
            heading_end = number.end() + words.end()
    rest = block[heading_end:].lstrip("。；;：:！!？?，, ")
    return block[:heading_end].strip(), rest.strip()


def _title_split(text: str) -> list[str]:
    """The page's own title line run into the first paragraph (…年度报告 根据…)."""
    head, _, rest = text.partition(" ")
    if rest and head.endswith("报告") and len(head) <= MAX_RUN_IN_HEADING * 2:
        return [head, rest.strip()]
    return [text]
