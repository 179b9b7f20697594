"""The store's four tidy tables (SQLAlchemy Core), shared by DuckDB and PostgreSQL.

Every row is keyed by the document's sha256, so one document's rows can be replaced as a
unit. See docs/operations.md for what each column holds.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

STORE_TABLES = ("documents", "sections", "cells", "checks")

METADATA = sa.MetaData()

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
TABLES = {
    "documents": documents,
    "sections": sections,
    "cells": cells,
    "checks": checks,
}


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
