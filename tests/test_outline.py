from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, source_info

from extractors.document import Document, InputFormat, TextBlock
from extractors.headings import classify_heading
from extractors.outline import find_sections

SOURCE = source_info(InputFormat.TEXT)


def sections_of(*blocks: TextBlock | str) -> list[tuple[int, str, str, str]]:
    made = [
        b if isinstance(b, TextBlock) else TextBlock(text=b, order=i)
        for i, b in enumerate(blocks)
    ]
    found = find_sections(Document(source=SOURCE, blocks=made))
    return [(s.level, s.heading, s.category, s.text) for s in found]


def test_heading_opening_its_paragraph_is_split_from_its_text() -> None:
    assert sections_of("（一）主动公开情况。2024年，主动公开信息5500余条。") == [
        (2, "（一）主动公开情况", "active_disclosure", "2024年，主动公开信息5500余条。")
    ]


def test_half_width_numbering_and_scrape_artifacts() -> None:
    assert sections_of("一、总体公开情况?", "(二)依申请公开情况?", "正文?") == [
        (1, "一、总体公开情况", "overall", ""),
        (2, "（二）依申请公开情况", "request_disclosure", "正文"),
    ]


def test_long_numbered_sentence_is_text_not_a_heading() -> None:
    long = (
        "一、" + "这是一段很长的正文内容，没有在三十个字以内结束第一句话，" * 2 + "。"
    )
    assert sections_of("二、主动公开政府信息情况", long) == [
        (2 - 1, "二、主动公开政府信息情况", "active_disclosure_stats", long)
    ]


def test_bold_unnumbered_heading_and_title_line() -> None:
    found = sections_of(
        TextBlock(text="淮安市2024年政府信息公开工作年度报告", order=0, bold=True),
        TextBlock(text="总体情况", order=1, bold=True),
        TextBlock(text="正文。", order=2),
    )
    assert found == [(1, "总体情况", "overall", "正文。")]


def test_level3_items() -> None:
    found = sections_of(
        "（五）监督保障情况", "一是纳入全市绩效考核。政务公开工作已纳入考核。"
    )
    assert found[1][:2] == (3, "一是纳入全市绩效考核")
    assert found[1][3] == "政务公开工作已纳入考核。"


@pytest.mark.parametrize(
    ("heading", "level", "category"),
    [
        ("一、概述", 1, "overall"),
        ("一、基本情况", 1, "overall"),
        (
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            1,
            "review_litigation_stats",
        ),
        ("五、政府信息公开工作存在的主要问题及改进情况", 1, "problems_improvements"),
        ("六、其他需要报告的事项", 1, "other_matters"),
        ("（一）存在的不足", 2, "problems"),
        ("（二）下一步工作计划", 2, "improvements"),
        ("（一）收取信息处理费情况", 2, "fee_collection"),
        ("（二）人大代表建议和政协提案办理情况", 2, "proposals_handling"),
        ("（三）年度政务公开工作要点落实情况", 2, "annual_work_points"),
        ("（四）政府网站和政务新媒体平台建设", 2, "platform_construction"),
        ("七、附件", 1, "unknown"),
    ],
)
def test_renamed_headings_classify_by_their_words(
    heading: str, level: int, category: str
) -> None:
    assert classify_heading(heading, level) == category


def test_digit_numbered_second_level_under_level_one_is_level_two() -> None:
    found = sections_of(
        "一、总体情况",
        "1.主动公开情况",
        "正文。",
        "2.依申请公开情况",
        "二、主动公开政府信息情况",
    )
    assert [(s[0], s[1], s[2]) for s in found] == [
        (1, "一、总体情况", "overall"),
        (2, "1.主动公开情况", "active_disclosure"),
        (2, "2.依申请公开情况", "request_disclosure"),
        (1, "二、主动公开政府信息情况", "active_disclosure_stats"),
    ]


def test_unnumbered_plain_line_between_level_one_sections_is_level_two() -> None:
    found = sections_of(
        "一、总体情况",
        "2023年，本机关认真贯彻落实《条例》。",
        "政府信息主动公开情况",
        "通过门户网站主动公开政府信息1200条。",
        "优化政府网站栏目设置",
        "依申请公开办理情况",
        "二、主动公开政府信息情况",
    )
    assert [(s[0], s[1], s[2]) for s in found] == [
        (1, "一、总体情况", "overall"),
        (2, "政府信息主动公开情况", "active_disclosure"),
        (2, "依申请公开办理情况", "request_disclosure"),
        (1, "二、主动公开政府信息情况", "active_disclosure_stats"),
    ]
    # One weak word (网站) does not make a plain line a heading: it stays text.
    assert found[1][3] == "通过门户网站主动公开政府信息1200条。\n优化政府网站栏目设置"


def test_sentences_and_figures_under_a_section_stay_text() -> None:
    found = sections_of(
        "一、总体情况",
        "主动公开政府信息1200条",
        "依申请公开工作有序推进，平台建设不断加强",
        "政府信息公开平台建设",
    )
    assert [(s[0], s[1]) for s in found] == [
        (1, "一、总体情况"),
        (2, "政府信息公开平台建设"),
    ]


def test_unnumbered_bold_headings_take_their_level_from_their_place() -> None:
    found = sections_of(
        TextBlock(text="总体情况", order=0, bold=True),
        TextBlock(text="政府信息主动公开情况", order=1, bold=True),
        TextBlock(text="全年主动公开信息1200条。", order=2),
        TextBlock(text="政府信息管理", order=3, bold=True),
        # Named twice under 一: the next level-1 heading, printed without its number.
        TextBlock(text="主动公开政府信息情况", order=4, bold=True),
        TextBlock(text="存在的主要问题及改进情况", order=5, bold=True),
        TextBlock(text="存在的主要问题", order=6, bold=True),
        TextBlock(text="继续完善信息公开机制", order=7, bold=True),
        TextBlock(text="其他需要报告的事项", order=8, bold=True),
    )
    assert [(s[0], s[1], s[2]) for s in found] == [
        (1, "总体情况", "overall"),
        (2, "政府信息主动公开情况", "active_disclosure"),
        (2, "政府信息管理", "information_management"),
        (1, "主动公开政府信息情况", "active_disclosure_stats"),
        (1, "存在的主要问题及改进情况", "problems_improvements"),
        (2, "存在的主要问题", "problems"),
        (2, "继续完善信息公开机制", "improvements"),
        (1, "其他需要报告的事项", "other_matters"),
    ]


@pytest.mark.parametrize(
    ("heading", "parent", "category"),
    [
        ("（一）继续强化信息公开责任", "problems_improvements", "improvements"),
        ("（二）继续完善信息公开机制", "problems_improvements", "improvements"),
        ("（三）继续加强督导协调工作", "problems_improvements", "improvements"),
        ("（二）进一步加强平台建设", "problems_improvements", "improvements"),
        ("（一）主动公开方面存在的问题", "problems_improvements", "problems"),
        ("（一）存在的主要问题", "problems_improvements", "problems"),
        ("（二）改进措施", "problems_improvements", "improvements"),
        # A problem stated without a lexicon word is no measure: unknown, kept.
        ("（一）政务公开工作还不够平衡", "problems_improvements", "unknown"),
        ("（一）基本情况", "overall", "unknown"),
        ("（二）主要做法", "overall", "unknown"),
        ("（二）进一步加强平台建设", None, "platform_construction"),
        ("（一）继续强化信息公开责任", None, "unknown"),
    ],
)
def test_the_parent_section_informs_the_level_two_category(
    heading: str, parent: str | None, category: str
) -> None:
    assert classify_heading(heading, 2, parent) == category


@pytest.mark.parametrize(
    "stem", ["pingtan2019_page", "pingtan2021_page", "pingtan2024_page"]
)
def test_real_headings_classify_in_their_place(stem: str) -> None:
    # The flattened pages need their own reader (not this module's); their headings,
    # in the order the page prints them, are classified here as the answer key says.
    key = json.loads((SAMPLES / "expected" / f"{stem}.json").read_text("utf-8"))
    page = (SAMPLES / f"{stem}.txt").read_text("utf-8")
    body = page[page.index("正文") :]
    expected = [(1, h, c) for h, c in key["sections_level1"]] + [
        (2, h, c) for h, c in key["sections_level2"]
    ]
    in_order = sorted(expected, key=lambda item: body.index(item[1]))
    lines: list[TextBlock | str] = []
    for _, heading, _ in in_order:
        lines.extend([heading, "有关工作稳步推进。"])
    found = sections_of(*lines)
    assert [(s[0], s[1], s[2]) for s in found] == in_order
