from __future__ import annotations

import pytest
from conftest import source_info

from extractors.document import Document, InputFormat, TextBlock
from extractors.metadata import find_metadata, issuer_from_title, region_of


def document(*lines: str) -> Document:
    source = source_info(InputFormat.TEXT, "x.txt")
    blocks = [TextBlock(text=t, order=i) for i, t in enumerate(lines)]
    return Document(source=source, blocks=blocks)


@pytest.mark.parametrize(
    ("issuer", "region"),
    [
        ("淮安市人民政府", "淮安市"),
        ("江苏省淮安市洪泽区人民政府", "洪泽区"),
        ("平潭综合实验区管委会", "平潭综合实验区"),
        ("淮安市市场监督管理局", "淮安市"),
        ("上海市浦东新区人民政府", "浦东新区"),
        ("鞍山市政府", "鞍山市"),
        ("辽宁省人民政府办公厅", "辽宁省"),
    ],
)
def test_region_is_the_innermost_unit(issuer: str, region: str) -> None:
    assert region_of(issuer) == region


@pytest.mark.parametrize(
    ("title", "issuer"),
    [
        ("鞍山市政府2019年度政府信息公开工作报告", "鞍山市政府"),
        ("2023年度淮安市财政局政府信息公开工作年度报告", "淮安市财政局"),
        ("淮安市人民政府关于2022年政府信息公开工作年度报告", "淮安市人民政府"),
    ],
)
def test_issuer_from_title(title: str, issuer: str) -> None:
    assert issuer_from_title(title) == issuer


def test_cover_page_title_split_over_two_lines() -> None:
    meta = find_metadata(
        document("淮安市人民政府", "2024 年政府信息公开工作年度报告", "正文。")
    )
    assert meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert (meta.issuer, meta.region, meta.year) == ("淮安市人民政府", "淮安市", 2024)


def test_breadcrumb_is_not_the_title() -> None:
    meta = find_metadata(
        document("首页 > 政务公开 > 年度报告", "洪泽区2021年政府信息公开工作年度报告")
    )
    assert meta.title == "洪泽区2021年政府信息公开工作年度报告"
    assert (meta.region, meta.year) == ("洪泽区", 2021)


def test_body_names_never_become_the_issuer() -> None:
    meta = find_metadata(
        document(
            "根据《即时比分办公厅关于做好2019年度政府信息公开工作报告编制发布等工作的通知》要求，"
            "特编制《鞍山市政府2019年度政府信息公开工作报告》。"
        )
    )
    assert (meta.issuer, meta.region, meta.year) == ("鞍山市政府", "鞍山市", 2019)


def test_author_sentence_when_the_title_names_no_body() -> None:
    meta = find_metadata(
        document(
            "2020年政府信息公开工作年度报告",
            "本报告由淮安市清江浦区人民政府办公室编制。",
        )
    )
    assert meta.issuer == "淮安市清江浦区人民政府办公室"
    assert meta.region == "清江浦区"
    assert meta.year == 2020
