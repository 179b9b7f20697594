"""Year over year: two reports of one issuer, every canonical value side by side.

The comparison lists each value of either year with its change, runs the S2 check
(requests carried to next year come back as carried over; TEMPLATE.md §4), and lists the
sections one year has and the other lacks, by category.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from extractors.crossyear import cross_year_checks, issuer_key
from extractors.report import Check, CheckStatus, Report
from extractors.textnorm import label_key
from flows.views.labels import (
    CATEGORY_LABELS,
    TABLE_KINDS,
    TABLE_TITLES,
    field_label,
    report_value_keys,
    row_label,
)
from flows.views.review import format_value, render_template

ValueStatus = Literal["same", "changed", "only_previous", "only_current"]


class ReportRef(BaseModel):
    """Which report a side of the comparison is."""

    file: str
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    year: int | None = None
    template: str | None = None


class ValueChange(BaseModel):
    """One canonical value in both years."""

    table: str
    row: str
    field: str
    label: str
    previous: int | float | None = None
    current: int | float | None = None
    change: int | float | None = Field(
        default=None, description="current − previous, when both are numbers."
    )
    status: ValueStatus

    @property
    def scope(self) -> str:
        """`table.row.field`."""
        return f"{self.table}.{self.row}.{self.field}"


class SectionChange(BaseModel):
    """A section category (or an unclassified heading) only one year has."""

    category: str
    label: str
    headings: list[str]


class Comparison(BaseModel):
    """Two reports of one issuer, the earlier year first."""

    previous: ReportRef
    current: ReportRef
    values: list[ValueChange] = Field(default_factory=list)
    carry_over: list[Check] = Field(default_factory=list)
    new_sections: list[SectionChange] = Field(default_factory=list)
    removed_sections: list[SectionChange] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def changed(self) -> list[ValueChange]:
        """Values that differ between the years, or exist in one year only."""
        return [v for v in self.values if v.status != "same"]

    @property
    def broken_carry_over(self) -> list[Check]:
        """Failed S2 checks."""
        return [c for c in self.carry_over if c.status is CheckStatus.FAIL]


def compare_reports(first: Report, second: Report) -> Comparison:
    """Compare two reports of the same issuer; they may come in either order.

    Args:
        first: one report.
        second: the other; the one with the later `report.year` is "current".

    Returns:
        Every canonical value with its change, the S2 checks and section changes.
        Differing issuers or years that do not follow each other are warnings: the
        comparison is still made, and S2 is `skipped` unless the years are N−1 and N.

    Example:
        >>> compare_reports(report_2022, report_2023).broken_carry_over
    """
    previous, current = first, second
    if (first.report.year or 0) > (second.report.year or 0):
        previous, current = second, first
    warnings = []
    # Matched as the store matches years of one issuer (flows/store/load.py).
    before, now = previous.report, current.report
    if issuer_key(before.issuer, before.region) != issuer_key(now.issuer, now.region):
        warnings.append(
            f"different issuers: {previous.report.issuer} vs {current.report.issuer}"
        )
    consecutive = (
        previous.report.year is not None
        and current.report.year is not None
        and current.report.year - previous.report.year == 1
    )
    if not consecutive:
        warnings.append(
            f"years {previous.report.year} and {current.report.year} do not follow "
            "each other: carry-over not checked"
        )
    carry = cross_year_checks(_tables(current), _tables(previous), previous.source.file)
    if not consecutive:
        carry = [
            c.model_copy(
                update={"status": CheckStatus.SKIPPED, "message": warnings[-1]}
            )
            for c in carry
        ]
    new, removed = _section_changes(previous, current)
    return Comparison(
        previous=_ref(previous),
        current=_ref(current),
        values=_value_changes(previous, current),
        carry_over=carry,
        new_sections=new,
        removed_sections=removed,
        warnings=warnings,
    )


def comparison_page(comparison: Comparison) -> str:
    """The comparison as a self-contained HTML page."""
    by_table = {
        kind: [v for v in comparison.values if v.table == kind] for kind in TABLE_KINDS
    }
    return render_template(
        "compare.html",
        cmp=comparison,
        by_table=by_table,
        titles=TABLE_TITLES,
        format_value=format_value,
    )


def _value_changes(previous: Report, current: Report) -> list[ValueChange]:
    changes = []
    for kind in TABLE_KINDS:
        before: dict[str, dict[str, int | float | None]] = getattr(previous, kind)
        after: dict[str, dict[str, int | float | None]] = getattr(current, kind)
        keys = [
            (row, name)
            for report in (current, previous)
            for row, names in report_value_keys(report, kind)
            for name in names
            if name in before.get(row, {}) or name in after.get(row, {})
        ]
        for row, name in dict.fromkeys(keys):
            changes.append(_change(kind, row, name, before.get(row), after.get(row)))
    return changes


def _change(
    kind: str,
    row: str,
    name: str,
    before: dict[str, int | float | None] | None,
    after: dict[str, int | float | None] | None,
) -> ValueChange:
    label = f"{row_label(kind, row)}·{field_label(kind, name)}"
    had, has = bool(before and name in before), bool(after and name in after)
    old = before.get(name) if before else None
    new = after.get(name) if after else None
    status: ValueStatus
    if not had:
        status = "only_current"
    elif not has:
        status = "only_previous"
    else:
        # Blank and 0 differ here: a cell that became blank is a change worth seeing.
        same = old == new and (old is None) == (new is None)
        status = "same" if same else "changed"
    delta = new - old if old is not None and new is not None else None
    if isinstance(delta, float):
        delta = round(delta, 6)  # amounts: 72941.9 − 41340.2 is not 31601.700000000004
    return ValueChange(
        table=kind,
        row=row,
        field=name,
        label=label,
        previous=old,
        current=new,
        change=delta,
        status=status,
    )


def _section_changes(
    previous: Report, current: Report
) -> tuple[list[SectionChange], list[SectionChange]]:
    # Classified sections compare by category; `unknown` ones by their folded heading,
    # since two unknown headings have nothing else in common.
    def keyed(report: Report) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for s in report.sections:
            key = (
                s.category
                if s.category != "unknown"
                else f"unknown:{label_key(s.heading)}"
            )
            groups.setdefault(key, []).append(s.heading)
        return groups

    before, after = keyed(previous), keyed(current)

    def listed(keys: list[str], groups: dict[str, list[str]]) -> list[SectionChange]:
        categories = [k.split(":", 1)[0] for k in keys]
        return [
            SectionChange(
                category=c, label=CATEGORY_LABELS.get(c, c), headings=groups[k]
            )
            for k, c in zip(keys, categories, strict=True)
        ]

    new = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    return listed(new, after), listed(removed, before)


def _tables(report: Report) -> dict[str, dict[str, dict[str, int | float | None]]]:
    return {kind: getattr(report, kind) for kind in TABLE_KINDS}


def _ref(report: Report) -> ReportRef:
    meta = report.report
    return ReportRef(
        file=report.source.file,
        title=meta.title,
        issuer=meta.issuer,
        region=meta.region,
        year=meta.year,
        template=meta.template,
    )
