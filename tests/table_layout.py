"""The three statistics tables of a made-up report as printed cells, in one place.

Every renderer (scraped text, HTML, Word, PDF) prints the rows built here: text keeps the
cells' texts and loses their spans, markup and PDF keep both. A :class:`Layout` carries
the quirks real reports print, so each one is swept through every format:

- column order (总计 first), a missing applicant column, extra columns (a second 合计
  under 法人或其他组织, a 备注 column), table 3's header flat or two-level;
- row labels with characters dropped or swapped, split over two lines or two cells;
- a row whose label cell lost a column of its span, so its figures sit one column off;
- figures with thousands separators (1,234);
- zeros left blank, so a row of zeros is a label over empty cells.

:func:`expected_values` says what a correct reader returns for a layout (a column that is
not printed reads null).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from report_factory import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICANTS,
    REVIEW_FIELD_LABELS,
    REVIEW_FIELDS,
    REVIEW_GROUPS,
    MadeUpReport,
    Values,
    format_value,
    result_rows,
)

ACTIVE_WIDTH = 4
REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_LABELS = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
}
ORGANIZATIONS = APPLICANTS[1:]
# Labels too short to lose characters and still name their row.
MIN_GARBLED_LENGTH = 4


@dataclass(frozen=True)
class Cell:
    """A printed cell with its spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


Rows = list[list[Cell]]


@dataclass(frozen=True)
class Layout:
    """How a report's tables are printed.

    Args:
        total_first: 总计 printed before the applicant columns (table 3) and before the
            four results (table 4).
        missing_column: an applicant column not printed at all.
        extra_columns: a 合计 of the organizations after 其他, and a 备注 column.
        flat_header: table 3's seven columns in one header row, without 法人或其他组织.
        dropped: characters dropped from every other long row label (0-3).
        swapped: characters moved within every other long row label (0-3).
        split: `lines` wraps long labels onto two lines, `cells` prints a wide label
            as two cells.
        shifted_row: a table-3 row whose label cell spans one column less, so its
            figures sit one column left of their headers.
        thousands: figures of 1000 and more printed with separators (1,234).
        blank_zeros: zeros printed as empty cells, as many real reports do (blank is
            not zero: a correct reader returns null for them).
    """

    total_first: bool = False
    missing_column: str | None = None
    extra_columns: bool = False
    flat_header: bool = False
    dropped: int = 0
    swapped: int = 0
    split: str | None = None
    shifted_row: str | None = None
    thousands: bool = False
    blank_zeros: bool = False

    @property
    def request_columns(self) -> list[str]:
        """Printed table-3 value columns: field keys, `extra_total`, `remark`."""
        orgs = [c for c in ORGANIZATIONS if c != self.missing_column]
        applicants = ["natural_person", *orgs]
        if self.extra_columns:
            applicants.append("extra_total")
        if self.missing_column == "natural_person":
            applicants.remove("natural_person")
        columns = ["total", *applicants] if self.total_first else [*applicants, "total"]
        return [*columns, "remark"] if self.extra_columns else columns

    @property
    def review_fields(self) -> list[str]:
        """Printed table-4 fields of each group."""
        if self.total_first:
            return ["total", *REVIEW_FIELDS[:4]]
        return list(REVIEW_FIELDS)


PLAIN = Layout()


def expected_values(made: MadeUpReport, layout: Layout) -> MadeUpReport:
    """The report a correct reader returns: a column not printed, or a zero printed
    blank, is null."""
    expected = copy.deepcopy(made)
    if layout.missing_column:
        for values in expected.requests.values():
            values[layout.missing_column] = None
    if layout.blank_zeros:
        for table in (
            expected.active_disclosure,
            expected.requests,
            expected.review_litigation,
        ):
            for values in table.values():
                for key, value in values.items():
                    if value == 0:
                        values[key] = None
    return expected


def without_column(made: MadeUpReport, column: str) -> MadeUpReport:
    """The same report with no requests from one applicant kind (all zero), so that a
    layout leaving its column out prints a report whose rules still hold."""
    out = copy.deepcopy(made)
    for values in out.requests.values():
        values["total"] = int(values["total"] or 0) - int(values[column] or 0)
        values[column] = 0
    out.narrative_received = int(out.requests["new_received"]["total"] or 0)
    return out


def figure(value: int | float | None, field_name: str, layout: Layout) -> str:
    """A value as printed, with thousands separators when the layout has them."""
    if layout.blank_zeros and value == 0:
        return ""
    text = format_value(value, field_name)
    if layout.thousands and value is not None and abs(value) >= 1000:
        sign = text[: len(text) - len(text.lstrip("增减-"))]
        number = f"{abs(value):,.1f}" if isinstance(value, float) else f"{abs(value):,}"
        return sign + number.removesuffix(".0")
    return text


def garble(label: str, layout: Layout) -> str:
    """A label with characters dropped or moved after its numbering, as misprinted."""
    k = layout.dropped or layout.swapped
    head, words = _split_number(label)
    if not k or len(words) < MIN_GARBLED_LENGTH + 2 * k:
        return label
    middle = len(words) // 2
    if layout.dropped:
        return head + words[: middle - k // 2] + words[middle - k // 2 + k :]
    run = words[middle : middle + k + 1]
    return head + words[:middle] + run[::-1] + words[middle + k + 1 :]


def _split_number(label: str) -> tuple[str, str]:
    for end in (3, 2):
        if label[:end].endswith(("、", ".", "）")):
            return label[:end], label[end:]
    return "", label


def _label(text: str, index: int, layout: Layout) -> str:
    # Every other row keeps its label, so misprints sit between readable neighbours.
    if index % 2 == 0:
        text = garble(text, layout)
    if layout.split == "lines" and len(text) >= 2 * MIN_GARBLED_LENGTH:
        middle = len(text) // 2
        text = text[:middle] + "\n" + text[middle:]
    return text


def garbled_rows(made: MadeUpReport, layout: Layout) -> set[str]:
    """`table.row` of every row whose label the layout misprints."""
    out = set()
    table = ACTIVE_2021 if made.active_template == "2021" else ACTIVE_2019
    items = [(key, label) for _, _, rows in table for key, label, _ in rows]
    for index, (key, label) in enumerate(items):
        if index % 2 == 0 and garble(label, layout) != label:
            out.add(f"active_disclosure.{key}")
    for index, (key, _, label) in enumerate(result_rows(made.requests_template)):
        if index % 2 == 0 and garble(label, layout) != label:
            out.add(f"requests.{key}")
    return out


def _label_cells(
    text: str, colspan: int, layout: Layout, rowspan: int = 1
) -> list[Cell]:
    if layout.split == "cells" and colspan > 1 and len(text) >= MIN_GARBLED_LENGTH:
        middle = len(text) // 2
        return [Cell(text[:middle], rowspan, colspan - 1), Cell(text[middle:], rowspan)]
    return [Cell(text, rowspan, colspan)]


def active_rows(template: str, report_values: Values, layout: Layout = PLAIN) -> Rows:
    """Table 2 as printed: 4 columns, short rows widened by their last cell."""
    table = ACTIVE_2021 if template == "2021" else ACTIVE_2019
    rows: Rows = []
    index = 0
    for sub_heading, headers, items in table:
        rows.append([Cell(sub_heading, colspan=ACTIVE_WIDTH)])
        rows.append(_widen([Cell(h) for h in headers]))
        for key, label, fields in items:
            values = report_values.get(key, {})
            printed = [Cell(figure(values.get(f), f, layout)) for f in fields]
            rows.append(_widen([Cell(_label(label, index, layout)), *printed]))
            index += 1
    return rows


def requests_rows(template: str, report_values: Values, layout: Layout = PLAIN) -> Rows:
    """Table 3 as printed: the 勾稽关系 note block, groups spanning their rows."""
    columns = layout.request_columns
    header = _requests_header(layout)
    label_width = 3

    def values(key: str) -> list[Cell]:
        row = report_values[key]
        out = []
        for c in columns:
            if c == "extra_total":
                value: int | float | None = sum(int(row[o] or 0) for o in ORGANIZATIONS)
            else:
                value = None if c == "remark" else row.get(c)
            out.append(Cell(figure(value, c, layout)))
        return out

    def wide(key: str, text: str, index: int, span: int = label_width) -> list[Cell]:
        if key == layout.shifted_row:
            span -= 1  # the merged label lost a column: figures sit one to the left
        return [*_label_cells(_label(text, index, layout), span, layout), *values(key)]

    rows: Rows = [*header]
    rows.append(wide("new_received", "一、本年新收政府信息公开申请数量", 1))
    rows.append(wide("carried_over", "二、上年结转政府信息公开申请数量", 1))
    results = result_rows(template)
    first = len(rows)
    previous: str | None = None
    for i, (key, group, label) in enumerate(results):
        if group is None:
            rows.append(wide(key, label, i, span=2))
            previous = group
            continue
        row: list[Cell] = []
        if group != previous:
            size = sum(1 for _, g, _ in results if g == group)
            row.append(Cell(group, rowspan=size))
        previous = group
        rows.append([*row, Cell(_label(label, i, layout)), *values(key)])
    rows.append(wide("result_total", "（七）总计", 1, span=2))
    rows[first].insert(0, Cell("三、本年度办理结果", rowspan=len(rows) - first))
    rows.append(wide("carried_to_next_year", "四、结转下年度继续办理", 1))
    return rows


def _requests_header(layout: Layout) -> Rows:
    columns = layout.request_columns
    names = {
        **APPLICANT_LABELS,
        "total": "总计",
        "extra_total": "合计",
        "remark": "备注",
    }
    if layout.flat_header:
        return [[Cell(REQUESTS_NOTE, colspan=3), *(Cell(names[c]) for c in columns)]]
    orgs = [c for c in columns if c in ORGANIZATIONS or c == "extra_total"]
    top = [c for c in columns if c != "remark"]
    second: list[Cell] = []
    for c in top:
        if c in orgs:
            if c == orgs[0]:
                second.append(Cell("法人或其他组织", colspan=len(orgs)))
            continue
        second.append(Cell(names[c], rowspan=2))
    first = [
        Cell(REQUESTS_NOTE, rowspan=3, colspan=3),
        Cell("申请人情况", colspan=len(top)),
    ]
    if "remark" in columns:
        first.append(Cell("备注", rowspan=3))
    return [first, second, [Cell(names[c]) for c in orgs]]


def review_rows(report_values: Values, layout: Layout = PLAIN) -> Rows:
    """Table 4 as printed: three header rows over one row of 15 figures."""
    fields = layout.review_fields
    labels = dict(zip(REVIEW_FIELDS, REVIEW_FIELD_LABELS, strict=True))
    heads = [labels[f] for f in fields]
    figures = [
        Cell(figure(report_values[g].get(f), f, layout))
        for g in REVIEW_GROUPS
        for f in fields
    ]
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [
            *(Cell(h, rowspan=2) for h in heads),
            Cell("未经复议直接起诉", colspan=5),
            Cell("复议后起诉", colspan=5),
        ],
        [Cell(h) for h in heads * 2],
        figures,
    ]


def _widen(row: list[Cell]) -> list[Cell]:
    last = row[-1]
    row[-1] = Cell(last.text, colspan=ACTIVE_WIDTH - sum(c.colspan for c in row[:-1]))
    return row


def tables(report: MadeUpReport, layout: Layout = PLAIN) -> list[Rows]:
    """Tables 2, 3 and 4 in printed order."""
    return [
        active_rows(report.active_template, report.active_disclosure, layout),
        requests_rows(report.requests_template, report.requests, layout),
        review_rows(report.review_litigation, layout),
    ]


def pipe_lines(rows: Rows) -> list[str]:
    """A table as a scrape prints it: each row's cells between pipes, spans lost; a
    label wrapped onto two lines leaves its first line as a row of its own."""
    lines = []
    for row in rows:
        texts = [c.text for c in row]
        wrapped = next((i for i, t in enumerate(texts) if "\n" in t), None)
        if wrapped is not None:
            head, tail = texts[wrapped].split("\n", 1)
            lines.append(_pipe([*texts[:wrapped], head]))
            texts = [tail, *texts[wrapped + 1 :]]
        lines.append(_pipe(texts))
    return lines


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
