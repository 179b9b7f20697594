"""The store's tidy tables (SQLAlchemy Core), shared by DuckDB and PostgreSQL.

Every row is keyed by the document's sha256, so one document's rows can be replaced as a
unit. See docs/operations.md for what each column holds. The tables are created and
upgraded by the SQL files in ``flows/store/migrations`` (:mod:`flows.store.migrate`); these
declarations are how the code reads and writes them, and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

METADATA = sa.MetaData()
# Origins of rows in `checks`: in the report's JSON, or computed by the store (S2).
ORIGIN_REPORT = "report"
ORIGIN_STORE = "store"

documents = sa.Table(
    "documents",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("json_file", sa.Text),
    sa.Column("schema_version", sa.Text, nullable=False),
    sa.Column("pipeline_version", sa.Text, nullable=False),
    sa.Column("media_type", sa.Text),
    sa.Column("format", sa.Text),
    sa.Column("size_bytes", sa.BigInteger),
    sa.Column("pages", sa.Integer),
    sa.Column("ocr", sa.Boolean),
    sa.Column("title", sa.Text),
    sa.Column("issuer", sa.Text),
    sa.Column("issuer_key", sa.Text),
    sa.Column("region", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("template", sa.Text),
    sa.Column("template_active_disclosure", sa.Text),
    sa.Column("template_requests", sa.Text),
    sa.Column("template_review_litigation", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("warnings", sa.Integer, nullable=False),
)
sections = sa.Table(
    "sections",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("number", sa.Text),
    sa.Column("heading", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("text", sa.Text),
    sa.Column("page", sa.Integer),
)
cells = sa.Table(
    "cells",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("row_key", sa.Text, primary_key=True),
    sa.Column("column_key", sa.Text, primary_key=True),
    # Counts and 万元 amounts share one column: doubles hold every count exactly.
    sa.Column("value", sa.Double),
    sa.Column("raw", sa.Text),
    sa.Column("page", sa.Integer),
    sa.Column("confidence", sa.Double),
    sa.Column("source_table", sa.Integer),
    sa.Column("grid_row", sa.Integer),
    sa.Column("grid_col", sa.Integer),
    sa.Column("note", sa.Text),
    # The value's box on its page (points, origin top-left), when the input has pages.
    sa.Column("bbox_x0", sa.Double),
    sa.Column("bbox_top", sa.Double),
    sa.Column("bbox_x1", sa.Double),
    sa.Column("bbox_bottom", sa.Double),
)
checks = sa.Table(
    "checks",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("origin", sa.Text, primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("expected", sa.Double),
    sa.Column("actual", sa.Double),
    sa.Column("message", sa.Text),
    sa.Column("other_sha256", sa.String(64)),
)
# The report's `warnings` (severity 'warning') and `errors` (severity 'error'), in order.
findings = sa.Table(
    "findings",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("severity", sa.Text, primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("scope", sa.Text),  # a warning's `where`
    sa.Column("page", sa.Integer),
    sa.Column("component", sa.Text),  # an error's failing stage
)
suggestions = sa.Table(
    "suggestions",
    METADATA,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("because", sa.Text, nullable=False),
)
TABLES = {
    "documents": documents,
    "sections": sections,
    "cells": cells,
    "checks": checks,
    "findings": findings,
    "suggestions": suggestions,
}
STORE_TABLES = tuple(TABLES)
# Which migrations (flows/store/migrations/NNNN_*.sql) the store has had; not a document table.
schema_version = sa.Table(
    "schema_version",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
)


def arrow_schema(table: sa.Table) -> Any:
    """The Arrow schema of a store table (for Parquet and DuckDB's bulk insert)."""
    import pyarrow as pa

    return pa.schema([(c.name, arrow_type(c.type)) for c in table.columns])


def arrow_type(column_type: sa.types.TypeEngine[Any]) -> Any:
    """The Arrow type a column's values take."""
    import pyarrow as pa

    if isinstance(column_type, sa.BigInteger):
        return pa.int64()
    if isinstance(column_type, sa.Integer):
        return pa.int32()
    if isinstance(column_type, sa.Double):
        return pa.float64()
    if isinstance(column_type, sa.Boolean):
        return pa.bool_()
    return pa.string()
