"""Review pages: a report's tables, checks and provenance as one static HTML page.

Pure functions from a :class:`~extractors.report.Report` (and a batch summary) to HTML
strings; finding files, rendering PDF pages and writing the site is
:mod:`flows.views.review_site`'s job. Pages open from disk with no server: CSS and the little
JS they use are inlined.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from extractors.batch import BatchSummary, FileOutcome
from extractors.checks import Term, checked_cells
from extractors.report import (
    CellRecord,
    Check,
    CheckStatus,
    Finding,
    Report,
    Rule,
    Suggestion,
)
from extractors.template.rows import LOW_CONFIDENCE  # the mapper's flag, marked alike
from flows.views.labels import (
    CATEGORY_LABELS,
    TABLE_KINDS,
    TABLE_TITLES,
    field_label,
    group_label,
    report_value_keys,
    row_label,
)
from flows.views.review_pages import PageImage, page_views


@dataclass(frozen=True)
class CellView:
    """One canonical value with everything known about it."""

    kind: str
    row: str
    field: str
    label: str
    present: bool
    value: int | float | None
    record: CellRecord | None = None
    failed: tuple[Check, ...] = ()
    badges: tuple[Check, ...] = ()
    suggestion: Suggestion | None = None
    low_confidence: bool = False
    warnings: tuple[Finding, ...] = ()

    @property
    def scope(self) -> str:
        """`table.row.field`, as checks and suggestions name a cell."""
        return f"{self.kind}.{self.row}.{self.field}"

    @property
    def shown(self) -> str:
        """The value as displayed; blank (null) is a word, so it never reads as 0."""
        if not self.present:
            return "缺"
        return "空" if self.value is None else format_value(self.value)

    @property
    def data_value(self) -> str:
        """The value as JSON, for tests and scripts reading the DOM."""
        return json.dumps(self.value) if self.present else ""

    @property
    def classes(self) -> str:
        """CSS classes: null, absent, fail, low, suggested."""
        names = ["val"]
        if not self.present:
            names.append("absent")
        elif self.value is None:
            names.append("null")
        elif self.value == 0:
            names.append("zero")
        if self.failed:
            names.append("fail")
        if self.low_confidence:
            names.append("low")
        if self.suggestion is not None:
            names.append("suggested")
        if self.warnings:
            names.append("warned")
        return " ".join(names)

    @property
    def tooltip(self) -> str:
        """Where the value came from, in one line."""
        if self.record is None:
            return "未读到 not read" if not self.present else "无来源 no source cell"
        return provenance_text(self.record)


@dataclass(frozen=True)
class RowView:
    """One row of a rendered table."""

    key: str
    label: str
    group: str | None
    cells: tuple[CellView, ...]
    checks: tuple[Check, ...] = ()
    warnings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class BlockView:
    """Rows sharing one set of fields; table 2 prints several such sub-tables."""

    fields: tuple[tuple[str, str], ...]
    rows: tuple[RowView, ...]
    column_checks: tuple[tuple[Check, ...], ...]

    @property
    def has_row_checks(self) -> bool:
        """Whether any row carries a failed row check (adds a column)."""
        return any(r.checks for r in self.rows)

    @property
    def has_column_checks(self) -> bool:
        """Whether any column carries a failed column check (adds a footer row)."""
        return any(self.column_checks)


@dataclass(frozen=True)
class TableView:
    """One statistics table of the report."""

    kind: str
    title: str
    template: str | None
    blocks: tuple[BlockView, ...]
    found: bool
    warnings: tuple[Finding, ...] = ()

    @property
    def cells(self) -> list[CellView]:
        """Every value of the table, in printed order."""
        return [c for b in self.blocks for r in b.rows for c in r.cells if c.present]


def format_value(value: int | float) -> str:
    """A number as displayed: ints as they are, amounts without float noise."""
    return str(value) if isinstance(value, int) else f"{value:.12g}"


def provenance_text(record: CellRecord) -> str:
    """Raw text, page, grid position and confidence of a cell, in one line."""
    parts = [f"原文 raw「{record.raw}」"]
    if record.page is not None:
        parts.append(f"第{record.page}页 page {record.page}")
    parts.append(
        f"表{record.source_table} 行{record.grid_row} 列{record.grid_col} "
        f"(table {record.source_table}, r{record.grid_row} c{record.grid_col})"
    )
    if record.confidence is not None:
        parts.append(f"置信度 confidence {record.confidence:.2f}")
    if record.note:
        parts.append(record.note)
    return " · ".join(parts)


def table_views(
    report: Report, low_confidence: float = LOW_CONFIDENCE
) -> list[TableView]:
    """The three statistics tables, with checks, suggestions and provenance per cell."""
    failed = [c for c in report.checks if c.status is CheckStatus.FAIL]
    terms = checked_cells(report.requests)
    involved: dict[Term, list[Check]] = {}
    for check in failed:
        for term in terms.get((check.rule, check.scope), _scope_term(check.scope)):
            involved.setdefault(term, []).append(check)
    # Warnings name a table, a row (`requests.disclosed`) or a cell scope.
    warnings: dict[str, list[Finding]] = {}
    for finding in report.warnings:
        warnings.setdefault(finding.where or "", []).append(finding)
    known = _Known(
        records={(c.table, c.row, c.column): c for c in report.cells},
        suggestions={s.scope: s for s in report.suggestions},
        involved=involved,
        low_confidence=low_confidence,
        warnings=warnings,
    )
    views = []
    for kind in TABLE_KINDS:
        values: dict[str, dict[str, int | float | None]] = getattr(report, kind)
        template = report.report.template_by_table.get(kind)
        keys = report_value_keys(report, kind)
        placed = _placed_checks(kind, failed, keys, terms)
        rows = [
            RowView(
                key=key,
                label=row_label(kind, key, template=template),
                group=group_label(key),
                cells=tuple(
                    _cell_view(kind, key, name, values, template, placed, known)
                    for name in fields
                ),
                checks=tuple(placed.row.get(key, ())),
                warnings=tuple(warnings.get(f"{kind}.{key}", ())),
            )
            for key, fields in keys
        ]
        views.append(
            TableView(
                kind=kind,
                title=TABLE_TITLES[kind],
                template=template,
                blocks=_blocks(kind, rows, placed.column),
                found=bool(values),
                warnings=tuple(
                    w
                    for where, items in warnings.items()
                    if where == kind or where.startswith(f"{kind}.")
                    for w in items
                ),
            )
        )
    return views


def review_page(
    report: Report,
    images: dict[int, PageImage] | None = None,
    outcome: FileOutcome | None = None,
    index_href: str | None = None,
    low_confidence: float = LOW_CONFIDENCE,
) -> str:
    """The review page of one report as a self-contained HTML string.

    Args:
        report: the extracted report.
        images: rendered source pages by page number (PDF inputs), for box overlays.
        outcome: the report's line in the batch summary, if any.
        index_href: link back to the batch index, if there is one.
        low_confidence: confidence below which a value is marked.

    Returns:
        The HTML page.
    """
    tables = table_views(report, low_confidence)
    failing = {c.scope for t in tables for c in t.cells if c.failed}
    mapped = {
        (c.source_table, c.grid_row, c.grid_col): f"{c.table}.{c.row}.{c.column}"
        for c in report.cells
    }
    return (
        _environment()
        .get_template("review.html")
        .render(
            report=report,
            outcome=outcome,
            index_href=index_href,
            tables=tables,
            pages=page_views(report, images or {}, failing),
            page_numbers=set(images or {}),
            mapped=mapped,
            failed=[c for c in report.checks if c.status is CheckStatus.FAIL],
            skipped=[c for c in report.checks if c.status is CheckStatus.SKIPPED],
            passed=sum(1 for c in report.checks if c.status is CheckStatus.PASS),
            category_labels=CATEGORY_LABELS,
            format_value=format_value,
            provenance_text=provenance_text,
        )
    )


def index_page(summary: BatchSummary, pages: dict[str, str]) -> str:
    """The batch index: every file with its outcome, sortable by any column.

    Args:
        summary: the batch summary (`_summary.json`).
        pages: review page (relative href) by the summary's `file`.

    Returns:
        The HTML page.
    """
    return (
        _environment()
        .get_template("index.html")
        .render(summary=summary, pages=pages, counts=summary.counts)
    )


def render_template(name: str, **context: object) -> str:
    """Render one of the package's templates (shared with the compare page)."""
    return _environment().get_template(name).render(**context)


@dataclass
class _Placement:
    """Where each failed check's expected-vs-actual is printed."""

    column: dict[str, list[Check]] = field(default_factory=dict)
    row: dict[str, list[Check]] = field(default_factory=dict)
    cell: dict[Term, list[Check]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Known:
    """What the report says about its cells, looked up by (table, row, field)."""

    records: dict[Term, CellRecord]
    suggestions: dict[str, Suggestion]
    involved: dict[Term, list[Check]]
    low_confidence: float
    warnings: dict[str, list[Finding]]


def _cell_view(
    kind: str,
    key: str,
    name: str,
    values: dict[str, dict[str, int | float | None]],
    template: str | None,
    placed: _Placement,
    known: _Known,
) -> CellView:
    term = (kind, key, name)
    record = known.records.get(term)
    confidence = record.confidence if record else None
    return CellView(
        kind=kind,
        row=key,
        field=name,
        label=f"{row_label(kind, key, template=template)}·{field_label(kind, name)}",
        present=name in values.get(key, {}),
        value=values.get(key, {}).get(name),
        record=record,
        failed=tuple(known.involved.get(term, ())),
        badges=tuple(placed.cell.get(term, ())),
        suggestion=known.suggestions.get(".".join(term)),
        low_confidence=confidence is not None and confidence < known.low_confidence,
        warnings=tuple(known.warnings.get(".".join(term), ())),
    )


def _placed_checks(
    kind: str,
    failed: Iterable[Check],
    keys: list[tuple[str, tuple[str, ...]]],
    terms: dict[tuple[Rule, str], tuple[Term, ...]],
) -> _Placement:
    # A check scoped to a column (R1, R2) goes under it, one scoped to a row (R3, R4)
    # beside it, anything else (S1 on one cell) into the cells it names.
    rows = {k for k, _ in keys}
    fields = {f for _, fs in keys for f in fs}
    placement = _Placement()
    for check in failed:
        table, _, rest = check.scope.partition(".")
        if table != kind:
            continue
        if rest in rows:
            placement.row.setdefault(rest, []).append(check)
        elif rest in fields:
            placement.column.setdefault(rest, []).append(check)
        else:
            for term in terms.get((check.rule, check.scope), _scope_term(check.scope)):
                placement.cell.setdefault(term, []).append(check)
    return placement


def _scope_term(scope: str) -> tuple[Term, ...]:
    table, _, rest = scope.partition(".")
    row, _, name = rest.rpartition(".")
    return ((table, row, name),) if row else ()


def _blocks(
    kind: str, rows: list[RowView], column_checks: dict[str, list[Check]]
) -> tuple[BlockView, ...]:
    # Consecutive rows with the same fields share a header, as table 2 prints them.
    blocks: list[BlockView] = []
    for row in rows:
        names = tuple(c.field for c in row.cells)
        if blocks and tuple(k for k, _ in blocks[-1].fields) == names:
            last = blocks[-1]
            blocks[-1] = BlockView(last.fields, (*last.rows, row), last.column_checks)
            continue
        blocks.append(
            BlockView(
                fields=tuple((n, field_label(kind, n)) for n in names),
                rows=(row,),
                column_checks=tuple(tuple(column_checks.get(n, ())) for n in names),
            )
        )
    return tuple(blocks)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("flows.views", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env
