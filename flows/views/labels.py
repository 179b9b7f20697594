"""Chinese labels and canonical key order for people-facing views (review, compare, export).

Every label comes from :mod:`extractors.template.specs`; this module only picks one (the
printed label for pages, the shortest for spreadsheet headers) and orders keys the way the
national template prints them.
"""

from __future__ import annotations

from extractors.report import Report
from extractors.template.specs import (
    ACTIVE_FIELD_LABELS,
    ROW_GROUP_LABELS,
    SPECS,
    RowSpec,
    TableKind,
    TableSpec,
    TemplateVersion,
)

TABLE_KINDS: tuple[str, ...] = tuple(k.value for k in TableKind)
# Titles of the tables' own sections (TEMPLATE.md §1, level 1 二、…四、).
TABLE_TITLES: dict[str, str] = {
    TableKind.ACTIVE_DISCLOSURE.value: "主动公开政府信息情况",
    TableKind.REQUESTS.value: "收到和处理政府信息公开申请情况",
    TableKind.REVIEW_LITIGATION.value: "行政复议、行政诉讼情况",
}
# Section categories (TEMPLATE.md §1) by their usual heading.
CATEGORY_LABELS: dict[str, str] = {
    "overall": "总体情况",
    "active_disclosure_stats": "主动公开政府信息情况",
    "requests_stats": "收到和处理政府信息公开申请情况",
    "review_litigation_stats": "行政复议、行政诉讼情况",
    "problems_improvements": "存在的主要问题及改进情况",
    "other_matters": "其他需要报告的事项",
    "active_disclosure": "主动公开",
    "request_disclosure": "依申请公开",
    "information_management": "政府信息管理",
    "platform_construction": "平台建设",
    "supervision_guarantee": "监督保障",
    "problems": "存在的主要问题",
    "improvements": "改进情况",
    "fee_collection": "收取信息处理费",
    "annual_work_points": "年度工作要点落实",
    "proposals_handling": "建议提案办理",
    "unknown": "未归类",
}
# Columns that name the report in every spreadsheet row, before its values.
META_LABELS: dict[str, str] = {
    "file": "文件",
    "issuer": "发布机关",
    "region": "地区",
    "year": "年度",
    "template": "模板",
}


def bilingual(label: str, key: str) -> str:
    """`label (key)`: Chinese first, canonical key second."""
    return f"{label} ({key})"


def report_spec(report: Report, kind: str) -> TableSpec:
    """The spec of one of the report's tables, in the format the report recorded."""
    meta = report.report
    recorded = meta.template_by_table.get(kind)
    if recorded is None and meta.template in ("2019", "2021"):
        recorded = meta.template
    return SPECS[TableKind(kind)][TemplateVersion(recorded or "2019")]


def row_label(
    kind: str, key: str, short: bool = False, template: str | None = None
) -> str:
    """The Chinese label of a row in either format; the key itself if no spec has it.

    Args:
        kind: table key (`requests`, …).
        key: canonical row key.
        short: the shortest label (for headers) instead of the printed one.
        template: the format to take the label from first (`2019`/`2021`); formats
            name some rows differently (规范性文件 / 行政规范性文件).
    """
    row = _find_row(kind, key, template)
    if row is None:
        return key
    label = min(row.labels, key=len) if short else row.labels[0]
    prefix = key.split(".", 1)[0]
    group = row.group or ((ROW_GROUP_LABELS[prefix],) if "." in key else ())
    # `其他` alone is ambiguous in table 3 (a column and a row are both 其他).
    return "·".join((*group, label)) if short and group else label


def value_label(kind: str, row: str, field: str) -> str:
    """The Chinese header of one value, `本年新收·自然人`: short row label, then field."""
    return f"{row_label(kind, row, short=True)}·{field_label(kind, field)}"


def field_label(kind: str, field: str) -> str:
    """The Chinese label of a field (column) of a table; the key itself if unknown."""
    for spec in SPECS[TableKind(kind)].values():
        for column in spec.columns:
            if column.key == field:
                return column.labels[0]
    return ACTIVE_FIELD_LABELS.get(field, field)


def group_label(key: str) -> str | None:
    """The printed group (不予公开, …) of a dotted row key, if it has one."""
    return ROW_GROUP_LABELS.get(key.split(".", 1)[0]) if "." in key else None


def report_value_keys(report: Report, kind: str) -> list[tuple[str, tuple[str, ...]]]:
    """Rows of one of the report's tables with their fields, in printed order.

    The spec's rows come first (so an absent row still shows), then any row or field the
    report holds that its spec does not know, so that no value is left out of a view.
    """
    spec = report_spec(report, kind)
    values: dict[str, dict[str, int | float | None]] = getattr(report, kind)
    rows: list[tuple[str, tuple[str, ...]]] = []
    for row in spec.rows:
        fields = spec.fields_of(row)
        extra = tuple(f for f in values.get(row.key, {}) if f not in fields)
        rows.append((row.key, (*fields, *extra)))
    known = {r.key for r in spec.rows}
    rows.extend((k, tuple(v)) for k, v in values.items() if k not in known)
    return rows


def all_value_keys(kind: str) -> list[tuple[str, str]]:
    """Every (row, field) a table has in any format, in printed order, for wide sheets."""
    keys: list[tuple[str, str]] = []
    for spec in SPECS[TableKind(kind)].values():
        at = 0
        for row in spec.rows:
            for field in spec.fields_of(row):
                if (row.key, field) in keys:
                    at = keys.index((row.key, field)) + 1
                    continue
                # A new field goes after its row's others, a new row after the last
                # shared key: 2021-only rows sit where they are printed.
                same_row = [i for i, (r, _) in enumerate(keys) if r == row.key]
                at = same_row[-1] + 1 if same_row else at
                keys.insert(at, (row.key, field))
                at += 1
    return keys


def _find_row(kind: str, key: str, template: str | None = None) -> RowSpec | None:
    specs = SPECS[TableKind(kind)]
    first = [specs[TemplateVersion(template)]] if template in ("2019", "2021") else []
    for spec in [*first, *specs.values()]:
        for row in spec.rows:
            if row.key == key:
                return row
    return None
