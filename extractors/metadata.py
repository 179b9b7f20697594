"""Who issued a report, for which place and year: from its title, never from the body.

The body may name other bodies (the sample's injected 即时比分办公厅 stands where the
provincial office stood), so the issuer and region come only from the title (found in the
leading lines, over several lines, in the first table's first rows, or else in the page
header), or from the sentence that names the report's author (本报告由…编制). A
department named by its level alone (市教育局) takes its city from the rest of the title
or the page header, never from the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.document import Document, Table
from extractors.report import ReportMeta
from extractors.textnorm import clean_text, fold

# How many leading items (blocks, or the first rows of a table) may hold the title.
TITLE_SEARCH_BLOCKS = 6
# Rows of a leading table that may hold the title (a report laid out in a table).
TITLE_TABLE_ROWS = 2
# A title is short; longer blocks are preamble text.
MAX_TITLE_CHARS = 60
# A line of a title printed over several lines (淮安市人民政府 / 2024年…报告).
MAX_ISSUER_LINE_CHARS = 24
# Font sizes of lines of one title differ by less than this share.
TITLE_SIZE_TOLERANCE = 0.1

# A title ends in 报告, or in its year in brackets: …工作年度报告（2023年度）.
_TITLE_END = re.compile(
    r"(?:年度报告|工作报告|年报)(?:[(（](?:19|20)\d{2}\s*年度?[)）])?$"
)
_QUOTED_TITLE = re.compile(r"《([^《》]{4,60}?(?:年度报告|工作报告|年报))》")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# Without a year in the title, the statistics period names the year reported on
# (统计期限自2023年1月1日起…); a date of publication (发布日期：2024年…) does not.
_PERIOD_YEAR = re.compile(
    r"(?:统计期限|统计期|统计时限|统计时间|报告期|所列数据)[^。]{0,20}?((?:19|20)\d{2})\s*年"
)
_PUBLISHED = re.compile(r"发布|印发|成文|日期|时间[:：]")
_YEAR_WORDS = re.compile(r"(?:19|20)\d{2}\s*年度?")
# Site breadcrumbs end in 年度报告 too: 首页>政务公开>年度报告.
_BREADCRUMB = re.compile(r"首页|当前位置|[>›»/]")
# A page title joins the report's title and the site's name: 报告标题 - 淮安市人民政府.
_SITE_SEPARATOR = re.compile(r"\s+[-–—_|]+\s+|\s*[_|]\s*")
# Archivers label the page's fields: 标题: 平潭综合实验区2019年度…报告.
_FIELD_LABEL = re.compile(r"^(?:文章标题|标题|题目|名称)\s*[:：]\s*")
_SENTENCE = re.compile(r"[，,。；;：:！!？?]")
_AFTER_YEAR = re.compile(
    r"度?(.{2,30}?(?:政府|局|委员会|委|办公室|办公厅|厅|院|中心|管委会|区|县|市|旗))"
    r"(?:政府信息公开|政务公开|信息公开)"
)
_REPORT_NAME = re.compile(
    r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:报告|年报)"
)
_AUTHOR = re.compile(r"本报告由(.{2,30}?)(?:根据|依据|按照|编制|负责)")
# A line that names a body (a cover's first title line): a unit or an organ's ending.
_BODY_NAME = re.compile(
    r"(?:政府|局|委员会|委|办公室|办公厅|厅|院|中心|管委会|区|县|市|旗|省|州|盟)$"
)
# Characters of organ names, never of place names: 国家税务总局淮安市 is no place.
_ORGAN_CHARS = "局厅委办院署总"
# Administrative units, innermost last: 江苏省淮安市洪泽区 → 江苏省 / 淮安市 / 洪泽区.
# Long names carry their kind (西双版纳傣族自治州, 淮安经济技术开发区); ordinary ones are
# 2–5 characters (a 1-character 城市 in 城市管理局 is no city), a county may be 1 (沛县).
_UNIT = re.compile(
    rf"(?:[^\W{_ORGAN_CHARS}\d省市县区]{{1,10}}?(?:特别行政区|自治区|自治州|自治县|自治旗|综合实验区|开发区|新区)"
    rf"|[^\W{_ORGAN_CHARS}\d]{{2,5}}?(?:地区|省|市|区|县|旗|盟)"
    rf"|[^\W{_ORGAN_CHARS}\d]县)"
)
# A department named by its level alone (市教育局, 区财政局): its place is named elsewhere.
_BARE_LEVEL = re.compile(r"^(省|市|区|县|旗|州)")


@dataclass(frozen=True)
class _Line:
    """A leading line that may be (part of) the title, with what stands beside it."""

    text: str
    font_size: float | None
    beside: tuple[str, ...] = ()


def find_metadata(document: Document) -> ReportMeta:
    """Title, issuer, region and year of a report (template is the mapper's).

    Args:
        document: any reader's output.

    Returns:
        The report's metadata; fields the title (or author sentence) does not give are
        None. ``region`` is the place the issuer governs (a department's city or
        county); ``year`` the year reported on.
    """
    title, context = _title_in(document)
    context = [*context, *document.running_text]
    issuer = issuer_from_title(title) if title else None
    if issuer is None:
        issuer = _author(document)
    region = None
    if issuer:
        region = region_of(issuer) or _place_named_beside(
            issuer, [title or "", *context]
        )
    return ReportMeta(
        title=title, issuer=issuer, region=region, year=_year(title, document)
    )


def find_title(document: Document) -> str | None:
    """The report's title: leading lines ending in 报告 (joined when printed over several
    lines), or 《…报告》 in the preamble, or else a page header's title."""
    return _title_in(document)[0]


def issuer_from_title(title: str) -> str | None:
    """The body a title names: before the year (鞍山市政府2019年度…) or after it
    (2023年度淮安市财政局政府信息公开工作年度报告), or before the report's name when no
    year precedes it (淮安市教育局政府信息公开工作年度报告（2023年度）)."""
    match = _YEAR.search(title)
    name = _REPORT_NAME.search(title)
    if name is not None and (match is None or name.start() < match.start()):
        return title[: name.start()].rstrip("关于的") or None
    if match is None:
        return None
    head = title[: match.start()].rstrip("关于的")
    if head:
        return head
    tail = _AFTER_YEAR.match(title[match.end() :])
    return tail.group(1) if tail else None


def region_of(issuer: str) -> str | None:
    """The innermost administrative unit an issuer's name starts from.

    A department's place is its city or province (淮安市教育局 → 淮安市,
    国家税务总局淮安市税务局 → 淮安市); a name with no place (市教育局) gives None.
    """
    units = administrative_units(issuer)
    return units[-1] if units else None


def administrative_units(name: str) -> list[str]:
    """The chain of administrative units in a name, outermost first: the first unit
    found, then those printed right after it (江苏省淮安市洪泽区人民政府 → 江苏省,
    淮安市, 洪泽区)."""
    folded = fold(name)
    found = _UNIT.search(folded)
    units: list[str] = []
    while found:
        units.append(found.group())
        found = _UNIT.match(folded, found.end())
    return units


def _title_in(document: Document) -> tuple[str | None, list[str]]:
    title, context = _title_and_context(_leading_lines(document))
    if title is None:
        title, context = _title_and_context(_header_lines(document))
    return title, context


def _leading_lines(document: Document) -> list[_Line]:
    lines: list[_Line] = []
    for item in document.items()[:TITLE_SEARCH_BLOCKS]:
        if isinstance(item, Table):
            lines.extend(_Line(text, None) for text in _table_lines(item))
        else:
            lines.extend(_split_site(item.text, item.font_size))
    return lines


def _header_lines(document: Document) -> list[_Line]:
    return [line for text in document.running_text for line in _split_site(text, None)]


def _split_site(text: str, font_size: float | None) -> list[_Line]:
    """A line cut at site separators (报告标题 - 淮安市人民政府), each part with the others
    beside it."""
    text = _FIELD_LABEL.sub("", clean_text(text))
    parts = [p for p in _SITE_SEPARATOR.split(text) if p]
    return [
        _Line(fold(part), font_size, tuple(parts[:i] + parts[i + 1 :]))
        for i, part in enumerate(parts)
    ]


def _table_lines(table: Table) -> list[str]:
    texts: list[str] = []
    for row in table.grid()[:TITLE_TABLE_ROWS]:
        for text in row:
            folded = fold(text)
            if folded and folded not in texts:
                texts.append(folded)
    return texts


def _title_and_context(lines: list[_Line]) -> tuple[str | None, list[str]]:
    """The title and the texts printed beside it (a page title's site name, cover lines)."""
    for i, line in enumerate(lines):
        if _is_title_end(line.text):
            start = _title_start(lines, i)
            title = "".join(line.text for line in lines[start : i + 1])
            context = [*(ln.text for ln in lines[:start]), *line.beside]
            return title, context
    for line in lines:
        for quoted in _QUOTED_TITLE.findall(line.text):
            if _YEAR.search(quoted):
                return str(quoted), []
    return None, []


def _is_title_end(text: str) -> bool:
    return (
        len(text) <= MAX_TITLE_CHARS
        and bool(_TITLE_END.search(text))
        and not _BREADCRUMB.search(text)
    )


def _title_start(lines: list[_Line], end: int) -> int:
    """First line of a title ending at ``end``: earlier lines join while the title lacks
    its year (a fragment) or its issuer (淮安市人民政府 above 2024年…报告)."""
    start = end
    title = lines[end].text
    while start > 0:
        previous = lines[start - 1]
        has_year = bool(_YEAR.search(title))
        if has_year and issuer_from_title(title) is not None:
            break
        if not _joins_title(previous, lines[end], needs_body=has_year):
            break
        start -= 1
        title = previous.text + title
        if len(title) > MAX_TITLE_CHARS:
            return start + 1
    return start


def _joins_title(previous: _Line, last: _Line, *, needs_body: bool) -> bool:
    text = previous.text
    if (
        not text
        or len(text) > MAX_ISSUER_LINE_CHARS
        or _SENTENCE.search(text)
        or _BREADCRUMB.search(text)
        or _TITLE_END.search(text)
    ):
        return False
    if previous.font_size and last.font_size:
        ratio = abs(previous.font_size - last.font_size) / last.font_size
        if ratio > TITLE_SIZE_TOLERANCE:
            return False  # a heading above a title in another size is not part of it
    return not needs_body or bool(_BODY_NAME.search(text))


def _place_named_beside(issuer: str, context: list[str]) -> str | None:
    """For 市教育局: the city named in the rest of the title or beside it, else None."""
    level = _BARE_LEVEL.match(fold(issuer))
    if level is None:
        return None
    for text in context:
        rest = _YEAR_WORDS.sub("，", text.replace(issuer, "，"))
        for unit in reversed(administrative_units(rest)):
            if unit.endswith(level.group()):
                return unit
    return None


def _author(document: Document) -> str | None:
    for block in document.blocks[:TITLE_SEARCH_BLOCKS]:
        match = _AUTHOR.search(fold(block.text))
        if match:
            return match.group(1)
    return None


def _year(title: str | None, document: Document) -> int | None:
    match = _YEAR.search(title or "")
    leading = [fold(b.text) for b in document.blocks[:TITLE_SEARCH_BLOCKS]]
    for text in leading:
        match = match or _PERIOD_YEAR.search(text)
    for text in leading:
        if not _PUBLISHED.search(text):
            match = match or _YEAR.search(text)
    return int(match.group(1)) if match else None
