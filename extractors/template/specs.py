"""The national template's three statistics tables, as data (TEMPLATE.md §2).

Labels are written in :func:`extractors.textnorm.label_key` form (no numbering, no
punctuation, no bracketed notes). The first label of a row is the printed one; the rest are
synonyms and shortened forms seen in the wild. A template variant is an edit here, not in
the mapper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from extractors.values import ValueKind


class TableKind(str, Enum):
    """The three statistics tables, by their output key."""

    ACTIVE_DISCLOSURE = "active_disclosure"
    REQUESTS = "requests"
    REVIEW_LITIGATION = "review_litigation"


class TemplateVersion(str, Enum):
    """The two national template formats, named by the first year they applied."""

    V2019 = "2019"
    V2021 = "2021"


@dataclass(frozen=True)
class RowSpec:
    """One canonical row: its key, labels, and (table 2) its own ordered fields."""

    key: str
    labels: tuple[str, ...]
    fields: tuple[str, ...] = ()
    group: tuple[str, ...] = ()  # a parent label that must be present (e.g. 其他处理)
    after: tuple[str, ...] = ()  # or: rows that, matched just before, imply the group


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its key and the header labels that name it (the first
    as printed by the template, the rest synonyms)."""

    key: str
    labels: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: specs are module singletons
class TableSpec:
    """One table in one template format."""

    kind: TableKind
    template: TemplateVersion
    rows: tuple[RowSpec, ...]
    columns: tuple[ColumnSpec, ...] = ()
    markers: tuple[str, ...] = ()  # header words that only this format prints
    # Headers of the fields rows own (table 2), when the table has no shared columns.
    field_headers: tuple[ColumnSpec, ...] = ()
    # Header labels printed over several columns (法人或其他组织 over five).
    column_parents: tuple[str, ...] = ()
    field_kinds: dict[str, ValueKind] = field(default_factory=dict)
    template_follows: TableKind | None = None  # one layout: report that table's format

    def row(self, key: str) -> RowSpec:
        """The row spec with this key."""
        return next(r for r in self.rows if r.key == key)

    def fields_of(self, row: RowSpec) -> tuple[str, ...]:
        """The ordered fields of a row: its own, or the table's columns."""
        return row.fields or self.column_keys

    @cached_property
    def column_keys(self) -> tuple[str, ...]:
        """The keys of the table's shared columns, in order."""
        return tuple(c.key for c in self.columns)

    @property
    def headers(self) -> tuple[ColumnSpec, ...]:
        """Every column header the table prints, matched to fields by label."""
        return self.columns or self.field_headers


_ITEMS_2019 = ("prev_items", "change", "decisions")

# The column headers of table 2's fields (both formats); tables 3 and 4 name their
# fields in `columns`. Matched by label like rows; the first label is printed for people
# (review pages, spreadsheet headers).
ACTIVE_FIELDS = (
    ColumnSpec("made", ("本年新制作数量", "新制作数量")),
    ColumnSpec("published", ("本年新公开数量", "新公开数量")),
    ColumnSpec("total_public", ("对外公开总数量", "公开总数量")),
    ColumnSpec("prev_items", ("上一年项目数量", "上年项目数量")),
    ColumnSpec("change", ("本年增/减", "本年增减", "增减")),
    ColumnSpec("decisions", ("处理决定数量", "本年处理决定数量")),
    ColumnSpec("projects", ("采购项目数量",)),
    ColumnSpec(
        "amount_wan_yuan", ("金额（万元）", "采购总金额", "本年收费金额", "金额")
    ),
    ColumnSpec("issued", ("本年制发件数", "制发件数")),
    ColumnSpec("repealed", ("本年废止件数", "废止件数")),
    ColumnSpec("in_force", ("现行有效件数", "有效件数")),
)
ACTIVE_FIELD_LABELS: dict[str, str] = {c.key: c.labels[0] for c in ACTIVE_FIELDS}
# The printed group of a dotted table-3 row key (（三）…（六）), also for people.
ROW_GROUP_LABELS: dict[str, str] = {
    "withheld": "不予公开",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "other_handling": "其他处理",
}

ACTIVE_DISCLOSURE_2019 = TableSpec(
    kind=TableKind.ACTIVE_DISCLOSURE,
    template=TemplateVersion.V2019,
    rows=(
        RowSpec("rules", ("规章",), ("made", "published", "total_public")),
        RowSpec(
            "normative_documents",
            ("规范性文件",),
            ("made", "published", "total_public"),
        ),
        RowSpec("administrative_license", ("行政许可",), _ITEMS_2019),
        RowSpec(
            "other_management_services",
            ("其他对外管理服务事项", "其他对外管理服务"),
            _ITEMS_2019,
        ),
        RowSpec("administrative_penalty", ("行政处罚",), _ITEMS_2019),
        RowSpec("administrative_coercion", ("行政强制",), _ITEMS_2019),
        RowSpec("administrative_fees", ("行政事业性收费",), ("prev_items", "change")),
        RowSpec(
            "centralized_procurement",
            ("政府集中采购", "集中采购"),
            ("projects", "amount_wan_yuan"),
        ),
    ),
    markers=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增减",
        "采购项目数量",
        "采购总金额",
        "其他对外管理服务事项",
        "政府集中采购",
    ),
    field_kinds={"change": ValueKind.CHANGE, "amount_wan_yuan": ValueKind.AMOUNT},
    field_headers=ACTIVE_FIELDS,
)

ACTIVE_DISCLOSURE_2021 = TableSpec(
    kind=TableKind.ACTIVE_DISCLOSURE,
    template=TemplateVersion.V2021,
    rows=(
        RowSpec("rules", ("规章",), ("issued", "repealed", "in_force")),
        RowSpec(
            "normative_documents",
            ("行政规范性文件", "规范性文件"),
            ("issued", "repealed", "in_force"),
        ),
        RowSpec("administrative_license", ("行政许可",), ("decisions",)),
        RowSpec("administrative_penalty", ("行政处罚",), ("decisions",)),
        RowSpec("administrative_coercion", ("行政强制",), ("decisions",)),
        RowSpec("administrative_fees", ("行政事业性收费",), ("amount_wan_yuan",)),
    ),
    markers=(
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "行政规范性文件",
    ),
    field_kinds={"amount_wan_yuan": ValueKind.AMOUNT},
    field_headers=ACTIVE_FIELDS,
)

REQUEST_COLUMNS = (
    ColumnSpec("natural_person", ("自然人",)),
    ColumnSpec("commercial_enterprise", ("商业企业",)),
    ColumnSpec("research_institution", ("科研机构",)),
    ColumnSpec("social_welfare_org", ("社会公益组织",)),
    ColumnSpec("legal_service_org", ("法律服务机构",)),
    ColumnSpec("other_org", ("其他",)),
    # 合计 names the total where 总计 is not printed; a 合计 beside 总计 is an extra.
    ColumnSpec("total", ("总计", "合计")),
)
REQUEST_COLUMN_PARENTS = ("法人或其他组织",)

_REQUEST_ROWS_BEFORE_OTHER = (
    RowSpec("new_received", ("本年新收政府信息公开申请数量", "本年新收")),
    RowSpec("carried_over", ("上年结转政府信息公开申请数量", "上年结转")),
    RowSpec("disclosed", ("予以公开",)),
    RowSpec("partially_disclosed", ("部分公开",)),
    RowSpec("withheld.state_secret", ("属于国家秘密", "国家秘密")),
    RowSpec(
        "withheld.prohibited_by_law",
        ("其他法律行政法规禁止公开", "法律行政法规禁止公开"),
    ),
    RowSpec(
        "withheld.three_safeties_one_stability", ("危及三安全一稳定", "三安全一稳定")
    ),
    RowSpec("withheld.third_party_rights", ("保护第三方合法权益", "第三方合法权益")),
    RowSpec("withheld.internal_affairs", ("属于三类内部事务信息", "内部事务信息")),
    RowSpec("withheld.process_information", ("属于四类过程性信息", "过程性信息")),
    RowSpec("withheld.enforcement_files", ("属于行政执法案卷", "行政执法案卷")),
    RowSpec("withheld.administrative_query", ("属于行政查询事项", "行政查询事项")),
    RowSpec("unable.not_held", ("本机关不掌握相关政府信息", "不掌握相关政府信息")),
    RowSpec("unable.needs_creation", ("没有现成信息需要另行制作", "需要另行制作")),
    RowSpec("unable.unclear_after_correction", ("补正后申请内容仍不明确", "仍不明确")),
    RowSpec("not_processed.petition_complaint", ("信访举报投诉类申请", "信访举报投诉")),
    RowSpec("not_processed.duplicate", ("重复申请",)),
    RowSpec("not_processed.publication", ("要求提供公开出版物", "公开出版物")),
    RowSpec(
        "not_processed.excessive_repeated",
        ("无正当理由大量反复申请", "大量反复申请"),
    ),
    RowSpec(
        "not_processed.confirm_or_reissue",
        ("要求行政机关确认或重新出具已获取信息", "重新出具已获取信息"),
    ),
)
_REQUEST_ROWS_AFTER_OTHER = (
    RowSpec("result_total", ("总计", "合计")),
    RowSpec("carried_to_next_year", ("结转下年度继续办理", "结转下年度")),
)

REQUESTS_2019 = TableSpec(
    kind=TableKind.REQUESTS,
    template=TemplateVersion.V2019,
    rows=(
        *_REQUEST_ROWS_BEFORE_OTHER,
        RowSpec("other_handling", ("其他处理",)),
        *_REQUEST_ROWS_AFTER_OTHER,
    ),
    columns=REQUEST_COLUMNS,
    column_parents=REQUEST_COLUMN_PARENTS,
)

REQUESTS_2021 = TableSpec(
    kind=TableKind.REQUESTS,
    template=TemplateVersion.V2021,
    rows=(
        *_REQUEST_ROWS_BEFORE_OTHER,
        RowSpec(
            "other_handling.overdue_correction",
            (
                "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",
                "逾期不补正",
            ),
        ),
        RowSpec(
            "other_handling.unpaid_fee",
            (
                "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",
                "逾期未按收费通知要求缴纳费用",
                "缴纳费用",
            ),
        ),
        RowSpec(
            "other_handling.other",
            ("其他",),
            group=("其他处理",),
            after=("other_handling.unpaid_fee", "other_handling.overdue_correction"),
        ),
        *_REQUEST_ROWS_AFTER_OTHER,
    ),
    columns=REQUEST_COLUMNS,
    column_parents=REQUEST_COLUMN_PARENTS,
    markers=("逾期不补正", "缴纳费用"),
)

REVIEW_FIELDS = (
    ColumnSpec("maintained", ("结果维持",)),
    ColumnSpec("corrected", ("结果纠正",)),
    ColumnSpec("other", ("其他结果",)),
    ColumnSpec("pending", ("尚未审结",)),
    ColumnSpec("total", ("总计", "合计")),
)

# Table 4 prints the three groups side by side; rows here are the groups.
REVIEW_LITIGATION = TableSpec(
    kind=TableKind.REVIEW_LITIGATION,
    template=TemplateVersion.V2019,
    rows=(
        RowSpec("review", ("行政复议",)),
        RowSpec("litigation_direct", ("未经复议直接起诉", "直接起诉")),
        RowSpec("litigation_after_review", ("复议后起诉",)),
    ),
    columns=REVIEW_FIELDS,
    markers=(
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        "复议后起诉",
        "结果维持",
        "尚未审结",
    ),
    template_follows=TableKind.REQUESTS,
)

SPECS: dict[TableKind, dict[TemplateVersion, TableSpec]] = {
    TableKind.ACTIVE_DISCLOSURE: {
        TemplateVersion.V2019: ACTIVE_DISCLOSURE_2019,
        TemplateVersion.V2021: ACTIVE_DISCLOSURE_2021,
    },
    TableKind.REQUESTS: {
        TemplateVersion.V2019: REQUESTS_2019,
        TemplateVersion.V2021: REQUESTS_2021,
    },
    # One layout in both formats; its template is reported as table 3's.
    TableKind.REVIEW_LITIGATION: {
        TemplateVersion.V2019: REVIEW_LITIGATION,
        TemplateVersion.V2021: REVIEW_LITIGATION,
    },
}

# Words in a table that say which of the three it is, beyond its row labels.
KIND_MARKERS: dict[TableKind, tuple[str, ...]] = {
    TableKind.ACTIVE_DISCLOSURE: ("第二十条", "信息内容", "处理决定数量"),
    TableKind.REQUESTS: ("申请人情况", "自然人", "法人或其他组织", "本年度办理结果"),
    TableKind.REVIEW_LITIGATION: REVIEW_LITIGATION.markers,
}

# Header words that open each table, in label_words form; a grid holding the openings of
# two tables (scraped pages with no text between table 3 and table 4) is cut there.
KIND_STARTS: dict[TableKind, tuple[str, ...]] = {
    TableKind.ACTIVE_DISCLOSURE: ("第二十条第一项",),
    TableKind.REQUESTS: ("申请人情况", "本列数据的勾稽关系"),
    TableKind.REVIEW_LITIGATION: ("行政复议",),
}
