"""Sections: headings found by their numbering (and markup), classified, with their text.

Level 1 is numbered 一、, level 2 （一）, level 3 1. / 1、 / 一是. A heading may stand on its
own line or open its paragraph (szfgs2024.pdf: "（一）主动公开情况。2024年，…"), in which case
the first sentence is the heading and the rest is text.

Without numbering, a line is a heading when its words and place say so. A short line with
no sentence punctuation under a level-1 section that holds sub-sections
(headings.LEVEL2_UNDER) is a level-2 heading when its words name one of that section's
categories not named yet: in bold or markup with ordinary evidence, as a plain line only
with a strong word (政府信息主动公开情况). A bold or marked-up line naming a level-1
category is a level-1 heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.document import Document, TextBlock
from extractors.headings import (
    LEVEL1_LEXICON,
    LEVEL2_UNDER,
    UNKNOWN,
    classify_heading,
    heading_category,
)
from extractors.report import Section
from extractors.textnorm import clean_text

# Longest heading standing alone, and longest heading opening a paragraph, in characters;
# real level-1/2 headings run to ~30 characters ("四、因政府信息公开工作被申请行政复议…").
MAX_HEADING_CHARS = 40
MAX_LEAD_HEADING_CHARS = 30
# Level-3 items (1. / 一是) are only headings when this short; longer ones are list text.
MAX_LEVEL3_CHARS = 24
# An unnumbered level-2 heading is a short line (政府信息主动公开情况, 继续强化信息公开责任).
MAX_UNNUMBERED_CHARS = 24
# Lexicon weight that makes a plain (not bold) unnumbered line a heading: one strong word
# (主动公开, 依申请公开, 平台建设), not two weak ones, so short sentences stay text.
PLAIN_HEADING_SCORE = 3

_LEVEL_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(r"^第?[一二三四五六七八九十]+[、.,，．]")),
    (2, re.compile(r"^[(（][一二三四五六七八九十]+[)）][、.．]?")),
    (
        3,
        re.compile(r"^(?:\d+[.、．)）](?!\d)|[一二三四五六七八九十]+是|[(（]\d+[)）])"),
    ),
]
_DIGIT_NUMBER = re.compile(r"^(?:\d+[.、．)）]|[(（]\d+[)）])")
_SENTENCE_END = re.compile(r"[。；;！!]|[:：](?=.)")
_TITLE_WORDS = ("年度报告", "工作报告", "年报")
# Sentences, dates, figures and table rows are not unnumbered headings.
_NOT_A_HEADING_LINE = re.compile(r"[，,。；;：:！!？?|]|\d")


@dataclass(frozen=True)
class HeadingMatch:
    """A heading found at the start of a block, and the text that follows it."""

    level: int
    number: str
    heading: str
    rest: str


def find_sections(document: Document) -> list[Section]:
    """All sections of a document in reading order, flat, each with its level.

    Args:
        document: any reader's output.

    Returns:
        Sections with heading (as printed, less artifacts), category, text and page.
        Text before the first heading (the preamble) belongs to no section.
    """
    sections: list[Section] = []
    has_level2 = False  # under the current level-1 heading
    parent: Section | None = None  # the current level-1 section
    named: set[str] = set()  # level-2 categories already met under it
    for block in document.blocks:
        match = match_heading(block)
        if parent is not None and (match is None or not match.number):
            match = _unnumbered_level2(block, parent.category, named) or match
        if match is None:
            if sections:
                _append_text(sections[-1], clean_text(block.text))
            continue
        level = match.level
        if level == 1:
            has_level2 = False
        elif level == 2:
            has_level2 = True
        elif _DIGIT_NUMBER.match(match.number) and not has_level2 and sections:
            # Publishers who number the second level 1. 2. (no （一）) mean level 2.
            level = 2
        context = parent.category if parent is not None and level >= 2 else None
        section = Section(
            level=level,
            number=match.number,
            heading=match.heading,
            category=classify_heading(match.heading, level, context),
            text=match.rest,
            page=block.page,
        )
        sections.append(section)
        if level == 1:
            parent, named = section, set()
        elif level == 2:
            named.add(section.category)
    return sections


def match_heading(block: TextBlock) -> HeadingMatch | None:
    """The heading a block is or opens with, if any."""
    text = clean_text(block.text)
    for level, pattern in _LEVEL_PATTERNS:
        found = pattern.match(text)
        if found:
            return _numbered(text, level, found.group())
    if block.heading_level is not None or block.bold:
        return _unnumbered(text)
    return None


def _numbered(text: str, level: int, number: str) -> HeadingMatch | None:
    limit = MAX_LEVEL3_CHARS if level == 3 else MAX_HEADING_CHARS
    if len(text) <= limit and not text.endswith("。"):
        heading, rest = text, ""
    else:
        end = _SENTENCE_END.search(text)
        lead_limit = MAX_LEVEL3_CHARS if level == 3 else MAX_LEAD_HEADING_CHARS
        if end is None or end.start() > lead_limit:
            return None
        heading, rest = text[: end.start()], text[end.end() :].strip()
    display = _display_number(number)
    return HeadingMatch(level, display, display + heading[len(number) :].strip(), rest)


def _unnumbered(text: str) -> HeadingMatch | None:
    # Markup or bold without numbering: a heading only if it names a level-1 category
    # (the report's title is bold too, and is not a section).
    if len(text) > MAX_HEADING_CHARS or any(w in text for w in _TITLE_WORDS):
        return None
    if classify_heading(text, 1) in LEVEL1_LEXICON:
        return HeadingMatch(1, "", text, "")
    return None


def _unnumbered_level2(
    block: TextBlock, parent: str, named: set[str]
) -> HeadingMatch | None:
    """A level-2 heading without numbering under a section of category ``parent``."""
    if parent not in LEVEL2_UNDER:
        return None
    text = clean_text(block.text)
    if (
        len(text) > MAX_UNNUMBERED_CHARS
        or _NOT_A_HEADING_LINE.search(text)
        or any(w in text for w in _TITLE_WORDS)
    ):
        return None
    category, score = heading_category(text, 2, parent)
    # A category named twice under one section is the next level-1 heading printed
    # without its number (主动公开情况 under 一, then 主动公开政府信息情况).
    if category == UNKNOWN or category in named:
        return None
    marked = bool(block.bold) or block.heading_level is not None
    if not marked and score < PLAIN_HEADING_SCORE:
        return None
    return HeadingMatch(2, "", text, "")


def _display_number(number: str) -> str:
    # (一) and （一） are the same numbering; print the full-width form the template uses.
    return number.replace("(", "（").replace(")", "）")


def _append_text(section: Section, text: str) -> None:
    section.text = f"{section.text}\n{text}" if section.text else text


def table_captions(document: Document) -> list[str]:
    """For each table, the heading it stands under ("" before the first heading)."""
    captions: list[str] = []
    heading = ""
    for item in document.items():
        if isinstance(item, TextBlock):
            match = match_heading(item)
            heading = match.heading if match else heading
        else:
            captions.append(heading)
    return captions
