from __future__ import annotations

import pytest
from conftest import source_info

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
