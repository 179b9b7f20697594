"""Who issued a report, for which place and year: from its title, never from the body.

The body may name other bodies (the sample's injected 即时比分办公厅 stands where the
provincial office stood), so the issuer and region come only from the title, or from the
sentence that names the report's author (本报告由…编制).
"""

from __future__ import annotations

import re

from extractors.document import Document
from extractors.report import ReportMeta
from extractors.textnorm import clean_text, fold

# How many leading blocks may hold the title (cover lines, a preamble paragraph).
TITLE_SEARCH_BLOCKS = 6
# A title line is short; longer blocks are preamble text.
MAX_TITLE_CHARS = 60
MAX_ISSUER_LINE_CHARS = 24

_TITLE_END = re.compile(r"(?:年度报告|工作报告|年报)$")
_QUOTED_TITLE = re.compile(r"《([^《》]{4,60}?(?:年度报告|工作报告|年报))》")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# Site breadcrumbs end in 年度报告 too: 首页>政务公开>年度报告.
_BREADCRUMB = re.compile(r"首页|当前位置|[>›»/]")
_AFTER_YEAR = re.compile(
    r"度?(.{2,30}?(?:政府|局|委员会|委|办公室|办公厅|厅|院|中心|管委会|区|县|市|旗))"
    r"(?:政府信息公开|政务公开|信息公开)"
)
_AUTHOR = re.compile(r"本报告由(.{2,30}?)(?:根据|依据|按照|编制|负责)")
_ORGAN_TAIL = re.compile(
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|政府|办公室|办公厅)$"
)
# Administrative units, innermost last: 江苏省淮安市洪泽区 → 江苏省 / 淮安市 / 洪泽区.
_UNIT = re.compile(
    r"[\u4e00-\u9fff]{1,12}?"
    r"(?:特别行政区|自治区|自治州|自治县|自治旗|综合实验区|新区|地区|省|市|区|县|旗|盟)"
)


def find_metadata(document: Document) -> ReportMeta:
    """Title, issuer, region and year of a report (template is the mapper's)."""
    title = find_title(document)
    issuer = issuer_from_title(title) if title else None
    if issuer is None:
        issuer = _author(document)
    region = region_of(issuer) if issuer else None
    return ReportMeta(
        title=title, issuer=issuer, region=region, year=_year(title, document)
    )


def find_title(document: Document) -> str | None:
    """The report's title: a short leading line ending in 报告, or 《…报告》 in the preamble."""
    blocks = [clean_text(b.text) for b in document.blocks[:TITLE_SEARCH_BLOCKS]]
    for i, text in enumerate(blocks):
        compact = fold(text)
        if (
            len(compact) <= MAX_TITLE_CHARS
            and _TITLE_END.search(compact)
            and not _BREADCRUMB.search(compact)
        ):
            previous = fold(blocks[i - 1]) if i else ""
            # Cover pages split the title: 淮安市人民政府 / 2024年政府信息公开工作年度报告.
            if _YEAR.match(compact) and 0 < len(previous) <= MAX_ISSUER_LINE_CHARS:
                return previous + compact
            return compact
    for text in blocks:
        for quoted in _QUOTED_TITLE.findall(fold(text)):
            if _YEAR.search(quoted):
                return str(quoted)
    return None


def issuer_from_title(title: str) -> str | None:
    """The body a title names: before the year (鞍山市政府2019年度…) or after it
    (2023年度淮安市财政局政府信息公开工作年度报告)."""
    match = _YEAR.search(title)
    if match is None:
        return None
    head = title[: match.start()].rstrip("关于的")
    if head:
        return head
    tail = _AFTER_YEAR.match(title[match.end() :])
    return tail.group(1) if tail else None


def region_of(issuer: str) -> str | None:
    """The innermost administrative unit in an issuer's name."""
    name = _ORGAN_TAIL.sub("", fold(issuer))
    region = None
    position = 0
    while match := _UNIT.match(name, position):
        region, position = match.group(), match.end()
    return region


def _author(document: Document) -> str | None:
    for block in document.blocks[:TITLE_SEARCH_BLOCKS]:
        match = _AUTHOR.search(fold(block.text))
        if match:
            return match.group(1)
    return None


def _year(title: str | None, document: Document) -> int | None:
    for text in [title or "", *(b.text for b in document.blocks[:TITLE_SEARCH_BLOCKS])]:
        match = _YEAR.search(fold(text))
        if match:
            return int(match.group(1))
    return None
