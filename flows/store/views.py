"""Ready-made views of the store for analysts, the same on DuckDB and PostgreSQL.

- ``report_active_disclosure``, ``report_requests``, ``report_review_litigation``: one
  row per document, one column per value of the table in either template format, headed
  in Chinese as the Excel export heads them (``本年新收·自然人``); the document's file,
  issuer, region, year and format first (``文件``, ``发布机关``, ``地区``, ``年度``, ``模板``).
- ``failed_checks``: every failed check (the report's own and S2) with its issuer and year;
  ``failed_checks_per_issuer_year`` counts them.
- ``s2_pairs``: each document S2 compared with the previous year's, with the counts.

The views are derived from the tables and the template specs, so they are dropped and
created again on every :func:`create_views` (each open of the store), in one transaction:
a code update that renames a label updates the views without a migration.
"""

from __future__ import annotations

import sqlalchemy as sa

from flows.store.schema import ORIGIN_STORE, cells, checks, documents
from flows.views.labels import META_LABELS, TABLE_KINDS, all_value_keys, value_label

# PostgreSQL truncates identifiers longer than this many bytes.
MAX_IDENTIFIER_BYTES = 63


def table_view_name(kind: str) -> str:
    """The view of one statistics table: ``report_<table>``."""
    return f"report_{kind}"


def view_column_label(kind: str, row: str, field: str) -> str:
    """The Chinese column name of one value in a table view.

    The export's header, or without its group (`不予公开·`) when that is longer than an
    identifier PostgreSQL keeps; a test checks the labels of each view stay distinct.
    """
    label = value_label(kind, row, field)
    if len(label.encode()) > MAX_IDENTIFIER_BYTES:
        label = label.split("·", 1)[1]
    return label


def view_definitions() -> dict[str, sa.Select[tuple[object, ...]]]:
    """Every view by name, as a SELECT over the store's tables."""
    views: dict[str, sa.Select[tuple[object, ...]]] = {
        table_view_name(kind): _table_view(kind) for kind in TABLE_KINDS
    }
    views["failed_checks"] = _failed_checks()
    failed = views["failed_checks"].subquery()
    views["failed_checks_per_issuer_year"] = sa.select(
        failed.c.issuer_key,
        sa.func.max(failed.c.issuer).label("issuer"),
        failed.c.year,
        sa.func.count(sa.distinct(failed.c.sha256)).label("documents"),
        sa.func.count().label("failed"),
        _count_where(failed.c.origin != ORIGIN_STORE).label("failed_in_report"),
        _count_where(failed.c.origin == ORIGIN_STORE).label("failed_s2"),
    ).group_by(failed.c.issuer_key, failed.c.year)
    views["s2_pairs"] = _s2_pairs()
    return views


def create_views(conn: sa.Connection) -> None:
    """Drop and create every view (within the caller's transaction)."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    for name, select in view_definitions().items():
        sql = select.compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True}
        )
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {quote(name)}")
        conn.exec_driver_sql(f"CREATE VIEW {quote(name)} AS {sql}")


def _table_view(kind: str) -> sa.Select[tuple[object, ...]]:
    d = documents.c
    template = sa.func.coalesce(d[f"template_{kind}"], d.template)
    meta = {
        "file": d.file,
        "issuer": d.issuer,
        "region": d.region,
        "year": d.year,
        "template": template,
    }
    values = [
        sa.func.max(
            sa.case(
                (
                    (cells.c.row_key == row) & (cells.c.column_key == field),
                    cells.c.value,
                )
            )
        ).label(view_column_label(kind, row, field))
        for row, field in all_value_keys(kind)
    ]
    joined = documents.outerjoin(
        cells, (cells.c.sha256 == d.sha256) & (cells.c.table_name == kind)
    )
    return (
        sa.select(
            d.sha256,
            *(column.label(META_LABELS[key]) for key, column in meta.items()),
            *values,
        )
        .select_from(joined)
        .group_by(
            d.sha256,
            d.file,
            d.issuer,
            d.region,
            d.year,
            d[f"template_{kind}"],
            d.template,
        )
    )


def _failed_checks() -> sa.Select[tuple[object, ...]]:
    d = documents.c
    return (
        sa.select(
            d.issuer_key,
            d.issuer,
            d.region,
            d.year,
            d.file,
            d.sha256,
            checks.c.origin,
            checks.c.rule,
            checks.c.scope,
            checks.c.expected,
            checks.c.actual,
            checks.c.message,
            checks.c.other_sha256,
        )
        .select_from(checks.join(documents, d.sha256 == checks.c.sha256))
        .where(checks.c.status == "fail")
    )


def _s2_pairs() -> sa.Select[tuple[object, ...]]:
    this = documents.alias("this")
    previous = documents.alias("previous")
    return (
        sa.select(
            this.c.issuer_key,
            this.c.issuer,
            this.c.year,
            this.c.file,
            this.c.sha256,
            previous.c.year.label("previous_year"),
            previous.c.file.label("previous_file"),
            previous.c.sha256.label("previous_sha256"),
            sa.func.count().label("checks"),
            _count_where(checks.c.status == "pass").label("passed"),
            _count_where(checks.c.status == "fail").label("failed"),
            _count_where(checks.c.status == "skipped").label("skipped"),
        )
        .select_from(
            checks.join(this, this.c.sha256 == checks.c.sha256).join(
                previous, previous.c.sha256 == checks.c.other_sha256
            )
        )
        .where((checks.c.origin == ORIGIN_STORE) & (checks.c.rule == "S2"))
        .group_by(
            this.c.issuer_key,
            this.c.issuer,
            this.c.year,
            this.c.file,
            this.c.sha256,
            previous.c.year,
            previous.c.file,
            previous.c.sha256,
        )
    )


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))
