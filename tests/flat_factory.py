"""Made-up reports rendered as web archivers save them, and as whitespace-aligned text.

:func:`to_flat` prints a :class:`report_factory.MadeUpReport` the way an archived page's
text holds it (samples/pingtan20*_page.txt): header lines, then the whole article on one
line, the portal's breadcrumb and toolbar, headings run in, and every table flattened with
no separator between cells (a blank cell vanishes; some rows keep single spaces; the
next row's numbering glued to a run). :func:`to_aligned` prints it as a pdftotext
``-layout`` dump or text copied from Word: columns by character position, CJK characters
two columns wide. Labels come from report_factory's tables, as the template prints them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from report_factory import (
    ACTIVE_2019,
    ACTIVE_2021,
    REQUEST_COLUMNS,
    REVIEW_FIELD_LABELS,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    MadeUpReport,
    format_value,
    make_report,
    narrative,
    request_row_keys,
)
from table_layout import PLAIN, requests_rows

REQUESTS_HEADER = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
)
REVIEW_HEADER = (
    "行政复议行政诉讼"
    + "".join(REVIEW_FIELD_LABELS)
    + "未经复议直接起诉复议后起诉"
    + "".join(REVIEW_FIELD_LABELS) * 2
)
PORTAL = (
    "当前位置： 首页政务公开政府信息公开年报 {title} 来源：{issuer} "
    "时间：{year}-02-08 16:34 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： -->"
)
YUAN_PER_WAN = 10_000


@dataclass(frozen=True)
class FlatStyle:
    """How one archived page prints: which rows keep spaces, 元 amounts, chrome."""

    spaced_rows: frozenset[str] = (
        frozenset()
    )  # row keys whose cells are space-separated
    yuan: bool = False  # the procurement amount printed in 元 (2019 template)
    portal: bool = True  # breadcrumb and toolbar before the article
    stop_after_heading: bool = False  # `（一）主动公开情况。按照…` rather than run in


def to_flat(report: MadeUpReport, style: FlatStyle = FlatStyle()) -> str:
    """The report as an archived page's text file."""
    header = [
        f"标题: {report.title}",
        f"发布时间: {report.year + 1}-02-08 16:34",
        "文号: ",
        f"发布机构: {report.issuer}",
        "栏目: 政府信息公开年报",
        "==================== 正文 ====================",
    ]
    parts: list[str] = []
    if style.portal:
        parts.append(
            PORTAL.format(
                title=report.title, issuer=report.issuer, year=report.year + 1
            )
            + " "
        )
    parts.append(f"本报告由{report.issuer}办公室编制。")
    level1 = [heading for heading, _ in report.level1]
    body = narrative(report)
    parts.append(level1[0])
    mark = "。" if style.stop_after_heading else ""
    for heading, category in report.level2:
        parts.append(heading + mark + body.get(category, "有关工作稳步推进。"))
    parts.append(level1[1] + " ")
    parts.append(_flat_active(report, style))
    parts.append(level1[2])
    parts.append(REQUESTS_HEADER)
    for key, labels in _request_labels(report.requests_template):
        values = [format_value(report.requests[key][c]) for c in REQUEST_COLUMNS]
        parts.append("".join(labels) + _join(values, key in style.spaced_rows))
    parts.append(" " + level1[3])
    parts.append(REVIEW_HEADER)
    review = [
        format_value(report.review_litigation[g][f])
        for g in REVIEW_GROUPS
        for f in REVIEW_FIELDS
    ]
    parts.append(_join(review, "review" in style.spaced_rows) + " ")
    parts.append(level1[4] + "个别单位政策解读质量有待提升，下一步将加强培训。")
    parts.append(level1[5] + "无。 附件下载")
    return "\n".join(header) + "\n" + "".join(parts) + "\n"


def _request_labels(template: str) -> list[tuple[str, list[str]]]:
    """Table 3's row labels as a span-less page prints them (a merged group label on
    its first row only), taken from the layout every other renderer prints."""
    keys = request_row_keys(template)
    blank = {key: dict.fromkeys(REQUEST_COLUMNS) for key in keys}
    rows = requests_rows(template, blank, PLAIN)[-len(keys) :]
    width = len(REQUEST_COLUMNS)
    return [
        (key, [cell.text for cell in row[:-width]])
        for key, row in zip(keys, rows, strict=True)
    ]


def _flat_active(report: MadeUpReport, style: FlatStyle) -> str:
    layout = ACTIVE_2021 if report.active_template == "2021" else ACTIVE_2019
    out = []
    for sub_heading, headers, rows in layout:
        out.append(sub_heading + "".join(headers))
        for key, label, fields in rows:
            values = report.active_disclosure[key]
            cells = [_active_cell(values[f], f, style) for f in fields]
            out.append(label + _join(cells, key in style.spaced_rows))
    return "".join(out)


def _active_cell(value: int | float | None, name: str, style: FlatStyle) -> str:
    if name == "amount_wan_yuan" and style.yuan and value is not None:
        return f"{value * YUAN_PER_WAN:.2f}元"
    return format_value(value, name)


def _join(cells: Iterable[str], spaced: bool) -> str:
    return (" " if spaced else "").join(cells)


def plausible(report: MadeUpReport, seed: int) -> MadeUpReport:
    """The report with table-2 figures as real reports print them: in-force documents
    outnumber this year's, changes are 0 or signed, a handful of procurement projects.
    (report_factory draws any 0–5000, which no archived page needs to be read for.)"""
    active = {key: dict(values) for key, values in report.active_disclosure.items()}
    step = seed % 7
    for key, values in active.items():
        if "issued" in values:
            values.update(issued=12 + step, repealed=step, in_force=180 + 7 * step)
        if "made" in values:
            values.update(made=12 + step, published=9 + step, total_public=210 + step)
        if "prev_items" in values:
            values["prev_items"] = 35 + 11 * step + len(key)
        if "decisions" in values:
            values["decisions"] = 120 + 13 * step
        if "projects" in values:
            values["projects"] = 8 + step
    return replace(report, active_disclosure=active)


def corpus() -> list[tuple[str, MadeUpReport, FlatStyle]]:
    """Made-up archived pages: both templates, blanks, decimals, 元, spaced rows,
    and reports whose own figures break R1–R4."""
    pages: list[tuple[str, MadeUpReport, FlatStyle]] = []
    for seed in range(1, 9):
        template = "2019" if seed % 2 else "2021"
        made = plausible(make_report(template, template, seed=seed), seed)
        style = FlatStyle(
            spaced_rows=frozenset({"result_total", "review"} if seed % 3 == 0 else ()),
            yuan=template == "2019" and seed % 4 == 1,
            portal=seed % 4 != 3,
            stop_after_heading=seed % 3 == 1,
        )
        pages.append((f"{template}-{seed}", made, style))
    raw = make_report("2019", "2019", seed=11)
    pages.append(("2019-unrounded", raw, FlatStyle()))
    pages.append(("2019-blanks", with_blanks(plausible(raw, 3)), FlatStyle()))
    pages.append(
        ("2021-broken", with_broken_sums(make_report("2021", "2021", 12)), FlatStyle())
    )
    return pages


def with_blanks(report: MadeUpReport) -> MadeUpReport:
    """Blank cells, which vanish when flattened: table 2's change of fees, and a whole
    row of table 3 left empty (its figures taken out of the totals, so R1–R3 hold)."""
    active = {k: dict(v) for k, v in report.active_disclosure.items()}
    if "administrative_fees" in active and "change" in active["administrative_fees"]:
        active["administrative_fees"]["change"] = None
    requests = {k: dict(v) for k, v in report.requests.items()}
    emptied = requests["not_processed.duplicate"]
    for column, value in emptied.items():
        for row in ("result_total", "new_received"):
            requests[row][column] = int(requests[row][column] or 0) - int(value or 0)
        emptied[column] = None
    return replace(report, active_disclosure=active, requests=requests)


def with_broken_sums(report: MadeUpReport) -> MadeUpReport:
    """A report whose own arithmetic fails: one row's 总计 and one review total off."""
    requests = {k: dict(v) for k, v in report.requests.items()}
    requests["disclosed"]["total"] = int(requests["disclosed"]["total"] or 0) + 1
    review = {g: dict(v) for g, v in report.review_litigation.items()}
    review["review"]["total"] = int(review["review"]["total"] or 0) + 1
    return replace(report, requests=requests, review_litigation=review)


# --- whitespace-aligned text ---------------------------------------------------------

LABEL_WIDTH = 84  # display columns of the label column (the longest label is 78)
CELL_WIDTH = 14


def width(text: str, wide: int = 2) -> int:
    """Display columns: CJK and full-width characters take ``wide`` (two in a terminal
    dump; some PDF text dumps pad as if they took one)."""
    return sum(wide if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _aligned_row(label: str, cells: list[str], wide: int = 2) -> str:
    line = label + " " * max(2, LABEL_WIDTH - width(label, wide))
    return (
        line + "".join(" " * (CELL_WIDTH - width(c, wide)) + c for c in cells)
    ).rstrip()


def to_aligned(report: MadeUpReport, wide: int = 2) -> str:
    """The report as pdftotext -layout prints it: tables aligned by spaces, CJK
    characters ``wide`` columns wide."""
    lines = [report.title, "", f"本报告由{report.issuer}办公室编制。"]
    body = narrative(report)
    level1 = [heading for heading, _ in report.level1]
    lines.append(level1[0])
    for heading, category in report.level2:
        lines += [heading, "    " + body.get(category, "有关工作稳步推进。")]
    lines.append(level1[1])
    layout = ACTIVE_2021 if report.active_template == "2021" else ACTIVE_2019
    for sub_heading, headers, rows in layout:
        lines.append(sub_heading)
        lines.append(_aligned_row(headers[0], headers[1:], wide))
        for key, label, fields in rows:
            values = report.active_disclosure[key]
            lines.append(
                _aligned_row(label, [format_value(values[f], f) for f in fields], wide)
            )
    lines.append(level1[2])
    lines.append("申请人情况")
    columns = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构"]
    lines.append(_aligned_row("", [*columns, "其他", "总计"], wide))
    for key, labels in _request_labels(report.requests_template):
        values = [format_value(report.requests[key][c]) for c in REQUEST_COLUMNS]
        lines.append(_aligned_row("  ".join(labels), values, wide))
    lines.append(level1[3])
    lines.append(_aligned_row("", REVIEW_FIELD_LABELS, wide))
    names = ["行政复议", "未经复议直接起诉", "复议后起诉"]
    for group, name in zip(REVIEW_GROUPS, names, strict=True):
        review = report.review_litigation[group]
        values = [format_value(review[f]) for f in REVIEW_FIELDS]
        lines.append(_aligned_row(name, values, wide))
    lines.append(level1[4])
    lines.append("个别单位政策解读质量有待提升，下一步将加强培训。")
    lines.append(level1[5])
    lines.append("无。")
    return "\n".join(lines) + "\n"
