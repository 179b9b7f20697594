from __future__ import annotations

import pytest
from conftest import source_info

from extractors.document import (
    Document,
    InputFormat,
    Table,
    TextBlock,
    cells_from_rows,
)
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


@pytest.mark.parametrize(
    ("issuer", "region"),
    [
        ("国家税务总局淮安市税务局", "淮安市"),
        ("国家税务总局淮安市洪泽区税务局", "洪泽区"),
        ("淮安市教育局", "淮安市"),
        ("淮安市城市管理局", "淮安市"),
        ("江苏省教育厅", "江苏省"),
        ("涟水县人民政府", "涟水县"),
        ("沛县人民政府", "沛县"),
        ("济南市市中区人民政府", "市中区"),
        ("淮安经济技术开发区管委会", "淮安经济技术开发区"),
        ("西双版纳傣族自治州人民政府", "西双版纳傣族自治州"),
        ("市教育局", None),
    ],
)
def test_a_departments_region_is_its_city_county_or_province(
    issuer: str, region: str | None
) -> None:
    assert region_of(issuer) == region


def test_title_over_three_lines() -> None:
    meta = find_metadata(
        document("淮安市人民政府", "2024年政府信息公开", "工作年度报告", "正文。")
    )
    assert meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert (meta.issuer, meta.region, meta.year) == ("淮安市人民政府", "淮安市", 2024)


def test_a_line_in_another_font_size_is_not_part_of_the_title() -> None:
    source = source_info(InputFormat.PDF, "x.pdf")
    blocks = [
        TextBlock(text="淮安市人民政府", order=0, font_size=12),
        TextBlock(text="2024年政府信息公开工作", order=1, font_size=22),
        TextBlock(text="年度报告", order=2, font_size=22),
        TextBlock(text="本报告由淮安市财政局编制。", order=3, font_size=12),
    ]
    meta = find_metadata(Document(source=source, blocks=blocks))
    assert meta.title == "2024年政府信息公开工作年度报告"
    assert (meta.issuer, meta.region, meta.year) == ("淮安市财政局", "淮安市", 2024)


def test_title_in_the_first_table() -> None:
    source = source_info(InputFormat.HTML, "x.html")
    table = Table(
        order=0,
        n_rows=2,
        n_cols=1,
        cells=cells_from_rows(
            [["国家税务总局淮安市税务局2023年政府信息公开工作年度报告"], ["正文"]]
        ),
        engine="html",
    )
    blocks = [TextBlock(text="一、总体情况", order=1)]
    meta = find_metadata(Document(source=source, blocks=blocks, tables=[table]))
    assert meta.issuer == "国家税务总局淮安市税务局"
    assert (meta.region, meta.year) == ("淮安市", 2023)


def test_title_only_in_the_page_header() -> None:
    made = document("一、总体情况", "2023年，本局认真贯彻落实《条例》。")
    made.running_text = ["淮安市教育局2023年政府信息公开工作年度报告", "- 1 -"]
    meta = find_metadata(made)
    assert meta.title == "淮安市教育局2023年政府信息公开工作年度报告"
    assert (meta.issuer, meta.region, meta.year) == ("淮安市教育局", "淮安市", 2023)


def test_a_department_named_by_level_takes_its_city_from_the_page_header() -> None:
    made = document("市教育局2023年政府信息公开工作年度报告", "正文。")
    made.running_text = ["市教育局2023年政府信息公开工作年度报告 - 淮安市人民政府"]
    meta = find_metadata(made)
    assert (meta.issuer, meta.region, meta.year) == ("市教育局", "淮安市", 2023)


def test_a_department_named_by_level_never_takes_a_city_from_the_body() -> None:
    meta = find_metadata(
        document(
            "市教育局2023年政府信息公开工作年度报告",
            "本报告由市教育局编制。根据淮安市人民政府办公室要求，现予公布。",
        )
    )
    assert (meta.issuer, meta.region) == ("市教育局", None)


def test_archived_page_labels_its_title() -> None:
    meta = find_metadata(
        document(
            "标题: 平潭综合实验区2019年度政府信息公开工作年度报告",
            "发布时间: 2020-01-20 15:22",
        )
    )
    assert meta.title == "平潭综合实验区2019年度政府信息公开工作年度报告"
    assert (meta.issuer, meta.region, meta.year) == (
        "平潭综合实验区",
        "平潭综合实验区",
        2019,
    )


def test_year_is_the_year_reported_on_not_published() -> None:
    meta = find_metadata(
        document(
            "发布日期：2024年1月20日", "淮安市人民政府2023年政府信息公开工作年度报告"
        )
    )
    assert meta.year == 2023


def test_year_from_the_statistics_period_when_the_title_has_none() -> None:
    meta = find_metadata(
        document(
            "淮安市人民政府政府信息公开工作年度报告",
            "发布日期：2024年1月20日",
            "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
        )
    )
    assert (meta.issuer, meta.region, meta.year) == ("淮安市人民政府", "淮安市", 2023)


@pytest.mark.parametrize(
    ("title", "issuer"),
    [
        ("淮安市教育局政府信息公开工作年度报告（2023年度）", "淮安市教育局"),
        ("淮安市人民政府政府信息公开工作年度报告", "淮安市人民政府"),
        ("市政务公开办2023年政府信息公开工作年度报告", "市政务公开办"),
        ("2023年政府信息公开工作年度报告", None),
    ],
)
def test_issuer_before_the_reports_name(title: str, issuer: str | None) -> None:
    assert issuer_from_title(title) == issuer


def test_title_ending_in_its_year_in_brackets() -> None:
    meta = find_metadata(
        document("淮安市教育局政府信息公开工作年度报告（2023年度）", "正文。")
    )
    assert meta.title == "淮安市教育局政府信息公开工作年度报告(2023年度)"
    assert (meta.issuer, meta.region, meta.year) == ("淮安市教育局", "淮安市", 2023)
