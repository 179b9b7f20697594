"""The report store: tidy tables in DuckDB (default) or PostgreSQL, and Parquet export.

Four tables, every row keyed by the document's sha256:

- ``documents``: one row per report (source, issuer, region, year, templates, status);
- ``sections``: one row per heading, in order;
- ``cells``: one row per canonical value (table, row key, column key, value) with where
  it came from (raw text, page, confidence, grid position);
- ``checks``: the report's own checks (``origin='report'``) and the cross-year check S2
  computed here (``origin='store'``).

Loading a report replaces its rows in one transaction, so a re-load is idempotent and a
failed load leaves the previous rows (or none) — never half of a document. The same
SQLAlchemy Core statements run on both engines; DuckDB goes through duckdb-engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from extractors.crossyear import Tables, cross_year_checks, issuer_key
from extractors.report import CellRecord, Check, Report

DEFAULT_DUCKDB_NAME = "nianbao.duckdb"
STORE_TABLES = ("documents", "sections", "cells", "checks")
CANONICAL_TABLES = ("active_disclosure", "requests", "review_litigation")
# Origins of rows in `checks`: in the report's JSON, or computed by the store.
ORIGIN_REPORT = "report"
ORIGIN_STORE = "store"

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
_TABLES = {
    "documents": documents,
    "sections": sections,
    "cells": cells,
    "checks": checks,
}

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class LoadSummary:
    """What a load did: rows written per table, and the JSON files it refused."""

    documents: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STORE_TABLES, 0))
    s2_checks: int = 0
    rejected: dict[str, str] = field(default_factory=dict)


def store_url(
    db: Path | None = None, postgres: str | None = None, out_dir: Path = Path("output")
) -> str:
    """The SQLAlchemy URL of the store: PostgreSQL when given, else a DuckDB file.

    The DuckDB file defaults to ``<out_dir>/nianbao.duckdb``, beside the JSON it holds.
    """
    if postgres:
        # A bare postgresql:// URL would pick psycopg2; the project ships psycopg 3.
        if postgres.startswith("postgresql://") or postgres.startswith("postgres://"):
            return "postgresql+psycopg://" + postgres.split("://", 1)[1]
        return postgres
    return f"duckdb:///{(db or out_dir / DEFAULT_DUCKDB_NAME).resolve()}"


def open_store(url: str) -> sa.Engine:
    """An engine on the store, with its tables created if missing."""
    if url.startswith("duckdb:///"):
        Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    METADATA.create_all(engine)
    return engine


def report_rows(report: Report, json_file: str | None = None) -> Rows:
    """The report as rows of the four tables (its own checks only; S2 comes later)."""
    sha = report.source.sha256
    meta = report.report
    by_table = meta.template_by_table
    document = {
        "sha256": sha,
        "file": report.source.file,
        "json_file": json_file,
        "schema_version": report.schema_version,
        "pipeline_version": report.pipeline_version,
        "media_type": report.source.media_type,
        "format": report.source.format.value,
        "size_bytes": report.source.size_bytes,
        "pages": report.source.pages,
        "ocr": report.source.ocr,
        "title": meta.title,
        "issuer": meta.issuer,
        "issuer_key": issuer_key(meta.issuer),
        "region": meta.region,
        "year": meta.year,
        "template": meta.template,
        **{f"template_{t}": by_table.get(t) for t in CANONICAL_TABLES},
        "status": report.status.value,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
    }
    section_rows = [
        {
            "sha256": sha,
            "ordinal": i,
            "level": s.level,
            "number": s.number,
            "heading": s.heading,
            "category": s.category,
            "text": s.text,
            "page": s.page,
        }
        for i, s in enumerate(report.sections)
    ]
    provenance: dict[tuple[str, str, str], CellRecord] = {}
    for found in report.cells:
        # The mapper keeps the first reading of a value; so does the store.
        provenance.setdefault((found.table, found.row, found.column), found)
    cell_rows = []
    for table_name in CANONICAL_TABLES:
        values = getattr(report, table_name)
        for row_key, fields in values.items():
            for column_key, value in fields.items():
                record: CellRecord | None = provenance.get(
                    (table_name, row_key, column_key)
                )
                cell_rows.append(
                    {
                        "sha256": sha,
                        "table_name": table_name,
                        "row_key": row_key,
                        "column_key": column_key,
                        "value": value,
                        "raw": record.raw if record else None,
                        "page": record.page if record else None,
                        "confidence": record.confidence if record else None,
                        "source_table": record.source_table if record else None,
                        "grid_row": record.grid_row if record else None,
                        "grid_col": record.grid_col if record else None,
                        "note": record.note if record else None,
                    }
                )
    return {
        "documents": [document],
        "sections": section_rows,
        "cells": cell_rows,
        "checks": _check_rows(sha, ORIGIN_REPORT, report.checks),
    }


def load_report(
    engine: sa.Engine, report: Report, json_file: str | None = None
) -> dict[str, int]:
    """Replace one document's rows and refresh S2 around it, in one transaction.

    Returns:
        Rows written per table (``checks`` counts the report's own checks; S2 rows
        are counted under ``s2``).
    """
    rows = report_rows(report, json_file)
    sha = report.source.sha256
    with engine.begin() as conn:
        before = conn.execute(
            sa.select(documents.c.issuer_key, documents.c.year).where(
                documents.c.sha256 == sha
            )
        ).first()
        for table in _TABLES.values():
            conn.execute(table.delete().where(table.c.sha256 == sha))
        for name, table_rows in rows.items():
            _insert(conn, _TABLES[name], table_rows)
        document = rows["documents"][0]
        # S2 of this document, and of next year's documents of its issuer (and of its
        # issuer/year as last loaded, if a new pipeline version read them otherwise).
        targets = {sha} | set(
            _documents_of(conn, document["issuer_key"], document["year"], 1)
        )
        if before is not None:
            targets |= set(_documents_of(conn, before.issuer_key, before.year, 1))
        s2 = refresh_cross_year(conn, targets)
    written = {name: len(table_rows) for name, table_rows in rows.items()}
    written["s2"] = s2
    return written


def refresh_cross_year(conn: sa.Connection, shas: Iterable[str]) -> int:
    """Recompute the S2 rows of these documents against their issuer's previous year.

    A document is compared with every document of its issuer one year before (a report
    published as PDF and as HTML is two documents; each is compared).

    Returns:
        How many S2 rows were written.
    """
    written = 0
    for sha in sorted(shas):
        conn.execute(
            checks.delete().where(
                (checks.c.sha256 == sha) & (checks.c.origin == ORIGIN_STORE)
            )
        )
        meta = conn.execute(
            sa.select(documents.c.issuer_key, documents.c.year).where(
                documents.c.sha256 == sha
            )
        ).first()
        if meta is None:
            continue
        previous = _documents_of(conn, meta.issuer_key, meta.year, -1)
        if not previous:
            continue
        current = _tables_of(conn, sha)
        found: list[dict[str, Any]] = []
        for other, other_file in previous.items():
            label = f"{Path(other_file).name}, {other[:12]}"
            for check in cross_year_checks(current, _tables_of(conn, other), label):
                row = _check_rows(sha, ORIGIN_STORE, [check], start=len(found))[0]
                found.append({**row, "other_sha256": other})
        _insert(conn, checks, found)
        written += len(found)
    return written


def load_outputs(
    engine: sa.Engine,
    out_dir: Path,
    progress: Callable[[Path], None] | None = None,
) -> LoadSummary:
    """Load every report JSON of an output folder (``_summary.json`` and such skipped).

    A file that is not a report JSON (unreadable, not valid against the model) is
    recorded in ``rejected`` and the others still load.
    """
    summary = LoadSummary()
    for path in report_jsons(out_dir):
        try:
            report = Report.model_validate(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            summary.rejected[str(path)] = f"{type(exc).__name__}: {exc}"[:500]
        else:
            written = load_report(engine, report, str(path))
            summary.documents += 1
            for name in STORE_TABLES:
                summary.rows[name] += written[name]
            summary.s2_checks += written["s2"]
        if progress is not None:
            progress(path)
    return summary


def report_jsons(out_dir: Path) -> list[Path]:
    """The report JSON files of an output folder (not ``_summary.json``, not temporaries)."""
    return sorted(
        p for p in out_dir.glob("*.json") if not p.name.startswith(("_", "."))
    )


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per store table."""
    with engine.connect() as conn:
        return {
            name: int(
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            )
            for name, t in _TABLES.items()
        }


def export_parquet(engine: sa.Engine, folder: Path) -> list[Path]:
    """Write each store table to ``<folder>/<table>.parquet``, rows in key order."""
    import pyarrow as pa  # only the export needs Arrow
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        for name, table in _TABLES.items():
            schema = pa.schema([(c.name, _arrow_type(c.type)) for c in table.columns])
            result = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            data = [dict(row._mapping) for row in result]
            target = folder / f"{name}.parquet"
            pq.write_table(pa.Table.from_pylist(data, schema=schema), target)
            written.append(target)
    return written


def _arrow_type(column_type: sa.types.TypeEngine[Any]) -> Any:
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


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def _check_rows(
    sha: str, origin: str, found: Iterable[Check], start: int = 0
) -> list[dict[str, Any]]:
    return [
        {
            "sha256": sha,
            "origin": origin,
            "ordinal": start + i,
            "rule": c.rule,
            "scope": c.scope,
            "status": c.status.value,
            "expected": c.expected,
            "actual": c.actual,
            "message": c.message,
            "other_sha256": None,
        }
        for i, c in enumerate(found)
    ]


def _documents_of(
    conn: sa.Connection, key: str | None, year: int | None, offset: int
) -> dict[str, str]:
    """sha256 → file of the issuer's documents ``offset`` years from ``year``."""
    if key is None or year is None:
        return {}
    result = conn.execute(
        sa.select(documents.c.sha256, documents.c.file)
        .where((documents.c.issuer_key == key) & (documents.c.year == year + offset))
        .order_by(documents.c.sha256)
    )
    return {row.sha256: row.file for row in result}


def _tables_of(conn: sa.Connection, sha: str) -> Tables:
    result = conn.execute(
        sa.select(
            cells.c.table_name, cells.c.row_key, cells.c.column_key, cells.c.value
        )
        .where(cells.c.sha256 == sha)
        .order_by(cells.c.table_name, cells.c.row_key, cells.c.column_key)
    )
    tables: Tables = {}
    for row in result:
        value = row.value
        # Doubles come back as floats; counts compare and print as the ints they are.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        tables.setdefault(row.table_name, {}).setdefault(row.row_key, {})[
            row.column_key
        ] = value
    return tables
